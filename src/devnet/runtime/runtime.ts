/**
 * The dev runtime: the pallets, the metadata generated from them, and the executive — validating
 * transactions the way the pool does, applying extrinsics the way block building does.
 */
import { TypeRegistry } from "@polkadot/types";
import type { Call } from "@polkadot/types/interfaces";
import { SUBTENSOR_SIGNED_EXTENSIONS } from "../../params/chain-options.js";
import type { StateReader } from "../state/overlay.js";
import { buildMetadata, type BuiltMetadata } from "../metadata/build.js";
import { declareRuntimeApis } from "./apis-declare.js";
import { normalMaxWeight, SUBTENSOR_CONSTANTS, type RuntimeConstants } from "./constants.js";
import type { BlockContext } from "./context.js";
import { DispatchFailure, encodeDispatchError, NONE, signed, type DispatchErrorValue, type Origin } from "./dispatch.js";
import { decodeExtrinsic, eraBirth, eraDeath, ExtrinsicFormatError, signingPayload, type SignedPart, type UncheckedExtrinsic } from "./extrinsic.js";
import type { CallDecl, CallInfo, Pallet } from "./pallet.js";
import { BalancesPallet } from "./pallets/balances.js";
import type { NestedCalls } from "./pallets/nested.js";
import { SudoPallet } from "./pallets/sudo.js";
import { SystemPallet } from "./pallets/system.js";
import { TimestampPallet } from "./pallets/timestamp.js";
import { TransactionPaymentPallet } from "./pallets/transaction-payment.js";
import { UtilityPallet } from "./pallets/utility.js";
import { HEAD_SETTINGS, type SubtensorSettings } from "./pallets/subtensor/env.js";
import { SubtensorModulePallet } from "./pallets/subtensor/pallet.js";
import { AdminUtilsPallet } from "./pallets/subtensor/admin-utils.js";
import { verifySignature } from "./signature.js";
import { liteCall } from "./lite-call.js";
import { InvalidTransaction, UnknownTransaction } from "./validity.js";

/** What the runtime needs to know of the chain to validate a transaction on top of its head. */
export interface ChainView {
  readonly state: StateReader;
  readonly headNumber: number;
  readonly headHash: Uint8Array;
  readonly genesisHash: Uint8Array;
  /** The sender's next nonce counting its transactions already waiting in the pool (default: the account's). */
  readonly nextNonce?: (who: Uint8Array) => number;
}

export interface CheckedTransaction {
  readonly xt: UncheckedExtrinsic;
  readonly signedPart: SignedPart;
  readonly call: Call;
  readonly info: CallInfo;
  /** Fee before the tip. */
  readonly partialFee: bigint;
  /** The account's nonce when checked: below the transaction's nonce, the transaction waits. */
  readonly accountNonce: number;
  readonly birth: number;
  /** The last block number the transaction may be included in. */
  readonly validTill: number;
}

export interface ApplyOutcome {
  readonly dispatchError?: DispatchErrorValue;
  readonly paysFee: boolean;
}

export interface RuntimeOptions {
  readonly constants?: RuntimeConstants;
  /** Subtensor's chain settings (a genesis preset); HEAD's by default. */
  readonly subtensor?: SubtensorSettings;
  /**
   * Hears about exceptions a call's code throws that are not dispatch errors (a bug, not bad
   * input): the call fails with `DispatchError::Other` and the chain goes on.
   */
  readonly onInternalError?: (error: unknown, call: string) => void;
}

/** How many earlier era windows a failed signature is tried against, to explain an expired transaction. */
const EXPIRED_ERA_LOOKBACK = 32;

/** How far ahead of a sender's next nonce (its account's, plus its transactions in the pool) a transaction may wait. */
export const MAX_FUTURE_NONCE_GAP = 64;

const DISPATCH_CLASS_INDEX = { Normal: 0, Operational: 1, Mandatory: 2 } as const;

export class DevRuntime implements NestedCalls {
  readonly constants: RuntimeConstants;
  readonly system: SystemPallet;
  readonly timestamp: TimestampPallet;
  readonly balances: BalancesPallet;
  readonly transactionPayment: TransactionPaymentPallet;
  readonly utility: UtilityPallet;
  readonly sudo: SudoPallet;
  readonly pallets: readonly Pallet[];
  readonly metadata: BuiltMetadata;
  readonly registry: TypeRegistry;
  readonly #calls = new Map<number, CallDecl>();
  readonly #lite = new Map<number, { section: string; method: string; decoders: NonNullable<CallDecl["lite"]> }>();

  readonly subtensor: SubtensorModulePallet;
  readonly adminUtils: AdminUtilsPallet;
  readonly #onInternalError: (error: unknown, call: string) => void;

  constructor(options: RuntimeOptions = {}) {
    const constants = options.constants ?? SUBTENSOR_CONSTANTS;
    this.constants = constants;
    this.#onInternalError = options.onInternalError ?? (() => undefined);
    this.system = new SystemPallet(constants);
    this.timestamp = new TimestampPallet(constants);
    this.balances = new BalancesPallet(this.system, constants);
    this.transactionPayment = new TransactionPaymentPallet(constants);
    this.utility = new UtilityPallet(this, constants);
    this.sudo = new SudoPallet(this);
    this.subtensor = new SubtensorModulePallet(this.system, this.balances, options.subtensor ?? HEAD_SETTINGS);
    this.adminUtils = new AdminUtilsPallet(this.subtensor.env);
    this.pallets = [this.system, this.timestamp, this.balances, this.transactionPayment, this.subtensor, this.utility, this.sudo, this.adminUtils].sort((a, b) => a.index - b.index);
    this.metadata = buildMetadata({ pallets: this.pallets, apis: declareRuntimeApis });
    for (const [pallet, decl] of this.metadata.declarations) {
      for (const c of decl.calls ?? []) {
        this.#calls.set(pallet.index * 256 + c.index, c);
        if (c.lite) this.#lite.set(pallet.index * 256 + c.index, { section: lowerFirst(pallet.name), method: camelCase(c.name), decoders: c.lite });
      }
    }
    this.registry = new TypeRegistry();
    const metadata = this.registry.createType("Metadata", this.metadata.v15);
    this.registry.setMetadata(metadata as never, undefined, SUBTENSOR_SIGNED_EXTENSIONS as never, true);
  }

  /** Decodes a call; the bytes must be exactly one call. Hot calls take the fast path of lite-call.ts. */
  decodeCall(bytes: Uint8Array): Call {
    const fast = bytes.length >= 2 ? this.#lite.get(bytes[0]! * 256 + bytes[1]!) : undefined;
    if (fast) {
      try {
        const decoded = liteCall(bytes, fast.section, fast.method, fast.decoders);
        if (decoded) return decoded as unknown as Call;
      } catch {
        // malformed: let @polkadot/types decode it and say what is wrong
      }
    }
    let call: Call;
    try {
      call = this.registry.createType("Call", bytes);
    } catch (error) {
      throw new ExtrinsicFormatError(`cannot decode the call: ${(error as Error).message.split("\n")[0]}`);
    }
    if (call.encodedLength !== bytes.length) throw new ExtrinsicFormatError(`the call is ${call.encodedLength} bytes but ${bytes.length} were given`);
    return call;
  }

  #decl(call: Call): CallDecl {
    const [pallet, index] = call.callIndex;
    const decl = this.#calls.get(pallet! * 256 + index!);
    if (!decl) throw new ExtrinsicFormatError(`no call ${pallet}/${index}`);
    return decl;
  }

  info(call: Call): CallInfo {
    const decl = this.#decl(call);
    const partial = typeof decl.info === "function" ? decl.info(call.args) : decl.info;
    return { refTime: partial.refTime ?? 10_000_000n, class: partial.class ?? "Normal", paysFee: partial.paysFee ?? true };
  }

  tryDispatch(ctx: BlockContext, origin: Origin, call: Call): DispatchErrorValue | undefined {
    return this.#dispatch(ctx, origin, call).error;
  }

  #dispatch(ctx: BlockContext, origin: Origin, call: Call): { error?: DispatchErrorValue; paysFee?: boolean } {
    const decl = this.#decl(call);
    const dispatch = decl.dispatch;
    if (!dispatch) return { error: { kind: "Other" } };
    try {
      const post = ctx.transactional(() => dispatch(ctx, origin, call.args));
      return post?.paysFee === false ? { paysFee: false } : {};
    } catch (error) {
      if (error instanceof DispatchFailure) return { error: error.error };
      this.#onInternalError(error, `${call.section}.${call.method}`);
      return { error: { kind: "Other" } };
    }
  }

  /** The hash of block `number` as the runtime sees it on top of the head (None if pruned or future). */
  #blockHash(view: ChainView, number: number): Uint8Array | undefined {
    if (number === view.headNumber) return view.headHash;
    if (number > view.headNumber) return undefined;
    return this.system.blockHashAt(view.state, number);
  }

  /** Checks a transaction against the head's state as a Substrate transaction pool does. */
  validate(view: ChainView, bytes: Uint8Array): CheckedTransaction {
    let xt: UncheckedExtrinsic;
    let call: Call;
    try {
      xt = decodeExtrinsic(bytes);
      call = this.decodeCall(xt.callBytes);
    } catch (error) {
      if (error instanceof ExtrinsicFormatError) this.#explainMissingExtension(view, bytes);
      throw error;
    }
    const s = xt.signed;
    if (!s) throw new UnknownTransaction("NoUnsignedValidator");
    if (!this.#decl(call).dispatch) throw new InvalidTransaction("Call", `${call.section}.${call.method} is not implemented by the devnet (docs/devnet-subtensor.md lists what is)`);
    if (s.signer.every((byte) => byte === 0)) throw new InvalidTransaction("BadSigner");
    if (s.metadataHashMode !== 0) throw new UnknownTransaction("CannotLookup");
    const current = view.headNumber + 1;
    const birth = eraBirth(s.era, current);
    const eraBlockHash = this.#blockHash(view, birth);
    if (!eraBlockHash) {
      this.#explainExpiredEra(view, xt, s, birth);
      throw new InvalidTransaction("AncientBirthBlock");
    }
    if (!this.#signatureValid(view, xt, s, eraBlockHash)) {
      this.#explainExpiredEra(view, xt, s, birth);
      this.#explainMissingExtension(view, bytes);
      throw new InvalidTransaction("BadProof");
    }
    const info = this.info(call);
    if (info.class === "Mandatory") throw new InvalidTransaction("MandatoryValidation");
    this.#decl(call).validate?.(view.state, s.signer, call.args, current);
    const maxLength = Math.floor((this.constants.maxBlockLength * Number(this.constants.normalDispatchRatioPercent)) / 100);
    if (bytes.length > maxLength || info.refTime + this.constants.extrinsicBaseWeight > normalMaxWeight(this.constants)) throw new InvalidTransaction("ExhaustsResources");
    const account = this.system.readAccount(view.state, s.signer);
    if (s.nonce < account.nonce) throw new InvalidTransaction("Stale");
    const expected = Math.max(account.nonce, view.nextNonce?.(s.signer) ?? account.nonce);
    if (s.nonce > expected + MAX_FUTURE_NONCE_GAP) throw new InvalidTransaction("Future", `nonce ${s.nonce} is more than ${MAX_FUTURE_NONCE_GAP} ahead of the next expected ${expected}`);
    const partialFee = this.transactionPayment.partialFee(bytes.length, info);
    if (partialFee + s.tip > this.balances.reducible(view.state, s.signer, "preserve")) throw new InvalidTransaction("Payment");
    return { xt, signedPart: s, call, info, partialFee, accountNonce: account.nonce, birth, validTill: eraDeath(s.era, current) - 1 };
  }

  /**
   * Substrate reports an expired mortal transaction as a bad signature or an ancient birth block
   * (its era now points at a later block); the devnet says what it is when the signature fits an
   * earlier window of the era.
   */
  #explainExpiredEra(view: ChainView, xt: UncheckedExtrinsic, s: SignedPart, birth: number): void {
    if (s.era.immortal) return;
    for (let windows = 1, earlierBirth = birth - s.era.period; windows <= EXPIRED_ERA_LOOKBACK && earlierBirth >= 0; windows++, earlierBirth -= s.era.period) {
      const earlier = this.#blockHash(view, earlierBirth);
      if (!earlier) return;
      if (this.#signatureValid(view, xt, s, earlier)) throw new InvalidTransaction("Stale", "its mortal era has expired");
    }
  }

  #signatureValid(view: ChainView, xt: UncheckedExtrinsic, s: SignedPart, eraBlockHash: Uint8Array): boolean {
    const implicit = { specVersion: this.constants.version.specVersion, transactionVersion: this.constants.version.transactionVersion, genesisHash: view.genesisHash, eraBlockHash };
    return verifySignature(s.signatureKind, s.signature, signingPayload(xt.callBytes, s.explicit, implicit), s.signer);
  }

  /**
   * A client that does not know subtensor's ChargeTransactionPaymentWrapper encodes it as empty:
   * the extrinsic then misparses or its signature fails. When it verifies under that layout, say so.
   */
  #explainMissingExtension(view: ChainView, bytes: Uint8Array): void {
    let xt: UncheckedExtrinsic;
    try {
      xt = decodeExtrinsic(bytes, false);
    } catch {
      return;
    }
    const s = xt.signed;
    if (!s) return;
    const eraBlockHash = this.#blockHash(view, eraBirth(s.era, view.headNumber + 1));
    if (eraBlockHash && this.#signatureValid(view, xt, s, eraBlockHash))
      throw new InvalidTransaction(
        "BadProof",
        "it was signed without subtensor's ChargeTransactionPaymentWrapper extension (the tip); create the client with subtensor's signed extensions (SUBTENSOR_API_OPTIONS in src/params)",
      );
  }

  /**
   * Applies a checked transaction in a block: nonce and fee first (kept even when the call
   * fails), then the call in its own storage transaction, then the fee and result events.
   * Throws InvalidTransaction when it can no longer be included (it is then dropped, not applied).
   */
  applyExtrinsic(ctx: BlockContext, tx: CheckedTransaction, index: number): ApplyOutcome {
    const s = tx.signedPart;
    if (ctx.number > tx.validTill || eraBirth(s.era, ctx.number) !== tx.birth) throw new InvalidTransaction("Stale", "its mortal era has expired");
    const account = this.system.readAccount(ctx, s.signer);
    if (s.nonce < account.nonce) throw new InvalidTransaction("Stale");
    if (s.nonce > account.nonce) throw new InvalidTransaction("Future");
    const fee = tx.partialFee + s.tip;
    if (fee > this.balances.reducible(ctx, s.signer, "preserve")) throw new InvalidTransaction("Payment");
    ctx.phase = { kind: "ApplyExtrinsic", index };
    this.system.incrementNonce(ctx, s.signer);
    this.balances.withdraw(ctx, s.signer, fee, "preserve");
    const result = this.#dispatch(ctx, signed(s.signer), tx.call);
    const paysFee = tx.info.paysFee && result.paysFee !== false;
    if (!paysFee && fee > 0n) this.balances.deposit(ctx, s.signer, fee);
    this.transactionPayment.depositFeePaid(ctx, s.signer, paysFee ? fee : 0n, s.tip);
    this.#depositResult(ctx, tx.info, paysFee, result.error);
    return { dispatchError: result.error, paysFee };
  }

  /** Applies an inherent (an unsigned call the block author puts first). Failure is a bug. */
  applyInherent(ctx: BlockContext, call: Call, index: number): void {
    ctx.phase = { kind: "ApplyExtrinsic", index };
    const result = this.#dispatch(ctx, NONE, call);
    if (result.error) throw new Error(`inherent ${call.section}.${call.method} failed: ${JSON.stringify(result.error)}`);
    this.#depositResult(ctx, this.info(call), false, undefined);
  }

  #depositResult(ctx: BlockContext, info: CallInfo, paysFee: boolean, error: DispatchErrorValue | undefined): void {
    const errorBytes = error ? encodeDispatchError(error) : undefined;
    this.system.depositExtrinsicResult(ctx, { refTime: info.refTime + this.constants.extrinsicBaseWeight, class: DISPATCH_CLASS_INDEX[info.class], paysFee }, errorBytes);
  }

  initializeBlock(ctx: BlockContext, parentHash: Uint8Array): void {
    ctx.phase = { kind: "Initialization" };
    this.system.initializeBlock(ctx, parentHash);
    for (const pallet of this.pallets) pallet.onInitialize?.(ctx);
  }

  finalizeBlock(ctx: BlockContext, extrinsicCount: number, digest: Uint8Array): void {
    ctx.phase = { kind: "Finalization" };
    for (const pallet of this.pallets) pallet.onFinalize?.(ctx);
    this.timestamp.finalizeBlock(ctx);
    this.system.finalizeBlock(ctx, extrinsicCount, digest);
  }

  /** The encoded `Timestamp::set(now)` call for a block's inherent. */
  timestampCall(now: bigint): Call {
    return this.registry.createType("Call", { callIndex: [this.timestamp.index, 0], args: { now } });
  }

}

/** polkadot.js's names: `SubtensorModule` → `subtensorModule`, `set_weights` → `setWeights`. */
function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
