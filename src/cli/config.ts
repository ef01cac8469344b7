/**
 * Configuration resolution, one schema per command: flags > env (TENSORNODE_<FLAG>) > config file
 * (JSON, strict) > defaults. Pure: inputs are passed in, nothing is read from globals.
 */
import { UserError } from "../util/errors.js";

export type OptionSpec = (
  | { readonly type: "string"; readonly help: string; readonly default?: string }
  | { readonly type: "integer"; readonly help: string; readonly default?: number; readonly min?: number; readonly max?: number }
  | { readonly type: "boolean"; readonly help: string; readonly default?: boolean }
  | { readonly type: "enum"; readonly help: string; readonly values: readonly string[]; readonly default?: string }
) & {
  /**
   * Settings that say the same thing another way (--chain and --network): both given at the same
   * level (two flags, two variables, one file) is an error with this code; at different levels the
   * higher one wins and the other is dropped, as for any one setting.
   */
  readonly conflicts?: { readonly keys: readonly string[]; readonly code: string };
};

export type OptionSchema = Readonly<Record<string, OptionSpec>>;
export type ConfigSource = "cli" | "env" | "file" | "default";
export type ConfigValue = string | number | boolean;

export interface ResolvedConfig {
  readonly values: Readonly<Record<string, ConfigValue | undefined>>;
  readonly sources: Readonly<Record<string, ConfigSource | undefined>>;
}

/** `dataDir` → `--data-dir`. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** `dataDir` → `TENSORNODE_DATA_DIR`. */
export function envName(key: string): string {
  return `TENSORNODE_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

function parseValue(spec: OptionSpec, raw: unknown, where: string): ConfigValue {
  switch (spec.type) {
    case "string":
      if (typeof raw !== "string" || raw === "") throw new UserError("CONFIG_INVALID", `${where}: expected a non-empty string`);
      return raw;
    case "integer": {
      const value = typeof raw === "number" ? raw : typeof raw === "string" && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
      if (!Number.isSafeInteger(value)) throw new UserError("CONFIG_INVALID", `${where}: expected an integer, got ${JSON.stringify(raw)}`);
      if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
        throw new UserError("CONFIG_INVALID", `${where}: ${value} is outside ${spec.min ?? "-∞"}..${spec.max ?? "∞"}`);
      }
      return value;
    }
    case "boolean":
      if (typeof raw === "boolean") return raw;
      if (raw === "true" || raw === "1") return true;
      if (raw === "false" || raw === "0") return false;
      throw new UserError("CONFIG_INVALID", `${where}: expected true or false, got ${JSON.stringify(raw)}`);
    case "enum":
      if (typeof raw !== "string" || !spec.values.includes(raw)) {
        throw new UserError("CONFIG_INVALID", `${where}: expected one of ${spec.values.join(", ")}, got ${JSON.stringify(raw)}`);
      }
      return raw;
  }
}

export interface ConfigInputs {
  /** Values given on the command line only (commander source "cli"). */
  readonly flags: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The parsed config file, if one was given. */
  readonly file?: unknown;
  readonly fileName?: string;
}

export function resolveConfig(schema: OptionSchema, inputs: ConfigInputs): ResolvedConfig {
  let fromFile: Record<string, unknown> = {};
  if (inputs.file !== undefined) {
    const where = inputs.fileName ?? "config file";
    if (typeof inputs.file !== "object" || inputs.file === null || Array.isArray(inputs.file)) {
      throw new UserError("CONFIG_INVALID", `${where}: expected a JSON object of settings`);
    }
    fromFile = inputs.file as Record<string, unknown>;
    for (const key of Object.keys(fromFile)) {
      // "$comment" and "$comment.<anything>" keys are the file's comments (JSON has none).
      if (key.startsWith("$comment")) continue;
      if (!(key in schema)) {
        throw new UserError("CONFIG_UNKNOWN_KEY", `${where}: unknown key "${key}" (known: ${Object.keys(schema).join(", ")})`);
      }
    }
  }
  const values: Record<string, ConfigValue | undefined> = {};
  const sources: Record<string, ConfigSource | undefined> = {};
  for (const [key, spec] of Object.entries(schema)) {
    const env = inputs.env[envName(key)];
    if (inputs.flags[key] !== undefined) {
      values[key] = parseValue(spec, inputs.flags[key], flagName(key));
      sources[key] = "cli";
    } else if (env !== undefined && env !== "") {
      values[key] = parseValue(spec, env, envName(key));
      sources[key] = "env";
    } else if (key in fromFile) {
      values[key] = parseValue(spec, fromFile[key], `${inputs.fileName ?? "config file"}: ${key}`);
      sources[key] = "file";
    } else if (spec.default !== undefined) {
      values[key] = spec.default;
      sources[key] = "default";
    }
  }
  applyConflicts(schema, values, sources, inputs.fileName);
  return Object.freeze({ values: Object.freeze(values), sources: Object.freeze(sources) });
}

const RANK: Readonly<Record<ConfigSource, number>> = { cli: 3, env: 2, file: 1, default: 0 };

function givenAs(key: string, source: ConfigSource, fileName: string | undefined): string {
  if (source === "cli") return flagName(key);
  if (source === "env") return envName(key);
  return `"${key}" in ${fileName ?? "the config file"}`;
}

function applyConflicts(schema: OptionSchema, values: Record<string, ConfigValue | undefined>, sources: Record<string, ConfigSource | undefined>, fileName: string | undefined): void {
  for (const [key, spec] of Object.entries(schema)) {
    for (const other of spec.conflicts?.keys ?? []) {
      const mine = sources[key];
      const theirs = sources[other];
      if (!mine || !theirs || mine === "default" || theirs === "default") continue;
      if (RANK[mine] === RANK[theirs]) {
        throw new UserError(spec.conflicts!.code, `${givenAs(other, theirs, fileName)} and ${givenAs(key, mine, fileName)} together: they say the same thing two ways; give one`);
      }
      const dropped = RANK[mine] > RANK[theirs] ? other : key;
      values[dropped] = undefined;
      sources[dropped] = undefined;
    }
  }
}
