/**
 * Liquid alpha (Yuma3): a per-cell EMA rate from a sigmoid of how far a validator's weight is
 * from consensus (`run_epoch.rs::alpha_sigmoid`, `compute_liquid_alpha_values_sparse`).
 */
import { HALF, ONE, expSafe, mul, u16ProportionToFixed, type I32F32 } from "./fixed.js";
import type { SparseRow } from "./sparse.js";

export interface LiquidAlphaParams {
  /** AlphaValues (u16 low, high). */
  readonly alphaLowU16: number;
  readonly alphaHighU16: number;
  /** AlphaSigmoidSteepness (i16). */
  readonly steepness: number;
}

const ONE_N = BigInt(ONE);
const I64_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);

function saturate(raw: bigint): bigint {
  return raw > I64_MAX ? I64_MAX : raw < I64_MIN ? I64_MIN : raw;
}

/** Memoised sigmoid alpha: α depends only on the combined difference once parameters are fixed. */
export class LiquidAlpha {
  private readonly low: I32F32;
  private readonly high: I32F32;
  /** steepness / −100 (saturating_div truncates towards zero), raw I32F32. */
  private readonly slope: bigint;
  private readonly byDifference = new Map<number, I32F32>();

  constructor(params: LiquidAlphaParams) {
    this.low = u16ProportionToFixed(params.alphaLowU16);
    this.high = u16ProportionToFixed(params.alphaHighU16);
    this.slope = (BigInt(params.steepness) << 32n) / -100n;
  }

  /** `alpha_sigmoid(consensus, weight, bond, ...)`. */
  alpha(consensus: I32F32, weight: I32F32, bond: I32F32): I32F32 {
    const diffBuy = clamp(weight - consensus, 0, ONE);
    const diffSell = clamp(bond - weight, 0, ONE);
    const difference = weight >= bond ? diffBuy : diffSell;
    let alpha = this.byDifference.get(difference);
    if (alpha === undefined) {
      alpha = this.compute(difference);
      this.byDifference.set(difference, alpha);
    }
    return alpha;
  }

  private compute(difference: I32F32): I32F32 {
    const exponent = saturate((this.slope * BigInt(difference - HALF)) >> 32n);
    const denominator = saturate(ONE_N + expSafe(exponent));
    const sigmoid = Number(saturate((ONE_N << 32n) / denominator));
    const alpha = this.low + mul(sigmoid, this.high - this.low);
    return clamp(alpha, this.low, this.high);
  }
}

/** `clamp_value`: min with high first, then max with low. */
function clamp(value: number, low: number, high: number): number {
  return Math.max(Math.min(value, high), low);
}

/**
 * The value the Rust row walk reads at each column: it assumes rows sorted by column, so an entry
 * is seen only if its column exceeds every earlier column in the row; others read as 0.
 * Writes seen values into `dense` and returns the columns written (for cleanup).
 */
export function scatterAsWalkSeesIt(row: SparseRow, dense: Float64Array, columns: number): number[] {
  const written: number[] = [];
  let highest = -1;
  for (let k = 0; k < row.cols.length; k++) {
    const col = row.cols[k]!;
    if (col > highest) {
      highest = col;
      if (col < columns) {
        dense[col] = row.vals[k]!;
        written.push(col);
      }
    }
  }
  return written;
}
