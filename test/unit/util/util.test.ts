import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkBoundaries } from "../../../scripts/check-boundaries.js";
import { CodedError, isUserError, UserError } from "../../../src/util/errors.js";
import { formatHuman } from "../../../src/util/logger.js";
import { JsonSyntaxError, parseLosslessJson, stringifyLosslessJson } from "../../../src/util/lossless-json.js";
import { installPolyfills } from "../../../src/util/polyfill.js";

describe("errors", () => {
  it("carry a code and are recognised by name", () => {
    const error = new UserError("WALLET_MISSING", "no wallet");
    assert.ok(error instanceof CodedError);
    assert.equal(error.code, "WALLET_MISSING");
    assert.ok(isUserError(error));
    assert.ok(!isUserError(new CodedError("X", "y")));
    assert.deepEqual(error.toObject(), { name: "UserError", code: "WALLET_MISSING", message: "no wallet" });
  });
});

describe("lossless JSON", () => {
  it("keeps integers beyond 2^53 exact and round-trips them", () => {
    const value = parseLosslessJson('{"a": 18446744073709551615, "b": [1.5, -2, true, null, "x"]}');
    assert.deepEqual(value, { a: 18446744073709551615n, b: [1.5, -2n, true, null, "x"] });
    assert.equal(stringifyLosslessJson(value), '{"a":18446744073709551615,"b":[1.5,-2,true,null,"x"]}');
  });

  it("reports syntax errors with line and column, and rejects duplicate keys", () => {
    assert.throws(() => parseLosslessJson('{\n  "a": 1,\n  "a": 2\n}'), (e: unknown) => e instanceof JsonSyntaxError && e.line === 3 && /duplicate key "a"/.test(e.message));
    assert.throws(() => parseLosslessJson("[1, 2"), JsonSyntaxError);
    assert.throws(() => parseLosslessJson('{"__proto__": 1} x'), /unexpected data after the JSON value/);
  });

  it("does not let a __proto__ key change the prototype", () => {
    const value = parseLosslessJson('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(Object.keys(value), ["__proto__"]);
  });
});

describe("the Node 20 polyfill", () => {
  it("provides Promise.withResolvers", async () => {
    installPolyfills();
    const { promise, resolve } = (Promise as unknown as { withResolvers<T>(): { promise: Promise<T>; resolve(v: T): void } }).withResolvers<number>();
    resolve(7);
    assert.equal(await promise, 7);
  });
});

describe("the human log format", () => {
  it("shows time, level, module, message and fields", () => {
    const line = formatHuman({ time: Date.UTC(2026, 0, 1, 12, 0, 0, 5), level: 30, module: "devnet", msg: "Block built", number: 5 });
    assert.equal(line, "12:00:00.005 INFO  [devnet] Block built number=5");
  });
});

describe("import boundaries", () => {
  it("lets the devnet import yuma and refuses yuma importing util or node built-ins", () => {
    const violations = checkBoundaries([
      { path: "devnet/epoch.ts", text: 'import { runEpoch } from "../yuma/index.js";' },
      { path: "yuma/epoch.ts", text: 'import { readFile } from "node:fs";\nimport { x } from "../util/errors.js";' },
      { path: "chain/client.ts", text: 'import type { Devnet } from "../devnet/index.js";' },
      { path: "util/a.ts", text: 'export { program } from "../cli/program.js";' },
    ]);
    assert.deepEqual(
      violations.map((v) => `${v.file}:${v.line}: ${v.message}`),
      [
        "src/yuma/epoch.ts:1: yuma may not import the Node built-in node:fs (pure layer)",
        "src/yuma/epoch.ts:2: yuma may not import util",
        "src/chain/client.ts:1: chain may not import devnet",
        "src/util/a.ts:1: util may not import cli (nothing imports the composition root)",
      ],
    );
  });
});

describe("the logger", () => {
  it("writes JSON lines, or human lines, at or above its level", async () => {
    const { createLogger } = await import("../../../src/util/logger.js");
    const lines: string[] = [];
    const json = createLogger({ level: "info", format: "json", write: (line) => lines.push(line) });
    json.child({ module: "devnet" }).info({ number: 5 }, "Block built");
    json.debug("hidden");
    const human = createLogger({ level: "debug", format: "human", write: (line) => lines.push(line) });
    human.debug("shown");
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(lines.length, 2);
    assert.deepEqual(JSON.parse(lines[0]!), { ...JSON.parse(lines[0]!), level: 30, module: "devnet", number: 5, msg: "Block built" });
    assert.match(lines[1]!, /^\d\d:\d\d:\d\d\.\d{3} DEBUG shown\n$/);
  });
});
