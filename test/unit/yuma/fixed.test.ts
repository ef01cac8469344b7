import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { prng } from "../../../src/util/prng.js";
import { expRaw, expSafe, mul, proportionToU16, ratioOfIntegers, safeDiv, saturatingDiv, u16ProportionToFixed, ONE } from "../../../src/yuma/fixed.js";


/** Reference semantics in BigInt: floor for products, truncation for quotients. */
const refMul = (a: number, b: number): number => Number((BigInt(a) * BigInt(b)) >> 32n);
const refDiv = (a: number, b: number): number => {
  const q = (BigInt(a) << 32n) / BigInt(b);
  return q >= 1n << 63n || q < -(1n << 63n) ? 0 : Number(q); // safe_div: 0 on overflow
};

describe("I32F32 arithmetic", () => {
  const random = prng(42);
  const magnitude = (bits: number): number => Math.floor(random() * 2 ** bits);
  const signed = (bits: number): number => (random() < 0.3 ? -1 : 1) * magnitude(bits);

  it("multiplies with floor rounding, exactly, across magnitudes and signs", () => {
    for (let k = 0; k < 20000; k++) {
      const a = signed(1 + (k % 40));
      const b = signed(1 + ((k * 7) % 40));
      assert.equal(mul(a, b), refMul(a, b), `mul(${a}, ${b})`);
    }
  });

  it("rounds a negative product towards minus infinity, as an arithmetic shift does", () => {
    assert.equal(mul(-1, 1), -1); // -2^-64 floors to -2^-32
    assert.equal(mul(-ONE, ONE / 2), -ONE / 2);
  });

  it("divides with truncation towards zero, exactly", () => {
    for (let k = 0; k < 20000; k++) {
      const a = signed(1 + (k % 36));
      const b = signed(1 + ((k * 11) % 38)) || 1;
      assert.equal(safeDiv(a, b), refDiv(a, b), `div(${a}, ${b})`);
    }
  });

  it("safe_div gives 0 for a zero divisor or an overflowing quotient; saturating_div clamps", () => {
    assert.equal(safeDiv(ONE, 0), 0);
    assert.equal(safeDiv(2 ** 52, 1), 0);
    assert.equal(saturatingDiv(2 ** 52, 1), Number((1n << 63n) - 1n));
  });

  it("divides integer-valued operands without forming the 80-bit raw numerator", () => {
    assert.equal(ratioOfIntegers(1, 3), 1431655765);
    assert.equal(ratioOfIntegers(65535, 4096 * 65535), 2 ** 20);
    assert.equal(u16ProportionToFixed(32767), 2147450879); // default kappa
  });

  it("converts proportions to u16 by flooring x·65535 and saturating", () => {
    assert.equal(proportionToU16(ONE), 65535);
    assert.equal(proportionToU16(ONE - 1), 65534);
    assert.equal(proportionToU16(2 * ONE), 65535);
    assert.equal(proportionToU16(-5), 0);
  });
});

describe("exp as substrate_fixed computes it", () => {
  it("returns 1 for 0 and the I9F23 constant e for 1", () => {
    assert.equal(expRaw(0n), 1n << 32n);
    assert.equal(expRaw(1n << 32n), 11674931200n);
  });

  it("is close to Math.exp where liquid alpha uses it (|x| ≤ 5; the 31-term series drifts beyond)", () => {
    for (let x = -5; x <= 5; x += 0.37) {
      const raw = expSafe(BigInt(Math.round(x * 2 ** 32)));
      const value = Number(raw) / 2 ** 32;
      const expected = Math.exp(x);
      assert.ok(Math.abs(value - expected) <= Math.max(1e-6, expected * 1e-6), `exp(${x}) = ${value}, want ${expected}`);
    }
  });

  it("falls short of Math.exp for large inputs, as the truncated Taylor series does", () => {
    const value = Number(expSafe(12n << 32n)) / 2 ** 32;
    assert.ok(value < Math.exp(12) && value > Math.exp(12) * 0.999);
  });

  it("clamps inputs beyond ±20", () => {
    assert.equal(expSafe(100n << 32n), expSafe(20n << 32n));
    assert.equal(expSafe(-100n << 32n), expSafe(-20n << 32n));
  });
});
