/**
 * Records each subnet's epochs as the chain runs them: when a subnet's epoch index moves on, the
 * epoch is read from the state of its block and stored — and any epoch between it and the last one
 * seen (blocks read late), from their blocks; at start, the epochs missed since the last run are
 * read back while the node still holds their state (a node keeps the last blocks' state, an archive
 * node all of it), at most `backfillEpochs`. One epoch is read at a time, and a subnet waits in the
 * queue once at most (a later epoch only moves its target): however fast the chain, the queue holds
 * no more than the subnets.
 */
import type { EpochRecord } from "../model/history.js";
import { isStateGone, type EpochMark } from "./chain-reads.js";

/** An epoch read from the chain (src/web/server/chain-reads.ts readEpochRecord). */
export type EpochRead = { readonly record: EpochRecord; readonly previousEpochBlock: number; readonly blockHash: string } | undefined;

export interface EpochRecorderModules {
  /** Reads the epoch that ran in `block`; throws what isStateGone recognises when the node no longer holds it. */
  readonly readEpoch: (netuid: number, block: number) => Promise<EpochRead>;
  /** Epochs already recorded for a subnet, ascending. */
  readonly recordedEpochs: (netuid: number) => readonly number[];
  /** Stores a record (with its block's hash) and tells the pages. */
  readonly store: (record: EpochRecord, blockHash: string) => Promise<void>;
  readonly warn: (message: string, context: Record<string, unknown>) => void;
}

export class EpochRecorder {
  readonly #backfillEpochs: number;
  readonly #m: EpochRecorderModules;
  readonly #marks = new Map<number, EpochMark>();
  /** Subnets waiting for a read-back: the newest epoch to read and where to stop. */
  readonly #due = new Map<number, { mark: EpochMark; stopBlock: number | undefined }>();
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;
  #stopped = false;

  constructor(options: { backfillEpochs: number }, modules: EpochRecorderModules) {
    this.#backfillEpochs = options.backfillEpochs;
    this.#m = modules;
  }

  /** Read-backs queued or running (at most two per subnet: one running, one waiting). */
  get pending(): number {
    return this.#pending;
  }

  /** Resolves once every read queued so far is done. */
  idle(): Promise<void> {
    return this.#queue;
  }

  /** Reads no more: what is queued is dropped, a read-back stops after the epoch in hand. Resolves once nothing runs. */
  stop(): Promise<void> {
    this.#stopped = true;
    return this.#queue;
  }

  /** The subnets' epoch marks at a new block: a subnet seen for the first time is read back; one whose epoch moved on, recorded. */
  observe(marks: ReadonlyMap<number, EpochMark>): void {
    for (const [netuid, mark] of marks) {
      const known = this.#marks.get(netuid);
      this.#marks.set(netuid, mark);
      if (mark.lastEpochBlock === 0) continue;
      if (known && mark.epoch === known.epoch && mark.lastEpochBlock === known.lastEpochBlock) continue;
      const due = this.#due.get(netuid);
      if (due) due.mark = mark;
      else {
        this.#due.set(netuid, { mark, stopBlock: known?.lastEpochBlock });
        this.#enqueue(netuid);
      }
    }
    for (const netuid of [...this.#marks.keys()]) if (!marks.has(netuid)) this.#marks.delete(netuid);
  }

  #enqueue(netuid: number): void {
    if (this.#stopped) return;
    this.#pending += 1;
    this.#queue = this.#queue
      .then(() => {
        const due = this.#due.get(netuid);
        this.#due.delete(netuid);
        return due && !this.#stopped ? this.#readBack(netuid, due.mark, due.stopBlock) : undefined;
      })
      .catch((error: Error) => this.#m.warn("recording an epoch failed", { error: error.message }))
      .finally(() => {
        this.#pending -= 1;
      });
  }

  /**
   * The epochs from `mark` back to the last one recorded (or to `stopBlock`, the epoch seen before),
   * newest first while the node holds their state, each stored as it is read (the charts fill in
   * meanwhile; what was read is kept if the dashboard stops half-way).
   */
  async #readBack(netuid: number, mark: EpochMark, stopBlock: number | undefined): Promise<void> {
    const recorded = this.#m.recordedEpochs(netuid);
    const latest = recorded.length > 0 ? recorded[recorded.length - 1]! : undefined;
    let found = 0;
    let block = mark.lastEpochBlock;
    while (found < this.#backfillEpochs && block > 0 && block !== stopBlock && !this.#stopped) {
      let read: EpochRead;
      try {
        read = await this.#m.readEpoch(netuid, block);
      } catch (error) {
        if (!isStateGone(error)) throw error;
        if (found === 0) this.#m.warn("an epoch's state is no longer held by the node; not recorded", { netuid, block });
        break;
      }
      if (!read || (latest !== undefined && read.record.epoch <= latest)) break;
      await this.#m.store(read.record, read.blockHash);
      found += 1;
      if (read.previousEpochBlock >= block) break;
      block = read.previousEpochBlock;
    }
  }
}
