import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DevRuntime } from "../../../src/devnet/runtime/runtime.js";
import { prng } from "../../../src/util/prng.js";

describe("the fast path for hot SubtensorModule calls", () => {
  const runtime = new DevRuntime();
  const random = prng(11);
  const u16s = (n: number): number[] => Array.from({ length: n }, () => Math.floor(random() * 65536));

  it("decodes set_weights, commit_weights and reveal_weights exactly as @polkadot/types does", () => {
    for (let round = 0; round < 50; round++) {
      const n = Math.floor(random() * 300);
      const calls = [
        { callIndex: [7, 0], args: { netuid: u16s(1)[0], dests: u16s(n), weights: u16s(n), version_key: BigInt(Math.floor(random() * 2 ** 52)) * 4099n } },
        { callIndex: [7, 96], args: { netuid: u16s(1)[0], commit_hash: `0x${Buffer.from(u16s(32).map((x) => x & 0xff)).toString("hex")}` } },
        { callIndex: [7, 97], args: { netuid: u16s(1)[0], uids: u16s(n), values: u16s(n), salt: u16s(8), version_key: 7n } },
      ];
      for (const spec of calls) {
        const bytes = runtime.registry.createType("Call", spec).toU8a();
        const fast = runtime.decodeCall(bytes);
        const slow = runtime.registry.createType("Call", bytes);
        assert.equal(fast.constructor.name === "Object" || !("registry" in fast), true, "took the fast path");
        assert.deepEqual([fast.section, fast.method], [slow.section, slow.method]);
        assert.deepEqual(fast.args.map((a) => JSON.stringify(a.toJSON())), slow.args.map((a) => JSON.stringify(a.toJSON())));
        assert.deepEqual(fast.args.map((a) => Buffer.from(a.toU8a()).toString("hex")), slow.args.map((a) => Buffer.from(a.toU8a()).toString("hex")));
      }
    }
  });

  it("leaves malformed bytes to @polkadot/types, which says what is wrong", () => {
    const bytes = runtime.registry.createType("Call", { callIndex: [7, 0], args: { netuid: 1, dests: [1, 2], weights: [3, 4], version_key: 0 } }).toU8a();
    assert.throws(() => runtime.decodeCall(bytes.subarray(0, bytes.length - 3)), /cannot decode the call|the call is \d+ bytes but \d+ were given/);
    assert.throws(() => runtime.decodeCall(Uint8Array.from([...bytes, 0])), /the call is \d+ bytes but \d+ were given/);
  });
});
