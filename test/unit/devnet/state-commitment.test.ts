/**
 * The state commitment is the documented one, bit for bit, however it is computed: blake2_256 of
 * the little-endian bytes of Σ blake2_256(key ‖ value) mod 2^256 (each digest read big-endian), so
 * chains written before stay verifiable; and rootAfter's work reused by apply never goes stale.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { blake2AsU8a } from "@polkadot/util-crypto";
import { prng } from "../../../src/util/prng.js";
import { ChainState } from "../../../src/devnet/state/chain-state.js";

const hex = (u: Uint8Array): string => Buffer.from(u).toString("hex");

/** The commitment as chain-state.ts defines it, computed the plain way with BigInt. */
function referenceRoot(entries: ReadonlyMap<string, Uint8Array>): string {
  let sum = 0n;
  for (const [key, value] of entries) {
    const digest = blake2AsU8a(new Uint8Array([...Buffer.from(key.slice(2), "hex"), ...value]), 256);
    sum = (sum + BigInt(`0x${hex(digest)}`)) % (1n << 256n);
  }
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++, sum >>= 8n) bytes[i] = Number(sum & 0xffn);
  return hex(blake2AsU8a(bytes, 256));
}

describe("the state commitment", () => {
  it("equals the plain BigInt definition through loads, rootAfter and applied blocks with deletions", () => {
    const random = prng(11);
    const key = (): string => `0x${(1000 + Math.floor(random() * 300)).toString(16).padStart(6, "0")}`;
    const value = (): Uint8Array => Uint8Array.from({ length: 1 + Math.floor(random() * 40) }, () => Math.floor(random() * 256));
    const model = new Map<string, Uint8Array>();
    for (let i = 0; i < 200; i++) model.set(key(), value());
    const state = new ChainState(4);
    state.load(model, 0, []);
    assert.equal(hex(state.root()), referenceRoot(model));
    for (let block = 1; block <= 30; block++) {
      const changes = new Map<string, Uint8Array | null>();
      for (let i = 0; i < 40; i++) changes.set(key(), random() < 0.3 ? null : value());
      const after = new Map(model);
      for (const [k, v] of changes) v ? after.set(k, v) : after.delete(k);
      assert.equal(hex(state.rootAfter(changes)), referenceRoot(after), `block ${block}: rootAfter`);
      if (block % 5 === 0) {
        // Another change lands first: the change set's earlier rootAfter must not be reused.
        const other = new Map<string, Uint8Array | null>([...changes.keys()].slice(0, 5).map((k) => [k, value()] as const));
        state.apply(100 + block, other, state.undoFor(other));
        for (const [k, v] of other) v ? model.set(k, v) : model.delete(k);
      }
      state.apply(block, changes, state.undoFor(changes));
      for (const [k, v] of changes) v ? model.set(k, v) : model.delete(k);
      assert.equal(hex(state.root()), referenceRoot(model), `block ${block}: root after apply`);
    }
    assert.equal(hex(state.root()), referenceRoot(model));
  });

  it("of an empty state is the hash of 32 zero bytes", () => {
    const state = new ChainState(1);
    state.load([], 0, []);
    assert.equal(hex(state.root()), hex(blake2AsU8a(new Uint8Array(32), 256)));
  });
});
