import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_TOLERANCE, safetyChoice, stakeSafety } from "../../../src/cli/stake-safety.js";
import { priceLimitOf, quoteJson, quoteText } from "../../../src/cli/stake-quote.js";
import { quoteStake, quoteUnstake, reservePrice } from "../../../src/chain/stake-math.js";

const FINNEY_GENESIS_HASH = "0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03";
const TEST_NETWORK = "0x8f9cf856bf558a14440e75569c9e58594757048d7b3a84b5d25f6bd978263105";
const DEVNET = "0x" + "ab".repeat(32);
const decide = (flags: Record<string, unknown>, genesis: string) => stakeSafety(safetyChoice(flags), genesis);

describe("safe staking: when the limit-price calls are sent", () => {
  it("is the default on finney at btcli's tolerance of 0.005, and off elsewhere", () => {
    assert.deepEqual(decide({}, FINNEY_GENESIS_HASH), { safe: true, tolerance: DEFAULT_TOLERANCE, partial: false });
    assert.deepEqual(decide({}, FINNEY_GENESIS_HASH.toUpperCase().replace("0X", "0x")), { safe: true, tolerance: 5_000_000n, partial: false });
    assert.deepEqual(decide({}, DEVNET), { safe: false });
    assert.deepEqual(decide({}, TEST_NETWORK), { safe: false }, "only finney defaults to safe");
    assert.deepEqual(decide({ unsafe: true }, FINNEY_GENESIS_HASH), { safe: false });
  });

  it("turns on anywhere with --safe or --tolerance, partial with --partial", () => {
    assert.deepEqual(decide({ safe: true }, DEVNET), { safe: true, tolerance: DEFAULT_TOLERANCE, partial: false });
    assert.deepEqual(decide({ tolerance: "0.02", partial: true }, DEVNET), { safe: true, tolerance: 20_000_000n, partial: true });
    assert.deepEqual(decide({ partial: true }, FINNEY_GENESIS_HASH), { safe: true, tolerance: DEFAULT_TOLERANCE, partial: true });
  });

  it("refuses contradictions and a bad tolerance in one line", () => {
    const message = (flags: Record<string, unknown>, genesis = DEVNET): string => {
      try {
        decide(flags, genesis);
      } catch (error) {
        return (error as Error).message;
      }
      return "no error";
    };
    assert.equal(message({ safe: true, unsafe: true }), "--safe and --unsafe together: give one");
    assert.equal(message({ unsafe: true, tolerance: "0.01" }), "--tolerance sets a price limit, which --unsafe turns off: give one");
    assert.equal(message({ unsafe: true, partial: true }), "--partial fills up to a price limit, which --unsafe turns off: give one");
    assert.equal(message({ partial: true }), "--partial fills up to a price limit: give --tolerance FRACTION (or --safe) with it");
    assert.equal(message({ tolerance: "1" }), '--tolerance: "1" is not a fraction between 0 and 1 (e.g. 0.005 for 0.5 %)');
  });
});

describe("the confirmation's words", () => {
  const pool = { netuid: 1, taoIn: 1000n * 10n ** 9n, alphaIn: 1000n * 10n ** 9n, price: reservePrice(1000n, 1000n), stable: false };
  it("says the price, the amount expected, the slippage and the limit", () => {
    const quote = quoteStake(pool, 10n ** 9n);
    assert.equal(quoteText(quote, { safe: false }, "stake"), "at 1 τ/α: about 0.9984 α expected, slippage 0.15 %; no price limit");
    const safe = { safe: true as const, tolerance: 5_000_000n, partial: false };
    assert.equal(quoteText(quote, safe, "stake"), "at 1 τ/α: about 0.9984 α expected, slippage 0.15 %; price limit 1.005 τ/α (tolerance 0.5 %), all or nothing");
    assert.deepEqual(priceLimitOf(quote, safe, "stake"), { limitPrice: 1_005_000_000n, allowPartial: false });
    const unstake = quoteUnstake(pool, 10n ** 9n);
    const big = quoteStake(pool, 10n * 10n ** 9n); // 1 % of the pool lifts the price about 2 %
    assert.match(quoteText(big, safe, "stake"), /all or nothing; all of it would move the price to about 1\.020\d* τ\/α, past the limit, so the chain will likely refuse it$/);
    assert.match(quoteText(big, { ...safe, partial: true }, "stake"), /partial fill allowed; .* so only part will fill$/);
    assert.match(quoteText(quoteUnstake(pool, 10n * 10n ** 9n), safe, "unstake"), /to about 0\.980\d* τ\/α, past the limit, so the chain will likely refuse it$/);
    assert.deepEqual(quoteJson(quote, { safe: false }, "stake"), { price: 1_000_000_000n, alphaExpected: quote.expected, slippagePercent: 0.1502, safe: false, tolerance: null, limitPrice: null, allowPartial: null });
    assert.deepEqual(quoteJson(unstake, safe, "unstake"), { price: 1_000_000_000n, taoExpected: unstake.expected, slippagePercent: 0.1502, safe: true, tolerance: "0.005", limitPrice: 995_000_000n, allowPartial: false });
    assert.equal(quoteText(unstake, { ...safe, partial: true }, "unstake"), "at 1 τ/α: about 0.9984 τ expected, slippage 0.15 %; price limit 0.995 τ/α (tolerance 0.5 %), partial fill allowed");
  });
});
