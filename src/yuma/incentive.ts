/**
 * §4.7–4.8 in one pass over the weights: clipping at consensus (`col_clip_sparse`), validator
 * trust (`row_sum_sparse` of the clipped weights) and ranks (`matmul_sparse` of the clipped
 * weights by active stake).
 */
import { type Csr, csrWithCapacity } from "./csr.js";
import { mulFast } from "./fixed.js";

export interface Clipped {
  /** min(w, c_j) per entry; an entry above a zero consensus is removed. Same row order as the weights. */
  readonly weights: Csr;
  readonly validatorTrust: Float64Array;
  /** Σ_i stake_i · clipped_ij, per-product floor (not yet normalised into incentive). */
  readonly ranks: Float64Array;
}

export function clipAndRank(weights: Csr, consensus: Float64Array, activeStake: Float64Array, columns: number): Clipped {
  const { rows, start, cols, vals } = weights;
  const clipped = csrWithCapacity(rows, start[rows]!, "clipped");
  const outCols = clipped.cols;
  const outVals = clipped.vals;
  const validatorTrust = new Float64Array(rows);
  const ranks = new Float64Array(columns);
  let at = 0;
  for (let i = 0; i < rows; i++) {
    clipped.start[i] = at;
    const scale = i < activeStake.length ? activeStake[i]! : 0;
    let trust = 0;
    for (let e = start[i]!; e < start[i + 1]!; e++) {
      const col = cols[e]!;
      const threshold = col < consensus.length ? consensus[col]! : 0;
      let value = vals[e]!;
      if (threshold < value) {
        if (!(threshold > 0)) continue;
        value = threshold;
      }
      outCols[at] = col;
      outVals[at] = value;
      at += 1;
      trust += value;
      if (scale !== 0 && col < columns) ranks[col] = ranks[col]! + mulFast(scale, value);
    }
    validatorTrust[i] = trust;
  }
  clipped.start[rows] = at;
  return { weights: clipped, validatorTrust, ranks };
}
