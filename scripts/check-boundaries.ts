/**
 * Checks the import boundaries of ../shared/design/ARCHITECTURE.md: which top-level folder of
 * src/ may import which. Run as a script (exit 1 on a violation) or through `checkBoundaries`.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Layer → the layers it may import (itself always allowed). */
export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  yuma: [],
  params: [],
  util: ["params"],
  db: ["util", "params"],
  devnet: ["util", "params", "db", "yuma"],
  chain: ["util", "params"],
  wallet: ["util", "params"],
  p2p: ["util", "params"],
  subnet: ["util", "params"],
  miner: ["util", "params", "p2p", "chain", "subnet", "db", "wallet"],
  validator: ["util", "params", "p2p", "chain", "subnet", "db", "wallet"],
  // The local network runs the devnet in process and the daemons as child processes (never imported).
  localnet: ["util", "params", "devnet", "chain", "subnet", "wallet"],
  // The dashboard reads the chain and the daemons' HTTP ports; it never imports a daemon.
  web: ["util", "params", "chain", "db", "p2p"],
  cli: ["*"],
  "index.ts": ["cli", "util"],
};

/** Layers that may import no package and no Node built-in (pure cores). */
const PURE = new Set(["yuma", "params"]);
const BUILTINS = new Set(builtinModules);

export interface SourceFile {
  /** Path relative to src/, with forward slashes. */
  readonly path: string;
  readonly text: string;
}

export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

const IMPORT_PATTERN = /(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** The top folder under src/ (or the file name, for files directly in src/). */
function layerOf(pathInSrc: string): string {
  return pathInSrc.split("/")[0]!;
}

export function checkBoundaries(files: readonly SourceFile[]): Violation[] {
  const violations: Violation[] = [];
  for (const file of files) {
    const from = layerOf(file.path);
    for (const match of file.text.matchAll(IMPORT_PATTERN)) {
      const specifier = match[1] ?? match[2]!;
      const line = file.text.slice(0, match.index).split("\n").length;
      const report = (message: string): void => void violations.push({ file: `src/${file.path}`, line, message });
      if (specifier.startsWith(".")) {
        const target = join(dirname(file.path), specifier).split(sep).join("/");
        if (target.startsWith("..")) {
          report(`${from} may not import ${specifier} (outside src/)`);
          continue;
        }
        const to = layerOf(target);
        if (to === from) continue;
        const allowed = ALLOWED[from] ?? [];
        if (to === "cli" && from !== "index.ts") report(`${from} may not import cli (nothing imports the composition root)`);
        else if (!allowed.includes("*") && !allowed.includes(to)) report(`${from} may not import ${to}`);
      } else if (PURE.has(from)) {
        const bare = specifier.replace(/^node:/, "");
        report(`${from} may not import ${BUILTINS.has(bare) || specifier.startsWith("node:") ? "the Node built-in" : "the package"} ${specifier} (pure layer)`);
      }
    }
  }
  return violations;
}

function readTree(root: string, dir = root): SourceFile[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return readTree(root, full);
    return name.endsWith(".ts") ? [{ path: relative(root, full).split(sep).join("/"), text: readFileSync(full, "utf8") }] : [];
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const src = fileURLToPath(new URL("../src", import.meta.url));
  const files = readTree(src);
  const violations = checkBoundaries(files);
  for (const v of violations) console.error(`${v.file}:${v.line}: ${v.message}`);
  if (violations.length > 0) process.exit(1);
  console.log(`import boundaries OK (${files.length} files)`);
}
