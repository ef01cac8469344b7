/**
 * The dashboard's durable history, in its own level database (src/db): per subnet the records of
 * its last `maxEpochs` epochs and its last `maxActivity` activity entries — each write, with the
 * trimming it causes, one atomic batch. The history belongs to one chain: a database kept for
 * another chain, or for a dev chain since started over (the block it last recorded now has another
 * hash), is emptied at open, and says so.
 */
import { Bucket, Store, type Operation } from "../../db/store.js";
import type { Activity } from "../model/api.js";
import type { EpochRecord } from "../model/history.js";

const META_ID = "dashboard";

interface Meta {
  readonly genesisHash: string;
  /** A block recorded and its hash: if the chain no longer has this hash there, it was started over. */
  readonly anchor?: { readonly block: number; readonly hash: string };
}

export interface HistoryLimits {
  /** Epoch records kept per subnet. */
  readonly maxEpochs: number;
  /** Activity entries kept per subnet. */
  readonly maxActivity: number;
}

const pad = (n: number, width: number): string => n.toString().padStart(width, "0");
const epochId = (netuid: number, epoch: number): string => `${pad(netuid, 5)}/${pad(epoch, 12)}`;
const activityId = (netuid: number, block: number, seq: number): string => `${pad(netuid, 5)}/${pad(block, 12)}/${pad(seq, 9)}`;
const netuidOf = (id: string): number => Number(id.slice(0, 5));

/** The ids of one subnet's records, ascending (they sort as the keys do). */
class IdIndex {
  readonly #ids = new Map<number, string[]>();

  add(id: string): void {
    const netuid = netuidOf(id);
    const list = this.#ids.get(netuid) ?? [];
    if (list.length > 0 && list[list.length - 1]! >= id) {
      if (list.includes(id)) return;
      list.push(id);
      list.sort();
    } else list.push(id);
    this.#ids.set(netuid, list);
  }

  of(netuid: number): readonly string[] {
    return this.#ids.get(netuid) ?? [];
  }

  /** Removes and returns the oldest ids beyond `keep`. */
  trim(netuid: number, keep: number): string[] {
    const list = this.#ids.get(netuid) ?? [];
    return list.length > keep ? list.splice(0, list.length - keep) : [];
  }

  netuids(): number[] {
    return [...this.#ids.keys()].sort((a, b) => a - b);
  }

  clear(): void {
    this.#ids.clear();
  }
}

export class HistoryStore {
  readonly #store: Store;
  readonly #limits: HistoryLimits;
  readonly #epochs = new IdIndex();
  readonly #activity = new IdIndex();
  #meta: Meta;
  #seq = 0;

  private constructor(store: Store, limits: HistoryLimits, meta: Meta) {
    this.#store = store;
    this.#limits = limits;
    this.#meta = meta;
  }

  /**
   * Opens the history at `path` for the chain of `genesisHash`; `hashAt(block)` says which hash the
   * chain has at a block now (undefined: none yet). Resolves with the store and why it was emptied, if it was.
   */
  static async open(path: string, genesisHash: string, limits: HistoryLimits, hashAt: (block: number) => Promise<string | undefined>): Promise<{ store: HistoryStore; emptied?: string }> {
    const store = await Store.open(path);
    try {
      const meta = await store.get<Meta>(Bucket.Meta, META_ID);
      const history = new HistoryStore(store, limits, { genesisHash });
      for (const id of await store.ids(Bucket.DashboardEpochs)) history.#epochs.add(id);
      for (const id of await store.ids(Bucket.DashboardActivity)) {
        history.#activity.add(id);
        history.#seq = Math.max(history.#seq, Number(id.slice(-9)) + 1);
      }
      let emptied: string | undefined;
      if (meta && meta.genesisHash !== genesisHash) emptied = `it was kept for another chain (genesis ${meta.genesisHash.slice(0, 10)}…)`;
      else if (meta?.anchor && (await hashAt(meta.anchor.block)) !== meta.anchor.hash) emptied = `the chain was started over (block ${meta.anchor.block} is not the one recorded)`;
      if (emptied !== undefined) await history.#clear();
      else if (meta) history.#meta = meta;
      await store.put(Bucket.Meta, META_ID, history.#meta);
      return { store: history, ...(emptied === undefined ? {} : { emptied }) };
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  async #clear(): Promise<void> {
    const ops: Operation[] = [
      ...this.#epochs.netuids().flatMap((n) => this.#epochs.of(n).map((id): Operation => ({ type: "del", bucket: Bucket.DashboardEpochs, id }))),
      ...this.#activity.netuids().flatMap((n) => this.#activity.of(n).map((id): Operation => ({ type: "del", bucket: Bucket.DashboardActivity, id }))),
    ];
    if (ops.length > 0) await this.#store.write(ops);
    this.#epochs.clear();
    this.#activity.clear();
  }

  get path(): string {
    return this.#store.path;
  }

  /** The subnets that have epoch records. */
  recordedNetuids(): number[] {
    return this.#epochs.netuids();
  }

  /** The epoch indexes recorded for a subnet, ascending. */
  recordedEpochs(netuid: number): number[] {
    return this.#epochs.of(netuid).map((id) => Number(id.slice(6)));
  }

  /** Stores an epoch's record (replacing one of the same epoch), drops the oldest beyond the bound, and remembers `anchorHash` as the hash of its block. */
  async addEpoch(record: EpochRecord, anchorHash: string): Promise<void> {
    const id = epochId(record.netuid, record.epoch);
    this.#epochs.add(id);
    const dropped = this.#epochs.trim(record.netuid, this.#limits.maxEpochs);
    const anchor = !this.#meta.anchor || record.block >= this.#meta.anchor.block ? { block: record.block, hash: anchorHash } : this.#meta.anchor;
    this.#meta = { ...this.#meta, anchor };
    await this.#store.write([
      ...(dropped.includes(id) ? [] : [{ type: "put" as const, bucket: Bucket.DashboardEpochs, id, value: record }]),
      ...dropped.filter((d) => d !== id).map((d): Operation => ({ type: "del", bucket: Bucket.DashboardEpochs, id: d })),
      { type: "put", bucket: Bucket.Meta, id: META_ID, value: this.#meta },
    ]);
  }

  /** The latest `limit` records of a subnet, ascending by epoch. */
  async epochs(netuid: number, limit: number): Promise<EpochRecord[]> {
    const ids = this.#epochs.of(netuid);
    if (ids.length === 0 || limit <= 0) return [];
    const from = ids[Math.max(0, ids.length - limit)]!;
    const rows = await this.#store.listFrom<EpochRecord>(Bucket.DashboardEpochs, from, Math.min(limit, ids.length));
    return rows.filter(([id]) => netuidOf(id) === netuid).map(([, record]) => record);
  }

  /** Appends activity entries of a subnet, dropping the oldest beyond the bound. */
  async addActivity(netuid: number, items: readonly Activity[]): Promise<void> {
    if (items.length === 0) return;
    const ops: Operation[] = items.map((item) => {
      const id = activityId(netuid, item.block, this.#seq++);
      this.#activity.add(id);
      return { type: "put", bucket: Bucket.DashboardActivity, id, value: item };
    });
    const added = new Set(ops.map((op) => op.id));
    const dropped = new Set(this.#activity.trim(netuid, this.#limits.maxActivity));
    await this.#store.write([
      ...ops.filter((op) => !dropped.has(op.id)),
      ...[...dropped].filter((id) => !added.has(id)).map((id): Operation => ({ type: "del", bucket: Bucket.DashboardActivity, id })),
    ]);
  }

  /** A subnet's latest `limit` activity entries, newest first. */
  async activity(netuid: number, limit: number): Promise<Activity[]> {
    const ids = this.#activity.of(netuid);
    if (ids.length === 0 || limit <= 0) return [];
    const from = ids[Math.max(0, ids.length - limit)]!;
    const rows = await this.#store.listFrom<Activity>(Bucket.DashboardActivity, from, Math.min(limit, ids.length));
    return rows
      .filter(([id]) => netuidOf(id) === netuid)
      .map(([, item]) => item)
      .reverse();
  }

  async close(): Promise<void> {
    await this.#store.close();
  }
}
