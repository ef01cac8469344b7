/**
 * Submitting transactions so that they never fail silently and never hang: nonces handed out per
 * signer in order (concurrent submissions from one key do not collide), inclusion awaited with a
 * time-out, and every refusal or failure turned into a ChainError with a readable message.
 */
import type { ApiPromise } from "@polkadot/api";
import type { SubmittableExtrinsic } from "@polkadot/api/types";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { ISubmittableResult } from "@polkadot/types/types";
import { ChainError, fromDispatchError, fromRpcError } from "./errors.js";

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

export interface SubmitOptions {
  /** What the transaction does, for messages ("set weights on subnet 3"). */
  readonly what: string;
  /** How long to wait for inclusion (default 60 s). */
  readonly timeoutMs?: number;
  /** Told each step: submitted, in the pool, included. */
  readonly onProgress?: (message: string) => void;
}

/** Signs with the next nonce, submits, and resolves once the transaction is in a block without error. */
export async function submitAndWait(api: ApiPromise, nonces: NonceManager, tx: SubmittableExtrinsic<"promise">, signer: KeyringPair, options: SubmitOptions): Promise<Included> {
  const nonce = await nonces.next(signer.address);
  return new Promise<Included>((resolve, reject) => {
    let unsubscribe: (() => void) | undefined;
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unsubscribe?.();
      outcome();
    };
    const timeoutMs = options.timeoutMs ?? 60_000;
    const limit = timeoutMs < 10_000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`;
    const timer = setTimeout(
      () => finish(() => reject(new ChainError("TX_TIMEOUT", "timeout", `${options.what}: not included within ${limit}; the chain may be stalled or the transaction dropped`))),
      timeoutMs,
    );
    options.onProgress?.(`${options.what}: submitting (nonce ${nonce})`);
    tx.signAndSend(signer, { nonce }, (result) => {
      const { status, dispatchError } = result;
      if (status.isReady || status.isFuture) options.onProgress?.(`${options.what}: in the pool, waiting for a block…`);
      if (status.isInBlock || status.isFinalized) {
        const blockHash = (status.isInBlock ? status.asInBlock : status.asFinalized).toHex();
        if (!settled) options.onProgress?.(`${options.what}: included in block ${blockHash}${dispatchError ? " (failed)" : ""}`);
        finish(() => (dispatchError ? reject(fromDispatchError(api, dispatchError, options.what)) : resolve({ blockHash, events: result.events })));
      } else if (status.isInvalid || status.isDropped || status.isUsurped) {
        nonces.reset(signer.address);
        finish(() => reject(new ChainError("TX_DROPPED", status.type, `${options.what}: the transaction was ${status.type.toLowerCase()} by the pool before inclusion`)));
      }
    })
      .then((u) => {
        if (settled) u();
        else unsubscribe = u;
      })
      .catch((error: unknown) => {
        nonces.reset(signer.address);
        finish(() => reject(fromRpcError(error, options.what)));
      });
  });
}
