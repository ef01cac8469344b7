/**
 * `model-switch`: 1,000 registered models under a memory budget — warm switch, cold load of an
 * evicted model, eviction, memory held — against a bare `InferenceSession.create` of the same
 * model in the same run (../shared/design/PERFORMANCE.md; goals: warm switch ≤ 1 ms, cold load ≤
 * 1.2 × bare create, memory never above the budget).
 *
 * 1,000 copies of the tiny subnet's model (`buildTinyModel()`, 3,623 bytes; the pool keys models by
 * name and its budget by file size, so 1,000 distinct files in a temp dir) registered in an
 * `InferencePool` of **one** worker × 1 onnxruntime thread (the budget is per worker; one worker
 * makes every load, eviction and switch land on it, whatever the core count) with
 * `memoryBudgetBytes` = 50 models' worth. Every run is x float32 [1, 16] → y [1, 8], checked
 * against the pure-JS reference. All latencies are round trips of awaited calls, one at a time.
 *
 *   - fill: the first 50 models loaded (no eviction yet).
 *   - warm switch: runs on the 50 loaded models in turn, never the same twice in a row (a switch every
 *     run), interleaved with runs on one model over and over (warm_same, no switch): the pool's
 *     per-run latency with and without a model change.
 *   - first loads: the other 950 models once each, each one evicting the least recently used.
 *   - cold load: models 0–199 again (evicted long since): each run unloads the LRU model, loads
 *     this one (`InferenceSession.create` in the worker) and runs it. Interleaved, on the same file
 *     (each of the three first in turn):
 *       - baseline (the goal's): a bare worker thread (onnxruntime-node, nothing else) told to
 *         `InferenceSession.create` the file with the pool's options (cpu, intraOpNumThreads 1,
 *         interOpNumThreads 1, graphOptimizationLevel "all") and run it once — the same work and the
 *         same thread hop as the pool's cold load, without the pool (its session is released after,
 *         untimed);
 *       - information: the same in a bare worker with the release of its previous session first
 *         (= an eviction), and create + first run on the main thread (no thread hop).
 *     ratio = median cold load / median bare create + run.
 *   - memory: `registryStats().loadedBytes` (what the budget counts: the loaded models' file
 *     bytes) sampled at every run, as the pool admits it and when it answers: the largest vs the
 *     budget. For information, the process's RSS (the worker is a thread of this process) before
 *     the pool, with the pool idle, with 50 models loaded, and after all the churn, and from those
 *     the RSS one loaded tiny model costs against the 3,623 bytes the budget counts for it.
 *
 * The pool, the bare worker and the temp dir are closed and removed at the end. About 15 s here.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import * as ort from "onnxruntime-node";
import { InferencePool } from "../src/miner/inference/pool.js";
import type { Tensor, TensorMap } from "../src/subnet/plugin.js";
import { createLogger } from "../src/util/logger.js";
import { buildTinyModel } from "../subnets/tiny/build-model.js";
import { TINY_IN, TINY_INPUT_NAME, TINY_OUTPUT_NAME } from "../subnets/tiny/model.js";
import { tinyReference } from "../subnets/tiny/reference.js";
import { median, prng, type BenchLine } from "./harness.js";

const MODELS = 1_000;
const BUDGET_MODELS = 50;
const WARM_RUNS = 2_000;
/** Cold loads of evicted models timed (each with its two baselines). */
const COLD_RUNS = 200;
const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = { executionProviders: ["cpu"], intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: "all" };

const log = createLogger({ level: "silent", format: "json" });

const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const rssMiB = (): number => process.memoryUsage().rss / 2 ** 20;

/** A bare onnxruntime worker: creates a session of a file and runs it once; releases it when told. */
const BARE_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const ort = require(workerData.ort);
let session;
parentPort.on("message", async (m) => {
  try {
    if (m.type === "release") {
      await session?.release();
      session = undefined;
      return parentPort.postMessage({ id: m.id });
    }
    if (m.type === "release+create+run") {
      await session?.release();
      session = undefined;
    }
    session = await ort.InferenceSession.create(m.path, workerData.options);
    const y = (await session.run({ x: new ort.Tensor("float32", new Float32Array(m.x), [1, m.x.byteLength / 4]) })).y.data;
    parentPort.postMessage({ id: m.id, y: Array.from(y) });
  } catch (error) {
    parentPort.postMessage({ id: m.id, error: String(error) });
  }
});
`;

class BareWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (y: number[]) => void; reject: (e: Error) => void }>();
  #nextId = 1;

  constructor() {
    this.#worker = new Worker(BARE_WORKER, { eval: true, workerData: { ort: createRequire(import.meta.url).resolve("onnxruntime-node"), options: SESSION_OPTIONS } });
    this.#worker.on("message", (m: { id: number; y?: number[]; error?: string }) => {
      const job = this.#pending.get(m.id)!;
      this.#pending.delete(m.id);
      if (m.error !== undefined) job.reject(new Error(m.error));
      else job.resolve(m.y ?? []);
    });
  }

  send(type: "create+run" | "release+create+run" | "release", path = "", x?: Float32Array): Promise<number[]> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const buffer = x ? x.slice().buffer : undefined;
      this.#worker.postMessage({ id, type, path, x: buffer }, buffer ? [buffer] : []);
    });
  }

  close(): Promise<number> {
    return this.#worker.terminate();
  }
}

export async function benchModelSwitch(): Promise<BenchLine[]> {
  const dir = mkdtempSync(join(tmpdir(), "tn-bench-model-switch-"));
  let pool: InferencePool | undefined;
  let bare: BareWorker | undefined;
  try {
    const bytes = buildTinyModel();
    const paths = Array.from({ length: MODELS }, (_, i) => join(dir, `model-${String(i).padStart(4, "0")}.onnx`));
    for (const path of paths) writeFileSync(path, bytes);
    const name = (i: number): string => `m${i}`;
    const budget = BUDGET_MODELS * bytes.length;

    // The input, and its exact answer.
    const random = prng(42);
    const values = Float32Array.from({ length: TINY_IN }, () => Math.floor(random() * 17) - 8);
    const expected = [...tinyReference(values, 1)];
    const feeds: TensorMap = new Map<string, Tensor>([[TINY_INPUT_NAME, { dtype: "float32", dims: [1, TINY_IN], data: new Uint8Array(values.buffer) }]]);
    const check = (y: readonly number[], what: string): void => {
      if (y.length !== expected.length || y.some((v, i) => v !== expected[i])) throw new Error(`${what}: y = [${y.join(", ")}], expected [${expected.join(", ")}]`);
    };

    const rssBefore = rssMiB();
    const p = new InferencePool({ workers: 1, threadsPerWorker: 1, device: "cpu", memoryBudgetBytes: budget, log });
    pool = p;
    const registerStarted = performance.now();
    for (let i = 0; i < MODELS; i++) p.register(name(i), paths[i]!);
    const registerMs = performance.now() - registerStarted;
    bare = new BareWorker();
    const b = bare;
    // Both workers up (and onnxruntime initialised in each) before anything is measured: one throwaway model each.
    const scratch = join(dir, "scratch.onnx");
    writeFileSync(scratch, bytes);
    p.register("scratch", scratch);
    check([...new Float32Array((await p.run("scratch", feeds)).get(TINY_OUTPUT_NAME)!.data.slice().buffer)], "pool warm-up");
    check(await b.send("create+run", scratch, values), "bare warm-up");
    await b.send("release");
    // The main thread's onnxruntime, initialised too.
    await (await ort.InferenceSession.create(scratch, SESSION_OPTIONS)).release();
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Everything up, one model (scratch) loaded in the pool.
    const rssReady = rssMiB();

    let maxLoadedBytes = 0;
    const watch = (): void => {
      maxLoadedBytes = Math.max(maxLoadedBytes, ...p.registryStats().loadedBytes);
    };
    /** One awaited pool run on model i: its round trip, ms. */
    const run = async (i: number): Promise<number> => {
      const t0 = performance.now();
      const answer = p.run(name(i), feeds);
      watch(); // admitted: room made, the load (if any) under way
      const out = await answer;
      const ms = performance.now() - t0;
      watch();
      check([...new Float32Array(out.get(TINY_OUTPUT_NAME)!.data.slice().buffer)], `model ${i}`);
      return ms;
    };

    // Fill: the first 50 (the scratch model is the first evicted once the budget is full).
    const fillMs: number[] = [];
    for (let i = 0; i < BUDGET_MODELS; i++) fillMs.push(await run(i));
    const afterFill = p.registryStats();
    if (afterFill.evictions !== 1 || afterFill.loaded[0] !== BUDGET_MODELS) throw new Error(`after the fill: ${JSON.stringify(afterFill)} (expected ${BUDGET_MODELS} loaded, the scratch model evicted)`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const rssFilled = rssMiB();

    // Warm: a switch every run (stride 7 over the 50 loaded: never the same twice in a row), interleaved with runs on model 0 alone.
    const warmSwitch: number[] = [];
    const warmSame: number[] = [];
    for (let k = 0; k < WARM_RUNS; k++) {
      warmSwitch.push(await run((7 * k + 1) % BUDGET_MODELS));
      if (k % 2 === 0) warmSame.push(await run(0));
    }
    const afterWarm = p.registryStats();
    if (afterWarm.loads !== afterFill.loads) throw new Error(`the warm runs loaded models: ${JSON.stringify(afterWarm)}`);

    // First loads of the other 950.
    const firstLoad: number[] = [];
    for (let i = BUDGET_MODELS; i < MODELS; i++) firstLoad.push(await run(i));

    // Cold loads of evicted models, each next to its baselines on the same file.
    const cold: number[] = [];
    const bareCreate: number[] = [];
    const bareEvictCreate: number[] = [];
    const mainCreate: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const path = paths[i]!;
      const measures: Array<() => Promise<void>> = [
        async () => {
          cold.push(await run(i));
        },
        async () => {
          const t0 = performance.now();
          const y = await b.send("create+run", path, values);
          bareCreate.push(performance.now() - t0);
          check(y, `bare worker, model ${i}`);
          // The previous session (this same model's, just created) released first, as an eviction does.
          const t1 = performance.now();
          const z = await b.send("release+create+run", path, values);
          bareEvictCreate.push(performance.now() - t1);
          check(z, `bare worker with release, model ${i}`);
          await b.send("release");
        },
        async () => {
          const t0 = performance.now();
          const session = await ort.InferenceSession.create(path, SESSION_OPTIONS);
          const out = await session.run({ [TINY_INPUT_NAME]: new ort.Tensor("float32", values.slice(), [1, TINY_IN]) });
          mainCreate.push(performance.now() - t0);
          check([...(out[TINY_OUTPUT_NAME]!.data as Float32Array)], `main thread, model ${i}`);
          await session.release();
        },
      ];
      // Each in turn first, so that none always follows the same one.
      for (let k = 0; k < measures.length; k++) await measures[(i + k) % measures.length]!();
    }
    const stats = p.registryStats();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const rssChurned = rssMiB();
    const coldMedian = median(cold);
    const bareMedian = median(bareCreate);
    return [
      {
        name: `model-switch warm switch ms (InferencePool 1 worker × 1 thread, ${MODELS} tiny models registered, budget ${BUDGET_MODELS} models = ${budget} B; ${WARM_RUNS} runs, each on another of the ${BUDGET_MODELS} loaded; warm_same: the same model every run)`,
        figures: { median: median(warmSwitch), p99: quantile(warmSwitch, 0.99), warm_same_median: median(warmSame), warm_same_p99: quantile(warmSame, 0.99) },
        goal: "median ≤ 1 ms",
      },
      {
        name: `model-switch cold load ms (run on an evicted model: LRU eviction + InferenceSession.create in the worker + run; ${COLD_RUNS} loads) vs bare create + first run in a worker, same file, same options, interleaved`,
        figures: {
          median: coldMedian,
          p99: quantile(cold, 0.99),
          bare_create_median: bareMedian,
          bare_create_p99: quantile(bareCreate, 0.99),
          ratio: coldMedian / bareMedian,
          bare_release_create_median: median(bareEvictCreate),
          main_thread_create_median: median(mainCreate),
          first_load_median: median(firstLoad),
          fill_median: median(fillMs),
        },
        goal: "ratio ≤ 1.2",
      },
      {
        name: `model-switch evictions and memory (budget per worker; loaded_bytes counts model file bytes, as the pool does; RSS of the whole process, for information)`,
        figures: {
          loads: stats.loads,
          evictions: stats.evictions,
          loaded_now: stats.loaded[0]!,
          max_loaded_bytes: maxLoadedBytes,
          budget_bytes: budget,
          max_over_budget: maxLoadedBytes / budget,
          register_ms: registerMs,
          rss_before_mib: rssBefore,
          rss_ready_mib: rssReady,
          rss_filled_mib: rssFilled,
          rss_after_churn_mib: rssChurned,
          rss_per_loaded_model_kib: ((rssFilled - rssReady) * 1024) / (BUDGET_MODELS - 1),
          model_file_kib: bytes.length / 1024,
        },
        goal: "max_loaded_bytes ≤ budget_bytes",
      },
    ];
  } finally {
    await pool?.close();
    await bare?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
