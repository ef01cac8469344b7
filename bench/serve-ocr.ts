/**
 * `serve-ocr`: served OCR inference throughput, validator side, over libp2p with signing and
 * verification, at concurrency 8, against in-process onnxruntime on the same model with the same
 * onnxruntime thread count (../shared/design/PERFORMANCE.md, goal: ratio ≥ 0.90).
 *
 * Served side — the miner stack in a **child process** (this file, started again with
 * TN_BENCH_SERVE_OCR_MINER set), so miner and validator each have their own event loop as in
 * production: a libp2p node (TCP, noise, yamux; no gossipsub), `QueryServer`, the ocr plugin's miner side (`loadPlugin("ocr")`, its `createMiner`) answering
 * `recognize` exactly as src/miner/daemon.ts wires its handlers, and an `InferencePool` of W
 * workers × 1 onnxruntime thread (W = the pool's default, all cores but one). What the real daemon
 * adds — the chain, the metagraph refresh, identity, heartbeats — is not on the query path, so
 * the directory is synthetic (one staked validator with a permit, one miner) and there is no chain.
 * The admission policy is generous (token buckets far above what the bench sends): the
 * daemon's default of 32 requests/s per validator hotkey would otherwise be what is measured.
 * In this process: a libp2p node and a `QueryClient` (one multiplexed stream), 8 concurrent loops,
 * each sending the next pre-rendered challenge from the plugin's validator side
 * (`createValidator(...).challenge(prng)`, 64 lines rendered before timing) and reading the text.
 *
 * Baseline — the same preprocessing and CTC decoding (the plugin's own `createMiner`, so the code
 * is identical, its argmax of the scores included: in the bare workers, or on the main thread for
 * the main-thread session) over bare onnxruntime-node in this process, no libp2p, no signatures, no pool, the
 * same W onnxruntime threads and the same 8 concurrent callers. onnxruntime-node's `run()` blocks
 * the thread it runs on, so one main-thread session runs one line at a time whatever the number of
 * callers; the two ways to give in-process onnxruntime W threads are both measured and the
 * **faster one each round** is the baseline:
 *   - workers: W bare worker threads, each with one session (intraOpNumThreads 1, interOpNumThreads
 *     1, graphOptimizationLevel "all", as the pool's workers), the input transferred, the output
 *     transferred back, the least busy worker taking each run;
 *   - main: one session on the main thread with intraOpNumThreads W, runs one after another.
 * With W = 1 the two are the same onnxruntime work; with more cores they differ (W independent
 * single-thread runs against one W-thread run at a time), so the faster of the two each round is
 * the baseline.
 *
 * Information, to locate a gap: the miner's own `InferencePool` (W × 1 thread) in this process,
 * under the same plugin code and callers, with no libp2p — pool vs bare workers is the pool's cost,
 * served vs pool the protocol's and the process boundary's.
 *
 * Every answer is checked: the served (and pool) text must equal the bare workers' text for the
 * same line (same model, one thread, same input), and the main-thread session's too when W = 1
 * (else differing reads are counted). The validator's mean score of those readings (latency
 * weight off) is printed for information.
 *
 * Rounds: a warm-up (2 lines per caller on each side; every line once through the bare workers,
 * which sets the expected texts), then 6 rounds, each side driven for 1.5 s per round, one after
 * another, the order rotated every round. lines/s is the median over rounds; `ratio` the median of
 * the rounds' served / best-baseline ratios (each round's figures measured within seconds of each
 * other: this machine's speed drifts by tens of % between runs). cpu_ms_per_line: CPU time (user
 * + system, every thread) per line — served: the miner process plus this (validator) process;
 * baselines and pool: this process.
 *
 * The child, its workers, the nodes and the temp dirs are stopped and removed at the end. About
 * 50 s here (2 cores).
 */
import "../src/util/polyfill.js";
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { multiaddr } from "@multiformats/multiaddr";
import * as ort from "onnxruntime-node";
import { InferencePool } from "../src/miner/inference/pool.js";
import { createP2PNode, type P2PNode } from "../src/p2p/node.js";
import { QueryClient, type QueryTarget } from "../src/p2p/query-client.js";
import { QueryServer, type QueryHandler, type QueryServerStats } from "../src/p2p/query-server.js";
import { loadPlugin, pluginRoots, projectRoot } from "../src/subnet/loader.js";
import { argmaxName, maxName, type Challenge, type MinerSide, type ModelRunner, type RunOptions, type Tensor, type TensorMap } from "../src/subnet/plugin.js";
import { argmaxRows } from "../src/subnet/argmax.js";
import { createLogger } from "../src/util/logger.js";
import { sr25519Ready, sr25519SignerFromSeed } from "../src/util/sr25519.js";
import { readTextTensor, SYNAPSE, TEXT_TENSOR, textTensor } from "../subnets/ocr/image.js";
import { REC_INPUT, REC_MODEL } from "../subnets/ocr/miner.js";
import { median, prng, type BenchLine } from "./harness.js";
import { benchDirectory, generousPolicy } from "./p2p-fixtures.js";

const NETUID = 1;
const CONCURRENCY = 8;
const LINES = 64;
const SEED = 20_260_301;
const ROUNDS = 6;
const ROUND_MS = 1_500;
const QUERY_TIMEOUT_MS = 60_000;
const CHILD_ENV = "TN_BENCH_SERVE_OCR_MINER";

const log = createLogger({ level: "silent", format: "json" });

interface ChildConfig {
  readonly workers: number;
  readonly validatorSeed: string;
  readonly minerSeed: string;
  readonly genesisHash: string;
}

type ToChild = { type: "stats" } | { type: "stop" };
type FromChild =
  | { type: "ready"; address: string }
  | { type: "stats"; server: QueryServerStats; cpuUs: number }
  | { type: "failed"; message: string }
  | { type: "stopped" };

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const cpuUs = (): number => {
  const used = process.cpuUsage();
  return used.user + used.system;
};

// ───────────────────────────── the miner process ─────────────────────────────

/** The child: the miner stack serving `recognize` until told to stop. */
async function minerProcess(config: ChildConfig): Promise<void> {
  const send = (message: FromChild): void => void process.send!(message);
  /** The last word, then out (whatever handle is left open). */
  const exit = (message: FromChild): void => void process.send!(message, () => process.exit(0));
  const dir = mkdtempSync(join(tmpdir(), "tn-bench-serve-ocr-miner-"));
  let pool: InferencePool | undefined;
  let node: P2PNode | undefined;
  let server: QueryServer | undefined;
  let minerSide: MinerSide | undefined;
  let closing: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (closing ??= (async () => {
      await server?.stop(100);
      await minerSide?.close?.();
      await node?.stop();
      await pool?.close();
      rmSync(dir, { recursive: true, force: true });
    })());
  try {
    await sr25519Ready();
    const validatorKey = sr25519SignerFromSeed(Buffer.from(config.validatorSeed, "hex"));
    const minerKey = sr25519SignerFromSeed(Buffer.from(config.minerSeed, "hex"));
    const plugin = await loadPlugin("ocr", { roots: pluginRoots({}) });
    pool = new InferencePool({ workers: config.workers, threadsPerWorker: 1, device: "cpu", log });
    for (const [name, path] of plugin.modelFiles) if (plugin.manifest.models[name]?.kind === "onnx") pool.register(name, path);
    const side = await (await plugin.loadMiner()).createMiner({ manifest: plugin.manifest, models: pool, modelFiles: plugin.modelFiles, log });
    minerSide = side;
    node = await createP2PNode({ privateKey: await generateKeyPair("Ed25519"), listen: ["/ip4/127.0.0.1/tcp/0"], gossip: false, log });
    // As src/miner/daemon.ts: one handler per synapse, straight to the plugin's miner side.
    const handlers = new Map<string, QueryHandler>(Object.keys(plugin.manifest.synapses).map((synapse) => [synapse, async ({ body, signal, emit }) => side.answer({ synapse, body, signal, emit })]));
    server = new QueryServer({ libp2p: node.libp2p, hotkey: minerKey, netuid: NETUID, genesisHash: Buffer.from(config.genesisHash, "hex"), directory: benchDirectory(validatorKey.publicKey, minerKey.publicKey), handlers, policy: generousPolicy(CONCURRENCY), log });
    await server.start();
    const running = server;
    process.on("message", (message: ToChild) => {
      if (message.type === "stats") send({ type: "stats", server: running.stats(), cpuUs: cpuUs() });
      else
        void cleanup().then(
          () => exit({ type: "stopped" }),
          (error: unknown) => exit({ type: "failed", message: (error as Error).message }),
        );
    });
    // The bench process went away without a word: stop too.
    process.once("disconnect", () => void cleanup().finally(() => process.exit(1)));
    send({ type: "ready", address: node.addresses().find((a) => a.includes("/127.0.0.1/"))! });
  } catch (error) {
    await cleanup().catch(() => undefined);
    exit({ type: "failed", message: (error as Error).stack ?? String(error) });
  }
}

/** The miner process, started and ready; `request` asks it something and waits for the answer. */
async function startMinerProcess(config: ChildConfig): Promise<{ child: ChildProcess; address: string; request: (message: ToChild, answer: FromChild["type"]) => Promise<FromChild> }> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    cwd: projectRoot(),
    execArgv: ["--import", "tsx"],
    env: { ...process.env, [CHILD_ENV]: JSON.stringify(config) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const next = (type: FromChild["type"]): Promise<FromChild> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: FromChild): void => {
        if (message.type === "failed") return done(() => reject(new Error(`the miner process failed: ${message.message}`)));
        if (message.type === type) done(() => resolve(message));
      };
      const onExit = (code: number | null): void => done(() => reject(new Error(`the miner process exited (${code}) before answering ${type}`)));
      const done = (then: () => void): void => {
        child.off("message", onMessage);
        child.off("exit", onExit);
        then();
      };
      child.on("message", onMessage);
      child.once("exit", onExit);
    });
  const ready = (await next("ready")) as Extract<FromChild, { type: "ready" }>;
  return {
    child,
    address: ready.address,
    request: (message, answer) => {
      const waiting = next(answer);
      child.send(message);
      return waiting;
    },
  };
}

async function stopMinerProcess(child: ChildProcess, request: (message: ToChild, answer: FromChild["type"]) => Promise<FromChild>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // Asked to stop (it drains, closes its pool and node, removes its temp dir), killed if it does not exit within 10 s.
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await Promise.all([request({ type: "stop" }, "stopped").catch(() => undefined), exited]);
  clearTimeout(timer);
}

// ───────────────────────────── the baselines ─────────────────────────────

/** A bare onnxruntime worker: one session, runs on transferred float32 inputs, outputs transferred back. */
const BARE_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const ort = require(workerData.ort);
const ready = ort.InferenceSession.create(workerData.model, { executionProviders: ["cpu"], intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: "all" });
parentPort.on("message", async (m) => {
  try {
    const session = await ready;
    if (m.type === "load") return parentPort.postMessage({ id: m.id });
    const out = (await session.run({ [workerData.input]: new ort.Tensor("float32", new Float32Array(m.data), m.dims) }))[session.outputNames[0]];
    if (m.argmax) {
      // The same reduction as the pool's workers do when the plugin asks for it (argmaxRows).
      const classes = out.dims[out.dims.length - 1];
      const rows = out.data.length / classes;
      const best = new Int32Array(rows);
      const max = new Float32Array(rows);
      for (let r = 0; r < rows; r++) {
        let index = 0;
        let top = out.data[r * classes];
        for (let c = 1; c < classes; c++) if (out.data[r * classes + c] > top) (top = out.data[r * classes + c]), (index = c);
        best[r] = index;
        max[r] = top;
      }
      return parentPort.postMessage({ id: m.id, dims: out.dims.slice(0, -1), best: best.buffer, max: max.buffer }, [best.buffer, max.buffer]);
    }
    let data = out.data;
    if (data.byteOffset !== 0 || data.byteLength !== data.buffer.byteLength) data = data.slice();
    parentPort.postMessage({ id: m.id, dims: out.dims, data: data.buffer }, [data.buffer]);
  } catch (error) {
    parentPort.postMessage({ id: m.id, error: String(error) });
  }
});
`;

interface BareSlot {
  readonly worker: Worker;
  readonly pending: Map<number, { resolve: (t: Map<string, Tensor>) => void; reject: (e: Error) => void }>;
}

/** W bare workers as a ModelRunner: the least busy one takes each run. */
class BareWorkers implements ModelRunner {
  readonly #workers: BareSlot[] = [];
  #nextId = 1;

  constructor(count: number, model: string) {
    const ortPath = createRequire(import.meta.url).resolve("onnxruntime-node");
    for (let i = 0; i < count; i++) {
      const worker = new Worker(BARE_WORKER, { eval: true, workerData: { ort: ortPath, model, input: REC_INPUT } });
      const slot: BareSlot = { worker, pending: new Map() };
      worker.on("message", (m: { id: number; error?: string; dims?: number[]; data?: ArrayBuffer; best?: ArrayBuffer; max?: ArrayBuffer }) => {
        const job = slot.pending.get(m.id)!;
        slot.pending.delete(m.id);
        if (m.error !== undefined) job.reject(new Error(m.error));
        else if (m.best && m.max)
          job.resolve(
            new Map([
              [argmaxName("out"), { dtype: "int32" as const, dims: m.dims!, data: new Uint8Array(m.best) }],
              [maxName("out"), { dtype: "float32" as const, dims: m.dims!, data: new Uint8Array(m.max) }],
            ]),
          );
        else job.resolve(new Map(m.data ? [["out", { dtype: "float32" as const, dims: m.dims!, data: new Uint8Array(m.data) }]] : []));
      });
      worker.on("error", (error) => {
        for (const job of slot.pending.values()) job.reject(error);
        slot.pending.clear();
      });
      this.#workers.push(slot);
    }
  }

  #post(slot: BareSlot, message: object, transfer: ArrayBuffer[]): Promise<Map<string, Tensor>> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ ...message, id }, transfer);
    });
  }

  /** Waits until every worker has its session. */
  async ready(): Promise<void> {
    await Promise.all(this.#workers.map((slot) => this.#post(slot, { type: "load" }, [])));
  }

  run(model: string, feeds: TensorMap, options: RunOptions = {}): Promise<Map<string, Tensor>> {
    if (model !== REC_MODEL) throw new Error(`unknown model ${model}`);
    const x = feeds.get(REC_INPUT)!;
    let slot = this.#workers[0]!;
    for (const s of this.#workers) if (s.pending.size < slot.pending.size) slot = s;
    // The plugin's input is a view of a fresh Float32Array's whole buffer: transfer it.
    const data = x.data.byteOffset === 0 && x.data.byteLength === x.data.buffer.byteLength ? x.data.buffer : x.data.slice().buffer;
    return this.#post(slot, { type: "run", dims: x.dims, data, argmax: options.argmax !== undefined }, [data as ArrayBuffer]);
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((slot) => slot.worker.terminate()));
  }
}

/** One session on the main thread with `threads` intra-op threads, as a ModelRunner (runs block the thread, one at a time). */
class MainThreadSession implements ModelRunner {
  private constructor(readonly session: ort.InferenceSession) {}

  static async create(model: string, threads: number): Promise<MainThreadSession> {
    return new MainThreadSession(await ort.InferenceSession.create(model, { executionProviders: ["cpu"], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: "all" }));
  }

  async run(model: string, feeds: TensorMap, options: RunOptions = {}): Promise<Map<string, Tensor>> {
    if (model !== REC_MODEL) throw new Error(`unknown model ${model}`);
    const x = feeds.get(REC_INPUT)!;
    const input = new Float32Array(x.data.buffer, x.data.byteOffset, x.data.byteLength / 4);
    const out = (await this.session.run({ [REC_INPUT]: new ort.Tensor("float32", input, [...x.dims]) }))[this.session.outputNames[0]!]!;
    const data = out.data as Float32Array;
    if (options.argmax !== undefined) {
      // In process there is no other thread to reduce on: the argmax runs here, as the plugin needs it.
      const { best, max } = argmaxRows(data, out.dims[out.dims.length - 1]!);
      const dims = out.dims.slice(0, -1);
      return new Map([
        [argmaxName("out"), { dtype: "int32" as const, dims, data: new Uint8Array(best.buffer) }],
        [maxName("out"), { dtype: "float32" as const, dims, data: new Uint8Array(max.buffer) }],
      ]);
    }
    return new Map([["out", { dtype: "float32", dims: [...out.dims], data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }]]);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

// ───────────────────────────── the bench ─────────────────────────────

interface Driven {
  readonly perS: number;
  readonly cpuMsPerLine: number;
}

/**
 * Runs `call` from CONCURRENCY loops, each taking the next line, for `ms` (and at least `minEach`
 * lines per loop): lines per second and CPU ms per line (this process's, plus `extraCpu`'s — the
 * miner process's µs so far).
 */
async function drive(call: (line: number) => Promise<void>, ms: number, minEach = 0, extraCpu?: () => Promise<number>): Promise<Driven> {
  let next = 0;
  let done = 0;
  const extra0 = (await extraCpu?.()) ?? 0;
  const cpu0 = cpuUs();
  const started = performance.now();
  const deadline = started + ms;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let mine = 0; mine < minEach || performance.now() < deadline; mine++) {
        await call(next++ % LINES);
        done += 1;
      }
    }),
  );
  const elapsed = performance.now() - started;
  const cpu = cpuUs() - cpu0 + ((await extraCpu?.()) ?? 0) - extra0;
  return { perS: (done * 1000) / elapsed, cpuMsPerLine: cpu / 1000 / done };
}

export async function benchServeOcr(): Promise<BenchLine[]> {
  await sr25519Ready();
  const workers = Math.max(1, availableParallelism() - 1);
  const plugin = await loadPlugin("ocr", { roots: pluginRoots({}) });
  const modelPath = plugin.modelFiles.get(REC_MODEL)!;
  const validatorSeed = new Uint8Array(32).fill(1);
  const minerSeed = new Uint8Array(32).fill(2);
  const genesisHash = new Uint8Array(randomBytes(32));
  const validatorKey = sr25519SignerFromSeed(validatorSeed);
  const minerKey = sr25519SignerFromSeed(minerSeed);

  let minerStarted: ReturnType<typeof startMinerProcess> | undefined;
  let node: P2PNode | undefined;
  let client: QueryClient | undefined;
  let bare: BareWorkers | undefined;
  let main: MainThreadSession | undefined;
  let pool: InferencePool | undefined;
  try {
    // The miner process starts (imports, model load on first use) while the rest is prepared.
    minerStarted = startMinerProcess({ workers, validatorSeed: hex(validatorSeed), minerSeed: hex(minerSeed), genesisHash: hex(genesisHash) });
    minerStarted.catch(() => undefined);

    // The challenges, rendered before anything is timed.
    const validator = await (await plugin.loadValidator()).createValidator({ manifest: plugin.manifest, log });
    const random = prng(SEED);
    const challenges: Challenge[] = [];
    for (let i = 0; i < LINES; i++) challenges.push(await validator.challenge(random));
    if (challenges.some((c) => c.synapse !== SYNAPSE)) throw new Error(`a challenge is not for ${SYNAPSE}`);

    // The baselines, and (information) the same pool as the miner's in this process: the plugin's own miner side over each.
    bare = new BareWorkers(workers, modelPath);
    await bare.ready();
    main = await MainThreadSession.create(modelPath, workers);
    pool = new InferencePool({ workers, threadsPerWorker: 1, device: "cpu", log });
    pool.register(REC_MODEL, modelPath);
    const factory = await plugin.loadMiner();
    const minerOver = (models: ModelRunner): Promise<MinerSide> => factory.createMiner({ manifest: plugin.manifest, models, modelFiles: plugin.modelFiles, log });
    const never = new AbortController().signal;
    const local = (side: MinerSide) => async (line: number): Promise<string | undefined> => readTextTensor(await side.answer({ synapse: SYNAPSE, body: challenges[line]!.body, signal: never, emit: async () => undefined }));
    const bareRead = local(await minerOver(bare));

    // The served side.
    const m = await minerStarted;
    node = await createP2PNode({ privateKey: await generateKeyPair("Ed25519"), listen: ["/ip4/127.0.0.1/tcp/0"], gossip: false, log });
    client = new QueryClient({ libp2p: node.libp2p, hotkey: validatorKey, netuid: NETUID, genesisHash, log });
    const target: QueryTarget = { peer: multiaddr(m.address), hotkey: minerKey.publicKey };
    const q = client;
    const servedRead = async (line: number): Promise<string | undefined> => readTextTensor((await q.query(target, SYNAPSE, challenges[line]!.body, { timeoutMs: QUERY_TIMEOUT_MS })).body);
    const minerStats = async (): Promise<Extract<FromChild, { type: "stats" }>> => (await m.request({ type: "stats" }, "stats")) as Extract<FromChild, { type: "stats" }>;

    // What every timed answer is checked against: the bare workers' reading of each line (which also warms them up).
    const expected: string[] = [];
    await Promise.all(challenges.map(async (_, line) => (expected[line] = (await bareRead(line))!)));
    const meanScore = challenges.reduce((sum, c, line) => sum + validator.score(c, new Map([[TEXT_TENSOR, textTensor(expected[line]!)]]), 0), 0) / LINES;
    const checked = (name: string, read: (line: number) => Promise<string | undefined>, strict: boolean): { run: (line: number) => Promise<void>; differing: () => number } => {
      let differing = 0;
      return {
        run: async (line) => {
          const text = await read(line);
          if (text === undefined) throw new Error(`${name}: no text for line ${line}`);
          if (text === expected[line]) return;
          differing += 1;
          if (strict) throw new Error(`${name}: line ${line} read as ${JSON.stringify(text)}, the bare workers read ${JSON.stringify(expected[line])}`);
        },
        differing: () => differing,
      };
    };
    const sides = {
      served: checked("served", servedRead, true),
      workers: checked("bare workers", bareRead, true),
      // W intra-op threads may add up in another order than one: a flipped argmax is then no error (counted).
      main: checked("main-thread session", local(await minerOver(main)), workers === 1),
      pool: checked("in-process pool", local(await minerOver(pool)), true),
    };
    type Side = keyof typeof sides;
    const order: Side[] = ["served", "workers", "main", "pool"];
    // Warm-up: two lines per caller on each side (the served one loads the model in the miner's workers).
    for (const side of order) await drive(sides[side].run, 0, 2);

    const results: Record<Side, Driven[]> = { served: [], workers: [], main: [], pool: [] };
    for (let round = 0; round < ROUNDS; round++) {
      // Each round in another order, so that no side is always first or last.
      for (let k = 0; k < order.length; k++) {
        const side = order[(round + k) % order.length]!;
        results[side].push(await drive(sides[side].run, ROUND_MS, 0, side === "served" ? async () => (await minerStats()).cpuUs : undefined));
      }
    }
    const stats = (await minerStats()).server;
    const refused = Object.values(stats.refused).reduce((a, b) => a + b, 0);
    if (refused > 0 || stats.failed > 0 || stats.expired > 0) throw new Error(`the miner refused or failed requests: ${JSON.stringify(stats)}`);

    const perS = (side: Side): number => median(results[side].map((r) => r.perS));
    const cpu = (side: Side): number => median(results[side].map((r) => r.cpuMsPerLine));
    /** Median over rounds of a / b, each round's pair measured in the same round. */
    const ratio = (a: (round: number) => number, b: (round: number) => number): number => median(results.served.map((_, round) => a(round) / b(round)));
    const at = (side: Side) => (round: number): number => results[side][round]!.perS;
    const best = perS("workers") >= perS("main") ? "workers" : "main";
    const what = `W=${workers} onnxruntime threads, concurrency ${CONCURRENCY}, ${LINES} rendered lines, ${ROUNDS} rounds × ${ROUND_MS / 1000} s per side`;
    return [
      {
        name: `serve-ocr served lines/s (miner in a child process: QueryServer + InferencePool ${workers}×1 thread; QueryClient over libp2p, signed + verified) vs in-process onnxruntime, ${what}`,
        figures: {
          lines_per_s: perS("served"),
          baseline_lines_per_s: perS(best),
          ratio: ratio(at("served"), (round) => Math.max(at("workers")(round), at("main")(round))),
          cpu_ms_per_line: cpu("served"),
          baseline_cpu_ms_per_line: cpu(best),
        },
        goal: "ratio ≥ 0.90",
      },
      {
        name: `serve-ocr baselines (information; the faster each round is the baseline): workers = ${workers} bare worker thread(s) × 1-thread session, main = 1 main-thread session × ${workers} thread(s); the plugin's preprocessing + CTC decode`,
        figures: {
          workers_lines_per_s: perS("workers"),
          workers_cpu_ms_per_line: cpu("workers"),
          main_lines_per_s: perS("main"),
          main_cpu_ms_per_line: cpu("main"),
          main_differing_reads: sides.main.differing(),
          mean_score: meanScore,
        },
      },
      {
        name: `serve-ocr where the gap is (information): the miner's InferencePool in this process, no libp2p (pool vs bare workers: the pool's cost; served vs pool: the protocol's and the process boundary's)`,
        figures: {
          pool_lines_per_s: perS("pool"),
          pool_cpu_ms_per_line: cpu("pool"),
          pool_vs_workers: ratio(at("pool"), at("workers")),
          served_vs_pool: ratio(at("served"), at("pool")),
        },
      },
    ];
  } finally {
    await client?.close();
    await node?.stop();
    const miner = await minerStarted?.catch(() => undefined);
    if (miner) await stopMinerProcess(miner.child, miner.request);
    await bare?.close();
    await main?.close();
    await pool?.close();
  }
}

if (process.env[CHILD_ENV] !== undefined) await minerProcess(JSON.parse(process.env[CHILD_ENV]) as ChildConfig);
