import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChainState, StatePrunedError } from "../../../src/devnet/state/chain-state.js";

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const hex = (u: Uint8Array | undefined): string | undefined => (u ? Buffer.from(u).toString("hex") : undefined);

function applyBlock(state: ChainState, number: number, changes: [string, Uint8Array | null][]): void {
  const set = new Map(changes);
  state.apply(number, set, state.undoFor(set));
}

describe("the chain state", () => {
  it("reads any recent block's state by undoing later blocks, and refuses pruned ones", () => {
    const state = new ChainState(3);
    state.load([["0x01", bytes(1)]], 0, []);
    applyBlock(state, 1, [["0x01", bytes(2)], ["0x02", bytes(9)]]);
    applyBlock(state, 2, [["0x01", null]]);
    applyBlock(state, 3, [["0x03", bytes(3)]]);
    assert.equal(hex(state.at(3).get("0x01")), undefined);
    assert.equal(hex(state.at(1).get("0x01")), "02");
    assert.equal(hex(state.at(0).get("0x01")), "01");
    assert.equal(hex(state.at(0).get("0x02")), undefined);
    assert.deepEqual(state.at(1).sortedKeys(), ["0x01", "0x02"]);
    assert.deepEqual(state.at(3).sortedKeys(), ["0x02", "0x03"]);
    applyBlock(state, 4, [["0x04", bytes(4)]]);
    assert.throws(() => state.at(0), StatePrunedError);
    assert.equal(hex(state.at(1).get("0x01")), "02");
  });

  it("commits to the state independently of the order changes arrive in, and checks a reload", () => {
    const a = new ChainState(8);
    a.load([], 0, []);
    applyBlock(a, 1, [["0xaa", bytes(1)], ["0xbb", bytes(2)]]);
    applyBlock(a, 2, [["0xaa", bytes(3)], ["0xcc", bytes(4)], ["0xbb", null]]);
    const b = new ChainState(8);
    b.load([["0xcc", bytes(4)], ["0xaa", bytes(3)]], 2, []);
    assert.equal(hex(a.root()), hex(b.root()));
    const c = new ChainState(8);
    c.load([["0xcc", bytes(4)], ["0xaa", bytes(5)]], 2, []);
    assert.notEqual(hex(a.root()), hex(c.root()), "a changed value changes the commitment");
    assert.equal(hex(a.rootAfter(new Map([["0xaa", bytes(5)]]))), hex(c.root()), "rootAfter predicts the root without applying");
  });
});
