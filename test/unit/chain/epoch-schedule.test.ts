import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { blocksPerEpoch, epochIndexAt, fixedBlocksUntilNextEpoch, fixedEpochIndex, fixedEpochSchedule, headEpochSchedule } from "../../../src/chain/epoch-schedule.js";

describe("the epoch schedule of subtensor ≤ 343 (a fixed rule of tempo and netuid)", () => {
  it("runs the first epoch in the blocks subtensor's own table gives (run_coinbase.rs, blocks_until_next_epoch)", () => {
    // tempo | netuid | first epoch block
    const table: [number, number, bigint][] = [[1, 0, 0n], [1, 1, 1n], [2, 0, 1n], [2, 1, 0n], [100, 0, 99n], [100, 1, 98n]];
    for (const [tempo, netuid, first] of table) {
      const firstRun = [...Array(200).keys()].map(BigInt).find((b) => fixedBlocksUntilNextEpoch(netuid, tempo, b) === 0n);
      assert.equal(firstRun, first, `tempo ${tempo}, netuid ${netuid}`);
    }
  });

  it("never runs an epoch with tempo 0", () => {
    assert.equal(fixedBlocksUntilNextEpoch(3, 0, 1000n), (1n << 64n) - 1n);
    assert.equal(fixedEpochSchedule(3, 0, 1000n, 1n).nextEpochBlock, (1n << 64n) - 1n);
  });

  it("from any head: the next epoch is the next block the rule runs one in, the index moves on the block after, and the reveal epoch is counted as the chain counts it", () => {
    for (const [netuid, tempo] of [[1, 10], [3, 360], [0, 1], [7, 99]] as const) {
      for (let head = 0n; head < 3n * BigInt(tempo + 1) + 5n; head++) {
        const schedule = fixedEpochSchedule(netuid, tempo, head, 1n);
        const label = `netuid ${netuid}, tempo ${tempo}, head ${head}`;
        assert.equal(schedule.rule, "fixed");
        assert.equal(schedule.index, fixedEpochIndex(netuid, tempo, head), label);
        assert.ok(schedule.nextEpochBlock > head, label);
        assert.equal(fixedBlocksUntilNextEpoch(netuid, tempo, schedule.nextEpochBlock), 0n, label);
        for (let b = head + 1n; b < schedule.nextEpochBlock; b++) assert.notEqual(fixedBlocksUntilNextEpoch(netuid, tempo, b), 0n, `${label}: no epoch runs at ${b} before ${schedule.nextEpochBlock}`);
        assert.equal(fixedEpochIndex(netuid, tempo, schedule.nextIndexBlock), schedule.index + 1n, `${label}: the index moves on at ${schedule.nextIndexBlock}`);
        assert.equal(fixedEpochIndex(netuid, tempo, schedule.nextIndexBlock - 1n), schedule.index, `${label}: and not before`);
        for (const block of [head + 1n, head + 2n]) assert.equal(epochIndexAt(schedule, block), fixedEpochIndex(netuid, tempo, block), `${label}: index of block ${block}`);
        assert.equal(fixedEpochIndex(netuid, tempo, schedule.lastEpochBlock), schedule.index, `${label}: the current index began at ${schedule.lastEpochBlock}`);
        assert.equal(blocksPerEpoch(schedule), BigInt(tempo) + 1n);
      }
    }
  });
});

describe("the epoch schedule of subtensor HEAD (its scheduler's storage)", () => {
  it("runs the next epoch Tempo blocks after the last, and counts the epoch's own block in the next index", () => {
    const schedule = headEpochSchedule({ tempo: 10, index: 4n, lastEpochBlock: 40n, pendingEpochAt: 0n, revealPeriodEpochs: 1n });
    assert.equal(schedule.nextEpochBlock, 50n);
    assert.equal(epochIndexAt(schedule, 49n), 4n);
    assert.equal(epochIndexAt(schedule, 50n), 5n);
    assert.equal(blocksPerEpoch(schedule), 10n);
  });

  it("runs it at PendingEpochAt after an owner's trigger_epoch", () => {
    assert.equal(headEpochSchedule({ tempo: 10, index: 4n, lastEpochBlock: 40n, pendingEpochAt: 43n, revealPeriodEpochs: 1n }).nextEpochBlock, 43n);
  });
});
