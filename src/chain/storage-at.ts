/**
 * Storage values at an earlier block in one round trip (state_queryStorageAt), decoded with that
 * block's runtime (@polkadot/api swaps in the block's registry for reads at a hash). Not
 * `query.x.at(hash)` nor `api.at(hash)`: each of those decorates the whole runtime again for the
 * block it is given, which on a fast chain was most of what a following dashboard allocated.
 */
import type { ApiPromise } from "@polkadot/api";
import type { Codec } from "@polkadot/types/types";

/** A storage item of the API (`api.query.pallet.item`) and the keys of the entry to read (none for a plain value). */
export type StorageRead = readonly [entry: unknown, ...keys: unknown[]];

export async function storageAt(api: Pick<ApiPromise, "rpc">, blockHash: string, reads: readonly StorageRead[]): Promise<Codec[]> {
  if (reads.length === 0) return [];
  // Keys as api.queryMulti builds them: [the entry's creator, its keys] (a plain value: the creator alone).
  const keys = reads.map(([entry, ...args]) => {
    const creator = (entry as { creator: unknown }).creator;
    return args.length === 0 ? [creator] : [creator, args.length === 1 ? [args[0]] : args];
  });
  return (await api.rpc.state.queryStorageAt(keys as never, blockHash)) as unknown as Codec[];
}
