/**
 * Ed25519 checks of miners' answers in the background (docs/protocol.md §5.8): on a worker thread,
 * in batches, so a validator's main thread spends on each answer only what it takes to hand the
 * check over. The answer is the miner's already (its stream is, §5.1); whoever uses its receipt
 * waits for the check first.
 */
import { Worker } from "node:worker_threads";

export interface SignatureChecker {
  /** Whether `signature` is `publicKey`'s Ed25519 signature of `message`. */
  check(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * The worker: node:crypto only, so it is plain JavaScript run from a string (nothing to build or
 * resolve). It keeps the public keys it has parsed and answers each batch with one byte per check.
 */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { createPublicKey, verify } = require("node:crypto");
const PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const keys = new Map();
parentPort.on("message", ({ id, jobs }) => {
  const results = new Uint8Array(jobs.length);
  for (let i = 0; i < jobs.length; i++) {
    const [signature, message, publicKey] = jobs[i];
    if (signature.length !== 64 || publicKey.length !== 32) continue;
    const name = Buffer.from(publicKey).toString("latin1");
    let key = keys.get(name);
    if (!key) {
      try { key = createPublicKey({ key: Buffer.concat([PREFIX, publicKey]), format: "der", type: "spki" }); } catch { continue; }
      if (keys.size >= 4096) keys.clear();
      keys.set(name, key);
    }
    results[i] = verify(null, message, key, signature) ? 1 : 0;
  }
  parentPort.postMessage({ id, results });
});
`;

type Job = readonly [Uint8Array, Uint8Array, Uint8Array];

/** Checks on a worker thread, started on first use; the checks asked in one turn of the event loop go as one batch. */
export class WorkerSignatureChecker implements SignatureChecker {
  #worker: Worker | undefined;
  #queue: { jobs: Job[]; resolves: Array<(ok: boolean) => void> } = { jobs: [], resolves: [] };
  #scheduled = false;
  #nextBatch = 1;
  readonly #waiting = new Map<number, { resolves: Array<(ok: boolean) => void> }>();
  #closed = false;

  check(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.#queue.jobs.push([signature, message, publicKey]);
      this.#queue.resolves.push(resolve);
      if (this.#scheduled) return;
      this.#scheduled = true;
      setImmediate(() => this.#send());
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = undefined;
    for (const { resolves } of this.#waiting.values()) for (const resolve of resolves) resolve(false);
    this.#waiting.clear();
    if (worker) await worker.terminate();
  }

  #send(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = { jobs: [], resolves: [] };
    if (batch.jobs.length === 0) return;
    if (this.#closed) {
      for (const resolve of batch.resolves) resolve(false);
      return;
    }
    const id = this.#nextBatch++;
    this.#waiting.set(id, batch);
    this.#start().postMessage({ id, jobs: batch.jobs });
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
    // A worker that dies fails the checks it held (nothing is taken as verified), and the next check starts another.
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
