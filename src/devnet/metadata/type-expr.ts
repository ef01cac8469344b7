/**
 * Type expressions as ../shared/reference/subtensor-api.json writes them — polkadot.js type
 * strings (`Vec<(u16,u16)>`, `Option<u32>`, `[u8;65]`) plus inline bodies for named types
 * (`PalletSubtensorAxonInfo {block:u64, ...}`, `PalletSubtensorRecycleOrBurnEnum enum{Burn=0, Recycle=1}`)
 * — resolved to portable types. Named types get the paths subtensor's runtime gives them, so that
 * polkadot.js derives the names it derives on the real chain.
 */
import type { CommonTypes } from "./common-types.js";
import type { FieldDecl, Primitive, TypeBuilder, TypeId, TypeParam, VariantDecl } from "./type-builder.js";

export interface FieldExpr {
  readonly name?: string;
  readonly type: TypeExpr;
}

export interface VariantExpr {
  readonly name: string;
  readonly index: number;
  readonly fields: readonly FieldExpr[];
}

export type TypeBody = { readonly kind: "struct"; readonly fields: readonly FieldExpr[] } | { readonly kind: "enum"; readonly variants: readonly VariantExpr[] };

/** A parsed expression; `text` is its source, used as the Rust-side type name of fields. */
export type TypeExpr =
  | { readonly kind: "tuple"; readonly text: string; readonly items: readonly TypeExpr[] }
  | { readonly kind: "array"; readonly text: string; readonly len: number; readonly item: TypeExpr }
  | { readonly kind: "named"; readonly text: string; readonly name: string; readonly args: readonly TypeExpr[]; readonly body?: TypeBody; readonly note?: string };

/** Named types whose real path is not derivable from their polkadot.js name (and their type parameters). */
interface KnownPath {
  readonly path: string;
  readonly params?: readonly (readonly [string, string])[];
}

/**
 * Paths of the named types, from the spec-343 metadata; LockState and SafeFloat (new after 343)
 * from subtensor 14bc6f9f's source (pallets/subtensor/src/staking/lock.rs, primitives/share-pool).
 */
const KNOWN_PATHS: Readonly<Record<string, KnownPath>> = {
  PalletSubtensorAxonInfo: { path: "pallet_subtensor::pallet::AxonInfo" },
  PalletSubtensorPrometheusInfo: { path: "pallet_subtensor::pallet::PrometheusInfo" },
  PalletSubtensorNeuronCertificate: { path: "pallet_subtensor::pallet::NeuronCertificate" },
  PalletSubtensorChainIdentityV2: { path: "pallet_subtensor::pallet::ChainIdentityV2" },
  PalletSubtensorSubnetIdentityV3: { path: "pallet_subtensor::pallet::SubnetIdentityV3" },
  PalletSubtensorRecycleOrBurnEnum: { path: "pallet_subtensor::pallet::RecycleOrBurnEnum" },
  PalletSubtensorRootClaimTypeEnum: { path: "pallet_subtensor::pallet::RootClaimTypeEnum" },
  PalletSubtensorRateLimitKey: { path: "pallet_subtensor::RateLimitKey", params: [["AccountId", "AccountId32"]] },
  PalletSubtensorUtilsRateLimitingHyperparameter: { path: "pallet_subtensor::utils::rate_limiting::Hyperparameter" },
  PalletSubtensorSubnetsLeasingSubnetLease: {
    path: "pallet_subtensor::subnets::leasing::SubnetLease",
    params: [["AccountId", "AccountId32"], ["BlockNumber", "u32"], ["Balance", "u64"]],
  },
  PalletSubtensorStakingLockLockState: { path: "pallet_subtensor::staking::lock::LockState" },
  PalletAdminUtilsPrecompileEnum: { path: "pallet_admin_utils::pallet::PrecompileEnum" },
  ShareSafeFloat: { path: "share_pool::SafeFloat" },
};

/** Crates whose polkadot.js name prefix maps back to a path (`PalletSubtensorFoo` → `pallet_subtensor::Foo`). */
const DERIVED_PATH_PREFIXES: readonly (readonly [string, string])[] = [
  ["PalletSubtensor", "pallet_subtensor"],
  ["PalletAdminUtils", "pallet_admin_utils"],
];

/**
 * Named types the JSON writes without a body. PrecompileEnum: the variants of subtensor 14bc6f9f
 * (pallets/admin-utils/src/lib.rs); spec 343 had PureProxy where HEAD has Proxy, and fewer variants.
 */
const BUILTIN_DEFINITIONS: Readonly<Record<string, string>> = {
  PalletAdminUtilsPrecompileEnum:
    "PalletAdminUtilsPrecompileEnum enum{BalanceTransfer, Staking, Subnet, Metagraph, Neuron, UidLookup, Alpha, Crowdloan, Proxy, Leasing, AddressMapping, VotingPower}",
};

const PRIMITIVES: Readonly<Record<string, Primitive>> = {
  u8: "u8", u16: "u16", u32: "u32", u64: "u64", u128: "u128", u256: "u256",
  i8: "i8", i16: "i16", i32: "i32", i64: "i64", i128: "i128", i256: "i256",
  bool: "bool", char: "char", str: "str", String: "str", Text: "str",
};

/** `I96F32`, `U64F64`, ...: a substrate-fixed number of `int + frac` bits. */
const FIXED_NAME = /^([IU])(\d+)F(\d+)$/;
/** `SubstrateFixedFixedI128` and the like: the fixed type's polkadot.js name; the note says how many bits are fractional. */
const SUBSTRATE_FIXED_NAME = /^SubstrateFixedFixed([IU])(\d+)$/;
const FIXED_IN_NOTE = /\b([IU])(\d+)F(\d+)\b/;
const BOUNDED_NOTE = /^max \d+$/;

export class TypeExprError extends Error {}

/** Parses a type expression; throws TypeExprError naming the expression on unknown syntax. */
export function parseTypeExpr(expr: string): TypeExpr {
  const parser = new Parser(expr);
  const node = parser.type();
  parser.end();
  return node;
}

/**
 * The type id of `expr`. `aliases` defines names the expression uses without a body (each maps to
 * an expression of its own, e.g. `Hyperparameter` → `PalletSubtensorUtilsRateLimitingHyperparameter enum{...}`).
 */
export function resolveTypeExpr(b: TypeBuilder, t: CommonTypes, expr: string, aliases: Readonly<Record<string, string>> = {}): TypeId {
  return new Resolver(b, t, aliases).resolve(parseTypeExpr(expr), expr);
}

class Parser {
  readonly #src: string;
  #pos = 0;

  constructor(src: string) {
    this.#src = src;
  }

  type(): TypeExpr {
    this.#skipSpace();
    const start = this.#pos;
    if (this.#peek() === "(") return this.#tuple(start);
    if (this.#peek() === "[") return this.#array(start);
    const name = this.#ident();
    const args = this.#peek() === "<" ? this.#list("<", ">", () => this.type()) : [];
    this.#fixedBitsWords(name);
    const body = this.#body();
    const note = this.#note();
    return { kind: "named", text: this.#src.slice(start, this.#pos).trim(), name, args, ...(body ? { body } : {}), ...(note !== undefined ? { note } : {}) };
  }

  end(): void {
    this.#skipSpace();
    if (this.#pos < this.#src.length) this.#fail(`unexpected "${this.#src.slice(this.#pos)}"`);
  }

  #tuple(start: number): TypeExpr {
    const items = this.#list("(", ")", () => this.type());
    return { kind: "tuple", text: this.#src.slice(start, this.#pos), items };
  }

  #array(start: number): TypeExpr {
    this.#expect("[");
    const item = this.type();
    this.#expect(";");
    const len = this.#number();
    this.#expect("]");
    return { kind: "array", text: this.#src.slice(start, this.#pos), len, item };
  }

  /** `U64F64 bits u128`: the JSON's way of saying which integer holds a fixed number's bits. */
  #fixedBitsWords(name: string): void {
    if (!FIXED_NAME.test(name) || !this.#src.startsWith("bits", this.#afterSpace())) return;
    this.#ident();
    this.#ident();
  }

  #body(): TypeBody | undefined {
    const at = this.#afterSpace();
    if (this.#src.startsWith("enum{", at) || this.#src.startsWith("enum {", at)) {
      this.#ident();
      return { kind: "enum", variants: this.#list("{", "}", (index) => this.#variant(index)) };
    }
    if (this.#peek() === "{") return { kind: "struct", fields: this.#structFields() };
    return undefined;
  }

  /** `{a:u8, b,c: Bytes}`: names without a type take the type of the next typed name. */
  #structFields(): FieldExpr[] {
    const fields: FieldExpr[] = [];
    let untyped: string[] = [];
    this.#list("{", "}", () => {
      const name = this.#ident();
      if (this.#peek() !== ":") {
        untyped.push(name);
        return;
      }
      this.#expect(":");
      const type = this.type();
      for (const n of [...untyped, name]) fields.push({ name: n, type });
      untyped = [];
    });
    if (untyped.length > 0) this.#fail(`fields ${untyped.join(", ")} have no type`);
    return fields;
  }

  #variant(position: number): VariantExpr {
    const name = this.#ident();
    let fields: FieldExpr[] = [];
    if (this.#peek() === "(") fields = this.#list("(", ")", () => ({ type: this.type() }));
    else if (this.#peek() === "{") fields = this.#structFields();
    let index = position;
    if (this.#peek() === "=") {
      this.#expect("=");
      index = this.#number();
    }
    return { name, index, fields };
  }

  /** A parenthesised remark after a type, e.g. `(I96F32: value = bits / 2^32)` or `(max 64)`. */
  #note(): string | undefined {
    if (this.#peek() !== "(") return undefined;
    const open = this.#pos;
    let depth = 0;
    for (; this.#pos < this.#src.length; this.#pos++) {
      const c = this.#src[this.#pos];
      if (c === "(") depth++;
      else if (c === ")" && --depth === 0) {
        this.#pos++;
        return this.#src.slice(open + 1, this.#pos - 1).trim();
      }
    }
    return this.#fail("unclosed parenthesis");
  }

  /** Items between `open` and `close`, separated by commas (an empty list allowed). */
  #list<T>(open: string, close: string, item: (index: number) => T | void): T[] {
    this.#expect(open);
    const items: T[] = [];
    if (this.#peek() === close) {
      this.#expect(close);
      return items;
    }
    for (let index = 0; ; index++) {
      const value = item(index);
      if (value !== undefined) items.push(value);
      if (this.#peek() === close) break;
      this.#expect(",");
    }
    this.#expect(close);
    return items;
  }

  #ident(): string {
    this.#skipSpace();
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.#src.slice(this.#pos));
    if (!match) return this.#fail("expected a name");
    this.#pos += match[0].length;
    return match[0];
  }

  #number(): number {
    this.#skipSpace();
    const match = /^\d+/.exec(this.#src.slice(this.#pos));
    if (!match) return this.#fail("expected a number");
    this.#pos += match[0].length;
    return Number(match[0]);
  }

  #expect(token: string): void {
    if (this.#peek() !== token) this.#fail(`expected "${token}"`);
    this.#pos++;
  }

  #peek(): string | undefined {
    this.#skipSpace();
    return this.#src[this.#pos];
  }

  #afterSpace(): number {
    this.#skipSpace();
    return this.#pos;
  }

  #skipSpace(): void {
    while (this.#pos < this.#src.length && /\s/.test(this.#src[this.#pos]!)) this.#pos++;
  }

  #fail(reason: string): never {
    throw new TypeExprError(`type expression "${this.#src}": ${reason} at offset ${this.#pos}`);
  }
}

class Resolver {
  readonly #b: TypeBuilder;
  readonly #t: CommonTypes;
  readonly #aliases: Readonly<Record<string, string>>;
  /** Aliases being resolved, to report a definition that refers to itself. */
  readonly #expanding = new Set<string>();

  constructor(b: TypeBuilder, t: CommonTypes, aliases: Readonly<Record<string, string>>) {
    this.#b = b;
    this.#t = t;
    this.#aliases = aliases;
  }

  resolve(node: TypeExpr, whole: string): TypeId {
    try {
      return this.#resolve(node);
    } catch (error) {
      if (error instanceof TypeExprError) throw error;
      throw new TypeExprError(`type expression "${whole}": ${(error as Error).message}`);
    }
  }

  #resolve(node: TypeExpr): TypeId {
    if (node.kind === "tuple") return this.#b.tuple(...node.items.map((item) => this.#resolve(item)));
    if (node.kind === "array") return this.#b.array(node.len, this.#resolve(node.item));
    return this.#named(node);
  }

  #named(node: Extract<TypeExpr, { kind: "named" }>): TypeId {
    const { name, args } = node;
    const generic = this.#generic(name, args);
    if (generic !== undefined) return generic;
    if (args.length > 0) throw new Error(`${name} takes no type arguments`);
    const fixed = fixedOf(node);
    if (fixed) return this.#fixed(fixed.signed, fixed.bits, fixed.frac);
    const builtin = this.#builtin(node);
    if (builtin !== undefined) {
      if (node.body) throw new Error(`${name} takes no body`);
      return builtin;
    }
    if (node.body) return this.#declared(name, node.body);
    const definition = this.#aliases[name] ?? BUILTIN_DEFINITIONS[name];
    if (definition !== undefined) return this.#alias(name, definition);
    throw new Error(`unknown type ${name}`);
  }

  #generic(name: string, args: readonly TypeExpr[]): TypeId | undefined {
    const arity: Readonly<Record<string, number>> = { Compact: 1, Vec: 1, VecDeque: 1, Option: 1, Result: 2, BTreeSet: 1, BTreeMap: 2, BoundedVec: 1 };
    const expected = arity[name];
    if (expected === undefined) return undefined;
    if (args.length !== expected) throw new Error(`${name} takes ${expected} type argument(s), got ${args.length}`);
    const [a, c] = args.map((arg) => this.#resolve(arg)) as [TypeId, TypeId];
    const b = this.#b;
    switch (name) {
      case "Compact": return b.compact(a);
      case "Vec": case "VecDeque": return b.sequence(a);
      case "Option": return b.option(a);
      case "Result": return b.result(a, c);
      case "BTreeSet": return b.composite("BTreeSet", [{ type: b.sequence(a) }], { params: [{ name: "T", type: a }] });
      case "BTreeMap": return b.composite("BTreeMap", [{ type: b.sequence(b.tuple(a, c)) }], { params: [{ name: "K", type: a }, { name: "V", type: c }] });
      default: return this.#boundedVec(a);
    }
  }

  #boundedVec(of: TypeId): TypeId {
    return this.#b.composite("bounded_collections::bounded_vec::BoundedVec", [{ type: this.#b.sequence(of), typeName: "Vec<T>" }], { params: [{ name: "T", type: of }, { name: "S" }] });
  }

  /** Types with a fixed definition: primitives, the common types and a few of other crates. */
  #builtin(node: Extract<TypeExpr, { kind: "named" }>): TypeId | undefined {
    const b = this.#b;
    const t = this.#t;
    const primitive = PRIMITIVES[node.name];
    if (primitive !== undefined) return b.primitive(primitive);
    switch (node.name) {
      case "Null": return t.unit;
      case "Bytes":
        if (node.note === undefined) return t.bytes;
        if (BOUNDED_NOTE.test(node.note)) return this.#boundedVec(t.u8);
        throw new Error(`unexpected remark (${node.note}) on Bytes`);
      case "AccountId32": return t.accountId;
      case "H256": return t.h256;
      case "H160": return b.composite("primitive_types::H160", [{ type: t.bytes20, typeName: "[u8; 20]" }]);
      case "Percent": return b.composite("sp_arithmetic::per_things::Percent", [{ type: t.u8, typeName: "u8" }]);
      case "SpRuntimeDispatchError": return t.dispatchError;
      case "SpConsensusGrandpaAppPublic": return b.composite("sp_consensus_grandpa::app::Public", [{ type: t.bytes32, typeName: "ed25519::Public" }]);
      case "SpConsensusAuraSr25519AppSr25519Public": return b.composite("sp_consensus_aura::sr25519::app_sr25519::Public", [{ type: t.bytes32, typeName: "sr25519::Public" }]);
      default: return undefined;
    }
  }

  #alias(name: string, definition: string): TypeId {
    if (this.#expanding.has(name)) throw new Error(`${name} is defined in terms of itself`);
    this.#expanding.add(name);
    try {
      return this.#resolve(parseTypeExpr(definition));
    } finally {
      this.#expanding.delete(name);
    }
  }

  /** A struct or enum written with its body: the real path, or one derived from the name. */
  #declared(name: string, body: TypeBody): TypeId {
    const known = KNOWN_PATHS[name];
    const path = known?.path ?? derivedPath(name);
    const params: TypeParam[] = (known?.params ?? []).map(([param, expr]) => ({ name: param, type: this.#resolve(parseTypeExpr(expr)) }));
    if (body.kind === "struct") return this.#b.composite(path, body.fields.map((f) => this.#field(f)), { params });
    const variants: VariantDecl[] = body.variants.map((v) => ({ name: v.name, index: v.index, fields: v.fields.map((f) => this.#field(f)) }));
    return this.#b.variant(path, variants, { params });
  }

  #field(field: FieldExpr): FieldDecl {
    return { ...(field.name !== undefined ? { name: field.name } : {}), type: this.#resolve(field.type), typeName: field.type.text };
  }

  /** `substrate_fixed::FixedI128<Frac>` and kin: `{ bits }`, the fractional bit count as a typenum. */
  #fixed(signed: boolean, bits: number, frac: number): TypeId {
    const integer = `${signed ? "i" : "u"}${bits}`;
    const primitive = PRIMITIVES[integer];
    if (primitive === undefined) throw new Error(`no ${integer} for a fixed-point number`);
    return this.#b.composite(`substrate_fixed::Fixed${signed ? "I" : "U"}${bits}`, [{ name: "bits", type: this.#b.primitive(primitive), typeName: integer }], {
      params: [{ name: "Frac", type: this.#typenum(frac) }],
    });
  }

  /** typenum's binary unsigned integer: UInt<UInt<UTerm, B1>, B0> is 2. */
  #typenum(n: number): TypeId {
    const b = this.#b;
    let value = b.composite("substrate_typenum::uint::UTerm", []);
    for (const digit of n.toString(2)) {
      const bit = b.composite(`substrate_typenum::bit::B${digit}`, []);
      value = b.composite(
        "substrate_typenum::uint::UInt",
        [{ name: "msb", type: value, typeName: "U" }, { name: "lsb", type: bit, typeName: "B" }],
        { params: [{ name: "U", type: value }, { name: "B", type: bit }] },
      );
    }
    return value;
  }
}

interface FixedShape {
  readonly signed: boolean;
  readonly bits: number;
  readonly frac: number;
}

/** `I96F32`, or `SubstrateFixedFixedI128 {bits:i128} (I96F32: ...)`: the fixed-point shape named. */
function fixedOf(node: Extract<TypeExpr, { kind: "named" }>): FixedShape | undefined {
  const direct = FIXED_NAME.exec(node.name);
  if (direct) return fixedShape(direct[1]!, direct[2]!, direct[3]!);
  const named = SUBSTRATE_FIXED_NAME.exec(node.name);
  if (!named) return undefined;
  const inNote = node.note === undefined ? null : FIXED_IN_NOTE.exec(node.note);
  if (!inNote) throw new Error(`${node.name} without the fixed-point format (e.g. "(I96F32: ...)")`);
  const shape = fixedShape(inNote[1]!, inNote[2]!, inNote[3]!);
  if ((named[1] === "I") !== shape.signed || Number(named[2]) !== shape.bits) throw new Error(`${node.name} cannot hold ${inNote[0]}`);
  const bitsField = node.body?.kind === "struct" ? node.body.fields : [];
  if (node.body && (bitsField.length !== 1 || bitsField[0]!.name !== "bits")) throw new Error(`${node.name} must be written {bits:...}`);
  return shape;
}

function fixedShape(sign: string, integerBits: string, fracBits: string): FixedShape {
  const frac = Number(fracBits);
  return { signed: sign === "I", bits: Number(integerBits) + frac, frac };
}

function derivedPath(name: string): string {
  for (const [prefix, crate] of DERIVED_PATH_PREFIXES) {
    if (name.startsWith(prefix) && name.length > prefix.length) return `${crate}::${name.slice(prefix.length)}`;
  }
  throw new Error(`no path known for ${name}`);
}
