/**
 * SCALE bytes → plain JavaScript values, driven by the chain's own type registry (the metadata's
 * PortableRegistry), for the large answers read at every block (a metagraph of thousands of uids).
 * @polkadot/types builds a codec object per value (a BN per compact number); that churn was most of
 * a following dashboard's CPU and what grew its heap. Here a decoder is built once per type and
 * runtime, and a value is only numbers, bigints, booleans, strings, byte arrays, arrays and objects:
 *
 * - u8/u16/u32 (plain or compact) and i8/i16/i32 → number; u64/u128/i64/i128 (plain or compact) → bigint;
 * - a sequence or array of u8 → Uint8Array (a copy, never a view of the input);
 * - an AccountId32 → its SS58 address with the chain's prefix (as @polkadot/types prints it),
 *   through the registry's address book (address-book.ts: a key seen before costs no allocation);
 * - a struct → an object keyed by its fields' names in camelCase (as @polkadot/types names them);
 *   a struct of one unnamed field (AccountId32, a newtype) → that field's value;
 * - Option → the value or null; any other enum → `{ variant, value }` (value: the fields, if any);
 * - a tuple → an array.
 */
import type { Registry } from "@polkadot/types/types";
import { addressBookOf } from "./address-book.js";
import { ChainError } from "./errors.js";

export type Plain = number | bigint | boolean | string | null | Uint8Array | readonly Plain[] | { readonly [field: string]: Plain };

/** Bytes that do not fit the type; decodePlain says which type, as a ChainError. */
class DecodeFailure extends Error {}

class Reader {
  offset = 0;
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    // A plain Uint8Array over a Node Buffer: a Buffer's slice is a view of its pool, not a copy.
    this.bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  take(n: number): number {
    const at = this.offset;
    if (at + n > this.bytes.length) throw new DecodeFailure(`it ended early (${this.bytes.length} bytes, ${at + n} needed)`);
    this.offset = at + n;
    return at;
  }

  uint(n: 1 | 2 | 4): number {
    const at = this.take(n);
    const b = this.bytes;
    if (n === 1) return b[at]!;
    if (n === 2) return b[at]! | (b[at + 1]! << 8);
    return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;
  }

  /** An unsigned little-endian integer of `n` bytes (a multiple of 4), with as few BigInts made as may be. */
  bigUint(n: number): bigint {
    const at = this.take(n);
    const b = this.bytes;
    const word = (i: number): number => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16)) + b[i + 3]! * 0x1000000;
    let high = 0;
    for (let i = n - 4; i >= 8; i -= 4) high = high || word(at + i);
    const hi = word(at + 4);
    const lo = word(at);
    // Below 2^53 the double is exact: one BigInt.
    if (high === 0 && hi < 0x200000) return BigInt(hi * 0x100000000 + lo);
    let value = 0n;
    for (let i = n - 4; i >= 0; i -= 4) value = (value << 32n) | BigInt(word(at + i));
    return value;
  }

  /** A compact number; as a bigint when it may not fit a double exactly. */
  compact(): number | bigint {
    const first = this.bytes[this.offset];
    if (first === undefined) this.take(1);
    const mode = first! & 3;
    if (mode === 0) return this.uint(1) >>> 2;
    if (mode === 1) return this.uint(2) >>> 2;
    if (mode === 2) return Math.floor(this.uint(4) / 4);
    this.take(1);
    const length = (first! >>> 2) + 4;
    const at = this.take(length);
    let value = 0n;
    for (let i = length - 1; i >= 0; i -= 1) value = (value << 8n) | BigInt(this.bytes[at + i]!);
    return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  length(): number {
    const n = this.compact();
    if (typeof n === "bigint" || n > this.bytes.length - this.offset) throw new DecodeFailure(`it holds a length (${n}) longer than what is left of it`);
    return n;
  }
}

type Decode = (r: Reader) => Plain;
type Skip = (r: Reader) => void;

const PRIMITIVE_SIZES: Record<string, number> = { Bool: 1, U8: 1, U16: 2, U32: 4, U64: 8, U128: 16, U256: 32, I8: 1, I16: 2, I32: 4, I64: 8, I128: 16, Char: 4 };

const camel = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const PRIMITIVES: Record<string, Decode> = {
  Bool: (r) => r.uint(1) === 1,
  U8: (r) => r.uint(1),
  U16: (r) => r.uint(2),
  U32: (r) => r.uint(4),
  U64: (r) => r.bigUint(8),
  U128: (r) => r.bigUint(16),
  U256: (r) => r.bigUint(32),
  I8: (r) => (r.uint(1) << 24) >> 24,
  I16: (r) => (r.uint(2) << 16) >> 16,
  I32: (r) => r.uint(4) | 0,
  I64: (r) => BigInt.asIntN(64, r.bigUint(8)),
  I128: (r) => BigInt.asIntN(128, r.bigUint(16)),
  Str: (r) => new TextDecoder().decode(bytesOf(r, r.length())),
  Char: (r) => String.fromCodePoint(r.uint(4)),
};

function bytesOf(r: Reader, n: number): Uint8Array {
  const at = r.take(n);
  return r.bytes.slice(at, at + n);
}

/**
 * The function cached for type `id`, made once. A recursive type asks for itself while being made:
 * it gets a stand-in that calls the finished function.
 */
function builtOnce<F extends (r: Reader) => unknown>(cache: Map<number, F>, id: number, make: () => F): F {
  const known = cache.get(id);
  if (known) return known;
  let made: F | undefined;
  cache.set(id, ((r: Reader) => made!(r)) as F);
  made = make();
  cache.set(id, made);
  return made;
}

/** Builds decoders per type id of one registry; recursive types resolve through a late binding. */
class DecoderBuilder {
  readonly #built = new Map<number, Decode>();
  constructor(readonly registry: Registry) {}

  readonly #skippers = new Map<number, Skip>();
  readonly #selections = new Map<string, Decode>();

  build(id: number): Decode {
    return builtOnce(this.#built, id, () => this.#make(id));
  }

  /** A reader past a value of type `id`, allocating nothing for it (the fields a caller does not use). */
  skipper(id: number): Skip {
    return builtOnce(this.#skippers, id, () => this.#makeSkipper(id));
  }

  /**
   * A decoder of type `id` that decodes only the named fields of its struct (reached through an
   * Option if it is one) and reads past the others: a metagraph has some seventy fields, and a
   * reader of a dozen need not build the rest.
   */
  selecting(id: number, fields: readonly string[]): Decode {
    const key = `${id}:${fields.join(",")}`;
    let decode = this.#selections.get(key);
    if (!decode) this.#selections.set(key, (decode = this.#makeSelecting(id, new Set(fields))));
    return decode;
  }

  #makeSelecting(id: number, keep: ReadonlySet<string>): Decode {
    const type = this.registry.lookup.getSiType(id);
    const def = type.def;
    if (def.isVariant && type.path.length === 1 && type.path[0]!.toString() === "Option") {
      const some = def.asVariant.variants.find((v) => v.fields.length === 1);
      const none = def.asVariant.variants.find((v) => v.fields.length === 0);
      if (!some || !none) return this.build(id);
      const inner = this.#makeSelecting(some.fields[0]!.type.toNumber(), keep);
      const someIndex = some.index.toNumber();
      const noneIndex = none.index.toNumber();
      return (r) => {
        const index = r.uint(1);
        if (index === someIndex) return inner(r);
        if (index === noneIndex) return null;
        throw new DecodeFailure(`it holds variant ${index} of Option, which the metadata does not list`);
      };
    }
    if (!def.isComposite || def.asComposite.fields.some((f) => f.name.isNone)) return this.build(id);
    const parts = def.asComposite.fields.map((f) => {
      const name = camel(f.name.unwrap().toString());
      return keep.has(name) ? { name, decode: this.build(f.type.toNumber()), skip: undefined } : { name, decode: undefined, skip: this.skipper(f.type.toNumber()) };
    });
    return (r) => {
      const out: Record<string, Plain> = {};
      for (const part of parts) {
        if (part.decode) out[part.name] = part.decode(r);
        else part.skip!(r);
      }
      return out;
    };
  }

  /** The fixed size in bytes of a type, when every value of it has the same size. */
  #fixedSize(id: number): number | undefined {
    const def = this.registry.lookup.getSiType(id).def;
    if (def.isPrimitive) return PRIMITIVE_SIZES[def.asPrimitive.type];
    if (def.isArray) {
      const item = this.#fixedSize(def.asArray.type.toNumber());
      return item === undefined ? undefined : item * def.asArray.len.toNumber();
    }
    const parts = def.isTuple ? def.asTuple.map((t) => t.toNumber()) : def.isComposite ? def.asComposite.fields.map((f) => f.type.toNumber()) : undefined;
    if (!parts) return undefined;
    let total = 0;
    for (const part of parts) {
      const size = this.#fixedSize(part);
      if (size === undefined) return undefined;
      total += size;
    }
    return total;
  }

  #makeSkipper(id: number): Skip {
    const fixed = this.#fixedSize(id);
    if (fixed !== undefined) return (r) => void r.take(fixed);
    const def = this.registry.lookup.getSiType(id).def;
    if (def.isCompact) return (r) => void r.compact(); // a number: nothing allocated below 2^53
    if (def.isPrimitive) return (r) => void r.take(r.length()); // Str, the one primitive of no fixed size
    if (def.isSequence) {
      const item = def.asSequence.type.toNumber();
      const size = this.#fixedSize(item);
      if (size !== undefined) return (r) => void r.take(r.length() * size);
      const skipItem = this.skipper(item);
      return (r) => {
        for (let n = r.length(); n > 0; n -= 1) skipItem(r);
      };
    }
    if (def.isArray) {
      const skipItem = this.skipper(def.asArray.type.toNumber());
      const n = def.asArray.len.toNumber();
      return (r) => {
        for (let i = 0; i < n; i += 1) skipItem(r);
      };
    }
    const parts = def.isTuple ? def.asTuple.map((t) => this.skipper(t.toNumber())) : def.isComposite ? def.asComposite.fields.map((f) => this.skipper(f.type.toNumber())) : undefined;
    if (parts) {
      return (r) => {
        for (const skip of parts) skip(r);
      };
    }
    if (def.isVariant) {
      const variants = new Map(def.asVariant.variants.map((v) => [v.index.toNumber(), v.fields.map((f) => this.skipper(f.type.toNumber()))]));
      return (r) => {
        const index = r.uint(1);
        const fields = variants.get(index);
        if (!fields) throw new DecodeFailure(`it holds variant ${index}, which the metadata does not list`);
        for (const skip of fields) skip(r);
      };
    }
    // Anything else (a bit sequence) is decoded and dropped.
    const decode = this.build(id);
    return (r) => void decode(r);
  }

  /** The primitive a type is, through newtypes (a compact AlphaCurrency is a compact u64). */
  #primitive(id: number): string | undefined {
    const def = this.registry.lookup.getSiType(id).def;
    if (def.isPrimitive) return def.asPrimitive.type;
    if (def.isComposite && def.asComposite.fields.length === 1) return this.#primitive(def.asComposite.fields[0]!.type.toNumber());
    return undefined;
  }

  /** A type that is `length` bytes, through newtypes ([u8; 32], or a struct of one). */
  #isBytes(id: number, length: number): boolean {
    const def = this.registry.lookup.getSiType(id).def;
    if (def.isArray) return def.asArray.len.toNumber() === length && this.#isU8(def.asArray.type.toNumber());
    if (def.isComposite && def.asComposite.fields.length === 1) return this.#isBytes(def.asComposite.fields[0]!.type.toNumber(), length);
    return false;
  }

  #isU8(id: number): boolean {
    const def = this.registry.lookup.getSiType(id).def;
    return def.isPrimitive && def.asPrimitive.type === "U8";
  }

  #make(id: number): Decode {
    const type = this.registry.lookup.getSiType(id);
    const def = type.def;
    if (def.isPrimitive) {
      const decode = PRIMITIVES[def.asPrimitive.type];
      if (!decode) throw new ChainError("CHAIN_UNDECODABLE", "decode", `no decoder for the primitive ${def.asPrimitive.type}`);
      return decode;
    }
    if (def.isCompact) {
      const inner = this.#primitive(def.asCompact.type.toNumber());
      const wide = inner === "U64" || inner === "U128" || inner === "U256";
      return wide ? (r) => BigInt(r.compact()) : (r) => r.compact();
    }
    if (def.isSequence) {
      const item = def.asSequence.type.toNumber();
      if (this.#isU8(item)) return (r) => bytesOf(r, r.length());
      const decodeItem = this.build(item);
      return (r) => {
        const n = r.length();
        const out = new Array<Plain>(n);
        for (let i = 0; i < n; i += 1) out[i] = decodeItem(r);
        return out;
      };
    }
    if (def.isArray) {
      const n = def.asArray.len.toNumber();
      const item = def.asArray.type.toNumber();
      if (this.#isU8(item)) return (r) => bytesOf(r, n);
      const decodeItem = this.build(item);
      return (r) => Array.from({ length: n }, () => decodeItem(r));
    }
    if (def.isTuple) {
      const items = def.asTuple.map((t) => this.build(t.toNumber()));
      return (r) => items.map((decode) => decode(r));
    }
    if (def.isComposite && type.path.length > 0 && type.path[type.path.length - 1]!.toString() === "AccountId32" && this.#isBytes(id, 32)) {
      const address = addressBookOf(this.registry);
      return (r) => address(r.bytes, r.take(32));
    }
    if (def.isComposite) return this.#fields(def.asComposite.fields);
    if (def.isVariant) {
      const variants = new Map(def.asVariant.variants.map((v) => [v.index.toNumber(), { name: v.name.toString(), decode: v.fields.length === 0 ? undefined : this.#fields(v.fields) }]));
      const isOption = type.path.length === 1 && type.path[0]!.toString() === "Option";
      return (r) => {
        const index = r.uint(1);
        const variant = variants.get(index);
        if (!variant) throw new DecodeFailure(`it holds variant ${index} of ${type.path.map(String).join("::")}, which the metadata does not list`);
        const value = variant.decode ? variant.decode(r) : null;
        return isOption ? value : { variant: variant.name, value };
      };
    }
    throw new ChainError("CHAIN_UNDECODABLE", "decode", `no decoder for ${def.type} types (type ${id})`);
  }

  #fields(fields: readonly { name: { isSome: boolean; unwrap(): { toString(): string } }; type: { toNumber(): number } }[]): Decode {
    const decoders = fields.map((f) => ({ name: f.name.isSome ? camel(f.name.unwrap().toString()) : undefined, decode: this.build(f.type.toNumber()) }));
    if (decoders.length === 1 && decoders[0]!.name === undefined) return decoders[0]!.decode;
    if (decoders.every((d) => d.name === undefined)) return (r) => decoders.map((d) => d.decode(r));
    return (r) => {
      const out: Record<string, Plain> = {};
      for (const d of decoders) out[d.name ?? String(Object.keys(out).length)] = d.decode(r);
      return out;
    };
  }
}

const builders = new WeakMap<Registry, DecoderBuilder>();

/**
 * Decodes `bytes` as type `typeId` of `registry`'s metadata; with `fields`, only those fields of
 * its struct (through an Option), the others read past. Bytes that do not fit the type are a
 * ChainError CHAIN_UNDECODABLE naming the type and what did not fit.
 */
export function decodePlain(registry: Registry, typeId: number, bytes: Uint8Array, options: { readonly fields?: readonly string[] } = {}): Plain {
  let builder = builders.get(registry);
  if (!builder) builders.set(registry, (builder = new DecoderBuilder(registry)));
  const decode = options.fields ? builder.selecting(typeId, options.fields) : builder.build(typeId);
  const reader = new Reader(bytes);
  try {
    const value = decode(reader);
    if (reader.offset !== bytes.length) throw new DecodeFailure(`it has ${bytes.length - reader.offset} bytes more than the type holds`);
    return value;
  } catch (error) {
    if (!(error instanceof DecodeFailure)) throw error;
    throw new ChainError("CHAIN_UNDECODABLE", "decode", `the chain's answer does not decode with its own metadata as ${registry.lookup.getTypeDef(typeId).type}: ${error.message}`);
  }
}

/** The output type id of runtime API `api`'s method `method` (names as in the metadata: SubnetInfoRuntimeApi, get_metagraph). */
export function runtimeApiOutput(registry: Registry, api: string, method: string): number | undefined {
  const metadata = registry.metadata as unknown as { apis?: readonly { name: { toString(): string }; methods: readonly { name: { toString(): string }; output: { toNumber(): number } }[] }[] };
  const found = metadata.apis?.find((a) => a.name.toString() === api)?.methods.find((m) => m.name.toString() === method);
  return found?.output.toNumber();
}
