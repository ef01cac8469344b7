import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { INFER_EXAMPLE, INFER_INPUT } from "../../../../subnets/tiny/api.js";
import { RECOGNIZE_INPUT } from "../../../../subnets/ocr/api.js";
import { initialValuesOf, readInput } from "../../../../src/web/playground/form-input.js";
import { formFieldsOf } from "../../../../src/web/playground/schema-fields.js";

const SCHEMA = {
  type: "object",
  required: ["prompt", "mode", "row"],
  properties: {
    prompt: { type: "string", minLength: 2, maxLength: 5 },
    temperature: { type: "number", exclusiveMinimum: 0, maximum: 2 },
    steps: { type: "integer", minimum: 1 },
    loud: { type: "boolean" },
    mode: { enum: ["fast", "good", 3] },
    row: { type: "array", minItems: 3, maxItems: 3, items: { type: "integer", minimum: -8, maximum: 8 } },
    extra: { type: "object" },
  },
};
const fields = formFieldsOf(SCHEMA);

describe("the form's values to the synapse's input", () => {
  it("reads each control's text as its schema's type, leaving empty optional fields out", () => {
    const read = readInput(fields, { prompt: "hey", temperature: " 0.5 ", steps: "", loud: true, mode: "2", row: ["1", "-8", "+8"], extra: '{"a": [1]}' });
    assert.deepEqual(read, { ok: true, input: { prompt: "hey", temperature: 0.5, loud: true, mode: 3, row: [1, -8, 8], extra: { a: [1] } } });
  });

  it("names every field's problem by its JSON path, one sentence each, as the gateway would", () => {
    const read = readInput(fields, { prompt: "x", temperature: "0", steps: "1.5", loud: false, mode: "", row: ["9", "", "abc"], extra: "{oops" });
    assert.equal(read.ok, false);
    assert.ok(!read.ok);
    assert.deepEqual(
      read.problems.map((p) => [p.field, p.index, p.message.replace(/\(.*\)/, "(…)")]),
      [
        ["prompt", undefined, "prompt: must be at least 2 characters long"],
        ["temperature", undefined, "temperature: must be a number over 0 and at most 2"],
        ["steps", undefined, "steps: must be an integer at least 1"],
        ["mode", undefined, "mode: choose one"],
        ["row", 0, "row[0]: must be an integer from -8 to 8"],
        ["row", 1, "row[1]: is empty"],
        ["row", 2, "row[2]: must be an integer from -8 to 8"],
        ["extra", undefined, "extra: is not JSON (…)"],
      ],
    );
  });

  it("refuses numbers that are not plain decimals, and text over its length in code points", () => {
    for (const text of ["0x10", "1e400", "Infinity", "1,5", "--1"]) {
      const read = readInput(fields, { prompt: "hey", mode: "0", row: ["1", "2", "3"], temperature: text });
      assert.equal(read.ok, false, text);
    }
    assert.equal(readInput(fields, { prompt: "😀😀😀😀😀", mode: "0", row: ["1", "2", "3"] }).ok, true);
    assert.equal(readInput(fields, { prompt: "😀😀😀😀😀😀", mode: "0", row: ["1", "2", "3"] }).ok, false);
  });

  it("asks for a required field left empty, and for the image a synapse needs", () => {
    assert.deepEqual(readInput(fields, {}), {
      ok: false,
      problems: [
        { field: "prompt", message: "prompt: must be at least 2 characters long" },
        { field: "mode", message: "mode: choose one" },
        { field: "row", message: "row: fill in every item" },
      ],
    });
    assert.deepEqual(readInput(formFieldsOf(RECOGNIZE_INPUT), { image: "" }), { ok: false, problems: [{ field: "image", message: "image: choose an image file" }] });
    assert.deepEqual(readInput(formFieldsOf(RECOGNIZE_INPUT), { image: "iVBORw0KGgo=" }), { ok: true, input: { image: "iVBORw0KGgo=" } });
  });

  it("a whole input edited as JSON is that JSON", () => {
    const whole = formFieldsOf({ type: "array" });
    assert.deepEqual(readInput(whole, { "": "[1, 2]" }), { ok: true, input: [1, 2] });
    assert.deepEqual(readInput(whole, { "": " " }), { ok: false, problems: [{ field: "", message: "input: enter a JSON value" }] });
  });

  it("starts from the synapse's example, which reads back as that example", () => {
    const tiny = formFieldsOf(INFER_INPUT);
    const values = initialValuesOf(tiny, INFER_EXAMPLE);
    assert.deepEqual(values, { input: INFER_EXAMPLE.input.map(String) });
    assert.deepEqual(readInput(tiny, values), { ok: true, input: INFER_EXAMPLE });
    const example = { prompt: "hey", temperature: 1.5, loud: true, mode: 3, row: [1, 2, 3], extra: { a: 1 } };
    assert.deepEqual(readInput(fields, initialValuesOf(fields, example)), { ok: true, input: example });
  });
});
