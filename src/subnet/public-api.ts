/**
 * A plugin's public interface, ready to use on untrusted bytes: the user's JSON body parsed and
 * checked against the synapse's schema, converted to tensors; a miner's tensors converted back and
 * the output checked against its schema. The validator's gateway and the miner both go through it,
 * so what one accepts the other accepts.
 */
import { compileJsonSchema } from "./json-schema.js";
import type { LoadedPlugin } from "./loader.js";
import { PluginError } from "./manifest.js";
import { PublicInputError, type JsonSchema, type PublicSynapse, type TensorMap } from "./plugin.js";
import type { Logger } from "../util/logger.js";

/** Keys of a request body the gateway reads itself; never passed to the plugin. */
export const GATEWAY_KEYS = ["redundancy"] as const;
export const MAX_REDUNDANCY = 3;

/** A request body read: the synapse's input (gateway keys removed) and the redundancy asked. */
export interface PublicRequest {
  readonly input: Record<string, unknown>;
  readonly redundancy: number;
}

const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

export class PublicEndpoint {
  readonly #checkInput: (value: unknown) => string | undefined;
  readonly #checkOutput: (value: unknown) => string | undefined;

  constructor(
    readonly name: string,
    readonly spec: PublicSynapse,
    readonly description: string,
    readonly timeoutMs: number,
  ) {
    this.#checkInput = compileJsonSchema(spec.input, `the input schema of ${name}`);
    this.#checkOutput = compileJsonSchema(spec.output, `the output schema of ${name}`);
  }

  /** The body's JSON, its gateway keys and its input checked; throws PublicInputError naming the problem. */
  readRequest(body: Uint8Array): PublicRequest {
    if (body.length > this.spec.maxBodyBytes) throw new PublicInputError(`the body has ${body.length} bytes; ${this.name} takes at most ${this.spec.maxBodyBytes}`, true);
    let value: unknown;
    try {
      value = JSON.parse(decoder.decode(body));
    } catch (error) {
      throw new PublicInputError(`the body is not JSON (${(error as Error).message})`, false, "json");
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new PublicInputError(`the body must be a JSON object (the input of ${this.name})`, false, "json");
    const { redundancy = 1, ...input } = value as Record<string, unknown>;
    if (typeof redundancy !== "number" || !Number.isInteger(redundancy) || redundancy < 1 || redundancy > MAX_REDUNDANCY)
      throw new PublicInputError(`redundancy must be an integer from 1 to ${MAX_REDUNDANCY} (the number of miners asked), got ${JSON.stringify(redundancy)}`, false, "redundancy");
    const problem = this.#checkInput(input);
    if (problem) throw new PublicInputError(problem);
    return { input, redundancy };
  }

  /** The request's tensors, from the user's exact body bytes (what a miner does). */
  async requestTensors(body: Uint8Array): Promise<TensorMap> {
    return this.spec.toTensors(this.readRequest(body).input);
  }

  /** An answer's output as JSON bytes; throws when the plugin cannot convert it or the output breaks its schema. */
  outputJson(answer: TensorMap): Uint8Array {
    const output = this.spec.fromTensors(answer);
    const problem = this.#checkOutput(output);
    if (problem) throw new Error(`the answer's output does not match the schema of ${this.name}: ${problem}`);
    return encoder.encode(JSON.stringify(output));
  }

  /** The output a miner sent (JSON bytes), parsed and checked; a string naming the problem when it is not valid. */
  readOutput(json: Uint8Array): { output: unknown } | { problem: string } {
    let output: unknown;
    try {
      output = JSON.parse(decoder.decode(json));
    } catch (error) {
      return { problem: `the output is not JSON (${(error as Error).message})` };
    }
    const problem = this.#checkOutput(output);
    return problem ? { problem: `the output does not match the schema: ${problem}` } : { output };
  }
}

/** The synapses a plugin offers to users (none when it has no public interface). */
export class PublicInterface {
  constructor(readonly endpoints: ReadonlyMap<string, PublicEndpoint>) {}

  get(synapse: string): PublicEndpoint | undefined {
    return this.endpoints.get(synapse);
  }

  static readonly none = new PublicInterface(new Map());

  /** Loads and checks the plugin's `api` module: every synapse it offers exists, is not streamed, and has sound schemas. */
  static async load(plugin: LoadedPlugin, log: Logger): Promise<PublicInterface> {
    const module = await plugin.loadApi();
    if (!module) return PublicInterface.none;
    const where = `${plugin.dir} (api ${plugin.manifest.api ?? ""})`;
    const synapses = await module.createPublicApi({ manifest: plugin.manifest, log });
    const endpoints = new Map<string, PublicEndpoint>();
    for (const [name, spec] of Object.entries(synapses)) {
      const manifestSpec = plugin.manifest.synapses[name];
      if (!manifestSpec) throw new PluginError("PLUGIN_MODULE", `${where}: offers the synapse "${name}", which the manifest does not declare`);
      if (manifestSpec.streamed) throw new PluginError("PLUGIN_MODULE", `${where}: offers the streamed synapse "${name}"; streamed synapses are not offered to users`);
      if (!(Number.isInteger(spec.maxBodyBytes) && spec.maxBodyBytes > 0)) throw new PluginError("PLUGIN_MODULE", `${where}: ${name}.maxBodyBytes must be a positive integer`);
      checkReservedKeys(spec.input, `${where}: ${name}.input`);
      endpoints.set(name, new PublicEndpoint(name, spec, manifestSpec.description, manifestSpec.timeoutMs));
    }
    return new PublicInterface(endpoints);
  }
}

function checkReservedKeys(schema: JsonSchema, where: string): void {
  const properties = schema.properties;
  if (typeof properties !== "object" || properties === null) return;
  for (const key of GATEWAY_KEYS) if (key in properties) throw new PluginError("PLUGIN_MODULE", `${where}: the property "${key}" is the gateway's own; name it otherwise`);
}
