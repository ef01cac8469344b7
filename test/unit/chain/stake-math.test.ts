import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatPercent, formatTolerance, limitPrice, ONE, parseTolerance, quoteStake, quoteUnstake, reservePrice, type StakePool } from "../../../src/chain/stake-math.js";

const TAO = ONE;
const dynamic = (taoIn: bigint, alphaIn: bigint): StakePool => ({ netuid: 1, taoIn, alphaIn, price: reservePrice(taoIn, alphaIn), stable: false });

describe("stake price, expected amounts and slippage", () => {
  it("prices a pool as its TAO per α, in rao per whole α", () => {
    assert.equal(reservePrice(150n * TAO, 100n * TAO), 1_500_000_000n);
    assert.equal(reservePrice(0n, 0n), 0n);
  });

  it("quotes a stake with the constant-product formula after the 33/65535 fee (HEAD's example: 450 TAO at 1.5 buy 75 α)", () => {
    const pool = dynamic(150n * TAO, 100n * TAO);
    const q = quoteStake(pool, 450n * TAO);
    assert.equal(q.fee, (450n * TAO * 33n) / 65535n);
    const net = 450n * TAO - q.fee;
    assert.equal(q.expected, (100n * TAO * net) / (150n * TAO + net));
    assert.ok(q.expected < 75n * TAO && q.expected > 74n * TAO);
    assert.equal(q.ideal, 300n * TAO, "450 TAO at 1.5 τ/α");
    assert.ok(Math.abs(q.slippage - Number(q.ideal - q.expected) / Number(q.ideal)) < 1e-12);
    assert.ok(q.slippage > 0.75 && q.slippage < 0.76, "quadrupling the price costs three quarters");
    assert.ok(q.priceAfter > 23n * TAO && q.priceAfter < 24n * TAO);
  });

  it("quotes a small stake's slippage as about the fee plus its price impact", () => {
    const pool = dynamic(1000n * TAO, 1000n * TAO);
    const q = quoteStake(pool, 1n * TAO);
    // fee 33/65535 ≈ 0.0504 % plus impact ≈ 0.1 %
    assert.ok(Math.abs(q.slippage - (33 / 65535 + 0.001)) < 2e-5, `${q.slippage}`);
  });

  it("quotes an unstake symmetrically", () => {
    const pool = dynamic(150n * TAO, 100n * TAO);
    const q = quoteUnstake(pool, 10n * TAO);
    const net = 10n * TAO - q.fee;
    assert.equal(q.expected, (150n * TAO * net) / (100n * TAO + net));
    assert.equal(q.ideal, 15n * TAO);
    assert.ok(q.slippage > 0.09 && q.slippage < 0.095);
    assert.ok(q.priceAfter < q.price);
  });

  it("trades root and stable subnets 1:1 with no fee or slippage", () => {
    const root: StakePool = { netuid: 0, taoIn: 5n, alphaIn: 7n, price: ONE, stable: true };
    assert.deepEqual(quoteStake(root, 3n * TAO), { price: ONE, amount: 3n * TAO, fee: 0n, expected: 3n * TAO, ideal: 3n * TAO, slippage: 0, priceAfter: ONE });
    assert.equal(quoteUnstake(root, 2n * TAO).expected, 2n * TAO);
  });
});

describe("tolerance and limit price", () => {
  it("reads a tolerance exactly as parts per 10⁹", () => {
    assert.equal(parseTolerance("0.005"), 5_000_000n);
    assert.equal(parseTolerance(".1"), 100_000_000n);
    assert.equal(parseTolerance("0.000000001"), 1n);
  });

  it("refuses what is not a fraction strictly between 0 and 1, in one line", () => {
    for (const bad of ["0", "1", "1.5", "-0.1", "abc", "0.0", "5%", "0.0000000001", ""]) {
      assert.throws(() => parseTolerance(bad), (e: Error & { code?: string }) => e.code === "BAD_TOLERANCE" && e.message === `--tolerance: "${bad}" is not a fraction between 0 and 1 (e.g. 0.005 for 0.5 %)`, bad);
    }
  });

  it("sets the limit at price × (1 ± tolerance), in rao", () => {
    assert.equal(limitPrice(1_500_000_000n, 5_000_000n, "stake"), 1_507_500_000n);
    assert.equal(limitPrice(1_500_000_000n, 5_000_000n, "unstake"), 1_492_500_000n);
    assert.equal(limitPrice(3n, 500_000_000n, "stake"), 4n, "rounded down");
  });

  it("formats percentages", () => {
    assert.equal(formatPercent(0.005123), "0.51 %");
    assert.equal(formatPercent(0), "0.00 %");
    assert.equal(formatPercent(0.00001), "< 0.01 %");
    assert.equal(formatTolerance(5_000_000n), "0.5 %");
    assert.equal(formatTolerance(100_000_000n), "10 %");
    assert.equal(formatTolerance(1n), "0.0000001 %");
  });
});
