/**
 * Generates src/devnet/runtime/pallets/subtensor/spec.generated.ts — the SubtensorModule and
 * AdminUtils declarations (calls, storage with SCALE defaults, events, errors) — from
 * ../shared/reference/subtensor-api.json. Run: node --import tsx scripts/generate-subtensor-spec.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeAddress } from "@polkadot/util-crypto";
import type { StorageHasher } from "../src/devnet/codec/hashing.js";
import { toHex } from "../src/devnet/codec/hex.js";
import { ScaleWriter } from "../src/devnet/codec/scale.js";
import { declareCommonTypes } from "../src/devnet/metadata/common-types.js";
import { resolveTypeExpr } from "../src/devnet/metadata/type-expr.js";
import { TypeBuilder, type FieldDecl, type Primitive, type TypeId } from "../src/devnet/metadata/type-builder.js";
import type { DispatchClass } from "../src/devnet/runtime/pallet.js";
import type { CustomTransactionError, PalletSpec, SpecCall, SpecError, SpecEvent, SpecStorage } from "../src/devnet/runtime/pallets/subtensor/declare.js";

export const API_JSON_PATH = fileURLToPath(new URL("../../shared/reference/subtensor-api.json", import.meta.url));
export const SPEC_OUTPUT_PATH = fileURLToPath(new URL("../src/devnet/runtime/pallets/subtensor/spec.generated.ts", import.meta.url));

/** The parts of subtensor-api.json the generator reads. */
export interface SubtensorApi {
  readonly generatedFrom: { readonly sourceRepo: string; readonly sourceCommit: string; readonly sourceSpecVersion: number; readonly pallets: Readonly<Record<string, number>> };
  readonly calls: readonly ApiCall[];
  readonly storage: readonly ApiStorage[];
  readonly events: readonly ApiEvent[];
  readonly errors: readonly ApiError[];
  readonly hyperparameterEnum: { readonly variants: readonly { readonly name: string; readonly index: number }[] };
  readonly customTransactionErrors: { readonly codes: Readonly<Record<string, string>> };
}

/** An item of one pallet; `inMetadata[spec]` says how the metadata of that spec differs ("same", "absent", ...). */
interface ApiItem {
  readonly pallet: string;
  readonly name: string;
  readonly inMetadata: Readonly<Record<string, string>>;
}

interface ApiTyped {
  readonly name: string | null;
  readonly rustType: string;
  readonly type: string;
}

interface ApiCall extends ApiItem {
  readonly index: number;
  readonly args: readonly (ApiTyped & { readonly name: string })[];
  readonly feeless: boolean;
  readonly dispatchClass: string;
  readonly docs: string;
}

interface ApiStorage extends ApiItem {
  readonly hashers: readonly string[];
  readonly keysRust: readonly string[];
  readonly keys: readonly string[];
  readonly valueRust: string;
  readonly value: string;
  readonly modifier: string;
  readonly default: unknown;
  readonly default343?: unknown;
  readonly docs: string;
}

interface ApiEvent extends ApiItem {
  readonly index: number;
  readonly fields: readonly ApiTyped[];
  readonly docs: string;
}

interface ApiError extends ApiItem {
  readonly index: number;
  readonly docs: string;
}

/** The pallets generated: their exported constant and the Rust module of their Call/Event/Error enums. */
const PALLETS = [
  { name: "SubtensorModule", constant: "SUBTENSOR_MODULE_SPEC", module: "pallet_subtensor::pallet" },
  { name: "AdminUtils", constant: "ADMIN_UTILS_SPEC", module: "pallet_admin_utils::pallet" },
] as const;

const HASHERS: readonly StorageHasher[] = ["Blake2_128", "Blake2_256", "Blake2_128Concat", "Twox128", "Twox256", "Twox64Concat", "Identity"];
const DISPATCH_CLASSES: readonly DispatchClass[] = ["Normal", "Operational", "Mandatory"];
const MAX_DOC_LENGTH = 160;
const LINE_WIDTH = 160;

export function readApi(path = API_JSON_PATH): SubtensorApi {
  return JSON.parse(readFileSync(path, "utf8")) as SubtensorApi;
}

/** The text of spec.generated.ts for `api`. */
export function generateSubtensorSpecSource(api: SubtensorApi): string {
  const typeAliases = { Hyperparameter: hyperparameterExpr(api) };
  const fallbacks: string[] = [];
  const specs = PALLETS.map((p) => ({ constant: p.constant, spec: palletSpec(api, p.name, p.module, typeAliases, fallbacks) }));
  const source = { repo: api.generatedFrom.sourceRepo, commit: api.generatedFrom.sourceCommit, specVersion: api.generatedFrom.sourceSpecVersion };
  return [
    header(source.repo, source.commit, source.specVersion, fallbacks),
    `import type { CustomTransactionError, PalletSpec } from "./declare.js";`,
    "",
    `export const SPEC_SOURCE = ${render(source, "")} as const;`,
    "",
    "/** Types the expressions name without a body. */",
    `export const SUBTENSOR_TYPE_ALIASES: Readonly<Record<string, string>> = ${render(typeAliases, "")};`,
    "",
    ...specs.flatMap(({ constant, spec: { name, index, module, ...items } }) => [
      `export const ${constant}: PalletSpec = ${render({ name, index, module, typeAliases: new Code("SUBTENSOR_TYPE_ALIASES"), ...items }, "")};`,
      "",
    ]),
    "/** Pool rejections of SubtensorTransactionExtension: `InvalidTransaction::Custom(code)`. */",
    `export const CUSTOM_TRANSACTION_ERRORS: readonly CustomTransactionError[] = ${render(customTransactionErrors(api), "")};`,
    "",
  ].join("\n");
}

function header(repo: string, commit: string, specVersion: number, fallbacks: readonly string[]): string {
  const lines = [
    "GENERATED by scripts/generate-subtensor-spec.ts from ../shared/reference/subtensor-api.json",
    `(${repo} @ ${commit}, spec ${specVersion}). Do not edit: change the generator`,
    "and run `node --import tsx scripts/generate-subtensor-spec.ts`.",
    "",
    "The JSON lists no pallet constants (its `constants` are source-level values), so none are declared.",
  ];
  if (fallbacks.length > 0) lines.push("", "Storage defaults the generator could not read from `default`:", ...fallbacks.map((f) => `- ${f}`));
  return ["/**", ...lines.map((l) => (l === "" ? " *" : ` * ${l}`)), " */"].join("\n");
}

function hyperparameterExpr(api: SubtensorApi): string {
  const variants = [...api.hyperparameterEnum.variants].sort((a, b) => a.index - b.index).map((v) => `${v.name}=${v.index}`);
  return `PalletSubtensorUtilsRateLimitingHyperparameter enum{${variants.join(", ")}}`;
}

function palletSpec(api: SubtensorApi, pallet: string, module: string, typeAliases: Readonly<Record<string, string>>, fallbacks: string[]): Omit<PalletSpec, "typeAliases"> {
  const index = api.generatedFrom.pallets[pallet];
  if (index === undefined) throw new Error(`the JSON gives no index for ${pallet}`);
  const ofPallet = <T extends { readonly pallet: string }>(items: readonly T[]) => items.filter((i) => i.pallet === pallet);
  const byIndex = <T extends { readonly index: number }>(items: readonly T[]) => [...items].sort((a, b) => a.index - b.index);
  const encoder = new DefaultEncoder(typeAliases);
  return {
    name: pallet,
    index,
    module,
    calls: byIndex(ofPallet(api.calls)).map(specCall),
    storage: ofPallet(api.storage).map((s) => specStorage(s, encoder, fallbacks)),
    events: byIndex(ofPallet(api.events)).map(specEvent),
    errors: byIndex(ofPallet(api.errors)).map(specError),
    constants: [],
  };
}

function specCall(c: ApiCall): SpecCall {
  const dispatchClass = DISPATCH_CLASSES.find((d) => d === c.dispatchClass);
  if (!dispatchClass) throw new Error(`${c.pallet}.${c.name}: dispatch class ${c.dispatchClass}`);
  return { name: c.name, index: c.index, args: c.args.map((a) => [a.name, typeExprOf(a.type, a.rustType), a.rustType]), feeless: c.feeless, dispatchClass, docs: shortDocs(c.docs) };
}

function specStorage(s: ApiStorage, encoder: DefaultEncoder, fallbacks: string[]): SpecStorage {
  const hashers = s.hashers.map((h) => {
    const hasher = HASHERS.find((known) => known === h);
    if (!hasher) throw new Error(`${s.pallet}.${s.name}: hasher ${h}`);
    return hasher;
  });
  if (s.modifier !== "Default" && s.modifier !== "Optional") throw new Error(`${s.pallet}.${s.name}: modifier ${s.modifier}`);
  const value = typeExprOf(s.value, s.valueRust);
  const encoded = s.modifier === "Optional" ? { bytes: Uint8Array.of(0) } : encoder.storageDefault(value, s.default, s.default343);
  if (encoded.fallback) fallbacks.push(`${s.pallet}.${s.name}: ${JSON.stringify(s.default)} → ${encoded.fallback}`);
  return {
    name: s.name,
    hashers,
    keys: s.keys.map((k, i) => typeExprOf(k, s.keysRust[i] ?? "")),
    value,
    modifier: s.modifier,
    default: toHex(encoded.bytes),
    docs: shortDocs(s.docs),
  };
}

function specEvent(e: ApiEvent): SpecEvent {
  return { name: e.name, index: e.index, fields: e.fields.map((f) => [f.name, typeExprOf(f.type, f.rustType), f.rustType]), docs: shortDocs(e.docs) };
}

function specError(e: ApiError): SpecError {
  return { name: e.name, index: e.index, docs: shortDocs(e.docs) };
}

/** The JSON's type, wrapped in BoundedVec where the Rust type is one (the real metadata has the wrapper). */
function typeExprOf(type: string, rustType: string): string {
  if (!rustType.startsWith("BoundedVec<")) return type;
  if (type === "Bytes") return "BoundedVec<u8>";
  if (type.startsWith("Vec<")) return `Bounded${type}`;
  return type;
}

function customTransactionErrors(api: SubtensorApi): CustomTransactionError[] {
  return Object.entries(api.customTransactionErrors.codes)
    .map(([code, text]) => {
      const match = /^(\w+)\s*(?:\((.*)\))?$/.exec(text);
      if (!match) throw new Error(`custom transaction error ${code}: ${text}`);
      const listed = (match[2] ?? "").split("|").map((s) => s.trim());
      return { code: Number(code), name: match[1]!, fromErrors: listed.every((s) => /^\w+$/.test(s)) ? listed : [] };
    })
    .sort((a, b) => a.code - b.code);
}

/** The first sentence of `docs`, without the `---` some start with. */
function shortDocs(docs: string): string[] {
  const text = docs.replace(/^[-\s]+/, "").replace(/\s+/g, " ").trim();
  if (text === "") return [];
  const sentence = /^.*?[.!?](?=\s|$)/.exec(text)?.[0] ?? text;
  if (sentence.length <= MAX_DOC_LENGTH) return [sentence];
  return [`${sentence.slice(0, sentence.lastIndexOf(" ", MAX_DOC_LENGTH))} …`];
}

/** SCALE encoding of storage defaults, through the portable types the expressions resolve to. */
class DefaultEncoder {
  readonly #b = new TypeBuilder();
  readonly #t = declareCommonTypes(this.#b);
  readonly #aliases: Readonly<Record<string, string>>;

  constructor(aliases: Readonly<Record<string, string>>) {
    this.#aliases = aliases;
  }

  /** `value` as `type`; when the JSON's form is not understood, `default343`, else the zero value. */
  storageDefault(type: string, value: unknown, default343: unknown): { bytes: Uint8Array; fallback?: string } {
    const id = resolveTypeExpr(this.#b, this.#t, type, this.#aliases);
    const attempt = (v: unknown): Uint8Array | undefined => {
      try {
        return this.#encode(id, normalized(v));
      } catch {
        return undefined;
      }
    };
    const direct = attempt(value);
    if (direct) return { bytes: direct };
    const old = default343 === undefined ? undefined : attempt(default343);
    if (old) return { bytes: old, fallback: `default343 ${JSON.stringify(default343)}` };
    return { bytes: this.#zero(id), fallback: "the zero value" };
  }

  #encode(id: TypeId, value: unknown): Uint8Array {
    const w = new ScaleWriter();
    this.#write(w, id, value);
    return w.finish();
  }

  #write(w: ScaleWriter, id: TypeId, value: unknown): void {
    const type = this.#b.get(id);
    const def = type.def;
    const path = type.path.join("::");
    if ("primitive" in def) writePrimitive(w, def.primitive, value);
    else if ("compact" in def) w.compact(integer(value));
    else if ("sequence" in def) this.#writeSequence(w, def.sequence.type, value);
    else if ("array" in def) this.#writeItems(w, def.array.type, value, def.array.len);
    else if ("tuple" in def) this.#writeTuple(w, def.tuple, value);
    else if ("composite" in def) this.#writeComposite(w, path, def.composite.fields, value);
    else this.#writeVariant(w, path, def.variant.variants, value);
  }

  #writeSequence(w: ScaleWriter, of: TypeId, value: unknown): void {
    if (this.#isU8(of) && typeof value === "string") {
      w.bytes(hexBytes(value));
      return;
    }
    if (!Array.isArray(value)) throw new Error(`expected a list, got ${JSON.stringify(value)}`);
    w.compact(value.length);
    this.#writeItems(w, of, value, value.length);
  }

  #writeItems(w: ScaleWriter, of: TypeId, value: unknown, len: number): void {
    if (this.#isU8(of) && typeof value === "string") value = [...hexBytes(value)];
    if (!Array.isArray(value) || value.length !== len) throw new Error(`expected ${len} items, got ${JSON.stringify(value)}`);
    for (const item of value) this.#write(w, of, item);
  }

  #writeTuple(w: ScaleWriter, items: readonly TypeId[], value: unknown): void {
    if (items.length === 0 && (value === null || (Array.isArray(value) && value.length === 0))) return;
    if (!Array.isArray(value) || value.length !== items.length) throw new Error(`expected a ${items.length}-tuple, got ${JSON.stringify(value)}`);
    items.forEach((item, i) => this.#write(w, item, value[i]));
  }

  #writeComposite(w: ScaleWriter, path: string, fields: readonly FieldDecl[], value: unknown): void {
    if (path === "sp_core::crypto::AccountId32" && typeof value === "string") {
      w.raw(value.startsWith("0x") ? hexBytes(value) : decodeAddress(value));
      return;
    }
    if (path.startsWith("substrate_fixed::") && typeof value === "string") value = { bits: fixedBits(value) };
    if ((path === "BTreeMap" || path === "BTreeSet") && isEmptyCollection(value)) value = [];
    if (fields.length === 1 && fields[0]!.name === undefined) {
      this.#write(w, fields[0]!.type, value);
      return;
    }
    if (fields.every((f) => f.name === undefined)) {
      this.#writeTuple(w, fields.map((f) => f.type), value);
      return;
    }
    if (typeof value !== "object" || value === null) throw new Error(`expected a struct, got ${JSON.stringify(value)}`);
    for (const field of fields) this.#write(w, field.type, fieldValue(value as Record<string, unknown>, field.name!));
  }

  #writeVariant(w: ScaleWriter, path: string, variants: readonly { name: string; index: number; fields?: readonly FieldDecl[] }[], value: unknown): void {
    if (path === "Option") {
      w.u8(value === null ? 0 : 1);
      if (value !== null) this.#write(w, variants.find((v) => v.name === "Some")!.fields![0]!.type, value);
      return;
    }
    const [name, inner] = typeof value === "string" ? [value, null] : singleEntry(value);
    const variant = variants.find((v) => v.name === name);
    if (!variant) throw new Error(`no variant ${name} in ${path}`);
    w.u8(variant.index);
    const fields = variant.fields ?? [];
    if (fields.length > 0) this.#writeComposite(w, "", fields, inner);
  }

  #zero(id: TypeId): Uint8Array {
    const w = new ScaleWriter();
    this.#writeZero(w, id);
    return w.finish();
  }

  #writeZero(w: ScaleWriter, id: TypeId): void {
    const def = this.#b.get(id).def;
    if ("primitive" in def) writePrimitive(w, def.primitive, def.primitive === "bool" ? false : def.primitive === "str" ? "" : 0);
    else if ("compact" in def || "sequence" in def) w.compact(0);
    else if ("array" in def) for (let i = 0; i < def.array.len; i++) this.#writeZero(w, def.array.type);
    else if ("tuple" in def) for (const item of def.tuple) this.#writeZero(w, item);
    else if ("composite" in def) for (const field of def.composite.fields) this.#writeZero(w, field.type);
    else {
      const first = [...def.variant.variants].sort((a, b) => a.index - b.index)[0];
      if (!first) throw new Error("an enum without variants has no zero value");
      w.u8(first.index);
      for (const field of first.fields ?? []) this.#writeZero(w, field.type);
    }
  }

  #isU8(id: TypeId): boolean {
    const def = this.#b.get(id).def;
    return "primitive" in def && def.primitive === "u8";
  }
}

/** `{ prod, fastRuntime }` (a default that depends on the runtime's build) → the production value. */
function normalized(value: unknown): unknown {
  if (typeof value === "object" && value !== null && "prod" in value && "fastRuntime" in value) return (value as { prod: unknown }).prod;
  return value;
}

const INTEGER_BYTES: Partial<Record<Primitive, number>> = { u8: 1, u16: 2, u32: 4, u64: 8, u128: 16, u256: 32, i8: 1, i16: 2, i32: 4, i64: 8, i128: 16, i256: 32 };

function writePrimitive(w: ScaleWriter, primitive: Primitive, value: unknown): void {
  if (primitive === "bool") {
    if (typeof value !== "boolean") throw new Error(`expected a bool, got ${JSON.stringify(value)}`);
    w.bool(value);
    return;
  }
  if (primitive === "str") {
    if (typeof value !== "string") throw new Error(`expected a string, got ${JSON.stringify(value)}`);
    w.bytes(new TextEncoder().encode(value));
    return;
  }
  const size = INTEGER_BYTES[primitive];
  if (size === undefined) throw new Error(`no encoding of ${primitive}`);
  w.raw(littleEndian(integer(value), size, primitive.startsWith("i")));
}

/** An integer from a JSON number, a decimal string or a big-endian 0x string. */
function integer(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === "string" && /^(-?\d+|0x[0-9a-fA-F]+)$/.test(value)) return BigInt(value);
  throw new Error(`expected an integer, got ${JSON.stringify(value)}`);
}

function littleEndian(value: bigint, size: number, signed: boolean): Uint8Array {
  const bits = BigInt(size * 8);
  const min = signed ? -(1n << (bits - 1n)) : 0n;
  const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  if (value < min || value > max) throw new Error(`${value} does not fit in ${size} bytes`);
  let rest = BigInt.asUintN(size * 8, value);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++, rest >>= 8n) out[i] = Number(rest & 0xffn);
  return out;
}

function hexBytes(value: string): Uint8Array {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(value)) throw new Error(`expected hex, got ${JSON.stringify(value)}`);
  return Uint8Array.from(Buffer.from(value.slice(2), "hex"));
}

/**
 * `U64F64(1.26)` → the bits of that fixed-point number as subtensor computes them: `from_num` of
 * the f64 literal, i.e. the double's exact value times 2^frac, rounded to nearest (ties to even).
 */
function fixedBits(text: string): bigint {
  const match = /^[IU]\d+F(\d+)\((-?\d+(?:\.\d+)?)\)$/.exec(text);
  if (!match) throw new Error(`not a fixed-point value: ${text}`);
  const { mantissa, exponent } = exactDouble(Number(match[2]));
  const shift = exponent + Number(match[1]);
  if (shift >= 0) return mantissa << BigInt(shift);
  return roundedQuotient(mantissa, 1n << BigInt(-shift));
}

/** A finite double as mantissa × 2^exponent, exactly. */
function exactDouble(value: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const raw = view.getBigUint64(0);
  const sign = raw >> 63n === 1n ? -1n : 1n;
  const biased = Number((raw >> 52n) & 0x7ffn);
  const fraction = raw & ((1n << 52n) - 1n);
  if (biased === 0x7ff) throw new Error(`not a finite number: ${value}`);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  return { mantissa: sign * mantissa, exponent: (biased === 0 ? 1 : biased) - 1075 };
}

/** numerator / denominator rounded to nearest, ties to even (denominator > 0). */
function roundedQuotient(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  let quotient = magnitude / denominator;
  const twiceRemainder = 2n * (magnitude % denominator);
  if (twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n)) quotient += 1n;
  return negative ? -quotient : quotient;
}

function isEmptyCollection(value: unknown): boolean {
  return (Array.isArray(value) && value.length === 0) || (typeof value === "object" && value !== null && Object.keys(value).length === 0);
}

function fieldValue(value: Record<string, unknown>, name: string): unknown {
  if (name in value) return value[name];
  const camel = name.replace(/_(.)/g, (_m, c: string) => c.toUpperCase());
  if (camel in value) return value[camel];
  throw new Error(`no field ${name} in ${JSON.stringify(value)}`);
}

function singleEntry(value: unknown): [string, unknown] {
  const entries = typeof value === "object" && value !== null ? Object.entries(value) : [];
  if (entries.length !== 1) throw new Error(`expected { Variant: value }, got ${JSON.stringify(value)}`);
  return entries[0]!;
}

/** Source text inserted verbatim by `render`. */
class Code {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

type Renderable = string | number | boolean | null | Code | readonly Renderable[] | { readonly [key: string]: Renderable };

/** TypeScript source for `value`: on one line where it fits in LINE_WIDTH, else one item per line. */
function render(value: unknown, indent: string): string {
  const inline = renderInline(value as Renderable);
  if (indent.length + inline.length <= LINE_WIDTH || typeof value !== "object" || value === null || value instanceof Code) return inline;
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((item) => `${inner}${render(item, inner)},\n`).join("")}${indent}]`;
  return `{\n${Object.entries(value).map(([k, v]) => `${inner}${key(k)}: ${render(v, inner)},\n`).join("")}${indent}}`;
}

function renderInline(value: Renderable): string {
  if (value instanceof Code) return value.text;
  if (Array.isArray(value)) return `[${value.map(renderInline).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, Renderable>);
    return entries.length === 0 ? "{}" : `{ ${entries.map(([k, v]) => `${key(k)}: ${renderInline(v)}`).join(", ")} }`;
  }
  return JSON.stringify(value);
}

function key(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}

function main(): void {
  const source = generateSubtensorSpecSource(readApi());
  writeFileSync(SPEC_OUTPUT_PATH, source);
  console.log(`wrote ${SPEC_OUTPUT_PATH} (${source.length} characters)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
