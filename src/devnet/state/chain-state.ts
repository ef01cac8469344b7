/**
 * The chain's state: the head state in memory, undo logs of recent blocks so that any of them
 * can be read (Substrate keeps 256 by default), and an incrementally maintained commitment.
 *
 * The commitment is a multiset hash: the sum mod 2^256 of blake2_256(key ‖ value) over every entry,
 * hashed once more for the header. It is deterministic, updates in O(changed keys) per block, and
 * lets a restart verify that the stored state matches the stored head. It is not a Merkle trie
 * root, so the devnet serves no storage proofs.
 */
import { blake2_256, keyValueDigest } from "../codec/hashing.js";
import type { StateReader } from "./overlay.js";
import { CodedError } from "../../util/errors.js";

export type ChangeSet = ReadonlyMap<string, Uint8Array | null>;
/** The value each changed key had before the block: the undo log. */
export type UndoLog = ReadonlyMap<string, Uint8Array | null>;

export class StatePrunedError extends CodedError<"STATE_PRUNED"> {
  constructor(number: number) {
    super("STATE_PRUNED", `state of block #${number} is no longer kept (the devnet keeps the last blocks' state only)`);
  }
}

/** An entry's term of the commitment: blake2_256(key ‖ value) as 16 big-endian 16-bit units (hashing.ts). */
type Digest = string;

/**
 * Σ digests mod 2^256, with digests read as big-endian integers: kept as 16 column sums of their
 * 16-bit units (each an exact integer in a double for any realistic number of entries), carried
 * only when the commitment is taken, so adding or removing a digest costs 16 additions and no BigInt.
 */
class DigestSum {
  readonly columns: Float64Array;

  constructor(columns = new Float64Array(16)) {
    this.columns = columns;
  }

  /** Adds `added` and removes `removed` (either may be absent). */
  change(added: Digest | undefined, removed: Digest | undefined): void {
    const columns = this.columns;
    if (added !== undefined) for (let i = 0; i < 16; i++) columns[i] = columns[i]! + added.charCodeAt(i);
    if (removed !== undefined) for (let i = 0; i < 16; i++) columns[i] = columns[i]! - removed.charCodeAt(i);
  }

  copy(): DigestSum {
    return new DigestSum(this.columns.slice());
  }

  /** blake2_256 of the sum's 32 little-endian bytes. */
  commitment(): Uint8Array {
    const bytes = new Uint8Array(32);
    let carry = 0;
    for (let i = 15; i >= 0; i--) {
      const v = this.columns[i]! + carry;
      const unit = ((v % 65536) + 65536) % 65536;
      carry = (v - unit) / 65536;
      bytes[2 * (15 - i)] = unit & 0xff;
      bytes[2 * (15 - i) + 1] = unit >>> 8;
    }
    return blake2_256(bytes);
  }
}

/**
 * What rootAfter computed for a change set, for apply to reuse: the sum after it and the new
 * entries' digests, valid while the state is still the one it was computed on (its generation).
 */
interface PendingCommitment {
  readonly generation: number;
  readonly sum: DigestSum;
  /** The digest of each change's new value, in the change set's order (undefined for a deletion). */
  readonly digests: (Digest | undefined)[];
}

export class ChainState implements StateReader {
  readonly #values = new Map<string, Uint8Array>();
  /** Undo logs by block number, for the most recent `#history` blocks. */
  readonly #undo = new Map<number, UndoLog>();
  readonly #history: number;
  #headNumber = 0;
  /** Each entry's digest, so that a change costs one hash (the new value's), not two. */
  readonly #digests = new Map<string, Digest>();
  #sum = new DigestSum();
  readonly #pending = new WeakMap<ChangeSet, PendingCommitment>();
  /** Bumped by every load and apply. */
  #generation = 0;
  #sortedKeys: string[] | undefined;

  constructor(history: number) {
    this.#history = history;
  }

  get historyLength(): number {
    return this.#history;
  }

  get headNumber(): number {
    return this.#headNumber;
  }

  get size(): number {
    return this.#values.size;
  }

  get(key: string): Uint8Array | undefined {
    return this.#values.get(key);
  }

  *keysWithPrefix(prefix: string): Iterable<string> {
    for (const key of this.#values.keys()) if (key.startsWith(prefix)) yield key;
  }

  /** Every key, sorted (cached until the key set changes). */
  sortedKeys(): readonly string[] {
    this.#sortedKeys ??= [...this.#values.keys()].sort();
    return this.#sortedKeys;
  }

  /** Loads a stored state (at start-up) for block `headNumber`, with the undo logs kept for it. */
  load(entries: Iterable<[string, Uint8Array]>, headNumber: number, undo: Iterable<[number, UndoLog]>): void {
    this.#generation += 1;
    this.#values.clear();
    this.#digests.clear();
    this.#sum = new DigestSum();
    for (const [key, value] of entries) {
      const digest = keyValueDigest(key, value);
      this.#values.set(key, value);
      this.#digests.set(key, digest);
      this.#sum.change(digest, undefined);
    }
    this.#headNumber = headNumber;
    for (const [number, log] of undo) this.#undo.set(number, log);
    this.#sortedKeys = undefined;
  }

  /** The commitment of the head state. */
  root(): Uint8Array {
    return this.#sum.commitment();
  }

  /** The commitment the state would have after `changes`, without applying them. */
  rootAfter(changes: ChangeSet): Uint8Array {
    return this.#commitmentAfter(changes).sum.commitment();
  }

  #commitmentAfter(changes: ChangeSet): PendingCommitment {
    const known = this.#pending.get(changes);
    if (known && known.generation === this.#generation && known.digests.length === changes.size) return known;
    const sum = this.#sum.copy();
    const digests: (Digest | undefined)[] = new Array(changes.size);
    let at = 0;
    changes.forEach((value, key) => {
      const digest = value ? keyValueDigest(key, value) : undefined;
      sum.change(digest, this.#digests.get(key));
      digests[at++] = digest;
    });
    const pending = { generation: this.#generation, sum, digests };
    this.#pending.set(changes, pending);
    return pending;
  }

  /** The undo log `changes` will produce (what to store beside the block). */
  undoFor(changes: ChangeSet): UndoLog {
    const undo = new Map<string, Uint8Array | null>();
    for (const key of changes.keys()) undo.set(key, this.#values.get(key) ?? null);
    return undo;
  }

  /** Applies block `number`'s changes; returns the undo numbers that fell out of the history. */
  apply(number: number, changes: ChangeSet, undo: UndoLog): number[] {
    const { sum, digests } = this.#commitmentAfter(changes);
    this.#pending.delete(changes);
    this.#generation += 1;
    this.#sum = sum;
    let keySetChanged = false;
    let at = 0;
    changes.forEach((value, key) => {
      const digest = digests[at++];
      if (value) {
        if (!this.#values.has(key)) keySetChanged = true;
        this.#values.set(key, value);
        this.#digests.set(key, digest!);
      } else {
        this.#digests.delete(key);
        if (this.#values.delete(key)) keySetChanged = true;
      }
    });
    if (keySetChanged) this.#sortedKeys = undefined;
    this.#undo.set(number, undo);
    this.#headNumber = number;
    const pruned: number[] = [];
    for (const old of this.#undo.keys()) {
      if (old > number - this.#history) break;
      pruned.push(old);
    }
    for (const old of pruned) this.#undo.delete(old);
    return pruned;
  }

  /** The state as it was after block `number`. */
  at(number: number): StateReader & { sortedKeys(): readonly string[] } {
    if (number === this.#headNumber) return this;
    if (number > this.#headNumber || !this.#undo.has(number + 1)) throw new StatePrunedError(number);
    return new HistoricalState(this, this.#undo, number);
  }
}

/** A read-only view of an older block: the head's values, undone block by block. */
class HistoricalState implements StateReader {
  readonly #head: ChainState;
  readonly #logs: UndoLog[];

  constructor(head: ChainState, undo: ReadonlyMap<number, UndoLog>, number: number) {
    this.#head = head;
    this.#logs = [];
    for (let n = number + 1; n <= head.headNumber; n++) this.#logs.push(undo.get(n)!);
  }

  get(key: string): Uint8Array | undefined {
    for (const log of this.#logs) {
      const before = log.get(key);
      if (before !== undefined) return before ?? undefined;
    }
    return this.#head.get(key);
  }

  *keysWithPrefix(prefix: string): Iterable<string> {
    for (const key of this.sortedKeys()) if (key.startsWith(prefix)) yield key;
  }

  sortedKeys(): readonly string[] {
    const keys = new Set(this.#head.sortedKeys());
    for (const log of this.#logs) for (const key of log.keys()) keys.add(key);
    return [...keys].filter((key) => this.get(key) !== undefined).sort();
  }
}
