import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseLosslessJson, stringifyLosslessJson } from "../../../src/util/lossless-json.js";
import { VECTOR_OUTPUT_KEYS } from "../../../src/yuma/index.js";
import { runCliCaptured } from "../../helpers/cli.js";
import { loadYumaVectors } from "../../spec/yuma-vectors.js";

const dir = mkdtempSync(join(tmpdir(), "tensornode-sim-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const epochVectors = loadYumaVectors().vectors.filter((v) => {
  const inputs = v.inputs as Record<string, unknown>;
  return "state" in inputs || "initial_state" in inputs;
});

/** A vector's hyperparams and inputs as a sim file. */
function writeSimFile(name: string, document: unknown): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, stringifyLosslessJson(document, 1));
  return path;
}

function pick(output: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(VECTOR_OUTPUT_KEYS.map((key) => [key, output[key]]));
}

describe("tensornode sim epoch FILE --json", () => {
  for (const vector of epochVectors) {
    it(`reproduces emulator_exact of ${vector.name}`, async () => {
      const file = writeSimFile(vector.name, { hyperparams: vector.hyperparams, ...(vector.inputs as object) });
      const run = await runCliCaptured(["sim", "epoch", file, "--json"]);
      assert.equal(run.stderr, "");
      assert.equal(run.code, 0);
      const printed = parseLosslessJson(run.stdout) as unknown;
      const exact = vector.emulator_exact as Record<string, unknown> | Array<Record<string, unknown>>;
      const expected = Array.isArray(exact) ? exact.map(pick) : pick(exact);
      assert.equal(stringifyLosslessJson(printed), stringifyLosslessJson(expected));
    });
  }

  it("prints a readable table without --json", async () => {
    const vector = epochVectors.find((v) => v.name === "commit_reveal_mask_emulated")!;
    const file = writeSimFile("table", { hyperparams: vector.hyperparams, ...(vector.inputs as object) });
    const run = await runCliCaptured(["sim", "epoch", file]);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Epoch at block 1000 \(n = 6/);
    assert.match(run.stdout, /uid +stake +active +permit +consensus +incentive +dividends/);
    assert.match(run.stdout, /\n +3 +0\.00000 +yes +no +1\.00000 +1\.00000 +0\.00000/);
  });

  it("works as the installed binary, printing u64 values exactly", () => {
    const vector = epochVectors.find((v) => v.name === "commit_reveal_mask_emulated")!;
    const file = writeSimFile("binary", { hyperparams: vector.hyperparams, ...(vector.inputs as object) });
    const bin = fileURLToPath(new URL("../../../bin/tensornode.js", import.meta.url));
    const result = spawnSync(process.execPath, [bin, "sim", "epoch", file, "--json"], { encoding: "utf8", timeout: 60_000 });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /"validator_emission":\[387189525,30969686,81840788,0,0,0\]/);
  });
});

describe("tensornode sim epoch with bad input", () => {
  const vector = epochVectors.find((v) => v.name === "graph_10_self_weights_only")!;
  const good: Record<string, unknown> = { hyperparams: vector.hyperparams, ...(vector.inputs as Record<string, unknown>) };
  const state = good.state as Record<string, unknown>;

  async function expectOneLineError(document: unknown, pattern: RegExp, raw?: string): Promise<void> {
    const file = join(dir, "bad.json");
    writeFileSync(file, raw ?? stringifyLosslessJson(document));
    const run = await runCliCaptured(["sim", "epoch", file, "--json"]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, "");
    assert.equal(run.stderr.trimEnd().split("\n").length, 1, `one line, got: ${run.stderr}`);
    assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
    assert.match(run.stderr, pattern);
  }

  it("names the path of a vector with the wrong length", () =>
    expectOneLineError({ ...good, state: { ...state, alpha_stake: [1n] } }, /state\.alpha_stake: expected 10 entries \(n = 10\), got 1/));
  it("names a uid out of range", () =>
    expectOneLineError({ ...good, state: { ...state, weights: [[[10n, 1n]], [], [], [], [], [], [], [], [], []] } }, /state\.weights\[0\]\[0\]\[0\]: uid 10 is out of range/));
  it("rejects a negative stake", () =>
    expectOneLineError({ ...good, state: { ...state, alpha_stake: [-1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n] } }, /state\.alpha_stake\[0\]: -1 is below the minimum 0/));
  it("rejects an unknown key", () => expectOneLineError({ ...good, extra: 1n }, /extra: unknown key/));
  it("reports malformed JSON with its position", () => expectOneLineError(null, /not valid JSON: .* at line 1, column \d+/, "{ \"hyperparams\": "));
  it("reports a missing file", async () => {
    const run = await runCliCaptured(["sim", "epoch", join(dir, "missing.json")]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^error: .*missing\.json: no such file\n$/);
  });
});

describe("the shipped example (npm start)", () => {
  it("runs and pays out the whole emission to miners and validators, less rounding", async () => {
    const example = fileURLToPath(new URL("../../../config/examples/epoch-example.json", import.meta.url));
    const run = await runCliCaptured(["sim", "epoch", example, "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const output = parseLosslessJson(run.stdout) as Record<string, bigint[]>;
    const paid = [...output.server_emission!, ...output.validator_emission!].reduce((a, b) => a + b, 0n);
    const rao = 147_600_000_000n;
    // Each share is truncated to 2^-32 before it is multiplied: at most rao / 2^32 (≈ 35 rao) lost per uid and pot.
    const maxRounding = 2n * 9n * ((rao >> 32n) + 1n);
    assert.ok(paid <= rao && rao - paid <= maxRounding, `paid ${paid} of ${rao}`);
  });
});
