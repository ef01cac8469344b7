/** Headers and blocks: SCALE encodings, hashes, and the JSON shapes of the chain_* RPCs. */
import { blake2_256 } from "../codec/hashing.js";
import { toHex } from "../codec/hex.js";
import { ScaleReader, ScaleWriter } from "../codec/scale.js";

export interface DigestLog {
  /** PreRuntime (6), Consensus (4), Seal (5). */
  readonly kind: 4 | 5 | 6;
  readonly engine: Uint8Array;
  readonly data: Uint8Array;
}

export interface Header {
  readonly parentHash: Uint8Array;
  readonly number: number;
  readonly stateRoot: Uint8Array;
  readonly extrinsicsRoot: Uint8Array;
  readonly digest: readonly DigestLog[];
}

export interface Block {
  readonly header: Header;
  readonly hash: Uint8Array;
  /** Each extrinsic with its length prefix, as submitted. */
  readonly extrinsics: readonly Uint8Array[];
}

export function encodeDigest(logs: readonly DigestLog[]): Uint8Array {
  return new ScaleWriter(64).vec(logs, (w, log) => w.u8(log.kind).raw(log.engine).bytes(log.data)).finish();
}

export function encodeHeader(h: Header): Uint8Array {
  return new ScaleWriter(160).raw(h.parentHash).compact(h.number).raw(h.stateRoot).raw(h.extrinsicsRoot).raw(encodeDigest(h.digest)).finish();
}

export function decodeHeader(r: ScaleReader): Header {
  const parentHash = r.raw(32).slice();
  const number = r.compactNumber();
  const stateRoot = r.raw(32).slice();
  const extrinsicsRoot = r.raw(32).slice();
  const count = r.compactNumber();
  const digest: DigestLog[] = [];
  for (let i = 0; i < count; i++) {
    const kind = r.u8();
    if (kind !== 4 && kind !== 5 && kind !== 6) throw new Error(`unsupported digest item ${kind}`);
    digest.push({ kind, engine: r.raw(4).slice(), data: r.bytes().slice() });
  }
  return { parentHash, number, stateRoot, extrinsicsRoot, digest };
}

export function hashHeader(h: Header): Uint8Array {
  return blake2_256(encodeHeader(h));
}

/** `Block` as stored: header then `Vec<Extrinsic>` (each extrinsic keeps its own length prefix). */
export function encodeBlock(block: Block): Uint8Array {
  const w = new ScaleWriter(256).raw(encodeHeader(block.header)).compact(block.extrinsics.length);
  for (const xt of block.extrinsics) w.raw(xt);
  return w.finish();
}

export function decodeBlock(bytes: Uint8Array): Block {
  const r = new ScaleReader(bytes);
  const header = decodeHeader(r);
  const count = r.compactNumber();
  const extrinsics: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const start = r.offset;
    const len = r.compactNumber();
    r.raw(len);
    extrinsics.push(bytes.slice(start, r.offset));
  }
  return { header, hash: hashHeader(header), extrinsics };
}

/**
 * The extrinsics root: blake2_256 of the SCALE list of extrinsics. Deterministic and binding, but
 * not Substrate's ordered trie root (the devnet serves no proofs).
 */
export function extrinsicsRoot(extrinsics: readonly Uint8Array[]): Uint8Array {
  const w = new ScaleWriter(256).compact(extrinsics.length);
  for (const xt of extrinsics) w.raw(xt);
  return blake2_256(w.finish());
}

export function headerJson(h: Header): Record<string, unknown> {
  return {
    parentHash: toHex(h.parentHash),
    number: `0x${h.number.toString(16)}`,
    stateRoot: toHex(h.stateRoot),
    extrinsicsRoot: toHex(h.extrinsicsRoot),
    digest: { logs: h.digest.map((log) => toHex(new ScaleWriter(64).u8(log.kind).raw(log.engine).bytes(log.data).finish())) },
  };
}

export function signedBlockJson(block: Block): Record<string, unknown> {
  return { block: { header: headerJson(block.header), extrinsics: block.extrinsics.map(toHex) }, justifications: null };
}
