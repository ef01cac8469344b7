/**
 * Pallet declarations from the generated subtensor spec (spec.generated.ts): calls, storage,
 * events, errors and constants with subtensor's indices, names and types. A call gets its
 * dispatch from `implementations`; the others are declared (clients see them) but not implemented.
 */
import type { StorageHasher } from "../../../codec/hashing.js";
import { fromHex } from "../../../codec/hex.js";
import type { CommonTypes } from "../../../metadata/common-types.js";
import { resolveTypeExpr } from "../../../metadata/type-expr.js";
import type { TypeBuilder, TypeId } from "../../../metadata/type-builder.js";
import { StorageItem, type CallDecl, type CallInfo, type DispatchClass, type Pallet, type PalletDeclaration, type StorageDecl } from "../../pallet.js";

/** A call argument: name, type expression, Rust type name. */
export type SpecArg = readonly [name: string, type: string, typeName: string];

export interface SpecCall {
  readonly name: string;
  readonly index: number;
  readonly args: readonly SpecArg[];
  readonly feeless: boolean;
  readonly dispatchClass: DispatchClass;
  readonly docs: readonly string[];
}

export interface SpecStorage {
  readonly name: string;
  /** One hasher per key; none for a plain value. */
  readonly hashers: readonly StorageHasher[];
  /** Type expressions of the keys, in order. */
  readonly keys: readonly string[];
  readonly value: string;
  readonly modifier: "Default" | "Optional";
  /** SCALE bytes (hex) an absent entry reads as. */
  readonly default: string;
  readonly docs: readonly string[];
}

/** An event field: name (null when positional), type expression, Rust type name. */
export type SpecField = readonly [name: string | null, type: string, typeName: string];

export interface SpecEvent {
  readonly name: string;
  readonly index: number;
  readonly fields: readonly SpecField[];
  readonly docs: readonly string[];
}

export interface SpecError {
  readonly name: string;
  readonly index: number;
  readonly docs: readonly string[];
}

export interface SpecConstant {
  readonly name: string;
  readonly type: string;
  /** SCALE bytes (hex). */
  readonly value: string;
  readonly docs: readonly string[];
}

export interface PalletSpec {
  readonly name: string;
  readonly index: number;
  /** Rust module of the pallet's Call/Event/Error enums, e.g. `pallet_subtensor::pallet`. */
  readonly module: string;
  /** Names the type expressions use without a body, with their definitions. */
  readonly typeAliases: Readonly<Record<string, string>>;
  readonly calls: readonly SpecCall[];
  readonly storage: readonly SpecStorage[];
  readonly events: readonly SpecEvent[];
  readonly errors: readonly SpecError[];
  readonly constants: readonly SpecConstant[];
}

/** A pool rejection code of SubtensorTransactionExtension (`InvalidTransaction::Custom(code)`). */
export interface CustomTransactionError {
  readonly code: number;
  readonly name: string;
  /** The pallet errors reported with this code, where the source lists them. */
  readonly fromErrors: readonly string[];
}

export interface CallImplementation {
  readonly dispatch: NonNullable<CallDecl["dispatch"]>;
  /** The pool's checks for the call (subtensor's transaction extension). */
  readonly validate?: CallDecl["validate"];
  /** Argument decoders for the fast path of hot calls. */
  readonly lite?: CallDecl["lite"];
  /** Weight and class; class and fee payment default to the spec's. */
  readonly info?: CallDecl["info"];
}

export function declareFromSpec(b: TypeBuilder, t: CommonTypes, spec: PalletSpec, implementations: ReadonlyMap<string, CallImplementation> = new Map()): PalletDeclaration {
  const unknown = [...implementations.keys()].filter((name) => !spec.calls.some((c) => c.name === name));
  if (unknown.length > 0) throw new Error(`${spec.name} has no calls ${unknown.join(", ")}`);
  const type = (expr: string): TypeId => resolveTypeExpr(b, t, expr, spec.typeAliases);
  // Storage first: the real runtime registers its types in this order, and polkadot.js names
  // same-path types (substrate_fixed::FixedI128 of different Frac) by their order.
  const storage = spec.storage.map((s) => storageDecl(b, spec, s, type));
  return {
    storage,
    calls: spec.calls.map((c) => callDecl(c, implementations.get(c.name), type)),
    callTypePath: `${spec.module}::Call`,
    events: spec.events.map((e) => ({ name: e.name, index: e.index, fields: e.fields.map(([name, expr, typeName]) => ({ ...(name === null ? {} : { name }), type: type(expr), typeName })), docs: e.docs })),
    eventTypePath: `${spec.module}::Event`,
    errors: spec.errors.map((e) => ({ name: e.name, index: e.index, docs: e.docs })),
    errorTypePath: `${spec.module}::Error`,
    constants: spec.constants.map((c) => ({ name: c.name, type: type(c.type), value: fromHex(c.value), docs: c.docs })),
  };
}

/** A `Pallet` of the dev runtime declared from `spec`. */
export function palletFromSpec(spec: PalletSpec, implementations: ReadonlyMap<string, CallImplementation> = new Map()): Pallet {
  return { name: spec.name, index: spec.index, declare: (b, t) => declareFromSpec(b, t, spec, implementations) };
}

/** The key space of the storage item `name` of `spec`. */
export function storageItemOf(spec: PalletSpec, name: string): StorageItem {
  const found = spec.storage.find((s) => s.name === name);
  if (!found) throw new Error(`${spec.name} has no storage item ${name}`);
  return new StorageItem(spec.name, found.name, found.hashers);
}

function callDecl(c: SpecCall, implementation: CallImplementation | undefined, type: (expr: string) => TypeId): CallDecl {
  const defaults: Partial<CallInfo> = { class: c.dispatchClass, paysFee: !c.feeless };
  const info = implementation?.info;
  return {
    name: c.name,
    index: c.index,
    args: c.args.map(([name, expr, typeName]) => ({ name, type: type(expr), typeName })),
    docs: c.docs,
    info: typeof info === "function" ? (args) => ({ ...defaults, ...info(args) }) : { ...defaults, ...info },
    ...(implementation ? { dispatch: implementation.dispatch } : {}),
    ...(implementation?.validate ? { validate: implementation.validate } : {}),
    ...(implementation?.lite ? { lite: implementation.lite } : {}),
  };
}

function storageDecl(b: TypeBuilder, spec: PalletSpec, s: SpecStorage, type: (expr: string) => TypeId): StorageDecl {
  if (s.hashers.length !== s.keys.length) throw new Error(`${spec.name}.${s.name}: ${s.hashers.length} hashers for ${s.keys.length} keys`);
  const value = type(s.value);
  const keys = s.keys.map(type);
  // A map with several keys declares the tuple of their types as its key, as FRAME does.
  const key = keys.length === 1 ? keys[0]! : b.tuple(...keys);
  return {
    item: new StorageItem(spec.name, s.name, s.hashers),
    modifier: s.modifier,
    shape: keys.length === 0 ? { plain: value } : { map: { hashers: s.hashers, key, value } },
    fallback: fromHex(s.default),
    docs: s.docs,
  };
}
