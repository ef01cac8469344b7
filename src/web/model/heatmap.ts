/**
 * The weights heatmap's grid: one row per validator that set weights (by uid), one column per uid,
 * each cell the validator's weight on that uid as a share of its row (what Yuma normalises to),
 * and a last row with the epoch's consensus. Pure.
 */
import type { WeightsMatrix } from "./api.js";

export interface HeatmapGrid {
  /** The validators' uids, one per row, ascending. */
  readonly rows: readonly number[];
  readonly columns: number;
  /** rows × columns shares (0..1), row-major. */
  readonly shares: Float32Array;
  /** rows × columns raw u16 weights, row-major. */
  readonly raw: Uint16Array;
  /** Consensus per column as a fraction of its largest value (0..1). */
  readonly consensus: Float32Array;
  /** The largest share in the grid (for the colour scale). */
  readonly maxShare: number;
}

export function heatmapGrid(matrix: WeightsMatrix, columns: number): HeatmapGrid {
  const rows = matrix.rows.filter((r) => r.weights.length > 0).sort((a, b) => a.uid - b.uid);
  const shares = new Float32Array(rows.length * columns);
  const raw = new Uint16Array(rows.length * columns);
  let maxShare = 0;
  rows.forEach((row, i) => {
    const total = row.weights.reduce((a, [, w]) => a + w, 0);
    for (const [uid, weight] of row.weights) {
      if (uid >= columns) continue;
      raw[i * columns + uid] = weight;
      const share = total > 0 ? weight / total : 0;
      shares[i * columns + uid] = share;
      if (share > maxShare) maxShare = share;
    }
  });
  const consensus = new Float32Array(columns);
  const maxConsensus = Math.max(0, ...matrix.consensus.slice(0, columns));
  for (let uid = 0; uid < columns; uid++) consensus[uid] = maxConsensus > 0 ? (matrix.consensus[uid] ?? 0) / maxConsensus : 0;
  return { rows: rows.map((r) => r.uid), columns, shares, raw, consensus, maxShare };
}

/** Every non-zero weight as (validator uid, uid, u16), row by row: the heatmap's text alternative. */
export function weightTriples(matrix: WeightsMatrix): [validator: number, uid: number, weight: number][] {
  return matrix.rows
    .slice()
    .sort((a, b) => a.uid - b.uid)
    .flatMap((r) => r.weights.filter(([, w]) => w > 0).map(([uid, w]): [number, number, number] => [r.uid, uid, w]).sort((a, b) => a[1] - b[1]));
}

/** A share (0..1) of the scale's top as a colour from pale to deep blue (readable on light and dark backgrounds). */
export function shareColour(share: number, top: number): [number, number, number] {
  if (share <= 0 || top <= 0) return [238, 240, 244];
  const t = Math.min(1, share / top);
  // From #dbe7ff to #0b3d91: luminance falls steadily with the weight.
  return [Math.round(219 + (11 - 219) * t), Math.round(231 + (61 - 231) * t), Math.round(255 + (145 - 255) * t)];
}
