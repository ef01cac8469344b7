/**
 * How `stake add` / `stake remove` show a swap before and after it: the price (τ per α), the
 * amount expected, the slippage and the price limit in the confirmation; what was filled after
 * inclusion; the same in --json (amounts and prices in rao, exact).
 */
import { formatPercent, formatTolerance, limitPrice, type SwapQuote } from "../chain/stake-math.js";
import { formatTao } from "../chain/units.js";
import type { StakeSafety } from "./stake-safety.js";

export type Side = "stake" | "unstake";

/** The limit-price call's terms, or undefined for the plain call. */
export function priceLimitOf(quote: SwapQuote, safety: StakeSafety, side: Side): { limitPrice: bigint; allowPartial: boolean } | undefined {
  return safety.safe ? { limitPrice: limitPrice(quote.price, safety.tolerance, side), allowPartial: safety.partial } : undefined;
}

const price = (rao: bigint): string => `${formatTao(rao, 6)} τ/α`;
const unitOut = (side: Side): string => (side === "stake" ? "α" : "τ");

/** "at 1.0012 τ/α: about 4.9312 α expected, slippage 0.15 %; price limit 1.0062 τ/α (tolerance 0.5 %), all or nothing" */
export function quoteText(quote: SwapQuote, safety: StakeSafety, side: Side): string {
  const base = `at ${price(quote.price)}: about ${formatTao(quote.expected, 4)} ${unitOut(side)} expected, slippage ${formatPercent(quote.slippage)}`;
  const limit = priceLimitOf(quote, safety, side);
  if (!safety.safe || limit === undefined) return `${base}; no price limit`;
  const terms = `${base}; price limit ${price(limit.limitPrice)} (tolerance ${formatTolerance(safety.tolerance)}), ${safety.partial ? "partial fill allowed" : "all or nothing"}`;
  const crosses = side === "stake" ? quote.priceAfter > limit.limitPrice : quote.priceAfter < limit.limitPrice;
  if (!crosses) return terms;
  return `${terms}; all of it would move the price to about ${price(quote.priceAfter)}, past the limit, so ${safety.partial ? "only part will fill" : "the chain will likely refuse it"}`;
}

/** The quote for --json: price and limit in rao of τ per α, amounts in rao, slippage in percent, the tolerance as a fraction. */
export function quoteJson(quote: SwapQuote, safety: StakeSafety, side: Side): Record<string, unknown> {
  const limit = priceLimitOf(quote, safety, side);
  return {
    price: quote.price,
    [side === "stake" ? "alphaExpected" : "taoExpected"]: quote.expected,
    slippagePercent: Number((quote.slippage * 100).toFixed(4)),
    safe: safety.safe,
    // Without a limit these are null, not left out (docs/cli-json.md).
    tolerance: safety.safe ? formatTao(safety.tolerance) : null,
    limitPrice: limit?.limitPrice ?? null,
    allowPartial: limit?.allowPartial ?? null,
  };
}

/** " (partially filled: 2.1 of 5 TAO, the rest would have passed the price limit of 1.0062 τ/α)" or "". */
export function partialText(filled: bigint, requested: bigint, unit: string, limit: bigint | undefined): string {
  if (filled >= requested || limit === undefined) return "";
  return ` (partially filled: ${formatTao(filled, 4)} of ${formatTao(requested, 4)} ${unit}; the rest would have passed the price limit of ${price(limit)})`;
}
