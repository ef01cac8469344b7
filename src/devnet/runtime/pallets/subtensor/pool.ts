/**
 * The devnet's subnet pool as pure arithmetic on its reserves: a constant-product AMM between
 * SubnetTAO and SubnetAlphaIn with HEAD's 33/65535 swap fee (HEAD's Balancer pool while its weights
 * stay 1/2), and the largest trade whose price stays within a limit — what HEAD's
 * `get_max_amount_add` / `get_max_amount_remove` answer for `add_stake_limit` / `remove_stake_limit`.
 * Prices are rao of TAO per whole alpha (`limit_price`'s unit); everything rounds as the devnet's
 * swaps do, so "within the limit" here is exactly what the swap then does.
 */

export interface PoolReserves {
  readonly taoIn: bigint;
  readonly alphaIn: bigint;
}

const FEE_RATE = 33n;
const FEE_DENOMINATOR = 65535n;
const RAO_PER_ALPHA = 1_000_000_000n;
/** HEAD refuses a swap whose input exceeds 1000 × the input reserve (InsufficientLiquidity). */
export const MAX_INPUT_RESERVE_MULTIPLIER = 1000n;

export function swapFee(amount: bigint): bigint {
  return (amount * FEE_RATE) / FEE_DENOMINATOR;
}

/** Alpha out for `tao` (net of fee) paid in. */
export function alphaForTao(pool: PoolReserves, tao: bigint): bigint {
  return pool.taoIn + tao === 0n ? 0n : (pool.alphaIn * tao) / (pool.taoIn + tao);
}

/** TAO out for `alpha` (net of fee) paid in. */
export function taoForAlpha(pool: PoolReserves, alpha: bigint): bigint {
  return pool.alphaIn + alpha === 0n ? 0n : (pool.taoIn * alpha) / (pool.alphaIn + alpha);
}

/** price(pool) ≤ limit, in exact integers (an empty alpha side has an infinite price). */
function priceAtMost(taoIn: bigint, alphaIn: bigint, limit: bigint): boolean {
  return alphaIn > 0n && taoIn * RAO_PER_ALPHA <= limit * alphaIn;
}

function priceAtLeast(taoIn: bigint, alphaIn: bigint, limit: bigint): boolean {
  return alphaIn > 0n && taoIn * RAO_PER_ALPHA >= limit * alphaIn;
}

/** Whether the price now is strictly below (buy) or above (sell) the limit: HEAD's swap refuses otherwise. */
export function limitNotYetReached(pool: PoolReserves, limit: bigint, side: "buy" | "sell"): boolean {
  return side === "buy" ? pool.alphaIn > 0n && pool.taoIn * RAO_PER_ALPHA < limit * pool.alphaIn : pool.alphaIn > 0n && pool.taoIn * RAO_PER_ALPHA > limit * pool.alphaIn;
}

/** The largest x in [0, cap] with ok(x), for ok true at 0 and monotone (true, then false). */
function largest(cap: bigint, ok: (x: bigint) => boolean): bigint {
  let low = 0n;
  let high = cap;
  while (low < high) {
    const mid = (low + high + 1n) / 2n;
    if (ok(mid)) low = mid;
    else high = mid - 1n;
  }
  return low;
}

/** The largest gross amount whose amount net of the swap fee is at most `net`. */
function grossFor(net: bigint): bigint {
  return largest(2n * net + 1n, (gross) => gross - swapFee(gross) <= net);
}

/**
 * The most TAO (fee included) that buys alpha without the price going above `limit`; capped at
 * HEAD's largest input (1000 × SubnetTAO). Call only when limitNotYetReached(pool, limit, "buy").
 */
export function maxTaoWithinLimit(pool: PoolReserves, limit: bigint): bigint {
  const cap = MAX_INPUT_RESERVE_MULTIPLIER * pool.taoIn;
  const net = largest(cap, (tao) => priceAtMost(pool.taoIn + tao, pool.alphaIn - alphaForTao(pool, tao), limit));
  const gross = grossFor(net);
  return gross < cap ? gross : cap;
}

/**
 * The most alpha (fee included) that sells for TAO without the price going below `limit`; capped
 * at 1000 × SubnetAlphaIn. Call only when limitNotYetReached(pool, limit, "sell").
 */
export function maxAlphaWithinLimit(pool: PoolReserves, limit: bigint): bigint {
  const cap = MAX_INPUT_RESERVE_MULTIPLIER * pool.alphaIn;
  const net = largest(cap, (alpha) => priceAtLeast(pool.taoIn - taoForAlpha(pool, alpha), pool.alphaIn + alpha, limit));
  const gross = grossFor(net);
  return gross < cap ? gross : cap;
}
