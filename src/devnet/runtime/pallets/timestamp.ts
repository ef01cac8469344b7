/** pallet_timestamp (pallet 2): the `set` inherent that opens every block. */
import { ScaleReader, ScaleWriter } from "../../codec/scale.js";
import type { CommonTypes } from "../../metadata/common-types.js";
import type { TypeBuilder } from "../../metadata/type-builder.js";
import type { RuntimeConstants } from "../constants.js";
import type { BlockContext } from "../context.js";
import { badOrigin } from "../dispatch.js";
import { StorageItem, type Pallet, type PalletDeclaration } from "../pallet.js";

export class TimestampPallet implements Pallet {
  readonly name = "Timestamp";
  readonly index = 2;
  readonly now = new StorageItem("Timestamp", "Now");
  readonly didUpdate = new StorageItem("Timestamp", "DidUpdate");
  readonly #constants: RuntimeConstants;

  constructor(constants: RuntimeConstants) {
    this.#constants = constants;
  }

  read(state: { get(key: string): Uint8Array | undefined }): bigint {
    const bytes = state.get(this.now.key());
    return bytes ? new ScaleReader(bytes).u64() : 0n;
  }

  /** The devnet's clock: wall time, but always after the previous block (fast blocks may share a millisecond). */
  nextMoment(state: { get(key: string): Uint8Array | undefined }, wallClockMs: bigint): bigint {
    const previous = this.read(state);
    return wallClockMs > previous ? wallClockMs : previous + 1n;
  }

  #set(ctx: BlockContext, now: bigint): void {
    if (ctx.get(this.didUpdate.key())) throw new Error("Timestamp must be updated only once in the block");
    // Real chains also demand `MinimumPeriod` between blocks; the devnet's fast blocks need only order.
    if (now <= this.read(ctx) && ctx.number > 0) throw new Error("Timestamp must increment");
    ctx.set(this.now.key(), new ScaleWriter(8).u64(now).finish());
    ctx.set(this.didUpdate.key(), Uint8Array.of(1));
  }

  finalizeBlock(ctx: BlockContext): void {
    ctx.delete(this.didUpdate.key());
  }

  declare(_b: TypeBuilder, t: CommonTypes): PalletDeclaration {
    return {
      callTypePath: "pallet_timestamp::pallet::Call",
      calls: [
        {
          name: "set",
          index: 0,
          args: [{ name: "now", type: t.compactU64, typeName: "T::Moment" }],
          docs: ["Set the current time.", "", "This call should be invoked exactly once per block.", "", "The dispatch origin for this call must be _None_."],
          info: { refTime: 6_000_000n, class: "Mandatory", paysFee: false },
          dispatch: (ctx, origin, args) => {
            if (origin.kind !== "none") throw badOrigin();
            this.#set(ctx, BigInt(args[0]!.toString()));
          },
        },
      ],
      storage: [
        { item: this.now, modifier: "Default", shape: { plain: t.u64 }, fallback: new Uint8Array(8), docs: [" The current time for the current block."] },
        { item: this.didUpdate, modifier: "Default", shape: { plain: t.bool }, fallback: new Uint8Array(1), docs: [" Whether the timestamp has been updated in this block."] },
      ],
      constants: [
        { name: "MinimumPeriod", type: t.u64, value: new ScaleWriter(8).u64(this.#constants.minimumPeriodMs).finish(), docs: [" The minimum period between blocks."] },
      ],
    };
  }
}
