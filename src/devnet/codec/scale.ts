/** Minimal SCALE reader and writer for the hot paths of the runtime (no codec objects, no copies). */
import { CodedError } from "../../util/errors.js";

export class ScaleDecodeError extends CodedError<"SCALE_DECODE"> {
  constructor(message: string) {
    super("SCALE_DECODE", message);
  }
}

const U64_MAX = (1n << 64n) - 1n;
const U128_MAX = (1n << 128n) - 1n;

export class ScaleWriter {
  #buf: Uint8Array;
  #view: DataView;
  #len = 0;

  constructor(capacity = 64) {
    this.#buf = new Uint8Array(capacity);
    this.#view = new DataView(this.#buf.buffer);
  }

  get length(): number {
    return this.#len;
  }

  /** Grows the buffer for `n` more bytes; callers must read #buf/#view after this returns. */
  #reserve(n: number): number {
    const at = this.#len;
    if (at + n > this.#buf.length) {
      const next = new Uint8Array(Math.max(this.#buf.length * 2, at + n));
      next.set(this.#buf.subarray(0, at));
      this.#buf = next;
      this.#view = new DataView(next.buffer);
    }
    this.#len += n;
    return at;
  }

  u8(v: number): this {
    const at = this.#reserve(1);
    this.#buf[at] = v & 0xff;
    return this;
  }
  bool(v: boolean): this {
    return this.u8(v ? 1 : 0);
  }
  u16(v: number): this {
    const at = this.#reserve(2);
    this.#view.setUint16(at, v, true);
    return this;
  }
  u32(v: number): this {
    const at = this.#reserve(4);
    this.#view.setUint32(at, v >>> 0, true);
    return this;
  }
  u64(v: bigint | number): this {
    const at = this.#reserve(8);
    this.#view.setBigUint64(at, BigInt(v), true);
    return this;
  }
  i64(v: bigint | number): this {
    const at = this.#reserve(8);
    this.#view.setBigInt64(at, BigInt(v), true);
    return this;
  }
  u128(v: bigint): this {
    const at = this.#reserve(16);
    this.#view.setBigUint64(at, v & U64_MAX, true);
    this.#view.setBigUint64(at + 8, (v >> 64n) & U64_MAX, true);
    return this;
  }
  compact(v: bigint | number): this {
    const n = BigInt(v);
    if (n < 0n) throw new RangeError("compact of a negative number");
    if (n < 64n) return this.u8(Number(n) << 2);
    if (n < 1n << 14n) return this.u16((Number(n) << 2) | 1);
    if (n < 1n << 30n) return this.u32(((Number(n) << 2) | 2) >>> 0);
    let bytes = 0;
    for (let rest = n; rest > 0n; rest >>= 8n) bytes++;
    this.u8(((bytes - 4) << 2) | 3);
    for (let i = 0, rest = n; i < bytes; i++, rest >>= 8n) this.u8(Number(rest & 0xffn));
    return this;
  }
  raw(bytes: Uint8Array): this {
    const at = this.#reserve(bytes.length);
    this.#buf.set(bytes, at);
    return this;
  }
  /** Vec<u8>: compact length then the bytes. */
  bytes(bytes: Uint8Array): this {
    return this.compact(bytes.length).raw(bytes);
  }
  vec<T>(items: readonly T[], each: (w: this, item: T) => void): this {
    this.compact(items.length);
    for (const item of items) each(this, item);
    return this;
  }
  option<T>(value: T | undefined | null, some: (w: this, v: T) => void): this {
    if (value === undefined || value === null) return this.u8(0);
    this.u8(1);
    some(this, value);
    return this;
  }
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

export class ScaleReader {
  readonly #buf: Uint8Array;
  readonly #view: DataView;
  #at: number;

  constructor(buf: Uint8Array, offset = 0) {
    this.#buf = buf;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.#at = offset;
  }

  get offset(): number {
    return this.#at;
  }
  get remaining(): number {
    return this.#buf.length - this.#at;
  }

  #take(n: number, what: string): number {
    if (this.#at + n > this.#buf.length) throw new ScaleDecodeError(`unexpected end of input reading ${what} at byte ${this.#at}`);
    const at = this.#at;
    this.#at += n;
    return at;
  }

  u8(): number {
    return this.#buf[this.#take(1, "u8")]!;
  }
  bool(): boolean {
    const v = this.u8();
    if (v > 1) throw new ScaleDecodeError(`invalid bool byte ${v} at ${this.#at - 1}`);
    return v === 1;
  }
  u16(): number {
    return this.#view.getUint16(this.#take(2, "u16"), true);
  }
  u32(): number {
    return this.#view.getUint32(this.#take(4, "u32"), true);
  }
  u64(): bigint {
    return this.#view.getBigUint64(this.#take(8, "u64"), true);
  }
  i64(): bigint {
    return this.#view.getBigInt64(this.#take(8, "i64"), true);
  }
  u128(): bigint {
    const at = this.#take(16, "u128");
    return this.#view.getBigUint64(at, true) | (this.#view.getBigUint64(at + 8, true) << 64n);
  }
  compact(): bigint {
    const first = this.#buf[this.#at];
    if (first === undefined) throw new ScaleDecodeError(`unexpected end of input reading a compact at byte ${this.#at}`);
    switch (first & 3) {
      case 0:
        this.#at++;
        return BigInt(first >> 2);
      case 1:
        return BigInt(this.u16() >> 2);
      case 2:
        return BigInt(this.u32() >>> 2);
      default: {
        const bytes = (first >> 2) + 4;
        this.#take(1, "compact");
        const at = this.#take(bytes, "compact");
        let n = 0n;
        for (let i = bytes - 1; i >= 0; i--) n = (n << 8n) | BigInt(this.#buf[at + i]!);
        if (n > U128_MAX) throw new ScaleDecodeError("compact integer larger than u128");
        return n;
      }
    }
  }
  /** A compact that must fit a JS number (lengths, u32 values). */
  compactNumber(): number {
    const n = this.compact();
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new ScaleDecodeError(`compact ${n} too large here`);
    return Number(n);
  }
  raw(n: number): Uint8Array {
    const at = this.#take(n, `${n} bytes`);
    return this.#buf.subarray(at, at + n);
  }
  bytes(): Uint8Array {
    const len = this.compactNumber();
    return this.raw(len);
  }
  rest(): Uint8Array {
    return this.raw(this.remaining);
  }
  /** The bytes read since `start` (an earlier offset). */
  encodedSince(start: number): Uint8Array {
    return this.#buf.subarray(start, this.#at);
  }
}

export function encodeCompact(v: bigint | number): Uint8Array {
  return new ScaleWriter(17).compact(v).finish();
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
