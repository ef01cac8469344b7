/**
 * A plugin's manifest.json, checked strictly: every problem is reported with the file and the JSON
 * path ("subnets/ocr/manifest.json: models.rec.sha256: expected 64 hex characters"), unknown keys
 * are errors (a typo must not silently mean "default").
 */
import { UserError } from "../util/errors.js";
import type { ModelSource, ModelSpec, SubnetManifest, SynapseSpec } from "./plugin.js";

export type PluginErrorCode = "PLUGIN_NOT_FOUND" | "PLUGIN_MANIFEST" | "PLUGIN_MODEL" | "PLUGIN_MODULE";

export class PluginError extends UserError<PluginErrorCode> {}

const NAME = /^[a-z][a-z0-9-]{0,31}$/;
const SYNAPSE = /^[a-z][a-z0-9_-]{0,63}$/;
const VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const MODULE = /^\.\/[A-Za-z0-9_./-]+$/;

type Json = Record<string, unknown>;

class ManifestReader {
  constructor(readonly file: string) {}

  fail(path: string, problem: string): never {
    throw new PluginError("PLUGIN_MANIFEST", `${this.file}: ${path}: ${problem}`);
  }

  object(value: unknown, path: string, keys: { required: readonly string[]; optional?: readonly string[] }): Json {
    if (typeof value !== "object" || value === null || Array.isArray(value)) this.fail(path, "expected an object");
    const o = value as Json;
    const known = new Set([...keys.required, ...(keys.optional ?? [])]);
    for (const key of Object.keys(o)) if (!known.has(key)) this.fail(path === "" ? key : `${path}.${key}`, `unknown key (known: ${[...known].join(", ")})`);
    for (const key of keys.required) if (!(key in o)) this.fail(path === "" ? key : `${path}.${key}`, "missing");
    return o;
  }

  string(value: unknown, path: string, pattern?: RegExp, what?: string): string {
    if (typeof value !== "string" || value === "") this.fail(path, "expected a non-empty string");
    if (pattern && !pattern.test(value)) this.fail(path, `"${value}" is not ${what ?? `of the form ${pattern}`}`);
    return value;
  }

  integer(value: unknown, path: string, min: number, max: number): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) this.fail(path, `expected an integer in ${min}..${max}`);
    return value;
  }

  boolean(value: unknown, path: string): boolean {
    if (typeof value !== "boolean") this.fail(path, "expected true or false");
    return value;
  }
}

const at = (path: string, key: string): string => (path === "" ? key : `${path}.${key}`);

function readSynapse(r: ManifestReader, value: unknown, path: string): SynapseSpec {
  const o = r.object(value, path, { required: ["description", "timeoutMs"], optional: ["streamed"] });
  return {
    description: r.string(o.description, at(path, "description")),
    timeoutMs: r.integer(o.timeoutMs, at(path, "timeoutMs"), 1, 300_000),
    streamed: o.streamed === undefined ? false : r.boolean(o.streamed, at(path, "streamed")),
  };
}

function readModel(r: ManifestReader, value: unknown, path: string): ModelSpec {
  const o = r.object(value, path, { required: ["description", "licence"], optional: ["file", "package", "path", "sha256", "kind", "batchable"] });
  const kind = o.kind === undefined ? "onnx" : r.string(o.kind, at(path, "kind"), /^(onnx|asset)$/, "onnx or asset");
  let source: ModelSource;
  if (o.file !== undefined) {
    if (o.package !== undefined || o.path !== undefined) r.fail(path, "give either file, or package and path");
    const file = r.string(o.file, at(path, "file"));
    if (file.startsWith("/") || file.split(/[\\/]/).includes("..")) r.fail(at(path, "file"), `"${file}" must stay inside the plugin folder`);
    source = { file };
  } else if (o.package !== undefined) {
    const inPackage = r.string(o.path, at(path, "path"));
    if (inPackage.startsWith("/") || inPackage.split(/[\\/]/).includes("..")) r.fail(at(path, "path"), `"${inPackage}" must stay inside the package`);
    source = { package: r.string(o.package, at(path, "package"), /^(@[a-z0-9._-]+\/)?[a-z0-9._-]+$/, "an npm package name"), path: inPackage };
  } else {
    r.fail(path, "give the model's file (in the plugin folder) or its package and path");
  }
  return {
    source,
    kind: kind as "onnx" | "asset",
    batchable: o.batchable === undefined ? false : r.boolean(o.batchable, at(path, "batchable")),
    description: r.string(o.description, at(path, "description")),
    licence: r.string(o.licence, at(path, "licence")),
    ...(o.sha256 === undefined ? {} : { sha256: r.string(o.sha256, at(path, "sha256"), /^[0-9a-f]{64}$/, "64 lowercase hex characters") }),
  };
}

/** Checks a parsed manifest; `file` names it in errors. */
export function parseManifest(json: unknown, file: string): SubnetManifest {
  const r = new ManifestReader(file);
  const o = r.object(json, "", { required: ["name", "version", "description", "synapses", "miner", "validator"], optional: ["models", "hyperparameters", "api", "$comment"] });
  const synapsesJson = r.object(o.synapses, "synapses", { required: [], optional: Object.keys((o.synapses as Json | null) ?? {}) });
  if (Object.keys(synapsesJson).length === 0) r.fail("synapses", "a subnet serves at least one synapse");
  const synapses: Record<string, SynapseSpec> = {};
  for (const [name, spec] of Object.entries(synapsesJson)) {
    if (!SYNAPSE.test(name)) r.fail(`synapses.${name}`, "a synapse name is lowercase letters, digits, '_' and '-' (at most 64)");
    synapses[name] = readSynapse(r, spec, `synapses.${name}`);
  }
  const modelsJson = o.models === undefined ? {} : r.object(o.models, "models", { required: [], optional: Object.keys((o.models as Json | null) ?? {}) });
  const models: Record<string, ModelSpec> = {};
  for (const [name, spec] of Object.entries(modelsJson)) models[name] = readModel(r, spec, `models.${name}`);
  const hyperJson = o.hyperparameters === undefined ? {} : r.object(o.hyperparameters, "hyperparameters", { required: [], optional: Object.keys((o.hyperparameters as Json | null) ?? {}) });
  const hyperparameters: Record<string, string> = {};
  for (const [name, value] of Object.entries(hyperJson)) {
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") r.fail(`hyperparameters.${name}`, "expected a string, number or boolean");
    hyperparameters[name] = String(value);
  }
  return {
    name: r.string(o.name, "name", NAME, "a plugin name (lowercase letters, digits and '-', at most 32)"),
    version: r.string(o.version, "version", VERSION, "a semantic version such as 1.0.0"),
    description: r.string(o.description, "description"),
    synapses,
    models,
    miner: r.string(o.miner, "miner", MODULE, "a module path such as ./miner"),
    validator: r.string(o.validator, "validator", MODULE, "a module path such as ./validator"),
    ...(o.api === undefined ? {} : { api: r.string(o.api, "api", MODULE, "a module path such as ./api") }),
    hyperparameters,
  };
}
