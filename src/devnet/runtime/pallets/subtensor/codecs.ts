/** SCALE codecs for the values SubtensorModule stores, written by hand for speed (no codec objects). */
import { ScaleDecodeError, ScaleReader, ScaleWriter } from "../../../codec/scale.js";
import { EMPTY_ROW, type SparseRow } from "../../../../yuma/index.js";

export interface ValueCodec<V> {
  encode(value: V): Uint8Array;
  decode(bytes: Uint8Array): V;
}

export const u8: ValueCodec<number> = {
  encode: (v) => Uint8Array.of(v & 0xff),
  decode: (b) => new ScaleReader(b).u8(),
};
export const u16: ValueCodec<number> = {
  encode: (v) => new ScaleWriter(2).u16(v).finish(),
  decode: (b) => new ScaleReader(b).u16(),
};
export const u32: ValueCodec<number> = {
  encode: (v) => new ScaleWriter(4).u32(v).finish(),
  decode: (b) => new ScaleReader(b).u32(),
};
/*
 * u64 and u128 (and the i64 of SafeFloat), read and written byte by byte through numbers when the
 * value is below 2^53 (stake and emission always are), through BigInt and a DataView otherwise:
 * the same bytes, without a reader, a writer or a DataView per value on the stake paths every
 * epoch walks for every uid.
 */
const TWO_POW_32 = 4294967296;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Bytes at..at+8 as a little-endian u64, as a number when below 2^53, else undefined. */
function smallU64(b: Uint8Array, at: number): number | undefined {
  const high = (b[at + 4]! | (b[at + 5]! << 8) | (b[at + 6]! << 16)) + b[at + 7]! * 16777216;
  if (high >= 2097152) return undefined;
  const low = (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 16777216;
  return high * TWO_POW_32 + low;
}

function zeroFrom(b: Uint8Array, at: number, length: number): boolean {
  for (let i = at; i < at + length; i++) if (b[i] !== 0) return false;
  return true;
}

/** Writes 0 ≤ v < 2^53 as a little-endian u64 at `at`. */
function writeSmallU64(out: Uint8Array, at: number, v: number): void {
  const low = v % TWO_POW_32;
  const high = (v - low) / TWO_POW_32;
  out[at] = low & 0xff;
  out[at + 1] = (low >>> 8) & 0xff;
  out[at + 2] = (low >>> 16) & 0xff;
  out[at + 3] = low >>> 24;
  out[at + 4] = high & 0xff;
  out[at + 5] = (high >>> 8) & 0xff;
  out[at + 6] = (high >>> 16) & 0xff;
  out[at + 7] = high >>> 24;
}

export const u64: ValueCodec<bigint> = {
  encode: (v) => {
    if (v < 0n || v > SAFE) return new ScaleWriter(8).u64(v).finish();
    const out = new Uint8Array(8);
    writeSmallU64(out, 0, Number(v));
    return out;
  },
  decode: (b) => {
    const small = b.length >= 8 ? smallU64(b, 0) : undefined;
    return small === undefined ? new ScaleReader(b).u64() : BigInt(small);
  },
};
/** A stored u64 block number as a number (block numbers stay far below 2^53); absent reads as 0. */
export function blockNumber(b: Uint8Array | undefined): number {
  if (!b) return 0;
  return (b.length >= 8 ? smallU64(b, 0) : undefined) ?? Number(new ScaleReader(b).u64());
}

/** A stored `Vec<u64>` of block numbers as numbers; absent reads as empty. */
export function blockNumbers(b: Uint8Array | undefined): number[] {
  if (!b) return [];
  const r = new ScaleReader(b);
  const length = r.compactNumber();
  if (r.remaining < length * 8) return vecU64.decode(b).map(Number); // its error
  const out: number[] = new Array(length);
  for (let i = 0, at = r.offset; i < length; i++, at += 8) out[i] = smallU64(b, at) ?? Number(new ScaleReader(b, at).u64());
  return out;
}

export const u128: ValueCodec<bigint> = {
  encode: (v) => {
    if (v < 0n || v > SAFE) return new ScaleWriter(16).u128(v).finish();
    const out = new Uint8Array(16);
    writeSmallU64(out, 0, Number(v));
    return out;
  },
  decode: (b) => {
    const small = b.length >= 16 && zeroFrom(b, 8, 8) ? smallU64(b, 0) : undefined;
    return small === undefined ? new ScaleReader(b).u128() : BigInt(small);
  },
};
export const bool: ValueCodec<boolean> = {
  encode: (v) => Uint8Array.of(v ? 1 : 0),
  decode: (b) => new ScaleReader(b).bool(),
};
export const accountId: ValueCodec<Uint8Array> = {
  encode: (v) => v,
  decode: (b) => b.slice(0, 32),
};
/** SCALE's compact length prefix followed by room for `bytes` more bytes: the buffer and where they start. */
function withLengthPrefix(length: number, bytes: number): [Uint8Array, number] {
  const prefixLength = compactLength(length);
  const out = new Uint8Array(prefixLength + bytes);
  writeCompact(out, length);
  return [out, prefixLength];
}

/** Bytes of SCALE's compact encoding of a length (below 2^30, as every length here is). */
function compactLength(n: number): number {
  return n < 64 ? 1 : n < 16384 ? 2 : n < 1073741824 ? 4 : 5;
}

/** Writes SCALE's compact encoding of `n` at the start of `out` (ScaleWriter.compact's bytes, without a writer). */
function writeCompact(out: Uint8Array, n: number): void {
  if (n < 64) {
    out[0] = n << 2;
  } else if (n < 16384) {
    const v = (n << 2) | 1;
    out[0] = v & 0xff;
    out[1] = v >>> 8;
  } else if (n < 1073741824) {
    const v = ((n << 2) | 2) >>> 0;
    out[0] = v & 0xff;
    out[1] = (v >>> 8) & 0xff;
    out[2] = (v >>> 16) & 0xff;
    out[3] = v >>> 24;
  } else {
    out.set(new ScaleWriter(5).compact(n).finish());
  }
}

export const vecU16: ValueCodec<number[]> = {
  encode: (v) => {
    const [out, start] = withLengthPrefix(v.length, v.length * 2);
    for (let i = 0, at = start; i < v.length; i++, at += 2) {
      const x = v[i]!;
      out[at] = x & 0xff;
      out[at + 1] = (x >>> 8) & 0xff;
    }
    return out;
  },
  decode: (b) => {
    const r = new ScaleReader(b);
    return Array.from({ length: r.compactNumber() }, () => r.u16());
  },
};
export const vecU64: ValueCodec<bigint[]> = {
  encode: (v) => {
    if (v.some((x) => x < 0n || x > SAFE)) return new ScaleWriter(2 + v.length * 8).vec(v, (w, x) => w.u64(x)).finish();
    const [out, start] = withLengthPrefix(v.length, v.length * 8);
    for (let i = 0; i < v.length; i++) writeSmallU64(out, start + 8 * i, Number(v[i]!));
    return out;
  },
  decode: (b) => {
    const r = new ScaleReader(b);
    return Array.from({ length: r.compactNumber() }, () => r.u64());
  },
};
export const vecBool: ValueCodec<boolean[]> = {
  encode: (v) => {
    const [out, start] = withLengthPrefix(v.length, v.length);
    for (let i = 0; i < v.length; i++) out[start + i] = v[i] ? 1 : 0;
    return out;
  },
  decode: (b) => {
    const r = new ScaleReader(b);
    return Array.from({ length: r.compactNumber() }, () => r.bool());
  },
};
/** `Vec<(u16, u16)>`: sparse weights and bonds rows. */
export const vecPairs: ValueCodec<[number, number][]> = {
  encode: (v) => new ScaleWriter(2 + v.length * 4).vec(v, (w, [a, b]) => w.u16(a).u16(b)).finish(),
  decode: (b) => {
    const r = new ScaleReader(b);
    return Array.from({ length: r.compactNumber() }, () => [r.u16(), r.u16()] as [number, number]);
  },
};
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * `Vec<(u16, u16)>` as a sparse row (destinations and values in typed arrays, stored order), the
 * form the epoch reads Weights and Bonds in and writes Bonds from: no pair arrays on the way.
 */
export const sparseRow: ValueCodec<SparseRow> = {
  encode: (row) => {
    const { cols, vals } = row;
    const length = cols.length;
    const prefixLength = compactLength(length);
    const out = new Uint8Array(prefixLength + length * 4);
    writeCompact(out, length);
    if (LITTLE_ENDIAN && prefixLength % 2 === 0) {
      const words = new Uint16Array(out.buffer, prefixLength, length * 2);
      for (let k = 0; k < length; k++) {
        words[2 * k] = cols[k]!;
        words[2 * k + 1] = vals[k]!;
      }
      return out;
    }
    for (let k = 0, at = prefixLength; k < length; k++, at += 4) {
      const col = cols[k]!;
      const value = vals[k]!;
      out[at] = col & 0xff;
      out[at + 1] = (col >>> 8) & 0xff;
      out[at + 2] = value & 0xff;
      out[at + 3] = (value >>> 8) & 0xff;
    }
    return out;
  },
  decode: (b) => {
    const r = new ScaleReader(b);
    const length = r.compactNumber();
    if (length === 0) return EMPTY_ROW;
    if (r.remaining < length * 4) throw new ScaleDecodeError(`a row of ${length} pairs needs ${length * 4} bytes, ${r.remaining} left`);
    const row = { cols: new Int32Array(length), vals: new Float64Array(length) };
    pairsInto(b, r.offset, length, row.cols, row.vals, 0);
    return row;
  },
};

/** Writes `length` (u16, u16) pairs from b[from..] into cols/vals at `at`. */
export function pairsInto(b: Uint8Array, from: number, length: number, cols: Int32Array, vals: Float64Array, at: number): void {
  if (!LITTLE_ENDIAN) {
    for (let k = 0, i = from; k < length; k++, i += 4) {
      cols[at + k] = b[i]! | (b[i + 1]! << 8);
      vals[at + k] = b[i + 2]! | (b[i + 3]! << 8);
    }
    return;
  }
  // SCALE is little-endian, like this platform: the pairs read as u16 words (from an aligned copy when the bytes are not aligned).
  // The copy is made by Uint8Array's own slice: a Node Buffer's (what the store hands back) is a view of its pool, not a copy.
  const offset = b.byteOffset + from;
  const words = offset % 2 === 0 ? new Uint16Array(b.buffer, offset, length * 2) : new Uint16Array(Uint8Array.prototype.slice.call(b, from, from + length * 4).buffer);
  for (let k = 0; k < length; k++) {
    cols[at + k] = words[2 * k]!;
    vals[at + k] = words[2 * k + 1]!;
  }
}

export const vecAccount: ValueCodec<Uint8Array[]> = {
  encode: (v) => new ScaleWriter(2 + v.length * 32).vec(v, (w, x) => w.raw(x)).finish(),
  decode: (b) => {
    const r = new ScaleReader(b);
    return Array.from({ length: r.compactNumber() }, () => r.raw(32).slice());
  },
};
/** substrate-fixed values stored as `{ bits }`: U64F64 / I64F64 as u128/i128 bits. */
export const fixedU128Bits: ValueCodec<bigint> = u128;

export interface AxonInfo {
  readonly block: bigint;
  readonly version: number;
  readonly ip: bigint;
  readonly port: number;
  readonly ipType: number;
  readonly protocol: number;
  readonly placeholder1: number;
  readonly placeholder2: number;
}

export const axonInfo: ValueCodec<AxonInfo> = {
  encode: (a) => new ScaleWriter(36).u64(a.block).u32(a.version).u128(a.ip).u16(a.port).u8(a.ipType).u8(a.protocol).u8(a.placeholder1).u8(a.placeholder2).finish(),
  decode: (b) => {
    const r = new ScaleReader(b);
    return { block: r.u64(), version: r.u32(), ip: r.u128(), port: r.u16(), ipType: r.u8(), protocol: r.u8(), placeholder1: r.u8(), placeholder2: r.u8() };
  },
};

export interface PrometheusInfo {
  readonly block: bigint;
  readonly version: number;
  readonly ip: bigint;
  readonly port: number;
  readonly ipType: number;
}

export const prometheusInfo: ValueCodec<PrometheusInfo> = {
  encode: (p) => new ScaleWriter(33).u64(p.block).u32(p.version).u128(p.ip).u16(p.port).u8(p.ipType).finish(),
  decode: (b) => {
    const r = new ScaleReader(b);
    return { block: r.u64(), version: r.u32(), ip: r.u128(), port: r.u16(), ipType: r.u8() };
  },
};

/** One pending CRv2 commit as HEAD stores it: (hash, commit epoch, commit block, 0). */
export interface WeightCommit {
  readonly hash: Uint8Array;
  readonly commitEpoch: bigint;
  readonly commitBlock: bigint;
  readonly unused: bigint;
}

export const weightCommits: ValueCodec<WeightCommit[]> = {
  encode: (v) => new ScaleWriter(2 + v.length * 56).vec(v, (w, c) => w.raw(c.hash).u64(c.commitEpoch).u64(c.commitBlock).u64(c.unused)).finish(),
  decode: (b) => {
    const r = new ScaleReader(b);
    return Array.from({ length: r.compactNumber() }, () => ({ hash: r.raw(32).slice(), commitEpoch: r.u64(), commitBlock: r.u64(), unused: r.u64() }));
  },
};

/** share_pool::SafeFloat: value = mantissa × 10^exponent. */
export interface SafeFloat {
  readonly mantissa: bigint;
  readonly exponent: bigint;
}

export const safeFloat: ValueCodec<SafeFloat> = {
  encode: (v) => (v.exponent === 0n ? wholeShares(v.mantissa) : new ScaleWriter(24).u128(v.mantissa).i64(v.exponent).finish()),
  decode: (b) => {
    const small = smallWhole(b);
    if (small !== undefined) return { mantissa: BigInt(small), exponent: 0n };
    const r = new ScaleReader(b);
    return { mantissa: r.u128(), exponent: r.i64() };
  },
};

/** A stored SafeFloat's mantissa when it is a small whole number (exponent 0, mantissa ≤ 2^53 − 1). */
function smallWhole(b: Uint8Array): number | undefined {
  return b.length >= 24 && zeroFrom(b, 8, 16) ? smallU64(b, 0) : undefined;
}

/**
 * A stored SafeFloat (absent: none) as an exact share count, `safeFloatToShares(safeFloat.decode(b))`
 * without the object between: read for every uid an epoch pays.
 */
export function storedShares(b: Uint8Array | undefined): bigint {
  if (!b) return 0n;
  const small = smallWhole(b);
  return small !== undefined ? BigInt(small) : safeFloatToShares(safeFloat.decode(b));
}

/** `safeFloat.encode({ mantissa: shares, exponent: 0n })`: whole shares, as the devnet writes them. */
export function wholeShares(shares: bigint): Uint8Array {
  if (shares < 0n || shares > SAFE) return new ScaleWriter(24).u128(shares).i64(0n).finish();
  const out = new Uint8Array(24);
  writeSmallU64(out, 0, Number(shares));
  return out;
}

/** A SafeFloat as an exact share count (mantissa × 10^exponent, truncated below one share). */
export function safeFloatToShares(v: SafeFloat): bigint {
  if (v.exponent === 0n) return v.mantissa;
  if (v.exponent > 0n) return v.mantissa * 10n ** v.exponent;
  return v.mantissa / 10n ** -v.exponent;
}
