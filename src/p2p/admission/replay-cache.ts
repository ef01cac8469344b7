/**
 * Remembers the nonces of accepted requests so that a replayed request is refused, across
 * restarts, in bounded memory.
 *
 * A request is acceptable only while `|now − timestamp| ≤ windowMs`, so a nonce needs remembering
 * only until its timestamp leaves the window: after that the window check refuses a replay by
 * itself. Entries are pruned then, from memory and from disk.
 *
 * - Durable: `checkAndRemember` answers "fresh" only once the nonce is written to level (atomic
 *   batches, one at a time, in order). level's writes survive the process being killed once they
 *   resolve; `sync: true` also fsyncs each batch, to survive a power cut, at a cost per batch.
 * - Fast: every entry inside the window is held in memory (loaded on open), so checks are O(1) and
 *   no read hits the disk; expiry is a min-heap by timestamp, O(log n) per entry.
 * - Bounded: at most `maxEntries` nonces inside the window. Past that a new request is refused
 *   with REPLAY_CACHE_FULL: forgetting a live nonce instead would let its request be replayed.
 *   Size it as (the most requests per second admitted) × 2 × windowMs / 1000, since timestamps
 *   may lie up to the window in the future.
 * - Concurrent calls with one nonce: the nonce is claimed in memory before the write starts, so
 *   exactly one call answers true. Should that write fail, its call rejects and the others have
 *   already answered false: the cache errs on the side of refusing.
 * - A clock that steps back: the cache records the latest timestamp it has forgotten (persisted
 *   with the deletions) and refuses anything at or before it with OUTSIDE_WINDOW, even where the
 *   stepped-back window would take it, since it can no longer tell whether that was a replay.
 *
 * Keys live under the "replay:" prefix so the cache can share a daemon's database later.
 */
import { Level } from "level";
import { ReplayCacheError } from "./errors.js";
import { MinHeap } from "./min-heap.js";
import { isCanonicalNonceHex, nonceToHex } from "./nonce.js";
import { requireInteger } from "./options.js";
import { SerialBatchWriter } from "./serial-batch-writer.js";

/** `replay:nonce:<32 hex digits>` → the request's timestamp (ms, decimal). */
export const NONCE_KEY_PREFIX = "replay:nonce:";
/** The latest timestamp of a nonce the cache has forgotten (ms, decimal). */
export const FORGOTTEN_THROUGH_KEY = "replay:forgotten-through";
/** Above every nonce key: hex digits sort below "~". */
const NONCE_KEY_END = `${NONCE_KEY_PREFIX}~`;

export interface ReplayCacheOptions {
  /** A request is acceptable while `|now − timestamp| ≤ windowMs`. */
  readonly windowMs: number;
  /** The most nonces remembered at once (all inside the window). */
  readonly maxEntries: number;
  /** Wall-clock time in milliseconds. */
  readonly now: () => number;
  /** fsync each batch: survives a power cut, not only the process being killed. Default false. */
  readonly sync?: boolean;
}

type Op = { readonly type: "put"; readonly key: string; readonly value: string } | { readonly type: "del"; readonly key: string };

interface Remembered {
  readonly nonce: string;
  readonly timestampMs: number;
}

export class ReplayCache {
  readonly #db: Level<string, string>;
  readonly #windowMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #writer: SerialBatchWriter<Op>;
  /** Nonce (canonical hex) → timestamp, for every nonce remembered or being written. */
  readonly #timestamps = new Map<string, number>();
  /** The same entries by timestamp, oldest on top; may hold stale items for nonces rolled back. */
  readonly #expiry = new MinHeap<Remembered>((entry) => entry.timestampMs);
  /** Nonces pruned from memory whose deletion from disk goes with the next write. */
  #unwrittenDeletions: string[] = [];
  #forgottenThrough = Number.NEGATIVE_INFINITY;
  #forgottenThroughChanged = false;
  #closed = false;

  private constructor(db: Level<string, string>, options: ReplayCacheOptions) {
    this.#db = db;
    this.#windowMs = options.windowMs;
    this.#maxEntries = options.maxEntries;
    this.#now = options.now;
    const sync = options.sync ?? false;
    this.#writer = new SerialBatchWriter<Op>((ops) => db.batch(ops.slice(), { sync }));
  }

  /** Opens (or creates) the cache's database at `path` and loads the nonces still inside the window. */
  static async open(path: string, options: ReplayCacheOptions): Promise<ReplayCache> {
    requireInteger("windowMs", options.windowMs, 1);
    requireInteger("maxEntries", options.maxEntries, 1);
    const db = new Level<string, string>(path, { keyEncoding: "utf8", valueEncoding: "utf8" });
    await db.open();
    const cache = new ReplayCache(db, options);
    try {
      await cache.#load();
    } catch (error) {
      await db.close();
      throw error;
    }
    return cache;
  }

  /** Nonces remembered now (including those being written). */
  get size(): number {
    return this.#timestamps.size;
  }

  /**
   * True if the nonce is fresh, once it is durably remembered; false if it was seen already (a
   * replay). Rejects with BAD_NONCE, BAD_TIMESTAMP, OUTSIDE_WINDOW, REPLAY_CACHE_FULL or
   * REPLAY_CACHE_CLOSED, and with the storage's error if the write fails (the nonce is then not
   * remembered, and the request must be refused).
   */
  async checkAndRemember(nonce: Uint8Array | string, timestampMs: number): Promise<boolean> {
    this.#assertOpen();
    const key = nonceToHex(nonce);
    if (!Number.isSafeInteger(timestampMs)) throw new ReplayCacheError("BAD_TIMESTAMP", `a timestamp must be an integer number of milliseconds, got ${timestampMs}`);
    const now = this.#now();
    this.#expire(now);
    if (Math.abs(now - timestampMs) > this.#windowMs) {
      throw new ReplayCacheError("OUTSIDE_WINDOW", `timestamp ${timestampMs} is more than ${this.#windowMs} ms from now (${now})`, { timestampMs, now });
    }
    if (timestampMs <= this.#forgottenThrough) {
      throw new ReplayCacheError("OUTSIDE_WINDOW", `timestamp ${timestampMs} is not after ${this.#forgottenThrough}, the latest the cache has forgotten (has the clock stepped back?)`, { timestampMs, now });
    }
    // From here to the claim below nothing awaits, so concurrent calls with one nonce see each other.
    if (this.#timestamps.has(key)) return false;
    if (this.#timestamps.size >= this.#maxEntries) {
      throw new ReplayCacheError("REPLAY_CACHE_FULL", `${this.#timestamps.size} nonces inside the window already (maxEntries ${this.#maxEntries})`, { maxEntries: this.#maxEntries });
    }
    this.#timestamps.set(key, timestampMs);
    this.#expiry.push({ nonce: key, timestampMs });
    try {
      await this.#write([{ type: "put", key: NONCE_KEY_PREFIX + key, value: String(timestampMs) }]);
    } catch (error) {
      if (this.#timestamps.get(key) === timestampMs) this.#timestamps.delete(key);
      throw error;
    }
    return true;
  }

  /**
   * Forgets every nonce whose timestamp has left the window, in memory and on disk. Checks do this
   * by themselves; call it on a timer to also free the disk while no request comes.
   *
   * @returns how many nonces were forgotten from memory.
   */
  async prune(): Promise<number> {
    this.#assertOpen();
    const forgotten = this.#expire(this.#now());
    await this.#write([]);
    return forgotten;
  }

  /** Waits for writes under way, writes pending deletions, and closes the database. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#write([]);
    } finally {
      await this.#writer.idle();
      await this.#db.close();
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new ReplayCacheError("REPLAY_CACHE_CLOSED", "the replay cache is closed");
  }

  /** Drops from memory the nonces whose timestamp is more than windowMs before `now`. */
  #expire(now: number): number {
    let forgotten = 0;
    for (let oldest = this.#expiry.peek(); oldest && now - oldest.timestampMs > this.#windowMs; oldest = this.#expiry.peek()) {
      this.#expiry.pop();
      // A nonce rolled back after a failed write, or remembered again later, leaves a stale item.
      if (this.#timestamps.get(oldest.nonce) !== oldest.timestampMs) continue;
      this.#timestamps.delete(oldest.nonce);
      this.#unwrittenDeletions.push(oldest.nonce);
      this.#raiseForgottenThrough(oldest.timestampMs);
      forgotten++;
    }
    return forgotten;
  }

  #raiseForgottenThrough(timestampMs: number): void {
    if (timestampMs <= this.#forgottenThrough) return;
    this.#forgottenThrough = timestampMs;
    this.#forgottenThroughChanged = true;
  }

  /** Writes `ops` after the pending deletions (so a nonce deleted then remembered again stays). */
  #write(ops: Op[]): Promise<void> {
    const deletions: Op[] = this.#unwrittenDeletions.map((nonce) => ({ type: "del", key: NONCE_KEY_PREFIX + nonce }));
    this.#unwrittenDeletions = [];
    if (this.#forgottenThroughChanged) {
      deletions.push({ type: "put", key: FORGOTTEN_THROUGH_KEY, value: String(this.#forgottenThrough) });
      this.#forgottenThroughChanged = false;
    }
    const all = [...deletions, ...ops];
    return all.length === 0 ? this.#writer.idle() : this.#writer.write(all);
  }

  /**
   * Loads the nonces still inside the window and deletes the rest. A stored timestamp that cannot
   * be read is taken as now: the nonce is kept one more window rather than risk forgetting it.
   * More than maxEntries live nonces (maxEntries lowered since) are all kept; new ones are then
   * refused until enough expire.
   */
  async #load(): Promise<void> {
    const now = this.#now();
    const storedThrough = await this.#db.get(FORGOTTEN_THROUGH_KEY);
    if (storedThrough !== undefined && Number.isSafeInteger(Number(storedThrough))) this.#forgottenThrough = Number(storedThrough);
    const unreadable: string[] = [];
    for await (const [key, value] of this.#db.iterator({ gte: NONCE_KEY_PREFIX, lt: NONCE_KEY_END })) {
      const nonce = key.slice(NONCE_KEY_PREFIX.length);
      if (!isCanonicalNonceHex(nonce)) {
        unreadable.push(key);
        continue;
      }
      const stored = Number(value);
      const timestampMs = Number.isSafeInteger(stored) ? stored : now;
      this.#timestamps.set(nonce, timestampMs);
      this.#expiry.push({ nonce, timestampMs });
    }
    this.#expire(now);
    await this.#write(unreadable.map((key) => ({ type: "del", key })));
  }
}
