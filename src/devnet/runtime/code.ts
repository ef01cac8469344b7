/**
 * What the devnet serves as `:code`, the storage entry where a Substrate chain keeps its Wasm
 * runtime. Clients identify a runtime by the hash of `:code` (polkadot-api caches metadata under
 * it), so it must change whenever the runtime's interface does, and only then. The devnet's
 * runtime is TypeScript, so these bytes are a description rather than Wasm:
 *
 *   "tensornode-devnet-runtime\0" ‖ SCALE(RuntimeVersion) ‖ blake2-256(V14 metadata) ‖ blake2-256(V15 metadata)
 *
 * They start with no Wasm magic (`\0asm`), so no tool mistakes them for executable code.
 */
import { blake2_256 } from "../codec/hashing.js";
import { concatBytes } from "../codec/scale.js";
import { encodeRuntimeVersion, type RuntimeVersionInfo } from "./constants.js";

/** `:code` as a storage key. */
export const CODE_KEY = "0x3a636f6465";

const CODE_MAGIC = new TextEncoder().encode("tensornode-devnet-runtime\0");

export function runtimeCode(version: RuntimeVersionInfo, metadata: { readonly v14: Uint8Array; readonly v15: Uint8Array }): Uint8Array {
  return concatBytes(CODE_MAGIC, encodeRuntimeVersion(version), blake2_256(metadata.v14), blake2_256(metadata.v15));
}
