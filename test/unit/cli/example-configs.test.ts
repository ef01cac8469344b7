import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { resolveConfig, type OptionSchema } from "../../../src/cli/config.js";
import { MINER_OPTIONS } from "../../../src/cli/commands/miner.js";
import { VALIDATOR_OPTIONS } from "../../../src/cli/commands/validator.js";
import { GLOBAL_OPTIONS } from "../../../src/cli/program.js";
import { parseGenesis } from "../../../src/devnet/genesis.js";

const example = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../../../config/${name}`, import.meta.url), "utf8")) as Record<string, unknown>;

describe("the example configs in config/", () => {
  for (const [file, schema] of [
    ["miner.json", MINER_OPTIONS],
    ["validator.json", VALIDATOR_OPTIONS],
  ] as const) {
    it(`${file} is a valid --config file, every setting known, every comment ignored`, () => {
      const json = example(file);
      const resolved = resolveConfig({ ...GLOBAL_OPTIONS, ...(schema as OptionSchema) }, { flags: {}, env: {}, file: json, fileName: file });
      const settings = Object.keys(json).filter((key) => !key.startsWith("$comment"));
      assert.ok(settings.length > 5);
      for (const key of settings) assert.equal(resolved.sources[key], "file", key);
      // Every setting is explained by a comment of its own or of the group it opens.
      assert.ok(Object.keys(json).filter((key) => key.startsWith("$comment.")).length >= 5);
    });
  }

  it("devnet-genesis.json is the genesis the devnet accepts", () => {
    assert.doesNotThrow(() => parseGenesis(example("devnet-genesis.json"), "devnet-genesis.json"));
  });

  it("a key that is neither a setting nor a comment is still refused", () => {
    assert.throws(() => resolveConfig({ ...GLOBAL_OPTIONS, ...MINER_OPTIONS }, { flags: {}, env: {}, file: { ...example("miner.json"), workerz: 2 }, fileName: "miner.json" }), /miner\.json: unknown key "workerz"/);
  });
});
