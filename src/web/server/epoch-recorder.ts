/**
 * Records each subnet's epochs as the chain runs them: when a subnet's epoch index moves on, the
 * epoch is read from the state of its block and stored; at start, the epochs missed since the last
 * run are read back while the node still holds their state (a node keeps the last blocks' state,
 * an archive node all of it), newest first, at most `backfillEpochs`. One epoch is read at a time
 * (a queue), so recording never piles reads onto a block.
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

  /** The subnets' epoch marks at a new block: a subnet seen for the first time is read back; one whose epoch moved on, recorded. */
  observe(marks: ReadonlyMap<number, EpochMark>): void {
    for (const [netuid, mark] of marks) {
      const known = this.#marks.get(netuid);
      this.#marks.set(netuid, mark);
      if (mark.lastEpochBlock === 0) continue;
      if (!known) this.#enqueue(() => this.#backfill(netuid, mark));
      else if (mark.epoch !== known.epoch || mark.lastEpochBlock !== known.lastEpochBlock) this.#enqueue(() => this.#recordAt(netuid, mark.lastEpochBlock));
    }
    for (const netuid of [...this.#marks.keys()]) if (!marks.has(netuid)) this.#marks.delete(netuid);
  }

  #enqueue(task: () => Promise<void>): void {
    this.#pending += 1;
    this.#queue = this.#queue
      .then(task)
      .catch((error: Error) => this.#m.warn("recording an epoch failed", { error: error.message }))
      .finally(() => {
        this.#pending -= 1;
      });
  }

  async #recordAt(netuid: number, block: number): Promise<void> {
    try {
      const read = await readEpochRecord(this.#m.api, netuid, block);
      if (read) await this.#m.store(read.record, read.blockHash);
    } catch (error) {
      if (!isStateGone(error)) throw error;
      this.#m.warn("an epoch's state is no longer held by the node; not recorded", { netuid, block });
    }
  }

  /** The epochs since the last one recorded, newest first while their state is held, then stored oldest first. */
  async #backfill(netuid: number, mark: EpochMark): Promise<void> {
    const recorded = this.#m.recordedEpochs(netuid);
    const latest = recorded.length > 0 ? recorded[recorded.length - 1]! : undefined;
    const found: { record: EpochRecord; blockHash: string }[] = [];
    let block = mark.lastEpochBlock;
    while (found.length < this.#backfillEpochs && block > 0) {
      let read: Awaited<ReturnType<typeof readEpochRecord>>;
      try {
        read = await readEpochRecord(this.#m.api, netuid, block);
      } catch (error) {
        if (isStateGone(error)) break;
        throw error;
      }
      if (!read || (latest !== undefined && read.record.epoch <= latest)) break;
      found.push({ record: read.record, blockHash: read.blockHash });
      if (read.previousEpochBlock >= block) break;
      block = read.previousEpochBlock;
    }
    for (const { record, blockHash } of found.reverse()) await this.#m.store(record, blockHash);
  }
}
