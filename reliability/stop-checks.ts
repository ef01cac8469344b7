/**
 * Stop times ([ops]: a daemon given SIGTERM exits within 5 s at the 99th percentile, even on a
 * loaded machine with peers connected and work in flight). Every process is the built binary,
 * started and stopped as an operator's tools do it (SIGTERM, the time until the process is gone),
 * while other processes keep every core busy:
 *
 * - a validator (gateway on, users' requests in flight) and a tiny miner it queries every second,
 *   each with `peers` libp2p peers connected to it (nodes of this process), stopped together at a
 *   seeded random moment, `rounds` times;
 * - the devnet, with WebSocket clients following new heads, `rounds` times on its data dir;
 * - the dashboard, with a page's event stream open, `rounds` times.
 *
 * Each figure is SIGTERM → exit, ms; the rule is that every one of them is ≤ 5 s and exits 0.
 */
import "../src/util/polyfill.js";
import "@polkadot/api-augment";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { Keyring } from "@polkadot/api";
import { connectChain, type ChainConnection } from "../src/chain/connection.js";
import { SubtensorOperations } from "../src/chain/operations.js";
import { createP2PNode, type P2PNode } from "../src/p2p/node.js";
import { createLogger } from "../src/util/logger.js";
import { prng } from "../src/util/prng.js";
import { WalletStore } from "../src/wallet/wallet.js";
import { cpuHog } from "./cpu-hog.js";
import type { CheckLine } from "./fuzz-checks.js";

const BIN = fileURLToPath(new URL("../bin/tensornode.js", import.meta.url));
const TAO = 1_000_000_000n;
const STOP_GOAL_MS = 5_000;
const log = createLogger({ level: "silent", format: "json" });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Proc {
  readonly child: ChildProcess;
  out(): string;
  readonly exited: Promise<number | string>;
}

function start(args: readonly string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  return { child, out: () => out, exited };
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve(probe()).catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** SIGTERM, then the time until the process is gone (SIGKILL after 30 s, counted as such). */
async function timedStop(proc: Proc): Promise<{ ms: number; exit: number | string }> {
  const t0 = performance.now();
  proc.child.kill("SIGTERM");
  const killer = setTimeout(() => proc.child.kill("SIGKILL"), 30_000);
  const exit = await proc.exited;
  clearTimeout(killer);
  return { ms: performance.now() - t0, exit };
}

async function freePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

function stopLine(what: string, samples: readonly { ms: number; exit: number | string }[], notes: string[], peers?: { readonly fewest: number; readonly wanted: number }): CheckLine {
  const ms = samples.map((s) => s.ms);
  const bad = samples.filter((s) => s.exit !== 0);
  return {
    name: `stop: ${what}`,
    figures: { stops: samples.length, p50_ms: percentile(ms, 50), p99_ms: percentile(ms, 99), max_ms: Math.max(...ms), not_exit_0: bad.length, ...(peers ? { fewest_peers_at_stop: peers.fewest } : {}) },
    holds: samples.length > 0 && Math.max(...ms) <= STOP_GOAL_MS && bad.length === 0 && (!peers || peers.fewest >= peers.wanted),
    rule: `SIGTERM → exit ≤ ${STOP_GOAL_MS / 1000} s every time (so at the 99th percentile), exit code 0${peers ? `, with ${peers.wanted} peers connected` : ""}`,
    notes: [...notes, ...bad.map((s) => `exited with ${s.exit} after ${Math.round(s.ms)} ms`)],
  };
}

/**
 * Connects every node (each its own identity) to `address`; resolves with how many are connected
 * within `timeoutMs`. Paced at 4 dials a second, retried: libp2p refuses more than 5 inbound
 * connections a second from one host (inboundConnectionThreshold), and here every peer is 127.0.0.1.
 */
async function connectPeers(nodes: readonly P2PNode[], address: string, timeoutMs = 150_000): Promise<number> {
  const connected = new Set<P2PNode>();
  const deadline = Date.now() + timeoutMs;
  while (connected.size < nodes.length && Date.now() < deadline) {
    const batch = nodes.filter((n) => !connected.has(n)).slice(0, 4);
    const second = sleep(1_050);
    await Promise.all(batch.map((n) => n.dial(address, { signal: AbortSignal.timeout(10_000) }).then(() => connected.add(n), () => undefined)));
    await second;
  }
  return connected.size;
}

export async function stopTimes(rounds: number, peers: number): Promise<CheckLine[]> {
  const home = mkdtempSync(join(tmpdir(), "tn-stop-"));
  const env = { TENSORNODE_HOME: home, BT_WALLET_PATH: join(home, "none") };
  const random = prng(43);
  const procs: Proc[] = [];
  const nodes: P2PNode[] = [];
  let chain: ChainConnection | undefined;
  let stopHog: (() => Promise<void>) | undefined;
  const daemonStops = { validator: [] as { ms: number; exit: number | string }[], miner: [] as { ms: number; exit: number | string }[] };
  const devnetStops: { ms: number; exit: number | string }[] = [];
  const dashboardStops: { ms: number; exit: number | string }[] = [];
  const notes: string[] = [];
  /** Peers connected to the miner and to the validator, each round, when they were stopped. */
  const peersAtStop: number[] = [];
  const track = (p: Proc): Proc => (procs.push(p), p);
  const startDevnet = async (): Promise<{ proc: Proc; url: string }> => {
    const proc = track(start(["devnet", "--data-dir", join(home, "chain"), "--port", "0", "--block-time", "250ms", "--log-level", "warn"], env));
    const url = await until("the devnet's endpoint", 60_000, () => / at (ws:\/\/\S+) /.exec(proc.out())?.[1]);
    return { proc, url };
  };
  try {
    let devnet = await startDevnet();
    chain = await connectChain(devnet.url);
    const ops = new SubtensorOperations(chain);
    const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
    const alice = keyring.addFromUri("//Alice");
    const { netuid } = await ops.registerNetwork(alice, keyring.addFromUri("//Owner").address);
    await ops.startSubnet(alice, netuid);
    const wallets = new WalletStore([join(home, "wallets")]);
    const validator = (await wallets.createHotkey("ops", "v")).address;
    const miner = (await wallets.createHotkey("ops", "m")).address;
    await ops.registerNeuron(alice, netuid, validator);
    await ops.registerNeuron(alice, netuid, miner);
    await ops.addStake(alice, validator, netuid, 100n * TAO);
    for (let i = 0; i < peers; i++) nodes.push(await createP2PNode({ privateKey: await generateKeyPair("Ed25519"), listen: [], gossip: false, log }));

    stopHog = cpuHog();
    const common = ["--netuid", String(netuid), "--wallet", "ops", "--chain", devnet.url, "--log-format", "json", "--log-level", "info"];
    for (let round = 0; round < rounds; round++) {
      const minerProc = track(start(["miner", ...common, "--subnet", "tiny", "--hotkey", "m", "--host", "127.0.0.2", "--port", "0", "--workers", "1", "--metagraph-interval", "1", "--data-dir", join(home, "miner")], env));
      const validatorPort = await freePort("127.0.0.1");
      const validatorProc = track(
        start(["validator", ...common, "--subnet", "tiny", "--hotkey", "v", "--host", "127.0.0.1", "--port", String(validatorPort), "--data-dir", join(home, "validator"), "--step-interval", "1", "--weights-interval", "1", "--metrics-port", "0", "--api-port", "0"], env),
      );
      const said = (proc: Proc) => (error: Error): never => {
        throw new Error(`round ${round}: ${error.message}; what it said last:\n${proc.out().slice(-1500)}`);
      };
      const minerAddress = await until("the miner serving", 120_000, () => / at (\/ip4\/\S+?)[;,\s]/.exec(minerProc.out())?.[1]).catch(said(minerProc));
      const gateway = await until("the validator's gateway", 120_000, () => /gateway at (http:\/\/\S+) /.exec(validatorProc.out())?.[1]).catch(said(validatorProc));
      const metrics = await until("the validator's metrics", 120_000, () => /metrics at (http:\/\/\S+)/.exec(validatorProc.out())?.[1]);
      await until("the validator's first answers", 120_000, async () => (/tensornode_validator_queries_total\{[^}]*outcome="answered"\} [1-9]/.test(await (await fetch(metrics)).text()) ? true : undefined));
      const [minerPeers, validatorPeers] = await Promise.all([connectPeers(nodes, minerAddress), connectPeers(nodes, `/ip4/127.0.0.1/tcp/${validatorPort}`)]);
      peersAtStop.push(minerPeers, validatorPeers);
      // Users' requests in flight at the stop: 8 users, each sending its next request when the last is answered.
      let stopping = false;
      const body = JSON.stringify({ input: Array.from({ length: 16 }, (_, i) => (i % 17) - 8) });
      const users = Array.from({ length: 8 }, async () => {
        while (!stopping) await fetch(`${gateway}/v1/synapses/infer`, { method: "POST", headers: { "content-type": "application/json" }, body }).then((r) => r.arrayBuffer(), () => undefined);
      });
      await sleep(Math.floor(random() * 1_000));
      stopping = true;
      const [v, m] = await Promise.all([timedStop(validatorProc), timedStop(minerProc)]);
      await Promise.all(users);
      daemonStops.validator.push(v);
      daemonStops.miner.push(m);
      for (const [name, proc] of [["validator", validatorProc], ["miner", minerProc]] as const) {
        const late = proc.out().split("\n").filter((l) => l.includes("did not stop in time"));
        for (const line of late) notes.push(`${name}, round ${round}: ${/"msg":"([^"]+)"/.exec(line)?.[1] ?? line}`);
      }
    }

    // The devnet, with clients following it; then the dashboard, with a page's event stream open.
    await chain.close();
    chain = undefined;
    for (let round = 0; round < rounds; round++) {
      if (round > 0) devnet = await startDevnet();
      const followers = await Promise.all(Array.from({ length: 16 }, () => connectChain(devnet.url)));
      const unsubscribes = await Promise.all(followers.map((f) => f.api.rpc.chain.subscribeNewHeads(() => undefined)));
      await until("a block", 30_000, async () => ((await followers[0]!.api.rpc.chain.getHeader()).number.toNumber() > 0 ? true : undefined));
      const dashboard = track(start(["dashboard", "--chain", devnet.url, "--netuid", String(netuid), "--port", "0", "--data-dir", join(home, "dashboard"), "--log-level", "warn"], env));
      const page = await until("the dashboard", 60_000, () => /dashboard at (http:\/\/\S+?) /.exec(dashboard.out())?.[1]);
      const events = new AbortController();
      const stream = await fetch(`${page}/api/events?topics=subnet:${netuid}`, { signal: events.signal }).catch(() => undefined);
      await sleep(500 + Math.floor(random() * 1_000));
      dashboardStops.push(await timedStop(dashboard));
      events.abort();
      void stream;
      await sleep(Math.floor(random() * 500));
      const stopped = timedStop(devnet.proc);
      devnetStops.push(await stopped);
      for (const u of unsubscribes) u();
      await Promise.all(followers.map((f) => f.close().catch(() => undefined)));
    }
  } finally {
    await stopHog?.();
    await chain?.close().catch(() => undefined);
    await Promise.all(nodes.map((n) => n.stop().catch(() => undefined)));
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    await Promise.all(procs.map((p) => p.exited));
    rmSync(home, { recursive: true, force: true });
  }
  const cores = availableParallelism();
  const connected = { fewest: Math.min(...peersAtStop), wanted: peers };
  return [
    stopLine(`validator (gateway with requests in flight, queries every second, ${peers} peers connected) under a CPU hog on ${cores} cores`, daemonStops.validator, notes, connected),
    stopLine(`miner (queried every second, ${peers} peers connected) under a CPU hog on ${cores} cores`, daemonStops.miner, [], connected),
    stopLine(`devnet (250 ms blocks, 16 clients following new heads) under a CPU hog on ${cores} cores`, devnetStops, []),
    stopLine(`dashboard (a page's event stream open) under a CPU hog on ${cores} cores`, dashboardStops, []),
  ];
}
