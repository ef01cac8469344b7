/**
 * The tiny subnet's public interface against the real model: a user's JSON, checked by the input
 * schema and converted, answered by the plugin's miner side on real onnxruntime workers, converted
 * back and checked by the output schema, equals the pure-JS reference exactly.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InferencePool } from "../../../src/miner/inference/pool.js";
import { compileJsonSchema, type JsonChecker } from "../../../src/subnet/json-schema.js";
import { loadPlugin, pluginRoots } from "../../../src/subnet/loader.js";
import type { MinerSide, PublicSynapse } from "../../../src/subnet/plugin.js";
import { prng } from "../../../src/util/prng.js";
import { tinyReference } from "../../../subnets/tiny/reference.js";
import { silentLog } from "../../helpers/devnet.js";

describe("the tiny subnet's public interface on the real model", { timeout: 60_000 }, () => {
  let pool: InferencePool;
  let miner: MinerSide;
  let infer: PublicSynapse;
  let checkInput: JsonChecker;
  let checkOutput: JsonChecker;

  before(async () => {
    const plugin = await loadPlugin("tiny", { roots: pluginRoots({}) });
    pool = new InferencePool({ workers: 1, device: "cpu", log: silentLog });
    for (const [name, path] of plugin.modelFiles) if (plugin.manifest.models[name]?.kind === "onnx") pool.register(name, path);
    miner = await (await plugin.loadMiner()).createMiner({ manifest: plugin.manifest, models: pool, modelFiles: plugin.modelFiles, log: silentLog });
    const api = await plugin.loadApi();
    assert.ok(api, "the manifest declares its api module");
    infer = (await api.createPublicApi({ manifest: plugin.manifest, log: silentLog })).infer!;
    checkInput = compileJsonSchema(infer.input, "tiny api: infer.input");
    checkOutput = compileJsonSchema(infer.output, "tiny api: infer.output");
  });
  after(async () => {
    await pool?.close();
  });

  /** A user's request body through the whole path: parse, check, convert, the miner, convert back, check. */
  async function ask(body: string): Promise<unknown> {
    assert.ok(Buffer.byteLength(body) <= infer.maxBodyBytes);
    const input: unknown = JSON.parse(body);
    assert.equal(checkInput(input), undefined);
    const answer = await miner.answer({ synapse: "infer", body: await infer.toTensors(input), signal: new AbortController().signal, emit: async () => undefined });
    assert.ok(answer, "an answer, not a stream");
    const output = infer.fromTensors(answer);
    assert.equal(checkOutput(output), undefined);
    return output;
  }

  it("answers the example as the reference does", async () => {
    const example = infer.example as { input: number[] };
    assert.deepEqual(await ask(JSON.stringify(example)), { output: Array.from(tinyReference(example.input, 1)) });
  });

  it("answers 100 seeded random inputs, and the extremes, exactly as the reference does", async () => {
    const random = prng(17_017);
    const inputs = [Array<number>(16).fill(-8), Array<number>(16).fill(8), Array<number>(16).fill(0)];
    for (let i = 0; i < 100; i++) inputs.push(Array.from({ length: 16 }, () => -8 + Math.floor(random() * 17)));
    for (const [i, input] of inputs.entries()) {
      const output = await ask(JSON.stringify({ input }, null, i % 2 === 0 ? 0 : 2));
      assert.deepEqual(output, { output: Array.from(tinyReference(input, 1)) }, `input ${i}: ${JSON.stringify(input)}`);
    }
  });
});
