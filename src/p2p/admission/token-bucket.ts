/**
 * Per-hotkey rate limits: one token bucket per key (a validator's hotkey). A bucket holds at most
 * `capacity` tokens, refills continuously at `refillPerSecond`, and each request takes `cost`
 * tokens. A key seen for the first time starts with a full bucket.
 *
 * Memory is bounded: at most `maxKeys` buckets are kept, and when a new key arrives at the bound
 * the least recently used bucket is evicted. Eviction forgets what the key had spent, so it comes
 * back with a full bucket; LRU makes that the bucket idle the longest, which is the one most
 * likely to be full anyway (a full bucket carries no information). The miner checks stake before
 * rate limits, so the keys reaching the limiter are the subnet's stake holders: a `maxKeys` above
 * their number means honest load never evicts a bucket that still holds a debt.
 */
import { AdmissionOptionError } from "./errors.js";
import { requireInteger, requirePositive } from "./options.js";

export interface HotkeyRateLimiterOptions {
  /** Tokens a bucket holds when full: the largest burst a key may send. */
  readonly capacity: number;
  /** Tokens added to a bucket per second, up to `capacity`: the sustained rate a key may send. */
  readonly refillPerSecond: number;
  /** The most buckets kept at once; beyond it the least recently used is evicted. */
  readonly maxKeys: number;
  /** Wall-clock time in milliseconds. */
  readonly now: () => number;
}

export type TakeResult = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date (ms); never moves backwards. */
  updatedAt: number;
}

const TAKEN: TakeResult = Object.freeze({ ok: true });

export class HotkeyRateLimiter {
  readonly #capacity: number;
  readonly #refillPerMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  /** Insertion order is recency order: the first key is the least recently used. */
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: HotkeyRateLimiterOptions) {
    this.#capacity = requirePositive("capacity", options.capacity);
    this.#refillPerMs = requirePositive("refillPerSecond", options.refillPerSecond) / 1000;
    this.#maxKeys = requireInteger("maxKeys", options.maxKeys, 1);
    this.#now = options.now;
  }

  /** How many buckets are held now (at most `maxKeys`). */
  get size(): number {
    return this.#buckets.size;
  }

  /**
   * Takes `cost` tokens from `key`'s bucket if it holds that many. If not, nothing is taken and
   * `retryAfterMs` says how long until it will (if no other request of that key comes first).
   */
  tryTake(key: string, cost = 1): TakeResult {
    if (!Number.isFinite(cost) || cost <= 0 || cost > this.#capacity) {
      throw new AdmissionOptionError("BAD_ADMISSION_OPTION", `a request's cost must be > 0 and ≤ the capacity ${this.#capacity}, got ${cost}`);
    }
    const bucket = this.#touch(key);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return TAKEN;
    }
    return { ok: false, retryAfterMs: this.#msUntil(bucket.tokens, cost) };
  }

  /** `key`'s bucket, refilled to now and marked most recently used; created full if new. */
  #touch(key: string): Bucket {
    const now = this.#now();
    const bucket = this.#buckets.get(key);
    if (bucket) {
      this.#buckets.delete(key);
      // A clock that stepped back refills nothing, and the interval is not credited twice later.
      if (now > bucket.updatedAt) {
        bucket.tokens = this.#refilled(bucket.tokens, now - bucket.updatedAt);
        bucket.updatedAt = now;
      }
      this.#buckets.set(key, bucket);
      return bucket;
    }
    if (this.#buckets.size >= this.#maxKeys) {
      const leastRecentlyUsed = this.#buckets.keys().next().value as string;
      this.#buckets.delete(leastRecentlyUsed);
    }
    const fresh = { tokens: this.#capacity, updatedAt: now };
    this.#buckets.set(key, fresh);
    return fresh;
  }

  #refilled(tokens: number, elapsedMs: number): number {
    return Math.min(this.#capacity, tokens + elapsedMs * this.#refillPerMs);
  }

  /**
   * Whole milliseconds until a bucket holding `tokens` holds `cost`. Checked with the same
   * arithmetic as the refill, so that a caller who waits exactly this long is admitted even where
   * floating-point rounding would make the closed form one millisecond short.
   */
  #msUntil(tokens: number, cost: number): number {
    let ms = Math.max(1, Math.ceil((cost - tokens) / this.#refillPerMs));
    while (this.#refilled(tokens, ms) < cost) ms++;
    return ms;
  }
}
