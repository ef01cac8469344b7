/**
 * Typed SubtensorModule storage items declared from the generated spec (spec.generated.ts): HEAD's
 * hashers and the JSON's default, for items storage.ts does not list yet. Each checks that the
 * spec's keys are what the caller encodes.
 */
import { fromHex } from "../../../codec/hex.js";
import type { ValueCodec } from "./codecs.js";
import type { SpecStorage } from "./declare.js";
import { SUBTENSOR_MODULE_SPEC } from "./spec.generated.js";
import { keyAccount, keyU16, TypedDoubleMap, TypedItem } from "./typed-storage.js";

function specOf(name: string, keys: readonly string[]): SpecStorage {
  const found = SUBTENSOR_MODULE_SPEC.storage.find((s) => s.name === name);
  if (!found) throw new Error(`SubtensorModule has no storage item ${name}`);
  if (found.keys.join(",") !== keys.join(",")) throw new Error(`SubtensorModule.${name} is keyed by (${found.keys.join(", ")}), not (${keys.join(", ")})`);
  return found;
}

/** A value keyed by netuid (`Map<u16, V>`), absent entries reading as the spec's default. */
export function netuidItemFromSpec<V>(name: string, codec: ValueCodec<V>): TypedItem<number, V> {
  const spec = specOf(name, ["u16"]);
  return new TypedItem(SUBTENSOR_MODULE_SPEC.name, name, spec.hashers, keyU16, codec, codec.decode(fromHex(spec.default)));
}

/** A value keyed by (hotkey, netuid), absent entries reading as the spec's default. */
export function hotkeyNetuidMapFromSpec<V>(name: string, codec: ValueCodec<V>): TypedDoubleMap<Uint8Array, number, V> {
  const spec = specOf(name, ["AccountId32", "u16"]);
  const [first, second] = spec.hashers;
  if (first === undefined || second === undefined) throw new Error(`SubtensorModule.${name} lacks hashers`);
  return new TypedDoubleMap(SUBTENSOR_MODULE_SPEC.name, name, [first, second], keyAccount, keyU16, codec, codec.decode(fromHex(spec.default)));
}

/** A value keyed by an account (`Map<AccountId32, V>`), absent entries reading as the spec's default. */
export function accountItemFromSpec<V>(name: string, codec: ValueCodec<V>): TypedItem<Uint8Array, V> {
  const spec = specOf(name, ["AccountId32"]);
  return new TypedItem(SUBTENSOR_MODULE_SPEC.name, name, spec.hashers, keyAccount, codec, codec.decode(fromHex(spec.default)));
}
