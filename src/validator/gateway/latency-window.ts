/**
 * The last `capacity` latencies of a synapse, for the hedging delay: kept in arrival order (to drop
 * the oldest) and sorted (so a quantile is a lookup, not a sort of the window on every request).
 */
import { quantile } from "./attribution.js";

export class LatencyWindow {
  readonly #arrival: number[] = [];
  readonly #sorted: number[] = [];

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.#arrival.length;
  }

  add(ms: number): void {
    this.#arrival.push(ms);
    this.#sorted.splice(lowerBound(this.#sorted, ms), 0, ms);
    if (this.#arrival.length > this.capacity) {
      const oldest = this.#arrival.shift()!;
      this.#sorted.splice(lowerBound(this.#sorted, oldest), 1);
    }
  }

  /** The value at quantile q of the window (nearest rank, as attribution's quantile); NaN when empty. */
  quantile(q: number): number {
    return quantile(this.#sorted, q);
  }
}

/** The first index of ascending `sorted` whose value is not below `value`. */
function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
