/** The hashes of Substrate storage keys, block hashes and extrinsic hashes. */
import { blake2AsU8a, xxhashAsU8a } from "@polkadot/util-crypto";
import { bridge } from "@polkadot/wasm-crypto";
import { concatBytes } from "./scale.js";

export type StorageHasher = "Blake2_128" | "Blake2_256" | "Blake2_128Concat" | "Twox128" | "Twox256" | "Twox64Concat" | "Identity";

/** Blake2b-256: through the Wasm build once it is loaded, else blake2AsU8a. */
export function blake2_256(data: Uint8Array): Uint8Array {
  return wasmBlake2b(data, 32) ?? blake2AsU8a(data, 256);
}

let wasmBytes: Uint8Array | undefined;
let wasmWords: Int32Array | undefined;

/**
 * Unkeyed Blake2b of `data` through the Wasm build's own entry point (`ext_blake2b`), doing what
 * its `blake2b` wrapper does — input copied into Wasm memory (which the Wasm side frees), digest
 * copied out and freed — without the wrapper's arrays and views per call: a state commitment
 * hashes every changed entry, thousands in an epoch block. Undefined until the Wasm is loaded.
 */
function wasmBlake2b(data: Uint8Array, size: number): Uint8Array | undefined {
  const wasm = bridge.wasm;
  if (!wasm) return undefined;
  const dataPointer = wasm.__wbindgen_malloc(data.length);
  const keyPointer = wasm.__wbindgen_malloc(0);
  wasmMemory(wasm.memory).set(data, dataPointer);
  wasm.ext_blake2b(8, dataPointer, data.length, keyPointer, 0, size);
  const bytes = wasmMemory(wasm.memory);
  const at = wasmWords![2]!;
  const length = wasmWords![3]!;
  const digest = bytes.slice(at, at + length);
  wasm.__wbindgen_free(at, length);
  return digest;
}

let wasmMemoryObject: object | undefined;
/** The Wasm memory as a Buffer too, for Buffer's native hex decoder (kept apart from wasmBytes: one kind of array per access site). */
let wasmBuffer: Buffer | undefined;

/**
 * Views of the Wasm memory, made again when it has grown: growing detaches the old buffer, which
 * leaves the old views empty, so the check needs no `memory.buffer` (a call into the engine).
 */
function wasmMemory(memory: { readonly buffer: ArrayBufferLike }): Uint8Array {
  if (memory !== wasmMemoryObject || wasmBytes!.length === 0) {
    wasmMemoryObject = memory;
    wasmBytes = new Uint8Array(memory.buffer);
    wasmWords = new Int32Array(memory.buffer);
    wasmBuffer = Buffer.from(memory.buffer);
  }
  return wasmBytes!;
}

/** The value of each hex digit's character code (lower or upper case); -1 elsewhere. */
const HEX_DIGIT = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < 10; i++) table[48 + i] = i;
  for (let i = 0; i < 6; i++) table[97 + i] = table[65 + i] = 10 + i;
  return table;
})();

/**
 * blake2_256(bytes of `hexKey` ‖ `value`) as 16 UTF-16 code units, each two digest bytes
 * big-endian: the state commitment's term for an entry (chain-state.ts), hashed with the key
 * decoded straight into Wasm memory and kept as one small string rather than a byte array.
 */
export function keyValueDigest(hexKey: string, value: Uint8Array): string {
  const keyLength = (hexKey.length - 2) >> 1;
  const wasm = bridge.wasm;
  if (!wasm) {
    const data = new Uint8Array(keyLength + value.length);
    data.set(Buffer.from(hexKey.slice(2), "hex"));
    data.set(value, keyLength);
    return digestUnits(blake2AsU8a(data, 256), 0);
  }
  const length = keyLength + value.length;
  const dataPointer = wasm.__wbindgen_malloc(length);
  const keyPointer = wasm.__wbindgen_malloc(0);
  const memory = wasmMemory(wasm.memory);
  // The key's hex decoded in place by Buffer's native decoder: a key is usually a concatenation
  // (a cons string), where charCodeAt walks the rope for every character; the decoder flattens it
  // once (half the time of a table walk over the ~6,700 keys of an epoch block at n = 4096).
  // It stops at a pair that is not hex (keys are hex throughout, overlay.ts); the table walk then
  // decodes the key as it always did.
  if (wasmBuffer!.write(hexKey.slice(2), dataPointer, keyLength, "hex") !== keyLength) {
    for (let i = 0, c = 2, at = dataPointer; i < keyLength; i++, c += 2, at++) memory[at] = (HEX_DIGIT[hexKey.charCodeAt(c)]! << 4) | HEX_DIGIT[hexKey.charCodeAt(c + 1)]!;
  }
  if (value.length > 64) memory.set(value, dataPointer + keyLength);
  else for (let i = 0, at = dataPointer + keyLength; i < value.length; i++) memory[at + i] = value[i]!; // set() costs more than a few bytes' copy
  wasm.ext_blake2b(8, dataPointer, length, keyPointer, 0, 32);
  const bytes = wasmMemory(wasm.memory);
  const at = wasmWords![2]!;
  const digest = digestUnits(bytes, at);
  wasm.__wbindgen_free(at, wasmWords![3]!);
  return digest;
}

function digestUnits(b: Uint8Array, at: number): string {
  return String.fromCharCode(
    (b[at]! << 8) | b[at + 1]!,
    (b[at + 2]! << 8) | b[at + 3]!,
    (b[at + 4]! << 8) | b[at + 5]!,
    (b[at + 6]! << 8) | b[at + 7]!,
    (b[at + 8]! << 8) | b[at + 9]!,
    (b[at + 10]! << 8) | b[at + 11]!,
    (b[at + 12]! << 8) | b[at + 13]!,
    (b[at + 14]! << 8) | b[at + 15]!,
    (b[at + 16]! << 8) | b[at + 17]!,
    (b[at + 18]! << 8) | b[at + 19]!,
    (b[at + 20]! << 8) | b[at + 21]!,
    (b[at + 22]! << 8) | b[at + 23]!,
    (b[at + 24]! << 8) | b[at + 25]!,
    (b[at + 26]! << 8) | b[at + 27]!,
    (b[at + 28]! << 8) | b[at + 29]!,
    (b[at + 30]! << 8) | b[at + 31]!,
  );
}

export function twox128(data: Uint8Array | string): Uint8Array {
  return xxhashAsU8a(data, 128);
}

export function hashKey(hasher: StorageHasher, key: Uint8Array): Uint8Array {
  switch (hasher) {
    case "Blake2_128":
      return blake2AsU8a(key, 128);
    case "Blake2_256":
      return blake2AsU8a(key, 256);
    case "Blake2_128Concat":
      return concatBytes(blake2AsU8a(key, 128), key);
    case "Twox128":
      return xxhashAsU8a(key, 128);
    case "Twox256":
      return xxhashAsU8a(key, 256);
    case "Twox64Concat":
      return concatBytes(xxhashAsU8a(key, 64), key);
    case "Identity":
      return key;
  }
}

const BYTE_HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/** Lower-case hex of `bytes`, without 0x: a table walk for key-sized inputs, Buffer's encoder for longer ones. */
export function hexOf(bytes: Uint8Array): string {
  if (bytes.length > 48) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += BYTE_HEX[bytes[i]!];
  return out;
}

/**
 * The *Concat hashes of keys seen recently, by the key's hex: accounts and small integers recur in
 * every block, and a Blake2 call costs microseconds. Bounded: emptied when full.
 */
const CONCAT_CACHE_LIMIT = 1 << 16;
const blake2ConcatCache = new Map<string, string>();
const twoxConcatCache = new Map<string, string>();

/** `hashKey(hasher, key)` as hex without 0x, the *Concat hashers' results taken from a cache when seen before. */
export function hashedKeyHex(hasher: StorageHasher, key: Uint8Array): string {
  if (hasher === "Identity") return hexOf(key);
  if (hasher !== "Blake2_128Concat" && hasher !== "Twox64Concat") return hexOf(hashKey(hasher, key));
  const cache = hasher === "Blake2_128Concat" ? blake2ConcatCache : twoxConcatCache;
  const raw = hexOf(key);
  let hashed = cache.get(raw);
  if (hashed === undefined) {
    if (cache.size >= CONCAT_CACHE_LIMIT) cache.clear();
    hashed = hexOf(hasher === "Blake2_128Concat" ? (wasmBlake2b(key, 16) ?? blake2AsU8a(key, 128)) : xxhashAsU8a(key, 64)) + raw;
    cache.set(raw, hashed);
  }
  return hashed;
}
