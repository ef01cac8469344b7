/**
 * Vector primitives of subtensor `pallets/subtensor/src/epoch/math.rs` with the same names
 * (camelCase), the same order of operations and the same rounding, and the row-at-a-time forms
 * of its median and EMA that tests and tools call directly (the epoch itself runs the fused CSR
 * passes of weights.ts, consensus.ts, incentive.ts and bonds.ts). All values are raw I32F32 (see
 * fixed.ts). Pure functions: inputs are never mutated unless the name starts with `inplace`.
 */
import { columnMedians } from "./consensus.js";
import { csrFromRows } from "./csr.js";
import { HALF, ONE, U16_MAX, mul, ratioOfIntegers, safeDiv } from "./fixed.js";
import { RowBuilder, type SparseMatrix, type SparseRow } from "./sparse.js";

// ---------------------------------------------------------------------------------------------
// Vectors

export function sum(values: Float64Array): number {
  let total = 0;
  const length = values.length;
  for (let i = 0; i < length; i++) total += values[i]!;
  return total;
}

/** `inplace_normalize`: divide by the sum unless it is 0. */
export function inplaceNormalize(values: Float64Array): void {
  inplaceNormalizeUsingSum(values, sum(values));
}

/** `inplace_normalize_using_sum`. */
export function inplaceNormalizeUsingSum(values: Float64Array, total: number): void {
  if (total === 0) return;
  for (let i = 0; i < values.length; i++) values[i] = safeDiv(values[i]!, total);
}

/** `inplace_mask_vector`: zero where mask is true; an index past the mask counts as masked; an empty mask masks nothing. */
export function inplaceMaskVector(mask: ArrayLike<boolean>, values: Float64Array): void {
  if (mask.length === 0) return;
  for (let i = 0; i < values.length; i++) if (i >= mask.length || mask[i]) values[i] = 0;
}

/**
 * `is_topk_nonzero`: true for non-zero entries within the k largest. Ties: a stable ascending
 * sort drops lower uids first.
 */
export function isTopkNonzero(values: ArrayLike<number>, k: number): boolean[] {
  const n = values.length;
  const result: boolean[] = new Array(n);
  for (let i = 0; i < n; i++) result[i] = values[i] !== 0;
  if (n < k) return result;
  for (const r of ascendingOrder(values).subarray(0, n - k)) result[r] = false;
  return result;
}

/**
 * Indices by ascending value, ties by ascending index (a stable sort). Raw I32F32 stakes
 * (non-negative integers below 2^36) with up to 2^16 indices pack as value · 2^16 + index, exactly,
 * and sort natively; anything else takes the comparator.
 */
function ascendingOrder(values: ArrayLike<number>): Int32Array {
  const n = values.length;
  const order = new Int32Array(n);
  let packable = n <= 65536;
  for (let i = 0; i < n && packable; i++) {
    const v = values[i]!;
    packable = v >= 0 && v < 2 ** 36 && Math.floor(v) === v;
  }
  if (packable) {
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = values[i]! * 65536 + i;
    keys.sort();
    for (let r = 0; r < n; r++) order[r] = keys[r]! % 65536;
    return order;
  }
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort((a, b) => values[a]! - values[b]! || a - b);
}

/**
 * `vec_u16_max_upscale_to_u16`: what `set_weights` stores. Values are read as integers; the
 * largest becomes 65535, rounding half away from zero.
 */
export function vecU16MaxUpscaleToU16(values: readonly number[]): number[] {
  if (values.length === 0) return [];
  let max = 0;
  for (const v of values) if (v > max) max = v;
  if (max === 0) return values.map(() => 0);
  const roundToU16 = (raw: number): number => Math.min(U16_MAX, Math.floor((raw + HALF) / ONE));
  if (max > 32768) {
    const factor = ratioOfIntegers(U16_MAX, max); // u16_max.safe_div(max), truncated to 32 bits
    return values.map((v) => roundToU16(v * factor));
  }
  return values.map((v) => roundToU16(ratioOfIntegers(v * U16_MAX, max)));
}

// ---------------------------------------------------------------------------------------------
// Consensus

/**
 * `weighted_median`: deterministic mid-pivot quickselect over `indices` (not mutated).
 * Returns the stake-weighted median score for the given minority.
 */
export function weightedMedian(
  stake: ArrayLike<number>,
  score: ArrayLike<number>,
  indices: ArrayLike<number>,
  minority: number,
  partitionLo: number,
  partitionHi: number,
  scratch: MedianScratch = new MedianScratch(indices.length),
): number {
  if (stake.length !== score.length) return 0;
  let current = scratch.current;
  let lower = scratch.lower;
  let upper = scratch.upper;
  let count = indices.length;
  for (let k = 0; k < count; k++) current[k] = indices[k]!;
  let lo = partitionLo;
  let hi = partitionHi;
  const iterationLimit = indices.length;
  for (let iteration = 0; iteration <= iterationLimit; iteration++) {
    if (count === 0) return 0;
    if (count === 1) return score[current[0]!] ?? 0;
    const pivot = score[current[count >>> 1]!]!;
    let loStake = 0;
    let hiStake = 0;
    let lowerCount = 0;
    let upperCount = 0;
    for (let k = 0; k < count; k++) {
      const idx = current[k]!;
      const value = score[idx]!;
      if (value === pivot) continue;
      if (value < pivot) {
        loStake += stake[idx]!;
        lower[lowerCount++] = idx;
      } else {
        hiStake += stake[idx]!;
        upper[upperCount++] = idx;
      }
    }
    if (minority < lo + loStake && lowerCount > 0) {
      const previous = current;
      current = lower;
      lower = previous;
      count = lowerCount;
      hi = lo + loStake;
    } else if (hi - hiStake <= minority && upperCount > 0) {
      const previous = current;
      current = upper;
      upper = previous;
      count = upperCount;
      lo = hi - hiStake;
    } else {
      return pivot;
    }
  }
  return 0;
}

/** Reusable index buffers for `weightedMedian`, so a column loop allocates nothing. */
export class MedianScratch {
  readonly current: Int32Array;
  readonly lower: Int32Array;
  readonly upper: Int32Array;
  constructor(size: number) {
    this.current = new Int32Array(size);
    this.lower = new Int32Array(size);
    this.upper = new Int32Array(size);
  }
}

/**
 * `weighted_median_col_sparse`: per column, the median over validators with positive stake
 * (re-normalised among themselves) of their weight on that column (0 where absent).
 */
export function weightedMedianColSparse(stake: Float64Array, matrix: SparseMatrix, columns: number, majority: number): Float64Array {
  return columnMedians(csrFromRows(matrix), stake, columns, majority);
}

// ---------------------------------------------------------------------------------------------
// Moving averages

/**
 * `mat_ema_alpha_sparse` for one row: for each entry of the new row (in its order),
 * min((1 − α_j)·old_j + max(α_j·new_j, 0), 1), kept if > 0. Old entries without a new entry are
 * dropped (sparse-only behaviour). `alphaAt(col)` gives α for a column present in the new row.
 */
export function matEmaAlphaRow(
  newRow: SparseRow,
  oldRow: SparseRow,
  alphaAt: (col: number) => number,
  columns: number,
  scratch: { decayed: Float64Array; marks: Uint8Array },
): SparseRow {
  const { decayed, marks } = scratch;
  for (let k = 0; k < newRow.cols.length; k++) {
    const col = newRow.cols[k]!;
    if (col < columns) marks[col] = 1;
  }
  for (let k = 0; k < oldRow.cols.length; k++) {
    const col = oldRow.cols[k]!;
    if (col < columns && marks[col] === 1) decayed[col] = mul(ONE - alphaAt(col), oldRow.vals[k]!);
  }
  const builder = new RowBuilder(newRow.cols.length);
  for (let k = 0; k < newRow.cols.length; k++) {
    const col = newRow.cols[k]!;
    if (col >= columns) continue;
    const increment = Math.max(mul(alphaAt(col), newRow.vals[k]!), 0);
    const value = Math.min(decayed[col]! + increment, ONE);
    if (value > 0) builder.push(col, value);
  }
  for (let k = 0; k < newRow.cols.length; k++) {
    const col = newRow.cols[k]!;
    if (col < columns) {
      marks[col] = 0;
      decayed[col] = 0;
    }
  }
  return builder.build();
}
