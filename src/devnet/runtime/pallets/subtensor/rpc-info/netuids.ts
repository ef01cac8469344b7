/** The subnets HEAD's runtime APIs iterate (`get_all_subnet_netuids`). */
import type { StateReader } from "../../../../state/overlay.js";
import { S } from "../storage.js";

/**
 * Every netuid with a `NetworksAdded` entry, in storage order as `NetworksAdded::iter()` yields
 * them: by key bytes, i.e. by the little-endian netuid (the Identity hasher keeps the key as is).
 */
export function allSubnetNetuids(state: StateReader): number[] {
  const prefix = S.NetworksAdded.raw.prefixHex;
  return [...state.keysWithPrefix(prefix)].sort().map((key) => netuidOfKey(key.slice(prefix.length)));
}

/** A u16 key suffix as hex (`0100` → 1). */
function netuidOfKey(suffix: string): number {
  if (suffix.length !== 4) throw new Error(`NetworksAdded key suffix ${suffix} is not a u16`);
  return Number.parseInt(suffix.slice(2, 4) + suffix.slice(0, 2), 16);
}
