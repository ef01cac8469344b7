/**
 * The OCR subnet's miner side: checks the text-line image, turns it into the PP-OCRv4 recognition
 * model's input (preprocess.ts), runs the model "rec" in the daemon's inference workers and
 * decodes its output with the dictionary "dict" (ctc.ts).
 */
import { readFile } from "node:fs/promises";
import { float32Values, type MinerContext, type MinerRequest, type MinerSide, type Tensor, type TensorMap } from "../../src/subnet/plugin.js";
import { ctcCharset, ctcGreedyDecode, CtcError } from "./ctc.js";
import { OcrInputError, readImageTensor, SYNAPSE, TEXT_TENSOR, textTensor } from "./image.js";
import { recInput } from "./preprocess.js";

export const REC_MODEL = "rec";
export const DICTIONARY = "dict";
/** The rec model's input name (PaddleOCR's export). */
export const REC_INPUT = "x";

/** The model's output: its only tensor, float32 [1, T, classes]. */
function readScores(outputs: ReadonlyMap<string, Tensor>): { scores: Float32Array; steps: number; classes: number } {
  const [output, ...others] = outputs.values();
  if (!output || others.length > 0) throw new CtcError(`the rec model gave ${outputs.size} outputs, expected 1`);
  if (output.dtype !== "float32" || output.dims.length !== 3 || output.dims[0] !== 1) throw new CtcError(`the rec model gave ${output.dtype} [${output.dims.join(", ")}], expected float32 [1, T, classes]`);
  const scores = float32Values(output);
  return { scores, steps: output.dims[1]!, classes: output.dims[2]! };
}

export async function createMiner(ctx: MinerContext): Promise<MinerSide> {
  const dictionaryPath = ctx.modelFiles.get(DICTIONARY);
  if (!dictionaryPath) throw new Error(`the ocr plugin needs its "${DICTIONARY}" file (manifest models.${DICTIONARY})`);
  if (!ctx.modelFiles.has(REC_MODEL)) throw new Error(`the ocr plugin needs its "${REC_MODEL}" model (manifest models.${REC_MODEL})`);
  const charset = ctcCharset(await readFile(dictionaryPath, "utf8"));
  return {
    async answer(request: MinerRequest): Promise<TensorMap> {
      if (request.synapse !== SYNAPSE) throw new OcrInputError(`the ocr subnet serves the synapse "${SYNAPSE}", not "${request.synapse}"`);
      const input = recInput(readImageTensor(request.body));
      const x: Tensor = { dtype: "float32", dims: input.dims, data: new Uint8Array(input.data.buffer, input.data.byteOffset, input.data.byteLength) };
      const outputs = await ctx.models.run(REC_MODEL, new Map([[REC_INPUT, x]]), request.signal);
      const { scores, steps, classes } = readScores(outputs);
      const { text } = ctcGreedyDecode(scores, steps, classes, charset);
      // Spaces at either end of a line carry nothing.
      return new Map([[TEXT_TENSOR, textTensor(text.trim())]]);
    },
  };
}
