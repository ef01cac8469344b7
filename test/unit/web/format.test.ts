/** How the pages write amounts, fractions and keys. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatAge, formatAmount, formatFraction, formatPrice, formatRate, formatShare, shortKey } from "../../../src/web/model/format.js";

describe("format", () => {
  it("writes rao as α or τ, truncated, grouped by thousands", () => {
    assert.equal(formatAmount("641910000000"), "641.9100");
    assert.equal(formatAmount("1234567891234567"), "1 234 567.8912");
    assert.equal(formatAmount("5", 2), "0.00");
    assert.equal(formatAmount("-1500000000", 1), "-1.5");
    assert.equal(formatAmount("not a number"), "—");
  });

  it("writes u16 fractions as percentages, shares and prices, or a dash when there are none", () => {
    assert.equal(formatFraction(65535), "100.00%");
    assert.equal(formatFraction(24634), "37.59%");
    assert.equal(formatShare(null), "—");
    assert.equal(formatShare(0.125), "12.50%");
    assert.equal(formatPrice(null), "—");
    assert.equal(formatPrice("12300000"), "0.0123 τ/α");
  });

  it("shortens keys for the screen", () => {
    assert.equal(shortKey("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"), "5FHneW…94ty");
    assert.equal(shortKey("5Short"), "5Short");
  });

  it("writes ages and rates", () => {
    assert.equal(formatAge(null, 0), "never");
    assert.equal(formatAge(1000, 4000), "3 s ago");
    assert.equal(formatAge(0, 600_000), "10 min ago");
    assert.equal(formatRate(null), "—");
    assert.equal(formatRate(3.14159), "3.14");
    assert.equal(formatRate(123.4), "123");
  });
});
