/**
 * The tiny subnet's validator side: random integer inputs whose right answer the pure-JS reference
 * gives exactly. An answer is right (every element equal) or wrong (score 0); a right one scores
 * 1 at no latency down to 0.5 at the synapse's time-out, so faster honest miners earn more.
 */
import { float32Values, type Challenge, type TensorMap, type ValidatorContext, type ValidatorSide } from "../../src/subnet/plugin.js";
import { TINY_IN, TINY_INPUT_MAX, TINY_INPUT_MIN, TINY_INPUT_NAME, TINY_OUT, TINY_OUTPUT_NAME } from "./model.js";
import { tinyOutputsEqual, tinyReference } from "./reference.js";

export const TINY_MAX_CHALLENGE_BATCH = 8;

/** Score of an exact answer after `latencyMs` of a `timeoutMs` budget: 1 → 0.5, linearly. */
export function latencyWeight(latencyMs: number, timeoutMs: number): number {
  return 1 - 0.5 * Math.min(1, Math.max(0, latencyMs) / timeoutMs);
}

export async function createValidator(ctx: ValidatorContext): Promise<ValidatorSide> {
  const timeoutMs = ctx.manifest.synapses.infer?.timeoutMs ?? 2000;
  return {
    async challenge(random: () => number): Promise<Challenge> {
      const batch = 1 + Math.floor(random() * TINY_MAX_CHALLENGE_BATCH);
      const span = TINY_INPUT_MAX - TINY_INPUT_MIN + 1;
      const values = Float32Array.from({ length: batch * TINY_IN }, () => TINY_INPUT_MIN + Math.floor(random() * span));
      const body = new Map([[TINY_INPUT_NAME, { dtype: "float32" as const, dims: [batch, TINY_IN], data: new Uint8Array(values.buffer) }]]);
      return { synapse: "infer", body, expected: { batch, y: tinyReference(values, batch) } };
    },
    score(challenge: Challenge, answer: TensorMap | undefined, latencyMs: number): number {
      const { batch, y } = challenge.expected as { batch: number; y: Float32Array };
      const got = answer?.get(TINY_OUTPUT_NAME);
      if (!got || got.dtype !== "float32" || got.dims.length !== 2 || got.dims[0] !== batch || got.dims[1] !== TINY_OUT) return 0;
      if (got.data.byteLength !== batch * TINY_OUT * 4) return 0;
      return tinyOutputsEqual(y, float32Values(got)) ? latencyWeight(latencyMs, timeoutMs) : 0;
    },
  };
}
