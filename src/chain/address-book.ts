/**
 * Account ids → SS58 addresses, remembered: a metagraph read at every block names the same
 * thousands of keys each time, and each encoding is a blake2 hash and a base58 conversion. A key
 * seen before is found without allocating anything (a hash of its bytes, then a byte comparison).
 */
import type { Registry } from "@polkadot/types/types";
import { encodeAddress } from "@polkadot/util-crypto";

/** Beyond this many keys the book starts again (a chain's keys are far fewer; this bounds a hostile one). */
const MOST_KEPT = 65_536;

/** The address of the 32-byte account id in `bytes` at `offset` (default 0); `bytes` is not kept. */
export type AddressOf = (bytes: Uint8Array, offset?: number) => string;

const ID_LENGTH = 32;

interface Entry {
  readonly bytes: Uint8Array;
  readonly address: string;
}

/** FNV-1a over the id's bytes. */
function hashOf(bytes: Uint8Array, offset: number): number {
  let h = 0x811c9dc5;
  for (let i = offset; i < offset + ID_LENGTH; i += 1) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

function sameId(id: Uint8Array, bytes: Uint8Array, offset: number): boolean {
  for (let i = 0; i < ID_LENGTH; i += 1) if (id[i] !== bytes[offset + i]) return false;
  return true;
}

/** An address book for one SS58 format. */
export function addressBook(ss58Format: number): AddressOf {
  const known = new Map<number, Entry[]>();
  let size = 0;
  return (bytes, offset = 0) => {
    if (offset < 0 || offset + ID_LENGTH > bytes.length) throw new RangeError(`an account id is ${ID_LENGTH} bytes; ${bytes.length - offset} given`);
    const hash = hashOf(bytes, offset);
    const bucket = known.get(hash);
    if (bucket) for (const entry of bucket) if (sameId(entry.bytes, bytes, offset)) return entry.address;
    if (size >= MOST_KEPT) {
      known.clear();
      size = 0;
    }
    // A copy (a Node Buffer's slice would be a view of its pool).
    const id = new Uint8Array(ID_LENGTH);
    id.set(bytes.subarray(offset, offset + ID_LENGTH));
    const entry = { bytes: id, address: encodeAddress(id, ss58Format) };
    const fresh = known.get(hash);
    if (fresh) fresh.push(entry);
    else known.set(hash, [entry]);
    size += 1;
    return entry.address;
  };
}

const books = new WeakMap<Registry, AddressOf>();

/** The address book of a registry's chain (its SS58 prefix), one per registry. */
export function addressBookOf(registry: Registry): AddressOf {
  let book = books.get(registry);
  if (!book) books.set(registry, (book = addressBook(registry.chainSS58 ?? 42)));
  return book;
}
