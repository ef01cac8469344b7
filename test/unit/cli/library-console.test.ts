import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { debugRequested, quietPolkadotConsole } from "../../../src/cli/library-console.js";

describe("@polkadot/api's console lines are kept to --log-level debug", () => {
  const recorder = () => {
    const lines: unknown[][] = [];
    const target = { error: (...v: unknown[]) => void lines.push(v), warn: (...v: unknown[]) => void lines.push(v), log: (...v: unknown[]) => void lines.push(v) };
    return { lines, target };
  };

  it("drops @polkadot/util's logger lines and lets everything else through", () => {
    const { lines, target } = recorder();
    const restore = quietPolkadotConsole(target, false);
    target.error("2026-12-07 11:42:56", "        RPC-CORE:", "getStorage(key: StorageKey): StorageData:: 4003: Client error");
    target.warn("2026-12-07 11:42:56", "        API/INIT:", "RPC methods not decorated");
    target.error("something of ours", 42);
    assert.deepEqual(lines, [["something of ours", 42]]);
    restore();
    target.error("2026-12-07 11:42:56", "        RPC-CORE:", "after restore");
    assert.equal(lines.length, 2);
  });

  it("leaves the console alone under debug", () => {
    const { lines, target } = recorder();
    quietPolkadotConsole(target, true);
    target.error("2026-12-07 11:42:56", "        RPC-CORE:", "shown");
    assert.equal(lines.length, 1);
  });

  it("takes debug from --log-level debug|trace (either spelling) or TENSORNODE_LOG_LEVEL", () => {
    assert.equal(debugRequested(["subnet", "list", "--log-level", "debug"], {}), true);
    assert.equal(debugRequested(["--log-level=trace", "doctor"], {}), true);
    assert.equal(debugRequested(["doctor", "--log-level", "info"], {}), false);
    assert.equal(debugRequested(["doctor"], { TENSORNODE_LOG_LEVEL: "debug" }), true);
    assert.equal(debugRequested(["doctor"], {}), false);
  });
});
