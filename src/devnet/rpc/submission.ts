/**
 * Taking a transaction in: the runtime's pool checks against the head (counting the sender's
 * transactions already pooled), then the pool, then the block author is told. Shared by the legacy
 * author_* methods and the new spec's transaction_v1 / transactionWatch_v1.
 */
import type { BlockAuthor } from "../chain/author.js";
import type { Chain } from "../chain/chain.js";
import { PoolError, type TxPool, type TxWatcher } from "../pool/tx-pool.js";
import { ExtrinsicFormatError } from "../runtime/extrinsic.js";
import { InvalidTransaction, UnknownTransaction } from "../runtime/validity.js";
import { RpcError } from "./errors.js";

export interface Submission {
  readonly chain: Chain;
  readonly pool: TxPool;
  readonly author: BlockAuthor;
}

/** The account's nonce plus its transactions waiting in the pool without a gap (as Substrate's accountNextIndex). */
export function nextNonce({ chain, pool }: Pick<Submission, "chain" | "pool">, who: Uint8Array): number {
  let nonce = chain.runtime.system.readAccount(chain.state, who).nonce;
  const pending = new Set(pool.nonces(who));
  while (pending.has(nonce)) nonce++;
  return nonce;
}

/** Validates and pools a transaction; throws what the runtime or the pool refuses it for (see transactionRpcError). */
export function submitTransaction(deps: Submission, bytes: Uint8Array, watcher?: TxWatcher): { hash: string; status: "ready" | "future" } {
  const checked = deps.chain.runtime.validate({ ...deps.chain.view(), nextNonce: (who) => nextNonce(deps, who) }, bytes);
  const added = deps.pool.add(checked, watcher);
  deps.author.transactionAdded();
  return added;
}

/** Whether `error` is the runtime or the pool refusing a transaction (anything else is a bug). */
export function isRefusal(error: unknown): boolean {
  return error instanceof InvalidTransaction || error instanceof UnknownTransaction || error instanceof ExtrinsicFormatError || error instanceof PoolError;
}

/** Substrate's author errors: 1001 bad format, 1010 invalid, 1011 unknown validity, 1013/1014/1016 pool. */
export function transactionRpcError(error: unknown): RpcError {
  if (error instanceof InvalidTransaction) return new RpcError(1010, "Invalid Transaction", error.detail ? `${error.message}: ${error.detail}` : error.message);
  if (error instanceof UnknownTransaction) return new RpcError(1011, "Unknown Transaction Validity", error.message);
  if (error instanceof ExtrinsicFormatError) return new RpcError(1001, `Extrinsic has invalid format: ${error.message}`);
  if (error instanceof PoolError) {
    if (error.rpcCode === 1014) return new RpcError(1014, error.message, "The transaction has too low priority to replace another transaction already in the pool.");
    if (error.rpcCode === 1016) return new RpcError(1016, error.message, "The transaction couldn't enter the pool because of the limit");
    return new RpcError(error.rpcCode, error.message);
  }
  if (error instanceof RpcError) return error;
  throw error;
}

/** Why a transaction was refused, in one line (the new spec's `invalid`/`dropped` events carry text, not codes). */
export function refusalText(error: unknown): string {
  const rpc = transactionRpcError(error);
  return typeof rpc.data === "string" ? `${rpc.message}: ${rpc.data}` : rpc.message;
}
