/**
 * Weights as subtensor takes them (pure): u16 values max-upscaled so the largest is 65535 (what the
 * chain does on store, and what Bittensor's SDK sends), zero weights left out, and the commit hash
 * of commit-reveal v2 — blake2b-256 of SCALE (hotkey, netuid_index, uids, values, salt, version_key).
 */
import { randomBytes } from "node:crypto";
import { compactToU8a, u8aConcat, u8aToHex } from "@polkadot/util";
import { blake2AsU8a } from "@polkadot/util-crypto";
import { UserError } from "../util/errors.js";

export type WeightsErrorCode = "BAD_WEIGHTS";

export class WeightsError extends UserError<WeightsErrorCode> {}

export const U16_MAX = 65535;

export interface U16Weights {
  readonly uids: readonly number[];
  readonly values: readonly number[];
}

/**
 * Validates (uid, weight) pairs and scales them to u16 with the largest at 65535; zeros are left out.
 * An all-zero vector is refused: the chain would store nothing and the caller almost surely erred.
 */
export function toU16Weights(uids: readonly number[], weights: readonly number[]): U16Weights {
  if (uids.length !== weights.length) throw new WeightsError("BAD_WEIGHTS", `${uids.length} uids but ${weights.length} weights: give one weight per uid`);
  if (uids.length === 0) throw new WeightsError("BAD_WEIGHTS", "no weights given");
  const seen = new Set<number>();
  for (const uid of uids) {
    if (!Number.isInteger(uid) || uid < 0 || uid > U16_MAX) throw new WeightsError("BAD_WEIGHTS", `uid ${uid} is not an integer in 0..${U16_MAX}`);
    if (seen.has(uid)) throw new WeightsError("BAD_WEIGHTS", `uid ${uid} is given twice`);
    seen.add(uid);
  }
  for (const weight of weights) {
    if (!Number.isFinite(weight) || weight < 0) throw new WeightsError("BAD_WEIGHTS", `weight ${weight} is not a finite number ≥ 0`);
  }
  const max = Math.max(...weights);
  if (max === 0) throw new WeightsError("BAD_WEIGHTS", "every weight is 0; give at least one positive weight");
  const out = { uids: [] as number[], values: [] as number[] };
  uids.forEach((uid, i) => {
    const value = Math.round((weights[i]! / max) * U16_MAX);
    if (value === 0) return;
    out.uids.push(uid);
    out.values.push(value);
  });
  return out;
}

function u16Vec(values: readonly number[]): Uint8Array {
  const body = new Uint8Array(values.length * 2);
  const view = new DataView(body.buffer);
  values.forEach((v, i) => view.setUint16(i * 2, v, true));
  return u8aConcat(compactToU8a(values.length), body);
}

function u16le(value: number): Uint8Array {
  return new Uint8Array([value & 0xff, value >> 8]);
}

function u64le(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, true);
  return out;
}

/** `get_commit_hash` of subtensor: what `commit_weights` stores and `reveal_weights` must reproduce. */
export function commitHash(hotkeyPublicKey: Uint8Array, netuidIndex: number, weights: U16Weights, salt: readonly number[], versionKey: bigint): `0x${string}` {
  if (hotkeyPublicKey.length !== 32) throw new WeightsError("BAD_WEIGHTS", "the hotkey's public key must have 32 bytes");
  const encoded = u8aConcat(hotkeyPublicKey, u16le(netuidIndex), u16Vec(weights.uids), u16Vec(weights.values), u16Vec(salt), u64le(versionKey));
  return u8aToHex(blake2AsU8a(encoded, 256)) as `0x${string}`;
}

/** A fresh random salt of `length` u16 values (the SDK uses 8). */
export function randomSalt(length = 8): number[] {
  const bytes = randomBytes(length * 2);
  return Array.from({ length }, (_, i) => bytes.readUInt16LE(i * 2));
}
