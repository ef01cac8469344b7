/**
 * §4.5: the stored weight rows, masked and row-normalised, in one pass into one CSR matrix.
 */
import { type Csr, csr, csrWithCapacity } from "./csr.js";
import { ratioOfIntegers } from "./fixed.js";
import type { U16Row } from "./types.js";

export interface WeightMasks {
  readonly n: number;
  /** Per uid, whether its validator permit is missing (an index past the end counts as forbidden). */
  readonly validatorForbids: ArrayLike<boolean>;
  readonly owner: number | null;
  readonly lastUpdate: ArrayLike<number>;
  readonly blockAtRegistration: ArrayLike<number>;
  /** Per uid, its earliest live commit block (commit–reveal on), or null when off. */
  readonly commitBlocks: readonly number[] | null;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_20 = 1048576;

/**
 * subtensor's masks in its order, fused (each is a filter, so their composition keeps exactly the
 * entries every mask keeps): rows of validators without a permit (`mask_rows_sparse`),
 * self-weights except the owner's (`mask_diag_sparse[_except_index]`), weights not newer than the
 * target's registration (`vec_mask_sparse_matrix`, updated ≤ registered), with commit–reveal
 * weights committed before the target registered; destinations ≥ n are dropped as
 * `get_weights_sparse` drops them. Then `inplace_row_normalize_sparse` of the values read with
 * `I32F32::from(u16)`: v / Σv = trunc(v · 2^32 / Σv), exact in doubles (v · 2^32 < 2^48).
 */
export function maskedNormalizedWeights(rows: readonly U16Row[], masks: WeightMasks): Csr {
  const { n, validatorForbids, owner, lastUpdate, blockAtRegistration, commitBlocks } = masks;
  let capacity = 0;
  for (let i = 0; i < n && i < rows.length; i++) capacity += rows[i]!.cols.length;
  const { start, cols, vals } = csrWithCapacity(n, capacity, "weights");
  const columnCounts = new Int32Array(n);
  const ascending = new Uint8Array(n).fill(1);
  let at = 0;
  for (let i = 0; i < n; i++) {
    start[i] = at;
    const row = rows[i];
    if (!row || row.cols.length === 0 || i >= validatorForbids.length || validatorForbids[i]) continue;
    const updated = lastUpdate[i]!;
    const committed = commitBlocks ? (commitBlocks[i] ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
    const rowCols = row.cols;
    const rowVals = row.vals;
    const from = at;
    let total = 0;
    let previous = -1;
    for (let k = 0; k < rowCols.length; k++) {
      const j = rowCols[k]!;
      if (j >= n) continue;
      if (j === i && i !== owner) continue;
      const registered = blockAtRegistration[j]!;
      if (updated <= registered || committed < registered) continue;
      const v = rowVals[k]!;
      cols[at] = j;
      vals[at] = v;
      total += v;
      columnCounts[j]! += 1;
      if (j <= previous) ascending[i] = 0;
      previous = j;
      at += 1;
    }
    if (total === 0) continue; // every kept value is 0, raw 0 too
    const inverse = 1 / total;
    for (let k = from; k < at; k++) {
      const v = vals[k]!;
      if (v >= TWO_POW_20) {
        vals[k] = ratioOfIntegers(v, total); // not a u16: the general exact path
        continue;
      }
      // floor(v · 2^32 / total): x · (1/total) is off by less than 2^-19 (x / total ≤ 2^32, two
      // roundings), so its floor is off by at most one, which the exact remainder corrects.
      const x = v * TWO_POW_32;
      let q = Math.floor(x * inverse);
      const r = x - q * total;
      if (r < 0) q -= 1;
      else if (r >= total) q += 1;
      vals[k] = q;
    }
  }
  start[n] = at;
  return csr(n, start, cols, vals, columnCounts, ascending);
}
