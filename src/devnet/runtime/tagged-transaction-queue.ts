/**
 * TaggedTransactionQueue_validate_transaction (version 3): what a Substrate node's pool asks its
 * runtime about a transaction, and what polkadot-api asks before it broadcasts one. The devnet
 * answers with its pool's own checks (runtime.validate) run on the given block's state, and
 * SCALE `TransactionValidity`:
 *
 * - priority: subtensor HEAD's ChargeTransactionPaymentWrapper sets 1 for Normal (and Mandatory)
 *   calls, 10_000_000_000 for Operational ones (runtime/src/transaction_payment_wrapper.rs);
 * - requires/provides: CheckNonce's tags, `(who, nonce)` encoded as AccountId32 ‖ u32;
 * - longevity: CheckMortality's, the blocks left in the mortal era (u64::MAX when immortal);
 * - propagate: true.
 */
import { concatBytes, ScaleReader, ScaleWriter } from "../codec/scale.js";
import { eraDeath } from "./extrinsic.js";
import type { CheckedTransaction, DevRuntime } from "./runtime.js";
import type { StateReader } from "../state/overlay.js";
import { InvalidTransaction, UnknownTransaction, type InvalidReason, type UnknownReason } from "./validity.js";

export const NORMAL_DISPATCH_BASE_PRIORITY = 1n;
export const OPERATIONAL_DISPATCH_PRIORITY = 10_000_000_000n;
const U64_MAX = (1n << 64n) - 1n;

/** sp_runtime::transaction_validity::InvalidTransaction's variant indices. */
const INVALID_INDEX: Readonly<Record<InvalidReason, number>> = {
  Call: 0, Payment: 1, Future: 2, Stale: 3, BadProof: 4, AncientBirthBlock: 5, ExhaustsResources: 6,
  BadMandatory: 8, MandatoryValidation: 9, BadSigner: 10,
};
const INVALID_CUSTOM = 7;
/** sp_runtime::transaction_validity::UnknownTransaction's variant indices. */
const UNKNOWN_INDEX: Readonly<Record<UnknownReason, number>> = { CannotLookup: 0, NoUnsignedValidator: 1 };

export interface ValidTransaction {
  readonly priority: bigint;
  readonly requires: readonly Uint8Array[];
  readonly provides: readonly Uint8Array[];
  readonly longevity: bigint;
  readonly propagate: boolean;
}

export type TransactionValidity = { readonly ok: ValidTransaction } | { readonly err: InvalidTransaction | UnknownTransaction };

/** The validity the devnet's checks give `tx`, checked at a block whose successor is `current`. */
export function validTransaction(tx: CheckedTransaction, current: number): ValidTransaction {
  const s = tx.signedPart;
  const tag = (nonce: number): Uint8Array => new ScaleWriter(36).raw(s.signer).u32(nonce).finish();
  const death = eraDeath(s.era, current);
  return {
    priority: tx.info.class === "Operational" ? OPERATIONAL_DISPATCH_PRIORITY : NORMAL_DISPATCH_BASE_PRIORITY,
    requires: s.nonce > tx.accountNonce ? [tag(s.nonce - 1)] : [],
    provides: [tag(s.nonce)],
    longevity: s.era.immortal ? U64_MAX : BigInt(death - current),
    propagate: true,
  };
}

export function encodeTransactionValidity(validity: TransactionValidity): Uint8Array {
  const w = new ScaleWriter(128);
  if ("ok" in validity) {
    const v = validity.ok;
    return w
      .u8(0)
      .u64(v.priority)
      .vec(v.requires, (w, tag) => w.bytes(tag))
      .vec(v.provides, (w, tag) => w.bytes(tag))
      .u64(v.longevity)
      .bool(v.propagate)
      .finish();
  }
  w.u8(1);
  const error = validity.err;
  if (error instanceof InvalidTransaction) {
    w.u8(0);
    if (typeof error.reason === "string") w.u8(INVALID_INDEX[error.reason]);
    else w.u8(INVALID_CUSTOM).u8(error.reason.custom);
  } else {
    w.u8(1).u8(UNKNOWN_INDEX[error.reason]);
  }
  return w.finish();
}

/**
 * The runtime API: input `(source: TransactionSource, tx: Extrinsic, block_hash: H256)`, run on
 * the state of that block. The pool is not consulted: a nonce ahead of the account's is valid,
 * with a `requires` tag, as on a real runtime.
 */
export function validateTransactionApi(runtime: DevRuntime, genesisHash: Uint8Array): (state: StateReader, input: ScaleReader) => Uint8Array {
  return (state, r) => {
    r.u8(); // TransactionSource: the devnet checks every source alike
    const length = r.compactNumber();
    const bytes = concatBytes(new ScaleWriter(5).compact(length).finish(), r.raw(length));
    const blockHash = r.raw(32).slice();
    const number = runtime.system.blockNumber(state);
    try {
      const checked = runtime.validate({ state, headNumber: number, headHash: blockHash, genesisHash }, bytes);
      return encodeTransactionValidity({ ok: validTransaction(checked, number + 1) });
    } catch (error) {
      // An undecodable extrinsic (ExtrinsicFormatError) is bad input to the API, as on a real runtime.
      if (error instanceof InvalidTransaction || error instanceof UnknownTransaction) return encodeTransactionValidity({ err: error });
      throw error;
    }
  };
}
