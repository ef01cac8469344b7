/**
 * Bounds-checked little-endian byte reading and writing for the wire formats. The reader never
 * reads past its input and never allocates more than the input holds: any inconsistency is a
 * FrameError, so a hostile frame costs at most one pass over its own bytes.
 */
import { CodedError } from "../../util/errors.js";

export type FrameErrorCode = "BAD_FRAME" | "UNSUPPORTED_VERSION" | "FRAME_TOO_LARGE";

export class FrameError extends CodedError<FrameErrorCode> {
  constructor(code: FrameErrorCode, message: string) {
    super(code, message);
    this.name = "FrameError";
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

/** The UTF-8 length of a string, counted without encoding it (lone surrogates count as U+FFFD, as TextEncoder writes them). */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  #need(n: number, what: string): void {
    if (n > this.remaining) throw new FrameError("BAD_FRAME", `truncated: ${what} needs ${n} bytes, ${this.remaining} left`);
  }

  u8(what = "u8"): number {
    this.#need(1, what);
    return this.#view.getUint8(this.#offset++);
  }

  u16(what = "u16"): number {
    this.#need(2, what);
    const value = this.#view.getUint16(this.#offset, true);
    this.#offset += 2;
    return value;
  }

  u32(what = "u32"): number {
    this.#need(4, what);
    const value = this.#view.getUint32(this.#offset, true);
    this.#offset += 4;
    return value;
  }

  u64(what = "u64"): bigint {
    this.#need(8, what);
    const value = this.#view.getBigUint64(this.#offset, true);
    this.#offset += 8;
    return value;
  }

  /** A view of the next `n` bytes (no copy). */
  bytes(n: number, what = "bytes"): Uint8Array {
    this.#need(n, what);
    const out = this.#bytes.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return out;
  }

  /** A string of at most `max` UTF-8 bytes, prefixed by its length in a u8 (max < 256) or u16. */
  text(max: number, what = "text"): string {
    const length = max < 256 ? this.u8(`${what} length`) : this.u16(`${what} length`);
    if (length > max) throw new FrameError("BAD_FRAME", `${what} has ${length} bytes, more than ${max}`);
    try {
      return utf8.decode(this.bytes(length, what));
    } catch {
      throw new FrameError("BAD_FRAME", `${what} is not valid UTF-8`);
    }
  }

  rest(): Uint8Array {
    return this.bytes(this.remaining, "rest");
  }

  end(what: string): void {
    if (this.remaining !== 0) throw new FrameError("BAD_FRAME", `${this.remaining} unexpected bytes after ${what}`);
  }
}

export class ByteWriter {
  #bytes: Uint8Array;
  #view: DataView;
  #length = 0;

  constructor(capacity = 256) {
    this.#bytes = new Uint8Array(capacity);
    this.#view = new DataView(this.#bytes.buffer);
  }

  #grow(n: number): void {
    if (this.#length + n <= this.#bytes.length) return;
    const next = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + n));
    next.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = next;
    this.#view = new DataView(next.buffer);
  }

  u8(value: number): this {
    this.#grow(1);
    this.#view.setUint8(this.#length, value);
    this.#length += 1;
    return this;
  }

  u16(value: number): this {
    this.#grow(2);
    this.#view.setUint16(this.#length, value, true);
    this.#length += 2;
    return this;
  }

  u32(value: number): this {
    this.#grow(4);
    this.#view.setUint32(this.#length, value, true);
    this.#length += 4;
    return this;
  }

  u64(value: bigint): this {
    this.#grow(8);
    this.#view.setBigUint64(this.#length, value, true);
    this.#length += 8;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.#grow(value.length);
    this.#bytes.set(value, this.#length);
    this.#length += value.length;
    return this;
  }

  /** `max` decides the length prefix (u8 below 256, else u16), as ByteReader.text reads it. */
  text(value: string, max: number, what = "text"): this {
    const encoded = utf8Encoder.encode(value);
    if (encoded.length > max) throw new FrameError("BAD_FRAME", `${what} has ${encoded.length} bytes, more than ${max}`);
    if (max < 256) this.u8(encoded.length);
    else this.u16(encoded.length);
    return this.bytes(encoded);
  }

  /** The bytes written: the buffer itself when it was sized exactly, else a copy of what was used. */
  finish(): Uint8Array {
    return this.#length === this.#bytes.length ? this.#bytes : this.#bytes.slice(0, this.#length);
  }
}
