import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileJsonSchema } from "../../../src/subnet/json-schema.js";
import { PluginError } from "../../../src/subnet/manifest.js";

const ROW = {
  type: "object",
  properties: {
    input: { type: "array", minItems: 16, maxItems: 16, items: { type: "integer", minimum: -8, maximum: 8 } },
    options: {
      type: "object",
      properties: { mode: { enum: ["fast", "exact"] }, "odd key": { type: "boolean" }, "3": { type: "string" } },
      additionalProperties: false,
    },
  },
  required: ["input"],
  additionalProperties: false,
};
const row = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({ input: Array<number>(16).fill(1), ...overrides });

describe("compileJsonSchema", () => {
  const check = compileJsonSchema(ROW, "test: row");

  it("accepts a valid value: no problem", () => {
    assert.equal(check(row()), undefined);
    assert.equal(check(row({ options: { mode: "exact", "odd key": true, "3": "x" } })), undefined);
  });

  it("names a missing or unexpected property, at the root with no path", () => {
    assert.equal(check({}), 'must have the property "input"');
    assert.equal(check(row({ foo: 1 })), 'must not have the property "foo"');
    assert.equal(check(row({ options: { speed: 2 } })), 'options: must not have the property "speed"');
  });

  it("names the type expected and the kind of value found, with its JSON path", () => {
    assert.equal(check([]), "must be an object, not an array");
    assert.equal(check(null), "must be an object, not null");
    assert.equal(check({ input: "1,2,3" }), "input: must be an array, not a string");
    assert.equal(check(row({ options: { "odd key": "yes" } })), 'options["odd key"]: must be true or false, not a string');
    assert.equal(check(row({ options: { "3": 3 } })), 'options["3"]: must be a string, not 3', "an object's numeric key is not an array index");
  });

  it("names array items by index and says the count expected and found", () => {
    assert.equal(check({ input: [1, 2, 3] }), "input: must have 16 items, not 3");
    assert.equal(check({ input: Array<number>(17).fill(0) }), "input: must have 16 items, not 17");
    const input = Array<number>(16).fill(0);
    input[3] = 9;
    assert.equal(check({ input }), "input[3]: must be from -8 to 8, not 9");
    input[3] = 1.5;
    assert.equal(check({ input }), "input[3]: must be an integer, not 1.5");
    input[3] = Number.NaN;
    assert.equal(check({ input }), "input[3]: must be an integer, not NaN", "NaN and Infinity are not numbers (JSON has neither)");
  });

  it("says what enum, const, string, number and array keywords want", () => {
    const cases: [Record<string, unknown>, unknown, string][] = [
      [{ enum: ["fast", "exact"] }, "slow", 'must be one of "fast", "exact"'],
      [{ const: 42 }, 41, "must be 42"],
      [{ type: "string", minLength: 2 }, "a", "must have at least 2 characters"],
      [{ type: "string", maxLength: 1 }, "ab", "must have at most 1 character"],
      [{ type: "string", pattern: "^[a-z]+$" }, "A", "must match the pattern ^[a-z]+$"],
      [{ type: "number", minimum: 0 }, -1, "must be at least 0, not -1"],
      [{ type: "number", maximum: 1 }, 2, "must be at most 1, not 2"],
      [{ type: "number", exclusiveMinimum: 0 }, 0, "must be greater than 0, not 0"],
      [{ type: "number", exclusiveMaximum: 1 }, 1, "must be less than 1, not 1"],
      [{ type: "number", multipleOf: 5 }, 7, "must be a multiple of 5, not 7"],
      [{ type: "array", minItems: 2 }, [1], "must have at least 2 items, not 1"],
      [{ type: "array", maxItems: 1 }, [1, 2], "must have at most 1 item, not 2"],
      [{ type: "array", uniqueItems: true }, [1, 2, 1], "must not have duplicate items (items 0 and 2 are equal)"],
      [{ type: "array", prefixItems: [{ type: "number" }], minItems: 1, items: false }, [1, 2], "must have at most 1 item"],
      [{ type: "object", minProperties: 1 }, {}, "must have at least 1 property"],
      [{ type: ["string", "null"] }, 3, "must be a string or null, not 3"],
    ];
    for (const [schema, value, expected] of cases) assert.equal(compileJsonSchema(schema, "test")(value), expected, JSON.stringify(schema));
  });

  it("reports combinators by their first problem: anyOf with its first branch, if/then by the branch that failed", () => {
    assert.equal(compileJsonSchema({ anyOf: [{ type: "string" }, { type: "integer" }] }, "t")(1.5), "must match one of its allowed forms (against the first: must be a string, not 1.5)");
    assert.equal(compileJsonSchema({ oneOf: [{ type: "number" }, { type: "integer" }] }, "t")(1), "must match exactly one of its allowed forms, not forms 0 and 1");
    const ifThen = compileJsonSchema(
      { type: "object", properties: { kind: { type: "string" }, size: { type: "integer" } }, if: { properties: { kind: { const: "big" } } }, then: { properties: { size: { type: "integer" } }, required: ["size"] } },
      "t",
    );
    assert.equal(ifThen({ kind: "big" }), 'must have the property "size"');
    assert.equal(ifThen({ kind: "small" }), undefined);
  });

  it("allows the annotation keywords a public interface uses: title, description, examples, contentEncoding, contentMediaType", () => {
    const image = compileJsonSchema({ title: "t", description: "d", examples: [{ image: "" }], type: "object", properties: { image: { type: "string", contentEncoding: "base64", contentMediaType: "image/*" } } }, "t");
    assert.equal(image({ image: "not base64 at all" }), undefined, "content keywords annotate; they do not validate");
  });

  it("compiles schemas independently: two with the same $id do not clash", () => {
    const a = compileJsonSchema({ $id: "https://example.com/s", type: "string" }, "a");
    const b = compileJsonSchema({ $id: "https://example.com/s", type: "number" }, "b");
    assert.equal(a("x"), undefined);
    assert.equal(b(1), undefined);
  });

  it("throws a PluginError (PLUGIN_MODULE) naming the schema when it is not a valid strict draft 2020-12 schema", () => {
    const invalid: [unknown, RegExp][] = [
      [{ type: "strin" }, /schema is invalid/],
      [{ type: "string", example: "x" }, /unknown keyword: "example"/],
      [{ minimum: 0 }, /missing type "number" for keyword "minimum"/],
      [{ type: "object", required: ["a"] }, /required property "a" is not defined/],
      [{ type: "array", prefixItems: [{ type: "number" }] }, /"prefixItems" is 1-tuple, but minItems or maxItems\/items are not specified/],
      [{ type: "string", format: "email" }, /unknown format "email"/],
      [{ $ref: "#/$defs/nowhere" }, /can't resolve reference/],
      [{ $schema: "http://json-schema.org/draft-07/schema#", type: "string" }, /draft-07/],
    ];
    for (const [schema, message] of invalid) {
      assert.throws(
        () => compileJsonSchema(schema as Record<string, unknown>, "tiny api: infer.input"),
        (error: unknown) => {
          assert.ok(error instanceof PluginError, `a PluginError for ${JSON.stringify(schema)}`);
          assert.equal(error.code, "PLUGIN_MODULE");
          assert.match(error.message, /^tiny api: infer\.input: not a valid JSON Schema \(draft 2020-12, strict\): /);
          assert.match(error.message, message);
          return true;
        },
      );
    }
  });
});
