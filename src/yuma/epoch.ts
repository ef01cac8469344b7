/**
 * One Yuma epoch exactly as subtensor HEAD's `epoch_mechanism` computes it (sparse production
 * path, `pallets/subtensor/src/epoch/run_epoch.rs`); step numbers refer to
 * ../shared/reference/yuma-spec.md §4. Pure: no I/O, no clock, no randomness.
 */
import { bondRowsToStore, interpolate, liquidAlphaEma, matEma, originalYuma, storedBondsMasked, yuma3Dividends } from "./bonds.js";
import { columnMedians } from "./consensus.js";
import type { Csr } from "./csr.js";
import { ONE, i64f64ToI32F32, mul, proportionToU16, u16ProportionToFixed, U64_MAX, type I32F32 } from "./fixed.js";
import { clipWeights, trustAndRanks } from "./incentive.js";
import { LiquidAlpha } from "./liquid-alpha.js";
import { inplaceMaskVector, inplaceNormalize, inplaceNormalizeUsingSum, isTopkNonzero, sum } from "./math.js";
import { computeStakeWeights } from "./stake.js";
import { activityCutoffBlocks, type EpochInput, type EpochOutput } from "./types.js";
import { maskedNormalizedWeights } from "./weights.js";

export function runEpoch(input: EpochInput): EpochOutput {
  const { hyperparams: hp, state } = input;
  const n = state.n;

  // 4.1 Activity.
  const activityCutoff = activityCutoffBlocks(hp.activityCutoffFactorMilli, hp.tempo);
  const lastUpdate = padded(state.lastUpdate, n);
  const blockAtRegistration = padded(state.blockAtRegistration, n);
  const inactive = lastUpdate.map((updated) => updated + activityCutoff < state.currentBlock);
  const active = inactive.map((flag) => !flag);

  // 4.2 Stake.
  const { stake, stakeRao } = computeStakeWeights({
    alphaStake: state.alphaStake,
    taoStake: state.taoStake,
    taoWeightU64: hp.taoWeightU64,
    stakeThreshold: hp.stakeThreshold,
    ownerUid: state.ownerUid,
  });
  const owner = state.ownerUid;

  // 4.3 Validator permits: the old ones gate this epoch, the new ones are stored.
  const validatorPermits = [...state.validatorPermit];
  if (owner !== null && owner < validatorPermits.length) validatorPermits[owner] = true;
  const validatorForbids = validatorPermits.map((permit) => !permit);
  const newValidatorPermits = isTopkNonzero(stake, hp.maxAllowedValidators);
  if (owner !== null && owner < newValidatorPermits.length) newValidatorPermits[owner] = true;

  // 4.4 Active stake.
  const activeStake = stake.slice();
  inplaceMaskVector(inactive, activeStake);
  inplaceMaskVector(validatorForbids, activeStake);
  inplaceNormalize(activeStake);

  // 4.5 Weights: stored u16 rows, read as integers; masked, then row-normalised.
  const commitBlocks = hp.commitRevealEnabled ? (state.commitBlocks ?? []) : null;
  const weights = maskedNormalizedWeights(state.weights, { n, validatorForbids, owner, lastUpdate, blockAtRegistration, commitBlocks });

  // 4.6 Consensus, 4.7 clipping and validator trust, 4.8 ranks and incentive.
  const kappa = u16ProportionToFixed(hp.kappa);
  const consensus = columnMedians(weights, activeStake, n, kappa);
  const { validatorTrust, ranks: incentive } = trustAndRanks(weights, consensus, activeStake, n);
  inplaceNormalize(incentive);

  // 4.9 Bonds and dividends, from W_b = interpolate(W, clipped W, bonds_penalty).
  const bondsPenalty = u16ProportionToFixed(hp.bondsPenalty);
  const weightsForBonds = (): Csr => (bondsPenalty === 0 ? weights : interpolate(weights, clipWeights(weights, consensus), n, bondsPenalty));
  const lastTempo =
    state.lastMechanismStepBlock === 0 ? Math.max(0, state.currentBlock - hp.tempo) : state.lastMechanismStepBlock + 1;
  // Bond columns of neurons registered since the last epoch are dropped (last_tempo <= registered).
  const bonds = storedBondsMasked(state.bonds, n, lastTempo, blockAtRegistration, hp.yuma3);

  let dividends: Float64Array;
  let storedBonds: Csr;
  if (hp.yuma3) {
    // compute_bonds_sparse: liquid-alpha EMA per cell, or one alpha for all cells.
    const alpha = bondsEmaAlpha(hp.bondsMovingAverage);
    if (hp.liquidAlpha && consensus.some((c) => c !== 0)) {
      const liquid = new LiquidAlpha({ alphaLowU16: hp.alphaLow, alphaHighU16: hp.alphaHigh, steepness: hp.alphaSigmoidSteepness });
      storedBonds = liquidAlphaEma(weightsForBonds(), bonds, consensus, liquid, n);
    } else if (bondsPenalty === ONE) {
      storedBonds = matEma(weights, bonds, alpha, n, consensus); // W_b is W clipped: read clipped
    } else {
      storedBonds = matEma(weightsForBonds(), bonds, alpha, n);
    }
    dividends = yuma3Dividends(storedBonds, incentive, activeStake, n);
  } else {
    ({ dividends, stored: storedBonds } = originalYuma(weightsForBonds(), bonds, activeStake, incentive, bondsEmaAlpha(hp.bondsMovingAverage), n));
  }

  // 4.10 Emission shares.
  const combined = new Float64Array(n);
  for (let i = 0; i < n; i++) combined[i] = incentive[i]! + dividends[i]!;
  const emissionSum = sum(combined);
  const serverShare = incentive.slice();
  let validatorShare = dividends.slice();
  let combinedShare = combined.slice();
  inplaceNormalizeUsingSum(serverShare, emissionSum);
  inplaceNormalizeUsingSum(validatorShare, emissionSum);
  inplaceNormalize(combinedShare);
  if (emissionSum === 0) {
    const fallback = sum(activeStake) === 0 ? stake : activeStake;
    validatorShare = fallback.slice();
    combinedShare = fallback.slice();
  }
  const toRao = emissionInRao(state.raoEmission);

  // 4.11 Outputs.
  const bondRows = bondRowsToStore(storedBonds, newValidatorPermits);
  return {
    stakeWeight: mapped(stake, proportionToU16),
    consensus: mapped(consensus, proportionToU16),
    incentive: mapped(incentive, proportionToU16),
    dividends: mapped(dividends, proportionToU16),
    validatorTrust: mapped(validatorTrust, proportionToU16),
    active,
    newValidatorPermit: newValidatorPermits,
    serverEmission: mapped(serverShare, toRao),
    validatorEmission: mapped(validatorShare, toRao),
    emission: mapped(combinedShare, toRao),
    bonds: bondRows,
    stakeRao,
    raw: { consensus, incentive, dividends },
  };
}

/** alpha = 1 − I32F32(I64F64(bma) / 1e6), as both EMA paths compute it. */
export function bondsEmaAlpha(bondsMovingAverage: bigint): I32F32 {
  const fraction = (bondsMovingAverage << 64n) / 1_000_000n;
  return ONE - i64f64ToI32F32(fraction);
}

/**
 * share ↦ floor(I96F32(share) · rao), saturating to u64. With rao = hi·2^32 + lo, that is
 * share·hi + floor(share·lo / 2^32) (share·hi is an integer): in numbers, exactly, while the
 * terms stay below 2^53, as they do for any epoch's emission; in BigInt otherwise.
 */
function emissionInRao(raoEmission: bigint): (share: I32F32) => bigint {
  const exact = (share: I32F32): bigint => {
    const value = (BigInt(share) * raoEmission) >> 32n;
    return value < 0n ? 0n : value > U64_MAX ? U64_MAX : value;
  };
  if (raoEmission < 0n || raoEmission > U64_MAX) return exact;
  const hi = Number(raoEmission >> 32n);
  const lo = Number(raoEmission & 0xffffffffn);
  return (share) => {
    if (share >= 0 && share < 2 ** 34) {
      const value = share * hi + mul(share, lo);
      if (value < 2 ** 53) return BigInt(value);
    }
    return exact(share);
  };
}

function padded(values: readonly number[], n: number): number[] {
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = values[i] ?? 0;
  return out;
}

/** Each value mapped, into a plain array (a loop: Array.from on a typed array walks an iterator). */
function mapped<T>(values: Float64Array, map: (value: number) => T): T[] {
  const out: T[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = map(values[i]!);
  return out;
}
