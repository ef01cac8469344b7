/**
 * The tiny subnet's public interface: `infer` takes `{"input": [16 integers in -8..8]}` and
 * answers `{"output": [8 numbers]}`, one row of the model. The model is exact only on integers in
 * that range and miners refuse anything else, so the schema and the conversion accept exactly
 * that. Both conversions run on untrusted data and refuse with one sentence naming the problem.
 */
import { float32Values, PublicInputError, type JsonSchema, type PublicContext, type PublicSynapse, type TensorMap } from "../../src/subnet/plugin.js";
import { TINY_IN, TINY_INPUT_MAX, TINY_INPUT_MIN, TINY_INPUT_NAME, TINY_OUT, TINY_OUTPUT_NAME } from "./model.js";

/** The largest request body: the input is about 60 bytes; 4 KiB leaves room for any formatting. */
export const INFER_MAX_BODY_BYTES = 4096;

export const INFER_EXAMPLE = { input: [1, -2, 3, -4, 5, -6, 7, -8, 8, -7, 6, -5, 4, -3, 2, 0] };

/** A miner's answer that is not the `y` tensor this synapse defines. */
export class TinyAnswerError extends Error {
  readonly code = "TINY_ANSWER_INVALID";
  override name = "TinyAnswerError";
}

export const INFER_INPUT: JsonSchema = {
  title: "infer: input",
  description: "One row of the tiny model's input: y = Relu(x·W1 + b1)·W2 + b2, exact in float32 for these inputs.",
  type: "object",
  properties: {
    input: {
      description: `x: exactly ${TINY_IN} integers from ${TINY_INPUT_MIN} to ${TINY_INPUT_MAX} (the range on which the model is exact; miners refuse anything else).`,
      type: "array",
      minItems: TINY_IN,
      maxItems: TINY_IN,
      items: { type: "integer", minimum: TINY_INPUT_MIN, maximum: TINY_INPUT_MAX },
    },
  },
  required: ["input"],
  additionalProperties: false,
};

export const INFER_OUTPUT: JsonSchema = {
  title: "infer: output",
  description: "The model's output for the row.",
  type: "object",
  properties: {
    output: {
      description: `y: the model's ${TINY_OUT} outputs (integers, exactly, for an honest miner).`,
      type: "array",
      minItems: TINY_OUT,
      maxItems: TINY_OUT,
      items: { type: "number" },
    },
  },
  required: ["output"],
  additionalProperties: false,
};

export async function createPublicApi(_ctx: PublicContext): Promise<Record<string, PublicSynapse>> {
  return {
    infer: {
      input: INFER_INPUT,
      output: INFER_OUTPUT,
      example: INFER_EXAMPLE,
      maxBodyBytes: INFER_MAX_BODY_BYTES,
      toTensors: async (input) => inferToTensors(input),
      fromTensors: inferFromTensors,
    },
  };
}

/** `{"input": [16 integers]}` → the miner's `x`, float32 [1, 16]; throws a PublicInputError naming the problem. */
export function inferToTensors(input: unknown): TensorMap {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new PublicInputError(`must be an object with the property "input"`);
  const record = input as Record<string, unknown>;
  for (const key of Object.keys(record)) if (key !== "input") throw new PublicInputError(`must not have the property ${JSON.stringify(key)}`);
  const values = record.input;
  if (values === undefined) throw new PublicInputError(`must have the property "input"`);
  if (!Array.isArray(values)) throw new PublicInputError(`input: must be an array of ${TINY_IN} integers, not ${describe(values)}`);
  if (values.length !== TINY_IN) throw new PublicInputError(`input: must have ${TINY_IN} items, not ${values.length}`);
  const x = new Float32Array(TINY_IN);
  values.forEach((v: unknown, i) => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < TINY_INPUT_MIN || v > TINY_INPUT_MAX)
      throw new PublicInputError(`input[${i}]: must be an integer from ${TINY_INPUT_MIN} to ${TINY_INPUT_MAX}, not ${describe(v)}`);
    x[i] = v;
  });
  return new Map([[TINY_INPUT_NAME, { dtype: "float32", dims: [1, TINY_IN], data: new Uint8Array(x.buffer) }]]);
}

/** The miner's `y`, float32 [1, 8] of finite values → `{"output": [8 numbers]}`; throws a TinyAnswerError for anything else. */
export function inferFromTensors(answer: TensorMap): { output: number[] } {
  const names = [...answer.keys()];
  if (names.length !== 1 || names[0] !== TINY_OUTPUT_NAME) throw new TinyAnswerError(`the answer has the tensors [${names.join(", ")}]; expected only ${TINY_OUTPUT_NAME}`);
  const y = answer.get(TINY_OUTPUT_NAME)!;
  if (y.dtype !== "float32" || y.dims.length !== 2 || y.dims[0] !== 1 || y.dims[1] !== TINY_OUT)
    throw new TinyAnswerError(`the answer's ${TINY_OUTPUT_NAME} is ${y.dtype} [${y.dims.join(", ")}]; expected float32 [1, ${TINY_OUT}]`);
  if (y.data.byteLength !== TINY_OUT * 4) throw new TinyAnswerError(`the answer's ${TINY_OUTPUT_NAME} has ${y.data.byteLength} bytes; float32 [1, ${TINY_OUT}] has ${TINY_OUT * 4}`);
  const output = Array.from(float32Values(y));
  const bad = output.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new TinyAnswerError(`the answer's ${TINY_OUTPUT_NAME}[${bad}] is ${output[bad]}, not a finite number`);
  return { output };
}

/** A JSON value as a sentence names it: numbers and booleans as themselves, the rest by kind. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return typeof value === "string" ? "a string" : typeof value === "object" ? "an object" : typeof value;
}
