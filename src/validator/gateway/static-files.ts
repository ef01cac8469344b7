/**
 * The playground's files, served from a directory the CLI hands over: `/` is its index.html, any
 * other path a regular file inside it (no `..`, no symbolic link leading out, no dotfiles).
 */
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";
import type { Readable } from "node:stream";

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
};

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}

export interface StaticFile {
  readonly contentType: string;
  readonly size: number;
  open(): Readable;
}

/** The file `urlPath` names inside `root`, or undefined (→ 404) for anything else. */
export async function findStaticFile(root: string, urlPath: string): Promise<StaticFile | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const relative = decoded === "/" ? "index.html" : decoded.slice(1);
  const segments = relative.split("/");
  if (relative.includes("\0") || relative.includes("\\") || segments.some((s) => s === "" || s === "." || s === ".." || s.startsWith("."))) return undefined;
  let realRoot: string;
  let realFile: string;
  try {
    realRoot = await realpath(root);
    realFile = await realpath(resolve(realRoot, ...segments));
  } catch {
    return undefined;
  }
  if (!realFile.startsWith(realRoot + sep)) return undefined;
  const info = await stat(realFile).catch(() => undefined);
  if (!info?.isFile()) return undefined;
  return { contentType: contentTypeOf(realFile), size: info.size, open: () => createReadStream(realFile) };
}
