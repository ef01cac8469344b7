import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileJsonSchema } from "../../../src/subnet/json-schema.js";
import { parseManifest } from "../../../src/subnet/manifest.js";
import { PublicInputError, type Tensor, type TensorMap } from "../../../src/subnet/plugin.js";
import { createLogger } from "../../../src/util/logger.js";
import { prng } from "../../../src/util/prng.js";
import { INFER_EXAMPLE, INFER_INPUT, INFER_MAX_BODY_BYTES, INFER_OUTPUT, createPublicApi, inferFromTensors, inferToTensors, TinyAnswerError } from "../../../subnets/tiny/api.js";
import { readTinyInput } from "../../../subnets/tiny/miner.js";
import { tinyReference } from "../../../subnets/tiny/reference.js";
import manifestJson from "../../../subnets/tiny/manifest.json" with { type: "json" };

const checkInput = compileJsonSchema(INFER_INPUT, "tiny api: infer.input");
const checkOutput = compileJsonSchema(INFER_OUTPUT, "tiny api: infer.output");
const row = (values: unknown[]): { input: unknown[] } => ({ input: values });
const ones = (n: number): number[] => Array<number>(n).fill(1);
const y = (values: number[], overrides: Partial<Tensor> = {}): TensorMap => new Map([["y", { dtype: "float32", dims: [1, 8], data: new Uint8Array(Float32Array.from(values).buffer), ...overrides }]]);

/** The message toTensors refuses `input` with, or undefined when it converts it. */
function conversionProblem(input: unknown): string | undefined {
  try {
    inferToTensors(input);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof PublicInputError, `a PublicInputError, got ${String(error)}`);
    assert.equal(error.tooLarge, false);
    return error.message;
  }
}

describe("the tiny subnet's public interface", () => {
  it("offers infer, with strict schemas, the example and a 4 KiB body limit", async () => {
    const manifest = parseManifest(manifestJson, "subnets/tiny/manifest.json");
    assert.equal(manifest.api, "./api");
    const api = await createPublicApi({ manifest, log: createLogger({ level: "silent", format: "json" }) });
    assert.deepEqual(Object.keys(api), ["infer"]);
    const infer = api.infer!;
    assert.equal(infer.input, INFER_INPUT);
    assert.equal(infer.output, INFER_OUTPUT);
    assert.equal(infer.maxBodyBytes, INFER_MAX_BODY_BYTES);
    assert.equal(checkInput(infer.example), undefined, "the example is valid");
    assert.ok(JSON.stringify(infer.example).length < 100);
    const roomy = JSON.stringify(row(Array<number>(16).fill(-8)), null, 8);
    assert.ok(roomy.length < INFER_MAX_BODY_BYTES, `a generously indented input is ${roomy.length} bytes`);
    assert.deepEqual(await infer.toTensors(infer.example), inferToTensors(infer.example));
  });

  it("accepts exactly 16 integers from -8 to 8, in the schema and in the conversion alike", () => {
    const valid = [INFER_EXAMPLE, row(Array<number>(16).fill(-8)), row(Array<number>(16).fill(8)), row([-0, ...ones(15)]), row([2.0, ...ones(15)])];
    for (const input of valid) {
      assert.equal(checkInput(input), undefined, JSON.stringify(input));
      assert.equal(conversionProblem(input), undefined, JSON.stringify(input));
    }
  });

  it("refuses everything else, in the schema and in the conversion alike, naming the same JSON path", () => {
    const cases: [unknown, string, string][] = [
      // input, the schema's sentence, the conversion's sentence
      [{}, 'must have the property "input"', 'must have the property "input"'],
      [[ones(16)], "must be an object, not an array", 'must be an object with the property "input"'],
      [null, "must be an object, not null", 'must be an object with the property "input"'],
      [{ ...row(ones(16)), scale: 2 }, 'must not have the property "scale"', 'must not have the property "scale"'],
      [{ input: "1,1,1" }, "input: must be an array, not a string", "input: must be an array of 16 integers, not a string"],
      [{ input: { 0: 1 } }, "input: must be an array, not an object", "input: must be an array of 16 integers, not an object"],
      [row(ones(15)), "input: must have 16 items, not 15", "input: must have 16 items, not 15"],
      [row(ones(17)), "input: must have 16 items, not 17", "input: must have 16 items, not 17"],
      [row([...ones(3), 9, ...ones(12)]), "input[3]: must be from -8 to 8, not 9", "input[3]: must be an integer from -8 to 8, not 9"],
      [row([...ones(15), -9]), "input[15]: must be from -8 to 8, not -9", "input[15]: must be an integer from -8 to 8, not -9"],
      [row([0.5, ...ones(15)]), "input[0]: must be an integer, not 0.5", "input[0]: must be an integer from -8 to 8, not 0.5"],
      [row([...ones(15), "1"]), "input[15]: must be an integer, not a string", "input[15]: must be an integer from -8 to 8, not a string"],
      [row([null, ...ones(15)]), "input[0]: must be an integer, not null", "input[0]: must be an integer from -8 to 8, not null"],
      [row([true, ...ones(15)]), "input[0]: must be an integer, not true", "input[0]: must be an integer from -8 to 8, not true"],
    ];
    for (const [input, bySchema, byConversion] of cases) {
      assert.equal(checkInput(input), bySchema, JSON.stringify(input));
      assert.equal(conversionProblem(input), byConversion, JSON.stringify(input));
    }
  });

  it("converts an input to the x tensor the miner takes: float32 [1, 16], the same values", () => {
    const random = prng(11);
    for (let trial = 0; trial < 100; trial++) {
      const values = Array.from({ length: 16 }, () => -8 + Math.floor(random() * 17));
      const body = inferToTensors(row(values));
      assert.deepEqual([...body.keys()], ["x"]);
      const { values: x, batch, tensor } = readTinyInput(body); // the miner's own check
      assert.equal(batch, 1);
      assert.deepEqual(tensor.dims, [1, 16]);
      assert.deepEqual(Array.from(x), values);
    }
  });

  it("converts the miner's y, float32 [1, 8], to {output: [8 numbers]} that the output schema accepts", () => {
    const expected = Array.from(tinyReference(INFER_EXAMPLE.input, 1));
    const answer = inferFromTensors(y(expected));
    assert.deepEqual(answer, { output: expected });
    assert.equal(checkOutput(answer), undefined);
    const unaligned = new Uint8Array(33).subarray(1);
    unaligned.set(new Uint8Array(Float32Array.from(expected).buffer));
    assert.deepEqual(inferFromTensors(y([], { data: unaligned })), { output: expected }, "a view at any offset, as from the network");
  });

  it("refuses an answer of another form: missing or extra tensors, another dtype or dims, the wrong byte count, NaN or ±Infinity", () => {
    const good = ones(8);
    const cases: [TensorMap, RegExp][] = [
      [new Map(), /the answer has the tensors \[\]; expected only y/],
      [new Map([...y(good), ["z", { dtype: "float32", dims: [1], data: new Uint8Array(4) }]]), /the answer has the tensors \[y, z\]; expected only y/],
      [y(good, { dtype: "float64" }), /y is float64 \[1, 8\]; expected float32 \[1, 8\]/],
      [y(good, { dims: [8] }), /y is float32 \[8\]; expected float32 \[1, 8\]/],
      [y([...good, ...good], { dims: [2, 8] }), /y is float32 \[2, 8\]/],
      [y(ones(7)), /y has 28 bytes; float32 \[1, 8\] has 32/],
      [y([Number.NaN, ...ones(7)]), /y\[0\] is NaN, not a finite number/],
      [y([...ones(7), Number.NEGATIVE_INFINITY]), /y\[7\] is -Infinity, not a finite number/],
    ];
    for (const [answer, message] of cases) assert.throws(() => inferFromTensors(answer), (error: unknown) => error instanceof TinyAnswerError && error.code === "TINY_ANSWER_INVALID" && message.test(error.message), String(message));
  });

  it("has an output schema that refuses other forms too", () => {
    assert.equal(checkOutput({ output: ones(7) }), "output: must have 8 items, not 7");
    assert.equal(checkOutput({ output: ones(8), extra: 1 }), 'must not have the property "extra"');
    assert.equal(checkOutput({ output: [...ones(7), "1"] }), "output[7]: must be a number, not a string");
  });
});
