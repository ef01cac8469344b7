/**
 * Activity told from two readings of a subnet's state: registrations and deregistrations, weight
 * commits, reveals and expiries, and weights set directly — none missed between reads.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { activityBetween, neuronChanges, recentRegistrations, weightActivity } from "../../../src/web/model/activity.js";
import type { PendingCommit } from "../../../src/web/model/api.js";
import { columns } from "./fixtures.js";

const commit = (hotkey: string, hash: string, block: number): PendingCommit => ({ hotkey, uid: null, hash, epoch: 3, block });

describe("activity", () => {
  it("tells a new uid as a registration", () => {
    const before = columns();
    const after = columns({ block: 120, hotkeys: [...before.hotkeys, "5MinerC"], registrationBlock: [...before.registrationBlock, 118], lastUpdate: [...before.lastUpdate, 118] });
    assert.deepEqual(neuronChanges(before, after), [{ kind: "registered", block: 118, uid: 4, hotkey: "5MinerC" }]);
  });

  it("tells a uid taken by another hotkey as a deregistration and a registration at that block", () => {
    const before = columns();
    const after = columns({ block: 130, hotkeys: ["5Owner", "5Validator", "5MinerA", "5Newcomer"], registrationBlock: [10, 11, 12, 129] });
    assert.deepEqual(neuronChanges(before, after), [
      { kind: "deregistered", block: 129, uid: 3, hotkey: "5MinerB" },
      { kind: "registered", block: 129, uid: 3, hotkey: "5Newcomer" },
    ]);
  });

  it("tells a uid gone (the subnet trimmed) as a deregistration", () => {
    const before = columns();
    const after = columns({ block: 140, hotkeys: before.hotkeys.slice(0, 3), registrationBlock: before.registrationBlock.slice(0, 3) });
    assert.deepEqual(neuronChanges(before, after), [{ kind: "deregistered", block: 140, uid: 3, hotkey: "5MinerB" }]);
  });

  const at = (epoch: number) => ({ epoch, revealPeriodEpochs: 1 });

  it("sees nothing when nothing changed", () => {
    const reading = { metagraph: columns(), commits: [commit("5Validator", "0xaa", 90)], ...at(3) };
    assert.deepEqual(activityBetween(reading, reading), []);
  });

  it("tells a new commit (which moves its hotkey's last update), a commit revealed in its reveal epoch, and one gone after it expired", () => {
    const epoch3 = { ...commit("5Validator", "0xaa", 90), epoch: 3 };
    const epoch1 = { ...commit("5Owner", "0xbb", 50), epoch: 1 };
    const before = { metagraph: columns(), commits: [epoch3, epoch1], ...at(4) };
    const after = { metagraph: columns({ block: 130, lastUpdate: [10, 126, 12, 13] }), commits: [{ ...commit("5Validator", "0xcc", 126), epoch: 4 }], ...at(4) };
    assert.deepEqual(weightActivity(before, after), [
      { kind: "committed", block: 126, uid: 1, hotkey: "5Validator", hash: "0xcc" },
      { kind: "revealed", block: 130, uid: 1, hotkey: "5Validator", hash: "0xaa" },
      { kind: "expired", block: 130, uid: 0, hotkey: "5Owner", hash: "0xbb" },
    ]);
  });

  it("tells weights set without commit-reveal from a last update that moved on", () => {
    const before = { metagraph: columns(), commits: [], ...at(3) };
    const after = { metagraph: columns({ block: 101, lastUpdate: [10, 101, 12, 13] }), commits: [], ...at(3) };
    assert.deepEqual(weightActivity(before, after), [{ kind: "weights", block: 101, uid: 1, hotkey: "5Validator" }]);
  });

  it("does not take a re-registered uid's first update for weights", () => {
    const before = { metagraph: columns(), commits: [], ...at(3) };
    const after = { metagraph: columns({ block: 130, hotkeys: ["5Owner", "5Validator", "5MinerA", "5Newcomer"], registrationBlock: [10, 11, 12, 129], lastUpdate: [10, 95, 12, 129] }), commits: [], ...at(3) };
    assert.deepEqual(activityBetween(before, after).map((a) => a.kind), ["deregistered", "registered"]);
  });
});

describe("recent registrations", () => {
  it("tells the uids registered within the last blocks, oldest first", () => {
    const m = columns({ block: 1000, registrationBlock: [10, 995, 12, 990] });
    assert.deepEqual(recentRegistrations(m, 20), [
      { kind: "registered", block: 990, uid: 3, hotkey: "5MinerB" },
      { kind: "registered", block: 995, uid: 1, hotkey: "5Validator" },
    ]);
    assert.deepEqual(recentRegistrations(m, 5), []);
  });
});
