/*
 * The previous src/yuma (commit 9267680, before the fused CSR epoch), frozen: the reference the
 * randomized equivalence test (../epoch-equivalence.test.ts) holds the current epoch to, bit for bit.
 */
/**
 * One Yuma epoch exactly as subtensor HEAD's `epoch_mechanism` computes it (sparse production
 * path, `pallets/subtensor/src/epoch/run_epoch.rs`); step numbers refer to
 * ../shared/reference/yuma-spec.md §4. Pure: no I/O, no clock, no randomness.
 */
import {
  ONE,
  checkedMulOrZero,
  i64f64ToI32F32,
  proportionToU16,
  u16ProportionToFixed,
  U64_MAX,
  type I32F32,
} from "./fixed.js";
import { LiquidAlpha, scatterAsWalkSeesIt } from "./liquid-alpha.js";
import {
  colClipSparse,
  colMaxUpscaleSparse,
  colNormalizeIntegerRows,
  colNormalizeSparse,
  inplaceMaskVector,
  inplaceNormalize,
  inplaceNormalizeUsingSum,
  interpolateSparse,
  isTopkNonzero,
  matEmaAlphaRow,
  matEmaSparse,
  matVecMulSparse,
  matmulSparse,
  matmulTransposeSparse,
  rowHadamardSparse,
  rowNormalizeIntegerRows,
  rowSumSparse,
  maskColumnsRegisteredSince,
  sum,
  vecMul,
  weightedMedianColSparse,
} from "./math.js";
import { EMPTY_ROW, filterRow, mapValues, type SparseMatrix } from "./sparse.js";
import { computeStakeWeights } from "./stake.js";
import { activityCutoffBlocks, type EpochHyperparams, type EpochInput, type EpochOutput, type U16Row } from "./types.js";

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
  const activeStake = Float64Array.from(stake);
  inplaceMaskVector(inactive, activeStake);
  inplaceMaskVector(validatorForbids, activeStake);
  inplaceNormalize(activeStake);

  // 4.5 Weights: stored u16 rows, read as integers; masked, then row-normalised.
  const commitBlocks = hp.commitRevealEnabled ? (state.commitBlocks ?? []) : null;
  const weights = rowNormalizeIntegerRows(
    maskWeights(state.weights, { n, validatorForbids, owner, lastUpdate, blockAtRegistration, commitBlocks }),
  );

  // 4.6 Consensus, 4.7 clipping and validator trust.
  const kappa = u16ProportionToFixed(hp.kappa);
  const consensus = weightedMedianColSparse(activeStake, weights, n, kappa);
  const clippedWeights = colClipSparse(weights, consensus);
  const validatorTrust = rowSumSparse(clippedWeights);

  // 4.8 Ranks and incentive.
  const incentive = matmulSparse(clippedWeights, activeStake, n);
  inplaceNormalize(incentive);

  // 4.9 Bonds and dividends.
  const bondsPenalty = u16ProportionToFixed(hp.bondsPenalty);
  const weightsForBonds = interpolateSparse(weights, clippedWeights, n, bondsPenalty);
  const lastTempo =
    state.lastMechanismStepBlock === 0 ? Math.max(0, state.currentBlock - hp.tempo) : state.lastMechanismStepBlock + 1;
  // Bond columns of neurons registered since the last epoch are dropped (last_tempo <= registered).

  let dividends: Float64Array;
  let storedBonds: SparseMatrix;
  const storedBondRows = rowsWithinN(state.bonds, n);
  if (hp.yuma3) {
    const bonds = mapValues(maskColumnsRegisteredSince(storedBondRows, lastTempo, blockAtRegistration), u16ProportionToFixed);
    const emaBonds = computeYuma3Bonds(hp, weightsForBonds, bonds, consensus, n);
    const emaBondsNorm = colNormalizeSparse(emaBonds, n);
    const totalBondsPerValidator = rowSumSparse(matVecMulSparse(emaBondsNorm, incentive));
    dividends = vecMul(totalBondsPerValidator, activeStake, checkedMulOrZero);
    inplaceNormalize(dividends);
    storedBonds = emaBonds;
  } else {
    const bonds = colNormalizeIntegerRows(maskColumnsRegisteredSince(storedBondRows, lastTempo, blockAtRegistration), n);
    const bondsDelta = colNormalizeSparse(rowHadamardSparse(weightsForBonds, activeStake), n);
    const emaBonds = colNormalizeSparse(matEmaSparse(bondsDelta, bonds, bondsEmaAlpha(hp.bondsMovingAverage)), n);
    dividends = matmulTransposeSparse(emaBonds, incentive);
    inplaceNormalize(dividends);
    storedBonds = colMaxUpscaleSparse(emaBonds, n);
  }

  // 4.10 Emission shares.
  const combined = new Float64Array(n);
  for (let i = 0; i < n; i++) combined[i] = incentive[i]! + dividends[i]!;
  const emissionSum = sum(combined);
  const serverShare = Float64Array.from(incentive);
  let validatorShare = Float64Array.from(dividends);
  let combinedShare = Float64Array.from(combined);
  inplaceNormalizeUsingSum(serverShare, emissionSum);
  inplaceNormalizeUsingSum(validatorShare, emissionSum);
  inplaceNormalize(combinedShare);
  if (emissionSum === 0) {
    const fallback = sum(activeStake) === 0 ? stake : activeStake;
    validatorShare = Float64Array.from(fallback);
    combinedShare = Float64Array.from(fallback);
  }
  const toRao = (share: I32F32): bigint => emissionRao(share, state.raoEmission);

  // 4.11 Outputs.
  const bondRows = mapValues(storedBonds, proportionToU16).map((row, uid) => (newValidatorPermits[uid] ? row : EMPTY_ROW));
  return {
    stakeWeight: Array.from(stake, proportionToU16),
    consensus: Array.from(consensus, proportionToU16),
    incentive: Array.from(incentive, proportionToU16),
    dividends: Array.from(dividends, proportionToU16),
    validatorTrust: Array.from(validatorTrust, proportionToU16),
    active,
    newValidatorPermit: newValidatorPermits,
    serverEmission: Array.from(serverShare, toRao),
    validatorEmission: Array.from(validatorShare, toRao),
    emission: Array.from(combinedShare, toRao),
    bonds: bondRows,
    stakeRao,
    raw: { consensus, incentive, dividends },
  };
}

/** Yuma3 `compute_bonds_sparse`: liquid-alpha EMA per cell, or one alpha for all cells. */
function computeYuma3Bonds(
  hp: EpochHyperparams,
  weights: SparseMatrix,
  bonds: SparseMatrix,
  consensus: Float64Array,
  n: number,
): SparseMatrix {
  const anyConsensus = consensus.some((c) => c !== 0);
  if (!(hp.liquidAlpha && anyConsensus)) return matEmaSparse(weights, bonds, bondsEmaAlpha(hp.bondsMovingAverage));

  const liquid = new LiquidAlpha({
    alphaLowU16: hp.alphaLow,
    alphaHighU16: hp.alphaHigh,
    steepness: hp.alphaSigmoidSteepness,
  });
  const seenWeight = new Float64Array(n);
  const seenBond = new Float64Array(n);
  const scratch = { decayed: new Float64Array(n), marks: new Uint8Array(n) };
  return weights.map((weightRow, i) => {
    const bondRow = bonds[i] ?? EMPTY_ROW;
    const writtenW = scatterAsWalkSeesIt(weightRow, seenWeight, n);
    const writtenB = scatterAsWalkSeesIt(bondRow, seenBond, n);
    const alphaAt = (col: number): number => liquid.alpha(consensus[col]!, seenWeight[col]!, seenBond[col]!);
    const row = matEmaAlphaRow(weightRow, bondRow, alphaAt, n, scratch);
    for (const col of writtenW) seenWeight[col] = 0;
    for (const col of writtenB) seenBond[col] = 0;
    return row;
  });
}

/** alpha = 1 − I32F32(I64F64(bma) / 1e6), as both EMA paths compute it. */
export function bondsEmaAlpha(bondsMovingAverage: bigint): I32F32 {
  const fraction = (bondsMovingAverage << 64n) / 1_000_000n;
  return ONE - i64f64ToI32F32(fraction);
}

/** floor(I96F32(share) · rao), saturating to u64. */
function emissionRao(share: I32F32, raoEmission: bigint): bigint {
  const value = (BigInt(share) * raoEmission) >> 32n;
  return value < 0n ? 0n : value > U64_MAX ? U64_MAX : value;
}

function padded(values: readonly number[], n: number): number[] {
  return Array.from({ length: n }, (_, i) => values[i] ?? 0);
}

/** Rows 0..n-1 with destinations ≥ n dropped, as `get_weights_sparse` reads them. */
function rowsWithinN(rows: readonly U16Row[], n: number): SparseMatrix {
  return Array.from({ length: n }, (_, i) => {
    const row = rows[i];
    if (!row) return EMPTY_ROW;
    return row.cols.every((col) => col < n) ? row : filterRow(row, (col) => col < n);
  });
}

interface WeightMasks {
  readonly n: number;
  readonly validatorForbids: readonly boolean[];
  readonly owner: number | null;
  readonly lastUpdate: readonly number[];
  readonly blockAtRegistration: readonly number[];
  /** Per uid, its earliest live commit block (commit–reveal on), or null when off. */
  readonly commitBlocks: readonly number[] | null;
}

/**
 * The masks of §4.5 in subtensor's order, fused into one pass per row (each is a filter, so the
 * composition keeps exactly the entries every mask keeps): rows of validators without a permit
 * (`mask_rows_sparse`), self-weights except the owner's (`mask_diag_sparse[_except_index]`),
 * weights not newer than the target's registration (`vec_mask_sparse_matrix`, updated ≤
 * registered), and with commit–reveal, weights committed before the target registered.
 */
function maskWeights(rows: readonly U16Row[], masks: WeightMasks): SparseMatrix {
  const { n, validatorForbids, owner, lastUpdate, blockAtRegistration, commitBlocks } = masks;
  let cols = new Int32Array(n);
  let vals = new Float64Array(n);
  return Array.from({ length: n }, (_, i) => {
    const row = rows[i];
    if (!row || row.cols.length === 0 || i >= validatorForbids.length || validatorForbids[i]) return EMPTY_ROW;
    const updated = lastUpdate[i]!;
    const committed = commitBlocks ? (commitBlocks[i] ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
    if (row.cols.length > cols.length) {
      cols = new Int32Array(row.cols.length);
      vals = new Float64Array(row.cols.length);
    }
    let kept = 0;
    for (let k = 0; k < row.cols.length; k++) {
      const j = row.cols[k]!;
      if (j >= n) continue; // get_weights_sparse drops destinations ≥ n
      if (j === i && i !== owner) continue;
      const registered = blockAtRegistration[j]!;
      if (updated <= registered) continue;
      if (committed < registered) continue;
      cols[kept] = j;
      vals[kept] = row.vals[k]!;
      kept += 1;
    }
    if (kept === row.cols.length) return row;
    return kept === 0 ? EMPTY_ROW : { cols: cols.slice(0, kept), vals: vals.slice(0, kept) };
  });
}
