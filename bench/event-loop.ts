/**
 * `event-loop`: the miner's event-loop lag while inference runs at full load, against the idle
 * miner in the same run (../shared/design/PERFORMANCE.md, goal: p99 ≤ 5 ms — inference off the main
 * thread).
 *
 * The miner's inference stack in this process: an `InferencePool` with the miner's defaults (W =
 * all cores but one workers × 1 onnxruntime thread, CPU) holding the ocr plugin's PP-OCRv4
 * recognition model, and the plugin's miner side over it. The lag is
 * `perf_hooks.monitorEventLoopDelay({ resolution: 1 })` on the main thread (its percentiles as
 * Node reports them, in ms; at this resolution an idle loop reads about 1 ms, hence the idle
 * baseline measured alongside). Three conditions, each measured in 3 windows, interleaved (a fresh
 * histogram per window; p50 and p99 are the median window's, max the largest):
 *   - idle: the pool up with the model loaded in every worker, nothing running;
 *   - pool: max(32, 4 × W) concurrent callers of `pool.run("rec", …, { argmax: true })` on
 *     pre-made model inputs (64 rendered lines, preprocessed before timing): the pool's own cost on
 *     the loop (posting runs, the input copy, receiving the reduced outputs), as the plugin uses it;
 *   - plugin: as many concurrent callers of the plugin's `answer()` on the rendered images, as the
 *     daemon's query handler calls it: the image check and preprocessing (resize, normalise) on the
 *     main thread, the run and its argmax (the [1, T, 6625] scores reduced to T best classes) in
 *     the worker, then the CTC collapse on the main thread — what a real OCR miner's loop does per
 *     request, libp2p and signatures apart (those are the `serve-*` benchmarks').
 * Each loaded window keeps every worker busy (the pool's queue never empties); runs/s is what the
 * pool completed. Answers are checked: the plugin's text must equal its first reading of the line.
 *
 * The pool is closed at the end. About 30 s here.
 */
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { monitorEventLoopDelay, performance, PerformanceObserver, type IntervalHistogram } from "node:perf_hooks";
import { InferencePool } from "../src/miner/inference/pool.js";
import { loadPlugin, pluginRoots } from "../src/subnet/loader.js";
import { argmaxName, float32Values, int32Values, maxName, type Challenge, type Tensor, type TensorMap } from "../src/subnet/plugin.js";
import { createLogger } from "../src/util/logger.js";
import { readImageTensor, readTextTensor, SYNAPSE } from "../subnets/ocr/image.js";
import { REC_INPUT, REC_MODEL } from "../subnets/ocr/miner.js";
import { recInput } from "../subnets/ocr/preprocess.js";
import { ctcCharset, ctcCollapse } from "../subnets/ocr/ctc.js";
import { DICTIONARY } from "../subnets/ocr/miner.js";
import { measure, median, prng, type BenchLine } from "./harness.js";

const LINES = 64;
const SEED = 20_260_302;
const WINDOWS = 3;
const IDLE_MS = 1_500;
const LOADED_MS = 3_000;
/** monitorEventLoopDelay's timer, ms (its finest). */
const RESOLUTION_MS = 1;

const log = createLogger({ level: "silent", format: "json" });

type Condition = "idle" | "pool" | "plugin";

interface Lag {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Main-thread GC pauses (perf_hooks "gc" entries) in the window: ms per second, and the longest. */
  readonly gcMsPerS: number;
  readonly gcMaxMs: number;
}

const ms = (ns: number): number => ns / 1e6;

/**
 * The loop's delay over `durationMs` while `during` runs (a fresh histogram per window: one that is
 * disabled and enabled again counts the gap as a delay, and Node cannot add an ELD histogram to another).
 */
async function window(durationMs: number): Promise<Lag> {
  const pauses: number[] = [];
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push(entry.duration);
  });
  gc.observe({ entryTypes: ["gc"] });
  const h: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  const started = performance.now();
  h.enable();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  h.disable();
  const seconds = (performance.now() - started) / 1000;
  // gc entries are delivered asynchronously: let the last ones in.
  await new Promise((resolve) => setImmediate(resolve));
  gc.disconnect();
  return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), gcMsPerS: pauses.reduce((a, b) => a + b, 0) / seconds, gcMaxMs: Math.max(0, ...pauses) };
}

/** Windows of one condition together: the median window's p50, p99 and GC ms/s, the largest max and GC pause. */
const combine = (windows: readonly Lag[]): Lag => ({
  p50: median(windows.map((w) => w.p50)),
  p99: median(windows.map((w) => w.p99)),
  max: Math.max(...windows.map((w) => w.max)),
  gcMsPerS: median(windows.map((w) => w.gcMsPerS)),
  gcMaxMs: Math.max(...windows.map((w) => w.gcMaxMs)),
});

/**
 * `callers` loops calling `call(line)`, the loop's delay measured for `durationMs` meanwhile (once
 * the queue has filled, so the window is all full load); the runs done in the window.
 */
async function load(call: (line: number) => Promise<void>, callers: number, durationMs: number): Promise<{ lag: Lag; runs: number; seconds: number }> {
  let next = 0;
  let runs = 0;
  let stop = false;
  const loops = Array.from({ length: callers }, async () => {
    while (!stop) {
      await call(next++ % LINES);
      runs += 1;
    }
  });
  // Let the queue fill before measuring.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const runs0 = runs;
  const started = performance.now();
  const lag = await window(durationMs);
  const seconds = (performance.now() - started) / 1000;
  const counted = runs - runs0;
  stop = true;
  await Promise.all(loops);
  return { lag, runs: counted, seconds };
}

export async function benchEventLoop(): Promise<BenchLine[]> {
  const workers = Math.max(1, availableParallelism() - 1);
  const callers = Math.max(32, 4 * workers);
  const plugin = await loadPlugin("ocr", { roots: pluginRoots({}) });
  // The miner's defaults: W workers × 1 thread, a queue of 256.
  const pool = new InferencePool({ device: "cpu", log });
  try {
    if (pool.workers !== workers) throw new Error(`the pool has ${pool.workers} workers, expected ${workers}`);
    for (const [name, path] of plugin.modelFiles) if (plugin.manifest.models[name]?.kind === "onnx") pool.register(name, path);
    const miner = await (await plugin.loadMiner()).createMiner({ manifest: plugin.manifest, models: pool, modelFiles: plugin.modelFiles, log });
    const validator = await (await plugin.loadValidator()).createValidator({ manifest: plugin.manifest, log });

    // The lines, rendered and preprocessed before anything is measured.
    const random = prng(SEED);
    const challenges: Challenge[] = [];
    for (let i = 0; i < LINES; i++) challenges.push(await validator.challenge(random));
    const feeds: TensorMap[] = challenges.map((c) => {
      const input = recInput(readImageTensor(c.body));
      const x: Tensor = { dtype: "float32", dims: input.dims, data: new Uint8Array(input.data.buffer, input.data.byteOffset, input.data.byteLength) };
      return new Map([[REC_INPUT, x]]);
    });

    const never = new AbortController().signal;
    const expected: string[] = [];
    const answer = async (line: number): Promise<void> => {
      const text = readTextTensor(await miner.answer({ synapse: SYNAPSE, body: challenges[line]!.body, signal: never, emit: async () => undefined }));
      if (text === undefined) throw new Error(`line ${line}: no text`);
      if (expected[line] === undefined) expected[line] = text;
      else if (text !== expected[line]) throw new Error(`line ${line} read as ${JSON.stringify(text)}, first as ${JSON.stringify(expected[line])}`);
    };
    const outputs: { best: Tensor; max: Tensor }[] = [];
    const run = async (line: number): Promise<void> => {
      const out = await pool.run(REC_MODEL, feeds[line]!, { argmax: true });
      const name = [...out.keys()].find((n) => n.endsWith(".argmax"))?.slice(0, -".argmax".length) ?? "";
      const best = out.get(argmaxName(name));
      const max = out.get(maxName(name));
      if (!best || !max || best.dtype !== "int32" || best.dims.length !== 2) throw new Error(`line ${line}: unexpected outputs ${[...out.keys()].join(", ")}`);
      outputs[line] ??= { best, max };
    };

    // Warm-up: every line through the plugin (loads the model in every worker, records the readings), then the bare runs.
    await Promise.all(Array.from({ length: callers }, async (_, c) => {
      for (let line = c; line < LINES; line += callers) await answer(line);
    }));
    await Promise.all(challenges.map((_, line) => run(line)));
    if (pool.registryStats().loaded.some((n) => n !== 1)) throw new Error(`the model is not loaded in every worker: ${JSON.stringify(pool.registryStats())}`);

    const lags: Record<Condition, Lag[]> = { idle: [], pool: [], plugin: [] };
    const done = { pool: { runs: 0, seconds: 0 }, plugin: { runs: 0, seconds: 0 } };
    for (let w = 0; w < WINDOWS; w++) {
      lags.idle.push(await window(IDLE_MS));
      for (const [condition, call] of [
        ["pool", run],
        ["plugin", answer],
      ] as const) {
        const { lag, runs, seconds } = await load(call, callers, LOADED_MS);
        lags[condition].push(lag);
        done[condition].runs += runs;
        done[condition].seconds += seconds;
      }
    }
    if (pool.queued !== 0) throw new Error(`${pool.queued} runs still queued after the load stopped`);

    const idle = combine(lags.idle);
    const lines: BenchLine[] = [];
    for (const condition of ["pool", "plugin"] as const) {
      const loaded = combine(lags[condition]);
      lines.push({
        name: `event-loop lag ms, ${condition === "pool" ? "pool.run on pre-made inputs" : "the ocr plugin's answer() (preprocessing + CTC collapse on the loop, argmax in the worker)"}, InferencePool ${workers}×1 thread, ${callers} concurrent callers, PP-OCRv4 rec; idle = the same pool, loaded, nothing running; ${WINDOWS} windows × ${LOADED_MS / 1000} s loaded, × ${IDLE_MS / 1000} s idle, resolution ${RESOLUTION_MS} ms; p50, p99: the median window's, max: the largest`,
        figures: {
          p50: loaded.p50,
          p99: loaded.p99,
          max: loaded.max,
          idle_p50: idle.p50,
          idle_p99: idle.p99,
          idle_max: idle.max,
          p99_over_idle: loaded.p99 - idle.p99,
          runs_per_s: done[condition].runs / done[condition].seconds,
          gc_ms_per_s: loaded.gcMsPerS,
          gc_max_ms: loaded.gcMaxMs,
          idle_gc_ms_per_s: idle.gcMsPerS,
        },
        goal: "p99 ≤ 5 ms",
      });
    }

    // What the plugin's answer() does on the loop per request, timed apart (median ms per call over the 64 lines).
    const charset = ctcCharset(await readFile(plugin.modelFiles.get(DICTIONARY)!, "utf8"));
    let i = 0;
    const perCall = (fn: (line: number) => unknown): number => measure(() => fn(i++ % LINES), { minRuns: 3 * LINES, minMs: 300 }).medianMs;
    const check_and_preprocess_ms = perCall((line) => recInput(readImageTensor(challenges[line]!.body)));
    const ctc_collapse_ms = perCall((line) => ctcCollapse(int32Values(outputs[line]!.best), float32Values(outputs[line]!.max), charset));
    lines.push({
      name: `event-loop the ocr plugin's main-thread work per request (information; ms per call, median over the ${LINES} lines; the worker's reduced output: int32 + float32 [1, T], median T ${median(outputs.map((o) => o.best.dims[1]!))}, ${charset.length} classes)`,
      figures: { check_and_preprocess_ms, ctc_collapse_ms, sum_ms: check_and_preprocess_ms + ctc_collapse_ms, reduced_output_bytes: median(outputs.map((o) => o.best.data.byteLength + o.max.data.byteLength)) },
    });
    return lines;
  } finally {
    await pool.close();
  }
}
