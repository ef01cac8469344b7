/**
 * How often the local network shows its story: runs `tensornode localnet --epochs E --json` on
 * seeds 1..N, one after the other (each run is a whole subnet: CPU-heavy), and counts the runs
 * whose miners' incentive at the last epoch is ordered honest > noisy > slow > offline.
 *
 *   node --import tsx scripts/localnet-seeds.ts [--seeds 10] [--epochs 4] [--first 1] [--no-seed-flag]
 *
 * `--no-seed-flag` runs without `--seed` (for a binary that has none). Exit 0 always; the figure
 * is the last line: "ordered on K of N seeds".
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseLosslessJson } from "../src/util/lossless-json.js";

const BIN = fileURLToPath(new URL("../bin/tensornode.js", import.meta.url));
const ORDER = ["honest", "noisy", "slow", "offline"] as const;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

/** (A whole-number figure, 0 say, is parsed as a bigint.) */
interface Neuron {
  role: string;
  /** Before the summary named its per-epoch figures. */
  incentive?: number | bigint;
  lastEpoch?: { incentive: number | bigint };
}

const seeds = flag("--seeds", 10);
const epochs = flag("--epochs", 4);
const first = flag("--first", 1);
const withSeed = !process.argv.includes("--no-seed-flag");
let ordered = 0;
for (let seed = first; seed < first + seeds; seed++) {
  const dir = mkdtempSync(join(tmpdir(), "localnet-seeds-"));
  const args = [BIN, "localnet", "--epochs", String(epochs), "--json", "--data-dir", join(dir, "net"), ...(withSeed ? ["--seed", String(seed)] : [])];
  const started = Date.now();
  const run = spawnSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, TENSORNODE_HOME: join(dir, "home") }, timeout: 600_000 });
  rmSync(dir, { recursive: true, force: true });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (run.status !== 0) {
    console.log(`seed ${seed}: exit ${run.status ?? run.signal} (${seconds} s): ${run.stderr.trim().split("\n").slice(-2).join(" | ")}`);
    continue;
  }
  const summary = parseLosslessJson(run.stdout) as unknown as { neurons: Neuron[] };
  const incentive = ORDER.map((b) => summary.neurons.find((n) => n.role === `miner (${b})`)).map((n) => Number(n?.lastEpoch?.incentive ?? n?.incentive ?? Number.NaN));
  const ok = incentive.every((x, i) => i === 0 || incentive[i - 1]! > x);
  if (ok) ordered += 1;
  console.log(`seed ${seed}: ${ORDER.map((b, i) => `${b} ${(incentive[i]! * 100).toFixed(2)}%`).join(", ")} — ${ok ? "ordered" : "NOT ordered"} (${seconds} s)`);
}
console.log(`ordered on ${ordered} of ${seeds} seeds (epoch ${epochs})`);
