import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { prng } from "../../../src/util/prng.js";
import { divideShare, mulFast, u16ProportionToFixed } from "../../../src/yuma/fixed.js";

/** Reference semantics in BigInt: floor for products, truncation for quotients (0 on overflow). */
const refMul = (a: number, b: number): number => Number((BigInt(a) * BigInt(b)) >> 32n);
const refDiv = (a: number, b: number): number => {
  if (b === 0) return 0;
  const q = (BigInt(a) << 32n) / BigInt(b);
  return q >= 1n << 63n || q < -(1n << 63n) ? 0 : Number(q);
};

describe("the epoch's inlined fixed-point fast paths equal the exact operations", () => {
  const random = prng(99);
  const upTo = (bits: number): number => Math.floor(random() * 2 ** (1 + Math.floor(random() * bits)));

  it("mulFast is floor(a·b / 2^32) for operands of either sign, past 2^52 products too", () => {
    for (let k = 0; k < 50000; k++) {
      const a = (k % 3 === 0 ? -1 : 1) * upTo(40);
      const b = (k % 5 === 0 ? -1 : 1) * upTo(40);
      assert.equal(mulFast(a, b), refMul(a, b), `mulFast(${a}, ${b})`);
    }
    // Proportion by proportion: products past 2^52 from operands up to 2^34, where the wide split applies.
    for (let k = 0; k < 50000; k++) {
      const a = 2 ** 34 - 1 - Math.floor(random() * 2 ** (1 + (k % 34)));
      const b = Math.floor(random() * 2 ** 34);
      assert.equal(mulFast(a, b), refMul(a, b), `mulFast(${a}, ${b})`);
    }
    for (const [a, b] of [[2 ** 34 - 1, 2 ** 34 - 1], [2 ** 32, 2 ** 32], [2 ** 33 + 1, 2 ** 20 + 3], [2 ** 34, 5]] as const) assert.equal(mulFast(a, b), refMul(a, b));
    assert.ok(Object.is(mulFast(0, 5), 0));
  });

  it("divideShare is trunc(part·2^32 / whole) for parts of a sum, whole up to 2^53, and safeDiv otherwise", () => {
    for (let k = 0; k < 100000; k++) {
      const whole = Math.max(1, upTo(53));
      const part = k % 7 === 0 ? whole : k % 11 === 0 ? 0 : Math.floor(random() * (whole + 1));
      assert.equal(divideShare(part, whole), refDiv(part, whole), `divideShare(${part}, ${whole})`);
    }
    // Quotients one below and one above an integer, where a double quotient rounds across it.
    for (let k = 0; k < 20000; k++) {
      const whole = Math.max(1, upTo(50));
      const q = Math.floor(random() * 2 ** 32);
      const part = Math.floor((q * whole) / 2 ** 32) + (k % 3) - 1;
      if (part < 0 || part > whole) continue;
      assert.equal(divideShare(part, whole), refDiv(part, whole), `divideShare(${part}, ${whole})`);
    }
    for (const [part, whole] of [[0, 0], [5, 3], [-1, 7], [3, 2 ** 60]] as const) assert.equal(divideShare(part, whole), refDiv(part, whole));
  });

  it("u16ProportionToFixed is trunc(v·2^32 / 65535) for every u16", () => {
    for (let v = 0; v <= 65535; v++) assert.equal(u16ProportionToFixed(v), refDiv(v, 65535));
  });
});
