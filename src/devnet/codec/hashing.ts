/** The hashes of Substrate storage keys, block hashes and extrinsic hashes. */
import { blake2AsU8a, xxhashAsU8a } from "@polkadot/util-crypto";
import { concatBytes } from "./scale.js";

export type StorageHasher = "Blake2_128" | "Blake2_256" | "Blake2_128Concat" | "Twox128" | "Twox256" | "Twox64Concat" | "Identity";

export function blake2_256(data: Uint8Array): Uint8Array {
  return blake2AsU8a(data, 256);
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
