import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PortableRegistry, TypeRegistry } from "@polkadot/types";
import { declareCommonTypes, type CommonTypes } from "../../../src/devnet/metadata/common-types.js";
import { parseTypeExpr, resolveTypeExpr, TypeExprError } from "../../../src/devnet/metadata/type-expr.js";
import { TypeBuilder, type PortableType, type TypeId } from "../../../src/devnet/metadata/type-builder.js";

function setup(): { b: TypeBuilder; t: CommonTypes; resolve: (expr: string, aliases?: Record<string, string>) => TypeId } {
  const b = new TypeBuilder();
  const t = declareCommonTypes(b);
  // Define the outer enums the common types reserve, so that the registry can be built.
  for (const id of [t.runtimeCall, t.runtimeEvent]) b.define(id, { path: "node_subtensor_runtime::Outer", def: { variant: { variants: [] } } });
  return { b, t, resolve: (expr, aliases) => resolveTypeExpr(b, t, expr, aliases) };
}

function fieldsOf(type: PortableType): { name: string | undefined; type: TypeId }[] {
  assert.ok("composite" in type.def, `${type.path.join("::")} is not a struct`);
  return type.def.composite.fields.map((f) => ({ name: f.name, type: f.type }));
}

function variantsOf(type: PortableType): { name: string; index: number; fields: (string | undefined)[] }[] {
  assert.ok("variant" in type.def, `${type.path.join("::")} is not an enum`);
  return type.def.variant.variants.map((v) => ({ name: v.name, index: v.index, fields: (v.fields ?? []).map((f) => f.name) }));
}

/** The number a substrate_typenum UInt/UTerm type stands for. */
function typenumValue(b: TypeBuilder, id: TypeId): number {
  const type = b.get(id);
  if (type.path.join("::") === "substrate_typenum::uint::UTerm") return 0;
  assert.equal(type.path.join("::"), "substrate_typenum::uint::UInt");
  const [msb, lsb] = fieldsOf(type);
  return 2 * typenumValue(b, msb!.type) + (b.get(lsb!.type).path.at(-1) === "B1" ? 1 : 0);
}

/** polkadot.js's type string for `id`, through a portable registry of everything `b` declared. */
function polkadotType(b: TypeBuilder, id: TypeId): string {
  const lookup = new PortableRegistry(new TypeRegistry(), { types: b.build() } as never);
  return lookup.getTypeDef(id).type;
}

describe("type expressions", () => {
  it("resolve primitives, wrappers, tuples and arrays to the common types", () => {
    const { b, t, resolve } = setup();
    assert.equal(resolve("u16"), t.u16);
    assert.equal(resolve("str"), t.str);
    assert.equal(resolve("String"), t.str);
    assert.equal(resolve("Text"), t.str);
    assert.equal(resolve("i64"), b.primitive("i64"));
    assert.equal(resolve("()"), t.unit);
    assert.equal(resolve("Null"), t.unit);
    assert.equal(resolve("Bytes"), t.bytes);
    assert.equal(resolve("Vec<u8>"), t.bytes);
    assert.equal(resolve("AccountId32"), t.accountId);
    assert.equal(resolve("H256"), t.h256);
    assert.equal(resolve("[u8;65]"), t.bytes65);
    assert.equal(resolve("[u8; 32]"), t.bytes32);
    assert.equal(resolve("Compact<u64>"), t.compactU64);
    assert.equal(resolve("Vec<(u16,u16)>"), b.sequence(b.tuple(t.u16, t.u16)));
    assert.equal(resolve("Vec<Vec<(Compact<u16>, Compact<u16>)>>"), b.sequence(b.sequence(b.tuple(b.compact(t.u16), b.compact(t.u16)))));
    assert.equal(resolve("Option<Vec<u16>>"), b.option(b.sequence(t.u16)));
    assert.equal(resolve("Result<Null, SpRuntimeDispatchError>"), t.dispatchResult);
    assert.equal(resolve("(Vec<(u64,AccountId32)>,u64)"), b.tuple(b.sequence(b.tuple(t.u64, t.accountId)), t.u64));
  });

  it("give identical expressions one type id", () => {
    const { resolve } = setup();
    const expr = "PalletSubtensorAxonInfo {block:u64, version:u32, ip:u128, port:u16, ip_type:u8, protocol:u8, placeholder1:u8, placeholder2:u8}";
    assert.equal(resolve(expr), resolve(expr));
    assert.equal(resolve("Vec<(H160,u64)>"), resolve("Vec< ( H160 , u64 ) >"));
  });

  it("declare BTreeSet, BTreeMap and BoundedVec as polkadot.js expects them", () => {
    const { b, t, resolve } = setup();
    const set = b.get(resolve("BTreeSet<u16>"));
    assert.deepEqual(set.path, ["BTreeSet"]);
    assert.deepEqual(set.params, [{ name: "T", type: t.u16 }]);
    assert.deepEqual(fieldsOf(set), [{ name: undefined, type: b.sequence(t.u16) }]);
    const map = b.get(resolve("BTreeMap<u16,u64>"));
    assert.deepEqual(map.path, ["BTreeMap"]);
    assert.deepEqual(fieldsOf(map), [{ name: undefined, type: b.sequence(b.tuple(t.u16, t.u64)) }]);
    const bounded = resolve("Bytes(max 64)");
    assert.equal(bounded, resolve("BoundedVec<u8>"));
    assert.deepEqual(b.get(bounded).path, ["bounded_collections", "bounded_vec", "BoundedVec"]);
    assert.equal(polkadotType(b, resolve("BTreeMap<u16,Vec<u64>>")), "BTreeMap<u16, Vec<u64>>");
    assert.equal(polkadotType(b, bounded), "Bytes");
  });

  it("declare substrate-fixed numbers with their real path and the fractional bits as a typenum", () => {
    const { b, resolve } = setup();
    const i96f32 = resolve("SubstrateFixedFixedI128 {bits:i128} (I96F32: value = bits / 2^32)");
    assert.equal(i96f32, resolve("I96F32"));
    const type = b.get(i96f32);
    assert.deepEqual(type.path, ["substrate_fixed", "FixedI128"]);
    assert.equal(type.params[0]!.name, "Frac");
    assert.equal(typenumValue(b, type.params[0]!.type!), 32);
    assert.deepEqual(fieldsOf(type), [{ name: "bits", type: b.primitive("i128") }]);
    const u64f64 = resolve("U64F64 bits u128");
    assert.equal(u64f64, resolve("SubstrateFixedFixedU128 {bits:u128} (U64F64: value = bits / 2^64)"));
    assert.deepEqual(b.get(u64f64).path, ["substrate_fixed", "FixedU128"]);
    assert.equal(typenumValue(b, b.get(u64f64).params[0]!.type!), 64);
    assert.equal(b.get(resolve("I32F32")).path.join("::"), "substrate_fixed::FixedI64");
    assert.notEqual(resolve("I64F64"), i96f32);
    assert.throws(() => resolve("SubstrateFixedFixedU128 {bits:u128} (I96F32: value = bits / 2^32)"), /cannot hold I96F32/);
    assert.throws(() => resolve("SubstrateFixedFixedI128"), /fixed-point format/);
  });

  it("declare structs with the real path, type parameters and grouped field names", () => {
    const { b, t, resolve } = setup();
    const lease = b.get(resolve("PalletSubtensorSubnetsLeasingSubnetLease {beneficiary,coldkey,hotkey: AccountId32, emissions_share:Percent, end_block:Option<u32>, netuid:u16, cost:u64}"));
    assert.equal(lease.path.join("::"), "pallet_subtensor::subnets::leasing::SubnetLease");
    assert.deepEqual(lease.params, [{ name: "AccountId", type: t.accountId }, { name: "BlockNumber", type: t.u32 }, { name: "Balance", type: t.u64 }]);
    const percent = resolve("Percent");
    assert.deepEqual(fieldsOf(lease), [
      { name: "beneficiary", type: t.accountId },
      { name: "coldkey", type: t.accountId },
      { name: "hotkey", type: t.accountId },
      { name: "emissions_share", type: percent },
      { name: "end_block", type: b.option(t.u32) },
      { name: "netuid", type: t.u16 },
      { name: "cost", type: t.u64 },
    ]);
    assert.equal(b.get(percent).path.join("::"), "sp_arithmetic::per_things::Percent");
    const lock = b.get(resolve("PalletSubtensorStakingLockLockState {locked_mass:u64, conviction:U64F64 bits u128, last_update:u64}"));
    assert.equal(lock.path.join("::"), "pallet_subtensor::staking::lock::LockState");
    assert.deepEqual(fieldsOf(lock).map((f) => f.name), ["locked_mass", "conviction", "last_update"]);
    const float = b.get(resolve("ShareSafeFloat {mantissa:u128, exponent:i64} (value = mantissa * 10^exponent)"));
    assert.equal(float.path.join("::"), "share_pool::SafeFloat");
  });

  it("derive a path from the polkadot.js name of a type the real chain does not have", () => {
    const { b, resolve } = setup();
    assert.equal(b.get(resolve("PalletSubtensorFooBar {a:u8}")).path.join("::"), "pallet_subtensor::FooBar");
    assert.equal(b.get(resolve("PalletAdminUtilsThing enum{A, B}")).path.join("::"), "pallet_admin_utils::Thing");
    assert.throws(() => resolve("SomethingElse {a:u8}"), /no path known for SomethingElse/);
  });

  it("declare enums with explicit or positional indices, tuple and struct variants", () => {
    const { b, resolve } = setup();
    const claim = b.get(resolve("PalletSubtensorRootClaimTypeEnum enum{Swap, Keep, KeepSubnets{subnets:BTreeSet<u16>}}"));
    assert.equal(claim.path.join("::"), "pallet_subtensor::pallet::RootClaimTypeEnum");
    assert.deepEqual(variantsOf(claim), [
      { name: "Swap", index: 0, fields: [] },
      { name: "Keep", index: 1, fields: [] },
      { name: "KeepSubnets", index: 2, fields: ["subnets"] },
    ]);
    const aliases = { Hyperparameter: "PalletSubtensorUtilsRateLimitingHyperparameter enum{Unknown=0, ServingRateLimit=1, TriggerEpoch=31}" };
    const key = b.get(resolve("PalletSubtensorRateLimitKey enum{SetSNOwnerHotkey(u16)=0, OwnerHyperparamUpdate(u16,Hyperparameter)=1, NetworkLastRegistered=2, AddStakeBurn(u16)=6}", aliases));
    assert.equal(key.path.join("::"), "pallet_subtensor::RateLimitKey");
    assert.deepEqual(variantsOf(key), [
      { name: "SetSNOwnerHotkey", index: 0, fields: [undefined] },
      { name: "OwnerHyperparamUpdate", index: 1, fields: [undefined, undefined] },
      { name: "NetworkLastRegistered", index: 2, fields: [] },
      { name: "AddStakeBurn", index: 6, fields: [undefined] },
    ]);
    const hyper = b.get(resolve("Hyperparameter", aliases));
    assert.equal(hyper.path.join("::"), "pallet_subtensor::utils::rate_limiting::Hyperparameter");
    assert.deepEqual(variantsOf(hyper).map((v) => v.index), [0, 1, 31]);
  });

  it("know the bodies of the named types the reference writes without one", () => {
    const { b, resolve } = setup();
    const precompiles = b.get(resolve("PalletAdminUtilsPrecompileEnum"));
    assert.equal(precompiles.path.join("::"), "pallet_admin_utils::pallet::PrecompileEnum");
    assert.equal(variantsOf(precompiles).length, 12);
    assert.equal(b.get(resolve("SpConsensusGrandpaAppPublic")).path.join("::"), "sp_consensus_grandpa::app::Public");
    assert.equal(b.get(resolve("H160")).path.join("::"), "primitive_types::H160");
  });

  it("let polkadot.js derive the real chain's type names", () => {
    const { b, resolve } = setup();
    const axons = resolve("Vec<PalletSubtensorAxonInfo {block:u64, version:u32, ip:u128, port:u16, ip_type:u8, protocol:u8, placeholder1:u8, placeholder2:u8}>");
    const flows = resolve("(u64,SubstrateFixedFixedI128 {bits:i128} (I64F64: value = bits / 2^64))");
    assert.equal(polkadotType(b, axons), "Vec<PalletSubtensorAxonInfo>");
    assert.equal(polkadotType(b, flows), "(u64,SubstrateFixedFixedI128)");
  });

  it("reject unknown names and syntax, naming the expression", () => {
    const { resolve } = setup();
    for (const bad of ["Vec<u16", "Vec<u16>>", "(u8,", "[u8; x]", "Foo", "Vec<u8, u16>", "u8<u16>", "u8 {a:u8}", "P {a,b}", "PalletSubtensorX enum{A=}", "Bytes(min 3)", ""]) {
      assert.throws(() => resolve(bad), (error: unknown) => error instanceof TypeExprError && error.message.includes(`"${bad}"`), bad);
    }
    assert.throws(() => resolve("Loop", { Loop: "Vec<Loop>" }), /Loop is defined in terms of itself/);
  });

  it("keep each sub-expression's source as the field's type name", () => {
    const parsed = parseTypeExpr("PalletSubtensorX {a:Option<u32>, b: Vec<(u8,u16)>}");
    assert.ok(parsed.kind === "named" && parsed.body?.kind === "struct");
    assert.deepEqual(parsed.body.fields.map((f) => f.type.text), ["Option<u32>", "Vec<(u8,u16)>"]);
  });
});
