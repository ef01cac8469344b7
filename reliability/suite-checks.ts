/**
 * The e2e suite under load ([ops]: a suite that fails on a busy machine blocks releases). The suite
 * (`test/e2e`, the built binary) runs `runs` times while a CPU hog keeps every core busy; every
 * failing test is counted and named. The rule: no failure in any run.
 *
 * The binary must be built (`npm run build`), as for `npm run test:e2e`; each run's TAP output is
 * kept in a temporary folder named in the notes, for a failure to be read afterwards.
 */
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { cpuHog } from "./cpu-hog.js";
import type { CheckLine } from "./fuzz-checks.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface SuiteRun {
  readonly passed: number;
  readonly failed: number;
  /** The failing tests, each as `file › test`, from the TAP output. */
  readonly failures: readonly string[];
  readonly seconds: number;
  readonly exitCode: number;
}

/**
 * Reads node's TAP output: the totals from its closing `# pass` / `# fail` lines, and each failing
 * leaf test with the names of the tests that hold it (a subtest's `not ok` comes before its
 * parent's, which is at a shallower indent).
 */
export function readTap(tap: string): Omit<SuiteRun, "seconds" | "exitCode"> {
  const total = (key: string): number => Number(new RegExp(`^# ${key} (\\d+)$`, "m").exec(tap)?.[1] ?? Number.NaN);
  const failures: string[] = [];
  const pending: { depth: number; name: string }[] = [];
  for (const line of tap.split("\n")) {
    const m = /^( *)(ok|not ok) \d+ - (.*?)(?: # .*)?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const name = m[3]!;
    const children = pending.filter((p) => p.depth > depth);
    const others = pending.filter((p) => p.depth <= depth);
    pending.length = 0;
    pending.push(...others);
    if (m[2] === "not ok") {
      if (children.length === 0) pending.push({ depth, name });
      else pending.push(...children.map((c) => ({ depth, name: `${name} › ${c.name}` })));
    }
    if (depth === 0) {
      failures.push(...pending.map((p) => p.name));
      pending.length = 0;
    }
  }
  return { passed: total("pass"), failed: total("fail"), failures };
}

async function runSuite(logPath: string, targets: readonly string[]): Promise<SuiteRun> {
  const t0 = performance.now();
  const log = createWriteStream(logPath);
  let tap = "";
  const child = spawn(process.execPath, [join(ROOT, "scripts/run-tests.mjs"), ...targets], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (chunk: Buffer) => ((tap += chunk.toString()), log.write(chunk)));
  child.stderr!.on("data", (chunk: Buffer) => log.write(chunk));
  const exitCode = await new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
  await new Promise<void>((resolve) => log.end(resolve));
  return { ...readTap(tap), seconds: (performance.now() - t0) / 1000, exitCode };
}

export async function e2eUnderLoad(runs: number, targets: readonly string[] = ["test/e2e"]): Promise<CheckLine> {
  if (!existsSync(join(ROOT, "dist/src/index.js"))) {
    return { name: "e2e suite under a CPU hog", figures: {}, holds: false, rule: "the binary is built first", notes: ["dist/ is missing: run `npm run build` first"] };
  }
  const dir = mkdtempSync(join(tmpdir(), "tn-e2e-load-"));
  const results: SuiteRun[] = [];
  for (let i = 1; i <= runs; i += 1) {
    const stopHog = cpuHog();
    try {
      results.push(await runSuite(join(dir, `run-${i}.tap`), targets));
    } finally {
      await stopHog();
    }
    const r = results.at(-1)!;
    process.stderr.write(`e2e under load, run ${i}/${runs}: ${r.passed} passed, ${r.failed} failed in ${Math.round(r.seconds)} s\n`);
  }
  const failed = results.reduce((sum, r) => sum + (Number.isNaN(r.failed) ? 1 : r.failed), 0);
  const exitedBadly = results.filter((r) => r.exitCode !== 0 && r.failed === 0).length;
  return {
    name: `e2e suite (${targets.join(", ")}) ${runs} times under a CPU hog on ${availableParallelism()} cores`,
    figures: {
      runs,
      tests_per_run: results[0]?.passed !== undefined ? results[0].passed + results[0].failed : 0,
      failures: failed,
      runs_with_failures: results.filter((r) => r.failed !== 0 || r.exitCode !== 0).length,
      longest_run_s: Math.max(...results.map((r) => r.seconds)),
    },
    holds: failed === 0 && exitedBadly === 0,
    rule: "no failing test in any run (and every run exits 0)",
    notes: [
      `TAP output of each run in ${dir}`,
      ...results.flatMap((r, i) => r.failures.map((f) => `run ${i + 1}: not ok ${f}`)),
      ...results.flatMap((r, i) => (r.exitCode !== 0 && r.failed === 0 ? [`run ${i + 1}: exited ${r.exitCode} with no failing test`] : [])),
    ],
  };
}
