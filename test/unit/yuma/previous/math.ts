/**
 * The vector and sparse-matrix primitives of subtensor `pallets/subtensor/src/epoch/math.rs`,
 * with the same names (camelCase), the same order of operations and the same rounding.
 * All values are raw I32F32 (see fixed.ts). Pure functions: inputs are never mutated unless the
 * name starts with `inplace`.
 */
import { HALF, ONE, U16_MAX, mul, ratioOfIntegers, safeDiv } from "./fixed.js";
import { EMPTY_ROW, RowBuilder, type SparseMatrix, type SparseRow } from "./sparse.js";

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
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => values[a]! - values[b]! || a - b);
  for (let r = 0; r < n - k; r++) result[order[r]!] = false;
  return result;
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

/** `vec_mul` with `checked_mul(..).unwrap_or_default()`. */
export function vecMul(a: Float64Array, b: Float64Array, checkedMul: (x: number, y: number) => number): Float64Array {
  const out = new Float64Array(Math.min(a.length, b.length));
  for (let i = 0; i < out.length; i++) out[i] = checkedMul(a[i]!, b[i]!);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Masks

/**
 * `scalar_vec_mask_sparse_matrix` with subtensor's only mask, `scalar <= vector[j]`: drops bond
 * entries whose column registered at or after `scalar` (a missing entry reads as 0).
 */
export function maskColumnsRegisteredSince(matrix: SparseMatrix, scalar: number, vector: ArrayLike<number>): SparseMatrix {
  return matrix.map((row) => {
    const cols = row.cols;
    const length = cols.length;
    let kept = 0;
    const keep = new Uint8Array(length);
    for (let k = 0; k < length; k++) {
      const col = cols[k]!;
      if (!(scalar <= (col < vector.length ? vector[col]! : 0))) {
        keep[k] = 1;
        kept += 1;
      }
    }
    return kept === length ? row : compact(row, keep, kept);
  });
}

/** The entries of `row` whose `keep` flag is set, in order. */
function compact(row: SparseRow, keep: Uint8Array, kept: number): SparseRow {
  if (kept === 0) return EMPTY_ROW;
  const { cols, vals } = row;
  const outCols = new Int32Array(kept);
  const outVals = new Float64Array(kept);
  for (let k = 0, at = 0; k < cols.length; k++) {
    if (keep[k] === 1) {
      outCols[at] = cols[k]!;
      outVals[at] = vals[k]!;
      at += 1;
    }
  }
  return { cols: outCols, vals: outVals };
}

// ---------------------------------------------------------------------------------------------
// Normalisation

/**
 * `inplace_row_normalize_sparse` applied to rows read with `I32F32::from(u16)`: values are the
 * integers themselves, so v / Σv is computed exactly as trunc(v · 2^32 / Σv).
 */
export function rowNormalizeIntegerRows(matrix: SparseMatrix): SparseMatrix {
  return matrix.map((row) => {
    const src = row.vals;
    const total = sum(src);
    if (total === 0) return row; // every entry is 0 (raw 0 too)
    const vals = new Float64Array(src.length);
    for (let k = 0; k < src.length; k++) vals[k] = ratioOfIntegers(src[k]!, total);
    return { cols: row.cols, vals };
  });
}

/** Same as above for columns (`inplace_col_normalize_sparse` of integer-valued rows). */
export function colNormalizeIntegerRows(matrix: SparseMatrix, columns: number): SparseMatrix {
  const totals = columnSums(matrix, columns);
  return matrix.map((row) => {
    const { cols, vals: src } = row;
    const vals = new Float64Array(src.length);
    for (let k = 0; k < src.length; k++) {
      const total = totals[cols[k]!]!;
      vals[k] = total === 0 ? 0 : ratioOfIntegers(src[k]!, total); // a zero column holds only zeros
    }
    return { cols, vals };
  });
}

function columnSums(matrix: SparseMatrix, columns: number): Float64Array {
  const totals = new Float64Array(columns);
  for (let i = 0; i < matrix.length; i++) {
    const { cols, vals } = matrix[i]!;
    const length = cols.length;
    for (let k = 0; k < length; k++) {
      const col = cols[k]!;
      if (col < columns) totals[col] = totals[col]! + vals[k]!;
    }
  }
  return totals;
}

/** `inplace_col_normalize_sparse` (returns a copy). */
export function colNormalizeSparse(matrix: SparseMatrix, columns: number): SparseMatrix {
  return divideByColumn(matrix, columnSums(matrix, columns));
}

/** Each entry divided by its column's divisor (`safe_div`), left as is where the divisor is 0. */
function divideByColumn(matrix: SparseMatrix, divisors: Float64Array): SparseMatrix {
  const columns = divisors.length;
  return matrix.map((row) => {
    const { cols, vals: src } = row;
    const length = cols.length;
    if (length === 0) return EMPTY_ROW;
    const vals = new Float64Array(length);
    for (let k = 0; k < length; k++) {
      const col = cols[k]!;
      const divisor = col < columns ? divisors[col]! : 0;
      const v = src[k]!;
      vals[k] = divisor === 0 ? v : safeDiv(v, divisor);
    }
    return { cols, vals };
  });
}

/** `inplace_col_max_upscale_sparse` (returns a copy). */
export function colMaxUpscaleSparse(matrix: SparseMatrix, columns: number): SparseMatrix {
  const maxima = new Float64Array(columns);
  for (const { cols, vals } of matrix) {
    for (let k = 0; k < cols.length; k++) {
      const col = cols[k]!;
      if (col < columns && maxima[col]! < vals[k]!) maxima[col] = vals[k]!;
    }
  }
  return divideByColumn(matrix, maxima);
}

// ---------------------------------------------------------------------------------------------
// Products and sums

/** `row_sum_sparse`. */
export function rowSumSparse(matrix: SparseMatrix): Float64Array {
  const out = new Float64Array(matrix.length);
  matrix.forEach((row, i) => {
    out[i] = sum(row.vals);
  });
  return out;
}

/** `matmul_sparse`: result_j = Σ_i vector_i · m_ij (per-product floor). */
export function matmulSparse(matrix: SparseMatrix, vector: Float64Array, columns: number): Float64Array {
  const result = new Float64Array(columns);
  for (let i = 0; i < matrix.length; i++) {
    const scale = i < vector.length ? vector[i]! : 0;
    if (scale === 0) continue; // every product would be 0
    const { cols, vals } = matrix[i]!;
    const length = cols.length;
    for (let k = 0; k < length; k++) {
      const col = cols[k]!;
      if (col < columns) result[col] = result[col]! + mul(scale, vals[k]!);
    }
  }
  return result;
}

/** `matmul_transpose_sparse`: result_i = Σ_j vector_j · m_ij. */
export function matmulTransposeSparse(matrix: SparseMatrix, vector: Float64Array): Float64Array {
  const result = new Float64Array(matrix.length);
  for (let i = 0; i < matrix.length; i++) {
    const { cols, vals } = matrix[i]!;
    const length = cols.length;
    let acc = 0;
    for (let k = 0; k < length; k++) {
      const col = cols[k]!;
      const v = col < vector.length ? vector[col]! : 0;
      acc += mul(v, vals[k]!);
    }
    result[i] = acc;
  }
  return result;
}

/** `row_hadamard_sparse`: m_ij · vector_i. */
export function rowHadamardSparse(matrix: SparseMatrix, vector: Float64Array): SparseMatrix {
  return matrix.map((row, i) => {
    const { cols, vals: src } = row;
    if (cols.length === 0) return EMPTY_ROW;
    const scale = vector[i]!;
    const vals = new Float64Array(src.length);
    for (let k = 0; k < src.length; k++) vals[k] = mul(src[k]!, scale);
    return { cols, vals };
  });
}

/** `mat_vec_mul_sparse`: m_ij · vector_j, dropping zero products. */
export function matVecMulSparse(matrix: SparseMatrix, vector: Float64Array): SparseMatrix {
  return matrix.map((row) => {
    const { cols, vals: src } = row;
    const length = cols.length;
    if (length === 0) return EMPTY_ROW;
    const vals = new Float64Array(length);
    const keep = new Uint8Array(length);
    let kept = 0;
    for (let k = 0; k < length; k++) {
      const col = cols[k]!;
      if (col >= vector.length) continue;
      const product = mul(src[k]!, vector[col]!);
      if (product !== 0) {
        vals[k] = product;
        keep[k] = 1;
        kept += 1;
      }
    }
    return kept === length ? { cols, vals } : compact({ cols, vals }, keep, kept);
  });
}

/** `col_clip_sparse`: min(w, c_j); an entry above a zero threshold is removed. */
export function colClipSparse(matrix: SparseMatrix, thresholds: Float64Array): SparseMatrix {
  const columns = thresholds.length;
  return matrix.map((row) => {
    const { cols, vals: src } = row;
    const length = cols.length;
    if (length === 0) return EMPTY_ROW;
    const vals = new Float64Array(length);
    const keep = new Uint8Array(length);
    let kept = 0;
    for (let k = 0; k < length; k++) {
      const col = cols[k]!;
      const value = src[k]!;
      const threshold = col < columns ? thresholds[col]! : 0;
      if (threshold < value) {
        if (threshold > 0) {
          vals[k] = threshold;
          keep[k] = 1;
          kept += 1;
        }
      } else {
        vals[k] = value;
        keep[k] = 1;
        kept += 1;
      }
    }
    return kept === length ? { cols, vals } : compact({ cols, vals }, keep, kept);
  });
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
export function weightedMedianColSparse(
  stake: Float64Array,
  matrix: SparseMatrix,
  columns: number,
  majority: number,
): Float64Array {
  const positive: number[] = [];
  for (let i = 0; i < stake.length; i++) if (stake[i]! > 0) positive.push(stake[i]!);
  const useStake = Float64Array.from(positive);
  inplaceNormalize(useStake);
  const m = useStake.length;
  const stakeSum = sum(useStake);
  const minority = stakeSum - majority;
  const indices = Int32Array.from({ length: m }, (_, k) => k);
  const median = new Float64Array(columns);
  if (m === 0) return median;

  // Transpose the staked validators' rows into columns (k = rank among staked validators); an
  // entry repeated in a row overwrites the earlier one, as the Rust fill does.
  const rows = Math.min(stake.length, matrix.length);
  const counts = new Int32Array(columns + 1);
  for (let i = 0; i < rows; i++) {
    if (!(stake[i]! > 0)) continue;
    const { cols } = matrix[i]!;
    for (let e = 0; e < cols.length; e++) if (cols[e]! < columns) counts[cols[e]! + 1]! += 1;
  }
  for (let col = 0; col < columns; col++) counts[col + 1]! += counts[col]!;
  const entryRank = new Int32Array(counts[columns]!);
  const entryScore = new Float64Array(counts[columns]!);
  const fill = counts.slice(0, columns);
  for (let i = 0, k = 0; i < rows; i++) {
    if (!(stake[i]! > 0)) continue;
    const { cols, vals } = matrix[i]!;
    for (let e = 0; e < cols.length; e++) {
      const col = cols[e]!;
      if (col >= columns) continue;
      const at = fill[col]!++;
      entryRank[at] = k;
      entryScore[at] = vals[e]!;
    }
    k += 1;
  }

  // Each column's dense score vector (0 where a staked validator set no weight) in one reused
  // buffer, then subtensor's quickselect on it.
  const columnScores = new Float64Array(m);
  const scratch = new MedianScratch(m);
  for (let col = 0; col < columns; col++) {
    const start = counts[col]!;
    const end = counts[col + 1]!;
    if (start === end) continue; // every score is 0, so is the median
    columnScores.fill(0);
    for (let at = start; at < end; at++) columnScores[entryRank[at]!] = entryScore[at]!;
    median[col] = weightedMedian(useStake, columnScores, indices, minority, 0, stakeSum, scratch);
  }
  return median;
}

// ---------------------------------------------------------------------------------------------
// Interpolation and moving averages

/**
 * `interpolate_sparse`: A + ratio·(B − A). ratio 0 → A and ratio 1 → B unchanged (explicit zeros
 * kept); otherwise the result keeps only cells > 0, in ascending column order.
 */
export function interpolateSparse(a: SparseMatrix, b: SparseMatrix, columns: number, ratio: number): SparseMatrix {
  if (ratio === 0) return a;
  if (ratio === ONE) return b;
  if (a.length !== b.length) return b;
  const rowA = new Float64Array(columns);
  const rowB = new Float64Array(columns);
  const touched = new ColumnSet(columns);
  return a.map((row1, i) => {
    const row2 = b[i]!;
    scatter(row1, rowA, touched, columns);
    scatter(row2, rowB, touched, columns);
    const builder = new RowBuilder(touched.size);
    for (const col of touched.sorted()) {
      const v1 = rowA[col]!;
      const value = v1 + mul(ratio, rowB[col]! - v1);
      if (value > 0) builder.push(col, value);
      rowA[col] = 0;
      rowB[col] = 0;
    }
    touched.clear();
    return builder.build();
  });
}

/** Writes a row into a dense buffer (assignment, last entry wins) and records its columns. */
function scatter(row: SparseRow, dense: Float64Array, touched: ColumnSet, columns: number): void {
  for (let k = 0; k < row.cols.length; k++) {
    const col = row.cols[k]!;
    if (col >= columns) continue;
    dense[col] = row.vals[k]!;
    touched.add(col);
  }
}

/**
 * `mat_ema_sparse`: alpha·new + (1 − alpha)·old over the union of entries, keeping cells > 0
 * in ascending column order. Duplicate entries accumulate, as in the Rust accumulator.
 */
export function matEmaSparse(next: SparseMatrix, old: SparseMatrix, alpha: number): SparseMatrix {
  const n = next.length;
  if (n === 0) return [];
  const oneMinusAlpha = ONE - alpha;
  const acc = new Float64Array(n);
  const touched = new ColumnSet(n);
  return next.map((newRow, i) => {
    accumulate(newRow, alpha, acc, touched, n);
    const oldRow = old[i];
    if (oldRow) accumulate(oldRow, oneMinusAlpha, acc, touched, n);
    const builder = new RowBuilder(touched.size);
    for (const col of touched.sorted()) {
      const value = acc[col]!;
      if (value > 0) builder.push(col, value);
      acc[col] = 0;
    }
    touched.clear();
    return builder.build();
  });
}

function accumulate(row: SparseRow, factor: number, acc: Float64Array, touched: ColumnSet, n: number): void {
  const { cols, vals } = row;
  const length = cols.length;
  for (let k = 0; k < length; k++) {
    const col = cols[k]!;
    if (col >= n) continue;
    acc[col] = acc[col]! + mul(factor, vals[k]!);
    touched.add(col);
  }
}

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

/** A set of column indices with O(1) insert and an ascending walk (a bitmap plus a list). */
export class ColumnSet {
  private readonly present: Uint8Array;
  private members: Int32Array;
  size = 0;

  constructor(columns: number) {
    this.present = new Uint8Array(columns);
    this.members = new Int32Array(Math.max(16, Math.min(columns, 1024)));
  }

  add(col: number): void {
    if (this.present[col] === 1) return;
    this.present[col] = 1;
    if (this.size === this.members.length) {
      const grown = new Int32Array(this.members.length * 2);
      grown.set(this.members);
      this.members = grown;
    }
    this.members[this.size++] = col;
  }

  /** Members in ascending order: a sort when few, a bitmap scan when many. */
  sorted(): Int32Array {
    const members = this.members.subarray(0, this.size);
    if (this.size * 16 < this.present.length) return members.sort();
    let k = 0;
    for (let col = 0; col < this.present.length && k < this.size; col++) if (this.present[col] === 1) members[k++] = col;
    return members;
  }

  clear(): void {
    for (let k = 0; k < this.size; k++) this.present[this.members[k]!] = 0;
    this.size = 0;
  }
}
