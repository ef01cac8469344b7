import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as ort from "onnxruntime-node";
import { buildTinyModel, sha256Hex } from "../../../subnets/tiny/build-model.js";
import {
  FLOAT32_EXACT_INT,
  TINY_HIDDEN,
  TINY_IN,
  TINY_INPUT_MAX,
  TINY_INPUT_MIN,
  TINY_INPUT_NAME,
  TINY_MODEL_SHA256,
  TINY_OUT,
  TINY_OUTPUT_NAME,
  tinyIntermediateBound,
  tinyWeights,
} from "../../../subnets/tiny/model.js";
import { TinyInputError, tinyInputProblem, tinyOutputsEqual, tinyReference, validTinyInput } from "../../../subnets/tiny/reference.js";
import { prng } from "../../../src/util/prng.js";

/** A valid random input: integers uniform in [TINY_INPUT_MIN, TINY_INPUT_MAX]. */
function randomInput(next: () => number, batch: number): Float32Array {
  const x = new Float32Array(batch * TINY_IN);
  for (let i = 0; i < x.length; i++) x[i] = TINY_INPUT_MIN + Math.floor(next() * (TINY_INPUT_MAX - TINY_INPUT_MIN + 1));
  return x;
}

describe("tiny model definition", () => {
  it("draws the same integer weights every time, within their ranges", () => {
    const a = tinyWeights();
    const b = tinyWeights();
    assert.deepEqual(a, b);
    assert.equal(a.w1.length, TINY_IN * TINY_HIDDEN);
    assert.equal(a.b1.length, TINY_HIDDEN);
    assert.equal(a.w2.length, TINY_HIDDEN * TINY_OUT);
    assert.equal(a.b2.length, TINY_OUT);
    for (const v of [...a.w1, ...a.w2]) assert.ok(Number.isInteger(v) && Math.abs(v) <= 4);
    for (const v of [...a.b1, ...a.b2]) assert.ok(Number.isInteger(v) && Math.abs(v) <= 16);
    a.w1[0] = 99; // a caller's copy is its own
    assert.notEqual(tinyWeights().w1[0], 99);
  });

  it("keeps every intermediate value far below 2^24 (exact in float32) and MatMul operands below 2^11 (exact in TF32)", () => {
    const bound = tinyIntermediateBound();
    assert.ok(bound.intermediate < FLOAT32_EXACT_INT / 256, `max intermediate ${bound.intermediate}`);
    assert.ok(bound.hidden < 2 ** 11, `max hidden ${bound.hidden}`);
  });
});

describe("tiny model generator", () => {
  it("produces the same bytes on every build, with the pinned sha256", () => {
    const a = buildTinyModel();
    const b = buildTinyModel();
    assert.ok(a instanceof Uint8Array);
    assert.equal(sha256Hex(a), sha256Hex(b));
    assert.deepEqual(a, b);
    assert.equal(sha256Hex(a), TINY_MODEL_SHA256);
  });
});

describe("tiny model on onnxruntime-node", () => {
  let session: ort.InferenceSession;
  before(async () => {
    session = await ort.InferenceSession.create(buildTinyModel());
  });

  async function run(x: Float32Array, batch: number): Promise<Float32Array> {
    const out = await session.run({ [TINY_INPUT_NAME]: new ort.Tensor("float32", x, [batch, TINY_IN]) });
    const y = out[TINY_OUTPUT_NAME];
    assert.ok(y, "output missing");
    assert.equal(y.type, "float32");
    assert.deepEqual(y.dims, [batch, TINY_OUT]);
    assert.ok(y.data instanceof Float32Array);
    return y.data;
  }

  it("has the declared input and output names", () => {
    assert.deepEqual(session.inputNames, [TINY_INPUT_NAME]);
    assert.deepEqual(session.outputNames, [TINY_OUTPUT_NAME]);
  });

  it("equals the JS reference exactly for 200 seeded random inputs at batch 1, 7 and 64", async () => {
    const next = prng(20240611);
    let anyNonZero = false;
    for (const batch of [1, 7, 64]) {
      for (let t = 0; t < 200; t++) {
        const x = randomInput(next, batch);
        const expected = tinyReference(x, batch);
        const actual = await run(x, batch);
        assert.equal(actual.length, expected.length);
        for (let i = 0; i < expected.length; i++) {
          if (actual[i] !== expected[i]) assert.fail(`batch ${batch}, trial ${t}, element ${i}: onnxruntime ${actual[i]} ≠ reference ${expected[i]}`);
          if (expected[i] !== 0) anyNonZero = true;
        }
        assert.ok(tinyOutputsEqual(expected, actual));
      }
    }
    assert.ok(anyNonZero, "outputs are not all zero");
  });

  it("is exact at the corners of the input range", async () => {
    const rows = [
      new Array<number>(TINY_IN).fill(TINY_INPUT_MAX),
      new Array<number>(TINY_IN).fill(TINY_INPUT_MIN),
      new Array<number>(TINY_IN).fill(0),
      Array.from({ length: TINY_IN }, (_, i) => (i % 2 === 0 ? TINY_INPUT_MAX : TINY_INPUT_MIN)),
      Array.from({ length: TINY_IN }, (_, i) => (i % 2 === 0 ? TINY_INPUT_MIN : TINY_INPUT_MAX)),
    ];
    const x = Float32Array.from(rows.flat());
    const expected = tinyReference(x, rows.length);
    for (const v of expected) assert.ok(Number.isInteger(v) && Math.abs(v) <= tinyIntermediateBound().intermediate);
    assert.ok(tinyOutputsEqual(expected, await run(x, rows.length)));
  });

  it("detects a wrong answer (one element off by 1)", async () => {
    const next = prng(7);
    const batch = 7;
    const x = randomInput(next, batch);
    const expected = tinyReference(x, batch);
    const answer = await run(x, batch);
    assert.ok(tinyOutputsEqual(expected, answer));
    for (const index of [0, 17, answer.length - 1]) {
      const wrong = Float32Array.from(answer);
      wrong[index] = wrong[index]! + 1;
      assert.notEqual(wrong[index], answer[index]);
      assert.equal(tinyOutputsEqual(expected, wrong), false, `element ${index} changed`);
    }
    assert.equal(tinyOutputsEqual(expected, answer.subarray(0, answer.length - 1)), false, "short answer");
  });
});

describe("tiny input validation", () => {
  it("accepts valid inputs (Float32Array and number[])", () => {
    validTinyInput(new Float32Array(TINY_IN), 1);
    validTinyInput(new Array<number>(3 * TINY_IN).fill(TINY_INPUT_MIN), 3);
    assert.equal(tinyInputProblem(new Array<number>(TINY_IN).fill(TINY_INPUT_MAX), 1), undefined);
  });

  const cases: [string, Float32Array | number[], number, RegExp][] = [
    ["wrong length", new Float32Array(TINY_IN + 1), 1, /16 entries.*got 17/],
    ["length of another batch", new Float32Array(2 * TINY_IN), 1, /got 32/],
    ["batch 0", new Float32Array(0), 0, /batch must be an integer/],
    ["fractional batch", new Float32Array(TINY_IN), 1.5, /batch must be an integer/],
    ["NaN batch", new Float32Array(TINY_IN), Number.NaN, /batch must be an integer/],
    ["above range", Float32Array.from({ length: TINY_IN }, (_, i) => (i === 5 ? TINY_INPUT_MAX + 1 : 0)), 1, /entry \[0, 5\].*got 9/],
    ["below range", Float32Array.from({ length: 2 * TINY_IN }, (_, i) => (i === TINY_IN + 3 ? TINY_INPUT_MIN - 1 : 0)), 2, /entry \[1, 3\].*got -9/],
    ["not an integer", Float32Array.from({ length: TINY_IN }, (_, i) => (i === 0 ? 0.5 : 0)), 1, /entry \[0, 0\].*integer.*got 0\.5/],
    ["NaN entry", Float32Array.from({ length: TINY_IN }, (_, i) => (i === 2 ? Number.NaN : 0)), 1, /got NaN/],
    ["Infinity entry", Float32Array.from({ length: TINY_IN }, (_, i) => (i === 2 ? Number.POSITIVE_INFINITY : 0)), 1, /got Infinity/],
  ];
  for (const [name, x, batch, message] of cases) {
    it(`refuses ${name}`, () => {
      assert.throws(() => validTinyInput(x, batch), (e: unknown) => e instanceof TinyInputError && e.code === "TINY_INPUT_INVALID" && message.test(e.message));
      assert.throws(() => tinyReference(x, batch), TinyInputError);
      assert.match(tinyInputProblem(x, batch) ?? "", message);
    });
  }

  it("refuses non-number entries and non-array inputs", () => {
    const mixed = new Array<unknown>(TINY_IN).fill(0);
    mixed[4] = "1";
    assert.throws(() => validTinyInput(mixed as number[], 1), /entry \[0, 4\].*got string/);
    assert.throws(() => validTinyInput(new Array<number>(TINY_IN) as number[], 1), /got undefined/); // holes
    assert.throws(() => validTinyInput("x".repeat(TINY_IN) as unknown as number[], 1), /Float32Array or an array/);
  });
});
