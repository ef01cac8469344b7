/** pallet_subtensor_utility (pallet 11): batches, derivative accounts and origin switching. */
import type { Call } from "@polkadot/types/interfaces";
import type { Codec } from "@polkadot/types-codec/types";
import { blake2_256 } from "../../codec/hashing.js";
import { concatBytes, ScaleWriter } from "../../codec/scale.js";
import { RUNTIME_PATH, type CommonTypes } from "../../metadata/common-types.js";
import type { TypeBuilder } from "../../metadata/type-builder.js";
import type { RuntimeConstants } from "../constants.js";
import type { BlockContext } from "../context.js";
import { badOrigin, DispatchFailure, encodeDispatchError, ensureRoot, ensureSigned, NONE, ROOT, signed, type Origin } from "../dispatch.js";
import { errorList, moduleError, type CallDecl, type CallInfo, type ErrorDecl, type Pallet, type PalletDeclaration } from "../pallet.js";
import { encodeDispatchResult, type NestedCalls } from "./nested.js";

const EVENTS = { BatchInterrupted: 0, BatchCompleted: 1, BatchCompletedWithErrors: 2, ItemCompleted: 3, ItemFailed: 4, DispatchedAs: 5, IfElseMainSuccess: 6, IfElseFallbackCalled: 7 } as const;
const DERIVATIVE_PREFIX = new TextEncoder().encode("modlpy/utilisuba");

export class UtilityPallet implements Pallet {
  readonly name = "Utility";
  readonly index = 11;
  readonly errors: readonly ErrorDecl[] = errorList([
    ["TooManyCalls", "Too many calls batched."],
    ["InvalidDerivedAccount", "Bad input data for derived account ID"],
  ]);
  readonly #nested: NestedCalls;
  readonly #constants: RuntimeConstants;

  constructor(nested: NestedCalls, constants: RuntimeConstants) {
    this.#nested = nested;
    this.#constants = constants;
  }

  /** The account `as_derivative` dispatches from. */
  static derivativeAccount(who: Uint8Array, index: number): Uint8Array {
    return blake2_256(concatBytes(DERIVATIVE_PREFIX, who, new ScaleWriter(2).u16(index).finish()));
  }

  #calls(args: readonly Codec[]): Call[] {
    const calls = [...(args[0] as unknown as Iterable<Call>)];
    if (calls.length > this.#constants.batchedCallsLimit) throw new DispatchFailure(moduleError(this, this.errors, "TooManyCalls"));
    return calls;
  }

  #sumInfo(calls: readonly Call[]): Partial<CallInfo> {
    let refTime = 5_000_000n;
    for (const c of calls) refTime += this.#nested.info(c).refTime + 5_000_000n;
    return { refTime };
  }

  #ensureNotNone(origin: Origin): void {
    if (origin.kind === "none") throw badOrigin();
  }

  /** `OriginCaller::system(RawOrigin)` → the origin to dispatch with. */
  #originFromCaller(caller: Codec): Origin {
    const outer = caller as unknown as { type: string; value: { type: string; value: Codec } };
    if (outer.type !== "system") throw badOrigin();
    switch (outer.value.type) {
      case "Root":
        return ROOT;
      case "None":
        return NONE;
      case "Signed":
        return signed(outer.value.value.toU8a());
      default:
        throw badOrigin();
    }
  }

  #batch(ctx: BlockContext, origin: Origin, args: readonly Codec[], mode: "interrupt" | "all" | "force"): void {
    this.#ensureNotNone(origin);
    const calls = this.#calls(args);
    let failed = false;
    for (let i = 0; i < calls.length; i++) {
      const error = this.#nested.tryDispatch(ctx, origin, calls[i]!);
      if (!error) {
        ctx.depositEvent(this.index, EVENTS.ItemCompleted);
        continue;
      }
      if (mode === "all") throw new DispatchFailure(error);
      if (mode === "interrupt") {
        ctx.depositEvent(this.index, EVENTS.BatchInterrupted, new ScaleWriter(16).u32(i).raw(encodeDispatchError(error)).finish());
        return;
      }
      failed = true;
      ctx.depositEvent(this.index, EVENTS.ItemFailed, encodeDispatchError(error));
    }
    ctx.depositEvent(this.index, failed ? EVENTS.BatchCompletedWithErrors : EVENTS.BatchCompleted);
  }

  declare(b: TypeBuilder, t: CommonTypes): PalletDeclaration {
    const callVec = { name: "calls", type: b.sequence(t.runtimeCall), typeName: "Vec<<T as Config>::RuntimeCall>" };
    const boxed = (name: string) => ({ name, type: t.runtimeCall, typeName: "Box<<T as Config>::RuntimeCall>" });
    const originCaller = b.variant(`${RUNTIME_PATH}::OriginCaller`, [{ name: "system", index: 0, fields: [{ type: t.rawOrigin, typeName: "frame_system::Origin<Runtime>" }] }]);
    const asOrigin = { name: "as_origin", type: originCaller, typeName: "Box<T::PalletsOrigin>" };
    const batchInfo = (args: readonly Codec[]) => this.#sumInfo([...(args[0] as unknown as Iterable<Call>)]);
    const oneInfo = (at: number) => (args: readonly Codec[]) => this.#sumInfo([args[at] as Call]);
    const calls: CallDecl[] = [
      { name: "batch", index: 0, args: [callVec], docs: ["Send a batch of dispatch calls.", "", "May be called from any origin except `None`."], info: batchInfo, dispatch: (ctx, origin, args) => this.#batch(ctx, origin, args, "interrupt") },
      {
        name: "as_derivative",
        index: 1,
        args: [{ name: "index", type: t.u16, typeName: "u16" }, boxed("call")],
        docs: ["Send a call through an indexed pseudonym of the sender."],
        info: oneInfo(1),
        dispatch: (ctx, origin, args) => {
          const who = ensureSigned(origin);
          const derived = UtilityPallet.derivativeAccount(who, Number(args[0]!.toString()));
          const error = this.#nested.tryDispatch(ctx, signed(derived), args[1] as Call);
          if (error) throw new DispatchFailure(error);
        },
      },
      { name: "batch_all", index: 2, args: [callVec], docs: ["Send a batch of dispatch calls and atomically execute them.", "The whole transaction will rollback and fail if any of the calls failed."], info: batchInfo, dispatch: (ctx, origin, args) => this.#batch(ctx, origin, args, "all") },
      {
        name: "dispatch_as",
        index: 3,
        args: [asOrigin, boxed("call")],
        docs: ["Dispatches a function call with a provided origin.", "", "The dispatch origin for this call must be _Root_."],
        info: oneInfo(1),
        dispatch: (ctx, origin, args) => {
          ensureRoot(origin);
          const error = this.#nested.tryDispatch(ctx, this.#originFromCaller(args[0]!), args[1] as Call);
          ctx.depositEvent(this.index, EVENTS.DispatchedAs, encodeDispatchResult(error));
        },
      },
      { name: "force_batch", index: 4, args: [callVec], docs: ["Send a batch of dispatch calls.", "Unlike `batch`, it allows errors and won't interrupt."], info: batchInfo, dispatch: (ctx, origin, args) => this.#batch(ctx, origin, args, "force") },
      {
        name: "with_weight",
        index: 5,
        args: [boxed("call"), { name: "weight", type: t.weight, typeName: "Weight" }],
        docs: ["Dispatch a function call with a specified weight.", "", "The dispatch origin for this call must be _Root_."],
        info: (args) => ({ refTime: BigInt((args[1] as unknown as { refTime: { toString(): string } }).refTime.toString()) }),
        dispatch: (ctx, origin, args) => {
          ensureRoot(origin);
          const error = this.#nested.tryDispatch(ctx, ROOT, args[0] as Call);
          if (error) throw new DispatchFailure(error);
        },
      },
      {
        name: "if_else",
        index: 6,
        args: [boxed("main"), boxed("fallback")],
        docs: ["Dispatch a fallback call in the event the main call fails to execute."],
        info: (args) => this.#sumInfo([args[0] as Call, args[1] as Call]),
        dispatch: (ctx, origin, args) => {
          this.#ensureNotNone(origin);
          const mainError = this.#nested.tryDispatch(ctx, origin, args[0] as Call);
          if (!mainError) {
            ctx.depositEvent(this.index, EVENTS.IfElseMainSuccess);
            return;
          }
          ctx.depositEvent(this.index, EVENTS.IfElseFallbackCalled, encodeDispatchError(mainError));
          const fallbackError = this.#nested.tryDispatch(ctx, origin, args[1] as Call);
          if (fallbackError) throw new DispatchFailure(fallbackError);
        },
      },
      {
        name: "dispatch_as_fallible",
        index: 7,
        args: [asOrigin, boxed("call")],
        docs: ["Dispatches a function call with a provided origin.", "", "Almost the same as [`Pallet::dispatch_as`] but forwards any error of the inner call."],
        info: oneInfo(1),
        dispatch: (ctx, origin, args) => {
          ensureRoot(origin);
          const error = this.#nested.tryDispatch(ctx, this.#originFromCaller(args[0]!), args[1] as Call);
          if (error) throw new DispatchFailure(error);
          ctx.depositEvent(this.index, EVENTS.DispatchedAs, encodeDispatchResult(undefined));
        },
      },
    ];
    const errorField = { name: "error", type: t.dispatchError, typeName: "DispatchError" };
    return {
      callTypePath: "pallet_subtensor_utility::pallet::Call",
      calls,
      eventTypePath: "pallet_subtensor_utility::pallet::Event",
      events: [
        { name: "BatchInterrupted", index: 0, fields: [{ name: "index", type: t.u32, typeName: "u32" }, errorField], docs: ["Batch of dispatches did not complete fully. Index of first failing dispatch given, as", "well as the error."] },
        { name: "BatchCompleted", index: 1, fields: [], docs: ["Batch of dispatches completed fully with no error."] },
        { name: "BatchCompletedWithErrors", index: 2, fields: [], docs: ["Batch of dispatches completed but has errors."] },
        { name: "ItemCompleted", index: 3, fields: [], docs: ["A single item within a Batch of dispatches has completed with no error."] },
        { name: "ItemFailed", index: 4, fields: [errorField], docs: ["A single item within a Batch of dispatches has completed with error."] },
        { name: "DispatchedAs", index: 5, fields: [{ name: "result", type: t.dispatchResult, typeName: "DispatchResult" }], docs: ["A call was dispatched."] },
        { name: "IfElseMainSuccess", index: 6, fields: [], docs: ["Main call was dispatched."] },
        { name: "IfElseFallbackCalled", index: 7, fields: [{ name: "main_error", type: t.dispatchError, typeName: "DispatchError" }], docs: ["The fallback call was dispatched."] },
      ],
      errorTypePath: "pallet_subtensor_utility::pallet::Error",
      errors: this.errors,
      constants: [
        { name: "batched_calls_limit", type: t.u32, value: new ScaleWriter(4).u32(this.#constants.batchedCallsLimit).finish(), docs: [" The limit on the number of batched calls."] },
      ],
    };
  }
}
