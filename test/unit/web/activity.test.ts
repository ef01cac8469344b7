/**
 * Activity told from two readings of a subnet's state: registrations and deregistrations, weight
 * commits, reveals and expiries, and weights set directly — none missed between reads.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { activityBetween, neuronChanges, weightActivity } from "../../../src/web/model/activity.js";
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

  it("sees nothing when nothing changed", () => {
    const reading = { metagraph: columns(), commits: [commit("5Validator", "0xaa", 90)] };
    assert.deepEqual(activityBetween(reading, reading), []);
  });

  it("tells a new commit, a commit revealed (its hotkey updated) and one expired (not updated)", () => {
    const before = { metagraph: columns(), commits: [commit("5Validator", "0xaa", 90), commit("5Owner", "0xbb", 80)] };
    const after = { metagraph: columns({ block: 130, lastUpdate: [10, 125, 12, 13] }), commits: [commit("5Validator", "0xcc", 126)] };
    assert.deepEqual(weightActivity(before, after), [
      { kind: "committed", block: 126, uid: 1, hotkey: "5Validator", hash: "0xcc" },
      { kind: "revealed", block: 125, uid: 1, hotkey: "5Validator", hash: "0xaa" },
      { kind: "expired", block: 130, uid: 0, hotkey: "5Owner", hash: "0xbb" },
    ]);
  });

  it("tells weights set without commit-reveal from a last update that moved on", () => {
    const before = { metagraph: columns(), commits: [] };
    const after = { metagraph: columns({ block: 101, lastUpdate: [10, 101, 12, 13] }), commits: [] };
    assert.deepEqual(weightActivity(before, after), [{ kind: "weights", block: 101, uid: 1, hotkey: "5Validator" }]);
  });

  it("does not take a re-registered uid's first update for weights", () => {
    const before = { metagraph: columns(), commits: [] };
    const after = { metagraph: columns({ block: 130, hotkeys: ["5Owner", "5Validator", "5MinerA", "5Newcomer"], registrationBlock: [10, 11, 12, 129], lastUpdate: [10, 95, 12, 129] }), commits: [] };
    assert.deepEqual(activityBetween(before, after).map((a) => a.kind), ["deregistered", "registered"]);
  });
});
