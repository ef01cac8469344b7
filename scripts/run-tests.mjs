#!/usr/bin/env node
// Finds *.test.ts under the given dirs (or files) and runs them with node's test runner through
// tsx. Node 20's --test neither discovers .ts files nor expands `**`.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function collect(path) {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => {
    const child = join(path, entry.name);
    if (entry.isDirectory()) return collect(child);
    return entry.name.endsWith(".test.ts") ? [child] : [];
  });
}

const targets = process.argv.slice(2);
const files = targets.flatMap(collect).sort();
if (files.length === 0) {
  console.log(`no tests found in ${targets.join(", ")}`);
  process.exit(0);
}
// --test-force-exit: a file whose tests have all finished never holds the run hostage (a handle left
// open in process would otherwise hang CI until its time limit). Whether a daemon exits on its own
// is tested where it matters, on the spawned binary (test/e2e, test/integration/daemon-state-errors).
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-force-exit", ...files], { stdio: "inherit" });
process.exit(result.status ?? 1);
