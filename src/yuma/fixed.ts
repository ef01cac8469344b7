/**
 * Fixed-point arithmetic with the exact semantics of `substrate_fixed` as subtensor uses it
 * (see ../shared/reference/yuma-spec.md §2).
 *
 * I32F32 values are carried as their raw integer (value · 2^32) in a plain JS number. Every raw
 * value the epoch produces is an integer far below 2^53, so numbers hold them exactly; the
 * helpers below keep every intermediate exact too (splitting products, long division) and fall
 * back to BigInt on the rare inputs where a fast path could lose a bit.
 *
 * Rounding, as in the Rust crate: products floor (arithmetic shift), quotients truncate towards
 * zero, `safeDiv` yields 0 on division by zero or overflow, conversions to integers floor.
 */

/** Raw I32F32: the integer value · 2^32, held exactly in a number. */
export type I32F32 = number;

export const ONE: I32F32 = 4294967296; // 2^32
export const HALF: I32F32 = 2147483648;
export const U16_MAX = 65535;
export const U64_MAX = (1n << 64n) - 1n;

const TWO_POW_16 = 65536;
const TWO_POW_32 = 4294967296;
const TWO_POW_MINUS_32 = 1 / TWO_POW_32;
const TWO_POW_17 = 131072;
const TWO_POW_34 = 2 ** 34;
const TWO_POW_MINUS_17 = 1 / TWO_POW_17;
const TWO_POW_MINUS_15 = 1 / 32768;
/** Products and quotients below this bound are exact in a double with room for a fix-up step. */
const EXACT_LIMIT = 2 ** 52;
const I64_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);

/** `I32F32::from(int)` for a small integer (u16, i16, block counts below 2^21). */
export function fromInt(value: number): I32F32 {
  return value * TWO_POW_32;
}

function saturateI64(raw: bigint): bigint {
  return raw > I64_MAX ? I64_MAX : raw < I64_MIN ? I64_MIN : raw;
}

/** floor(a / b) for non-negative integers a < 2^52, b > 0, exact (corrects the double quotient). */
function floorDivExact(a: number, b: number): number {
  let q = Math.floor(a / b);
  let r = a - q * b;
  if (r < 0) {
    q -= 1;
    r += b;
  } else if (r >= b) {
    q += 1;
  }
  return q;
}

/** `a.saturating_mul(b)` = floor(a·b / 2^32), saturating to the I32F32 range. */
export function mul(a: I32F32, b: I32F32): I32F32 {
  const product = a * b;
  if (product > -EXACT_LIMIT && product < EXACT_LIMIT) {
    return Math.floor(product / TWO_POW_32) + 0; // + 0 turns -0 into 0
  }
  const absA = Math.abs(a);
  const absB = Math.abs(b);
  if (absA < 2 ** 34 && absB < 2 ** 34) {
    // |a| = hi·2^16 + lo; |a·b| / 2^32 = (hi·|b| + lo·|b| / 2^16) / 2^16, every piece below 2^52.
    const hi = Math.floor(absA / TWO_POW_16);
    const lo = absA - hi * TWO_POW_16;
    const loProduct = lo * absB;
    const loHigh = Math.floor(loProduct / TWO_POW_16);
    const t = hi * absB + loHigh;
    const q = Math.floor(t / TWO_POW_16);
    if ((a < 0) === (b < 0)) return q;
    const exact = loProduct === loHigh * TWO_POW_16 && t === q * TWO_POW_16;
    return exact ? 0 - q : -q - 1;
  }
  return Number(saturateI64((BigInt(a) * BigInt(b)) >> 32n));
}

/**
 * `mul` with its common case small enough to inline in the epoch's passes: a double product below
 * 2^52 in magnitude is exact (almost always: I32F32 proportions are at most 2^32 and rarely both
 * large), and so is its division by 2^32; larger products go through `mul`.
 */
export function mulFast(a: I32F32, b: I32F32): I32F32 {
  const product = a * b;
  return Math.abs(product) < EXACT_LIMIT ? Math.floor(product * TWO_POW_MINUS_32) + 0 : mulWide(a, b);
}

/**
 * `mul` of operands whose product passes 2^52 (proportions times proportions): for 0 ≤ a, b < 2^34,
 * with a = ah·2^17 + al, floor(a·b / 2^32) = floor((ah·b + floor(al·b / 2^17)) / 2^15) — the
 * dropped al·b mod 2^17 is below one unit of the inner sum — and every product and sum here stays
 * below 2^52, so exact. Other operands go through `mul`.
 */
function mulWide(a: I32F32, b: I32F32): I32F32 {
  if (!(a >= 0 && b >= 0 && a < TWO_POW_34 && b < TWO_POW_34)) return mul(a, b);
  const high = Math.floor(a * TWO_POW_MINUS_17);
  const low = a - high * TWO_POW_17;
  return Math.floor((high * b + Math.floor(low * b * TWO_POW_MINUS_17)) * TWO_POW_MINUS_15);
}

/** `a.checked_mul(b).unwrap_or_default()` as `vec_mul` uses it: 0 when the product overflows. */
export function checkedMulOrZero(a: I32F32, b: I32F32): I32F32 {
  if (Math.abs(a) < 2 ** 34 && Math.abs(b) < 2 ** 34) return mul(a, b); // cannot overflow
  const raw = (BigInt(a) * BigInt(b)) >> 32n;
  return raw > I64_MAX || raw < I64_MIN ? 0 : Number(raw);
}

/**
 * trunc(a · 2^32 / b) for a ≥ 0, b > 0 (both raw), or undefined when the quotient overflows
 * I32F32. Exact: a long division in 16-bit steps, BigInt past the fast range.
 */
function divNonNegative(a: number, b: number): number | undefined {
  if (a < EXACT_LIMIT && b < 2 ** 36) {
    const q0 = floorDivExact(a, b);
    if (q0 < 2 ** 20) {
      const r0 = a - q0 * b;
      const x1 = r0 * TWO_POW_16;
      const q1 = floorDivExact(x1, b);
      const x2 = (x1 - q1 * b) * TWO_POW_16;
      const q2 = floorDivExact(x2, b);
      return q0 * TWO_POW_32 + q1 * TWO_POW_16 + q2;
    }
  }
  const q = (BigInt(a) << 32n) / BigInt(b);
  return q > I64_MAX ? undefined : Number(q);
}

/** `a.safe_div(b)`: trunc(a/b), 0 when b is 0 or the quotient overflows. */
export function safeDiv(a: I32F32, b: I32F32): I32F32 {
  if (b === 0) return 0;
  const negative = (a < 0) !== (b < 0);
  const q = divNonNegative(Math.abs(a), Math.abs(b));
  if (q === undefined) return 0;
  return negative ? 0 - q : q;
}

const SPLITTER = 134217729; // 2^27 + 1, Veltkamp's split of a double into two 26-bit halves

/**
 * `safeDiv(part, whole)` for a part of a non-negative sum (0 ≤ part ≤ whole), as normalisations
 * divide, with one division instead of a long division: q = floor(part · 2^32 / whole) is at most
 * 2^32, so the double quotient is off by at most one; the remainder part · 2^32 − q · whole is
 * computed exactly (q · whole as an exact sum of two doubles, Dekker's product; both differences
 * are of nearby values or below 2^53, so exact) and its sign corrects q. Other operands go through
 * `safeDiv`.
 */
export function divideShare(part: I32F32, whole: I32F32): I32F32 {
  if (!(part >= 0 && part <= whole && whole > 0 && whole < EXACT_LIMIT)) return safeDiv(part, whole);
  const x = part * TWO_POW_32;
  const q = Math.floor(x / whole);
  const product = q * whole;
  let t = SPLITTER * q;
  const qHigh = t - (t - q);
  const qLow = q - qHigh;
  t = SPLITTER * whole;
  const wHigh = t - (t - whole);
  const wLow = whole - wHigh;
  const error = qLow * wLow - (product - qHigh * wHigh - qLow * wHigh - qHigh * wLow); // q · whole − product
  const remainder = x - product - error;
  if (remainder < 0) return q - 1;
  if (remainder >= whole) return q + 1;
  return q;
}

/** `a.saturating_div(b)`: trunc(a/b), clamped to the I32F32 range (b ≠ 0). */
export function saturatingDiv(a: I32F32, b: I32F32): I32F32 {
  if (b === 0) return a >= 0 ? Number(I64_MAX) : Number(I64_MIN);
  const negative = (a < 0) !== (b < 0);
  const q = divNonNegative(Math.abs(a), Math.abs(b));
  if (q === undefined) return negative ? Number(I64_MIN) : Number(I64_MAX);
  return negative ? 0 - q : q;
}

/**
 * trunc(v · 2^32 / total) for integer-valued operands: the exact result of dividing
 * `I32F32::from(v)` by `I32F32::from(total)`, whose raw forms (·2^32) would not fit a double.
 */
export function ratioOfIntegers(v: number, total: number): I32F32 {
  if (total === 0) return 0;
  if (v < 2 ** 20 && v <= total) return floorDivExact(v * TWO_POW_32, total); // v·2^32 < 2^52
  return divNonNegative(v, total) ?? 0;
}

/** `fixed_proportion_to_u16`: floor(x · 65535), saturating to [0, 65535]. */
export function proportionToU16(raw: I32F32): number {
  const scaled = Math.floor((raw * U16_MAX) / TWO_POW_32);
  return scaled < 0 ? 0 : scaled > U16_MAX ? U16_MAX : scaled;
}

/** `u16_proportion_to_fixed`: v / 65535. */
export function u16ProportionToFixed(v: number): I32F32 {
  // 2^32 = 65535 · 65537 + 1, so trunc(v · 2^32 / 65535) = 65537·v + trunc(v / 65535), no division.
  if (v >= 0 && v <= U16_MAX && (v | 0) === v) return 65537 * v + (v === U16_MAX ? 1 : 0);
  return ratioOfIntegers(v, U16_MAX);
}

/** `I32F32::from_num(f)` for a float: round to nearest, ties to even. Used only for f32 test literals. */
export function fromFloat(value: number): I32F32 {
  const scaled = value * TWO_POW_32;
  const floor = Math.floor(scaled);
  const diff = scaled - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Raw I32F32 as a float, for display only. */
export function toFloat(raw: I32F32): number {
  return raw / TWO_POW_32;
}

// ---------------------------------------------------------------------------------------------
// I64F64 (raw = value · 2^64, as bigint): the stake vector is computed at this precision.

/** i128 wrap-around, as a release-mode `Sum` of `FixedI128` behaves on overflow. */
export function wrapI128(raw: bigint): bigint {
  return BigInt.asIntN(128, raw);
}

const I128_MAX = (1n << 127n) - 1n;
const I128_MIN = -(1n << 127n);

export function saturateI128(raw: bigint): bigint {
  return raw > I128_MAX ? I128_MAX : raw < I128_MIN ? I128_MIN : raw;
}

/** `I64F64::saturating_from_num(u64)`. */
export function i64f64FromInt(value: bigint): bigint {
  return saturateI128(value << 64n);
}

/** `I64F64::safe_div`: trunc(a · 2^64 / b), 0 on b = 0 or overflow. */
export function i64f64SafeDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  const q = (a << 64n) / b; // bigint division truncates towards zero
  return q > I128_MAX || q < I128_MIN ? 0n : q;
}

/** `I32F32::saturating_from_num(I64F64)`: drop 32 fractional bits (floor), saturate. */
export function i64f64ToI32F32(raw: bigint): I32F32 {
  return Number(saturateI64(raw >> 32n));
}

/** `fixed64_to_u64`: floor, saturating to [0, u64::MAX]. */
export function i64f64ToU64(raw: bigint): bigint {
  const integer = raw >> 64n;
  return integer < 0n ? 0n : integer > U64_MAX ? U64_MAX : integer;
}

// ---------------------------------------------------------------------------------------------
// Transcendental: `substrate_fixed::transcendental::exp` and subtensor's `exp_safe`.

/** I9F23 constant e as I32F32 (the crate returns it verbatim for exp(1)). */
const E_I9F23_AS_I32F32 = 11674931200n;
const ONE_N = 1n << 32n;

function mulBig(a: bigint, b: bigint): bigint {
  return (a * b) >> 32n;
}

/** Taylor series exactly as the crate computes it; undefined where the crate returns Err. */
export function expRaw(x: bigint): bigint | undefined {
  if (x === 0n) return ONE_N;
  if (x === ONE_N) return E_I9F23_AS_I32F32;
  const negative = x < 0n;
  const operand = negative ? -x : x;
  let result = operand + ONE_N;
  let term = operand;
  for (let i = 2n; i < 32n; i += 1n) {
    term = mulBig(term, operand);
    if (term > I64_MAX || term < I64_MIN) return undefined;
    term = (term << 32n) / (i << 32n);
    result += term;
    if (result > I64_MAX) return undefined;
  }
  if (negative) {
    if (result === 0n) return undefined;
    const q = (ONE_N << 32n) / result;
    return q > I64_MAX ? undefined : q;
  }
  return result;
}

const EXP_INPUT_MIN = -20n << 32n;
const EXP_INPUT_MAX = 20n << 32n;

/** subtensor `math.rs::exp_safe`: input clamped to [-20, 20], errors mapped to 0 / MAX. */
export function expSafe(x: bigint): bigint {
  const clamped = x < EXP_INPUT_MIN ? EXP_INPUT_MIN : x > EXP_INPUT_MAX ? EXP_INPUT_MAX : x;
  const result = expRaw(clamped);
  if (result !== undefined) return result;
  return clamped <= 0n ? 0n : I64_MAX;
}
