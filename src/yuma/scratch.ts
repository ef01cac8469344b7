/**
 * Working memory reused from one epoch to the next: one typed array per named slot, grown to the
 * largest size asked for and never shrunk, so an epoch's passes over n² entries allocate (and
 * fault in) nothing after the first. A slot's contents are whatever its last user left: callers
 * write before they read, or clear. Nothing an epoch returns points into a slot (the results are
 * copied out), so the epoch stays a pure function of its input.
 */

/** The matrices an epoch holds at once, one slot pair (columns, values) each. */
export type MatrixSlot = "weights" | "clipped" | "interpolated" | "bonds" | "delta" | "ema";
export type Float64Slot = "consensus.packed";

const int32Slots = new Map<MatrixSlot, Int32Array>();
const float64Slots = new Map<MatrixSlot | Float64Slot, Float64Array>();

/** Room for at least `length` entries, with headroom so that slowly growing inputs reallocate rarely. */
function grown(length: number): number {
  return Math.max(64, Math.ceil(length * 1.25));
}

export function scratchInt32(slot: MatrixSlot, length: number): Int32Array {
  let buffer = int32Slots.get(slot);
  if (!buffer || buffer.length < length) {
    buffer = new Int32Array(grown(length));
    int32Slots.set(slot, buffer);
  }
  return buffer;
}

export function scratchFloat64(slot: MatrixSlot | Float64Slot, length: number): Float64Array {
  let buffer = float64Slots.get(slot);
  if (!buffer || buffer.length < length) {
    buffer = new Float64Array(grown(length));
    float64Slots.set(slot, buffer);
  }
  return buffer;
}
