/** The tiny subnet's miner side: checks the input, runs the model (in the daemon's inference workers). */
import { float32Values, type MinerContext, type MinerRequest, type MinerSide, type Tensor, type TensorMap } from "../../src/subnet/plugin.js";
import { TINY_IN, TINY_INPUT_NAME, TINY_OUTPUT_NAME } from "./model.js";
import { TinyInputError, tinyInputProblem } from "./reference.js";

/** The input tensor's values, after checking its dtype, shape and range. */
export function readTinyInput(body: TensorMap): { values: Float32Array; batch: number; tensor: Tensor } {
  const tensor = body.get(TINY_INPUT_NAME);
  if (!tensor || tensor.dtype !== "float32" || tensor.dims.length !== 2 || tensor.dims[1] !== TINY_IN)
    throw new TinyInputError(`expected ${TINY_INPUT_NAME}: float32 [batch, ${TINY_IN}]`);
  const values = float32Values(tensor);
  const batch = tensor.dims[0]!;
  const problem = tinyInputProblem(values, batch);
  if (problem) throw new TinyInputError(problem);
  return { values, batch, tensor };
}

export async function createMiner(ctx: MinerContext): Promise<MinerSide> {
  return {
    async answer(request: MinerRequest): Promise<TensorMap> {
      const { tensor } = readTinyInput(request.body);
      const outputs = await ctx.models.run("tiny-mlp", new Map([[TINY_INPUT_NAME, tensor]]), { signal: request.signal });
      const y = outputs.get(TINY_OUTPUT_NAME);
      if (!y) throw new Error(`the model gave no ${TINY_OUTPUT_NAME}`);
      return new Map([[TINY_OUTPUT_NAME, y]]);
    },
  };
}
