/**
 * Metadata V14 and V15 generated from the pallet declarations: the portable type registry, the
 * outer call/event/error enums, the extrinsic format and (V15) the runtime APIs.
 */
import { Metadata, TypeRegistry } from "@polkadot/types";
import { toHex } from "../codec/hex.js";
import { RUNTIME_PATH, declareCommonTypes, type CommonTypes } from "./common-types.js";
import { declareExtensions, type ExtensionDecl } from "./extensions.js";
import { TypeBuilder, type TypeId } from "./type-builder.js";
import type { Pallet, PalletDeclaration, StorageDecl } from "../runtime/pallet.js";

export interface RuntimeApiMethodDecl {
  readonly name: string;
  readonly inputs: readonly { readonly name: string; readonly type: TypeId }[];
  readonly output: TypeId;
  readonly docs?: readonly string[];
}

export interface RuntimeApiDecl {
  readonly name: string;
  readonly methods: readonly RuntimeApiMethodDecl[];
  readonly docs?: readonly string[];
}

export interface MetadataInputs {
  readonly pallets: readonly Pallet[];
  /** Declares the runtime APIs (V15) once the common types and extrinsic type exist. */
  readonly apis: (b: TypeBuilder, t: CommonTypes, extrinsic: TypeId) => readonly RuntimeApiDecl[];
}

export interface BuiltMetadata {
  readonly v14: Uint8Array;
  readonly v15: Uint8Array;
  readonly declarations: ReadonlyMap<Pallet, PalletDeclaration>;
  readonly extensions: readonly ExtensionDecl[];
}

const MAGIC_NUMBER = 0x6174656d; // "meta"

export function buildMetadata(inputs: MetadataInputs): BuiltMetadata {
  const b = new TypeBuilder();
  const t = declareCommonTypes(b);
  const declarations = new Map<Pallet, PalletDeclaration>();
  for (const pallet of inputs.pallets) declarations.set(pallet, pallet.declare(b, t));

  const palletTypes = new Map<Pallet, { calls?: TypeId; events?: TypeId; errors?: TypeId }>();
  for (const [pallet, decl] of declarations) {
    const generic = [{ name: "T" }];
    palletTypes.set(pallet, {
      calls: decl.calls?.length
        ? b.variant(
            decl.callTypePath ?? `pallet_${pallet.name.toLowerCase()}::pallet::Call`,
            [...decl.calls].sort((x, y) => x.index - y.index).map((c) => ({ name: c.name, index: c.index, fields: c.args.map((a) => ({ name: a.name, type: a.type, typeName: a.typeName })), docs: c.docs ?? [] })),
            { params: generic, docs: ["Contains a variant per dispatchable extrinsic that this pallet has."] },
          )
        : undefined,
      events: decl.events?.length
        ? b.variant(decl.eventTypePath ?? `pallet_${pallet.name.toLowerCase()}::pallet::Event`, decl.events.map((e) => ({ name: e.name, index: e.index, fields: e.fields, docs: e.docs ?? [] })), {
            params: generic,
            docs: ["The `Event` enum of this pallet"],
          })
        : undefined,
      errors: decl.errors?.length
        ? b.variant(decl.errorTypePath ?? `pallet_${pallet.name.toLowerCase()}::pallet::Error`, decl.errors.map((e) => ({ name: e.name, index: e.index, docs: e.docs ?? [] })), {
            params: generic,
            docs: ["The `Error` enum of this pallet."],
          })
        : undefined,
    });
  }
  const outer = (kind: "calls" | "events" | "errors") =>
    [...palletTypes].flatMap(([pallet, types]) => (types[kind] === undefined ? [] : [{ name: pallet.name, index: pallet.index, fields: [{ type: types[kind]!, typeName: `${pallet.name}` }] }]));
  b.define(t.runtimeCall, { path: `${RUNTIME_PATH}::RuntimeCall`, def: { variant: { variants: outer("calls") } } });
  b.define(t.runtimeEvent, { path: `${RUNTIME_PATH}::RuntimeEvent`, def: { variant: { variants: outer("events") } } });
  const runtimeError = b.variant(`${RUNTIME_PATH}::RuntimeError`, outer("errors"));

  const extensions = declareExtensions(b, t);
  const extraType = b.tuple(...extensions.map((e) => e.type));
  const extrinsic = b.composite("sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic", [{ type: t.bytes }], {
    params: [
      { name: "Address", type: t.multiAddress },
      { name: "Call", type: t.runtimeCall },
      { name: "Signature", type: t.multiSignature },
      { name: "Extra", type: extraType },
    ],
  });
  const runtimeType = b.composite(`${RUNTIME_PATH}::Runtime`, []);
  const apis = inputs.apis(b, t, extrinsic);
  const lookup = { types: b.build() };

  const pallets = [...declarations].map(([pallet, decl]) => {
    const types = palletTypes.get(pallet)!;
    return {
      name: pallet.name,
      storage: decl.storage?.length ? { prefix: pallet.name, items: decl.storage.map(storageEntry) } : null,
      calls: types.calls === undefined ? null : { type: types.calls },
      events: types.events === undefined ? null : { type: types.events },
      constants: (decl.constants ?? []).map((c) => ({ name: c.name, type: c.type, value: toHex(c.value), docs: c.docs ?? [] })),
      errors: types.errors === undefined ? null : { type: types.errors },
      index: pallet.index,
      docs: decl.docs ?? [],
    };
  });
  const signedExtensions = extensions.map((e) => ({ identifier: e.identifier, type: e.type, additionalSigned: e.implicit }));

  const registry = new TypeRegistry();
  const v14 = new Metadata(registry, {
    magicNumber: MAGIC_NUMBER,
    metadata: registry.createType("MetadataAll", {
      V14: { lookup, pallets: pallets.map(({ docs: _docs, ...p }) => p), extrinsic: { type: extrinsic, version: 4, signedExtensions }, type: runtimeType },
    }),
  } as never);
  const v15 = new Metadata(registry, {
    magicNumber: MAGIC_NUMBER,
    metadata: registry.createType("MetadataAll", {
      V15: {
        lookup,
        pallets,
        extrinsic: { version: 4, addressType: t.multiAddress, callType: t.runtimeCall, signatureType: t.multiSignature, extraType, signedExtensions },
        type: runtimeType,
        apis: apis.map((api) => ({ name: api.name, methods: api.methods.map((m) => ({ name: m.name, inputs: m.inputs, output: m.output, docs: m.docs ?? [] })), docs: api.docs ?? [] })),
        outerEnums: { callType: t.runtimeCall, eventType: t.runtimeEvent, errorType: runtimeError },
        custom: { map: new Map() },
      },
    }),
  } as never);
  return { v14: v14.toU8a(), v15: v15.toU8a(), declarations, extensions };
}

function storageEntry(s: StorageDecl): unknown {
  return {
    name: s.item.name,
    modifier: s.modifier,
    type: "plain" in s.shape ? { Plain: s.shape.plain } : { Map: { hashers: s.shape.map.hashers, key: s.shape.map.key, value: s.shape.map.value } },
    fallback: toHex(s.fallback),
    docs: s.docs ?? [],
  };
}
