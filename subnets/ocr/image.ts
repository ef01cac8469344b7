/**
 * The recognize synapse's wire format. Request: `image`, uint8 [height, width] (grey),
 * [height, width, 1] (grey) or [height, width, 3] (RGB), rows top to bottom, dark text on a light
 * or any background, one line of text. Answer: `text`, a UTF-8 `string` tensor (dims []). Pure:
 * no I/O, no packages.
 */
import type { Tensor, TensorMap } from "../../src/subnet/plugin.js";
import { imageProblem, type TextLineImage } from "./preprocess.js";

export const SYNAPSE = "recognize";
export const IMAGE_TENSOR = "image";
export const TEXT_TENSOR = "text";

/** A request the miner refuses: its message says what is wrong and what is expected. */
export class OcrInputError extends Error {
  readonly code = "OCR_INPUT_INVALID";
  override name = "OcrInputError";
}

const EXPECTED = `${IMAGE_TENSOR}: uint8 [height, width] (grey) or [height, width, 3] (RGB)`;

/** The request's image, checked: throws an OcrInputError naming the problem. */
export function readImageTensor(body: TensorMap): TextLineImage {
  const tensor = body.get(IMAGE_TENSOR);
  if (!tensor) throw new OcrInputError(`no ${IMAGE_TENSOR} tensor in the request (got ${[...body.keys()].join(", ") || "none"}); expected ${EXPECTED}`);
  if (tensor.dtype !== "uint8") throw new OcrInputError(`${IMAGE_TENSOR} is ${tensor.dtype}; expected ${EXPECTED}`);
  const dims = tensor.dims;
  if (dims.length !== 2 && dims.length !== 3) throw new OcrInputError(`${IMAGE_TENSOR} has dims [${dims.join(", ")}]; expected ${EXPECTED}`);
  const [height, width] = dims as [number, number];
  const channels = dims.length === 2 ? 1 : dims[2]!;
  const problem = imageProblem(height, width, channels, tensor.data.length);
  if (problem) throw new OcrInputError(`${IMAGE_TENSOR} [${dims.join(", ")}]: ${problem}`);
  return { height, width, channels: channels as 1 | 3, data: tensor.data };
}

/** An image as the request's tensor: [h, w] when grey, [h, w, 3] when RGB. */
export function imageTensor(image: TextLineImage): Tensor {
  return { dtype: "uint8", dims: image.channels === 1 ? [image.height, image.width] : [image.height, image.width, 3], data: image.data };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export function textTensor(text: string): Tensor {
  return { dtype: "string", dims: [], data: encoder.encode(text) };
}

/** An answer's text, or undefined when it has none (missing, not a string scalar, not UTF-8). */
export function readTextTensor(answer: TensorMap | undefined): string | undefined {
  const tensor = answer?.get(TEXT_TENSOR);
  if (!tensor || tensor.dtype !== "string" || tensor.dims.length !== 0) return undefined;
  try {
    return decoder.decode(tensor.data);
  } catch {
    return undefined;
  }
}
