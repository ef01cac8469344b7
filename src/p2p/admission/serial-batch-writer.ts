/**
 * Writes batches one at a time, in the order they were asked for, coalescing what arrives while a
 * batch is in flight into the next one (group commit).
 *
 * Order matters to the replay cache: a nonce pruned (delete) and then remembered again (put) must
 * reach the disk in that order, and level gives no order between two batches in flight at once.
 * Coalescing keeps the cost down: under load, one write (and one fsync, when syncing) carries
 * many requests.
 */

/** Writes `ops` atomically; resolves once they are durable. */
export type WriteBatch<Op> = (ops: Op[]) => Promise<void>;

interface Pending {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class SerialBatchWriter<Op> {
  readonly #writeBatch: WriteBatch<Op>;
  #queuedOps: Op[] = [];
  #queuedCallers: Pending[] = [];
  #inFlight: Promise<void> | undefined;

  constructor(writeBatch: WriteBatch<Op>) {
    this.#writeBatch = writeBatch;
  }

  /**
   * Resolves once `ops` are written, after every batch asked for before them; rejects with the
   * write's error, which then fails every caller whose ops shared that batch.
   */
  write(ops: readonly Op[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queuedOps.push(...ops);
      this.#queuedCallers.push({ resolve, reject });
      this.#startNext();
    });
  }

  /** Resolves once nothing is queued or in flight. Never rejects: write errors go to their callers. */
  async idle(): Promise<void> {
    while (this.#inFlight) await this.#inFlight;
  }

  #startNext(): void {
    if (this.#inFlight || this.#queuedCallers.length === 0) return;
    const ops = this.#queuedOps;
    const callers = this.#queuedCallers;
    this.#queuedOps = [];
    this.#queuedCallers = [];
    // Through a promise, so that a write throwing at once fails its callers like one rejecting.
    this.#inFlight = new Promise<void>((resolve) => resolve(this.#writeBatch(ops))).then(
      () => callers.forEach((caller) => caller.resolve()),
      (error: unknown) => callers.forEach((caller) => caller.reject(error)),
    ).finally(() => {
      this.#inFlight = undefined;
      this.#startNext();
    });
  }
}
