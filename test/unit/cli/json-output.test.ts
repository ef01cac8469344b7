import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { commanderCode, jsonErrorLine, toJsonText } from "../../../src/cli/json-output.js";
import { stringifyLosslessJson } from "../../../src/util/lossless-json.js";

const U64_MAX = 18_446_744_073_709_551_615n;
const hasJq = spawnSync("jq", ["--version"]).status === 0;

describe("the --json integer rule (docs/cli-json.md)", () => {
  it("prints every bigint as a decimal string, numbers as numbers, on one line, nulls kept", () => {
    const text = toJsonText({ netuid: 1, free: U64_MAX, rows: [{ stake: 0n, uid: 3 }], none: null, left: undefined });
    assert.equal(text, '{"netuid":1,"free":"18446744073709551615","rows":[{"stake":"0","uid":3}],"none":null}');
    const parsed = JSON.parse(text) as { free: string };
    assert.equal(BigInt(parsed.free), U64_MAX, "JSON.parse keeps it exact");
  });

  it("is read exactly by jq, which rounds the same value as a JSON integer", { skip: hasJq ? false : "jq is not installed" }, () => {
    const jq = (input: string, filter: string): string => execFileSync("jq", ["-r", filter], { input }).toString().trim();
    assert.equal(jq(toJsonText({ free: U64_MAX }), ".free"), "18446744073709551615");
    // Why amounts are strings: as a JSON integer, jq's arithmetic (every version) makes it a double.
    assert.notEqual(jq(stringifyLosslessJson({ free: U64_MAX }), ".free + 0"), "18446744073709551615");
  });

  it("writes errors as one JSON line with the code and the message", () => {
    assert.equal(jsonErrorLine("NO_NETUID", 'needs "--netuid"'), '{"error":{"code":"NO_NETUID","message":"needs \\"--netuid\\""}}\n');
    assert.equal(commanderCode("commander.unknownOption"), "UNKNOWN_OPTION");
    assert.equal(commanderCode("commander.missingArgument"), "MISSING_ARGUMENT");
  });
});
