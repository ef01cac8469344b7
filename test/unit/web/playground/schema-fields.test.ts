import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RECOGNIZE_INPUT } from "../../../../subnets/ocr/api.js";
import { INFER_INPUT } from "../../../../subnets/tiny/api.js";
import { formFieldsOf, MAX_LIST_INPUTS } from "../../../../src/web/playground/schema-fields.js";

describe("a synapse's input schema as form fields", () => {
  it("OCR's base64 image/* string is an image upload", () => {
    assert.deepEqual(formFieldsOf(RECOGNIZE_INPUT), [
      { kind: "image", name: "image", label: "image", description: (RECOGNIZE_INPUT.properties as { image: { description: string } }).image.description, required: true, accept: "image/*" },
    ]);
  });

  it("tiny's 16 integers in -8..8 are a row of 16 bounded integer inputs", () => {
    const [field] = formFieldsOf(INFER_INPUT);
    assert.equal(field?.kind, "list");
    assert.ok(field?.kind === "list");
    assert.equal(field.length, 16);
    assert.deepEqual(field.item, { kind: "number", name: "input[]", label: "input[]", description: "", required: true, integer: true, minimum: -8, maximum: 8 });
  });

  it("strings, numbers, integers with bounds, booleans and enums each get their control, in the schema's order, required or not", () => {
    const fields = formFieldsOf({
      type: "object",
      required: ["prompt", "mode"],
      properties: {
        prompt: { type: "string", title: "Prompt", description: "what to say", maxLength: 80 },
        temperature: { type: "number", exclusiveMinimum: 0, maximum: 2 },
        steps: { type: ["integer", "null"], minimum: 1 },
        loud: { type: "boolean" },
        mode: { enum: ["fast", "good", 3] },
        fixed: { const: "v1" },
      },
    });
    assert.deepEqual(fields, [
      { kind: "text", name: "prompt", label: "Prompt", description: "what to say", required: true, maxLength: 80 },
      { kind: "number", name: "temperature", label: "temperature", description: "", required: false, integer: false, maximum: 2, exclusiveMinimum: 0 },
      { kind: "number", name: "steps", label: "steps", description: "", required: false, integer: true, minimum: 1 },
      { kind: "boolean", name: "loud", label: "loud", description: "", required: false },
      { kind: "choice", name: "mode", label: "mode", description: "", required: true, options: ["fast", "good", 3] },
      { kind: "choice", name: "fixed", label: "fixed", description: "", required: false, options: ["v1"] },
    ]);
  });

  it("what a form cannot show well is edited as JSON: nested objects, arrays of any length or too long, tuples, combinators", () => {
    const fields = formFieldsOf({
      type: "object",
      properties: {
        nested: { type: "object", properties: { a: { type: "string" } } },
        anyLength: { type: "array", items: { type: "number" } },
        tooLong: { type: "array", minItems: MAX_LIST_INPUTS + 1, maxItems: MAX_LIST_INPUTS + 1, items: { type: "number" } },
        tuple: { type: "array", minItems: 2, maxItems: 2, prefixItems: [{ type: "string" }, { type: "number" }], items: { type: "number" } },
        either: { oneOf: [{ type: "string" }, { type: "number" }] },
        flags: { type: "array", minItems: 3, maxItems: 3, items: { type: "boolean" } },
        unspecified: true,
      },
    });
    assert.deepEqual(
      fields.map((f) => [f.name, f.kind]),
      [["nested", "json"], ["anyLength", "json"], ["tooLong", "json"], ["tuple", "json"], ["either", "json"], ["flags", "json"], ["unspecified", "json"]],
    );
  });

  it("an input that is not an object of properties is one JSON field for the whole input", () => {
    for (const schema of [{ type: "array", items: { type: "number" } }, { type: "object" }, {}, true, null]) {
      const fields = formFieldsOf(schema);
      assert.equal(fields.length, 1, JSON.stringify(schema));
      assert.deepEqual({ name: fields[0]!.name, kind: fields[0]!.kind }, { name: "", kind: "json" }, JSON.stringify(schema));
    }
  });

  it("a base64 string of another media type is text, not an image", () => {
    const [field] = formFieldsOf({ type: "object", properties: { blob: { type: "string", contentEncoding: "base64", contentMediaType: "application/pdf" } } });
    assert.equal(field?.kind, "text");
  });
});
