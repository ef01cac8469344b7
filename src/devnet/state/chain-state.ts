/**
 * The chain's state: the head state in memory, undo logs of recent blocks so that any of them
 * can be read (Substrate keeps 256 by default), and an incrementally maintained commitment.
 *
 * The commitment is a multiset hash: the sum mod 2^256 of blake2_256(key ‖ value) over every entry,
 * hashed once more for the header. It is deterministic, updates in O(changed keys) per block, and
 * lets a restart verify that the stored state matches the stored head. It is not a Merkle trie
 * root, so the devnet serves no storage proofs.
 */
import { blake2_256 } from "../codec/hashing.js";
import { fromHex } from "../codec/hex.js";
import { concatBytes, ScaleWriter } from "../codec/scale.js";
import type { StateReader } from "./overlay.js";
import { CodedError } from "../../util/errors.js";

const MOD = 1n << 256n;

export type ChangeSet = ReadonlyMap<string, Uint8Array | null>;
/** The value each changed key had before the block: the undo log. */
export type UndoLog = ReadonlyMap<string, Uint8Array | null>;

export class StatePrunedError extends CodedError<"STATE_PRUNED"> {
  constructor(number: number) {
    super("STATE_PRUNED", `state of block #${number} is no longer kept (the devnet keeps the last blocks' state only)`);
  }
}

function entryDigest(key: string, value: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(blake2_256(concatBytes(fromHex(key), value))).toString("hex")}`);
}

export class ChainState implements StateReader {
  readonly #values = new Map<string, Uint8Array>();
  /** Undo logs by block number, for the most recent `#history` blocks. */
  readonly #undo = new Map<number, UndoLog>();
  readonly #history: number;
  #headNumber = 0;
  #sum = 0n;
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
    this.#values.clear();
    this.#sum = 0n;
    for (const [key, value] of entries) {
      this.#values.set(key, value);
      this.#sum = (this.#sum + entryDigest(key, value)) % MOD;
    }
    this.#headNumber = headNumber;
    for (const [number, log] of undo) this.#undo.set(number, log);
    this.#sortedKeys = undefined;
  }

  /** The commitment of the head state. */
  root(): Uint8Array {
    return commitment(this.#sum);
  }

  /** The commitment the state would have after `changes`, without applying them. */
  rootAfter(changes: ChangeSet): Uint8Array {
    return commitment(this.#sumAfter(changes));
  }

  #sumAfter(changes: ChangeSet): bigint {
    let sum = this.#sum;
    for (const [key, value] of changes) {
      const old = this.#values.get(key);
      if (old) sum -= entryDigest(key, old);
      if (value) sum += entryDigest(key, value);
    }
    return ((sum % MOD) + MOD) % MOD;
  }

  /** The undo log `changes` will produce (what to store beside the block). */
  undoFor(changes: ChangeSet): UndoLog {
    const undo = new Map<string, Uint8Array | null>();
    for (const key of changes.keys()) undo.set(key, this.#values.get(key) ?? null);
    return undo;
  }

  /** Applies block `number`'s changes; returns the undo numbers that fell out of the history. */
  apply(number: number, changes: ChangeSet, undo: UndoLog): number[] {
    this.#sum = this.#sumAfter(changes);
    let keySetChanged = false;
    for (const [key, value] of changes) {
      if (value) {
        if (!this.#values.has(key)) keySetChanged = true;
        this.#values.set(key, value);
      } else if (this.#values.delete(key)) keySetChanged = true;
    }
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

function commitment(sum: bigint): Uint8Array {
  const w = new ScaleWriter(32);
  let rest = sum;
  for (let i = 0; i < 32; i++, rest >>= 8n) w.u8(Number(rest & 0xffn));
  return blake2_256(w.finish());
}
