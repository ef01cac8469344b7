/**
 * Builds the tiny subnet's ONNX model from its definition (model.ts) — nothing is downloaded:
 *
 *     x [batch,16] → MatMul W1 → Add b1 → Relu → MatMul W2 → Add b2 → y [batch,8]
 *
 * The bytes are deterministic (same weights, same protobuf field order, little-endian raw_data,
 * no timestamps). scripts/generate-tiny-model.ts writes them to models/tiny-mlp.onnx.
 */
import { createHash } from "node:crypto";
// onnx-proto is CommonJS built by protobufjs: Node's ESM loader exposes only a default export
// (a named value `import { onnx }` type-checks but fails at run time; type-only imports are fine).
import onnxProto from "onnx-proto";
import type { onnx as OnnxTypes } from "onnx-proto";
import {
  TINY_BATCH_DIM,
  TINY_HIDDEN,
  TINY_IN,
  TINY_INPUT_NAME,
  TINY_IR_VERSION,
  TINY_OPSET,
  TINY_OUT,
  TINY_OUTPUT_NAME,
  tinyWeights,
} from "./model.js";

const { onnx } = onnxProto;

/** A float32 initializer with little-endian raw_data (independent of the host's byte order). */
function floatInitializer(name: string, dims: readonly number[], values: Int32Array): OnnxTypes.ITensorProto {
  const count = dims.reduce((a, b) => a * b, 1);
  if (values.length !== count) throw new Error(`initializer ${name}: ${values.length} values for shape [${dims.join(", ")}]`);
  const raw = new Uint8Array(count * 4);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return { name, dims: [...dims], dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw };
}

/** A float32 graph input/output with a symbolic batch dimension. */
function floatValueInfo(name: string, width: number): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: [{ dimParam: TINY_BATCH_DIM }, { dimValue: width }] },
      },
    },
  };
}

function node(opType: string, inputs: string[], output: string): OnnxTypes.INodeProto {
  return { name: output, opType, input: inputs, output: [output], domain: "" };
}

/** The serialized ModelProto (a fresh Uint8Array, not a view into a pooled Buffer). */
export function buildTinyModel(): Uint8Array {
  const { w1, b1, w2, b2 } = tinyWeights();
  const graph: OnnxTypes.IGraphProto = {
    name: "tiny_mlp",
    node: [
      node("MatMul", [TINY_INPUT_NAME, "W1"], "xW1"),
      node("Add", ["xW1", "b1"], "pre1"),
      node("Relu", ["pre1"], "h"),
      node("MatMul", ["h", "W2"], "hW2"),
      node("Add", ["hW2", "b2"], TINY_OUTPUT_NAME),
    ],
    initializer: [
      floatInitializer("W1", [TINY_IN, TINY_HIDDEN], w1),
      floatInitializer("b1", [TINY_HIDDEN], b1),
      floatInitializer("W2", [TINY_HIDDEN, TINY_OUT], w2),
      floatInitializer("b2", [TINY_OUT], b2),
    ],
    input: [floatValueInfo(TINY_INPUT_NAME, TINY_IN)],
    output: [floatValueInfo(TINY_OUTPUT_NAME, TINY_OUT)],
  };
  const model = onnx.ModelProto.create({
    irVersion: TINY_IR_VERSION,
    opsetImport: [{ domain: "", version: TINY_OPSET }],
    producerName: "tensornode",
    producerVersion: "tiny-1",
    modelVersion: 1,
    docString: "tensornode tiny subnet: y = Relu(x·W1 + b1)·W2 + b2 with small integer weights (exact in float32).",
    graph,
  });
  const err = onnx.ModelProto.verify(model);
  if (err) throw new Error(`tiny model: invalid ModelProto: ${err}`);
  return new Uint8Array(onnx.ModelProto.encode(model).finish());
}

/** Lowercase hex sha256 of the bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

