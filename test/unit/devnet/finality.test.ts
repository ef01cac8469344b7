import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { finalityTarget } from "../../../src/devnet/chain/finality.js";

describe("devnet finality: each block is final a fixed delay after its import, oldest first", () => {
  const importedAt = (times: Record<number, number>) => (n: number) => times[n];

  it("leaves the finalized block where it is while the next block is younger than the delay", () => {
    assert.equal(finalityTarget(4, 5, importedAt({ 5: 1000 }), 1499, 500), 4);
  });

  it("finalizes a block exactly when the delay has passed since its import", () => {
    assert.equal(finalityTarget(4, 5, importedAt({ 5: 1000 }), 1500, 500), 5);
  });

  it("finalizes several blocks at once when their delays have all passed (blocks faster than the delay)", () => {
    assert.equal(finalityTarget(10, 14, importedAt({ 11: 0, 12: 250, 13: 500, 14: 750 }), 1100, 500), 13);
  });

  it("never finalizes past a block whose import time it does not know", () => {
    assert.equal(finalityTarget(1, 3, importedAt({ 3: 0 }), 10_000, 500), 1);
  });

  it("never goes past the head", () => {
    assert.equal(finalityTarget(7, 7, importedAt({ 8: 0 }), 10_000, 0), 7);
  });

  it("with no delay, a block is final as soon as finality is looked at after its import", () => {
    assert.equal(finalityTarget(0, 2, importedAt({ 1: 5, 2: 5 }), 5, 0), 2);
  });
});
