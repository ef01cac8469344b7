/**
 * The tiny subnet's model, as data: a two-layer integer MLP
 *
 *     y = Relu(x · W1 + b1) · W2 + b2
 *
 * with x float32 [batch, 16], W1 [16, 32], b1 [32], W2 [32, 8], b2 [8] and y float32 [batch, 8].
 * The weights are small integers drawn from a seeded PRNG, and the inputs are integers in a small
 * range, so every value the computation produces (every product, every partial sum in any order,
 * every activation) is an integer far below 2^24 in magnitude. Float32 represents all such
 * integers exactly, so onnxruntime's result does not depend on summation order, blocking, FMA or
 * thread count: it equals the pure-JS reference (reference.ts) bit for bit. `tinyIntermediateBound`
 * computes the worst case from the actual weights; the tests check it.
 *
 * The MatMul operands (inputs, weights, hidden activations) also stay below 2^11, so they are
 * exact even in TF32 (10-bit mantissa), which some GPU execution providers use for float32 MatMul.
 *
 * Changing any constant here changes the weights and the generated file's sha256.
 */
import { prng } from "../../src/util/prng.js";

/** Name of the model's input tensor. */
export const TINY_INPUT_NAME = "x";
/** Name of the model's output tensor. */
export const TINY_OUTPUT_NAME = "y";
/** Name of the symbolic (dynamic) batch dimension in the ONNX graph. */
export const TINY_BATCH_DIM = "batch";

/** Features per input row. */
export const TINY_IN = 16;
/** Hidden units. */
export const TINY_HIDDEN = 32;
/** Values per output row. */
export const TINY_OUT = 8;

/** Input entries are integers in [TINY_INPUT_MIN, TINY_INPUT_MAX] (inclusive). */
export const TINY_INPUT_MIN = -8;
export const TINY_INPUT_MAX = 8;
/** Weights are integers in [-TINY_WEIGHT_MAX, TINY_WEIGHT_MAX]. */
export const TINY_WEIGHT_MAX = 4;
/** Biases are integers in [-TINY_BIAS_MAX, TINY_BIAS_MAX]. */
export const TINY_BIAS_MAX = 16;

/** Seed of the PRNG (src/util/prng.ts) that draws the weights. */
export const TINY_SEED = 0x7e5011;

/** ONNX opset (default domain) and IR version of the generated model (IR 7 = ONNX 1.8, opset 13). */
export const TINY_OPSET = 13;
export const TINY_IR_VERSION = 7;

/** Where scripts/generate-tiny-model.ts writes the model by default, relative to the repository root. */
export const TINY_MODEL_DEFAULT_PATH = "subnets/tiny/models/tiny-mlp.onnx";

/**
 * sha256 of the bytes scripts/generate-tiny-model.ts produces (`buildTinyModel()`); a test pins it,
 * so any change to the weights, the graph or the encoding shows up. Update it deliberately.
 */
export const TINY_MODEL_SHA256 = "6e2bae3d60fd4cabec659a9ca28a1b8a2db5f4a51e6ad811e2a9d970a5eee8b2";

/** Float32 represents every integer of magnitude up to this exactly. */
export const FLOAT32_EXACT_INT = 2 ** 24;

/** The model's integer parameters, row-major: w1[i * TINY_HIDDEN + j] is W1[i, j], w2[j * TINY_OUT + k] is W2[j, k]. */
export interface TinyWeights {
  readonly w1: Int32Array;
  readonly b1: Int32Array;
  readonly w2: Int32Array;
  readonly b2: Int32Array;
}

/** A uniform integer in [lo, hi] from a [0, 1) generator. */
function uniformInt(next: () => number, lo: number, hi: number): number {
  return lo + Math.floor(next() * (hi - lo + 1));
}

/**
 * The model's weights, drawn from `prng(TINY_SEED)` in the order W1, b1, W2, b2 (row-major).
 * Returns fresh arrays on every call, so a caller may modify its copy.
 */
export function tinyWeights(): TinyWeights {
  const next = prng(TINY_SEED);
  const draw = (length: number, max: number): Int32Array => {
    const out = new Int32Array(length);
    for (let i = 0; i < length; i++) out[i] = uniformInt(next, -max, max);
    return out;
  };
  const w1 = draw(TINY_IN * TINY_HIDDEN, TINY_WEIGHT_MAX);
  const b1 = draw(TINY_HIDDEN, TINY_BIAS_MAX);
  const w2 = draw(TINY_HIDDEN * TINY_OUT, TINY_WEIGHT_MAX);
  const b2 = draw(TINY_OUT, TINY_BIAS_MAX);
  return { w1, b1, w2, b2 };
}

/** Worst-case magnitudes, over all inputs in range, for the given weights. */
export interface TinyBounds {
  /** Largest |hidden activation| (after Relu): the largest MatMul operand of layer 2. */
  readonly hidden: number;
  /** Largest |value| anywhere: any product, any partial sum in any order (with or without bias), any output. */
  readonly intermediate: number;
}

/**
 * Bounds every value the forward pass can produce for inputs in range. For hidden unit j, any
 * partial sum of x_i·W1[i,j] (plus b1[j] or not) has magnitude ≤ Xmax·Σ_i|W1[i,j]| + |b1[j]|;
 * likewise for the output layer with the hidden bounds in place of Xmax.
 */
export function tinyIntermediateBound(weights: TinyWeights = tinyWeights()): TinyBounds {
  const xMax = Math.max(Math.abs(TINY_INPUT_MIN), Math.abs(TINY_INPUT_MAX));
  const hiddenMax: number[] = [];
  let intermediate = xMax;
  for (let j = 0; j < TINY_HIDDEN; j++) {
    let sum = 0;
    for (let i = 0; i < TINY_IN; i++) sum += xMax * Math.abs(weights.w1[i * TINY_HIDDEN + j]!);
    const bound = sum + Math.abs(weights.b1[j]!);
    hiddenMax.push(bound);
    intermediate = Math.max(intermediate, bound);
  }
  for (let k = 0; k < TINY_OUT; k++) {
    let sum = 0;
    for (let j = 0; j < TINY_HIDDEN; j++) sum += hiddenMax[j]! * Math.abs(weights.w2[j * TINY_OUT + k]!);
    intermediate = Math.max(intermediate, sum + Math.abs(weights.b2[k]!));
  }
  return { hidden: Math.max(...hiddenMax), intermediate };
}
