/**
 * §4.9 bonds and dividends over CSR matrices: the weights bonds are built from
 * (`interpolate_sparse`), the stored bonds as the epoch reads them, both EMA models and the
 * column normalisations around them, each a pass over the entries with no per-row allocation.
 */
import { ColumnSet, type Csr, csr, csrRowAscending, csrWithCapacity } from "./csr.js";
import { ONE, checkedMulOrZero, divideShare, mulFast, proportionToU16, ratioOfIntegers, u16ProportionToFixed } from "./fixed.js";
import type { LiquidAlpha } from "./liquid-alpha.js";
import { inplaceNormalize } from "./math.js";
import { EMPTY_ROW } from "./sparse.js";
import type { U16Row } from "./types.js";

/**
 * `interpolate_sparse(a, b, ratio)`: a + ratio·(b − a). Ratio 0 → a and ratio 1 → b unchanged
 * (explicit zeros kept); otherwise only cells > 0 are kept, in ascending column order, a row's
 * repeated column read as its later entry.
 */
export function interpolate(a: Csr, b: Csr, columns: number, ratio: number): Csr {
  if (ratio === 0) return a;
  if (ratio === ONE) return b;
  const out = csrWithCapacity(a.rows, a.start[a.rows]! + b.start[b.rows]!, "interpolated");
  const rowA = new Float64Array(columns);
  const rowB = new Float64Array(columns);
  const touched = new ColumnSet(columns);
  let at = 0;
  for (let i = 0; i < a.rows; i++) {
    out.start[i] = at;
    scatter(a, i, rowA, touched, columns);
    scatter(b, i, rowB, touched, columns);
    for (const col of touched.sorted()) {
      const v1 = rowA[col]!;
      const value = v1 + mulFast(ratio, rowB[col]! - v1);
      if (value > 0) {
        out.cols[at] = col;
        out.vals[at] = value;
        at += 1;
      }
      rowA[col] = 0;
      rowB[col] = 0;
    }
    touched.clear();
  }
  out.start[a.rows] = at;
  return out;
}

function scatter(m: Csr, i: number, dense: Float64Array, touched: ColumnSet, columns: number): void {
  for (let e = m.start[i]!; e < m.start[i + 1]!; e++) {
    const col = m.cols[e]!;
    if (col >= columns) continue;
    dense[col] = m.vals[e]!;
    touched.add(col);
  }
}

/**
 * The stored bond rows as the epoch reads them: destinations ≥ n dropped (`get_bonds_sparse`),
 * then columns of neurons registered at or after `lastTempo` dropped
 * (`scalar_vec_mask_sparse_matrix`); values the stored u16 integers, or with `asProportions` (Yuma3)
 * v / 65535 (`u16_proportion_to_fixed`).
 */
export function storedBondsMasked(rows: readonly U16Row[], n: number, lastTempo: number, blockAtRegistration: ArrayLike<number>, asProportions: boolean): Csr {
  let capacity = 0;
  for (let i = 0; i < n && i < rows.length; i++) capacity += rows[i]!.cols.length;
  const out = csrWithCapacity(n, capacity, "bonds");
  const ascending = new Uint8Array(n).fill(1);
  let at = 0;
  for (let i = 0; i < n; i++) {
    out.start[i] = at;
    const row = rows[i];
    if (!row) continue;
    let previous = -1;
    for (let k = 0; k < row.cols.length; k++) {
      const col = row.cols[k]!;
      if (col >= n || lastTempo <= blockAtRegistration[col]!) continue;
      out.cols[at] = col;
      out.vals[at] = asProportions ? u16ProportionToFixed(row.vals[k]!) : row.vals[k]!;
      if (col <= previous) ascending[i] = 0;
      previous = col;
      at += 1;
    }
  }
  out.start[n] = at;
  return csr(n, out.start, out.cols, out.vals, undefined, ascending);
}

/**
 * `mat_ema_sparse(next, old, alpha)`: alpha·next + (1 − alpha)·old over the union of each row's
 * entries, kept where > 0, in ascending column order (a row's repeated column accumulates, as
 * the Rust accumulator does). Rows whose columns both strictly ascend are merged in one walk.
 *
 * With `clipAt` (consensus), `next` is read clipped, min(v, clipAt[col]): the EMA of
 * `col_clip_sparse(next)` without building it, since an entry clipping removes (v > c = 0) adds
 * alpha·0 = 0 to its cell, and only cells > 0 are kept.
 */
export function matEma(next: Csr, old: Csr, alpha: number, columns: number, clipAt: Float64Array | null = null): Csr {
  const rows = next.rows;
  const out = csrWithCapacity(rows, next.start[rows]! + old.start[Math.min(old.rows, rows)]!, "ema");
  const ema: EmaTerms = {
    alpha,
    oneMinusAlpha: ONE - alpha,
    // Unclipped reads as clipped at +∞ (min(v, ∞) = v), so the merge has one form; a column past
    // clipAt's end clips at 0, as col_clip_sparse's missing threshold does.
    clip: clipAt === null ? new Float64Array(columns).fill(Number.POSITIVE_INFINITY) : clipAt.length >= columns ? clipAt : padded(clipAt, columns),
  };
  let dense: DenseRow | undefined;
  let at = 0;
  for (let i = 0; i < rows; i++) {
    out.start[i] = at;
    const p = next.start[i]!;
    const pEnd = next.start[i + 1]!;
    const q = i < old.rows ? old.start[i]! : 0;
    const qEnd = i < old.rows ? old.start[i + 1]! : 0;
    const sorted = csrRowAscending(next, i) && (i >= old.rows || csrRowAscending(old, i)) && (pEnd === p || next.cols[pEnd - 1]! < columns) && (qEnd === q || old.cols[qEnd - 1]! < columns);
    if (sorted) at = mergeEmaRow(ema, next, p, pEnd, old, q, qEnd, out, at);
    else at = accumulateEmaRow(ema, next, p, pEnd, old, q, qEnd, out, at, (dense ??= { acc: new Float64Array(columns), touched: new ColumnSet(columns) }), columns);
  }
  out.start[rows] = at;
  return out;
}

interface EmaTerms {
  readonly alpha: number;
  readonly oneMinusAlpha: number;
  readonly clip: Float64Array;
}

interface DenseRow {
  readonly acc: Float64Array;
  readonly touched: ColumnSet;
}

/** One EMA row from two rows whose columns strictly ascend: a single merging walk. Returns the end of the row in `out`. */
function mergeEmaRow(ema: EmaTerms, next: Csr, p: number, pEnd: number, old: Csr, q: number, qEnd: number, out: Csr, at: number): number {
  const { alpha, oneMinusAlpha, clip } = ema;
  const { cols: nCols, vals: nVals } = next;
  const { cols: oCols, vals: oVals } = old;
  const { cols: outCols, vals: outVals } = out;
  while (p < pEnd && q < qEnd) {
    const a = nCols[p]!;
    const b = oCols[q]!;
    let col: number;
    let value: number;
    if (a < b) {
      col = a;
      value = mulFast(alpha, Math.min(nVals[p]!, clip[a]!));
      p += 1;
    } else if (b < a) {
      col = b;
      value = mulFast(oneMinusAlpha, oVals[q]!);
      q += 1;
    } else {
      col = a;
      value = mulFast(alpha, Math.min(nVals[p]!, clip[a]!)) + mulFast(oneMinusAlpha, oVals[q]!);
      p += 1;
      q += 1;
    }
    if (value > 0) {
      outCols[at] = col;
      outVals[at] = value;
      at += 1;
    }
  }
  for (; p < pEnd; p++) {
    const col = nCols[p]!;
    const value = mulFast(alpha, Math.min(nVals[p]!, clip[col]!));
    if (value > 0) {
      outCols[at] = col;
      outVals[at] = value;
      at += 1;
    }
  }
  for (; q < qEnd; q++) {
    const value = mulFast(oneMinusAlpha, oVals[q]!);
    if (value > 0) {
      outCols[at] = oCols[q]!;
      outVals[at] = value;
      at += 1;
    }
  }
  return at;
}

/** One EMA row from any two rows: accumulated per column (repeats add up), then walked in column order. */
function accumulateEmaRow(ema: EmaTerms, next: Csr, p: number, pEnd: number, old: Csr, q: number, qEnd: number, out: Csr, at: number, dense: DenseRow, columns: number): number {
  const { alpha, oneMinusAlpha, clip } = ema;
  const { acc, touched } = dense;
  for (; p < pEnd; p++) {
    const col = next.cols[p]!;
    if (col >= columns) continue;
    acc[col] = acc[col]! + mulFast(alpha, Math.min(next.vals[p]!, clip[col]!));
    touched.add(col);
  }
  for (; q < qEnd; q++) {
    const col = old.cols[q]!;
    if (col >= columns) continue;
    acc[col] = acc[col]! + mulFast(oneMinusAlpha, old.vals[q]!);
    touched.add(col);
  }
  for (const col of touched.sorted()) {
    const value = acc[col]!;
    if (value > 0) {
      out.cols[at] = col;
      out.vals[at] = value;
      at += 1;
    }
    acc[col] = 0;
  }
  touched.clear();
  return at;
}

/**
 * Yuma3 liquid alpha (`compute_bonds_sparse` with `mat_ema_alpha_sparse`): per entry of the
 * weights row, in its order, min((1 − α)·old + max(α·new, 0), 1), kept if > 0; old entries with no
 * new entry are dropped. α per column comes from the sigmoid of the weight and bond the Rust row
 * walk sees there (it assumes column-sorted rows: an entry is seen only if its column exceeds
 * every earlier one in the row).
 */
export function liquidAlphaEma(weights: Csr, bonds: Csr, consensus: Float64Array, liquid: LiquidAlpha, columns: number): Csr {
  const rows = weights.rows;
  const out = csrWithCapacity(rows, weights.start[rows]!, "ema");
  const seenWeight = new Float64Array(columns);
  const seenBond = new Float64Array(columns);
  const alphaAt = new Float64Array(columns);
  const decayed = new Float64Array(columns);
  const marks = new Uint8Array(columns);
  const { cols: wCols, vals: wVals } = weights;
  const { cols: bCols, vals: bVals } = bonds;
  let at = 0;
  for (let i = 0; i < rows; i++) {
    out.start[i] = at;
    const wFrom = weights.start[i]!;
    const wTo = weights.start[i + 1]!;
    const bFrom = i < bonds.rows ? bonds.start[i]! : 0;
    const bTo = i < bonds.rows ? bonds.start[i + 1]! : 0;
    seenAsWalkSeesIt(wCols, wVals, wFrom, wTo, seenWeight, columns);
    seenAsWalkSeesIt(bCols, bVals, bFrom, bTo, seenBond, columns);
    for (let e = wFrom; e < wTo; e++) {
      const col = wCols[e]!;
      if (col >= columns) continue;
      marks[col] = 1;
      alphaAt[col] = liquid.alpha(consensus[col]!, seenWeight[col]!, seenBond[col]!);
    }
    for (let e = bFrom; e < bTo; e++) {
      const col = bCols[e]!;
      if (col < columns && marks[col] === 1) decayed[col] = mulFast(ONE - alphaAt[col]!, bVals[e]!);
    }
    for (let e = wFrom; e < wTo; e++) {
      const col = wCols[e]!;
      if (col >= columns) continue;
      const increment = Math.max(mulFast(alphaAt[col]!, wVals[e]!), 0);
      const value = Math.min(decayed[col]! + increment, ONE);
      if (value > 0) {
        out.cols[at] = col;
        out.vals[at] = value;
        at += 1;
      }
    }
    for (let e = wFrom; e < wTo; e++) {
      const col = wCols[e]!;
      if (col < columns) {
        marks[col] = 0;
        decayed[col] = 0;
      }
    }
    clearSeen(wCols, wFrom, wTo, seenWeight, columns);
    clearSeen(bCols, bFrom, bTo, seenBond, columns);
  }
  out.start[rows] = at;
  return out;
}

/** Writes the values the Rust row walk reads (see liquidAlphaEma) into `dense`. */
function seenAsWalkSeesIt(cols: Int32Array, vals: Float64Array, from: number, to: number, dense: Float64Array, columns: number): void {
  let highest = -1;
  for (let e = from; e < to; e++) {
    const col = cols[e]!;
    if (col > highest) {
      highest = col;
      if (col < columns) dense[col] = vals[e]!;
    }
  }
}

function clearSeen(cols: Int32Array, from: number, to: number, dense: Float64Array, columns: number): void {
  for (let e = from; e < to; e++) if (cols[e]! < columns) dense[cols[e]!] = 0;
}

/** Σ per column. */
export function columnSums(m: Csr, columns: number): Float64Array {
  const totals = new Float64Array(columns);
  const length = m.start[m.rows]!;
  const { cols, vals } = m;
  for (let e = 0; e < length; e++) {
    const col = cols[e]!;
    if (col < columns) totals[col] = totals[col]! + vals[e]!;
  }
  return totals;
}

/** Each entry divided by its column's divisor (`safe_div`), left as is where the divisor is 0; in place. */
export function divideColumns(m: Csr, divisors: Float64Array): Csr {
  const length = m.start[m.rows]!;
  const { cols, vals } = m;
  const columns = divisors.length;
  for (let e = 0; e < length; e++) {
    const col = cols[e]!;
    const divisor = col < columns ? divisors[col]! : 0;
    if (divisor !== 0) vals[e] = divideShare(vals[e]!, divisor);
  }
  return m;
}

/**
 * Yuma3 dividends: the EMA bonds column-normalised, times incentive, summed per validator
 * (`mat_vec_mul_sparse` then `row_sum_sparse`: the zero products it drops add nothing), times
 * active stake (`vec_mul`, 0 on overflow), normalised.
 */
export function yuma3Dividends(ema: Csr, incentive: Float64Array, activeStake: Float64Array, columns: number): Float64Array {
  const totals = columnSums(ema, columns);
  const dividends = new Float64Array(Math.min(ema.rows, activeStake.length));
  const { start, cols, vals } = ema;
  for (let i = 0; i < dividends.length; i++) {
    let acc = 0;
    for (let e = start[i]!; e < start[i + 1]!; e++) {
      const col = cols[e]!;
      if (col >= incentive.length) continue;
      const total = totals[col]!;
      const v = vals[e]!;
      acc += mulFast(total === 0 ? v : divideShare(v, total), incentive[col]!);
    }
    dividends[i] = checkedMulOrZero(acc, activeStake[i]!);
  }
  inplaceNormalize(dividends);
  return dividends;
}

/**
 * Original Yuma (§4.9a): stored bonds column-normalised; ΔB = weights·stake per row,
 * column-normalised; the EMA column-normalised again; dividends = EMA · incentive, normalised;
 * the stored bonds are the EMA with each column scaled to its maximum.
 */
export function originalYuma(weightsForBonds: Csr, storedBonds: Csr, activeStake: Float64Array, incentive: Float64Array, alpha: number, columns: number): { dividends: Float64Array; stored: Csr } {
  // inplace_col_normalize_sparse of integer values: v / Σv exactly.
  const bondTotals = columnSums(storedBonds, columns);
  const bondVals = storedBonds.vals;
  for (let e = 0; e < storedBonds.start[storedBonds.rows]!; e++) {
    const total = bondTotals[storedBonds.cols[e]!]!;
    bondVals[e] = total === 0 ? 0 : ratioOfIntegers(bondVals[e]!, total);
  }

  const delta = csrWithCapacity(weightsForBonds.rows, weightsForBonds.start[weightsForBonds.rows]!, "delta");
  delta.start.set(weightsForBonds.start);
  delta.cols.set(weightsForBonds.cols.subarray(0, weightsForBonds.start[weightsForBonds.rows]!));
  for (let i = 0; i < delta.rows; i++) {
    const scale = activeStake[i]!;
    for (let e = delta.start[i]!; e < delta.start[i + 1]!; e++) delta.vals[e] = mulFast(weightsForBonds.vals[e]!, scale);
  }
  divideColumns(delta, columnSums(delta, columns));

  const ema = matEma(delta, storedBonds, alpha, columns);
  divideColumns(ema, columnSums(ema, columns));

  const dividends = new Float64Array(ema.rows);
  const maxima = new Float64Array(columns);
  for (let i = 0; i < ema.rows; i++) {
    let acc = 0;
    for (let e = ema.start[i]!; e < ema.start[i + 1]!; e++) {
      const col = ema.cols[e]!;
      const v = ema.vals[e]!;
      acc += mulFast(col < incentive.length ? incentive[col]! : 0, v);
      if (col < columns && maxima[col]! < v) maxima[col] = v;
    }
    dividends[i] = acc;
  }
  inplaceNormalize(dividends);
  return { dividends, stored: divideColumns(ema, maxima) };
}

/**
 * The bonds to store (`fixed_proportion_to_u16` of each entry): a row per uid with a new permit,
 * the others empty; rows of their own (views of one new buffer), nothing pointing into `bonds`.
 */
export function bondRowsToStore(bonds: Csr, permits: readonly boolean[]): U16Row[] {
  const { rows, start, cols, vals } = bonds;
  let entries = 0;
  for (let i = 0; i < rows; i++) if (permits[i] === true) entries += start[i + 1]! - start[i]!;
  const outCols = new Int32Array(entries);
  const outVals = new Float64Array(entries);
  const out: U16Row[] = new Array(rows);
  let at = 0;
  for (let i = 0; i < rows; i++) {
    const from = start[i]!;
    const to = start[i + 1]!;
    if (from === to || permits[i] !== true) {
      out[i] = EMPTY_ROW;
      continue;
    }
    const rowStart = at;
    for (let e = from; e < to; e++) {
      outCols[at] = cols[e]!;
      outVals[at] = proportionToU16(vals[e]!);
      at += 1;
    }
    out[i] = { cols: outCols.subarray(rowStart, at), vals: outVals.subarray(rowStart, at) };
  }
  return out;
}

function padded(values: Float64Array, length: number): Float64Array {
  const out = new Float64Array(length);
  out.set(values.subarray(0, length));
  return out;
}
