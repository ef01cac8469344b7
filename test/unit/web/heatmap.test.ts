/** The weights heatmap's grid and its text alternative: exactly the chain's weights, row by row. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { heatmapGrid, shareColour, weightTriples } from "../../../src/web/model/heatmap.js";

const matrix = {
  block: 100,
  rows: [
    { uid: 2, weights: [[3, 65535], [4, 0]] as [number, number][] },
    { uid: 1, weights: [[3, 65535], [4, 21845]] as [number, number][] },
    { uid: 0, weights: [] },
  ],
  consensus: [0, 0, 0, 40000, 20000],
};

describe("weights heatmap", () => {
  it("has a row per validator that set weights, by uid, each weight a share of its row", () => {
    const grid = heatmapGrid(matrix, 5);
    assert.deepEqual(grid.rows, [1, 2]);
    assert.equal(grid.columns, 5);
    assert.equal(grid.raw[0 * 5 + 4], 21845);
    assert.ok(Math.abs(grid.shares[0 * 5 + 3]! - 0.75) < 1e-6);
    assert.ok(Math.abs(grid.shares[1 * 5 + 3]! - 1) < 1e-6);
    assert.ok(Math.abs(grid.maxShare - 1) < 1e-6);
    assert.deepEqual([...grid.consensus], [0, 0, 0, 1, 0.5]);
  });

  it("lists every non-zero weight as (validator, uid, u16), the text alternative", () => {
    assert.deepEqual(weightTriples(matrix), [[1, 3, 65535], [1, 4, 21845], [2, 3, 65535]]);
  });

  it("darkens with the weight", () => {
    const [light, mid, dark] = [0.1, 0.5, 1].map((s) => shareColour(s, 1)).map(([r, g, b]) => 0.2126 * r + 0.7152 * g + 0.0722 * b);
    assert.ok(light! > mid! && mid! > dark!);
    assert.deepEqual(shareColour(0, 1), [238, 240, 244]);
  });
});
