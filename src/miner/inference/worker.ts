/**
 * An inference worker thread: holds onnxruntime sessions and runs them. onnxruntime-node's run()
 * blocks the thread it runs on, so it never runs on the miner's event loop.
 */
import { parentPort } from "node:worker_threads";
import * as ort from "onnxruntime-node";
import { argmaxRows } from "../../subnet/argmax.js";
import { argmaxName, maxName, type DType } from "../../subnet/plugin.js";
import type { FromWorker, LoadOrder, ToWorker, WireTensor } from "./messages.js";

type OrtType = "float32" | "float64" | "int8" | "uint8" | "int16" | "uint16" | "int32" | "uint32" | "int64" | "bool" | "string";

const ARRAYS: Partial<Record<DType, (buffer: ArrayBuffer) => ArrayBufferView>> = {
  float32: (b) => new Float32Array(b),
  float64: (b) => new Float64Array(b),
  int8: (b) => new Int8Array(b),
  uint8: (b) => new Uint8Array(b),
  int16: (b) => new Int16Array(b),
  uint16: (b) => new Uint16Array(b),
  int32: (b) => new Int32Array(b),
  uint32: (b) => new Uint32Array(b),
  int64: (b) => new BigInt64Array(b),
  bool: (b) => new Uint8Array(b),
};

function toOrt(t: WireTensor): ort.Tensor {
  const make = ARRAYS[t.dtype];
  if (!make) throw new Error(`dtype ${t.dtype} cannot be a model input`);
  return new ort.Tensor(t.dtype as OrtType, make(t.data) as never, [...t.dims]);
}

function fromOrt(t: ort.Tensor): WireTensor {
  const data = t.data as ArrayBufferView;
  if (typeof (t.data as unknown[])[0] === "string") throw new Error("string outputs are not supported");
  // An output that owns its whole buffer is handed over as is (transferred, not copied): outputs can
  // be megabytes, and copying them per request is what made the miner's GC pause the event loop.
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer) return { dtype: t.type as DType, dims: [...t.dims], data: data.buffer };
  const copy = new Uint8Array(data.byteLength);
  copy.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return { dtype: t.type as DType, dims: [...t.dims], data: copy.buffer };
}

/** Sessions by model, as promises: a run sent right behind its load waits for it here. */
const sessions = new Map<string, Promise<ort.InferenceSession>>();

function forget(model: string): Promise<void> {
  const session = sessions.get(model);
  // Forgotten at once, so a load that follows creates a fresh session while this one is released.
  sessions.delete(model);
  return session ? session.then((s) => s.release(), () => undefined) : Promise.resolve();
}
/** An output reduced to its last axis' argmax (RunOptions.argmax). */
function argmaxLastAxis(t: ort.Tensor): { best: WireTensor; max: WireTensor } {
  const values = t.data as ArrayLike<number>;
  if (typeof values[0] === "bigint" || typeof values[0] === "string" || t.dims.length === 0) throw new Error(`output of type ${t.type} [${t.dims.join(", ")}] cannot be reduced to an argmax`);
  const { best, max } = argmaxRows(values, t.dims[t.dims.length - 1]!);
  const dims = t.dims.slice(0, -1);
  return { best: { dtype: "int32", dims, data: best.buffer as ArrayBuffer }, max: { dtype: "float32", dims, data: max.buffer as ArrayBuffer } };
}

function load(model: string, order: LoadOrder): Promise<ort.InferenceSession> {
  const released = Promise.all(order.evict.map(forget));
  let loading = sessions.get(model);
  if (!loading) {
    // The evicted sessions are released before the new one is created: the budget holds at every
    // moment, and a release does not compete with the creation for this thread.
    loading = released.then(() =>
      ort.InferenceSession.create(order.path, {
        executionProviders: [order.device],
        intraOpNumThreads: order.threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: "all",
      }),
    );
    sessions.set(model, loading);
    loading.catch(() => sessions.delete(model));
  }
  return loading;
}

class StageError extends Error {
  constructor(
    readonly stage: "load" | "run",
    message: string,
  ) {
    super(message);
  }
}

async function handle(message: ToWorker): Promise<FromWorker> {
  switch (message.type) {
    case "unload": {
      await forget(message.model);
      return { type: "unloaded", id: message.id };
    }
    case "run": {
      const loading = message.load ? load(message.model, message.load) : sessions.get(message.model);
      if (!loading) throw new StageError("load", `model ${message.model} is not loaded in this worker`);
      const session = await loading.catch((error: Error) => {
        throw new StageError("load", error.message);
      });
      const feeds = Object.fromEntries(Object.entries(message.feeds).map(([name, t]) => [name, toOrt(t)]));
      const started = performance.now();
      const results = await session.run(feeds);
      const outputs: Record<string, WireTensor> = {};
      for (const [name, t] of Object.entries(results)) {
        if (message.argmax === true || message.argmax?.includes(name)) {
          const { best, max } = argmaxLastAxis(t);
          outputs[argmaxName(name)] = best;
          outputs[maxName(name)] = max;
        } else outputs[name] = fromOrt(t);
      }
      return { type: "result", id: message.id, outputs, runMs: performance.now() - started };
    }
  }
}

const port = parentPort;
if (!port) throw new Error("inference/worker.ts runs as a worker thread");

port.on("message", (message: ToWorker) => {
  handle(message).then(
    (reply) => {
      const transfer = reply.type === "result" ? Object.values(reply.outputs).map((t) => t.data) : [];
      port.postMessage(reply, transfer);
    },
    (error: unknown) => port.postMessage({ type: "error", id: message.id, stage: error instanceof StageError ? error.stage : "run", message: (error as Error).message } satisfies FromWorker),
  );
});
