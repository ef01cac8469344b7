/**
 * Micro-batching: runs of a batchable model (batch on axis 0) that arrive within `maxWaitMs` are
 * joined into one run of up to `maxBatch` rows and the outputs split back, row for row. It pays on
 * GPUs and wide CPUs, where one run of n rows costs far less than n runs; on small CPUs it only adds
 * the wait, so it is off by default (maxBatch 1).
 */
import type { ModelRunner, RunOptions, Tensor, TensorMap } from "../../subnet/plugin.js";

export interface BatchingOptions {
  /** Rows per joined run; 1 turns batching off. */
  readonly maxBatch: number;
  /** How long the first run of a batch waits for company, ms. */
  readonly maxWaitMs: number;
}

interface Waiting {
  readonly feeds: TensorMap;
  readonly rows: number;
  readonly options: RunOptions;
  resolve(outputs: Map<string, Tensor>): void;
  reject(error: Error): void;
}

const ITEM_BYTES: Readonly<Record<string, number>> = { uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, int64: 8, float32: 4, float64: 8, bool: 1 };

/** Rows of a request (dims[0] of its feeds, which must agree), or undefined when it cannot be joined. */
function rowsOf(feeds: TensorMap): number | undefined {
  let rows: number | undefined;
  for (const t of feeds.values()) {
    if (t.dims.length === 0 || ITEM_BYTES[t.dtype] === undefined) return undefined;
    if (rows !== undefined && rows !== t.dims[0]) return undefined;
    rows = t.dims[0];
  }
  return rows;
}

/** Whether two requests' feeds can be stacked: same names, dtypes and trailing dims. */
function sameShape(a: TensorMap, b: TensorMap): boolean {
  if (a.size !== b.size) return false;
  for (const [name, t] of a) {
    const u = b.get(name);
    if (!u || u.dtype !== t.dtype || u.dims.length !== t.dims.length || u.dims.slice(1).some((d, i) => d !== t.dims[i + 1])) return false;
  }
  return true;
}

/** Whether two requests ask for the same outputs reduced (argmax), so one joined run answers both. */
function sameReduction(a: RunOptions, b: RunOptions): boolean {
  const key = (o: RunOptions): string => (o.argmax === true ? "*" : JSON.stringify([...(o.argmax ?? [])].sort()));
  return key(a) === key(b);
}

function concat(parts: readonly Tensor[]): Tensor {
  const first = parts[0]!;
  const rows = parts.reduce((sum, t) => sum + t.dims[0]!, 0);
  const data = new Uint8Array(parts.reduce((sum, t) => sum + t.data.byteLength, 0));
  let offset = 0;
  for (const t of parts) {
    data.set(t.data, offset);
    offset += t.data.byteLength;
  }
  return { dtype: first.dtype, dims: [rows, ...first.dims.slice(1)], data };
}

function sliceRows(t: Tensor, from: number, rows: number, total: number): Tensor {
  const rowBytes = t.data.byteLength / total;
  return { dtype: t.dtype, dims: [rows, ...t.dims.slice(1)], data: t.data.slice(from * rowBytes, (from + rows) * rowBytes) };
}

export class MicroBatcher implements ModelRunner {
  readonly #inner: ModelRunner;
  readonly #o: BatchingOptions;
  readonly #batchable: (model: string) => boolean;
  readonly #queues = new Map<string, { waiting: Waiting[]; timer: NodeJS.Timeout | undefined }>();

  constructor(inner: ModelRunner, options: BatchingOptions, batchable: (model: string) => boolean) {
    this.#inner = inner;
    this.#o = options;
    this.#batchable = batchable;
  }

  run(model: string, feeds: TensorMap, options: RunOptions = {}): Promise<Map<string, Tensor>> {
    const rows = rowsOf(feeds);
    if (this.#o.maxBatch <= 1 || !this.#batchable(model) || rows === undefined || rows >= this.#o.maxBatch) return this.#inner.run(model, feeds, options);
    return new Promise((resolve, reject) => {
      let queue = this.#queues.get(model);
      if (!queue) {
        queue = { waiting: [], timer: undefined };
        this.#queues.set(model, queue);
      }
      queue.waiting.push({ feeds, rows, options, resolve, reject });
      const queued = queue.waiting.reduce((sum, w) => sum + w.rows, 0);
      if (queued >= this.#o.maxBatch) this.#flush(model);
      else queue.timer ??= setTimeout(() => this.#flush(model), this.#o.maxWaitMs);
    });
  }

  #flush(model: string): void {
    const queue = this.#queues.get(model);
    if (!queue) return;
    clearTimeout(queue.timer);
    queue.timer = undefined;
    const live = queue.waiting.filter((w) => {
      const signal = w.options.signal;
      if (!signal?.aborted) return true;
      w.reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
      return false;
    });
    queue.waiting = [];
    // Join what stacks with the first request, up to maxBatch rows; the rest goes in later batches.
    while (live.length > 0) {
      const head = live[0]!;
      const batch: Waiting[] = [];
      let rows = 0;
      for (let i = 0; i < live.length; ) {
        const w = live[i]!;
        if (sameShape(head.feeds, w.feeds) && sameReduction(head.options, w.options) && rows + w.rows <= this.#o.maxBatch) {
          batch.push(w);
          rows += w.rows;
          live.splice(i, 1);
        } else i += 1;
      }
      void this.#runBatch(model, batch, rows);
    }
  }

  async #runBatch(model: string, batch: readonly Waiting[], rows: number): Promise<void> {
    if (batch.length === 1) {
      const only = batch[0]!;
      this.#inner.run(model, only.feeds, only.options).then(only.resolve, only.reject);
      return;
    }
    try {
      const feeds = new Map([...batch[0]!.feeds.keys()].map((name) => [name, concat(batch.map((w) => w.feeds.get(name)!))]));
      const outputs = await this.#inner.run(model, feeds, { argmax: batch[0]!.options.argmax });
      for (const t of outputs.values()) if (t.dims[0] !== rows) throw new Error(`model ${model} is not batchable on axis 0: an output has ${t.dims[0]} rows for ${rows}`);
      let from = 0;
      for (const w of batch) {
        w.resolve(new Map([...outputs].map(([name, t]) => [name, sliceRows(t, from, w.rows, rows)])));
        from += w.rows;
      }
    } catch (error) {
      for (const w of batch) w.reject(error as Error);
    }
  }
}
