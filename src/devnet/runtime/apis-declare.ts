/** The runtime APIs the devnet answers through state_call, as V15 metadata declares them. */
import { declareRuntimeVersion, type CommonTypes } from "../metadata/common-types.js";
import type { RuntimeApiDecl } from "../metadata/build.js";
import type { TypeBuilder, TypeId } from "../metadata/type-builder.js";
import { declareSubtensorApis } from "./pallets/subtensor/runtime-apis.js";

export function declareRuntimeApis(b: TypeBuilder, t: CommonTypes, extrinsic: TypeId): RuntimeApiDecl[] {
  const runtimeVersion = declareRuntimeVersion(b, t);
  const opaqueMetadata = b.composite("sp_core::OpaqueMetadata", [{ type: t.bytes, typeName: "Vec<u8>" }]);
  const balance = t.u64;
  const dispatchInfo = b.composite(
    "pallet_transaction_payment::types::RuntimeDispatchInfo",
    [
      { name: "weight", type: t.weight, typeName: "Weight" },
      { name: "class", type: t.dispatchClass, typeName: "DispatchClass" },
      { name: "partial_fee", type: balance, typeName: "Balance" },
    ],
    { params: [{ name: "Balance", type: balance }, { name: "Weight", type: t.weight }] },
  );
  const inclusionFee = b.composite(
    "pallet_transaction_payment::types::InclusionFee",
    [
      { name: "base_fee", type: balance, typeName: "Balance" },
      { name: "len_fee", type: balance, typeName: "Balance" },
      { name: "adjusted_weight_fee", type: balance, typeName: "Balance" },
    ],
    { params: [{ name: "Balance", type: balance }] },
  );
  const feeDetails = b.composite(
    "pallet_transaction_payment::types::FeeDetails",
    [
      { name: "inclusion_fee", type: b.option(inclusionFee), typeName: "Option<InclusionFee<Balance>>" },
      { name: "tip", type: balance, typeName: "Balance" },
    ],
    { params: [{ name: "Balance", type: balance }] },
  );
  const uxt = { name: "uxt", type: extrinsic };
  const call = { name: "call", type: t.runtimeCall };
  const len = { name: "len", type: t.u32 };
  return [
    { name: "Core", methods: [{ name: "version", inputs: [], output: runtimeVersion, docs: [" Returns the version of the runtime."] }], docs: [" The `Core` runtime api that every Substrate runtime needs to implement."] },
    {
      name: "Metadata",
      methods: [
        { name: "metadata", inputs: [], output: opaqueMetadata, docs: [" Returns the metadata of a runtime."] },
        { name: "metadata_at_version", inputs: [{ name: "version", type: t.u32 }], output: b.option(opaqueMetadata), docs: [" Returns the metadata at a given version."] },
        { name: "metadata_versions", inputs: [], output: b.sequence(t.u32), docs: [" Returns the supported metadata versions."] },
      ],
      docs: [" The `Metadata` api trait that returns metadata for the runtime."],
    },
    { name: "AccountNonceApi", methods: [{ name: "account_nonce", inputs: [{ name: "account", type: t.accountId }], output: t.u32, docs: [" Get current account nonce of given `AccountId`."] }], docs: [" The API to query account nonce."] },
    {
      name: "TransactionPaymentApi",
      methods: [
        { name: "query_info", inputs: [uxt, len], output: dispatchInfo },
        { name: "query_fee_details", inputs: [uxt, len], output: feeDetails },
        { name: "query_weight_to_fee", inputs: [{ name: "weight", type: t.weight }], output: balance },
        { name: "query_length_to_fee", inputs: [{ name: "length", type: t.u32 }], output: balance },
      ],
    },
    {
      name: "TransactionPaymentCallApi",
      methods: [
        { name: "query_call_info", inputs: [call, len], output: dispatchInfo },
        { name: "query_call_fee_details", inputs: [call, len], output: feeDetails },
        { name: "query_weight_to_fee", inputs: [{ name: "weight", type: t.weight }], output: balance },
        { name: "query_length_to_fee", inputs: [{ name: "length", type: t.u32 }], output: balance },
      ],
    },
    ...declareSubtensorApis(b, t),
  ];
}
