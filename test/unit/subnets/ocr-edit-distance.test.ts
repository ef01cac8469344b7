import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { editDistance, normalisedEditDistance } from "../../../subnets/ocr/edit-distance.js";
import { prng } from "../../../src/util/prng.js";

/** The textbook full-table Levenshtein, as a reference. */
function reference(a: string, b: string): number {
  const s = Array.from(a);
  const t = Array.from(b);
  const d = Array.from({ length: s.length + 1 }, (_, i) => Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= s.length; i++)
    for (let j = 1; j <= t.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
  return d[s.length]![t.length]!;
}

describe("ocr edit distance", () => {
  it("gives the known distances", () => {
    assert.equal(editDistance("kitten", "sitting"), 3);
    assert.equal(editDistance("flaw", "lawn"), 2);
    assert.equal(editDistance("", ""), 0);
    assert.equal(editDistance("", "abc"), 3);
    assert.equal(editDistance("abc", ""), 3);
    assert.equal(editDistance("same", "same"), 0);
    assert.equal(editDistance("MOTHER 0", "MOTHER O"), 1);
    assert.equal(editDistance("6672 1", "66721"), 1);
  });

  it("counts a character outside the BMP (a surrogate pair) as one", () => {
    assert.equal(editDistance("a😀b", "ab"), 1);
    assert.equal(editDistance("😀", "😃"), 1);
    assert.equal(normalisedEditDistance("😀😀", "😀"), 0.5);
  });

  it("matches the full-table reference and is a metric on random strings", () => {
    const random = prng(99);
    const word = (): string => Array.from({ length: Math.floor(random() * 9) }, () => "ab01 O"[Math.floor(random() * 6)]).join("");
    for (let i = 0; i < 300; i++) {
      const [a, b, c] = [word(), word(), word()];
      assert.equal(editDistance(a, b), reference(a, b), `${a} / ${b}`);
      assert.equal(editDistance(a, b), editDistance(b, a));
      assert.ok(editDistance(a, c) <= editDistance(a, b) + editDistance(b, c));
      const n = normalisedEditDistance(a, b);
      assert.ok(n >= 0 && n <= 1);
    }
  });

  it("normalises by the longer string: 0 equal, 1 nothing shared", () => {
    assert.equal(normalisedEditDistance("", ""), 0);
    assert.equal(normalisedEditDistance("abc", "abc"), 0);
    assert.equal(normalisedEditDistance("abc", "xyz"), 1);
    assert.equal(normalisedEditDistance("abcd", ""), 1);
    assert.equal(normalisedEditDistance("kitten", "sitting"), 3 / 7);
  });
});
