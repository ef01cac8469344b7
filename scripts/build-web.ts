/**
 * Bundles the web pages (`npm run build` runs it after tsc): every folder `src/web/<page>/` that
 * holds both `index.html` and `main.ts` becomes `dist/web/<page>/` — `index.html`, `main.js` (with
 * its source map) and `main.css` when the page imports CSS, plus the files of its `public/` folder
 * as they are. Everything a page needs is in its folder: nothing is fetched from elsewhere at run
 * time. The pages are served under a strict Content-Security-Policy (no inline script or style), so
 * an index.html with an inline script, a style element or attribute, or an event-handler attribute
 * is refused here rather than broken in the browser.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export interface WebPage {
  readonly name: string;
  readonly dir: string;
}

export interface BuiltPage {
  readonly name: string;
  readonly outDir: string;
  /** Files written, relative to outDir. */
  readonly files: readonly string[];
}

export class WebBuildError extends Error {
  readonly code: "INLINE_CONTENT" | "NO_ASSET_LINK";

  constructor(code: "INLINE_CONTENT" | "NO_ASSET_LINK", message: string) {
    super(message);
    this.name = "WebBuildError";
    this.code = code;
  }
}

/** The page folders under `webDir`, by name. */
export function findPages(webDir: string): WebPage[] {
  if (!existsSync(webDir)) return [];
  return readdirSync(webDir)
    .map((name) => ({ name, dir: join(webDir, name) }))
    .filter((p) => statSync(p.dir).isDirectory() && existsSync(join(p.dir, "index.html")) && existsSync(join(p.dir, "main.ts")))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** What in an index.html a strict CSP (script-src 'self'; style-src 'self') would block: one line per problem. */
export function inlineContent(html: string): string[] {
  const problems: string[] = [];
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (!/\bsrc\s*=/i.test(match[1]!) || match[2]!.trim() !== "") problems.push("an inline <script>");
  }
  if (/<style\b/i.test(html)) problems.push("a <style> element");
  if (/<[a-z][^>]*\sstyle\s*=/i.test(html)) problems.push("a style attribute");
  const handler = /<[a-z][^>]*\s(on[a-z]+)\s*=/i.exec(html);
  if (handler) problems.push(`an event-handler attribute (${handler[1]})`);
  if (/<[a-z][^>]*\ssrc\s*=\s*["']?(?:[a-z]+:)?\/\//i.test(html) || /<link\b[^>]*\shref\s*=\s*["']?(?:[a-z]+:)?\/\//i.test(html)) problems.push("a resource from another origin");
  return problems;
}

/** Bundles one page into `outDir` (emptied first). */
export async function buildPage(page: WebPage, outDir: string, options: { minify?: boolean } = {}): Promise<BuiltPage> {
  const html = readFileSync(join(page.dir, "index.html"), "utf8");
  const problems = inlineContent(html);
  if (problems.length > 0) throw new WebBuildError("INLINE_CONTENT", `src/web/${page.name}/index.html: ${problems.join(", ")} — the pages are served under a strict Content-Security-Policy; move it into main.ts or a CSS file`);
  if (!/<script\b[^>]*\bsrc\s*=\s*["']?(?:\.?\/)?main\.js["'\s>]/i.test(html)) throw new WebBuildError("NO_ASSET_LINK", `src/web/${page.name}/index.html does not load main.js (<script type="module" src="main.js">, or "/main.js" for a page served at several paths)`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { main: join(page.dir, "main.ts") },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["chrome110", "firefox115", "safari16"],
    minify: options.minify ?? true,
    sourcemap: "linked",
    outdir: outDir,
    // Fonts and images a stylesheet names are copied beside it (served from the same origin).
    loader: { ".woff2": "file", ".woff": "file", ".png": "file", ".svg": "file" },
    assetNames: "[name]-[hash]",
    legalComments: "linked",
    logLevel: "warning",
  });
  writeFileSync(join(outDir, "index.html"), html);
  const publicDir = join(page.dir, "public");
  if (existsSync(publicDir)) cpSync(publicDir, outDir, { recursive: true });
  return { name: page.name, outDir, files: listFiles(outDir) };
}

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

/** Builds every page of `webDir` into `outRoot/<page>/`. */
export async function buildWebPages(webDir: string, outRoot: string, options: { minify?: boolean } = {}): Promise<BuiltPage[]> {
  // Pages removed from src/web leave nothing behind.
  rmSync(outRoot, { recursive: true, force: true });
  const built: BuiltPage[] = [];
  for (const page of findPages(webDir)) built.push(await buildPage(page, join(outRoot, page.name), options));
  return built;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  try {
    const built = await buildWebPages(join(root, "src", "web"), join(root, "dist", "web"));
    console.log(`web pages built: ${built.map((p) => `${p.name} (${p.files.length} files)`).join(", ") || "none"} in dist/web`);
  } catch (error) {
    console.error(error instanceof WebBuildError ? `error: ${error.message}` : error);
    process.exit(1);
  }
}
