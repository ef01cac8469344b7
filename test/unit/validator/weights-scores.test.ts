import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ScoreBook } from "../../../src/validator/scores.js";
import { clipShares, weightsFromScores } from "../../../src/validator/weights.js";

describe("a validator's scores", () => {
  it("are a moving average per uid, restarted when a new hotkey takes the uid", () => {
    const book = new ScoreBook(0.5);
    book.record(3, "hk-a", 1, 1);
    assert.equal(book.record(3, "hk-a", 0, 2).ema, 0.5);
    assert.equal(book.record(3, "hk-a", 1, 3).ema, 0.75);
    const taken = book.record(3, "hk-b", 0.2, 4);
    assert.deepEqual([taken.ema, taken.samples], [0.2, 1]);
  });

  it("drop uids now held by another hotkey, and survive a round trip through JSON", () => {
    const book = new ScoreBook(0.1);
    book.record(0, "a", 1, 1);
    book.record(1, "b", 0.5, 1);
    assert.equal(book.reconcile(["a", "c"]), 1);
    const restored = ScoreBook.fromJSON(0.1, JSON.parse(JSON.stringify(book)));
    assert.deepEqual(restored.entries(), book.entries());
    assert.throws(() => ScoreBook.fromJSON(0.1, [{ uid: 1, hotkey: "x", ema: 2, samples: 1, lastScoredMs: 0 }]), /malformed/);
    assert.throws(() => book.record(0, "a", 1.5, 2), /a score is in \[0, 1\]/);
  });
});

describe("weights from scores", () => {
  const rules = { n: 6, minAllowedWeights: 1, maxWeightLimit: 65535 };

  it("list scored miners with explicit zeros, max-upscaled so the best gets 65535", () => {
    assert.deepEqual(weightsFromScores(new Map([[1, 0.5], [2, 0], [3, 1]]), rules, 0), { uids: [1, 2, 3], values: [32768, 0, 65535] });
  });

  it("pad with zero weights up to the subnet's minimum, and fall back to a self-weight when every score is 0", () => {
    assert.deepEqual(weightsFromScores(new Map([[4, 1]]), { ...rules, minAllowedWeights: 3 }, 0), { uids: [0, 1, 4], values: [0, 0, 65535] });
    assert.deepEqual(weightsFromScores(new Map([[1, 0], [2, 0]]), rules, 5), { uids: [5], values: [65535] });
  });

  it("honour the max weight limit: no share above it after rounding, the excess spread over the others", () => {
    const limit = Math.floor(0.4 * 65535);
    const w = weightsFromScores(new Map([[1, 10], [2, 1], [3, 1], [4, 1]]), { ...rules, maxWeightLimit: limit }, 0);
    const total = w.values.reduce((a, b) => a + b, 0);
    for (const v of w.values) assert.ok((v / total) * 65535 <= limit, `share ${v / total}`);
    assert.deepEqual(w.uids, [1, 2, 3, 4]);
    assert.equal(w.values[0], 65535);
    const shares = clipShares([10, 1, 1, 1], 0.4);
    assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.deepEqual(clipShares([1, 1], 0.4), [0.5, 0.5], "infeasible: as even as possible");
  });
});
