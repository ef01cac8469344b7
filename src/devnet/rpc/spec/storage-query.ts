/**
 * chainHead_v1_storage's items answered from one block's state: what each query type yields
 * (json-rpc-interface-spec, chainHead_v1_storage), in request order, lazily, so that an operation
 * can hand them out a page at a time. Between pages new blocks may arrive, so the block's state is
 * looked up afresh (`at.state`) for every read instead of being held.
 */
import { blake2_256 } from "../../codec/hashing.js";
import { fromHex, toHex } from "../../codec/hex.js";
import { concatBytes } from "../../codec/scale.js";
import type { SortedStateReader } from "../../state/with-entries.js";

export const STORAGE_QUERY_TYPES = ["value", "hash", "closestDescendantMerkleValue", "descendantsValues", "descendantsHashes"] as const;
export type StorageQueryType = (typeof STORAGE_QUERY_TYPES)[number];

export interface StorageQuery {
  /** 0x-prefixed lower-case hex. */
  readonly key: string;
  readonly type: StorageQueryType;
}

export interface StorageResultItem {
  readonly key: string;
  readonly value?: string;
  readonly hash?: string;
  readonly closestDescendantMerkleValue?: string;
}

/** The sorted keys of `state` that start with `prefix` (binary search, then a scan). */
export function keysUnder(state: SortedStateReader, prefix: string): string[] {
  const keys = state.sortedKeys();
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  const found: string[] = [];
  for (let i = lo; i < keys.length && keys[i]!.startsWith(prefix); i++) found.push(keys[i]!);
  return found;
}

/**
 * The devnet's state has no trie, so there is no Merkle value to report; what clients use it for
 * is telling whether anything under a key changed. This digest does that: blake2-256 over every
 * (key, value) under the key, in key order; absent when nothing is there.
 */
export function descendantsDigest(state: SortedStateReader, prefix: string): string | undefined {
  const keys = keysUnder(state, prefix);
  if (keys.length === 0) return undefined;
  const parts: Uint8Array[] = [];
  for (const key of keys) parts.push(fromHex(key), blake2_256(state.get(key)!));
  return toHex(blake2_256(concatBytes(...parts)));
}

/** Where a block's state is read: its current view, looked up on each access. */
export interface BlockStateSource {
  readonly state: SortedStateReader;
}

/** Every item the queries yield, in order. */
export function* storageResults(at: BlockStateSource, queries: readonly StorageQuery[]): Generator<StorageResultItem> {
  for (const { key, type } of queries) {
    const state = at.state;
    switch (type) {
      case "value": {
        const value = state.get(key);
        if (value) yield { key, value: toHex(value) };
        break;
      }
      case "hash": {
        const value = state.get(key);
        if (value) yield { key, hash: toHex(blake2_256(value)) };
        break;
      }
      case "closestDescendantMerkleValue": {
        const digest = descendantsDigest(state, key);
        if (digest) yield { key, closestDescendantMerkleValue: digest };
        break;
      }
      case "descendantsValues":
        for (const found of keysUnder(state, key)) yield { key: found, value: toHex(at.state.get(found)!) };
        break;
      case "descendantsHashes":
        for (const found of keysUnder(state, key)) yield { key: found, hash: toHex(blake2_256(at.state.get(found)!)) };
        break;
    }
  }
}
