/**
 * `tensornode miner --netuid N --subnet NAME --wallet W --hotkey H[,H2…]`: the miner daemon. One
 * process may serve several hotkeys (each its own libp2p node, port and axon) on one inference
 * pool. Runs until SIGINT/SIGTERM, then drains the work in flight and stops.
 */
import { join, resolve } from "node:path";
import type { Command } from "commander";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connectChain, type ChainConnection } from "../../chain/connection.js";
import { chooseDevice, probeCuda, type Device } from "../../miner/device.js";
import { MinerDaemon } from "../../miner/daemon.js";
import { MetagraphCache } from "../../chain/metagraph-cache.js";
import { ChainHeads } from "../../chain/heads.js";
import { HotkeyDirectory } from "../../p2p/directory.js";
import { InferencePool } from "../../miner/inference/pool.js";
import { MicroBatcher } from "../../miner/inference/batcher.js";
import { startMetricsServer } from "../../miner/metrics.js";
import { closeServer } from "../../util/status-server.js";
import { PublicInterface } from "../../subnet/public-api.js";
import { loadPlugin, pluginRoots } from "../../subnet/loader.js";
import { favourSteadyMemory } from "../../util/heap-sizing.js";
import { UserError } from "../../util/errors.js";
import { createLogger, type LogFormat, type LogLevel } from "../../util/logger.js";
import { sr25519Ready, sr25519SignerFromSeed } from "../../util/sr25519.js";
import type { OptionSchema } from "../config.js";
import type { CliContext } from "../context.js";
import { addSchemaOptions, commandConfig } from "../options.js";
import { chainEndpoint, CHAIN_OPTIONS, requireNetuid, requireString, walletStore, WALLET_OPTION } from "../chain-session.js";
import { withStateErrors } from "../daemon-errors.js";
import { shutdownOrParentGone } from "../parent-lifeline.js";
import { DAEMON_STOP_BUDGET_MS } from "../daemon-stop.js";
import { whereabouts } from "../whereabouts.js";
import { stopInOrder } from "../../util/stop-in-order.js";

/** How long a stopping miner lets the queries in flight finish (within DAEMON_STOP_BUDGET_MS). */
const MINER_DRAIN_MS = 2_000;
import { defaultHome } from "./devnet.js";

export const MINER_OPTIONS: OptionSchema = {
  netuid: { type: "integer", min: 0, max: 65535, help: "the subnet to mine on" },
  subnet: { type: "string", help: "the subnet plugin: a name under subnets/ (tiny, ocr) or a plugin folder" },
  ...WALLET_OPTION,
  hotkey: { type: "string", default: "default", help: "hotkey name, or several separated by commas (each gets its own port and axon)" },
  device: { type: "enum", values: ["cpu", "cuda"], default: "cpu", help: "where inference runs (cuda falls back to the CPU, saying so, when onnxruntime has no CUDA provider)" },
  host: { type: "string", default: "0.0.0.0", help: "IP the libp2p node listens on" },
  port: { type: "integer", min: 0, max: 65535, default: 8091, help: "TCP port (several hotkeys: this and the next ones; 0 picks free ports)" },
  externalIp: { type: "string", help: "the IP validators reach this miner at (published as the axon; needed behind NAT, in containers, or when listening on 0.0.0.0)" },
  dataDir: { type: "string", help: "peer keys, one folder per hotkey, held by one process at a time (default $TENSORNODE_HOME/miner)" },
  workers: { type: "integer", min: 1, max: 256, help: "inference worker threads (default: all cores but one)" },
  maxQueued: { type: "integer", min: 1, max: 100_000, default: 256, help: "inference runs that may wait before requests are answered BUSY" },
  maxBatch: { type: "integer", min: 1, max: 4096, default: 1, help: "micro-batching: rows joined into one run of a batchable model (1: off, the right choice on small CPUs)" },
  maxWaitMs: { type: "integer", min: 0, max: 1000, default: 2, help: "micro-batching: how long a run waits for company, ms" },
  memoryBudget: { type: "integer", min: 1, help: "MiB of models one inference worker may hold; the least recently used idle model is unloaded beyond it (default: no limit)" },
  minStake: { type: "string", default: "0", help: "least stake (rao) a validator needs to be served, unless it holds a validator permit" },
  metricsPort: { type: "integer", min: 0, max: 65535, help: "serve /metrics and /healthz on this port (127.0.0.1 unless --metrics-host)" },
  metricsHost: { type: "string", default: "127.0.0.1", help: "address for /metrics and /healthz" },
  bootstrap: { type: "string", help: "peers to dial at start, comma-separated multiaddrs with /p2p/<id>" },
  exitIfUnregistered: { type: "boolean", default: false, help: "exit instead of waiting when a hotkey is not registered" },
  metagraphInterval: { type: "integer", min: 1, max: 3600, default: 12, help: "least seconds between metagraph reloads (each at a new head)" },
  ...CHAIN_OPTIONS,
};

export function registerMinerCommand(program: Command, ctx: CliContext): void {
  const command = program.command("miner").description("run a miner: serve a subnet's models to validators over libp2p");
  // State errors (a data dir in use, a port taken) are one line and exit 2, like bad options.
  addSchemaOptions(command, MINER_OPTIONS).action(async () => withStateErrors(async () => {
    const v = commandConfig(command).values as Record<string, unknown>;
    const netuid = requireNetuid(v);
    const subnetName = requireString(v, "subnet", "--subnet", "the subnet plugin to serve, e.g. tiny or ocr");
    if (!/^\d+$/.test(String(v.minStake))) throw new UserError("BAD_STAKE", `--min-stake: "${String(v.minStake)}" is not an amount in rao`);
    const hotkeyNames = String(v.hotkey).split(",").map((h) => h.trim()).filter((h) => h !== "");
    favourSteadyMemory(); // a daemon serving for days: src/util/heap-sizing.ts
    const format = (v.logFormat as LogFormat | undefined) ?? (ctx.isTTY ? "human" : "json");
    const log = createLogger({ level: v.logLevel as LogLevel, format, write: (line) => ctx.stderr(line) }).child({ module: "miner" });
    const shutdown = shutdownOrParentGone(ctx.waitForShutdown(), ctx.env, process.stdin);
    const stop = new AbortController();
    void shutdown.then(() => stop.abort());

    // Everything that can be checked locally is checked before the chain is contacted.
    const plugin = await loadPlugin(subnetName, { roots: pluginRoots(ctx.env), cwd: ctx.cwd });
    await sr25519Ready();
    const store = walletStore(ctx);
    const hotkeys = await Promise.all(
      hotkeyNames.map(async (name) => {
        const { pair, seed } = await store.loadHotkeyKeys(String(v.wallet), name);
        return { name, pair, signer: sr25519SignerFromSeed(seed) };
      }),
    );
    const choice = chooseDevice(v.device as Device, v.device === "cuda" ? await probeCuda() : { backendBundled: false, providerLibrary: false });
    if (choice.note) ctx.stderr(`${choice.note}\n`);
    const pool = new InferencePool({
      ...(v.workers === undefined ? {} : { workers: Number(v.workers) }),
      ...(v.memoryBudget === undefined ? {} : { memoryBudgetBytes: Number(v.memoryBudget) * 1024 * 1024 }),
      device: choice.device,
      maxQueued: Number(v.maxQueued),
      log,
    });
    const models = new MicroBatcher(pool, { maxBatch: Number(v.maxBatch), maxWaitMs: Number(v.maxWaitMs) }, (model) => plugin.manifest.models[model]?.batchable === true);
    const daemons: MinerDaemon[] = [];
    let metrics: Server | undefined;
    let statusUrl: string | undefined;
    let chain: ChainConnection | undefined;
    try {
      // Inside the try: an unreachable chain must still close the pool (its worker threads would keep the process alive).
      chain = await connectChain(chainEndpoint(v), { timeoutMs: 15_000, log, onConnectionChange: (e) => log.warn({ connected: e.connected, attempt: e.attempt }, e.connected ? "chain connection restored" : "chain connection lost; reconnecting") });
      for (const [name, path] of plugin.modelFiles) if (plugin.manifest.models[name]?.kind === "onnx") pool.register(name, path);
      const minerSide = await (await plugin.loadMiner()).createMiner({ manifest: plugin.manifest, models, modelFiles: plugin.modelFiles, log: log.child({ plugin: plugin.manifest.name }) });
      const publicApi = await PublicInterface.load(plugin, log.child({ plugin: plugin.manifest.name }));
      const connected = chain;
      if (v.metricsPort !== undefined) {
        metrics = await startMetricsServer({ statuses: () => daemons.map((d) => d.status()), inferenceQueued: () => pool.queued, inferenceWorkers: () => pool.workers, chainRpc: () => connected.rpc.snapshot() }, String(v.metricsHost), Number(v.metricsPort));
        const bound = metrics.address() as AddressInfo;
        statusUrl = `http://${bound.address}:${bound.port}/metrics`;
        ctx.stdout(`metrics at ${statusUrl} (health: /healthz)\n`);
      }
      // One metagraph and one directory for every hotkey of the process, refreshed once per interval
      // at a new head of the process's one subscription (closed with the connection).
      const metagraphIntervalMs = Number(v.metagraphInterval) * 1000;
      const metagraph = new MetagraphCache(chain.api, netuid, { maxAgeMs: metagraphIntervalMs / 2, withoutTrust: true });
      const heads = new ChainHeads(chain);
      await heads.start();
      const directory = new HotkeyDirectory();
      const dataDir = resolve(ctx.cwd, typeof v.dataDir === "string" ? v.dataDir : join(defaultHome(ctx.env), "miner"));
      const port = Number(v.port);
      for (const [i, hotkey] of hotkeys.entries()) {
        daemons.push(
          await MinerDaemon.start({
            chain,
            netuid,
            plugin,
            minerSide,
            publicApi,
            pool,
            hotkey,
            dataDir,
            host: String(v.host),
            port: port === 0 ? 0 : port + i,
            ...(typeof v.externalIp === "string" ? { externalIp: v.externalIp } : {}),
            exitIfUnregistered: v.exitIfUnregistered === true,
            metagraphIntervalMs,
            metagraph,
            heads,
            directory,
            ...(typeof v.bootstrap === "string" ? { bootstrap: v.bootstrap.split(",").filter((b) => b !== "") } : {}),
            admission: { minStake: BigInt(String(v.minStake)) },
            stopSignal: stop.signal,
            log: log.child({ hotkey: hotkey.name }),
          }),
        );
      }
      for (const d of daemons) {
        const s = d.status();
        ctx.stdout(`miner ${s.hotkey} (uid ${s.uid ?? "-"}) serving ${plugin.manifest.name} on subnet ${netuid} at ${s.addresses.join(", ")}; ${whereabouts({ data: dataDir, logFormat: format, logLevel: String(v.logLevel), status: statusUrl })}\n`);
      }
      const signal = await shutdown;
      log.info({ signal }, "stopping: draining the work in flight");
    } catch (error) {
      // Asked to stop while a hotkey was still waiting for its registration: a clean stop.
      if ((error as { code?: string }).code !== "STOPPED") throw error;
      log.info("stopped while waiting for the registration");
    } finally {
      // New queries are refused at once; those in flight get MINER_DRAIN_MS to be answered.
      const stopped = await stopInOrder(
        [
          { name: "the miners (queries in flight drained) and their p2p nodes", run: () => Promise.all(daemons.map((d) => d.stop(MINER_DRAIN_MS))) },
          { name: "the metrics server", run: () => closeServer(metrics) },
          { name: "the inference workers", run: () => pool.close() },
          { name: "the chain connection", run: async () => chain?.close() },
        ],
        { budgetMs: DAEMON_STOP_BUDGET_MS, log },
      );
      log.info({ ms: Math.round(stopped.ms), abandoned: stopped.abandoned }, "stopped");
    }
  }));
}
