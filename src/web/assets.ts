/**
 * Where the built web pages are: `dist/web/<page>/` of the package (scripts/build-web.ts writes
 * them at `npm run build`), whether this code runs compiled from dist/ or as sources through tsx.
 * The CLI hands the playground's folder to the validator's gateway; the dashboard serves its own.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../util/errors.js";

/** A page that was not built: said in one line (exit 2), with how to build it. */
export class WebAssetsError extends UserError<"WEB_NOT_BUILT"> {
  constructor(message: string) {
    super("WEB_NOT_BUILT", message);
  }
}

/** The package's root: the nearest folder above `from` whose package.json is tensornode's. */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "tensornode") return dir;
    if (dirname(dir) === dir) throw new WebAssetsError(`no tensornode package.json above ${from}`);
  }
}

/** The package's version (package.json). */
export function packageVersion(root: string = packageRoot()): string {
  return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version?: string }).version ?? "unknown";
}

/** The folder of a built page (`playground`, `dashboard`), whether or not it exists. */
export function webAssetsDir(page: string, root: string = packageRoot()): string {
  return join(root, "dist", "web", page);
}

/** The folder of a built page when it holds its index.html; undefined when the page was not built. */
export function builtWebAssetsDir(page: string, root: string = packageRoot()): string | undefined {
  const dir = webAssetsDir(page, root);
  return existsSync(join(dir, "index.html")) ? dir : undefined;
}

/** The folder of a built page, or an error saying how to build it. */
export function requireWebAssetsDir(page: string, root: string = packageRoot()): string {
  const dir = builtWebAssetsDir(page, root);
  if (dir === undefined) throw new WebAssetsError(`the ${page} page is not built (no ${join(webAssetsDir(page, root), "index.html")}); run \`npm run build\` in ${root}`);
  return dir;
}
