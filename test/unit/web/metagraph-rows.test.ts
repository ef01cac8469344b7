/** The metagraph table's rows: roles, sorting by any column, filtering by text and role — at 4096 uids too. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { firstDirection, metagraphRows, viewRows } from "../../../src/web/model/metagraph-rows.js";
import { columns } from "./fixtures.js";

describe("metagraph rows", () => {
  const rows = metagraphRows(columns());

  it("gives each uid its role: the owner's hotkey, a validator (a permit, and trust or dividends), a miner", () => {
    assert.deepEqual(rows.map((r) => r.role), ["owner", "validator", "miner", "miner"]);
    const everyonePermitted = metagraphRows(columns({ validatorPermit: [true, true, true, true] }));
    assert.deepEqual(everyonePermitted.map((r) => r.role), ["owner", "validator", "miner", "miner"], "on a small subnet every uid holds a permit");
  });

  it("sorts by a number column, largest first, ties by uid", () => {
    assert.deepEqual(viewRows(rows, { text: "", role: "all" }, "stake", "descending").map((r) => r.uid), [1, 0, 2, 3]);
    assert.deepEqual(viewRows(rows, { text: "", role: "all" }, "incentive", "descending").map((r) => r.uid), [2, 3, 0, 1]);
    assert.deepEqual(viewRows(rows, { text: "", role: "all" }, "incentive", "ascending").map((r) => r.uid), [0, 1, 3, 2]);
  });

  it("sorts stake exactly enough to order amounts that differ in the last rao", () => {
    const close = metagraphRows(columns({ stake: ["1000000000000000001", "1000000000000000000", "3", "2"] }));
    assert.deepEqual(viewRows(close, { text: "", role: "all" }, "stake", "descending").map((r) => r.uid).slice(2), [2, 3]);
  });

  it("filters by part of a hotkey or coldkey (any case), by uid, by role, by serving", () => {
    assert.deepEqual(viewRows(rows, { text: "minera", role: "all" }, "uid", "ascending").map((r) => r.uid), [2]);
    assert.deepEqual(viewRows(rows, { text: "5mcold", role: "all" }, "uid", "ascending").map((r) => r.uid), [2, 3]);
    assert.deepEqual(viewRows(rows, { text: "3", role: "all" }, "uid", "ascending").map((r) => r.uid), [3]);
    assert.deepEqual(viewRows(rows, { text: "", role: "validator" }, "uid", "ascending").map((r) => r.uid), [1]);
    assert.deepEqual(viewRows(rows, { text: "", role: "serving" }, "uid", "ascending").map((r) => r.uid), [2, 3]);
  });

  it("sorts numbers largest first and text in order by default", () => {
    assert.equal(firstDirection("stake"), "descending");
    assert.equal(firstDirection("hotkey"), "ascending");
  });

  it("builds, sorts and filters 4096 uids", () => {
    const n = 4096;
    const big = columns({
      n,
      hotkeys: Array.from({ length: n }, (_, i) => `5Hot${i}`),
      coldkeys: Array.from({ length: n }, (_, i) => `5Cold${i % 64}`),
      stake: Array.from({ length: n }, (_, i) => String((i * 7919) % 4096)),
      emission: Array.from({ length: n }, () => "0"),
      incentive: Array.from({ length: n }, (_, i) => i % 65535),
      dividends: Array.from({ length: n }, () => 0),
      consensus: Array.from({ length: n }, () => 0),
      validatorTrust: Array.from({ length: n }, (_, i) => (i < 64 ? 1000 : 0)),
      active: Array.from({ length: n }, () => true),
      validatorPermit: Array.from({ length: n }, (_, i) => i < 64),
      lastUpdate: Array.from({ length: n }, () => 0),
      registrationBlock: Array.from({ length: n }, () => 0),
      axon: Array.from({ length: n }, () => null),
    });
    const all = metagraphRows(big);
    const sorted = viewRows(all, { text: "", role: "miner" }, "stake", "descending");
    assert.equal(sorted.length, 4096 - 64);
    for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i - 1]!.stakeValue >= sorted[i]!.stakeValue, `row ${i} in order`);
  });
});
