import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SerialBatchWriter } from "../../../../src/p2p/admission/serial-batch-writer.js";

/** A fake store whose batches complete only when the test says so. */
function controlledStore() {
  const batches: { ops: string[]; finish: () => void; fail: (error: Error) => void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const writeBatch = (ops: string[]): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const done = (): void => void inFlight--;
      batches.push({ ops: [...ops], finish: () => (done(), resolve()), fail: (error) => (done(), reject(error)) });
    });
  return { batches, writeBatch, maxInFlight: () => maxInFlight };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("SerialBatchWriter", () => {
  it("writes one batch at a time, in order, coalescing what arrives while one is in flight", async () => {
    const store = controlledStore();
    const writer = new SerialBatchWriter(store.writeBatch);
    const done: string[] = [];
    const first = writer.write(["a"]).then(() => done.push("a"));
    const second = writer.write(["b1", "b2"]).then(() => done.push("b"));
    const third = writer.write(["c"]).then(() => done.push("c"));
    await settle();
    assert.deepEqual(store.batches.map((b) => b.ops), [["a"]]);
    store.batches[0]!.finish();
    await first;
    await settle();
    assert.deepEqual(store.batches.map((b) => b.ops), [["a"], ["b1", "b2", "c"]]);
    assert.deepEqual(done, ["a"], "callers resolve only once their own batch is written");
    store.batches[1]!.finish();
    await Promise.all([second, third]);
    assert.deepEqual(done, ["a", "b", "c"]);
    assert.equal(store.maxInFlight(), 1);
  });

  it("fails every caller of a failed batch, and goes on with the next", async () => {
    const store = controlledStore();
    const writer = new SerialBatchWriter(store.writeBatch);
    const blocker = writer.write(["x"]);
    const failing = [writer.write(["a"]), writer.write(["b"])];
    await settle();
    store.batches[0]!.finish();
    await blocker;
    await settle();
    const later = writer.write(["c"]);
    const boom = new Error("disk full");
    store.batches[1]!.fail(boom);
    for (const call of failing) await assert.rejects(call, (error: unknown) => error === boom);
    await settle();
    assert.deepEqual(store.batches.map((b) => b.ops), [["x"], ["a", "b"], ["c"]]);
    store.batches[2]!.finish();
    await later;
  });

  it("turns a write that throws at once into a rejection of its callers", async () => {
    const boom = new Error("closed");
    const writer = new SerialBatchWriter<string>(() => {
      throw boom;
    });
    await assert.rejects(writer.write(["a"]), (error: unknown) => error === boom);
    await writer.idle();
  });

  it("reports idle only once nothing is queued or in flight", async () => {
    const store = controlledStore();
    const writer = new SerialBatchWriter(store.writeBatch);
    void writer.write(["a"]);
    void writer.write(["b"]);
    let idle = false;
    const waiting = writer.idle().then(() => void (idle = true));
    await settle();
    store.batches[0]!.finish();
    await settle();
    assert.equal(idle, false, "the second batch is still in flight");
    store.batches[1]!.finish();
    await waiting;
    assert.equal(idle, true);
  });
});
