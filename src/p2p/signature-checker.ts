/**
 * Ed25519 checks of miners' answers in the background (docs/protocol.md §5.8): on a worker thread,
 * in batches, so a validator's main thread spends on each answer a few bytes copied into a batch. The answer is the miner's already (its stream is, §5.1); whoever uses its receipt
 * waits for the check first.
 */
import { Worker } from "node:worker_threads";

export interface SignatureChecker {
  /** Whether `signature` is `publicKey`'s Ed25519 signature of `message`. */
  check(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean>;
  /** Starts the checks asked so far now, rather than when their batch is due. */
  flush(): void;
  close(): Promise<void>;
}

/**
 * The worker: node:crypto only, so it is plain JavaScript run from a string (nothing to build or
 * resolve). A batch arrives as one buffer of jobs — u16 message length, signature[64], key[32],
 * message — and is answered with one byte per job. It keeps the public keys it has parsed.
 */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { createPublicKey, verify } = require("node:crypto");
const PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const keys = new Map();
parentPort.on("message", ({ id, count, jobs }) => {
  const bytes = Buffer.from(jobs);
  const results = new Uint8Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const length = bytes.readUInt16LE(at);
    const signature = bytes.subarray(at + 2, at + 66);
    const publicKey = bytes.subarray(at + 66, at + 98);
    const message = bytes.subarray(at + 98, at + 98 + length);
    at += 98 + length;
    const name = publicKey.toString("latin1");
    let key = keys.get(name);
    if (!key) {
      try { key = createPublicKey({ key: Buffer.concat([PREFIX, publicKey]), format: "der", type: "spki" }); } catch { continue; }
      if (keys.size >= 4096) keys.clear();
      keys.set(name, key);
    }
    results[i] = verify(null, message, key, signature) ? 1 : 0;
  }
  parentPort.postMessage({ id, results }, [results.buffer]);
});
`;

/** The longest message a job carries (a u16 length); answers' signed headers are 129 bytes. */
const MAX_MESSAGE_BYTES = 0xffff;

interface Batch {
  readonly parts: Uint8Array[];
  bytes: number;
  readonly resolves: Array<(ok: boolean) => void>;
}

export interface BatchPolicy {
  /** A batch leaves when it holds this many checks… */
  readonly maxJobs: number;
  /** …or this long after its first check, ms; or at once on `flush()`. */
  readonly maxWaitMs: number;
}

/**
 * Checks on a worker thread, started on first use. Checks are sent in batches, so the thread
 * asking spends a fraction of a message per check rather than one.
 */
export class WorkerSignatureChecker implements SignatureChecker {
  readonly #policy: BatchPolicy;
  #worker: Worker | undefined;
  #batch: Batch = { parts: [], bytes: 0, resolves: [] };
  #timer: NodeJS.Timeout | undefined;
  #nextBatch = 1;
  readonly #waiting = new Map<number, Batch>();
  #closed = false;

  constructor(policy: BatchPolicy) {
    this.#policy = policy;
  }

  check(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
    if (this.#closed || signature.length !== 64 || publicKey.length !== 32 || message.length > MAX_MESSAGE_BYTES) return Promise.resolve(false);
    return new Promise((resolve) => {
      const job = new Uint8Array(98 + message.length);
      job[0] = message.length & 0xff;
      job[1] = message.length >> 8;
      job.set(signature, 2);
      job.set(publicKey, 66);
      job.set(message, 98);
      const batch = this.#batch;
      batch.parts.push(job);
      batch.bytes += job.length;
      batch.resolves.push(resolve);
      if (batch.resolves.length >= this.#policy.maxJobs) this.flush();
      else if (!this.#timer) {
        this.#timer = setTimeout(() => this.flush(), this.#policy.maxWaitMs);
        this.#timer.unref();
      }
    });
  }

  /** Sends the checks waiting for their batch now. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#batch;
    if (batch.resolves.length === 0) return;
    this.#batch = { parts: [], bytes: 0, resolves: [] };
    if (this.#closed) {
      for (const resolve of batch.resolves) resolve(false);
      return;
    }
    const jobs = new Uint8Array(batch.bytes);
    let at = 0;
    for (const part of batch.parts) {
      jobs.set(part, at);
      at += part.length;
    }
    const id = this.#nextBatch++;
    this.#waiting.set(id, batch);
    this.#start().postMessage({ id, count: batch.resolves.length, jobs: jobs.buffer }, [jobs.buffer]);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.flush();
    const worker = this.#worker;
    this.#worker = undefined;
    for (const { resolves } of this.#waiting.values()) for (const resolve of resolves) resolve(false);
    this.#waiting.clear();
    if (worker) await worker.terminate();
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on("message", ({ id, results }: { id: number; results: Uint8Array }) => {
      const batch = this.#waiting.get(id);
      this.#waiting.delete(id);
      if (batch) for (let i = 0; i < batch.resolves.length; i++) batch.resolves[i]!(results[i] === 1);
    });
    // A worker that dies fails the checks it held (nothing is taken as verified), and the next batch starts another.
    worker.on("error", () => this.#lost(worker));
    worker.on("exit", () => this.#lost(worker));
    this.#worker = worker;
    return worker;
  }

  #lost(worker: Worker): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    for (const { resolves } of this.#waiting.values()) for (const resolve of resolves) resolve(false);
    this.#waiting.clear();
  }
}
