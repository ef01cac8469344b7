/** pallet_sudo (pallet 12): one key that may dispatch anything as Root. */
import type { Call } from "@polkadot/types/interfaces";
import { ScaleWriter } from "../../codec/scale.js";
import { bytesEqual } from "../../codec/hex.js";
import type { CommonTypes } from "../../metadata/common-types.js";
import type { TypeBuilder } from "../../metadata/type-builder.js";
import type { BlockContext } from "../context.js";
import { DispatchFailure, ensureSigned, ROOT, signed, type Origin } from "../dispatch.js";
import { errorList, moduleError, StorageItem, type ErrorDecl, type Pallet, type PalletDeclaration } from "../pallet.js";
import { lookupAccount } from "./lookup.js";
import { encodeDispatchResult, type NestedCalls } from "./nested.js";

const EVENTS = { Sudid: 0, KeyChanged: 1, KeyRemoved: 2, SudoAsDone: 3 } as const;

export class SudoPallet implements Pallet {
  readonly name = "Sudo";
  readonly index = 12;
  readonly key = new StorageItem("Sudo", "Key");
  readonly errors: readonly ErrorDecl[] = errorList([["RequireSudo", "Sender must be the Sudo account."]]);
  readonly #nested: NestedCalls;

  constructor(nested: NestedCalls) {
    this.#nested = nested;
  }

  readKey(state: { get(key: string): Uint8Array | undefined }): Uint8Array | undefined {
    return state.get(this.key.key());
  }

  isSudo(state: { get(key: string): Uint8Array | undefined }, who: Uint8Array): boolean {
    const key = this.readKey(state);
    return key !== undefined && bytesEqual(key, who);
  }

  #ensureSudo(ctx: BlockContext, origin: Origin): Uint8Array {
    const who = ensureSigned(origin);
    if (!this.isSudo(ctx, who)) throw new DispatchFailure(moduleError(this, this.errors, "RequireSudo"));
    return who;
  }

  #dispatchAndReport(ctx: BlockContext, origin: Origin, call: Call, event: number): { paysFee: boolean } {
    const error = this.#nested.tryDispatch(ctx, origin, call);
    ctx.depositEvent(this.index, event, encodeDispatchResult(error));
    return { paysFee: false };
  }

  genesisStorage(key: Uint8Array | undefined): [string, Uint8Array][] {
    return key ? [[this.key.key(), key]] : [];
  }

  declare(_b: TypeBuilder, t: CommonTypes): PalletDeclaration {
    const boxedCall = { type: t.runtimeCall, typeName: "Box<<T as Config>::RuntimeCall>" };
    const callArg = { name: "call", ...boxedCall };
    const innerInfo = (args: readonly unknown[]) => ({ ...this.#nested.info(args[0] as Call), paysFee: true });
    return {
      callTypePath: "pallet_sudo::pallet::Call",
      calls: [
        {
          name: "sudo",
          index: 0,
          args: [callArg],
          docs: ["Authenticates the sudo key and dispatches a function call with `Root` origin."],
          info: innerInfo,
          dispatch: (ctx, origin, args) => {
            this.#ensureSudo(ctx, origin);
            return this.#dispatchAndReport(ctx, ROOT, args[0] as Call, EVENTS.Sudid);
          },
        },
        {
          name: "sudo_unchecked_weight",
          index: 1,
          args: [callArg, { name: "weight", type: t.weight, typeName: "Weight" }],
          docs: ["Authenticates the sudo key and dispatches a function call with `Root` origin.", "This function does not check the weight of the call, and instead allows the", "Sudo user to specify the weight of the call."],
          info: (args) => ({ refTime: BigInt((args[1] as unknown as { refTime: { toString(): string } }).refTime.toString()) }),
          dispatch: (ctx, origin, args) => {
            this.#ensureSudo(ctx, origin);
            return this.#dispatchAndReport(ctx, ROOT, args[0] as Call, EVENTS.Sudid);
          },
        },
        {
          name: "set_key",
          index: 2,
          args: [{ name: "new", type: t.multiAddress, typeName: "AccountIdLookupOf<T>" }],
          docs: ["Authenticates the current sudo key and sets the given AccountId (`new`) as the new sudo", "key."],
          info: { refTime: 10_000_000n },
          dispatch: (ctx, origin, args) => {
            const old = this.#ensureSudo(ctx, origin);
            const next = lookupAccount(args[0]!);
            ctx.set(this.key.key(), next);
            ctx.depositEvent(this.index, EVENTS.KeyChanged, new ScaleWriter(66).option(old, (w, v) => w.raw(v)).raw(next).finish());
            return { paysFee: false };
          },
        },
        {
          name: "sudo_as",
          index: 3,
          args: [{ name: "who", type: t.multiAddress, typeName: "AccountIdLookupOf<T>" }, callArg],
          docs: ["Authenticates the sudo key and dispatches a function call with `Signed` origin from", "a given account."],
          info: (args) => this.#nested.info(args[1] as Call),
          dispatch: (ctx, origin, args) => {
            this.#ensureSudo(ctx, origin);
            return this.#dispatchAndReport(ctx, signed(lookupAccount(args[0]!)), args[1] as Call, EVENTS.SudoAsDone);
          },
        },
        {
          name: "remove_key",
          index: 4,
          args: [],
          docs: ["Permanently removes the sudo key.", "", "**This cannot be un-done.**"],
          info: { refTime: 10_000_000n },
          dispatch: (ctx, origin) => {
            this.#ensureSudo(ctx, origin);
            ctx.delete(this.key.key());
            ctx.depositEvent(this.index, EVENTS.KeyRemoved);
            return { paysFee: false };
          },
        },
      ],
      storage: [{ item: this.key, modifier: "Optional", shape: { plain: t.accountId }, fallback: new Uint8Array(1), docs: [" The `AccountId` of the sudo key."] }],
      eventTypePath: "pallet_sudo::pallet::Event",
      events: [
        { name: "Sudid", index: 0, fields: [{ name: "sudo_result", type: t.dispatchResult, typeName: "DispatchResult" }], docs: ["A sudo call just took place."] },
        { name: "KeyChanged", index: 1, fields: [{ name: "old", type: optionAccount(_b, t), typeName: "Option<T::AccountId>" }, { name: "new", type: t.accountId, typeName: "T::AccountId" }], docs: ["The sudo key has been updated."] },
        { name: "KeyRemoved", index: 2, fields: [], docs: ["The key was permanently removed."] },
        { name: "SudoAsDone", index: 3, fields: [{ name: "sudo_result", type: t.dispatchResult, typeName: "DispatchResult" }], docs: ["A [sudo_as](Pallet::sudo_as) call just took place."] },
      ],
      errorTypePath: "pallet_sudo::pallet::Error",
      errors: this.errors,
    };
  }
}

function optionAccount(b: TypeBuilder, t: CommonTypes): number {
  return b.option(t.accountId);
}
