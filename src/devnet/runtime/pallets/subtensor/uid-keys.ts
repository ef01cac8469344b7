/**
 * The storage keys an epoch block reads and writes for each uid of a subnet, kept from one epoch
 * to the next. A key is a 140-character string, and a map hashes a new string on its first lookup
 * (about a microsecond, more than the lookup); handing the state the same string objects every
 * epoch — the ones its maps already hold — means each is hashed once for the life of the process,
 * not several times a block. The keys derived from a uid's hotkey (and its owner's) are rebuilt
 * when the hotkey (or the owner) read this block differs from the one they were built for.
 */
import { AlphaV2, S } from "./storage.js";
import type { StateRead } from "./typed-storage.js";

export interface UidKeys {
  /** Keys, BlockAtRegistration, Weights, Bonds at (netuid, uid). */
  readonly hotkeyKey: string;
  readonly registeredKey: string;
  readonly weightsKey: string;
  readonly bondsKey: string;
  readonly hotkey: Uint8Array;
  /** TotalHotkeyAlpha, TotalHotkeySharesV2 at (hotkey, netuid); Owner at hotkey. */
  readonly stakeKey: string;
  readonly sharesKey: string;
  readonly ownerKey: string;
}

interface Entry extends UidKeys {
  coldkey: Uint8Array | undefined;
  alphaKey: string;
  delegatesKey: string | undefined;
  dividendsKey: string | undefined;
}

const bySubnet = new Map<number, Entry[]>();

/** Every uid's keys, with its hotkey read from Keys this block. */
export function subnetUidKeys(state: StateRead, netuid: number, n: number): UidKeys[] {
  let entries = bySubnet.get(netuid);
  if (!entries) bySubnet.set(netuid, (entries = []));
  const out: UidKeys[] = new Array(n);
  for (let uid = 0; uid < n; uid++) {
    let entry = entries[uid];
    const hotkeyKey = entry?.hotkeyKey ?? S.Keys.key(netuid, uid);
    const stored = state.get(hotkeyKey);
    if (!entry || !stored || !sameAccount(entry.hotkey, stored)) entries[uid] = entry = build(netuid, uid, hotkeyKey, S.Keys.getAt(state, hotkeyKey), entry);
    out[uid] = entry;
  }
  return out;
}

/** AlphaV2 at (hotkey, coldkey, netuid) for these keys' hotkey; `coldkey` may be the stored value (its first 32 bytes are the account). */
export function alphaKeyOf(keys: UidKeys, coldkey: Uint8Array, netuid: number): string {
  const entry = keys as Entry;
  if (!entry.coldkey || !sameAccount(entry.coldkey, coldkey)) {
    entry.coldkey = coldkey.slice(0, 32);
    entry.alphaKey = AlphaV2.key(entry.hotkey, entry.coldkey, netuid);
  }
  return entry.alphaKey;
}

/** Delegates at the hotkey and AlphaDividendsPerSubnet at (netuid, hotkey): a validator's dividend keys, built on first use. */
export function dividendKeysOf(keys: UidKeys, netuid: number): { readonly delegates: string; readonly dividends: string } {
  const entry = keys as Entry;
  entry.delegatesKey ??= S.Delegates.key(entry.hotkey);
  entry.dividendsKey ??= S.AlphaDividendsPerSubnet.key(netuid, entry.hotkey);
  return { delegates: entry.delegatesKey, dividends: entry.dividendsKey };
}

/** Whether a stored account value (its first 32 bytes) is `account`. */
function sameAccount(account: Uint8Array, stored: Uint8Array): boolean {
  if (stored.length < 32 || account.length !== 32) return false;
  for (let i = 0; i < 32; i++) if (account[i] !== stored[i]) return false;
  return true;
}

function build(netuid: number, uid: number, hotkeyKey: string, hotkey: Uint8Array, previous: Entry | undefined): Entry {
  return {
    hotkeyKey,
    registeredKey: previous?.registeredKey ?? S.BlockAtRegistration.key(netuid, uid),
    weightsKey: previous?.weightsKey ?? S.Weights.key(netuid, uid),
    bondsKey: previous?.bondsKey ?? S.Bonds.key(netuid, uid),
    hotkey,
    stakeKey: S.TotalHotkeyAlpha.key(hotkey, netuid),
    sharesKey: S.TotalHotkeySharesV2.key(hotkey, netuid),
    ownerKey: S.Owner.key(hotkey),
    coldkey: undefined,
    alphaKey: "",
    delegatesKey: undefined,
    dividendsKey: undefined,
  };
}
