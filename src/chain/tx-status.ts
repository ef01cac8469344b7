/**
 * What became of a transaction the chain was sent: included (in which block, with which events,
 * succeeded or failed), still pending (in the pool, or valid until its mortality ends), or dropped
 * (its mortality passed, or another transaction took its nonce) — read from the chain alone, given
 * what the sender knew when it signed.
 */
import type { ApiPromise } from "@polkadot/api";
import type { DispatchError } from "@polkadot/types/interfaces";
import { fromDispatchError } from "./errors.js";
import { DEFAULT_MORTALITY_BLOCKS } from "./submit.js";

export interface TxLookup {
  readonly hash: string;
  /** What the journal knows; without it the last DEFAULT_MORTALITY_BLOCKS blocks are searched. */
  readonly signer?: string;
  readonly nonce?: number;
  readonly birthBlock?: number;
  readonly deathBlock?: number;
}

export interface TxEvent {
  readonly section: string;
  readonly method: string;
  readonly data: unknown;
}

export type TxStatus =
  | { readonly state: "included"; readonly head: number; readonly blockNumber: number; readonly blockHash: string; readonly index: number; readonly success: boolean; readonly error?: string; readonly events: readonly TxEvent[] }
  | { readonly state: "pending"; readonly head: number; readonly inPool: boolean; readonly validUntil?: number }
  | { readonly state: "dropped"; readonly head: number; readonly reason: string }
  | { readonly state: "unknown"; readonly head: number; readonly searchedFrom: number };

/** Blocks fetched at once while searching. */
const SEARCH_BATCH = 16;

async function findInBlocks(api: ApiPromise, hash: string, from: number, to: number): Promise<{ blockNumber: number; blockHash: string; index: number } | undefined> {
  for (let start = from; start <= to; start += SEARCH_BATCH) {
    const numbers = Array.from({ length: Math.min(SEARCH_BATCH, to - start + 1) }, (_, i) => start + i);
    const blocks = await Promise.all(
      numbers.map(async (n) => {
        const blockHash = await api.rpc.chain.getBlockHash(n);
        return { n, blockHash: blockHash.toHex(), block: await api.rpc.chain.getBlock(blockHash) };
      }),
    );
    for (const { n, blockHash, block } of blocks) {
      const index = block.block.extrinsics.findIndex((xt) => xt.hash.toHex() === hash);
      if (index >= 0) return { blockNumber: n, blockHash, index };
    }
  }
  return undefined;
}

async function extrinsicEvents(api: ApiPromise, blockHash: string, index: number): Promise<{ events: TxEvent[]; error?: string }> {
  const at = await api.at(blockHash);
  const records = (await at.query.system!.events!()) as unknown as Iterable<{
    phase: { isApplyExtrinsic: boolean; asApplyExtrinsic: { toNumber(): number } };
    event: { section: string; method: string; data: { toPrimitive(): unknown }[] & { names?: string[] | null } };
  }>;
  const events: TxEvent[] = [];
  let error: string | undefined;
  for (const { phase, event } of records) {
    if (!phase.isApplyExtrinsic || phase.asApplyExtrinsic.toNumber() !== index) continue;
    // toPrimitive: integers beyond 2^53 as decimal strings, as everywhere in the CLI's JSON.
    const values = event.data.map((d) => d.toPrimitive());
    const names = event.data.names;
    events.push({ section: event.section, method: event.method, data: names ? Object.fromEntries(names.map((n, i) => [n, values[i]])) : values });
    if (event.section === "system" && event.method === "ExtrinsicFailed") error = fromDispatchError(api, event.data[0] as DispatchError, "the transaction").message;
  }
  return { events, ...(error !== undefined ? { error } : {}) };
}

export async function transactionStatus(api: ApiPromise, lookup: TxLookup): Promise<TxStatus> {
  const hash = lookup.hash.toLowerCase();
  const head = (await api.rpc.chain.getHeader()).number.toNumber();
  const from = Math.max(0, lookup.birthBlock ?? head - DEFAULT_MORTALITY_BLOCKS);
  const lastPossible = lookup.deathBlock === undefined ? head : Math.min(head, lookup.deathBlock - 1);
  const found = await findInBlocks(api, hash, from, lastPossible);
  if (found) {
    const { events, error } = await extrinsicEvents(api, found.blockHash, found.index);
    return { state: "included", head, ...found, success: error === undefined, ...(error !== undefined ? { error } : {}), events };
  }
  if (lookup.deathBlock !== undefined && mortalityEnded(lookup.deathBlock, head))
    return { state: "dropped", head, reason: `its mortality ended at block ${lookup.deathBlock - 1} and it was not included: it can never be now` };
  const inPool = (await api.rpc.author.pendingExtrinsics()).some((xt) => xt.hash.toHex() === hash);
  if (inPool) return { state: "pending", head, inPool, ...(lookup.deathBlock !== undefined ? { validUntil: lookup.deathBlock - 1 } : {}) };
  if (lookup.signer !== undefined && lookup.nonce !== undefined) {
    const account = (await api.query.system!.account!(lookup.signer)) as unknown as { nonce: { toNumber(): number } };
    if (nonceUsed(lookup.nonce, account.nonce.toNumber()))
      return { state: "dropped", head, reason: `another transaction of ${lookup.signer} with nonce ${lookup.nonce} was included instead: this one can never be` };
  }
  if (lookup.deathBlock !== undefined) return { state: "pending", head, inPool: false, validUntil: lookup.deathBlock - 1 };
  return { state: "unknown", head, searchedFrom: from };
}

/** Its mortality is over: the last block that could include it exists, so it never will be now. */
export function mortalityEnded(deathBlock: number, head: number): boolean {
  return head >= deathBlock - 1;
}

/** The signer's on-chain nonce has passed it: it landed, or another transaction took its nonce. */
export function nonceUsed(nonce: number, accountNonce: number): boolean {
  return accountNonce > nonce;
}

/** Whether a journaled transaction may still be included, given the head and its signer's on-chain nonce (the duplicate guard's test). */
export function mayStillBeIncluded(tx: { readonly nonce: number; readonly deathBlock: number }, chain: { readonly head: number; readonly accountNonce: number }): boolean {
  return !mortalityEnded(tx.deathBlock, chain.head) && !nonceUsed(tx.nonce, chain.accountNonce);
}
