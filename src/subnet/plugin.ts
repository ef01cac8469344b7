/**
 * The subnet plugin API. A plugin (subnets/<name>/) says what its subnet serves and how answers are
 * judged: the miner side answers a synapse's request, with models the daemon loads and runs for it
 * (off the event loop); the validator side makes a challenge whose right answer it knows and scores
 * an answer in [0, 1]. Bodies are named tensors as raw bytes, the wire format of the query protocol.
 */
import type { Logger } from "../util/logger.js";

export type DType = "uint8" | "int8" | "uint16" | "int16" | "uint32" | "int32" | "int64" | "float32" | "float64" | "bool" | "string" | "bytes";

export interface Tensor {
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

export type TensorMap = ReadonlyMap<string, Tensor>;

export interface SynapseSpec {
  readonly description: string;
  /** How long a validator gives a miner by default, ms. */
  readonly timeoutMs: number;
  /** Whether answers come as a stream of chunks. */
  readonly streamed: boolean;
}

/** Where a model's file is: in the plugin's folder, or in an npm package (never downloaded). */
export type ModelSource = { readonly file: string } | { readonly package: string; readonly path: string };

export interface ModelSpec {
  readonly source: ModelSource;
  /** An ONNX model the daemon runs, or an asset the plugin reads itself (a dictionary, a vocabulary). */
  readonly kind: "onnx" | "asset";
  /** Whether runs may be joined on axis 0 (every input and output has the batch first). */
  readonly batchable: boolean;
  /** Lowercase hex sha256 of the file, checked when it loads. */
  readonly sha256?: string;
  readonly description: string;
  /** Where the model comes from and under which licence. */
  readonly licence: string;
}

export interface SubnetManifest {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly synapses: Readonly<Record<string, SynapseSpec>>;
  readonly models: Readonly<Record<string, ModelSpec>>;
  /** Module paths, relative to the plugin folder, without extension. */
  readonly miner: string;
  readonly validator: string;
  /** The public interface's module (synapses offered to users through validators' gateways), if any. */
  readonly api?: string;
  /** What the subnet owner should set (name → value, as `subnet hyperparams --set` takes them). */
  readonly hyperparameters: Readonly<Record<string, string>>;
}

export interface RunOptions {
  /** The caller gave up: a run not started yet is dropped. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Outputs (or every output: true) to reduce where the model runs, to the argmax of their last
   * axis: output `y` [..., C] comes back as `y.argmax` int32 [...] and `y.max` float32 [...]. For
   * classifiers and CTC decoders, whose score tensors can be megabytes of which only the best class
   * is read: reducing them in the worker keeps that work and those bytes off the event loop.
   */
  readonly argmax?: true | readonly string[] | undefined;
}

/** The names `RunOptions.argmax` gives a reduced output's best class and its score. */
export const argmaxName = (output: string): string => `${output}.argmax`;
export const maxName = (output: string): string => `${output}.max`;

/** Runs a model for the miner side; the daemon decides where (worker threads, CPU or CUDA). */
export interface ModelRunner {
  run(model: string, feeds: TensorMap, options?: RunOptions): Promise<Map<string, Tensor>>;
}

export interface MinerContext {
  readonly manifest: SubnetManifest;
  readonly models: ModelRunner;
  /** Absolute paths of the plugin's model files, by model name (resolved and checked by the loader). */
  readonly modelFiles: ReadonlyMap<string, string>;
  readonly log: Logger;
}

export interface MinerRequest {
  readonly synapse: string;
  readonly body: TensorMap;
  readonly signal: AbortSignal;
  /** Sends one chunk of a streamed answer. */
  emit(chunk: TensorMap): Promise<void>;
}

export interface MinerSide {
  /** The answer, or undefined when it was streamed with `emit`. */
  answer(request: MinerRequest): Promise<TensorMap | undefined>;
  close?(): Promise<void>;
}

export interface Challenge {
  readonly synapse: string;
  readonly body: TensorMap;
  /** What the validator needs to score the answer (the right answer, or how to check it). */
  readonly expected: unknown;
}

export interface ValidatorContext {
  readonly manifest: SubnetManifest;
  readonly log: Logger;
}

export interface ValidatorSide {
  /** A new challenge; `random` is a seeded source in [0, 1) so runs can be replayed. */
  challenge(random: () => number): Promise<Challenge>;
  /** A score in [0, 1] for an answer (undefined: none came), given its latency. */
  score(challenge: Challenge, answer: TensorMap | undefined, latencyMs: number): number;
}

/** What a plugin's miner module exports. */
export interface MinerModule {
  createMiner(ctx: MinerContext): Promise<MinerSide>;
}

/** What a plugin's validator module exports. */
export interface ValidatorModule {
  createValidator(ctx: ValidatorContext): Promise<ValidatorSide>;
}

/**
 * A float32 tensor's values, to read: a view when the bytes are 4-byte aligned (no copy — answers
 * can be megabytes), else an aligned copy. Never `new Float32Array(t.data.buffer)`: the bytes may
 * be a view into a larger buffer (a Node Buffer from the network).
 */
export function float32Values(t: Tensor): Float32Array {
  const d = t.data;
  if (d.byteOffset % 4 === 0 && d.byteLength % 4 === 0) return new Float32Array(d.buffer, d.byteOffset, d.byteLength / 4);
  return new Float32Array(new Uint8Array(d).buffer);
}

/** An int32 tensor's values, as `float32Values` reads float32 ones. */
export function int32Values(t: Tensor): Int32Array {
  const d = t.data;
  if (d.byteOffset % 4 === 0 && d.byteLength % 4 === 0) return new Int32Array(d.buffer, d.byteOffset, d.byteLength / 4);
  return new Int32Array(new Uint8Array(d).buffer);
}

/** A JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1), as a plain JSON object. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** A user's input the public interface refuses; `tooLarge` ones are answered 413, the rest 400. */
export class PublicInputError extends Error {
  override name = "PublicInputError";
  /** A miner refuses such a request as BadRequest (query-server maps BAD_INPUT so). */
  readonly code = "BAD_INPUT";
  constructor(
    message: string,
    readonly tooLarge = false,
    /** What is wrong: the input, the body's JSON itself, or the gateway's `redundancy`. */
    readonly problem: "input" | "json" | "redundancy" = "input",
  ) {
    super(message);
  }
}

/**
 * One synapse offered to users: its input and output as JSON (with their schemas) and the
 * conversion to and from the named tensors its miners take and give. Both conversions run on
 * untrusted data: they check everything and throw a PublicInputError (input) or an Error (output)
 * naming the problem, never anything looser.
 */
export interface PublicSynapse {
  /** JSON Schema of the request body (an object). */
  readonly input: JsonSchema;
  /** JSON Schema of the answer's `output`. */
  readonly output: JsonSchema;
  /** An input to show users (the OpenAPI example, the `curl` line). */
  readonly example: unknown;
  /** The largest request body accepted, bytes (the gateway answers 413 above it). */
  readonly maxBodyBytes: number;
  /** The input, already checked against `input`, as the synapse's request tensors. */
  toTensors(input: unknown): Promise<TensorMap>;
  /** The miner's answer as JSON (checked against `output` by the caller); throws when malformed. */
  fromTensors(answer: TensorMap): unknown;
}

export interface PublicContext {
  readonly manifest: SubnetManifest;
  readonly log: Logger;
}

/** What a plugin's public-interface module (manifest `api`) exports; synapses left out are not offered to users. */
export interface PublicModule {
  createPublicApi(ctx: PublicContext): Promise<Readonly<Record<string, PublicSynapse>>>;
}
