/**
 * The transaction extensions of subtensor HEAD, in order (subtensor-api.md §9): what each one
 * adds to the extrinsic (explicit) and to the signed payload only (implicit).
 */
import type { CommonTypes } from "./common-types.js";
import { RUNTIME_PATH } from "./common-types.js";
import type { TypeBuilder, TypeId } from "./type-builder.js";

export interface ExtensionDecl {
  readonly identifier: string;
  readonly type: TypeId;
  readonly implicit: TypeId;
}

export function declareExtensions(b: TypeBuilder, t: CommonTypes): ExtensionDecl[] {
  const marker = (path: string, params: { name: string; type?: number }[] = [{ name: "T" }]) => b.composite(path, [], { params });
  const runtime = b.composite(`${RUNTIME_PATH}::Runtime`, []);
  const metadataHashMode = b.variant("frame_metadata_hash_extension::Mode", [{ name: "Disabled", index: 0 }, { name: "Enabled", index: 1 }]);
  return [
    { identifier: "CheckNonZeroSender", type: marker("frame_system::extensions::check_non_zero_sender::CheckNonZeroSender"), implicit: t.unit },
    { identifier: "CheckSpecVersion", type: marker("frame_system::extensions::check_spec_version::CheckSpecVersion"), implicit: t.u32 },
    { identifier: "CheckTxVersion", type: marker("frame_system::extensions::check_tx_version::CheckTxVersion"), implicit: t.u32 },
    { identifier: "CheckGenesis", type: marker("frame_system::extensions::check_genesis::CheckGenesis"), implicit: t.h256 },
    {
      identifier: "CheckMortality",
      type: b.composite(`${RUNTIME_PATH}::check_mortality::CheckMortality`, [{ type: t.era, typeName: "Era" }], { params: [{ name: "T" }] }),
      implicit: t.h256,
    },
    {
      identifier: "CheckNonce",
      type: b.composite(`${RUNTIME_PATH}::check_nonce::CheckNonce`, [{ type: t.compactU32, typeName: "T::Nonce" }], { params: [{ name: "T" }] }),
      implicit: t.unit,
    },
    { identifier: "CheckWeight", type: marker("frame_system::extensions::check_weight::CheckWeight"), implicit: t.unit },
    {
      identifier: "ChargeTransactionPaymentWrapper",
      type: b.composite(
        `${RUNTIME_PATH}::transaction_payment_wrapper::ChargeTransactionPaymentWrapper`,
        [{ name: "inner", type: b.composite("pallet_transaction_payment::ChargeTransactionPayment", [{ type: t.compactU64, typeName: "BalanceOf<T>" }], { params: [{ name: "T" }] }), typeName: "ChargeTransactionPayment<T>" }],
        { params: [{ name: "T" }] },
      ),
      implicit: t.unit,
    },
    { identifier: "SudoTransactionExtension", type: marker(`${RUNTIME_PATH}::sudo_wrapper::SudoTransactionExtension`), implicit: t.unit },
    { identifier: "CheckShieldedTxValidity", type: marker("pallet_shield::CheckShieldedTxValidity"), implicit: t.unit },
    { identifier: "SubtensorTransactionExtension", type: marker("pallet_subtensor::transaction_extension::SubtensorTransactionExtension", [{ name: "T", type: runtime }]), implicit: t.unit },
    { identifier: "DrandPriority", type: marker("pallet_drand::drand_priority::DrandPriority", [{ name: "T", type: runtime }]), implicit: t.unit },
    {
      identifier: "CheckMetadataHash",
      type: b.composite("frame_metadata_hash_extension::CheckMetadataHash", [{ name: "mode", type: metadataHashMode, typeName: "Mode" }], { params: [{ name: "T" }] }),
      implicit: b.option(t.h256),
    },
  ];
}
