/**
 * pallet_transaction_payment (pallet 6) with subtensor's fee curve: a weight fee of
 * ref_time × 500 000 / 10⁹ rao (LinearWeightToFee), one rao per byte (IdentityFee for length),
 * a constant multiplier of 1, plus the tip. Fees are withdrawn before dispatch and burned.
 */
import { ScaleWriter } from "../../codec/scale.js";
import { unitVariant, type CommonTypes } from "../../metadata/common-types.js";
import type { TypeBuilder } from "../../metadata/type-builder.js";
import type { RuntimeConstants } from "../constants.js";
import type { BlockContext } from "../context.js";
import type { CallInfo } from "../pallet.js";
import { StorageItem, type Pallet, type PalletDeclaration } from "../pallet.js";

const ONE = 1_000_000_000_000_000_000n; // FixedU128 1.0
const WEIGHT_FEE_PER_BILLION = 500_000n;

export interface FeeDetails {
  readonly baseFee: bigint;
  readonly lenFee: bigint;
  readonly adjustedWeightFee: bigint;
}

export class TransactionPaymentPallet implements Pallet {
  readonly name = "TransactionPayment";
  readonly index = 6;
  readonly #constants: RuntimeConstants;

  constructor(constants: RuntimeConstants) {
    this.#constants = constants;
  }

  weightToFee(refTime: bigint): bigint {
    return (refTime * WEIGHT_FEE_PER_BILLION) / 1_000_000_000n;
  }

  /** The fee before the tip: base + length + weight (zero when the call pays no fee). */
  feeDetails(encodedLength: number, info: CallInfo): FeeDetails | undefined {
    if (!info.paysFee) return undefined;
    return {
      baseFee: this.weightToFee(this.#constants.extrinsicBaseWeight),
      lenFee: BigInt(encodedLength),
      adjustedWeightFee: this.weightToFee(info.refTime),
    };
  }

  partialFee(encodedLength: number, info: CallInfo): bigint {
    const d = this.feeDetails(encodedLength, info);
    return d ? d.baseFee + d.lenFee + d.adjustedWeightFee : 0n;
  }

  depositFeePaid(ctx: BlockContext, who: Uint8Array, actualFee: bigint, tip: bigint): void {
    ctx.depositEvent(this.index, 0, new ScaleWriter(48).raw(who).u64(actualFee).u64(tip).finish());
  }

  declare(b: TypeBuilder, t: CommonTypes): PalletDeclaration {
    const fixedU128 = b.composite("sp_arithmetic::fixed_point::FixedU128", [{ type: t.u128, typeName: "u128" }]);
    return {
      storage: [
        { item: new StorageItem("TransactionPayment", "NextFeeMultiplier"), modifier: "Default", shape: { plain: fixedU128 }, fallback: new ScaleWriter(16).u128(ONE).finish() },
        { item: new StorageItem("TransactionPayment", "StorageVersion"), modifier: "Default", shape: { plain: unitVariant(b, "pallet_transaction_payment::Releases", ["V1Ancient", "V2"]) }, fallback: new Uint8Array(1) },
      ],
      eventTypePath: "pallet_transaction_payment::pallet::Event",
      events: [
        {
          name: "TransactionFeePaid",
          index: 0,
          fields: [
            { name: "who", type: t.accountId, typeName: "T::AccountId" },
            { name: "actual_fee", type: t.u64, typeName: "BalanceOf<T>" },
            { name: "tip", type: t.u64, typeName: "BalanceOf<T>" },
          ],
          docs: ["A transaction fee `actual_fee`, of which `tip` was added to the minimum inclusion fee, has been paid by `who`."],
        },
      ],
      constants: [
        { name: "OperationalFeeMultiplier", type: t.u8, value: Uint8Array.of(this.#constants.operationalFeeMultiplier), docs: [" A fee multiplier for `Operational` extrinsics to compute \"virtual tip\" to boost their `priority`."] },
      ],
    };
  }
}
