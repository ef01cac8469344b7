/**
 * A subnet's pool price (dTAO): τ per α = SubnetTAO / SubnetAlphaIn. Root (netuid 0) is priced at
 * 1: its alpha is TAO. Amounts in rao, exact (integer division rounds down).
 */
import { reservePrice } from "../chain/stake-math.js";
import { RAO_PER_TAO } from "../chain/units.js";

export interface Pool {
  readonly netuid: number;
  readonly taoIn: bigint;
  readonly alphaIn: bigint;
}

/** Rao of τ for one α (1e9 rao α); undefined when the pool has no alpha to price against. */
export function priceRao(pool: Pool): bigint | undefined {
  if (pool.netuid === 0) return RAO_PER_TAO;
  return pool.alphaIn === 0n ? undefined : reservePrice(pool.taoIn, pool.alphaIn);
}

/** What `alpha` rao of the subnet's α is worth in τ rao at the pool's price (0 without a price). */
export function taoValue(alpha: bigint, pool: Pool): bigint {
  if (pool.netuid === 0) return alpha;
  return pool.alphaIn === 0n ? 0n : (alpha * pool.taoIn) / pool.alphaIn;
}
