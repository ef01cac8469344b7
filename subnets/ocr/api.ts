/**
 * The OCR subnet's public interface: `recognize` takes `{"image": "<base64 of a PNG or JPEG of one
 * line of printed text>"}` and answers `{"text": "…"}`. The conversions run on untrusted input, at
 * the validator's gateway and again at the miner, so each refuses with one sentence naming the
 * problem: not base64, not a PNG or JPEG, truncated or corrupt, too small, not one line, or (413)
 * over the pixel budget, which is read from the header before anything is decoded (image-file.ts).
 *
 * The base64 is strict (the standard alphabet, optional `=` padding, no line breaks), and may
 * carry a `data:image/png;base64,` or `data:image/jpeg;base64,` prefix: that is what a browser's
 * FileReader.readAsDataURL and canvas.toDataURL give, so a web page can send what it has.
 */
import { PublicInputError, type JsonSchema, type PublicContext, type PublicSynapse, type TensorMap } from "../../src/subnet/plugin.js";
import { prng } from "../../src/util/prng.js";
import { IMAGE_TENSOR, imageTensor, readTextTensor, SYNAPSE, TEXT_TENSOR } from "./image.js";
import { decodeImageFile, encodeImageFile, FILE_MAX_HEIGHT, FILE_MAX_PIXELS, FILE_MAX_WIDTH } from "./image-file.js";
import { IMAGE_MAX_ASPECT, IMAGE_MAX_HEIGHT, IMAGE_MIN_HEIGHT, IMAGE_MIN_WIDTH } from "./preprocess.js";
import { renderLine } from "./render.js";
import { MAX_ANSWER_CHARS } from "./validator.js";

/** The largest request body: 8 MiB of JSON, so an image file of up to about 6 MiB (base64 takes 4 characters for 3 bytes). */
export const RECOGNIZE_MAX_BODY_BYTES = 8 * 1024 * 1024;

/** The line the example image shows (rendered with the plugin's own font at start). */
export const EXAMPLE_TEXT = "tensor";
const EXAMPLE_SEED = 17;

/** A miner's answer that is not the text tensor this synapse defines. */
export class OcrAnswerError extends Error {
  readonly code = "OCR_ANSWER_INVALID";
  override name = "OcrAnswerError";
}

export const RECOGNIZE_INPUT: JsonSchema = {
  title: "recognize: input",
  description: "One line of printed text, as an image file.",
  type: "object",
  properties: {
    image: {
      description:
        `The base64 (standard alphabet, optional = padding, no line breaks; a data:image/png;base64, or data:image/jpeg;base64, prefix is accepted) of a PNG or JPEG ` +
        `of one line of printed text, dark on a light background (transparent pixels count as white). At least ${IMAGE_MIN_WIDTH}×${IMAGE_MIN_HEIGHT} pixels, ` +
        `at most ${IMAGE_MAX_ASPECT} times as wide as high; at most ${FILE_MAX_WIDTH} wide, ${FILE_MAX_HEIGHT} high and ${FILE_MAX_PIXELS} pixels in all (larger is refused with 413 before decoding). ` +
        `Images over ${IMAGE_MAX_HEIGHT} pixels high are scaled down, keeping their aspect.`,
      type: "string",
      contentEncoding: "base64",
      contentMediaType: "image/*",
    },
  },
  required: ["image"],
  additionalProperties: false,
};

export const RECOGNIZE_OUTPUT: JsonSchema = {
  title: "recognize: output",
  description: "What the miner read.",
  type: "object",
  properties: {
    text: {
      description: `The line's text as the miner read it (Unicode; spaces at either end trimmed; at most ${MAX_ANSWER_CHARS} characters).`,
      type: "string",
      maxLength: MAX_ANSWER_CHARS,
    },
  },
  required: ["text"],
  additionalProperties: false,
};

export async function createPublicApi(_ctx: PublicContext): Promise<Record<string, PublicSynapse>> {
  const example = { image: Buffer.from(await encodeImageFile(renderLine(EXAMPLE_TEXT, prng(EXAMPLE_SEED)), "png")).toString("base64") };
  return {
    [SYNAPSE]: {
      input: RECOGNIZE_INPUT,
      output: RECOGNIZE_OUTPUT,
      example,
      maxBodyBytes: RECOGNIZE_MAX_BODY_BYTES,
      toTensors: recognizeToTensors,
      fromTensors: recognizeFromTensors,
    },
  };
}

/** `{"image": base64}` → the miner's `image` tensor; throws a PublicInputError naming the problem. */
export async function recognizeToTensors(input: unknown): Promise<TensorMap> {
  const bytes = imageFileBytes(imageField(input));
  try {
    return new Map([[IMAGE_TENSOR, imageTensor(await decodeImageFile(bytes))]]);
  } catch (error) {
    if (error instanceof PublicInputError) throw new PublicInputError(`image: ${error.message}`, error.tooLarge);
    throw error;
  }
}

/** The miner's `text` tensor → `{"text": …}`; throws an OcrAnswerError for anything else. */
export function recognizeFromTensors(answer: TensorMap): { text: string } {
  const names = [...answer.keys()];
  if (names.length !== 1 || names[0] !== TEXT_TENSOR) throw new OcrAnswerError(`the answer has the tensors [${names.join(", ")}]; expected only ${TEXT_TENSOR}`);
  const tensor = answer.get(TEXT_TENSOR)!;
  // 4 bytes is the longest UTF-8 character: a longer byte count cannot be a short enough text.
  if (tensor.data.length > 4 * MAX_ANSWER_CHARS) throw new OcrAnswerError(`the answer's ${TEXT_TENSOR} has ${tensor.data.length} bytes; at most ${MAX_ANSWER_CHARS} characters are expected`);
  const text = readTextTensor(answer);
  if (text === undefined) throw new OcrAnswerError(`the answer's ${TEXT_TENSOR} is ${tensor.dtype} [${tensor.dims.join(", ")}]; expected a UTF-8 string, dims []`);
  const characters = Array.from(text).length;
  if (characters > MAX_ANSWER_CHARS) throw new OcrAnswerError(`the answer's ${TEXT_TENSOR} has ${characters} characters; at most ${MAX_ANSWER_CHARS} are expected`);
  return { text };
}

/** The `image` string of `{"image": …}`, checked as the input schema says (the caller may not have). */
function imageField(input: unknown): string {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new PublicInputError(`must be an object with the property "image"`);
  const record = input as Record<string, unknown>;
  for (const key of Object.keys(record)) if (key !== "image") throw new PublicInputError(`must not have the property ${JSON.stringify(key)}`);
  if (!("image" in record)) throw new PublicInputError(`must have the property "image"`);
  if (typeof record.image !== "string") throw new PublicInputError(`image: must be a string (the base64 of a PNG or JPEG file), not ${record.image === null ? "null" : Array.isArray(record.image) ? "an array" : typeof record.image}`);
  return record.image;
}

const DATA_URL = /^data:image\/(?:png|jpeg);base64,/i;
const NOT_BASE64 = /[^A-Za-z0-9+/]/;

/** The file's bytes from strict base64, after an optional data URL prefix. */
export function imageFileBytes(value: string): Uint8Array {
  let base64 = value;
  if (/^data:/i.test(value)) {
    const prefix = DATA_URL.exec(value);
    if (!prefix) throw new PublicInputError("image: a data URL must start data:image/png;base64, or data:image/jpeg;base64,");
    base64 = value.slice(prefix[0].length);
  }
  if (base64.length === 0) throw new PublicInputError("image: is empty; expected the base64 of a PNG or JPEG file");
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  const body = base64.slice(0, base64.length - padding);
  const bad = body.search(NOT_BASE64);
  if (bad >= 0) throw new PublicInputError(`image: is not base64: ${badCharacter(body, bad)}`);
  if (padding > 0 ? base64.length % 4 !== 0 : base64.length % 4 === 1)
    throw new PublicInputError(`image: is not base64: ${base64.length} characters${padding > 0 ? " with padding is not a multiple of 4" : " cannot be whole bytes"} (is it cut short?)`);
  return Buffer.from(body, "base64");
}

function badCharacter(body: string, at: number): string {
  const char = body.codePointAt(at)!;
  const where = `at character ${at + 1}`;
  if (char === 0x20 || char === 0x09 || char === 0x0a || char === 0x0d) return `it has a space or line break ${where} (send it on one line, e.g. base64 -w0)`;
  if (char === 0x2d || char === 0x5f) return `it has ${String.fromCodePoint(char)} ${where}: that is base64url; use the standard alphabet, with + and /`;
  if (char === 0x3d) return `it has = ${where}: = is only padding, at the end`;
  return `it has ${JSON.stringify(String.fromCodePoint(char))} ${where}, outside the base64 alphabet (A–Z, a–z, 0–9, +, / and = padding)`;
}
