/**
 * Records each subnet's epochs as the chain runs them: when a subnet's epoch index moves on, the
 * epoch is read from the state of its block and stored — and any epoch between it and the last one
 * seen (blocks read late), from their blocks; at start, the epochs missed since the last run are
 * read back while the node still holds their state (a node keeps the last blocks' state, an archive
 * node all of it), at most `backfillEpochs`. One epoch is read at a time (a queue), so recording
 * never piles reads onto a block.
 */
import type { ApiPromise } from "@polkadot/api";
import type { EpochRecord } from "../model/history.js";
import { isStateGone, readEpochRecord, type EpochMark } from "./chain-reads.js";

export interface EpochRecorderModules {
  readonly api: ApiPromise;
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
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;
  #stopped = false;

  constructor(options: { backfillEpochs: number }, modules: EpochRecorderModules) {
    this.#backfillEpochs = options.backfillEpochs;
    this.#m = modules;
  }

  /** Reads queued or running. */
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
      if (!known || mark.epoch !== known.epoch || mark.lastEpochBlock !== known.lastEpochBlock) this.#enqueue(() => this.#readBack(netuid, mark, known?.lastEpochBlock));
    }
    for (const netuid of [...this.#marks.keys()]) if (!marks.has(netuid)) this.#marks.delete(netuid);
  }

  #enqueue(task: () => Promise<void>): void {
    if (this.#stopped) return;
    this.#pending += 1;
    this.#queue = this.#queue
      .then(() => (this.#stopped ? undefined : task()))
      .catch((error: Error) => this.#m.warn("recording an epoch failed", { error: error.message }))
      .finally(() => {
        this.#pending -= 1;
      });
  }

  /**
   * The epochs from `mark` back to the last one recorded (or to `stopBlock`, the epoch seen before),
   * newest first while the node holds their state, then stored oldest first.
   */
  async #readBack(netuid: number, mark: EpochMark, stopBlock: number | undefined): Promise<void> {
    const recorded = this.#m.recordedEpochs(netuid);
    const latest = recorded.length > 0 ? recorded[recorded.length - 1]! : undefined;
    const found: { record: EpochRecord; blockHash: string }[] = [];
    let block = mark.lastEpochBlock;
    while (found.length < this.#backfillEpochs && block > 0 && block !== stopBlock && !this.#stopped) {
      let read: Awaited<ReturnType<typeof readEpochRecord>>;
      try {
        read = await readEpochRecord(this.#m.api, netuid, block);
      } catch (error) {
        if (!isStateGone(error)) throw error;
        if (found.length === 0) this.#m.warn("an epoch's state is no longer held by the node; not recorded", { netuid, block });
        break;
      }
      if (!read || (latest !== undefined && read.record.epoch <= latest)) break;
      found.push({ record: read.record, blockHash: read.blockHash });
      if (read.previousEpochBlock >= block) break;
      block = read.previousEpochBlock;
    }
    // What was read is stored, even when stopping: it is the history's own.
    for (const { record, blockHash } of found.reverse()) await this.#m.store(record, blockHash);
  }
}
