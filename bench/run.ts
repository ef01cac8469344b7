/**
 * `npm run bench [-- name…]`: runs the named benchmarks (all by default) and prints one line per
 * figure, each with its same-run baseline ratio.
 */
import { benchChainRpc } from "./chain-rpc.js";
import { benchDashboard } from "./dashboard.js";
import { benchDevnetTx } from "./devnet-tx.js";
import { benchEventLoop } from "./event-loop.js";
import { benchGateway } from "./gateway.js";
import { benchMetagraph } from "./metagraph.js";
import { benchModelSwitch } from "./model-switch.js";
import { benchP2PQuery } from "./p2p-query.js";
import { benchServeOcr } from "./serve-ocr.js";
import { benchValidatorStep } from "./validator-step.js";
import { benchWalletUnlock } from "./wallet-unlock.js";
import { benchYuma } from "./yuma.js";
import { formatLine, type BenchLine } from "./harness.js";

const BENCHMARKS: Record<string, () => Promise<BenchLine[]>> = {
  yuma: benchYuma,
  "devnet-tx": benchDevnetTx,
  metagraph: benchMetagraph,
  "p2p-query": benchP2PQuery,
  "serve-ocr": benchServeOcr,
  "event-loop": benchEventLoop,
  "model-switch": benchModelSwitch,
  "validator-step": benchValidatorStep,
  "wallet-unlock": benchWalletUnlock,
  gateway: benchGateway,
  dashboard: benchDashboard,
  "chain-rpc": benchChainRpc,
};

/** One part of a benchmark, by name only (a run of every benchmark runs each part once, in its whole). */
const PARTS: Record<string, () => Promise<BenchLine[]>> = {
  "dashboard-render": () => benchDashboard(["render"]),
  "dashboard-memory": () => benchDashboard(["memory"]),
};

async function main(names: string[]): Promise<number> {
  const selected = names.length > 0 ? names : Object.keys(BENCHMARKS);
  const known = { ...BENCHMARKS, ...PARTS };
  const unknown = selected.filter((name) => !(name in known));
  if (unknown.length > 0) {
    process.stderr.write(`error: unknown benchmark ${unknown.join(", ")} (known: ${Object.keys(known).join(", ")})\n`);
    return 2;
  }
  process.stdout.write(`# node ${process.version}, ${process.arch}; medians of repeated runs; yuma on one core, devnet-tx with the devnet in its own process\n`);
  for (const name of selected) {
    for (const line of await known[name]!()) process.stdout.write(`${formatLine(line)}\n`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
