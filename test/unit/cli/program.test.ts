import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { envName, flagName, resolveConfig, type OptionSchema } from "../../../src/cli/config.js";
import { UserError } from "../../../src/util/errors.js";
import { runCliCaptured } from "../../helpers/cli.js";

describe("the tensornode program", () => {
  it("prints help and exits 0", async () => {
    const run = await runCliCaptured(["--help"]);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /Usage: tensornode/);
  });

  it("answers an unknown command with one line and exit 2", async () => {
    const run = await runCliCaptured(["frobnicate"]);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, "error: unknown command 'frobnicate' (see tensornode --help)\n");
  });

  it("rejects a bad environment value by naming the variable", async () => {
    const run = await runCliCaptured(["sim", "epoch", "x.json"], { env: { TENSORNODE_LOG_LEVEL: "loud" } });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^error: TENSORNODE_LOG_LEVEL: expected one of error, warn/);
  });

  it("rejects unknown keys in a --config file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tensornode-config-"));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "config.json");
    writeFileSync(file, JSON.stringify({ logLevl: "debug" }));
    const run = await runCliCaptured(["--config", file, "sim", "epoch", "x.json"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown key "logLevl"/);
  });
});

describe("config resolution: flags > env > file > defaults", () => {
  const schema: OptionSchema = {
    port: { type: "integer", min: 1, max: 65535, default: 9944, help: "port" },
    fresh: { type: "boolean", default: false, help: "fresh" },
    blockTime: { type: "enum", values: ["1s", "250ms", "instant"], help: "block time" },
  };

  it("derives flag and env names from the key", () => {
    assert.equal(flagName("blockTime"), "--block-time");
    assert.equal(envName("blockTime"), "TENSORNODE_BLOCK_TIME");
  });

  it("takes defaults when nothing is given", () => {
    const { values, sources } = resolveConfig(schema, { flags: {}, env: {} });
    assert.deepEqual(values, { port: 9944, fresh: false });
    assert.deepEqual(sources, { port: "default", fresh: "default" });
  });

  it("lets the file override defaults, env override the file, and flags override env", () => {
    const file = { port: 1000, fresh: true, blockTime: "instant" };
    const env = { TENSORNODE_PORT: "2000", TENSORNODE_FRESH: "false" };
    const { values, sources } = resolveConfig(schema, { flags: { port: "3000" }, env, file });
    assert.deepEqual(values, { port: 3000, fresh: false, blockTime: "instant" });
    assert.deepEqual(sources, { port: "cli", fresh: "env", blockTime: "file" });
  });

  it("parses env booleans strictly", () => {
    assert.throws(() => resolveConfig(schema, { flags: {}, env: { TENSORNODE_FRESH: "yes" } }), (e: unknown) => e instanceof UserError && /TENSORNODE_FRESH: expected true or false/.test(e.message));
  });

  it("names the source of an out-of-range value", () => {
    assert.throws(() => resolveConfig(schema, { flags: { port: "0" }, env: {} }), /--port: 0 is outside 1\.\.65535/);
    assert.throws(() => resolveConfig(schema, { flags: {}, env: {}, file: { port: "x" }, fileName: "a.json" }), /a\.json: port: expected an integer/);
  });
});
