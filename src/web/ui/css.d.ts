/** A page's stylesheet, imported by its main.ts for esbuild to bundle beside main.js (main.css). */
declare module "*.css";
