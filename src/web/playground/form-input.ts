/**
 * What the form holds, to the synapse's input JSON and back (pure). Values are kept as the inputs
 * hold them: text for text, number and JSON boxes, the option's index (as text) for a choice, a
 * boolean for a checkbox, one text per item for a list, and the file's base64 for an image. Reading
 * checks what each field's schema says (types, bounds, lengths, required), naming the first problem
 * of each field by its JSON path, as the gateway would; anything subtler is left to the gateway.
 */
import type { FormField, NumberField, ScalarField, TextField } from "./schema-fields.js";

export type FieldValue = string | boolean | readonly string[];
export type FormValues = Readonly<Record<string, FieldValue>>;

export interface FieldProblem {
  /** The field's name. */
  readonly field: string;
  /** Which item of a list field, when the problem is one item's. */
  readonly index?: number;
  /** The JSON path and what is wrong, in one sentence: `input[3]: must be an integer from -8 to 8`. */
  readonly message: string;
}

export type ReadResult = { readonly ok: true; readonly input: unknown } | { readonly ok: false; readonly problems: readonly FieldProblem[] };

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const pathOf = (name: string, index?: number): string => `${name || "input"}${index === undefined ? "" : `[${index}]`}`;

/** The value a field starts with, from the synapse's example (or empty). */
function initialValue(field: FormField, example: unknown): FieldValue {
  switch (field.kind) {
    case "boolean":
      return example === true;
    case "list":
      return Array.from({ length: field.length }, (_, i) => (Array.isArray(example) ? scalarText(field.item, example[i]) : ""));
    case "json":
      return example === undefined ? "" : JSON.stringify(example, null, 2);
    case "image":
      return typeof example === "string" ? example : "";
    default:
      return scalarText(field, example);
  }
}

function scalarText(field: ScalarField, value: unknown): string {
  if (field.kind === "choice") {
    const index = field.options.findIndex((option) => option === value);
    return index < 0 ? "" : String(index);
  }
  return typeof value === "string" || typeof value === "number" ? String(value) : "";
}

/** Every field's starting value: the example's where it has one. */
export function initialValuesOf(fields: readonly FormField[], example: unknown): Record<string, FieldValue> {
  const record = typeof example === "object" && example !== null && !Array.isArray(example) ? (example as Record<string, unknown>) : {};
  return Object.fromEntries(fields.map((field) => [field.name, initialValue(field, field.name === "" ? example : record[field.name])]));
}

type Parsed = { readonly value: unknown } | { readonly problem: string } | { readonly missing: true };

/** What a number field asks for, in words: `must be an integer from -8 to 8`. */
export function numberRule(field: NumberField): string {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = field;
  const kind = field.integer ? "an integer" : "a number";
  if (minimum !== undefined && maximum !== undefined) return `must be ${kind} from ${minimum} to ${maximum}`;
  const low = minimum !== undefined ? `at least ${minimum}` : exclusiveMinimum !== undefined ? `over ${exclusiveMinimum}` : undefined;
  const high = maximum !== undefined ? `at most ${maximum}` : exclusiveMaximum !== undefined ? `under ${exclusiveMaximum}` : undefined;
  const bounds = [low, high].filter((b) => b !== undefined).join(" and ");
  return bounds ? `must be ${kind} ${bounds}` : `must be ${kind}`;
}

function obeys(field: NumberField, n: number): boolean {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = field;
  return (
    Number.isFinite(n) &&
    (!field.integer || Number.isInteger(n)) &&
    (minimum === undefined || n >= minimum) &&
    (maximum === undefined || n <= maximum) &&
    (exclusiveMinimum === undefined || n > exclusiveMinimum) &&
    (exclusiveMaximum === undefined || n < exclusiveMaximum)
  );
}

function textProblem(field: TextField, value: string): string | undefined {
  const length = [...value].length; // JSON Schema counts code points
  if (field.minLength !== undefined && length < field.minLength) return `must be at least ${field.minLength} characters long`;
  if (field.maxLength !== undefined && length > field.maxLength) return `must be at most ${field.maxLength} characters long`;
  return undefined;
}

function parseScalar(field: ScalarField, raw: FieldValue | undefined): Parsed {
  if (field.kind === "boolean") return { value: raw === true };
  const value = typeof raw === "string" ? raw : "";
  switch (field.kind) {
    case "choice": {
      if (value === "") return { missing: true };
      const index = Number(value);
      return Number.isInteger(index) && index >= 0 && index < field.options.length ? { value: field.options[index] } : { problem: "must be one of the choices offered" };
    }
    case "number": {
      const trimmed = value.trim();
      if (trimmed === "") return { missing: true };
      const n = DECIMAL.test(trimmed) ? Number(trimmed) : Number.NaN;
      return obeys(field, n) ? { value: n } : { problem: numberRule(field) };
    }
    case "text": {
      if (value === "" && !field.required) return { missing: true };
      const problem = textProblem(field, value);
      return problem ? { problem } : { value };
    }
  }
}

function parseField(field: FormField, raw: FieldValue | undefined): { value: unknown } | { problems: FieldProblem[] } | { missing: true } {
  const one = (message: string, index?: number): { problems: FieldProblem[] } => ({
    problems: [{ field: field.name, ...(index === undefined ? {} : { index }), message: `${pathOf(field.name, index)}: ${message}` }],
  });
  switch (field.kind) {
    case "image": {
      const base64 = typeof raw === "string" ? raw : "";
      return base64 === "" ? { missing: true } : { value: base64 };
    }
    case "json": {
      const source = typeof raw === "string" ? raw.trim() : "";
      if (source === "") return { missing: true };
      try {
        return { value: JSON.parse(source) };
      } catch (error) {
        return one(`is not JSON (${(error as Error).message})`);
      }
    }
    case "list": {
      const items = Array.isArray(raw) ? raw : [];
      if (items.every((item) => item.trim() === "")) return { missing: true };
      const values: unknown[] = [];
      const problems: FieldProblem[] = [];
      for (let i = 0; i < field.length; i++) {
        const parsed = parseScalar(field.item, items[i] ?? "");
        if ("value" in parsed) values.push(parsed.value);
        else problems.push(...one("missing" in parsed ? "is empty" : parsed.problem, i).problems);
      }
      return problems.length > 0 ? { problems } : { value: values };
    }
    default: {
      const parsed = parseScalar(field, raw);
      return "problem" in parsed ? one(parsed.problem) : parsed;
    }
  }
}

const MISSING: Readonly<Record<FormField["kind"], string>> = {
  image: "choose an image file",
  json: "enter a JSON value",
  list: "fill in every item",
  text: "is required",
  number: "is required",
  boolean: "is required",
  choice: "choose one",
};

/** The synapse's input from the form's values, or every field's problem. */
export function readInput(fields: readonly FormField[], values: FormValues): ReadResult {
  const input: Record<string, unknown> = {};
  const problems: FieldProblem[] = [];
  for (const field of fields) {
    const parsed = parseField(field, values[field.name]);
    if ("problems" in parsed) problems.push(...parsed.problems);
    else if ("value" in parsed) {
      if (field.name === "") return problems.length > 0 ? { ok: false, problems } : { ok: true, input: parsed.value };
      input[field.name] = parsed.value;
    } else if (field.required) problems.push({ field: field.name, message: `${pathOf(field.name)}: ${MISSING[field.kind]}` });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, input };
}
