/** The tiny plugin end to end in one process: loaded from its folder, its miner side answering on real onnxruntime workers, its validator side scoring. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InferencePool } from "../../../src/miner/inference/pool.js";
import { loadPlugin, pluginRoots, type LoadedPlugin } from "../../../src/subnet/loader.js";
import type { MinerSide, ValidatorSide } from "../../../src/subnet/plugin.js";
import { prng } from "../../../src/util/prng.js";
import { silentLog } from "../../helpers/devnet.js";

describe("the tiny subnet plugin", { timeout: 60_000 }, () => {
  let plugin: LoadedPlugin;
  let pool: InferencePool;
  let miner: MinerSide;
  let validator: ValidatorSide;
  before(async () => {
    plugin = await loadPlugin("tiny", { roots: pluginRoots({}) });
    pool = new InferencePool({ workers: 1, device: "cpu", log: silentLog });
    for (const [name, path] of plugin.modelFiles) if (plugin.manifest.models[name]?.kind === "onnx") pool.register(name, path);
    miner = await (await plugin.loadMiner()).createMiner({ manifest: plugin.manifest, models: pool, modelFiles: plugin.modelFiles, log: silentLog });
    validator = await (await plugin.loadValidator()).createValidator({ manifest: plugin.manifest, log: silentLog });
  });
  after(async () => {
    await pool?.close();
  });

  it("loads from subnets/tiny with its generated model checked against the manifest's sha256", () => {
    assert.equal(plugin.manifest.name, "tiny");
    assert.ok(plugin.modelFiles.get("tiny-mlp")?.endsWith("subnets/tiny/models/tiny-mlp.onnx"));
  });

  it("answers 50 seeded challenges exactly: the validator scores each above 0.5, a wrong answer 0", async () => {
    const random = prng(2026);
    for (let i = 0; i < 50; i++) {
      const challenge = await validator.challenge(random);
      const answer = await miner.answer({ synapse: challenge.synapse, body: challenge.body, signal: new AbortController().signal, emit: async () => undefined });
      const score = validator.score(challenge, answer, 10);
      assert.ok(score > 0.99 && score <= 1, `challenge ${i}: score ${score}`);
      const y = answer!.get("y")!;
      const tampered = y.data.slice();
      tampered[0] = tampered[0]! ^ 1;
      assert.equal(validator.score(challenge, new Map([["y", { ...y, data: tampered }]]), 10), 0);
    }
  });

  it("scores a right but slow answer lower, no answer 0, and refuses a malformed input on the miner side", async () => {
    const challenge = await validator.challenge(prng(1));
    const answer = await miner.answer({ synapse: "infer", body: challenge.body, signal: new AbortController().signal, emit: async () => undefined });
    assert.equal(validator.score(challenge, answer, 2000), 0.5);
    assert.equal(validator.score(challenge, answer, 1000), 0.75);
    assert.equal(validator.score(challenge, undefined, 10), 0);
    const bad = new Map([["x", { dtype: "float32" as const, dims: [1, 16], data: new Uint8Array(new Float32Array(16).fill(9).buffer) }]]);
    await assert.rejects(miner.answer({ synapse: "infer", body: bad, signal: new AbortController().signal, emit: async () => undefined }), /must be an integer in \[-8, 8\], got 9/);
  });
});
