/**
 * `chain-rpc` (issue 21, "light on the chain"): JSON-RPC round trips per block that an idle
 * validator and an idle miner send to their chain endpoint (goal: ≤ 2 for a validator, ≤ 1 for a
 * miner).
 *
 * Everything runs as users run it, from the built binary (`npm run build` first): the devnet with a
 * block every 250 ms (CHAIN_RPC_BLOCK_MS to change it), a started subnet of tempo 360 (so that,
 * once the validator's first commit is in, no weights transaction falls in the window) whose owner
 * hotkey is the validator's (weights need no permit then), one tiny miner, and the validator — both
 * with their default intervals and `--metrics-port 0`. After the warm-up (the miner's axon on chain,
 * the validator's first commit included, then CHAIN_RPC_WARM_UP_BLOCKS, default 8), each daemon's
 * `tensornode_chain_rpc_requests_total` is read at the start and the end of a window of
 * CHAIN_RPC_BLOCKS blocks (default 120); round trips per block = requests in the window ÷ blocks
 * the chain made in it (its head, read by the bench's own connection). The requests by method are
 * written to stderr.
 */
import "../src/util/polyfill.js";
import "@polkadot/api-augment";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Keyring } from "@polkadot/api";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { connectChain, type ChainConnection } from "../src/chain/connection.js";
import { SubtensorOperations } from "../src/chain/operations.js";
import { WalletStore } from "../src/wallet/wallet.js";
import type { BenchLine } from "./harness.js";

const BIN = fileURLToPath(new URL("../bin/tensornode.js", import.meta.url));
const BLOCK_MS = Number(process.env.CHAIN_RPC_BLOCK_MS ?? 250);
const WINDOW_BLOCKS = Number(process.env.CHAIN_RPC_BLOCKS ?? 120);
const WARM_UP_BLOCKS = Number(process.env.CHAIN_RPC_WARM_UP_BLOCKS ?? 8);
/** Waits for set-up steps: a minute, or 30 blocks on a slow chain. */
const SETUP_MS = Math.max(60_000, 30 * BLOCK_MS);
const TEMPO = 360;

type Untyped = (...args: unknown[]) => never;

interface Proc {
  readonly child: ChildProcess;
  out(): string;
  err(): string;
  stop(): Promise<void>;
}

function start(args: readonly string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
  return {
    child,
    out: () => out,
    err: () => err,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined, procs: readonly Proc[] = []): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    for (const p of procs) if (p.child.exitCode !== null) throw new Error(`a process exited while waiting for ${what}: ${p.err().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; ${procs.map((p) => p.err().slice(-1500)).join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The requests by method on a daemon's /metrics. */
async function requests(metricsUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const byMethod = new Map<string, number>();
  for (const match of text.matchAll(/^tensornode_chain_rpc_requests_total\{method="([^"]+)"\} (\d+)$/gm)) byMethod.set(match[1]!, Number(match[2]));
  if (!/tensornode_chain_rpc_requests_total/.test(text)) throw new Error(`${metricsUrl} has no tensornode_chain_rpc_requests_total`);
  return byMethod;
}

async function metricValue(metricsUrl: string, pattern: RegExp): Promise<number> {
  return Number(pattern.exec(await (await fetch(metricsUrl)).text())?.[1] ?? 0);
}

function difference(after: Map<string, number>, before: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...after].map(([method, n]) => [method, n - (before.get(method) ?? 0)]).filter(([, n]) => (n as number) > 0));
}

const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

export async function benchChainRpc(): Promise<BenchLine[]> {
  await cryptoWaitReady();
  const home = mkdtempSync(join(tmpdir(), "tn-bench-rpc-"));
  const env = { TENSORNODE_HOME: home, BT_WALLET_PATH: join(home, "none") };
  const procs: Proc[] = [];
  let chain: ChainConnection | undefined;
  try {
    const devnet = start(["devnet", "--data-dir", join(home, "devnet"), "--port", "0", "--block-time", `${BLOCK_MS}ms`, "--log-level", "warn"], env);
    procs.push(devnet);
    const url = (await waitFor("the devnet", 30_000, () => / at (ws:\/\/\S+) /.exec(devnet.out())?.[1], procs));
    chain = await connectChain(url);
    const ops = new SubtensorOperations(chain);
    const alice = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//Alice");
    const store = new WalletStore([join(home, "wallets")]);
    const validatorHotkey = (await store.createHotkey("ops", "validator")).address;
    const minerHotkey = (await store.createHotkey("ops", "miner")).address;
    const { netuid } = await ops.registerNetwork(alice, validatorHotkey);
    await ops.startSubnet(alice, netuid);
    await ops.adminCall(alice, netuid, (chain.api.tx.subtensorModule!.setTempo as unknown as Untyped)(netuid, TEMPO), "owner", "tempo");
    await ops.registerNeuron(alice, netuid, minerHotkey);

    const common = ["--netuid", String(netuid), "--wallet", "ops", "--chain", url, "--metrics-port", "0", "--log-level", "warn"];
    const miner = start(["miner", ...common, "--subnet", "tiny", "--hotkey", "miner", "--host", "127.0.0.2", "--port", "0", "--workers", "1"], env);
    procs.push(miner);
    const minerMetrics = (await waitFor("the miner's metrics", SETUP_MS, () => /metrics at (http:\/\/\S+\/metrics)/.exec(miner.out())?.[1], procs));
    await waitFor("the miner's axon", SETUP_MS, async () => ((await ops.read.axonOf(netuid, minerHotkey)) ? true : undefined), procs);
    const validator = start(["validator", ...common, "--subnet", "tiny", "--hotkey", "validator", "--host", "127.0.0.1", "--data-dir", join(home, "validator")], env);
    procs.push(validator);
    const validatorMetrics = (await waitFor("the validator's metrics", SETUP_MS, () => /metrics at (http:\/\/\S+\/metrics)/.exec(validator.out())?.[1], procs));
    await waitFor("the validator's first commit", 2 * SETUP_MS, async () => ((await metricValue(validatorMetrics, /tensornode_validator_weights_total\{[^}]*action="commit",outcome="ok"\} (\d+)/)) >= 1 ? true : undefined), procs);
    const head = async (): Promise<number> => Number(await ops.read.blockNumber());
    const warm = (await head()) + WARM_UP_BLOCKS;
    await waitFor("the warm-up", SETUP_MS + WARM_UP_BLOCKS * BLOCK_MS * 2, async () => ((await head()) >= warm ? true : undefined), procs);

    const [b0, v0, m0] = await Promise.all([head(), requests(validatorMetrics), requests(minerMetrics)]);
    const weights0 = await metricValue(validatorMetrics, /tensornode_validator_weights_last_block\{[^}]*\} (\d+)/);
    await waitFor("the window", WINDOW_BLOCKS * BLOCK_MS * 4 + 30_000, async () => ((await head()) >= b0 + WINDOW_BLOCKS ? true : undefined), procs);
    const [b1, v1, m1] = await Promise.all([head(), requests(validatorMetrics), requests(minerMetrics)]);
    const weights1 = await metricValue(validatorMetrics, /tensornode_validator_weights_last_block\{[^}]*\} (\d+)/);
    const blocks = b1 - b0;
    const v = difference(v1, v0);
    const m = difference(m1, m0);
    process.stderr.write(`chain-rpc: ${blocks} blocks of ${BLOCK_MS} ms (#${b0}..#${b1})${weights1 !== weights0 ? ", a weights transaction included in the window" : ", no weights transaction in the window"}\n`);
    process.stderr.write(`chain-rpc: validator requests by method ${JSON.stringify(v)}\n`);
    process.stderr.write(`chain-rpc: miner requests by method ${JSON.stringify(m)}\n`);
    return [
      { name: "chain-rpc validator idle", figures: { round_trips_per_block: sum(v) / blocks, requests: sum(v), blocks, block_ms: BLOCK_MS }, goal: "≤ 2 per block" },
      { name: "chain-rpc miner idle", figures: { round_trips_per_block: sum(m) / blocks, requests: sum(m), blocks, block_ms: BLOCK_MS }, goal: "≤ 1 per block" },
    ];
  } finally {
    await chain?.close();
    for (const p of procs.reverse()) await p.stop();
    rmSync(home, { recursive: true, force: true });
  }
}
