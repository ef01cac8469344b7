import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alphaForTao, limitNotYetReached, maxAlphaWithinLimit, maxTaoWithinLimit, swapFee, taoForAlpha, type PoolReserves } from "../../../src/devnet/runtime/pallets/subtensor/pool.js";

const TAO = 1_000_000_000n;
const priceOf = (pool: PoolReserves): number => Number(pool.taoIn) / Number(pool.alphaIn);
const afterBuy = (pool: PoolReserves, gross: bigint): PoolReserves => {
  const net = gross - swapFee(gross);
  return { taoIn: pool.taoIn + net, alphaIn: pool.alphaIn - alphaForTao(pool, net) };
};
const afterSell = (pool: PoolReserves, gross: bigint): PoolReserves => {
  const net = gross - swapFee(gross);
  return { taoIn: pool.taoIn - taoForAlpha(pool, net), alphaIn: pool.alphaIn + net };
};

describe("the devnet pool's limit-price arithmetic", () => {
  // HEAD's test_add_stake_limit_ok: price 1.5 (150 TAO / 100 α), limit 24 → 450 TAO net, 75 α.
  const pool: PoolReserves = { taoIn: 150n * TAO, alphaIn: 100n * TAO };

  it("buys up to the limit as HEAD's test expects: 450 TAO net buy 75 α and lift the price to 24", () => {
    const gross = maxTaoWithinLimit(pool, 24n * TAO);
    const net = gross - swapFee(gross);
    assert.ok(net <= 450n * TAO && net > 450n * TAO - 10n, `net ${net}`);
    assert.ok(alphaForTao(pool, net) >= 75n * TAO - 10n);
    const after = afterBuy(pool, gross);
    assert.ok(after.taoIn * TAO <= 24n * TAO * after.alphaIn, "the price stays at or under the limit");
    assert.ok(!(afterBuy(pool, gross + 1n).taoIn * TAO <= 24n * TAO * afterBuy(pool, gross + 1n).alphaIn), "one rao more crosses it");
  });

  it("sells down to the limit and no further", () => {
    const limit = 1n * TAO; // price 1.5 → 1
    const gross = maxAlphaWithinLimit(pool, limit);
    const after = afterSell(pool, gross);
    assert.ok(after.taoIn * TAO >= limit * after.alphaIn);
    const over = afterSell(pool, gross + 1n);
    assert.ok(over.taoIn * TAO < limit * over.alphaIn, "one rao more crosses it");
    assert.ok(Math.abs(priceOf(after) - 1) < 1e-9);
  });

  it("knows when the price has already reached the limit", () => {
    assert.equal(limitNotYetReached(pool, 1_500_000_000n, "buy"), false);
    assert.equal(limitNotYetReached(pool, 1_500_000_001n, "buy"), true);
    assert.equal(limitNotYetReached(pool, 1_500_000_000n, "sell"), false);
    assert.equal(limitNotYetReached(pool, 1_499_999_999n, "sell"), true);
  });

  it("caps a trade at 1000 × the input reserve", () => {
    assert.equal(maxTaoWithinLimit(pool, 10n ** 18n), 1000n * pool.taoIn);
    assert.equal(maxAlphaWithinLimit(pool, 1n), 1000n * pool.alphaIn);
  });
});
