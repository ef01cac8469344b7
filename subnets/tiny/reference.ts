/**
 * The tiny model's forward pass in plain JS (no onnxruntime), and the checks on its input. Every
 * value is an integer well below 2^24 (see model.ts), so this equals onnxruntime's float32 output
 * exactly, element for element.
 */
import { CodedError } from "../../src/util/errors.js";
import { TINY_HIDDEN, TINY_IN, TINY_INPUT_MAX, TINY_INPUT_MIN, TINY_OUT, tinyWeights, type TinyWeights } from "./model.js";

/** An input the tiny model refuses: wrong shape, or an entry that is not an integer in range. */
export class TinyInputError extends CodedError<"TINY_INPUT_INVALID"> {
  constructor(message: string, details?: Readonly<Record<string, unknown>>) {
    super("TINY_INPUT_INVALID", message, details);
    this.name = "TinyInputError";
  }
}

/** Largest batch accepted (keeps a request's tensor small; the model itself has no limit). */
export const TINY_MAX_BATCH = 4096;

/** What is wrong with an input, or undefined when it is valid. */
export function tinyInputProblem(x: Float32Array | readonly number[], batch: number): string | undefined {
  if (!Number.isSafeInteger(batch) || batch < 1 || batch > TINY_MAX_BATCH) return `batch must be an integer in [1, ${TINY_MAX_BATCH}], got ${String(batch)}`;
  if (!(x instanceof Float32Array) && !Array.isArray(x)) return "input must be a Float32Array or an array of numbers";
  const expected = batch * TINY_IN;
  if (x.length !== expected) return `input must have batch × ${TINY_IN} = ${expected} entries (shape [${batch}, ${TINY_IN}]), got ${x.length}`;
  for (let i = 0; i < x.length; i++) {
    const v: unknown = x[i];
    if (typeof v !== "number" || !Number.isInteger(v) || v < TINY_INPUT_MIN || v > TINY_INPUT_MAX) {
      const where = `[${Math.floor(i / TINY_IN)}, ${i % TINY_IN}]`;
      return `input entry ${where} must be an integer in [${TINY_INPUT_MIN}, ${TINY_INPUT_MAX}], got ${typeof v === "number" ? String(v) : typeof v}`;
    }
  }
  return undefined;
}

/** Throws a TinyInputError (code TINY_INPUT_INVALID) unless `x` is a valid [batch, 16] input. */
export function validTinyInput(x: Float32Array | readonly number[], batch: number): void {
  const problem = tinyInputProblem(x, batch);
  if (problem !== undefined) throw new TinyInputError(problem, { batch, length: (x as { length?: unknown })?.length });
}

let cachedWeights: TinyWeights | undefined;

/**
 * y = Relu(x · W1 + b1) · W2 + b2 for a row-major [batch, 16] input; returns the row-major
 * [batch, 8] output. Validates the input first (throws TinyInputError).
 */
export function tinyReference(x: Float32Array | readonly number[], batch: number): Float32Array {
  validTinyInput(x, batch);
  const { w1, b1, w2, b2 } = (cachedWeights ??= tinyWeights());
  const y = new Float32Array(batch * TINY_OUT);
  const h = new Float64Array(TINY_HIDDEN);
  for (let n = 0; n < batch; n++) {
    const row = n * TINY_IN;
    for (let j = 0; j < TINY_HIDDEN; j++) {
      let sum = b1[j]!;
      for (let i = 0; i < TINY_IN; i++) sum += x[row + i]! * w1[i * TINY_HIDDEN + j]!;
      h[j] = sum > 0 ? sum : 0;
    }
    for (let k = 0; k < TINY_OUT; k++) {
      let sum = b2[k]!;
      for (let j = 0; j < TINY_HIDDEN; j++) sum += h[j]! * w2[j * TINY_OUT + k]!;
      y[n * TINY_OUT + k] = sum;
    }
  }
  return y;
}

/** True when `answer` has the output's length and every element equals (===) the expected one. */
export function tinyOutputsEqual(expected: Float32Array | readonly number[], answer: Float32Array | readonly number[]): boolean {
  if (expected.length !== answer.length) return false;
  for (let i = 0; i < expected.length; i++) if (expected[i] !== answer[i]) return false;
  return true;
}
