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
  const transactionValidity = declareTransactionValidity(b, t);
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
    {
      name: "TaggedTransactionQueue",
      methods: [
        {
          name: "validate_transaction",
          inputs: [
            { name: "source", type: transactionValidity.source },
            { name: "tx", type: extrinsic },
            { name: "block_hash", type: t.h256 },
          ],
          output: transactionValidity.validity,
          docs: [" Validate the transaction."],
        },
      ],
      docs: [" The `TaggedTransactionQueue` api trait for interfering with the transaction queue."],
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

/** sp_runtime::transaction_validity's types, as TaggedTransactionQueue (version 3) uses them. */
function declareTransactionValidity(b: TypeBuilder, t: CommonTypes): { source: TypeId; validity: TypeId } {
  const unit = (names: readonly string[]) => names.map((name, index) => ({ name, index }));
  const source = b.variant("sp_runtime::transaction_validity::TransactionSource", unit(["InBlock", "Local", "External"]));
  const custom = (index: number) => ({ name: "Custom", index, fields: [{ type: t.u8, typeName: "u8" }] });
  const invalid = b.variant("sp_runtime::transaction_validity::InvalidTransaction", [
    ...unit(["Call", "Payment", "Future", "Stale", "BadProof", "AncientBirthBlock", "ExhaustsResources"]),
    custom(7),
    ...unit(["BadMandatory", "MandatoryValidation", "BadSigner", "IndeterminateImplicit", "UnknownOrigin"]).map((v) => ({ ...v, index: v.index + 8 })),
  ]);
  const unknown = b.variant("sp_runtime::transaction_validity::UnknownTransaction", [...unit(["CannotLookup", "NoUnsignedValidator"]), custom(2)]);
  const error = b.variant("sp_runtime::transaction_validity::TransactionValidityError", [
    { name: "Invalid", index: 0, fields: [{ type: invalid, typeName: "InvalidTransaction" }] },
    { name: "Unknown", index: 1, fields: [{ type: unknown, typeName: "UnknownTransaction" }] },
  ]);
  const tags = b.sequence(t.bytes);
  const valid = b.composite("sp_runtime::transaction_validity::ValidTransaction", [
    { name: "priority", type: t.u64, typeName: "TransactionPriority" },
    { name: "requires", type: tags, typeName: "Vec<TransactionTag>" },
    { name: "provides", type: tags, typeName: "Vec<TransactionTag>" },
    { name: "longevity", type: t.u64, typeName: "TransactionLongevity" },
    { name: "propagate", type: t.bool, typeName: "bool" },
  ]);
  return { source, validity: b.result(valid, error) };
}
