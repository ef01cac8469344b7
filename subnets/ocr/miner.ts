/**
 * The OCR subnet's miner side: checks the text-line image, turns it into the PP-OCRv4 recognition
 * model's input (preprocess.ts), runs the model "rec" in the daemon's inference workers and
 * decodes its output with the dictionary "dict" (ctc.ts).
 */
import { readFile } from "node:fs/promises";
import { argmaxName, float32Values, int32Values, maxName, type MinerContext, type MinerRequest, type MinerSide, type Tensor, type TensorMap } from "../../src/subnet/plugin.js";
import { ctcCharset, ctcCollapse, CtcError } from "./ctc.js";
import { OcrInputError, readImageTensor, SYNAPSE, TEXT_TENSOR, textTensor } from "./image.js";
import { recInput } from "./preprocess.js";

export const REC_MODEL = "rec";
export const DICTIONARY = "dict";
/** The rec model's input name (PaddleOCR's export). */
export const REC_INPUT = "x";

/**
 * The model's output — its only tensor, float32 [1, T, classes] — reduced in the inference worker to
 * each step's best class and score (1 MB of scores per line never reaches the event loop).
 */
function readBest(outputs: ReadonlyMap<string, Tensor>, classes: number): { best: Int32Array; bestScores: Float32Array } {
  const found = [...outputs.keys()].filter((name) => name.endsWith(".argmax"));
  if (found.length !== 1 || outputs.size !== 2) throw new CtcError(`the rec model gave ${outputs.size} outputs (${[...outputs.keys()].join(", ")}), expected 1`);
  const output = found[0]!.slice(0, -".argmax".length);
  const best = outputs.get(argmaxName(output))!;
  const max = outputs.get(maxName(output));
  if (!max || best.dtype !== "int32" || best.dims.length !== 2 || best.dims[0] !== 1) throw new CtcError(`the rec model gave ${best.dtype} [${best.dims.join(", ")}] best classes, expected a float32 [1, T, ${classes}] output`);
  return { best: int32Values(best), bestScores: float32Values(max) };
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
      const outputs = await ctx.models.run(REC_MODEL, new Map([[REC_INPUT, x]]), { signal: request.signal, argmax: true });
      const { best, bestScores } = readBest(outputs, charset.length);
      const { text } = ctcCollapse(best, bestScores, charset);
      // Spaces at either end of a line carry nothing.
      return new Map([[TEXT_TENSOR, textTensor(text.trim())]]);
    },
  };
}
