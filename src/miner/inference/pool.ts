/**
 * Inference off the event loop: a pool of worker threads, each holding onnxruntime sessions. A run
 * goes to the least busy worker that has (or can load) the model; at most `maxQueued` runs wait in
 * all, so a flood is refused at once (QueueFullError → the miner answers BUSY) instead of growing
 * memory. A run whose caller has given up is refused before it is sent; one already sent finishes
 * and its result is discarded (onnxruntime cannot be interrupted).
 */
import { statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { CodedError } from "../../util/errors.js";
import type { Logger } from "../../util/logger.js";
import type { ModelRunner, RunOptions, Tensor, TensorMap } from "../../subnet/plugin.js";
import type { FromWorker, LoadOrder, ToWorker, WireTensor } from "./messages.js";

export type InferenceErrorCode = "QUEUE_FULL" | "UNKNOWN_MODEL" | "MODEL_LOAD_FAILED" | "INFERENCE_FAILED" | "POOL_CLOSED" | "ABORTED";

export class InferenceError extends CodedError<InferenceErrorCode> {
  constructor(code: InferenceErrorCode, message: string) {
    super(code, message);
    this.name = "InferenceError";
  }
}

export interface InferencePoolOptions {
  /** Worker threads (default: all cores but one, so the event loop keeps a core). */
  readonly workers?: number;
  /** onnxruntime threads per worker (default 1). */
  readonly threadsPerWorker?: number;
  readonly device: "cpu" | "cuda";
  /** Runs waiting across all workers before new ones are refused (default 256). */
  readonly maxQueued?: number;
  /**
   * Bytes of models one worker may hold (default: no limit). Models load on first use; beyond the
   * budget the least recently used idle model is unloaded first. A model's size is its file's.
   */
  readonly memoryBudgetBytes?: number;
  readonly log: Logger;
}

interface Job {
  readonly message: ToWorker;
  resolve(reply: FromWorker): void;
  reject(error: Error): void;
}

/** One worker thread and the jobs it holds. */
class Slot {
  readonly worker: Worker;
  readonly pending = new Map<number, Job>();
  readonly loaded = new Set<string>();
  /** When each loaded model was last used (for LRU eviction), and how many runs use it now. */
  readonly lastUsed = new Map<string, number>();
  readonly inUse = new Map<string, number>();
  /** Why the worker is gone, once it is. */
  dead: string | undefined;

  constructor(worker: Worker) {
    this.worker = worker;
  }
}

/** A worker thread running worker.js (built) or, from the sources, worker.ts through tsx's loader. */
function startWorker(): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./worker.js", import.meta.url));
  const source = new URL("./worker.ts", import.meta.url).href;
  return new Worker(`import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(source)}); });`, { eval: true });
}

function toWire(t: Tensor): WireTensor {
  const copy = new Uint8Array(t.data.byteLength);
  copy.set(t.data);
  return { dtype: t.dtype, dims: t.dims, data: copy.buffer };
}

function fromWire(t: WireTensor): Tensor {
  return { dtype: t.dtype, dims: t.dims, data: new Uint8Array(t.data) };
}

export class InferencePool implements ModelRunner {
  readonly #slots: Slot[] = [];
  readonly #paths = new Map<string, { path: string; bytes: number }>();
  #loads = 0;
  #evictions = 0;
  #clock = 0;
  readonly #o: InferencePoolOptions;
  readonly #maxQueued: number;
  #nextId = 1;
  #queued = 0;
  #closed = false;

  constructor(options: InferencePoolOptions) {
    this.#o = options;
    this.#maxQueued = options.maxQueued ?? 256;
    const count = options.workers ?? Math.max(1, availableParallelism() - 1);
    for (let i = 0; i < count; i++) {
      const slot = new Slot(startWorker());
      slot.worker.on("message", (reply: FromWorker) => {
        const job = slot.pending.get(reply.id);
        if (!job) return;
        slot.pending.delete(reply.id);
        if (job.message.type === "run") this.#queued -= 1;
        if (reply.type === "error") job.reject(new InferenceError(reply.stage === "load" ? "MODEL_LOAD_FAILED" : "INFERENCE_FAILED", reply.message));
        else job.resolve(reply);
      });
      const fail = (why: string): void => {
        if (slot.dead === undefined) options.log.error({ error: why }, "an inference worker failed");
        slot.dead ??= why;
        for (const job of slot.pending.values()) {
          if (job.message.type === "run") this.#queued -= 1;
          job.reject(new InferenceError("INFERENCE_FAILED", `the inference worker failed: ${why}`));
        }
        slot.pending.clear();
      };
      slot.worker.on("error", (error) => fail(error.message));
      slot.worker.on("exit", (code) => fail(`it exited with code ${code}`));
      this.#slots.push(slot);
    }
  }

  get workers(): number {
    return this.#slots.length;
  }

  /** Runs waiting or running now. */
  get queued(): number {
    return this.#queued;
  }

  /** Makes a model known by name; it is loaded into a worker on first use. */
  register(model: string, path: string): void {
    this.#paths.set(model, { path, bytes: statSync(path).size });
  }

  /** Models loaded per worker, loads and evictions so far (for /metrics and benchmarks). */
  registryStats(): { loaded: number[]; loadedBytes: number[]; loads: number; evictions: number } {
    return { loaded: this.#slots.map((s) => s.loaded.size), loadedBytes: this.#slots.map((s) => this.#loadedBytes(s)), loads: this.#loads, evictions: this.#evictions };
  }

  #loadedBytes(slot: Slot): number {
    let total = 0;
    for (const model of slot.loaded) total += this.#paths.get(model)?.bytes ?? 0;
    return total;
  }

  /** Picks idle models to unload, least recently used first, until `bytes` more fit the budget. */
  #makeRoom(slot: Slot, model: string, bytes: number): string[] {
    const victims: string[] = [];
    const budget = this.#o.memoryBudgetBytes ?? Number.POSITIVE_INFINITY;
    if (bytes > budget) throw new InferenceError("INFERENCE_FAILED", `model ${model} (${bytes} bytes) is larger than the memory budget of ${budget} bytes`);
    while (this.#loadedBytes(slot) + bytes > budget) {
      const idle = [...slot.loaded].filter((m) => (slot.inUse.get(m) ?? 0) === 0).sort((a, b) => (slot.lastUsed.get(a) ?? 0) - (slot.lastUsed.get(b) ?? 0));
      const victim = idle[0];
      if (victim === undefined) throw new InferenceError("QUEUE_FULL", `no room for model ${model}: every loaded model is in use`);
      slot.loaded.delete(victim);
      slot.lastUsed.delete(victim);
      this.#evictions += 1;
      victims.push(victim);
    }
    return victims;
  }

  #send(slot: Slot, message: ToWorker): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      if (slot.dead !== undefined) {
        reject(new InferenceError("INFERENCE_FAILED", `the inference worker failed: ${slot.dead}`));
        return;
      }
      slot.pending.set(message.id, { message, resolve, reject });
      const transfer = message.type === "run" ? Object.values(message.feeds).map((t) => t.data) : [];
      slot.worker.postMessage(message, transfer);
    });
  }

  /**
   * What the run must carry for the worker to load the model first, when this worker does not hold
   * it (undefined when it does). The load rides on the run's own message — one round trip for a
   * cold model, as a bare `InferenceSession.create` + run — and the model counts as loaded from
   * now on, so runs behind it go straight to the worker (which holds them until the session exists).
   */
  #loadOrder(slot: Slot, model: string, bytes: number, path: string): LoadOrder | undefined {
    if (slot.loaded.has(model)) return undefined;
    const evict = this.#makeRoom(slot, model, bytes);
    this.#loads += 1;
    slot.loaded.add(model);
    return { path, device: this.#o.device, threads: this.#o.threadsPerWorker ?? 1, evict };
  }

  /** The worker with the fewest jobs, preferring one that has the model loaded already. */
  #pick(model: string): Slot {
    let best = this.#slots[0]!;
    const cost = (s: Slot): number => (s.dead === undefined ? 0 : 1e9) + s.pending.size + (s.loaded.has(model) ? 0 : 0.5);
    for (const slot of this.#slots) if (cost(slot) < cost(best)) best = slot;
    return best;
  }

  async run(model: string, feeds: TensorMap, options: RunOptions = {}): Promise<Map<string, Tensor>> {
    const { signal, argmax } = options;
    if (this.#closed) throw new InferenceError("POOL_CLOSED", "the inference pool is closed");
    const known = this.#paths.get(model);
    if (!known) throw new InferenceError("UNKNOWN_MODEL", `no model named ${model} is registered`);
    if (this.#queued >= this.#maxQueued) throw new InferenceError("QUEUE_FULL", `${this.#queued} inference runs are waiting already`);
    if (signal?.aborted) throw new InferenceError("ABORTED", "the caller gave up before the run started");
    const slot = this.#pick(model);
    const load = this.#loadOrder(slot, model, known.bytes, known.path);
    this.#queued += 1;
    // In use from now on: a model a run waits for is never the one evicted.
    slot.inUse.set(model, (slot.inUse.get(model) ?? 0) + 1);
    slot.lastUsed.set(model, ++this.#clock);
    try {
      const wireFeeds = Object.fromEntries([...feeds].map(([name, t]) => [name, toWire(t)]));
      const reply = await this.#send(slot, { type: "run", id: this.#nextId++, model, load, feeds: wireFeeds, argmax }).catch((error: unknown) => {
        // A failed load leaves nothing in the worker: the next run loads afresh.
        if (error instanceof InferenceError && error.code === "MODEL_LOAD_FAILED") slot.loaded.delete(model);
        throw error;
      });
      if (reply.type !== "result") throw new InferenceError("INFERENCE_FAILED", `unexpected reply ${reply.type}`);
      return new Map(Object.entries(reply.outputs).map(([name, t]) => [name, fromWire(t)]));
    } finally {
      slot.inUse.set(model, (slot.inUse.get(model) ?? 1) - 1);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const slot of this.#slots) slot.dead ??= "the pool closed";
    await Promise.all(this.#slots.map((slot) => slot.worker.terminate()));
    for (const slot of this.#slots) for (const job of slot.pending.values()) job.reject(new InferenceError("POOL_CLOSED", "the inference pool closed"));
  }
}
