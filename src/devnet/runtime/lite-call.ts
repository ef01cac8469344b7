/**
 * Calls decoded without @polkadot/types, for the hot paths: a Vec<u16> of 256 weights costs
 * about 0.6 ms as codec objects and a few microseconds here. A pallet opts in per call with a
 * decoder that returns light values offering what call handlers read from codecs (toString,
 * toJSON, toU8a, iteration); everything else is still decoded by polkadot.js.
 */
import type { Codec } from "@polkadot/types-codec/types";
import { ScaleReader, ScaleWriter } from "../codec/scale.js";

/** What a light argument value offers; call handlers see it as a Codec. */
abstract class LiteValue {
  abstract toString(): string;
  abstract toJSON(): unknown;
  abstract toU8a(): Uint8Array;
}

class LiteUint extends LiteValue {
  constructor(
    private readonly value: bigint,
    private readonly encode: (w: ScaleWriter, v: bigint) => void,
    private readonly byteLength: number,
  ) {
    super();
  }
  toString(): string {
    return this.value.toString();
  }
  /** As polkadot.js: a number up to 52 bits, else big-endian hex of the type's width. */
  toJSON(): unknown {
    if (this.value < 1n << 52n) return Number(this.value);
    return `0x${this.value.toString(16).padStart(this.byteLength * 2, "0")}`;
  }
  toU8a(): Uint8Array {
    const w = new ScaleWriter(16);
    this.encode(w, this.value);
    return w.finish();
  }
}

class LiteBytes extends LiteValue {
  constructor(private readonly bytes: Uint8Array) {
    super();
  }
  toString(): string {
    return `0x${Buffer.from(this.bytes).toString("hex")}`;
  }
  toJSON(): unknown {
    return this.toString();
  }
  toU8a(): Uint8Array {
    return this.bytes;
  }
}

class LiteVec extends LiteValue implements Iterable<LiteValue> {
  constructor(
    private readonly items: readonly LiteValue[],
    private readonly encoded: Uint8Array,
  ) {
    super();
  }
  [Symbol.iterator](): Iterator<LiteValue> {
    return this.items[Symbol.iterator]();
  }
  get length(): number {
    return this.items.length;
  }
  toString(): string {
    return JSON.stringify(this.toJSON());
  }
  toJSON(): unknown {
    return this.items.map((i) => i.toJSON());
  }
  toU8a(): Uint8Array {
    return this.encoded;
  }
}

/** Readers for the SCALE shapes hot calls use. */
export const lite = {
  u16: (r: ScaleReader): Codec => new LiteUint(BigInt(r.u16()), (w, v) => w.u16(Number(v)), 2) as unknown as Codec,
  u64: (r: ScaleReader): Codec => new LiteUint(r.u64(), (w, v) => w.u64(v), 8) as unknown as Codec,
  bytes32: (r: ScaleReader): Codec => new LiteBytes(r.raw(32).slice()) as unknown as Codec,
  vec:
    (item: (r: ScaleReader) => Codec) =>
    (r: ScaleReader): Codec => {
      const start = r.offset;
      const length = r.compactNumber();
      const items = Array.from({ length }, () => item(r) as unknown as LiteValue);
      return new LiteVec(items, r.encodedSince(start)) as unknown as Codec;
    },
};

/** The parts of a polkadot.js Call the runtime uses. */
export interface LiteCall {
  readonly callIndex: Uint8Array;
  readonly section: string;
  readonly method: string;
  readonly args: readonly Codec[];
  readonly encodedLength: number;
  toU8a(): Uint8Array;
}

export function liteCall(bytes: Uint8Array, section: string, method: string, decoders: readonly ((r: ScaleReader) => Codec)[]): LiteCall | undefined {
  const r = new ScaleReader(bytes, 2);
  const args = decoders.map((decode) => decode(r));
  if (r.remaining !== 0) return undefined;
  return { callIndex: bytes.subarray(0, 2), section, method, args, encodedLength: bytes.length, toU8a: () => bytes };
}
