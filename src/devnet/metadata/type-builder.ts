/**
 * Builds a scale-info portable type registry (the `lookup` of V14/V15 metadata) from declarations
 * in code. Identical declarations share one id, so pallets can declare the types they use freely;
 * recursive types (the outer call enum) reserve an id first and define it later.
 */

export type TypeId = number;

export type Primitive = "bool" | "char" | "str" | "u8" | "u16" | "u32" | "u64" | "u128" | "u256" | "i8" | "i16" | "i32" | "i64" | "i128" | "i256";

export interface FieldDecl {
  readonly name?: string;
  readonly type: TypeId;
  readonly typeName?: string;
  readonly docs?: readonly string[];
}

export interface VariantDecl {
  readonly name: string;
  readonly index: number;
  readonly fields?: readonly FieldDecl[];
  readonly docs?: readonly string[];
}

export interface TypeParam {
  readonly name: string;
  readonly type?: TypeId;
}

export type TypeDef =
  | { readonly composite: { readonly fields: readonly FieldDecl[] } }
  | { readonly variant: { readonly variants: readonly VariantDecl[] } }
  | { readonly sequence: { readonly type: TypeId } }
  | { readonly array: { readonly len: number; readonly type: TypeId } }
  | { readonly tuple: readonly TypeId[] }
  | { readonly primitive: Primitive }
  | { readonly compact: { readonly type: TypeId } };

export interface PortableType {
  readonly path: readonly string[];
  readonly params: readonly TypeParam[];
  readonly def: TypeDef;
  readonly docs: readonly string[];
}

export interface NamedOptions {
  readonly params?: readonly TypeParam[];
  readonly docs?: readonly string[];
}

const PRIMITIVE_NAMES: Readonly<Record<Primitive, string>> = {
  bool: "Bool", char: "Char", str: "Str", u8: "U8", u16: "U16", u32: "U32", u64: "U64", u128: "U128", u256: "U256",
  i8: "I8", i16: "I16", i32: "I32", i64: "I64", i128: "I128", i256: "I256",
};

export class TypeBuilder {
  readonly #types: (PortableType | undefined)[] = [];
  readonly #byKey = new Map<string, TypeId>();

  primitive(name: Primitive): TypeId {
    return this.#intern({ path: [], params: [], def: { primitive: name }, docs: [] });
  }

  compact(of: TypeId): TypeId {
    return this.#intern({ path: [], params: [], def: { compact: { type: of } }, docs: [] });
  }

  sequence(of: TypeId): TypeId {
    return this.#intern({ path: [], params: [], def: { sequence: { type: of } }, docs: [] });
  }

  array(len: number, of: TypeId): TypeId {
    return this.#intern({ path: [], params: [], def: { array: { len, type: of } }, docs: [] });
  }

  tuple(...of: TypeId[]): TypeId {
    return this.#intern({ path: [], params: [], def: { tuple: of }, docs: [] });
  }

  composite(path: string, fields: readonly FieldDecl[], options: NamedOptions = {}): TypeId {
    return this.#intern({ path: splitPath(path), params: options.params ?? [], def: { composite: { fields } }, docs: options.docs ?? [] });
  }

  variant(path: string, variants: readonly VariantDecl[], options: NamedOptions = {}): TypeId {
    return this.#intern({ path: splitPath(path), params: options.params ?? [], def: { variant: { variants } }, docs: options.docs ?? [] });
  }

  option(of: TypeId): TypeId {
    return this.variant("Option", [{ name: "None", index: 0 }, { name: "Some", index: 1, fields: [{ type: of }] }], { params: [{ name: "T", type: of }] });
  }

  result(ok: TypeId, err: TypeId): TypeId {
    return this.variant(
      "Result",
      [
        { name: "Ok", index: 0, fields: [{ type: ok }] },
        { name: "Err", index: 1, fields: [{ type: err }] },
      ],
      { params: [{ name: "T", type: ok }, { name: "E", type: err }] },
    );
  }

  /** An id for a type defined later with `define` (for recursive types). */
  reserve(): TypeId {
    this.#types.push(undefined);
    return this.#types.length - 1;
  }

  define(id: TypeId, type: { path: string } & Omit<PortableType, "path" | "params" | "docs"> & Partial<Pick<PortableType, "params" | "docs">>): void {
    if (this.#types[id] !== undefined) throw new Error(`type ${id} is already defined`);
    this.#types[id] = { path: splitPath(type.path), params: type.params ?? [], def: type.def, docs: type.docs ?? [] };
  }

  get(id: TypeId): PortableType {
    const type = this.#types[id];
    if (!type) throw new Error(`type ${id} is reserved but not defined`);
    return type;
  }

  /** The registry in the shape @polkadot/types expects for `PortableRegistry`. */
  build(): { id: number; type: unknown }[] {
    return this.#types.map((type, id) => {
      if (!type) throw new Error(`type ${id} is reserved but not defined`);
      return { id, type: toCodecShape(type) };
    });
  }

  #intern(type: PortableType): TypeId {
    const key = JSON.stringify(type);
    const known = this.#byKey.get(key);
    if (known !== undefined) return known;
    this.#types.push(type);
    const id = this.#types.length - 1;
    this.#byKey.set(key, id);
    return id;
  }
}

function splitPath(path: string): string[] {
  return path === "" ? [] : path.split("::");
}

function fieldShape(field: FieldDecl): unknown {
  return { name: field.name ?? null, type: field.type, typeName: field.typeName ?? null, docs: field.docs ?? [] };
}

function toCodecShape(type: PortableType): unknown {
  const def = type.def;
  let codecDef: unknown;
  if ("composite" in def) codecDef = { Composite: { fields: def.composite.fields.map(fieldShape) } };
  else if ("variant" in def)
    codecDef = {
      Variant: {
        variants: def.variant.variants.map((v) => ({ name: v.name, fields: (v.fields ?? []).map(fieldShape), index: v.index, docs: v.docs ?? [] })),
      },
    };
  else if ("sequence" in def) codecDef = { Sequence: def.sequence };
  else if ("array" in def) codecDef = { Array: def.array };
  else if ("tuple" in def) codecDef = { Tuple: def.tuple };
  else if ("primitive" in def) codecDef = { Primitive: PRIMITIVE_NAMES[def.primitive] };
  else codecDef = { Compact: def.compact };
  return { path: type.path, params: type.params.map((p) => ({ name: p.name, type: p.type ?? null })), def: codecDef, docs: type.docs };
}
