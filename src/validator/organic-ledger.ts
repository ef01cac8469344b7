/**
 * The record of every organic request a validator relayed: one entry per miner asked (time, the
 * API key's name, synapse, miner, latency, outcome, the hash of the receipt it signed), in the
 * validator's level store. Bounded (the oldest entries go first) and durable: entries are written
 * in batches a moment after they happen, so a crash loses at most the last `flushMs`.
 */
import { Bucket, type Store } from "../db/store.js";

export type OrganicOutcome = "served" | "failed" | "refused-busy";

export interface OrganicRecord {
  readonly atMs: number;
  /** The API key's name ("local" on a gateway without keys). */
  readonly key: string;
  readonly synapse: string;
  readonly uid: number;
  readonly hotkey: string;
  readonly latencyMs: number;
  /** served; failed (timed out, unreachable, refused, an answer of invalid signature or form); refused-busy (load, not held against it). */
  readonly outcome: OrganicOutcome;
  /** What went wrong (TIMEOUT, UNREACHABLE, REFUSED, BAD_RESPONSE, BAD_OUTPUT, …) when not served. */
  readonly code?: string;
  /** blake2b-256 of the receipt returned to the user (hex), when served. */
  readonly receiptHash?: string;
}

export interface OrganicLedgerOptions {
  /** Entries kept (default 200 000). */
  readonly maxRecords?: number;
  /** How long an entry may wait before its batch is written, ms (default 250). */
  readonly flushMs?: number;
}

/** Entry ids sort by time: 15 digits of Unix ms, then a sequence number. */
const idOf = (atMs: number, seq: number): string => `${Math.max(0, Math.floor(atMs)).toString().padStart(15, "0")}/${seq.toString().padStart(9, "0")}`;

export class OrganicLedger {
  readonly #store: Store;
  readonly #max: number;
  readonly #flushMs: number;
  #pending: [string, OrganicRecord][] = [];
  #count: number;
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  private constructor(store: Store, count: number, options: OrganicLedgerOptions) {
    this.#store = store;
    this.#count = count;
    this.#max = options.maxRecords ?? 200_000;
    this.#flushMs = options.flushMs ?? 250;
  }

  static async open(store: Store, options: OrganicLedgerOptions = {}): Promise<OrganicLedger> {
    return new OrganicLedger(store, (await store.ids(Bucket.Organic)).length, options);
  }

  record(entry: OrganicRecord): void {
    this.#pending.push([idOf(entry.atMs, this.#seq++ % 1e9), entry]);
    this.#timer ??= setTimeout(() => void this.flush().catch(() => undefined), this.#flushMs);
  }

  /** Writes what waits (and drops the oldest entries beyond the bound), in one batch. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    this.#writing = this.#writing.then(async () => {
      if (batch.length === 0) return;
      const over = this.#count + batch.length - this.#max;
      const oldest = over > 0 ? await this.#store.ids(Bucket.Organic, over) : [];
      // More new entries than the bound holds: the oldest of them are dropped unwritten.
      const kept = batch.sort(([a], [b]) => (a < b ? -1 : 1)).slice(Math.max(0, over - oldest.length));
      await this.#store.write([
        ...kept.map(([id, value]) => ({ type: "put" as const, bucket: Bucket.Organic, id, value })),
        ...oldest.map((id) => ({ type: "del" as const, bucket: Bucket.Organic, id })),
      ]);
      this.#count += kept.length - oldest.length;
    });
    return this.#writing;
  }

  /** Entries at or after `sinceMs`, oldest first (what waits included). */
  async since(sinceMs: number): Promise<OrganicRecord[]> {
    await this.flush();
    return (await this.#store.listFrom<OrganicRecord>(Bucket.Organic, idOf(sinceMs, 0))).map(([, r]) => r);
  }

  get size(): number {
    return this.#count + this.#pending.length;
  }
}
