/**
 * Persistence in level: each block is one atomic batch holding its header and body, its number
 * → hash entry, its state changes, its undo log and the new head pointer. After a crash the
 * database holds exactly the blocks whose batch completed, with their state.
 */
import { Level } from "level";
import { fromHex, toHex } from "../codec/hex.js";
import { ScaleReader, ScaleWriter } from "../codec/scale.js";
import type { ChangeSet, UndoLog } from "../state/chain-state.js";
import { decodeBlock, encodeBlock, type Block } from "./block.js";

const HEAD = "meta:head";
const GENESIS = "meta:genesis";
const BLOCK = "b:";
const NUMBER = "n:";
const STATE = "s:";
const UNDO = "u:";
/** Sorts numerically as a string. */
const numberKey = (n: number): string => n.toString().padStart(10, "0");

export interface StoredGenesis {
  /** A digest of the genesis configuration, to refuse a data dir made from another one. */
  readonly configDigest: string;
  readonly hash: string;
}

export interface StoredHead {
  readonly number: number;
  readonly hash: Uint8Array;
}

export class BlockStore {
  readonly #db: Level<string, Uint8Array>;

  private constructor(db: Level<string, Uint8Array>) {
    this.#db = db;
  }

  static async open(path: string): Promise<BlockStore> {
    const db = new Level<string, Uint8Array>(path, { keyEncoding: "utf8", valueEncoding: "view" });
    await db.open();
    return new BlockStore(db);
  }

  async close(): Promise<void> {
    await this.#db.close();
  }

  async genesis(): Promise<StoredGenesis | undefined> {
    const bytes = await this.#db.get(GENESIS);
    return bytes ? (JSON.parse(Buffer.from(bytes).toString("utf8")) as StoredGenesis) : undefined;
  }

  async head(): Promise<StoredHead | undefined> {
    const bytes = await this.#db.get(HEAD);
    if (!bytes) return undefined;
    const r = new ScaleReader(bytes);
    return { number: r.u32(), hash: r.raw(32).slice() };
  }

  async block(hash: Uint8Array): Promise<Block | undefined> {
    const bytes = await this.#db.get(BLOCK + toHex(hash));
    return bytes ? decodeBlock(bytes) : undefined;
  }

  /** Every block hash, in block order. */
  async hashes(): Promise<Uint8Array[]> {
    const hashes: Uint8Array[] = [];
    for await (const value of this.#db.values({ gte: NUMBER, lt: `${NUMBER}~` })) hashes.push(value.slice());
    return hashes;
  }

  async *state(): AsyncIterable<[string, Uint8Array]> {
    for await (const [key, value] of this.#db.iterator({ gte: STATE, lt: `${STATE}~` })) yield [key.slice(STATE.length), value.slice()];
  }

  async undoLogs(): Promise<[number, UndoLog][]> {
    const logs: [number, UndoLog][] = [];
    for await (const [key, value] of this.#db.iterator({ gte: UNDO, lt: `${UNDO}~` })) logs.push([Number(key.slice(UNDO.length)), decodeUndo(value)]);
    return logs;
  }

  /** Writes the genesis block and state in one batch. */
  async writeGenesis(genesis: StoredGenesis, block: Block, state: ChangeSet): Promise<void> {
    const ops = this.#blockOps(block, state, new Map(), []);
    ops.push({ type: "put", key: GENESIS, value: Buffer.from(JSON.stringify(genesis)) });
    await this.#db.batch(ops);
  }

  /** Writes one block with its state changes, atomically. */
  async writeBlock(block: Block, changes: ChangeSet, undo: UndoLog, prunedUndo: readonly number[]): Promise<void> {
    await this.#db.batch(this.#blockOps(block, changes, undo, prunedUndo));
  }

  #blockOps(block: Block, changes: ChangeSet, undo: UndoLog, prunedUndo: readonly number[]) {
    const number = block.header.number;
    const ops: ({ type: "put"; key: string; value: Uint8Array } | { type: "del"; key: string })[] = [
      { type: "put", key: BLOCK + toHex(block.hash), value: encodeBlock(block) },
      { type: "put", key: NUMBER + numberKey(number), value: block.hash },
      { type: "put", key: HEAD, value: new ScaleWriter(36).u32(number).raw(block.hash).finish() },
    ];
    for (const [key, value] of changes) ops.push(value ? { type: "put", key: STATE + key, value } : { type: "del", key: STATE + key });
    if (undo.size > 0) ops.push({ type: "put", key: UNDO + numberKey(number), value: encodeUndo(undo) });
    for (const old of prunedUndo) ops.push({ type: "del", key: UNDO + numberKey(old) });
    return ops;
  }
}

function encodeUndo(undo: UndoLog): Uint8Array {
  const w = new ScaleWriter(1024).compact(undo.size);
  for (const [key, value] of undo) w.bytes(fromHex(key)).option(value, (w, v) => w.bytes(v));
  return w.finish();
}

function decodeUndo(bytes: Uint8Array): UndoLog {
  const r = new ScaleReader(bytes);
  const undo = new Map<string, Uint8Array | null>();
  const count = r.compactNumber();
  for (let i = 0; i < count; i++) {
    const key = toHex(r.bytes());
    undo.set(key, r.u8() === 1 ? r.bytes().slice() : null);
  }
  return undo;
}
