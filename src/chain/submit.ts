/**
 * Submitting transactions so that they never fail silently and never hang: nonces handed out per
 * signer in order (concurrent submissions from one key do not collide), inclusion awaited with a
 * time-out, and every refusal or failure turned into a ChainError with a readable message.
 */
import type { ApiPromise } from "@polkadot/api";
import type { SubmittableExtrinsic } from "@polkadot/api/types";
import type { ISubmittableResult } from "@polkadot/types/types";
import { ChainError, fromDispatchError, fromRpcError } from "./errors.js";
import { openSigner, type Signer } from "./signer.js";

export interface Included {
  readonly blockHash: string;
  readonly events: ISubmittableResult["events"];
}

/** Hands out nonces per signer: the chain's next index at first, then one more per submission. */
export class NonceManager {
  readonly #api: ApiPromise;
  readonly #next = new Map<string, Promise<number>>();

  constructor(api: ApiPromise) {
    this.#api = api;
  }

  next(address: string): Promise<number> {
    const previous = this.#next.get(address);
    const nonce = previous ? previous.then((n) => n + 1) : this.#api.rpc.system.accountNextIndex(address).then((n) => n.toNumber());
    this.#next.set(address, nonce);
    return nonce;
  }

  /** Forgets a signer's nonces (after a refusal the chain's index is the truth again). */
  reset(address: string): void {
    this.#next.delete(address);
  }
}

/** A signed transaction as the CLI journals it: enough to find it again, or to know it can no longer land. */
export interface SignedTransaction {
  readonly hash: string;
  readonly genesisHash: string;
  readonly signer: string;
  readonly nonce: number;
  /** The call's SCALE bytes (what it does, whoever signs it): equal calls are the same spend. */
  readonly callHex: string;
  readonly what: string;
  /** The block its mortality starts at (the block it was signed against). */
  readonly birthBlock: number;
  /** The first block in which it can no longer be included. */
  readonly deathBlock: number;
}

/** Blocks a transaction stays valid for: 64 (as polkadot.js picks for 12 s blocks): ~13 min on finney. */
export const DEFAULT_MORTALITY_BLOCKS = 64;

export interface SubmitOptions {
  /** What the transaction does, for messages ("set weights on subnet 3"). */
  readonly what: string;
  /** How long to wait for inclusion (default 60 s). */
  readonly timeoutMs?: number;
  /** Told each step: submitted, in the pool, included. */
  readonly onProgress?: (message: string) => void;
  /** Before the key is opened, with the exact call: the last check (the CLI refuses a duplicate spend here). */
  readonly beforeSign?: (call: { readonly signer: string; readonly callHex: string; readonly what: string }) => Promise<void>;
  /** After signing and before sending, awaited: the record of the transaction exists before the transaction can. */
  readonly onSigned?: (tx: SignedTransaction) => Promise<void>;
  /** Blocks the transaction stays valid for (default DEFAULT_MORTALITY_BLOCKS). */
  readonly mortalityBlocks?: number;
  /** The command that finds out what became of a transaction, for the time-out's message. */
  readonly howToCheck?: (hash: string) => string;
  /** Ends the wait (a daemon stopping): TX_ABANDONED, before sending (nothing sent) or after (it may still land). */
  readonly signal?: AbortSignal;
}

/** Where to look for a transaction that was sent but not seen included: in the message of a time-out or an interruption. */
export function mayStillLand(tx: SignedTransaction): string {
  return `it was submitted as ${tx.hash} and may still be included until block ${tx.deathBlock - 1}`;
}

/**
 * Opens the signer's key (after `beforeSign`), signs with the next nonce and a mortal era, reports
 * the signed transaction (`onSigned`), submits it, and resolves once it is in a block without error.
 */
export async function submitAndWait(api: ApiPromise, nonces: NonceManager, tx: SubmittableExtrinsic<"promise">, signer: Signer, options: SubmitOptions): Promise<Included> {
  const callHex = tx.method.toHex();
  const notSent = (): ChainError => new ChainError("TX_ABANDONED", "stopping", `${options.what}: not sent, the process is stopping`);
  if (options.signal?.aborted) throw notSent();
  await options.beforeSign?.({ signer: signer.address, callHex, what: options.what });
  const pair = await openSigner(signer);
  const nonce = await nonces.next(pair.address);
  let signed: SignedTransaction;
  try {
    const header = await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead());
    const current = header.number.toNumber();
    const era = api.registry.createType("ExtrinsicEra", { current, period: options.mortalityBlocks ?? DEFAULT_MORTALITY_BLOCKS });
    tx.sign(pair, { blockHash: header.hash, era, nonce, genesisHash: api.genesisHash, runtimeVersion: api.runtimeVersion });
    const mortal = era.asMortalEra;
    signed = {
      hash: tx.hash.toHex(),
      genesisHash: api.genesisHash.toHex(),
      signer: pair.address,
      nonce,
      callHex,
      what: options.what,
      birthBlock: mortal.birth(current),
      deathBlock: mortal.death(current),
    };
  } catch (error) {
    nonces.reset(pair.address);
    throw fromRpcError(error, options.what);
  }
  try {
    await options.onSigned?.(signed);
  } catch (error) {
    nonces.reset(pair.address);
    throw error;
  }
  return new Promise<Included>((resolve, reject) => {
    let unsubscribe: (() => void) | undefined;
    let settled = false;
    const finish = (outcome: () => void, forgetNonce = false): void => {
      if (settled) return;
      settled = true;
      if (forgetNonce) nonces.reset(pair.address);
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", abandon);
      unsubscribe?.();
      outcome();
    };
    const timeoutMs = options.timeoutMs ?? 60_000;
    const limit = timeoutMs < 10_000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`;
    const howToCheck = `check with \`${(options.howToCheck ?? ((hash) => `tensornode tx status ${hash}`))(signed.hash)}\``;
    // Not seen included in time, or no longer waited for: the chain's next index is the truth again
    // (a pool that lost the transaction, a node restarted, must not leave the next one in the future).
    const timer = setTimeout(() => finish(() => reject(new ChainError("TX_TIMEOUT", "timeout", `${options.what}: not included within ${limit}; ${mayStillLand(signed)}: ${howToCheck}`)), true), timeoutMs);
    const abandon = (): void => finish(() => reject(new ChainError("TX_ABANDONED", "stopping", `${options.what}: no longer waited for, the process is stopping; ${mayStillLand(signed)}: ${howToCheck}`)), true);
    if (options.signal?.aborted) return finish(() => reject(notSent()), true);
    options.signal?.addEventListener("abort", abandon, { once: true });
    options.onProgress?.(`${options.what}: submitted ${signed.hash} (nonce ${nonce}, valid until block ${signed.deathBlock - 1})`);
    tx.send((result) => {
      const { status, dispatchError } = result;
      if (status.isReady || status.isFuture) options.onProgress?.(`${options.what}: in the pool, waiting for a block…`);
      if (status.isInBlock || status.isFinalized) {
        const blockHash = (status.isInBlock ? status.asInBlock : status.asFinalized).toHex();
        if (!settled) options.onProgress?.(`${options.what}: included in block ${blockHash}${dispatchError ? " (failed)" : ""}`);
        finish(() => (dispatchError ? reject(fromDispatchError(api, dispatchError, options.what)) : resolve({ blockHash, events: result.events })));
      } else if (status.isInvalid || status.isDropped || status.isUsurped) {
        nonces.reset(pair.address);
        finish(() => reject(new ChainError("TX_DROPPED", status.type, `${options.what}: the transaction was ${status.type.toLowerCase()} by the pool before inclusion`)));
      }
    })
      .then((u) => {
        if (settled) u();
        else unsubscribe = u;
      })
      .catch((error: unknown) => {
        nonces.reset(pair.address);
        finish(() => reject(fromRpcError(error, options.what)));
      });
  });
}
