/** The real subtensor metadata in ../shared (spec 343, V15) as a polkadot.js registry, and lookups into it. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Metadata, TypeRegistry } from "@polkadot/types";
import type { PalletMetadataLatest } from "@polkadot/types/interfaces";
import { compactStripLength, hexToU8a } from "@polkadot/util";
import { SUBTENSOR_SIGNED_EXTENSIONS } from "../../src/params/chain-options.js";

const REAL_V15 = new URL("../../../shared/reference/real-chain/subtensor-spec343-metadata-v15.hex", import.meta.url);

export function realMetadata(registry: TypeRegistry): Metadata {
  const hex = readFileSync(REAL_V15, "utf8").trim();
  // The blob is `Option<OpaqueMetadata>`: a Some byte, then length-prefixed metadata.
  return new Metadata(registry, compactStripLength(hexToU8a(hex).subarray(1))[1]);
}

export function realRegistry(): TypeRegistry {
  const registry = new TypeRegistry();
  registry.setMetadata(realMetadata(registry), undefined, SUBTENSOR_SIGNED_EXTENSIONS as never, true);
  return registry;
}

export function palletOf(registry: TypeRegistry, name: string): PalletMetadataLatest {
  const found = registry.metadata.pallets.find((p) => p.name.toString() === name);
  assert.ok(found, `pallet ${name} missing`);
  return found;
}

/** A type's polkadot.js type string, comparable across registries. */
export function typeOf(registry: TypeRegistry, id: { toNumber(): number } | number): string {
  return registry.lookup.getTypeDef(typeof id === "number" ? id : id.toNumber()).type;
}
