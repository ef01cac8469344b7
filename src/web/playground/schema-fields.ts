/**
 * A synapse's input JSON Schema (draft 2020-12) as form fields (pure): the properties of an object
 * schema become an image upload (a base64 string of image/* content), a text box, a number box, a
 * checkbox, a choice (enum), or a row of these for an array of fixed length; whatever else a
 * schema says (nested objects, arrays of any length, combinators) is edited as JSON text, so every
 * synapse can be called from the page. The gateway checks the input against the full schema anyway.
 */

export type Scalar = string | number | boolean | null;

interface FieldBase {
  /** The property's name; "" for the whole input (a schema that is not an object of properties). */
  readonly name: string;
  readonly label: string;
  readonly description: string;
  readonly required: boolean;
}

export interface ImageField extends FieldBase {
  readonly kind: "image";
  /** The media types the file picker offers (`contentMediaType`, e.g. image/*). */
  readonly accept: string;
}

export interface TextField extends FieldBase {
  readonly kind: "text";
  readonly minLength?: number;
  readonly maxLength?: number;
}

export interface NumberField extends FieldBase {
  readonly kind: "number";
  readonly integer: boolean;
  /** Inclusive bounds (an exclusive bound is kept apart: it cannot be typed into an input's min/max). */
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
}

export interface BooleanField extends FieldBase {
  readonly kind: "boolean";
}

export interface ChoiceField extends FieldBase {
  readonly kind: "choice";
  readonly options: readonly Scalar[];
}

export type ScalarField = TextField | NumberField | BooleanField | ChoiceField;

export interface ListField extends FieldBase {
  readonly kind: "list";
  readonly length: number;
  /** Each item's field (its name and label are the item's index). */
  readonly item: ScalarField;
}

export interface JsonField extends FieldBase {
  readonly kind: "json";
}

export type FormField = ImageField | ScalarField | ListField | JsonField;

/** Beyond this many items a fixed-length array is edited as JSON: a row of inputs stops being readable. */
export const MAX_LIST_INPUTS = 64;

type Schema = Readonly<Record<string, unknown>>;

const isSchema = (value: unknown): value is Schema => typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === "string" ? value : "");
const finite = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value : undefined);
const isScalar = (value: unknown): value is Scalar => value === null || ["string", "number", "boolean"].includes(typeof value);

/** The single `type` a schema names, if it names exactly one (ignoring "null" beside another). */
function singleType(schema: Schema): string | undefined {
  const type = schema.type;
  if (typeof type === "string") return type;
  if (Array.isArray(type)) {
    const named = type.filter((t): t is string => typeof t === "string" && t !== "null");
    return named.length === 1 ? named[0] : undefined;
  }
  return undefined;
}

function base(name: string, schema: Schema, required: boolean): FieldBase {
  return { name, label: text(schema.title) || name, description: text(schema.description), required };
}

function without<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** A field for a schema that holds one scalar value, or undefined when it holds something else. */
function scalarField(name: string, schema: Schema, required: boolean): ScalarField | undefined {
  const common = base(name, schema, required);
  if (Array.isArray(schema.enum) && schema.enum.length > 0 && schema.enum.every(isScalar)) return { ...common, kind: "choice", options: schema.enum };
  if ("const" in schema && isScalar(schema.const)) return { ...common, kind: "choice", options: [schema.const] };
  switch (singleType(schema)) {
    case "string":
      return without({ ...common, kind: "text" as const, minLength: finite(schema.minLength), maxLength: finite(schema.maxLength) });
    case "integer":
    case "number":
      return without({
        ...common,
        kind: "number" as const,
        integer: singleType(schema) === "integer",
        minimum: finite(schema.minimum),
        maximum: finite(schema.maximum),
        exclusiveMinimum: finite(schema.exclusiveMinimum),
        exclusiveMaximum: finite(schema.exclusiveMaximum),
      });
    case "boolean":
      return { ...common, kind: "boolean" };
    default:
      return undefined;
  }
}

function isImage(schema: Schema): boolean {
  return singleType(schema) === "string" && schema.contentEncoding === "base64" && text(schema.contentMediaType).startsWith("image/");
}

function fixedLength(schema: Schema): number | undefined {
  const min = finite(schema.minItems);
  return min !== undefined && min === finite(schema.maxItems) && Number.isInteger(min) && min >= 1 && min <= MAX_LIST_INPUTS ? min : undefined;
}

function propertyField(name: string, schema: unknown, required: boolean): FormField {
  if (!isSchema(schema)) return { ...base(name, {}, required), kind: "json" };
  if (isImage(schema)) return { ...base(name, schema, required), kind: "image", accept: text(schema.contentMediaType) };
  const scalar = scalarField(name, schema, required);
  if (scalar) return scalar;
  const length = fixedLength(schema);
  if (singleType(schema) === "array" && length !== undefined && isSchema(schema.items) && schema.prefixItems === undefined) {
    const item = scalarField(`${name}[]`, schema.items, true);
    if (item && item.kind !== "boolean") return { ...base(name, schema, required), kind: "list", length, item };
  }
  return { ...base(name, schema, required), kind: "json" };
}

/**
 * The form for an input schema: one field per property of an object schema, in the schema's order;
 * a schema of any other shape (or an object whose properties are not listed) is one JSON field.
 */
export function formFieldsOf(schema: unknown): FormField[] {
  if (!isSchema(schema) || singleType(schema) !== "object" || !isSchema(schema.properties)) {
    const whole = isSchema(schema) ? schema : {};
    return [{ ...base("", whole, true), label: text(whole.title) || "input (JSON)", kind: "json" }];
  }
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === "string") : []);
  return Object.entries(schema.properties).map(([name, property]) => propertyField(name, property, required.has(name)));
}
