/**
 * The latest epochs of the subnets being looked at, kept compact in memory so that a page's charts
 * are answered at once: at most `epochs` per subnet and `subnets` subnets (the least recently
 * asked for is dropped; the store still has it). Bounded, whatever the chain does.
 */
import { compactEpoch, type CompactEpoch, type EpochRecord } from "../model/history.js";

export interface HistoryCacheLimits {
  readonly epochs: number;
  readonly subnets: number;
}

export class HistoryCache {
  readonly #limits: HistoryCacheLimits;
  readonly #load: (netuid: number, limit: number) => Promise<EpochRecord[]>;
  /** In least-recently-used order (a Map keeps insertion order). */
  readonly #subnets = new Map<number, CompactEpoch[]>();
  readonly #loading = new Map<number, Promise<CompactEpoch[]>>();
  /** Records added while their subnet was being loaded (the load may have read the store before them). */
  readonly #arrived = new Map<number, CompactEpoch[]>();

  constructor(limits: HistoryCacheLimits, load: (netuid: number, limit: number) => Promise<EpochRecord[]>) {
    this.#limits = limits;
    this.#load = load;
  }

  /** A subnet's latest epochs, ascending (loaded from the store the first time). */
  async epochs(netuid: number): Promise<readonly CompactEpoch[]> {
    const cached = this.#subnets.get(netuid);
    if (cached) {
      this.#subnets.delete(netuid);
      this.#subnets.set(netuid, cached);
      return cached;
    }
    let loading = this.#loading.get(netuid);
    if (!loading) {
      loading = this.#load(netuid, this.#limits.epochs).then((records) => records.map(compactEpoch));
      this.#loading.set(netuid, loading);
    }
    try {
      const loaded = await loading;
      const arrived = this.#arrived.get(netuid) ?? [];
      const current = this.#subnets.get(netuid) ?? merge(loaded, arrived, this.#limits.epochs);
      this.#put(netuid, current);
      return this.#subnets.get(netuid)!;
    } finally {
      this.#loading.delete(netuid);
      this.#arrived.delete(netuid);
    }
  }

  /** A new record: added where the subnet is cached (replacing the same epoch); otherwise it is read from the store when asked for. */
  add(record: EpochRecord): void {
    const list = this.#subnets.get(record.netuid);
    if (list) this.#subnets.set(record.netuid, merge(list, [compactEpoch(record)], this.#limits.epochs));
    else if (this.#loading.has(record.netuid)) this.#arrived.set(record.netuid, [...(this.#arrived.get(record.netuid) ?? []), compactEpoch(record)]);
  }

  #put(netuid: number, epochs: CompactEpoch[]): void {
    this.#subnets.delete(netuid);
    this.#subnets.set(netuid, epochs.slice(-this.#limits.epochs));
    while (this.#subnets.size > this.#limits.subnets) this.#subnets.delete(this.#subnets.keys().next().value!);
  }

  /** Subnets held in memory, least recently used first (for tests and memory checks). */
  held(): number[] {
    return [...this.#subnets.keys()];
  }
}

/** `epochs` with `added` (replacing the same epochs), ascending, the latest `limit`. */
function merge(epochs: readonly CompactEpoch[], added: readonly CompactEpoch[], limit: number): CompactEpoch[] {
  const replaced = new Set(added.map((e) => e.epoch));
  return [...epochs.filter((e) => !replaced.has(e.epoch)), ...added].sort((a, b) => a.epoch - b.epoch).slice(-limit);
}
