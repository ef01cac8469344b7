/** Reading subtensor runtime API answers in tests: the real spec-343 types and struct fields as strings. */
import assert from "node:assert/strict";
import { TypeRegistry } from "@polkadot/types";
import type { Codec } from "@polkadot/types/types";
import type { Struct } from "@polkadot/types-codec";
import { SUBTENSOR_SIGNED_EXTENSIONS } from "../../src/params/chain-options.js";
import { realMetadata } from "./real-chain.js";


/** The real spec-343 registry and its runtime API output types. */
export function realChain(): { registry: TypeRegistry; outputOf: (api: string, method: string) => string } {
  const registry = new TypeRegistry();
  const metadata = realMetadata(registry);
  registry.setMetadata(metadata, undefined, SUBTENSOR_SIGNED_EXTENSIONS as never, true);
  const outputOf = (api: string, method: string): string => {
    const found = metadata.asV15.apis.find((a) => a.name.toString() === api)?.methods.find((m) => m.name.toString() === method);
    assert.ok(found, `spec 343 has no ${api}.${method}`);
    return registry.createLookupType(found.output.toNumber());
  };
  return { registry, outputOf };
}

/** A struct's fields as strings (camelCase names, as polkadot.js decodes them). */
export function fieldsOf(codec: Codec): Record<string, string> {
  return Object.fromEntries([...(codec as Struct).entries()].map(([name, value]) => [name, value.toString()]));
}

/** A struct's fields as JSON text, for vectors (whose toString() is not JSON). */
export function jsonFieldsOf(codec: Codec): Record<string, string> {
  return Object.fromEntries([...(codec as Struct).entries()].map(([name, value]) => [name, JSON.stringify(value.toJSON())]));
}

/** `NeuronInfoRuntimeApi` → `neuronInfoRuntimeApi`, `get_neurons_lite` → `getNeuronsLite`: polkadot.js's `api.call` names. */
export function camel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1).replace(/_(.)/g, (_m, c: string) => c.toUpperCase());
}

export function strings(vector: Codec): string[] {
  return [...(vector as unknown as Iterable<Codec>)].map(String);
}
