/** The inference pool: onnxruntime in worker threads, answers exact, queue bounded, closed cleanly. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { InferenceError, InferencePool } from "../../../src/miner/inference/pool.js";
import { MicroBatcher } from "../../../src/miner/inference/batcher.js";
import { argmaxName, float32Values, int32Values, maxName, type RunOptions, type Tensor } from "../../../src/subnet/plugin.js";
import { buildTinyModel } from "../../../subnets/tiny/build-model.js";
import { TINY_IN, TINY_INPUT_NAME, TINY_OUTPUT_NAME } from "../../../subnets/tiny/model.js";
import { tinyReference } from "../../../subnets/tiny/reference.js";
import { prng } from "../../../src/util/prng.js";
import { silentLog } from "../../helpers/devnet.js";

const input = (values: number[], batch: number): Tensor => {
  const array = Float32Array.from(values);
  return { dtype: "float32", dims: [batch, TINY_IN], data: new Uint8Array(array.buffer) };
};
const floats = (t: Tensor): Float32Array => new Float32Array(t.data.slice().buffer);

describe("the inference pool (onnxruntime in worker threads)", { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "tn-pool-"));
  const model = join(dir, "tiny.onnx");
  let pool: InferencePool;
  before(() => {
    writeFileSync(model, buildTinyModel());
    pool = new InferencePool({ workers: 2, device: "cpu", maxQueued: 8, log: silentLog });
    pool.register("tiny", model);
  });
  after(async () => {
    await pool?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs a model off the event loop and answers exactly what the reference computes", async () => {
    const random = prng(11);
    for (const batch of [1, 5]) {
      const values = Array.from({ length: batch * TINY_IN }, () => Math.floor(random() * 17) - 8);
      const out = await pool.run("tiny", new Map([[TINY_INPUT_NAME, input(values, batch)]]));
      assert.deepEqual([...floats(out.get(TINY_OUTPUT_NAME)!)], [...tinyReference(values, batch)]);
      assert.deepEqual(out.get(TINY_OUTPUT_NAME)!.dims, [batch, 8]);
    }
  });

  it("spreads concurrent runs over its workers and answers each one correctly", async () => {
    const random = prng(12);
    const jobs = Array.from({ length: 8 }, () => Array.from({ length: TINY_IN }, () => Math.floor(random() * 17) - 8));
    const outs = await Promise.all(jobs.map((values) => pool.run("tiny", new Map([[TINY_INPUT_NAME, input(values, 1)]]))));
    outs.forEach((out, i) => assert.deepEqual([...floats(out.get(TINY_OUTPUT_NAME)!)], [...tinyReference(jobs[i]!, 1)]));
  });

  it("refuses a run beyond its queue bound at once, an unknown model, a bad input, and a run whose caller gave up", async () => {
    const values = new Array<number>(TINY_IN).fill(1);
    const flood = Array.from({ length: 20 }, () => pool.run("tiny", new Map([[TINY_INPUT_NAME, input(values, 1)]])).then(() => "ok", (e: InferenceError) => e.code));
    const outcomes = await Promise.all(flood);
    assert.equal(outcomes.filter((o) => o === "ok").length, 8);
    assert.equal(outcomes.filter((o) => o === "QUEUE_FULL").length, 12);
    assert.equal(pool.queued, 0);
    await assert.rejects(pool.run("nope", new Map()), (e: unknown) => e instanceof InferenceError && e.code === "UNKNOWN_MODEL");
    await assert.rejects(pool.run("tiny", new Map([[TINY_INPUT_NAME, input([1, 2, 3], 1)]])), (e: unknown) => e instanceof InferenceError && e.code === "INFERENCE_FAILED");
    await assert.rejects(pool.run("tiny", new Map([[TINY_INPUT_NAME, input(values, 1)]]), { signal: AbortSignal.abort() }), (e: unknown) => e instanceof InferenceError && e.code === "ABORTED");
    assert.equal(pool.queued, 0);
  });

  it("loads models on first use and, over its memory budget, unloads the least recently used idle one", async () => {
    const bytes = buildTinyModel();
    const names = ["a", "b", "c"];
    for (const name of names) writeFileSync(join(dir, `${name}.onnx`), bytes);
    const small = new InferencePool({ workers: 1, device: "cpu", memoryBudgetBytes: Math.floor(bytes.length * 2.5), log: silentLog });
    try {
      for (const name of names) small.register(name, join(dir, `${name}.onnx`));
      const values = new Array<number>(TINY_IN).fill(2);
      const run = async (name: string): Promise<void> => {
        const out = await small.run(name, new Map([[TINY_INPUT_NAME, input(values, 1)]]));
        assert.deepEqual([...floats(out.get(TINY_OUTPUT_NAME)!)], [...tinyReference(values, 1)]);
      };
      await run("a");
      await run("b");
      assert.deepEqual(small.registryStats(), { loaded: [2], loadedBytes: [2 * bytes.length], loads: 2, evictions: 0 });
      await run("c"); // evicts a, the least recently used
      await run("b"); // still loaded: no load
      assert.deepEqual(small.registryStats(), { loaded: [2], loadedBytes: [2 * bytes.length], loads: 3, evictions: 1 });
      await run("a"); // evicts c (b was used since)
      await run("b");
      assert.deepEqual(small.registryStats(), { loaded: [2], loadedBytes: [2 * bytes.length], loads: 4, evictions: 2 });
      const huge = new InferencePool({ workers: 1, device: "cpu", memoryBudgetBytes: 100, log: silentLog });
      huge.register("a", join(dir, "a.onnx"));
      await assert.rejects(huge.run("a", new Map([[TINY_INPUT_NAME, input(values, 1)]])), /is larger than the memory budget of 100 bytes/);
      await huge.close();
    } finally {
      await small.close();
    }
  });

  it("reduces outputs to their last axis' argmax in the worker when asked, batched or not", async () => {
    const random = prng(41);
    const values = Array.from({ length: 3 * TINY_IN }, () => Math.floor(random() * 17) - 8);
    const expected = tinyReference(values, 3);
    const rows = [0, 1, 2].map((r) => [...expected.subarray(r * 8, (r + 1) * 8)]);
    const best = rows.map((row) => row.indexOf(Math.max(...row)));
    const check = (out: Map<string, Tensor>, from: number, count: number): void => {
      assert.deepEqual([...out.keys()].sort(), [maxName(TINY_OUTPUT_NAME), argmaxName(TINY_OUTPUT_NAME)].sort());
      const index = out.get(argmaxName(TINY_OUTPUT_NAME))!;
      assert.equal(index.dtype, "int32");
      assert.deepEqual(index.dims, [count]);
      assert.deepEqual([...int32Values(index)], best.slice(from, from + count));
      assert.deepEqual([...float32Values(out.get(maxName(TINY_OUTPUT_NAME))!)], rows.slice(from, from + count).map((row) => Math.max(...row)));
    };
    check(await pool.run("tiny", new Map([[TINY_INPUT_NAME, input(values, 3)]]), { argmax: true }), 0, 3);
    check(await pool.run("tiny", new Map([[TINY_INPUT_NAME, input(values, 3)]]), { argmax: [TINY_OUTPUT_NAME] }), 0, 3);
    const batcher = new MicroBatcher(pool, { maxBatch: 8, maxWaitMs: 20 }, () => true);
    const [reduced, plain] = await Promise.all([
      batcher.run("tiny", new Map([[TINY_INPUT_NAME, input(values.slice(0, TINY_IN), 1)]]), { argmax: true }),
      batcher.run("tiny", new Map([[TINY_INPUT_NAME, input(values.slice(TINY_IN, 2 * TINY_IN), 1)]])),
    ]);
    check(reduced, 0, 1);
    assert.deepEqual([...floats(plain.get(TINY_OUTPUT_NAME)!)], rows[1]);
  });

  it("loads a cold model with its first run, holds the runs behind it until the session exists, and says when a model cannot load", async () => {
    const cold = new InferencePool({ workers: 1, device: "cpu", log: silentLog });
    try {
      const file = join(dir, "cold.onnx");
      writeFileSync(file, "not an onnx model");
      cold.register("cold", file);
      const values = new Array<number>(TINY_IN).fill(3);
      const attempt = (): Promise<unknown> => cold.run("cold", new Map([[TINY_INPUT_NAME, input(values, 1)]]));
      const failed = await Promise.allSettled([attempt(), attempt()]);
      for (const outcome of failed) assert.ok(outcome.status === "rejected" && outcome.reason instanceof InferenceError && outcome.reason.code === "MODEL_LOAD_FAILED", String(outcome.status === "rejected" && outcome.reason));
      assert.deepEqual(cold.registryStats().loaded, [0]);
      writeFileSync(file, buildTinyModel());
      const outs = await Promise.all(Array.from({ length: 4 }, attempt));
      for (const out of outs) assert.deepEqual([...floats((out as Map<string, Tensor>).get(TINY_OUTPUT_NAME)!)], [...tinyReference(values, 1)]);
      const stats = cold.registryStats();
      assert.deepEqual(stats.loaded, [1]);
      assert.equal(stats.loads, 2, "one failed load, then one load for four concurrent runs");
    } finally {
      await cold.close();
    }
  });

  it("micro-batches concurrent runs of a batchable model into fewer runs, each caller getting its own rows", async () => {
    let innerRuns = 0;
    const counting = { run: (m: string, f: Parameters<InferencePool["run"]>[1], o?: RunOptions) => ((innerRuns += 1), pool.run(m, f, o)) };
    const batcher = new MicroBatcher(counting, { maxBatch: 8, maxWaitMs: 20 }, (m) => m === "tiny");
    const random = prng(31);
    const jobs = Array.from({ length: 16 }, (_, i) => ({ batch: 1 + (i % 2), values: [] as number[] }));
    for (const job of jobs) job.values = Array.from({ length: job.batch * TINY_IN }, () => Math.floor(random() * 17) - 8);
    const outs = await Promise.all(jobs.map((job) => batcher.run("tiny", new Map([[TINY_INPUT_NAME, input(job.values, job.batch)]]))));
    outs.forEach((out, i) => {
      assert.deepEqual(out.get(TINY_OUTPUT_NAME)!.dims, [jobs[i]!.batch, 8]);
      assert.deepEqual([...floats(out.get(TINY_OUTPUT_NAME)!)], [...tinyReference(jobs[i]!.values, jobs[i]!.batch)]);
    });
    assert.ok(innerRuns <= 6, `16 calls (24 rows) in ${innerRuns} runs`);
    const off = new MicroBatcher(counting, { maxBatch: 1, maxWaitMs: 20 }, () => true);
    innerRuns = 0;
    await Promise.all(jobs.slice(0, 4).map((job) => off.run("tiny", new Map([[TINY_INPUT_NAME, input(job.values, job.batch)]]))));
    assert.equal(innerRuns, 4, "maxBatch 1 is off: one run per call");
  });
});
