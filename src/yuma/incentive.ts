/**
 * §4.7–4.8: weights clipped at consensus (`col_clip_sparse`), validator trust (`row_sum_sparse`
 * of the clipped weights) and ranks (`matmul_sparse` of the clipped weights by active stake).
 */
import { type Csr, csrWithCapacity } from "./csr.js";
import { mulFast } from "./fixed.js";

/**
 * Trust and ranks in one read of the weights, without building the clipped matrix: an entry
 * `col_clip_sparse` removes (w > c_j = 0) would have added min(w, c_j) = 0, so both sums are
 * Σ min(w, c_j) over every entry.
 */
export function trustAndRanks(weights: Csr, consensus: Float64Array, activeStake: Float64Array, columns: number): { validatorTrust: Float64Array; ranks: Float64Array } {
  const { rows, start, cols, vals } = weights;
  const validatorTrust = new Float64Array(rows);
  const ranks = new Float64Array(columns);
  for (let i = 0; i < rows; i++) {
    const scale = i < activeStake.length ? activeStake[i]! : 0;
    let trust = 0;
    for (let e = start[i]!; e < start[i + 1]!; e++) {
      const col = cols[e]!;
      const value = Math.min(vals[e]!, col < consensus.length ? consensus[col]! : 0);
      trust += value;
      if (scale !== 0 && col < columns) ranks[col] = ranks[col]! + mulFast(scale, value);
    }
    validatorTrust[i] = trust;
  }
  return { validatorTrust, ranks };
}

/** `col_clip_sparse`: min(w, c_j) per entry, an entry above a zero consensus removed; same row order. */
export function clipWeights(weights: Csr, consensus: Float64Array): Csr {
  const { rows, start, cols, vals } = weights;
  const clipped = csrWithCapacity(rows, start[rows]!, "clipped");
  let at = 0;
  for (let i = 0; i < rows; i++) {
    clipped.start[i] = at;
    for (let e = start[i]!; e < start[i + 1]!; e++) {
      const col = cols[e]!;
      const threshold = col < consensus.length ? consensus[col]! : 0;
      let value = vals[e]!;
      if (threshold < value) {
        if (!(threshold > 0)) continue;
        value = threshold;
      }
      clipped.cols[at] = col;
      clipped.vals[at] = value;
      at += 1;
    }
  }
  clipped.start[rows] = at;
  return clipped;
}
