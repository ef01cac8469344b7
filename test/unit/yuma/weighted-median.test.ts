import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { prng } from "../../../src/util/prng.js";
import { inplaceNormalize, sum, weightedMedian, weightedMedianColSparse } from "../../../src/yuma/math.js";
import { rowFromPairs } from "../../../src/yuma/sparse.js";


/** subtensor's `weighted_median_col_sparse` literally: dense columns, then the quickselect per column. */
function referenceMedianCols(stake: Float64Array, rows: ReturnType<typeof rowFromPairs>[], columns: number, kappa: number): number[] {
  const positive = Float64Array.from([...stake].filter((s) => s > 0));
  inplaceNormalize(positive);
  const total = sum(positive);
  const scores = Array.from({ length: columns }, () => new Float64Array(positive.length));
  let k = 0;
  rows.forEach((row, i) => {
    if (!(stake[i]! > 0)) return;
    row.cols.forEach((col, e) => {
      scores[col]![k] = row.vals[e]!;
    });
    k += 1;
  });
  const indices = Array.from({ length: positive.length }, (_, i) => i);
  return scores.map((column) => weightedMedian(positive, column, indices, total - kappa, 0, total));
}

describe("consensus: stake-weighted median per column", () => {
  it("matches subtensor's literal dense construction on random columns with ties, zeros, gaps and extreme kappas", () => {
    const random = prng(7);
    const ONE = 2 ** 32;
    for (let trial = 0; trial < 1500; trial++) {
      const validators = 1 + Math.floor(random() * 12);
      const columns = 1 + Math.floor(random() * 6);
      const stake = Float64Array.from({ length: validators }, () => (random() < 0.2 ? 0 : Math.floor(random() * ONE)));
      inplaceNormalize(stake);
      const palette = Array.from({ length: 3 }, () => (random() < 0.3 ? 0 : Math.floor(random() * ONE)));
      const rows = Array.from({ length: validators }, () =>
        rowFromPairs(
          Array.from({ length: columns }, (_, col) => col)
            .filter(() => random() < 0.7)
            .map((col) => [col, random() < 0.5 ? palette[Math.floor(random() * palette.length)]! : Math.floor(random() * ONE)] as const),
        ),
      );
      // Kappa exactly equal to the stake of some validators hits the strict comparisons' edges.
      const normalisedPositive = Float64Array.from([...stake].filter((s) => s > 0));
      inplaceNormalize(normalisedPositive);
      const subsetSum = normalisedPositive.filter(() => random() < 0.5).reduce((a, b) => a + b, 0);
      const kappaChoices = [0, 1, Math.floor(ONE / 2) - 32768, Math.floor(random() * ONE), ONE - 1, ONE, subsetSum, subsetSum];
      const kappa = kappaChoices[trial % kappaChoices.length]!;
      const actual = Array.from(weightedMedianColSparse(stake, rows, columns, kappa));
      assert.deepEqual(actual, referenceMedianCols(stake, rows, columns, kappa), `trial ${trial}`);
    }
  });
});
