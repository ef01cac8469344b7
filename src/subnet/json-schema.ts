/**
 * JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) compiled into a checker that names the
 * first problem with a value in one sentence, with its JSON path: `image: must be a string, not a
 * number`, `input: must have 16 items, not 3`, `must not have the property "foo"`. Schemas are
 * compiled strictly (ajv's strict mode: unknown keywords and formats, keywords that do not fit
 * the declared type, `required` names no `properties` beside it defines, tuples open at the end
 * are errors), so a plugin's typo fails at load instead of accepting everything. Compile a schema once, when the plugin loads; the checker is cheap to call.
 */
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import { PluginError } from "./manifest.js";
import type { JsonSchema } from "./plugin.js";

/** The first problem with `value` as one sentence (with its JSON path), or undefined when it is valid. */
export type JsonChecker = (value: unknown) => string | undefined;

/**
 * Compiles `schema` into a checker. `what` names the schema in the error thrown when it is not a
 * valid strict draft 2020-12 schema (a PluginError, code PLUGIN_MODULE), e.g. "ocr api: recognize.input".
 */
export function compileJsonSchema(schema: JsonSchema | boolean, what: string): JsonChecker {
  // One instance per schema: schemas never see each other's $id, and nothing is shared between callers.
  const ajv = new Ajv2020({ strict: true, strictNumbers: true, allErrors: false, verbose: true, logger: false });
  let validate: ReturnType<typeof ajv.compile>;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    throw new PluginError("PLUGIN_MODULE", `${what}: not a valid JSON Schema (draft 2020-12, strict): ${(error as Error).message}`);
  }
  return (value: unknown): string | undefined => {
    if (validate(value)) return undefined;
    return describeFirstError(validate.errors ?? [], value);
  };
}

/**
 * The error to report: with allErrors off, ajv stops at the first failing keyword, listing first
 * what failed inside it (the branches of an anyOf, the `then` of an if) and the keyword itself last.
 */
function describeFirstError(errors: readonly ErrorObject[], root: unknown): string {
  const last = errors[errors.length - 1];
  if (!last) return "does not match its schema";
  // An if/then/else: the branch's own problem says more than "must match the then schema".
  const error = last.keyword === "if" && errors.length > 1 ? errors[errors.length - 2]! : last;
  const path = jsonPath(error.instancePath, root);
  const problem = describeProblem(error, errors);
  return path === "" ? problem : `${path}: ${problem}`;
}

function describeProblem(error: ErrorObject, all: readonly ErrorObject[]): string {
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as Record<string, unknown>;
  const data: unknown = error.data;
  switch (error.keyword) {
    case "type":
      return `must be ${typeNames(params.type)}, not ${describeValue(data)}`;
    case "required":
      return `must have the property ${JSON.stringify(params.missingProperty)}`;
    case "additionalProperties":
      return `must not have the property ${JSON.stringify(params.additionalProperty)}`;
    case "unevaluatedProperties":
      return `must not have the property ${JSON.stringify(params.unevaluatedProperty)}`;
    case "dependentRequired":
      return `must have the property ${JSON.stringify(params.missingProperty)} when it has ${JSON.stringify(params.property)}`;
    case "minItems":
    case "maxItems": {
      const count = Array.isArray(data) ? `, not ${data.length}` : "";
      if (parent.minItems === parent.maxItems) return `must have ${plural(params.limit, "item")}${count}`;
      return `must have ${error.keyword === "minItems" ? "at least" : "at most"} ${plural(params.limit, "item")}${count}`;
    }
    case "items":
    case "unevaluatedItems":
      return `must have at most ${plural(params.limit, "item")}`;
    case "minimum":
    case "maximum":
      if (typeof parent.minimum === "number" && typeof parent.maximum === "number") return `must be from ${parent.minimum} to ${parent.maximum}, not ${describeValue(data)}`;
      return `must be ${error.keyword === "minimum" ? "at least" : "at most"} ${String(params.limit)}, not ${describeValue(data)}`;
    case "exclusiveMinimum":
      return `must be greater than ${String(params.limit)}, not ${describeValue(data)}`;
    case "exclusiveMaximum":
      return `must be less than ${String(params.limit)}, not ${describeValue(data)}`;
    case "multipleOf":
      return `must be a multiple of ${String(params.multipleOf)}, not ${describeValue(data)}`;
    case "minLength":
      return `must have at least ${plural(params.limit, "character")}`;
    case "maxLength":
      return `must have at most ${plural(params.limit, "character")}`;
    case "pattern":
      return `must match the pattern ${String(params.pattern)}`;
    case "format":
      return `must be a valid ${String(params.format)}`;
    case "minProperties":
      return `must have at least ${plural(params.limit, "property", "properties")}`;
    case "maxProperties":
      return `must have at most ${plural(params.limit, "property", "properties")}`;
    case "uniqueItems":
      return `must not have duplicate items (items ${String(params.j)} and ${String(params.i)} are equal)`;
    case "enum":
      return `must be one of ${listValues(params.allowedValues)}`;
    case "const":
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case "contains":
    case "minContains":
    case "maxContains":
      return `must contain ${params.maxContains === undefined ? "at least" : "at most"} ${plural(params.maxContains ?? params.minContains ?? 1, "item")} matching its schema`;
    case "propertyNames":
      return `must not have the property ${JSON.stringify(params.propertyName)} (its name does not match the allowed names)`;
    case "anyOf":
    case "oneOf": {
      const passing = params.passingSchemas;
      if (Array.isArray(passing)) return `must match exactly one of its allowed forms, not forms ${passing.join(" and ")}`;
      const first = all.find((e) => e !== error && e.instancePath === error.instancePath);
      return `must match one of its allowed forms${first ? ` (against the first: ${describeProblem(first, all)})` : ""}`;
    }
    case "not":
      return "must not match the form its schema excludes";
    case "false schema":
      return "is not allowed";
    default:
      return error.message ?? `does not satisfy "${error.keyword}"`;
  }
}

/** A JSON pointer (ajv's instancePath) as a JSON path: `input[3]`, `options.size`, `["odd key"]`. */
function jsonPath(pointer: string, root: unknown): string {
  if (pointer === "") return "";
  let path = "";
  let node: unknown = root;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(node)) path += `[${key}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) path += path === "" ? key : `.${key}`;
    else path += `[${JSON.stringify(key)}]`;
    node = typeof node === "object" && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  }
  return path;
}

const ARTICLE: Readonly<Record<string, string>> = { string: "a string", number: "a number", integer: "an integer", boolean: "true or false", array: "an array", object: "an object", null: "null" };

function typeNames(type: unknown): string {
  const types = Array.isArray(type) ? type : String(type).split(",");
  const names = types.map((t) => ARTICLE[String(t)] ?? String(t));
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}

/** A value as a sentence names it: numbers, booleans and null as themselves, the rest by kind (a user's string can be megabytes). */
function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "number":
    case "boolean":
      return String(value);
    case "string":
      return "a string";
    case "object":
      return "an object";
    default:
      return typeof value;
  }
}

function plural(count: unknown, one: string, many = `${one}s`): string {
  return `${String(count)} ${count === 1 ? one : many}`;
}

function listValues(values: unknown): string {
  const list = Array.isArray(values) ? values : [values];
  const shown = list.slice(0, 10).map((v) => JSON.stringify(v));
  return list.length > 10 ? `${shown.join(", ")}, …` : shown.join(", ");
}
