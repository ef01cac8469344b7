import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MinHeap } from "../../../../src/p2p/admission/min-heap.js";
import { prng } from "../../../../src/util/prng.js";

describe("MinHeap", () => {
  it("pops items in ascending key order, whatever order they were pushed in", () => {
    const random = prng(7);
    for (let trial = 0; trial < 50; trial++) {
      const heap = new MinHeap<{ key: number; id: number }>((item) => item.key);
      const items = Array.from({ length: Math.floor(random() * 200) + 1 }, (_, id) => ({ key: Math.floor(random() * 50), id }));
      for (const item of items) heap.push(item);
      assert.equal(heap.size, items.length);
      const popped: number[] = [];
      for (let item = heap.pop(); item !== undefined; item = heap.pop()) popped.push(item.key);
      assert.deepEqual(popped, items.map((item) => item.key).sort((a, b) => a - b));
      assert.equal(heap.size, 0);
    }
  });

  it("peeks at the smallest without removing it, and is empty-safe", () => {
    const heap = new MinHeap<number>((n) => n);
    assert.equal(heap.peek(), undefined);
    assert.equal(heap.pop(), undefined);
    heap.push(3);
    heap.push(1);
    heap.push(2);
    assert.equal(heap.peek(), 1);
    assert.equal(heap.size, 3);
    assert.equal(heap.pop(), 1);
    assert.equal(heap.peek(), 2);
  });

  it("interleaves pushes and pops correctly", () => {
    const heap = new MinHeap<number>((n) => n);
    const reference: number[] = [];
    const random = prng(11);
    for (let step = 0; step < 2000; step++) {
      if (random() < 0.6) {
        const n = Math.floor(random() * 1000);
        heap.push(n);
        reference.push(n);
        reference.sort((a, b) => a - b);
      } else {
        assert.equal(heap.pop(), reference.shift());
      }
    }
  });
});
