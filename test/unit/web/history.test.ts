/**
 * The history model: an epoch's record from its metagraph and pots (the split as subtensor pays
 * it), the compact form, the charts' series (one point per epoch, a uid's earlier holder left out),
 * and the uids charted by default.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compactEpoch, emissionSplit, epochRecordOf, historyPayload, parseUidList, topEmissionUids } from "../../../src/web/model/history.js";
import { columns } from "./fixtures.js";

const pots = { server: 1_000_000_000n, validator: 1_000_000_000n, ownerCut: 439_024_390n };

describe("history", () => {
  it("splits an epoch's pots: the owner's cut, the server pot to the miners, the validator pot to the validators", () => {
    assert.deepEqual(emissionSplit(pots, 65535), { owner: "439024390", miners: "1000000000", validators: "1000000000" });
  });

  it("pays the server pot to the validators when no uid earned incentive", () => {
    assert.deepEqual(emissionSplit(pots, 0), { owner: "439024390", miners: "0", validators: "2000000000" });
  });

  it("records an epoch exactly: its block, per-uid values and registration blocks, the split", () => {
    const record = epochRecordOf(columns(), 7, pots);
    assert.equal(record.epoch, 7);
    assert.equal(record.block, 100);
    assert.deepEqual(record.stake, ["44150000000", "641910000000", "3080000000", "2980000000"]);
    assert.deepEqual(record.incentive, [0, 0, 39321, 26214]);
    assert.deepEqual(record.registrationBlock, [10, 11, 12, 13]);
    assert.equal(record.split.miners, "1000000000");
  });

  it("keeps a compact copy in α", () => {
    const compact = compactEpoch(epochRecordOf(columns(), 7, pots));
    assert.equal(compact.n, 4);
    assert.ok(Math.abs(compact.stake[1]! - 641.91) < 1e-9);
    assert.deepEqual([...compact.incentive], [0, 0, 39321, 26214]);
    assert.deepEqual(compact.split.map((x) => Math.round(x * 1e9)), [439024390, 1000000000, 1000000000]);
  });

  it("gives one point per epoch in epoch order, with the series of the uids asked for", () => {
    const epochs = [9, 7, 8].map((epoch) => compactEpoch(epochRecordOf(columns({ block: epoch * 20 }), epoch, pots)));
    const m = columns();
    const history = historyPayload(1, epochs, m, [2, 1]);
    assert.deepEqual(history.epochs, [7, 8, 9]);
    assert.deepEqual(history.blocks, [140, 160, 180]);
    assert.equal(history.split.miners.length, 3);
    assert.deepEqual(history.series.map((s) => [s.uid, s.hotkey]), [[2, "5MinerA"], [1, "5Validator"]]);
    assert.deepEqual(history.series[0]!.incentive, [39321, 39321, 39321]);
  });

  it("leaves out the points of a uid's earlier holder, and those from before the uid existed", () => {
    const old = compactEpoch(epochRecordOf(columns({ registrationBlock: [10, 11, 12, 5] }), 1, pots));
    const short = compactEpoch(epochRecordOf(columns({ n: 3, hotkeys: ["5Owner", "5Validator", "5MinerA"], incentive: [0, 0, 1], dividends: [0, 1, 0], emission: ["0", "1", "1"], stake: ["1", "1", "1"], registrationBlock: [10, 11, 12] }), 0, pots));
    const now = compactEpoch(epochRecordOf(columns(), 2, pots));
    const history = historyPayload(1, [short, old, now], columns(), [3]);
    assert.deepEqual(history.series[0]!.incentive, [null, null, 26214]);
  });

  it("charts by default the uids that earned the most in the latest epoch", () => {
    const latest = compactEpoch(epochRecordOf(columns(), 1, pots));
    assert.deepEqual(topEmissionUids(latest, 2), [1, 2]);
    assert.deepEqual(topEmissionUids(latest, 10), [1, 2, 3]);
    assert.deepEqual(topEmissionUids(undefined, 3), []);
  });

  it("reads ?uids= strictly", () => {
    assert.equal(parseUidList(null, 8), undefined);
    assert.deepEqual(parseUidList("3, 1,3", 8), [3, 1]);
    assert.throws(() => parseUidList("1,x", 8), /"x" is not a uid/);
    assert.throws(() => parseUidList("70000", 8), /not a uid/);
    assert.throws(() => parseUidList("1,2,3", 2), /at most 2/);
  });
});
