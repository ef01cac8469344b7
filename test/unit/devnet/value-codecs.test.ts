/** The hand-written value codecs write and read the same bytes as the SCALE writer and reader, at every magnitude. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { prng } from "../../../src/util/prng.js";
import { ScaleReader, ScaleWriter } from "../../../src/devnet/codec/scale.js";
import * as c from "../../../src/devnet/runtime/pallets/subtensor/codecs.js";

const hex = (u: Uint8Array): string => Buffer.from(u).toString("hex");

function samples(bits: number): bigint[] {
  const random = prng(bits);
  const edges = [0n, 1n, 255n, 256n, (1n << 32n) - 1n, 1n << 32n, (1n << 53n) - 1n, 1n << 53n, (1n << 53n) + 1n, (1n << 64n) - 1n];
  const out = edges.filter((v) => v < 1n << BigInt(bits));
  for (let k = 0; k < 3000; k++) {
    const width = BigInt(1 + Math.floor(random() * bits));
    let v = 0n;
    for (let b = 0n; b < width; b += 16n) v = (v << 16n) | BigInt(Math.floor(random() * 65536));
    out.push(v & ((1n << width) - 1n));
  }
  return out;
}

describe("value codecs", () => {
  it("u64: the bytes of ScaleWriter.u64, read back by both", () => {
    for (const v of samples(64)) {
      const bytes = c.u64.encode(v);
      assert.equal(hex(bytes), hex(new ScaleWriter(8).u64(v).finish()), `encode ${v}`);
      assert.equal(c.u64.decode(bytes), v, `decode ${v}`);
      assert.equal(c.u64.decode(bytes), new ScaleReader(bytes).u64());
    }
    assert.throws(() => c.u64.decode(new Uint8Array(7)));
  });

  it("u128: the bytes of ScaleWriter.u128, read back by both", () => {
    for (const v of samples(128)) {
      const bytes = c.u128.encode(v);
      assert.equal(hex(bytes), hex(new ScaleWriter(16).u128(v).finish()), `encode ${v}`);
      assert.equal(c.u128.decode(bytes), v, `decode ${v}`);
    }
    assert.throws(() => c.u128.decode(new Uint8Array(15)));
  });

  it("SafeFloat: u128 mantissa and i64 exponent as ScaleWriter writes them", () => {
    for (const mantissa of samples(128).slice(0, 1500)) {
      for (const exponent of [0n, 1n, -1n, -18n, 3n]) {
        const bytes = c.safeFloat.encode({ mantissa, exponent });
        assert.equal(hex(bytes), hex(new ScaleWriter(24).u128(mantissa).i64(exponent).finish()), `encode ${mantissa}e${exponent}`);
        assert.deepEqual(c.safeFloat.decode(bytes), { mantissa, exponent });
      }
    }
  });

  it("vectors of u16, bool and u64: the bytes of ScaleWriter.vec, at every compact prefix length", () => {
    const random = prng(4);
    for (const length of [0, 1, 63, 64, 300, 16383, 16384, 20000]) {
      const u16s = Array.from({ length }, () => Math.floor(random() * 65536));
      const bools = Array.from({ length }, () => random() < 0.5);
      const u64s = Array.from({ length }, (_, i) => (i % 7 === 0 ? (1n << 60n) + BigInt(i) : BigInt(Math.floor(random() * 2 ** 52))));
      assert.equal(hex(c.vecU16.encode(u16s)), hex(new ScaleWriter().vec(u16s, (w, x) => w.u16(x)).finish()), `u16 × ${length}`);
      assert.equal(hex(c.vecBool.encode(bools)), hex(new ScaleWriter().vec(bools, (w, x) => w.bool(x)).finish()), `bool × ${length}`);
      assert.equal(hex(c.vecU64.encode(u64s)), hex(new ScaleWriter().vec(u64s, (w, x) => w.u64(x)).finish()), `u64 × ${length}`);
      const small = u64s.map((x) => x & ((1n << 52n) - 1n));
      assert.equal(hex(c.vecU64.encode(small)), hex(new ScaleWriter().vec(small, (w, x) => w.u64(x)).finish()), `small u64 × ${length}`);
      assert.deepEqual(c.vecU16.decode(c.vecU16.encode(u16s)), u16s);
      assert.deepEqual(c.blockNumbers(c.vecU64.encode(small)), small.map(Number));
    }
  });

  it("sparse rows: the bytes of Vec<(u16, u16)>, read back in stored order", () => {
    const random = prng(3);
    for (let k = 0; k < 300; k++) {
      const pairs = Array.from({ length: k === 0 ? 16384 : Math.floor(random() * 300) }, () => [Math.floor(random() * 65536), Math.floor(random() * 65536)] as [number, number]);
      const bytes = c.vecPairs.encode(pairs);
      const row = c.sparseRow.decode(bytes);
      assert.deepEqual(Array.from(row.cols, (col, i) => [col, row.vals[i]]), pairs);
      assert.equal(hex(c.sparseRow.encode(row)), hex(bytes));
      // At an odd offset inside a larger buffer, as storage may hand it over.
      const shifted = new Uint8Array(bytes.length + 1);
      shifted.set(bytes, 1);
      assert.deepEqual(c.sparseRow.decode(shifted.subarray(1)), row);
      // And as level hands it back after a restart: a Node Buffer, whose own slice is a view of the larger buffer, not a copy.
      const pooled = Buffer.alloc(bytes.length + 2 + (k % 2));
      pooled.set(bytes, 1);
      assert.deepEqual(c.sparseRow.decode(pooled.subarray(1, 1 + bytes.length)), row);
    }
  });
});
