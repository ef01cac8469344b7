/**
 * Account ids → SS58 addresses, remembered: a metagraph read at every block names the same
 * thousands of keys each time, and each encoding is a blake2 hash and a base58 conversion. A key
 * seen before is found without allocating anything (a hash of its bytes, then a byte comparison).
 */
import type { Registry } from "@polkadot/types/types";
import { encodeAddress } from "@polkadot/util-crypto";

/** Beyond this many keys the book starts again (a chain's keys are far fewer; this bounds a hostile one). */
const MOST_KEPT = 65_536;

/** The address of an account id; `accountId` may be a view into a larger buffer, and is not kept. */
export type AddressOf = (accountId: Uint8Array) => string;

interface Entry {
  readonly bytes: Uint8Array;
  readonly address: string;
}

/** FNV-1a over the bytes. */
function hashOf(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i += 1) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/** An address book for one SS58 format. */
export function addressBook(ss58Format: number): AddressOf {
  const known = new Map<number, Entry[]>();
  let size = 0;
  return (accountId) => {
    const hash = hashOf(accountId);
    const bucket = known.get(hash);
    if (bucket) for (const entry of bucket) if (sameBytes(entry.bytes, accountId)) return entry.address;
    if (size >= MOST_KEPT) {
      known.clear();
      size = 0;
    }
    const entry = { bytes: accountId.slice(), address: encodeAddress(accountId, ss58Format) };
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
