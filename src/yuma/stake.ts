/**
 * The stake vector the epoch uses (`staking/stake_utils.rs::get_stake_weights_for_network` and
 * the filtering at the top of `epoch_mechanism`), in I64F64 as on chain.
 */
import {
  U64_MAX,
  i64f64FromInt,
  i64f64SafeDiv,
  i64f64ToI32F32,
  i64f64ToU64,
  saturateI128,
  wrapI128,
} from "./fixed.js";

export interface StakeInputs {
  /** Inherited alpha stake per uid (RAO). */
  readonly alphaStake: readonly bigint[];
  /** Inherited root (TAO) stake per uid (RAO). */
  readonly taoStake: readonly bigint[];
  /** `TaoWeight` storage value; the weight is taoWeightU64 / u64::MAX. */
  readonly taoWeightU64: bigint;
  /** `StakeThreshold`: total stake below it (floored) counts as 0, except for the owner. */
  readonly stakeThreshold: bigint;
  readonly ownerUid: number | null;
}

export interface StakeWeights {
  /** alpha + tao·tao_weight, raw I64F64. */
  readonly totalStake: bigint[];
  /** Threshold-filtered, normalised, as I32F32 raw. */
  readonly stake: Float64Array;
  /** floor(total stake) in RAO, as the epoch reports it. */
  readonly stakeRao: bigint[];
}

/** `get_tao_weight()` (U96F32: trunc(w·2^32 / u64::MAX)) widened to I64F64. */
export function taoWeightI64F64(taoWeightU64: bigint): bigint {
  return ((taoWeightU64 << 32n) / U64_MAX) << 32n;
}

export function computeStakeWeights(inputs: StakeInputs): StakeWeights {
  return stakeWeightsUnsaturated(inputs) ?? stakeWeightsExact(inputs);
}

const TWO_POW_63 = 1n << 63n;
const TWO_POW_95 = 1n << 95n;

/**
 * The same weights in fewer BigInt steps, for stakes that saturate nothing (each below 2^63, each
 * total and their sum below 2^95 in units of 2^-32, as any real subnet's are), else undefined. Then
 * total = 2^32·T with T = alpha·2^32 + tao·w (w = tao_weight in units of 2^-32, exact), the
 * threshold compares floor(T / 2^32), and stake = floor(trunc(2^32·T·2^64 / 2^32·ΣT) / 2^32) =
 * floor(T·2^32 / ΣT): one division per uid.
 */
function stakeWeightsUnsaturated(inputs: StakeInputs): StakeWeights | undefined {
  const n = inputs.alphaStake.length;
  const weight = taoWeightI64F64(inputs.taoWeightU64) >> 32n;
  const units: bigint[] = new Array(n);
  const stakeRao: bigint[] = new Array(n);
  let sum = 0n;
  for (let uid = 0; uid < n; uid++) {
    const alpha = inputs.alphaStake[uid]!;
    const tao = inputs.taoStake[uid]!;
    if (alpha < 0n || tao < 0n || alpha >= TWO_POW_63 || tao >= TWO_POW_63) return undefined;
    const total = tao === 0n ? alpha << 32n : (alpha << 32n) + tao * weight;
    if (total >= TWO_POW_95) return undefined;
    const rao = total >> 32n;
    stakeRao[uid] = rao;
    units[uid] = total;
    if (uid === inputs.ownerUid || rao >= inputs.stakeThreshold) sum += total;
  }
  if (sum >= TWO_POW_95) return undefined;
  const totalStake: bigint[] = new Array(n);
  const stake = new Float64Array(n);
  for (let uid = 0; uid < n; uid++) {
    const total = units[uid]!;
    totalStake[uid] = total << 32n;
    const counted = uid === inputs.ownerUid || stakeRao[uid]! >= inputs.stakeThreshold;
    if (counted && sum !== 0n && total !== 0n) stake[uid] = Number((total << 32n) / sum);
  }
  return { totalStake, stake, stakeRao };
}

function stakeWeightsExact(inputs: StakeInputs): StakeWeights {
  const n = inputs.alphaStake.length;
  const taoWeight = taoWeightI64F64(inputs.taoWeightU64);
  const totalStake: bigint[] = new Array(n);
  for (let uid = 0; uid < n; uid++) {
    const alpha = i64f64FromInt(inputs.alphaStake[uid]!);
    const tao = saturateI128((i64f64FromInt(inputs.taoStake[uid]!) * taoWeight) >> 64n);
    totalStake[uid] = saturateI128(alpha + tao);
  }

  const filtered = totalStake.map((total, uid) =>
    uid !== inputs.ownerUid && i64f64ToU64(total) < inputs.stakeThreshold ? 0n : total,
  );
  let sum = 0n;
  for (const value of filtered) sum = wrapI128(sum + value);
  const normalised = sum === 0n ? filtered : filtered.map((value) => i64f64SafeDiv(value, sum));

  return {
    totalStake,
    stake: i32f32Vector(normalised),
    stakeRao: totalStake.map(i64f64ToU64),
  };
}

function i32f32Vector(values: readonly bigint[]): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = i64f64ToI32F32(values[i]!);
  return out;
}
