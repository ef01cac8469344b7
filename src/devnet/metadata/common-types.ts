/**
 * Types shared by every pallet, declared with the paths, parameters and field names that
 * subtensor's runtime gives them, so that clients name them as they do on the real chain.
 */
import type { TypeBuilder, TypeId } from "./type-builder.js";

export const RUNTIME_PATH = "node_subtensor_runtime";

export interface CommonTypes {
  readonly u8: TypeId;
  readonly u16: TypeId;
  readonly u32: TypeId;
  readonly u64: TypeId;
  readonly u128: TypeId;
  readonly bool: TypeId;
  readonly str: TypeId;
  readonly unit: TypeId;
  readonly bytes: TypeId;
  readonly compactU32: TypeId;
  readonly compactU64: TypeId;
  readonly bytes4: TypeId;
  readonly bytes8: TypeId;
  readonly bytes20: TypeId;
  readonly bytes32: TypeId;
  readonly bytes64: TypeId;
  readonly bytes65: TypeId;
  readonly accountId: TypeId;
  readonly h256: TypeId;
  readonly multiAddress: TypeId;
  readonly multiSignature: TypeId;
  readonly weight: TypeId;
  readonly dispatchClass: TypeId;
  readonly pays: TypeId;
  readonly dispatchEventInfo: TypeId;
  readonly dispatchError: TypeId;
  readonly dispatchResult: TypeId;
  readonly phase: TypeId;
  readonly digest: TypeId;
  readonly era: TypeId;
  readonly rawOrigin: TypeId;
  /** The outer call enum; reserved here, defined once every pallet has declared its calls. */
  readonly runtimeCall: TypeId;
  /** The outer event enum; reserved here, defined after the pallets. */
  readonly runtimeEvent: TypeId;
}

export function declareCommonTypes(b: TypeBuilder): CommonTypes {
  const u8 = b.primitive("u8");
  const u16 = b.primitive("u16");
  const u32 = b.primitive("u32");
  const u64 = b.primitive("u64");
  const u128 = b.primitive("u128");
  const bool = b.primitive("bool");
  const str = b.primitive("str");
  const unit = b.tuple();
  const bytes = b.sequence(u8);
  const bytes4 = b.array(4, u8);
  const bytes8 = b.array(8, u8);
  const bytes20 = b.array(20, u8);
  const bytes32 = b.array(32, u8);
  const bytes64 = b.array(64, u8);
  const bytes65 = b.array(65, u8);
  const compactU32 = b.compact(u32);
  const compactU64 = b.compact(u64);
  const accountId = b.composite("sp_core::crypto::AccountId32", [{ type: bytes32, typeName: "[u8; 32]" }]);
  const h256 = b.composite("primitive_types::H256", [{ type: bytes32, typeName: "[u8; 32]" }]);
  const multiAddress = b.variant(
    "sp_runtime::multiaddress::MultiAddress",
    [
      { name: "Id", index: 0, fields: [{ type: accountId, typeName: "AccountId" }] },
      { name: "Index", index: 1, fields: [{ type: b.compact(unit), typeName: "AccountIndex" }] },
      { name: "Raw", index: 2, fields: [{ type: bytes, typeName: "Vec<u8>" }] },
      { name: "Address32", index: 3, fields: [{ type: bytes32, typeName: "[u8; 32]" }] },
      { name: "Address20", index: 4, fields: [{ type: bytes20, typeName: "[u8; 20]" }] },
    ],
    { params: [{ name: "AccountId", type: accountId }, { name: "AccountIndex", type: unit }] },
  );
  const multiSignature = b.variant("sp_runtime::MultiSignature", [
    { name: "Ed25519", index: 0, fields: [{ type: bytes64, typeName: "ed25519::Signature" }] },
    { name: "Sr25519", index: 1, fields: [{ type: bytes64, typeName: "sr25519::Signature" }] },
    { name: "Ecdsa", index: 2, fields: [{ type: bytes65, typeName: "ecdsa::Signature" }] },
  ]);
  const weight = b.composite("sp_weights::weight_v2::Weight", [
    { name: "ref_time", type: compactU64, typeName: "u64" },
    { name: "proof_size", type: compactU64, typeName: "u64" },
  ]);
  const dispatchClass = unitVariant(b, "frame_support::dispatch::DispatchClass", ["Normal", "Operational", "Mandatory"]);
  const pays = unitVariant(b, "frame_support::dispatch::Pays", ["Yes", "No"]);
  const dispatchEventInfo = b.composite("frame_system::DispatchEventInfo", [
    { name: "weight", type: weight, typeName: "Weight" },
    { name: "class", type: dispatchClass, typeName: "DispatchClass" },
    { name: "pays_fee", type: pays, typeName: "Pays" },
  ]);
  const moduleError = b.composite("sp_runtime::ModuleError", [
    { name: "index", type: u8, typeName: "u8" },
    { name: "error", type: bytes4, typeName: "[u8; MAX_MODULE_ERROR_ENCODED_SIZE]" },
  ]);
  const tokenError = unitVariant(b, "sp_runtime::TokenError", [
    "FundsUnavailable", "OnlyProvider", "BelowMinimum", "CannotCreate", "UnknownAsset", "Frozen", "Unsupported", "CannotCreateHold", "NotExpendable", "Blocked",
  ]);
  const arithmeticError = unitVariant(b, "sp_arithmetic::ArithmeticError", ["Underflow", "Overflow", "DivisionByZero"]);
  const transactionalError = unitVariant(b, "sp_runtime::TransactionalError", ["LimitReached", "NoLayer"]);
  const trieError = unitVariant(b, "sp_runtime::proving_trie::TrieError", [
    "InvalidStateRoot", "IncompleteDatabase", "ValueAtIncompleteKey", "DecoderError", "InvalidHash", "DuplicateKey", "ExtraneousNode", "ExtraneousValue",
    "ExtraneousHashReference", "InvalidChildReference", "ValueMismatch", "IncompleteProof", "RootMismatch", "DecodeError",
  ]);
  const dispatchError = b.variant("sp_runtime::DispatchError", [
    { name: "Other", index: 0 },
    { name: "CannotLookup", index: 1 },
    { name: "BadOrigin", index: 2 },
    { name: "Module", index: 3, fields: [{ type: moduleError, typeName: "ModuleError" }] },
    { name: "ConsumerRemaining", index: 4 },
    { name: "NoProviders", index: 5 },
    { name: "TooManyConsumers", index: 6 },
    { name: "Token", index: 7, fields: [{ type: tokenError, typeName: "TokenError" }] },
    { name: "Arithmetic", index: 8, fields: [{ type: arithmeticError, typeName: "ArithmeticError" }] },
    { name: "Transactional", index: 9, fields: [{ type: transactionalError, typeName: "TransactionalError" }] },
    { name: "Exhausted", index: 10 },
    { name: "Corruption", index: 11 },
    { name: "Unavailable", index: 12 },
    { name: "RootNotAllowed", index: 13 },
    { name: "Trie", index: 14, fields: [{ type: trieError, typeName: "TrieError" }] },
  ]);
  const dispatchResult = b.result(unit, dispatchError);
  const phase = b.variant("frame_system::Phase", [
    { name: "ApplyExtrinsic", index: 0, fields: [{ type: u32, typeName: "u32" }] },
    { name: "Finalization", index: 1 },
    { name: "Initialization", index: 2 },
  ]);
  const engineId = bytes4;
  const digestItem = b.variant("sp_runtime::generic::digest::DigestItem", [
    { name: "PreRuntime", index: 6, fields: [{ type: engineId, typeName: "ConsensusEngineId" }, { type: bytes, typeName: "Vec<u8>" }] },
    { name: "Consensus", index: 4, fields: [{ type: engineId, typeName: "ConsensusEngineId" }, { type: bytes, typeName: "Vec<u8>" }] },
    { name: "Seal", index: 5, fields: [{ type: engineId, typeName: "ConsensusEngineId" }, { type: bytes, typeName: "Vec<u8>" }] },
    { name: "Other", index: 0, fields: [{ type: bytes, typeName: "Vec<u8>" }] },
    { name: "RuntimeEnvironmentUpdated", index: 8 },
  ]);
  const digest = b.composite("sp_runtime::generic::digest::Digest", [{ name: "logs", type: b.sequence(digestItem), typeName: "Vec<DigestItem>" }]);
  const eraVariants = [{ name: "Immortal", index: 0 }];
  for (let i = 1; i <= 255; i++) eraVariants.push({ name: `Mortal${i}`, index: i, fields: [{ type: u8 }] } as never);
  const era = b.variant("sp_runtime::generic::era::Era", eraVariants);
  const rawOrigin = b.variant(
    "frame_support::dispatch::RawOrigin",
    [
      { name: "Root", index: 0 },
      { name: "Signed", index: 1, fields: [{ type: accountId, typeName: "AccountId" }] },
      { name: "None", index: 2 },
      { name: "Authorized", index: 3 },
    ],
    { params: [{ name: "AccountId", type: accountId }] },
  );
  return {
    u8, u16, u32, u64, u128, bool, str, unit, bytes, compactU32, compactU64, bytes4, bytes8, bytes20, bytes32, bytes64, bytes65,
    accountId, h256, multiAddress, multiSignature, weight, dispatchClass, pays, dispatchEventInfo, dispatchError, dispatchResult, phase, digest, era, rawOrigin,
    runtimeCall: b.reserve(),
    runtimeEvent: b.reserve(),
  };
}

/** An enum whose variants carry nothing, indexed in declaration order. */
export function unitVariant(b: TypeBuilder, path: string, names: readonly string[]): TypeId {
  return b.variant(path, names.map((name, index) => ({ name, index })));
}

/** `pallet_balances::types::AccountData<u64>`, stored inside System.Account on subtensor. */
export function declareAccountData(b: TypeBuilder, t: CommonTypes): TypeId {
  return b.composite(
    "pallet_balances::types::AccountData",
    [
      { name: "free", type: t.u64, typeName: "Balance" },
      { name: "reserved", type: t.u64, typeName: "Balance" },
      { name: "frozen", type: t.u64, typeName: "Balance" },
      { name: "flags", type: b.composite("pallet_balances::types::ExtraFlags", [{ type: t.u128, typeName: "u128" }]), typeName: "ExtraFlags" },
    ],
    { params: [{ name: "Balance", type: t.u64 }] },
  );
}

/** `sp_version::RuntimeVersion`: System's Version constant and Core_version's answer. */
export function declareRuntimeVersion(b: TypeBuilder, t: CommonTypes): TypeId {
  return b.composite("sp_version::RuntimeVersion", [
    { name: "spec_name", type: t.str, typeName: "Cow<'static, str>" },
    { name: "impl_name", type: t.str, typeName: "Cow<'static, str>" },
    { name: "authoring_version", type: t.u32, typeName: "u32" },
    { name: "spec_version", type: t.u32, typeName: "u32" },
    { name: "impl_version", type: t.u32, typeName: "u32" },
    { name: "apis", type: b.sequence(b.tuple(t.bytes8, t.u32)), typeName: "ApisVec" },
    { name: "transaction_version", type: t.u32, typeName: "u32" },
    { name: "system_version", type: t.u8, typeName: "u8" },
  ]);
}
