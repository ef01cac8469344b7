/**
 * What a stake or an unstake should get, before it is sent: the subnet's price (rao of TAO per
 * whole α, `limit_price`'s unit), the amount expected from the pool's constant-product formula
 * after HEAD's 33/65535 swap fee, the slippage against the spot price (fee included, as btcli
 * shows it), and the limit price a tolerance gives (btcli's safe staking: price × (1 ± tolerance)).
 * Root and stable subnets trade 1:1 with no fee. Pure: the pool comes from ChainReader.stakePool.
 * On a subnet whose Balancer weights have left 1/2 the amounts are estimates; the chain judges.
 */
import { UserError } from "../util/errors.js";
import { RAO_PER_TAO } from "./units.js";

/** rao per whole TAO or α, and the scale of prices and tolerances (parts per 10⁹). */
export const ONE = RAO_PER_TAO;
const FEE_RATE = 33n;
const FEE_DENOMINATOR = 65535n;

export interface StakePool {
  readonly netuid: number;
  /** The pool's reserves, rao. */
  readonly taoIn: bigint;
  readonly alphaIn: bigint;
  /** rao of TAO per whole α now. */
  readonly price: bigint;
  /** Root or a stable subnet: 1:1, no fee, no slippage. */
  readonly stable: boolean;
}

export interface SwapQuote {
  /** rao of TAO per whole α before the swap. */
  readonly price: bigint;
  /** What goes in (TAO to stake, α to unstake), rao. */
  readonly amount: bigint;
  /** The swap fee, in what goes in. */
  readonly fee: bigint;
  /** What comes out (α staked, TAO received), rao. */
  readonly expected: bigint;
  /** What would come out at the spot price with no fee. */
  readonly ideal: bigint;
  /** (ideal − expected) / ideal, as a fraction (0.005 = 0.5 %). */
  readonly slippage: number;
  /** rao of TAO per whole α after the swap. */
  readonly priceAfter: bigint;
}

export function swapFee(amount: bigint): bigint {
  return (amount * FEE_RATE) / FEE_DENOMINATOR;
}

/** The spot price of a pool's reserves, rao of TAO per whole α (0 for an empty pool). */
export function reservePrice(taoIn: bigint, alphaIn: bigint): bigint {
  return alphaIn === 0n ? 0n : (taoIn * ONE) / alphaIn;
}

function slippageOf(ideal: bigint, expected: bigint): number {
  return ideal === 0n ? 0 : Number(ideal - expected) / Number(ideal);
}

/** Staking `tao` rao: the α expected. */
export function quoteStake(pool: StakePool, tao: bigint): SwapQuote {
  if (pool.stable) return { price: ONE, amount: tao, fee: 0n, expected: tao, ideal: tao, slippage: 0, priceAfter: ONE };
  const fee = swapFee(tao);
  const net = tao - fee;
  const expected = pool.taoIn + net === 0n ? 0n : (pool.alphaIn * net) / (pool.taoIn + net);
  const ideal = pool.price === 0n ? 0n : (tao * ONE) / pool.price;
  return { price: pool.price, amount: tao, fee, expected, ideal, slippage: slippageOf(ideal, expected), priceAfter: reservePrice(pool.taoIn + net, pool.alphaIn - expected) };
}

/** Unstaking `alpha` rao: the TAO expected. */
export function quoteUnstake(pool: StakePool, alpha: bigint): SwapQuote {
  if (pool.stable) return { price: ONE, amount: alpha, fee: 0n, expected: alpha, ideal: alpha, slippage: 0, priceAfter: ONE };
  const fee = swapFee(alpha);
  const net = alpha - fee;
  const expected = pool.alphaIn + net === 0n ? 0n : (pool.taoIn * net) / (pool.alphaIn + net);
  const ideal = (alpha * pool.price) / ONE;
  return { price: pool.price, amount: alpha, fee, expected, ideal, slippage: slippageOf(ideal, expected), priceAfter: reservePrice(pool.taoIn - expected, pool.alphaIn + net) };
}

/**
 * "0.005" → 5_000_000 (parts per 10⁹): a fraction strictly between 0 and 1 with at most 9
 * decimals, read exactly (never through a float).
 */
export function parseTolerance(text: string, flag = "--tolerance"): bigint {
  const match = /^\s*0?\.(\d{1,9})\s*$/.exec(text);
  const parts = match ? BigInt(match[1]!.padEnd(9, "0")) : 0n;
  if (parts <= 0n || parts >= ONE)
    throw new UserError("BAD_TOLERANCE", `${flag}: "${text}" is not a fraction between 0 and 1 (e.g. 0.005 for 0.5 %)`);
  return parts;
}

/** The limit price for a tolerance (parts per 10⁹), in rao: a stake may lift the price to price × (1 + t), an unstake lower it to price × (1 − t). */
export function limitPrice(price: bigint, tolerance: bigint, side: "stake" | "unstake"): bigint {
  return (price * (side === "stake" ? ONE + tolerance : ONE - tolerance)) / ONE;
}

/** 0.00512 → "0.51 %" (two decimals; "< 0.01 %" for a non-zero sliver). */
export function formatPercent(fraction: number): string {
  const percent = fraction * 100;
  if (percent > 0 && percent < 0.005) return "< 0.01 %";
  return `${percent.toFixed(2)} %`;
}

/** A tolerance in parts per 10⁹ as a percentage: 5_000_000 → "0.5 %". */
export function formatTolerance(tolerance: bigint): string {
  const hundredths = (tolerance * 100n).toString().padStart(10, "0");
  const whole = hundredths.slice(0, -9).replace(/^0+(?=\d)/, "");
  const fraction = hundredths.slice(-9).replace(/0+$/, "");
  return `${whole}${fraction ? `.${fraction}` : ""} %`;
}
