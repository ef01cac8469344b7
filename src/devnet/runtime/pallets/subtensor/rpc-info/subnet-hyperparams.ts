/**
 * SubnetHyperparamsV2 as HEAD's `get_subnet_hyperparams_v2` builds it
 * (pallets/subtensor/src/rpc_info/subnet_info.rs), every field from the storage item HEAD's getter
 * reads, with the JSON's default where the devnet never wrote it. Where HEAD computes rather than
 * reads: max_weights_limit is u16::MAX (`get_max_weight_limit` ignores storage), activity_cutoff is
 * `max(1, ActivityCutoffFactorMilli × Tempo / 1000)` blocks, alpha_sigmoid_steepness the stored i16
 * as I32F32, yuma_version 3 with Yuma3On else 2, user_liquidity_enabled false.
 *
 * Layout drift: activity_cutoff is Compact<u64> on HEAD, Compact<u16> in spec 343, so a client
 * decoding with spec 343's types misreads every field from there on once the value needs more bytes.
 */
import * as c from "../codecs.js";
import { byNetuid, S } from "../storage.js";
import type { StateRead } from "../typed-storage.js";
import type { StructCodec } from "./struct.js";

/** Items HEAD's getters read that storage.ts does not list. */
const EXTRA = {
  MinDifficulty: byNetuid("MinDifficulty", c.u64),
  AdjustmentInterval: byNetuid("AdjustmentInterval", c.u16),
  TargetRegistrationsPerInterval: byNetuid("TargetRegistrationsPerInterval", c.u16),
  MaxRegistrationsPerBlock: byNetuid("MaxRegistrationsPerBlock", c.u16),
  Difficulty: byNetuid("Difficulty", c.u64),
} as const;

const U16_MAX = 0xffff;

export interface SubnetHyperparams {
  readonly rho: number;
  readonly kappa: number;
  readonly immunityPeriod: number;
  readonly minAllowedWeights: number;
  readonly maxWeightsLimit: number;
  readonly tempo: number;
  readonly minDifficulty: bigint;
  readonly maxDifficulty: bigint;
  readonly weightsVersion: bigint;
  readonly weightsRateLimit: bigint;
  readonly adjustmentInterval: number;
  readonly activityCutoff: bigint;
  readonly registrationAllowed: boolean;
  readonly targetRegsPerInterval: number;
  readonly minBurn: bigint;
  readonly maxBurn: bigint;
  readonly bondsMovingAvg: bigint;
  readonly maxRegsPerBlock: number;
  readonly servingRateLimit: bigint;
  readonly maxValidators: number;
  readonly adjustmentAlpha: bigint;
  readonly difficulty: bigint;
  readonly commitRevealPeriod: bigint;
  readonly commitRevealWeightsEnabled: boolean;
  readonly alphaHigh: number;
  readonly alphaLow: number;
  readonly liquidAlphaEnabled: boolean;
  /** I32F32 bits: the stored steepness × 2^32. */
  readonly alphaSigmoidSteepnessBits: bigint;
  readonly yumaVersion: number;
  readonly subnetIsActive: boolean;
  readonly transfersEnabled: boolean;
  readonly bondsResetEnabled: boolean;
  readonly userLiquidityEnabled: boolean;
}

/** `get_activity_cutoff_blocks`: the cutoff in blocks, at least 1. */
export function activityCutoffBlocks(state: StateRead, netuid: number): bigint {
  const blocks = (BigInt(S.ActivityCutoffFactorMilli.get(state, netuid)) * BigInt(S.Tempo.get(state, netuid))) / 1000n;
  return blocks > 1n ? blocks : 1n;
}

/** None on a subnet that does not exist. */
export function readSubnetHyperparams(state: StateRead, netuid: number): SubnetHyperparams | undefined {
  if (!S.NetworksAdded.get(state, netuid)) return undefined;
  const [alphaLow, alphaHigh] = S.AlphaValues.get(state, netuid);
  return {
    rho: S.Rho.get(state, netuid),
    kappa: S.Kappa.get(state, netuid),
    immunityPeriod: S.ImmunityPeriod.get(state, netuid),
    minAllowedWeights: S.MinAllowedWeights.get(state, netuid),
    maxWeightsLimit: U16_MAX,
    tempo: S.Tempo.get(state, netuid),
    minDifficulty: EXTRA.MinDifficulty.get(state, netuid),
    maxDifficulty: S.MaxDifficulty.get(state, netuid),
    weightsVersion: S.WeightsVersionKey.get(state, netuid),
    weightsRateLimit: S.WeightsSetRateLimit.get(state, netuid),
    adjustmentInterval: EXTRA.AdjustmentInterval.get(state, netuid),
    activityCutoff: activityCutoffBlocks(state, netuid),
    registrationAllowed: S.NetworkRegistrationAllowed.get(state, netuid),
    targetRegsPerInterval: EXTRA.TargetRegistrationsPerInterval.get(state, netuid),
    minBurn: S.MinBurn.get(state, netuid),
    maxBurn: S.MaxBurn.get(state, netuid),
    bondsMovingAvg: S.BondsMovingAverage.get(state, netuid),
    maxRegsPerBlock: EXTRA.MaxRegistrationsPerBlock.get(state, netuid),
    servingRateLimit: S.ServingRateLimit.get(state, netuid),
    maxValidators: S.MaxAllowedValidators.get(state, netuid),
    adjustmentAlpha: S.AdjustmentAlpha.get(state, netuid),
    difficulty: EXTRA.Difficulty.get(state, netuid),
    commitRevealPeriod: S.RevealPeriodEpochs.get(state, netuid),
    commitRevealWeightsEnabled: S.CommitRevealWeightsEnabled.get(state, netuid),
    alphaHigh,
    alphaLow,
    liquidAlphaEnabled: S.LiquidAlphaOn.get(state, netuid),
    alphaSigmoidSteepnessBits: BigInt(S.AlphaSigmoidSteepness.get(state, netuid)) << 32n,
    yumaVersion: S.Yuma3On.get(state, netuid) ? 3 : 2,
    subnetIsActive: S.SubtokenEnabled.get(state, netuid),
    transfersEnabled: S.TransferToggle.get(state, netuid),
    bondsResetEnabled: S.BondsResetOn.get(state, netuid),
    userLiquidityEnabled: false,
  };
}

export const SUBNET_HYPERPARAMS_V2: StructCodec<SubnetHyperparams> = {
  name: "SubnetHyperparamsV2",
  fields: [
    ["rho", (w, h) => w.compact(h.rho)],
    ["kappa", (w, h) => w.compact(h.kappa)],
    ["immunity_period", (w, h) => w.compact(h.immunityPeriod)],
    ["min_allowed_weights", (w, h) => w.compact(h.minAllowedWeights)],
    ["max_weights_limit", (w, h) => w.compact(h.maxWeightsLimit)],
    ["tempo", (w, h) => w.compact(h.tempo)],
    ["min_difficulty", (w, h) => w.compact(h.minDifficulty)],
    ["max_difficulty", (w, h) => w.compact(h.maxDifficulty)],
    ["weights_version", (w, h) => w.compact(h.weightsVersion)],
    ["weights_rate_limit", (w, h) => w.compact(h.weightsRateLimit)],
    ["adjustment_interval", (w, h) => w.compact(h.adjustmentInterval)],
    ["activity_cutoff", (w, h) => w.compact(h.activityCutoff)],
    ["registration_allowed", (w, h) => w.bool(h.registrationAllowed)],
    ["target_regs_per_interval", (w, h) => w.compact(h.targetRegsPerInterval)],
    ["min_burn", (w, h) => w.compact(h.minBurn)],
    ["max_burn", (w, h) => w.compact(h.maxBurn)],
    ["bonds_moving_avg", (w, h) => w.compact(h.bondsMovingAvg)],
    ["max_regs_per_block", (w, h) => w.compact(h.maxRegsPerBlock)],
    ["serving_rate_limit", (w, h) => w.compact(h.servingRateLimit)],
    ["max_validators", (w, h) => w.compact(h.maxValidators)],
    ["adjustment_alpha", (w, h) => w.compact(h.adjustmentAlpha)],
    ["difficulty", (w, h) => w.compact(h.difficulty)],
    ["commit_reveal_period", (w, h) => w.compact(h.commitRevealPeriod)],
    ["commit_reveal_weights_enabled", (w, h) => w.bool(h.commitRevealWeightsEnabled)],
    ["alpha_high", (w, h) => w.compact(h.alphaHigh)],
    ["alpha_low", (w, h) => w.compact(h.alphaLow)],
    ["liquid_alpha_enabled", (w, h) => w.bool(h.liquidAlphaEnabled)],
    ["alpha_sigmoid_steepness", (w, h) => w.i64(h.alphaSigmoidSteepnessBits)],
    ["yuma_version", (w, h) => w.compact(h.yumaVersion)],
    ["subnet_is_active", (w, h) => w.bool(h.subnetIsActive)],
    ["transfers_enabled", (w, h) => w.bool(h.transfersEnabled)],
    ["bonds_reset_enabled", (w, h) => w.bool(h.bondsResetEnabled)],
    ["user_liquidity_enabled", (w, h) => w.bool(h.userLiquidityEnabled)],
  ],
};
