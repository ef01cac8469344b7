/**
 * The miners of the `gateway` benchmark, in a child process of their own (this file, started again
 * with TN_BENCH_GATEWAY_MINERS set), so that they have their own event loop as in production and
 * face the gateway and the direct client alike.
 *
 * One process serves `hotkeys` miners of one plugin, as `tensornode miner --hotkey a,b` does: one
 * plugin miner side and one `InferencePool` (W workers × 1 onnxruntime thread, batching off as
 * the miner's default) shared by every hotkey, and per hotkey its own libp2p node (TCP, noise,
 * yamux; no gossipsub), and `QueryServer` whose handlers are the daemon's own
 * (`synapseHandler`: plain and organic requests, converted by the plugin's public interface). No
 * chain: the directory is synthetic (the validator staked with a permit, the miner), and the
 * admission limits are far above what the bench sends (p2p-fixtures.ts `generousPolicy`).
 */
import "../src/util/polyfill.js";
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { InferencePool } from "../src/miner/inference/pool.js";
import { synapseHandler } from "../src/miner/organic-handler.js";
import { createP2PNode, type P2PNode } from "../src/p2p/node.js";
import { QueryServer, type QueryHandler } from "../src/p2p/query-server.js";
import { loadPlugin, pluginRoots, projectRoot } from "../src/subnet/loader.js";
import type { MinerSide } from "../src/subnet/plugin.js";
import { PublicInterface } from "../src/subnet/public-api.js";
import { createLogger } from "../src/util/logger.js";
import { sr25519Ready, sr25519SignerFromSeed } from "../src/util/sr25519.js";
import { benchDirectory, generousPolicy } from "./p2p-fixtures.js";

const CHILD_ENV = "TN_BENCH_GATEWAY_MINERS";

export interface MinersConfig {
  readonly plugin: string;
  /** Inference workers of the shared pool. */
  readonly workers: number;
  /** The admission policy is generous for this many requests in flight per miner. */
  readonly concurrency: number;
  readonly netuid: number;
  /** Hex seeds: the validator's, and one per miner hotkey. */
  readonly validatorSeed: string;
  readonly minerSeeds: readonly string[];
  readonly genesisHash: string;
}

/** What the miners did so far: summed over their query servers, and the process's CPU time (µs, all threads). */
export interface MinersStats {
  readonly answered: number;
  readonly failed: number;
  readonly expired: number;
  readonly refused: number;
  /** Refusals by reason. */
  readonly refusedBy: Readonly<Record<string, number>>;
  readonly cpuUs: number;
}

type ToChild = { type: "stats" } | { type: "stop" };
type FromChild = { type: "ready"; addresses: string[] } | ({ type: "stats" } & MinersStats) | { type: "failed"; message: string } | { type: "stopped" };

const log = createLogger({ level: "silent", format: "json" });

/** The child: the miners serving until told to stop. */
async function minersProcess(config: MinersConfig): Promise<void> {
  const send = (message: FromChild): void => void process.send!(message);
  const exit = (message: FromChild): void => void process.send!(message, () => process.exit(0));
  const dir = mkdtempSync(join(tmpdir(), "tn-bench-gateway-miners-"));
  let pool: InferencePool | undefined;
  let minerSide: MinerSide | undefined;
  const nodes: P2PNode[] = [];
  const servers: QueryServer[] = [];
  let closing: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (closing ??= (async () => {
      for (const server of servers) await server.stop(100);
      await minerSide?.close?.();
      for (const node of nodes) await node.stop();
      await pool?.close();
      rmSync(dir, { recursive: true, force: true });
    })());
  try {
    await sr25519Ready();
    const validatorKey = sr25519SignerFromSeed(Buffer.from(config.validatorSeed, "hex"));
    const plugin = await loadPlugin(config.plugin, { roots: pluginRoots({}) });
    pool = new InferencePool({ workers: config.workers, threadsPerWorker: 1, device: "cpu", log });
    for (const [name, path] of plugin.modelFiles) if (plugin.manifest.models[name]?.kind === "onnx") pool.register(name, path);
    const side = await (await plugin.loadMiner()).createMiner({ manifest: plugin.manifest, models: pool, modelFiles: plugin.modelFiles, log });
    minerSide = side;
    const publicApi = await PublicInterface.load(plugin, log);
    const handlers = new Map<string, QueryHandler>(Object.keys(plugin.manifest.synapses).map((synapse) => [synapse, synapseHandler(synapse, side, publicApi)]));
    const addresses: string[] = [];
    for (const seed of config.minerSeeds) {
      const minerKey = sr25519SignerFromSeed(Buffer.from(seed, "hex"));
      const node = await createP2PNode({ privateKey: await generateKeyPair("Ed25519"), listen: ["/ip4/127.0.0.1/tcp/0"], gossip: false, log });
      nodes.push(node);
      const server = new QueryServer({
        libp2p: node.libp2p,
        hotkey: minerKey,
        netuid: config.netuid,
        genesisHash: Buffer.from(config.genesisHash, "hex"),
        directory: benchDirectory(validatorKey.publicKey, minerKey.publicKey),
        handlers,
        policy: generousPolicy(config.concurrency),
        log,
      });
      await server.start();
      servers.push(server);
      addresses.push(node.addresses().find((a) => a.includes("/127.0.0.1/"))!);
    }
    process.on("message", (message: ToChild) => {
      if (message.type === "stats") {
        const all = servers.map((s) => s.stats());
        const sum = (pick: (s: (typeof all)[number]) => number): number => all.reduce((total, s) => total + pick(s), 0);
        const used = process.cpuUsage();
        send({
          type: "stats",
          answered: sum((s) => s.answered),
          failed: sum((s) => s.failed),
          expired: sum((s) => s.expired),
          refused: sum((s) => Object.values(s.refused).reduce((a, b) => a + b, 0)),
          refusedBy: all.reduce<Record<string, number>>((by, s) => {
            for (const [reason, n] of Object.entries(s.refused)) by[reason] = (by[reason] ?? 0) + n;
            return by;
          }, {}),
          cpuUs: used.user + used.system,
        });
      } else
        void cleanup().then(
          () => exit({ type: "stopped" }),
          (error: unknown) => exit({ type: "failed", message: (error as Error).message }),
        );
    });
    // The bench process went away without a word: stop too.
    process.once("disconnect", () => void cleanup().finally(() => process.exit(1)));
    send({ type: "ready", addresses });
  } catch (error) {
    await cleanup().catch(() => undefined);
    exit({ type: "failed", message: (error as Error).stack ?? String(error) });
  }
}

export interface MinersProcess {
  /** Each miner's listen address, in the order of `minerSeeds`. */
  readonly addresses: readonly string[];
  stats(): Promise<MinersStats>;
  /** Asks the miners to stop (they drain, close their pool and nodes, remove their temp dir); killed after 10 s. */
  stop(): Promise<void>;
}

/** Starts the miners' process; resolves once every miner listens. */
export async function startMinersProcess(config: MinersConfig): Promise<MinersProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    cwd: projectRoot(),
    execArgv: ["--import", "tsx"],
    env: { ...process.env, [CHILD_ENV]: JSON.stringify(config) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const next = <T extends FromChild["type"]>(type: T): Promise<Extract<FromChild, { type: T }>> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: FromChild): void => {
        if (message.type === "failed") return done(() => reject(new Error(`the miners' process failed: ${message.message}`)));
        if (message.type === type) done(() => resolve(message as Extract<FromChild, { type: T }>));
      };
      const onExit = (code: number | null): void => done(() => reject(new Error(`the miners' process exited (${code}) before answering ${type}`)));
      const done = (then: () => void): void => {
        child.off("message", onMessage);
        child.off("exit", onExit);
        then();
      };
      child.on("message", onMessage);
      child.once("exit", onExit);
    });
  const ask = <T extends FromChild["type"]>(message: ToChild, answer: T): Promise<Extract<FromChild, { type: T }>> => {
    const waiting = next(answer);
    child.send(message);
    return waiting;
  };
  let ready: Extract<FromChild, { type: "ready" }>;
  try {
    ready = await next("ready");
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    addresses: ready.addresses,
    stats: async () => {
      const { type: _type, ...stats } = await ask({ type: "stats" }, "stats");
      return stats;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await Promise.all([ask({ type: "stop" }, "stopped").catch(() => undefined), exited]);
      clearTimeout(timer);
    },
  };
}

if (process.env[CHILD_ENV] !== undefined) await minersProcess(JSON.parse(process.env[CHILD_ENV]) as MinersConfig);
