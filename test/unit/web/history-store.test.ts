/**
 * The dashboard's history store over a real level database in a temporary folder: records kept
 * per subnet up to the bound (the oldest dropped in the same write), read back in epoch order after
 * a reopen, activity newest first and bounded, and a store emptied — saying why — when it was kept
 * for another chain or for a chain since started over.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Activity } from "../../../src/web/model/api.js";
import type { EpochRecord } from "../../../src/web/model/history.js";
import { HistoryStore } from "../../../src/web/server/history-store.js";

const record = (netuid: number, epoch: number): EpochRecord => ({ netuid, epoch, block: epoch * 10, incentive: [epoch], dividends: [0], emission: ["1"], stake: ["2"], registrationBlock: [1], split: { owner: "1", miners: "2", validators: "3" } });
const limits = { maxEpochs: 5, maxActivity: 3 };
const hashes = (block: number): Promise<string | undefined> => Promise.resolve(`0xhash${block}`);

describe("history store", () => {
  const root = mkdtempSync(join(tmpdir(), "tn-history-"));
  after(() => rmSync(root, { recursive: true, force: true }));

  it("keeps each subnet's latest epochs up to the bound, in order, across a reopen", async () => {
    const path = join(root, "a");
    const { store } = await HistoryStore.open(path, "0xgenesis", limits, hashes);
    for (const epoch of [3, 1, 2, 4, 5, 6, 7]) await store.addEpoch(record(1, epoch), `0xhash${epoch * 10}`);
    await store.addEpoch(record(2, 1), "0xhash10");
    await store.addEpoch(record(1, 7), "0xhash70");
    assert.deepEqual(store.recordedEpochs(1), [3, 4, 5, 6, 7]);
    await store.close();
    const { store: again, emptied } = await HistoryStore.open(path, "0xgenesis", limits, hashes);
    assert.equal(emptied, undefined);
    assert.deepEqual((await again.epochs(1, 100)).map((r) => r.epoch), [3, 4, 5, 6, 7]);
    assert.deepEqual((await again.epochs(1, 2)).map((r) => r.epoch), [6, 7]);
    assert.deepEqual((await again.epochs(2, 100)).map((r) => r.epoch), [1]);
    assert.deepEqual(again.recordedNetuids(), [1, 2]);
    await again.close();
  });

  it("keeps the latest activity per subnet, newest first, up to the bound", async () => {
    const { store } = await HistoryStore.open(join(root, "b"), "0xgenesis", limits, hashes);
    const item = (block: number): Activity => ({ kind: "registered", block, uid: block, hotkey: `5H${block}` });
    await store.addActivity(1, [item(1), item(2)]);
    await store.addActivity(1, [item(3), item(4)]);
    await store.addActivity(2, [item(9)]);
    assert.deepEqual((await store.activity(1, 10)).map((a) => a.block), [4, 3, 2]);
    assert.deepEqual((await store.activity(2, 10)).map((a) => a.block), [9]);
    await store.close();
  });

  it("starts over, saying why, for another chain or a chain started over", async () => {
    const path = join(root, "c");
    const { store } = await HistoryStore.open(path, "0xgenesis", limits, hashes);
    await store.addEpoch(record(1, 5), "0xhash50");
    await store.close();
    const restarted = await HistoryStore.open(path, "0xgenesis", limits, async (block) => (block === 50 ? "0xother" : undefined));
    assert.match(restarted.emptied!, /started over \(block 50 is not the one recorded\)/);
    assert.deepEqual(restarted.store.recordedEpochs(1), []);
    await restarted.store.addEpoch(record(1, 6), "0xhash60");
    await restarted.store.close();
    const other = await HistoryStore.open(path, "0xanother", limits, hashes);
    assert.match(other.emptied!, /kept for another chain/);
    assert.deepEqual(other.store.recordedNetuids(), []);
    await other.store.close();
  });

  it("is held by one process at a time", async () => {
    const path = join(root, "d");
    const { store } = await HistoryStore.open(path, "0xgenesis", limits, hashes);
    await assert.rejects(HistoryStore.open(path, "0xgenesis", limits, hashes), /another process using this data dir/);
    await store.close();
  });
});
