/**
 * CTC greedy decoding of the PP-OCR recognition model's output with its character dictionary. Pure:
 * no I/O, no packages.
 *
 * PaddleOCR's convention (ppocr/postprocess/rec_postprocess.py, BaseRecLabelDecode + CTCLabelDecode
 * with use_space_char=True, as in every PP-OCRv4 rec config): the classes are
 *   0          → the CTC blank,
 *   1 … n      → the dictionary file's lines in order (n = 6623 for ppocr_keys_v1.txt),
 *   n + 1      → " " (space, appended because use_space_char is on),
 * so the model has n + 2 = 6625 classes. Greedy decoding takes the best class at each time step,
 * merges runs of the same class, then drops blanks.
 */
import { argmaxRows } from "../../src/subnet/argmax.js";

/** An error in the model's output or the dictionary (a setup problem, not the caller's). */
export class CtcError extends Error {
  override name = "CtcError";
}

/** The class → character table for a dictionary file's text: index 0 blank (""), then its lines, then " ". */
export function ctcCharset(dictionaryText: string): readonly string[] {
  const lines = dictionaryText.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
  // A final newline leaves one empty line behind; any other empty line is a broken dictionary.
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const empty = lines.indexOf("");
  if (empty >= 0) throw new CtcError(`the dictionary's line ${empty + 1} is empty`);
  return ["", ...lines, " "];
}

export interface CtcResult {
  readonly text: string;
  /** Mean of the kept steps' best-class probabilities (1 when nothing was kept). */
  readonly confidence: number;
}

/**
 * Greedy CTC decoding of one sequence: `scores` holds `steps` × `classes` values (row-major, one row
 * per time step), probabilities or logits (only the argmax is used for the text).
 */
export function ctcGreedyDecode(scores: ArrayLike<number>, steps: number, classes: number, charset: readonly string[]): CtcResult {
  checkClasses(classes, charset);
  if (scores.length !== steps * classes) throw new CtcError(`expected ${steps} × ${classes} scores, got ${scores.length}`);
  const { best, max: bestScores } = argmaxRows(scores, classes);
  return ctcCollapse(best, bestScores, charset);
}

function checkClasses(classes: number, charset: readonly string[]): void {
  if (classes !== charset.length) throw new CtcError(`the model gives ${classes} classes, the dictionary has ${charset.length} (blank + ${charset.length - 2} characters + space)`);
}

/**
 * The rest of greedy decoding, once each step's best class is known (`best`, with its score in
 * `bestScores`): merges runs of one class, drops blanks, maps classes to characters.
 */
export function ctcCollapse(best: ArrayLike<number>, bestScores: ArrayLike<number>, charset: readonly string[]): CtcResult {
  if (best.length !== bestScores.length) throw new CtcError(`${best.length} best classes but ${bestScores.length} scores`);
  let text = "";
  let kept = 0;
  let confidence = 0;
  let last = -1;
  for (let t = 0; t < best.length; t++) {
    const index = best[t]!;
    const char = charset[index];
    if (char === undefined || !Number.isInteger(index)) throw new CtcError(`class ${index} at step ${t} is not in the dictionary's ${charset.length} classes`);
    if (index !== 0 && index !== last) {
      text += char;
      kept += 1;
      confidence += bestScores[t]!;
    }
    last = index;
  }
  return { text, confidence: kept === 0 ? 1 : confidence / kept };
}
