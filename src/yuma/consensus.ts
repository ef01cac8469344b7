/**
 * §4.6 consensus: per column, the stake-weighted median of the staked validators' weights
 * (`weighted_median_col_sparse`), from the CSR weights: one transposition into columns, then a
 * weighted selection per column, in place.
 */
import { type Csr, csrRowAscending } from "./csr.js";
import { safeDiv } from "./fixed.js";
import { scratchFloat64 } from "./scratch.js";

/**
 * Why a selection of our own equals subtensor's quickselect (`weighted_median`): with
 * `below(x)` the stake of scores < x and `upTo(x)` the stake of scores ≤ x, that loop keeps
 * `hi = lo + Σ stake of its candidates` and `lo` = the stake of the scores it dropped below them,
 * so `lo + lo_stake = below(pivot)` and `hi − hi_stake = upTo(pivot)`. It descends while
 * `minority < below(pivot)`, ascends while `upTo(pivot) ≤ minority`, and returns the pivot
 * otherwise; so it returns the one score x with `below(x) ≤ minority < upTo(x)`, or the smallest
 * score when minority < 0 (kappa above the stake sum), or the largest when minority ≥ the stake
 * sum. That depends only on the multiset of (score, stake) — not on the pivot order — so any
 * partitioning finds it, and the validators without an entry in a column can be one (0, their
 * stake) element. All sums are of raw integers below 2^53, exact in doubles.
 */
export function columnMedians(weights: Csr, stake: Float64Array, columns: number, kappa: number): Float64Array {
  const median = new Float64Array(columns);
  // use_stake: the positive stakes in uid order, normalised among themselves.
  const rankOf = new Int32Array(stake.length).fill(-1);
  let m = 0;
  let stakeSum = 0;
  for (let i = 0; i < stake.length; i++) {
    if (stake[i]! > 0) {
      rankOf[i] = m++;
      stakeSum += stake[i]!;
    }
  }
  if (m === 0) return median;
  const useStake = new Float64Array(m);
  for (let i = 0, k = 0; i < stake.length; i++) if (stake[i]! > 0) useStake[k++] = stake[i]!;
  let total = 0;
  for (let k = 0; k < m; k++) {
    const normalised = safeDiv(useStake[k]!, stakeSum);
    useStake[k] = normalised;
    total += normalised;
  }
  const minority = total - kappa;

  // Columns of the staked rows: each entry packed as score · 2^16 + rank (exact: score ≤ 2^32,
  // rank < 2^16, so below 2^53), one array written once per entry.
  const rows = Math.min(stake.length, weights.rows);
  const { start, cols, vals } = weights;
  // Room per column: the weights' own column counts when given (every row's, a bound), else the staked rows' counted.
  const columnStart = new Int32Array(columns + 1);
  const counts = weights.columnCounts;
  if (counts && counts.length >= columns) {
    for (let j = 0; j < columns; j++) columnStart[j + 1] = columnStart[j]! + counts[j]!;
  } else {
    for (let i = 0; i < rows; i++) {
      if (rankOf[i]! < 0) continue;
      for (let e = start[i]!; e < start[i + 1]!; e++) if (cols[e]! < columns) columnStart[cols[e]! + 1]! += 1;
    }
    for (let j = 0; j < columns; j++) columnStart[j + 1]! += columnStart[j]!;
  }
  const packed = scratchFloat64("consensus.packed", columnStart[columns]!);
  const fill = columnStart.slice(0, columns);
  const lastRank = new Int32Array(columns).fill(-1);
  for (let i = 0; i < rows; i++) {
    const k = rankOf[i]!;
    if (k < 0) continue;
    const from = start[i]!;
    const to = start[i + 1]!;
    if (csrRowAscending(weights, i)) {
      for (let e = from; e < to; e++) {
        const j = cols[e]!;
        if (j < columns) packed[fill[j]!++] = vals[e]! * RANK_SPAN + k;
      }
      continue;
    }
    for (let e = from; e < to; e++) {
      const j = cols[e]!;
      if (j >= columns) continue;
      // A column repeated in a row: the later entry wins, as the Rust fill does.
      if (lastRank[j] === k) packed[fill[j]! - 1] = vals[e]! * RANK_SPAN + k;
      else packed[fill[j]!++] = vals[e]! * RANK_SPAN + k;
      lastRank[j] = k;
    }
  }

  const selection = new PackedSelection(useStake);
  for (let j = 0; j < columns; j++) median[j] = selection.select(packed, columnStart[j]!, fill[j]!, m, minority, total);
  return median;
}

const RANK_SPAN = 65536;
/** Up to this many entries a column is selected without its histogram (whose 257 buckets would cost more). */
const SMALL_COLUMN = 96;
const INVERSE_RANK_SPAN = 1 / RANK_SPAN;

/**
 * The weighted selection over one column's packed entries (score · 2^16 + rank). The entries are
 * distinct (one per validator) and ordered by score first, so the entry where the cumulative stake
 * passes `minority` carries the score sought. The validators without an entry form one (0, their
 * stake) element below every entry. A 256-bucket stake histogram of the column finds the bucket
 * the cumulative stake crosses in; a quickselect finishes among that bucket's few entries.
 */
class PackedSelection {
  readonly #stake: Float64Array;
  readonly #histogram = new Float64Array(257);
  #bucket = new Float64Array(64);

  constructor(useStake: Float64Array) {
    this.#stake = useStake;
  }

  select(packed: Float64Array, from: number, to: number, validators: number, minority: number, total: number): number {
    const stake = this.#stake;
    let present = 0;
    let max = 0;
    for (let at = from; at < to; at++) {
      const value = packed[at]!;
      present += stake[rankOfPacked(value)]!;
      if (value > max) max = value;
    }
    const absent = to - from < validators;
    const zeroStake = absent ? total - present : 0;
    if (minority < 0) return absent ? 0 : scoreOf(minPacked(packed, from, to));
    if (minority >= total) return scoreOf(max);
    if (minority < zeroStake) return 0;

    let bucket = this.#bucket;
    if (bucket.length < to - from) bucket = this.#bucket = new Float64Array(to - from);
    if (to - from <= SMALL_COLUMN) {
      // Few entries: the quickselect alone, above the validators without an entry.
      for (let at = from; at < to; at++) bucket[at - from] = packed[at]!;
      return scoreOf(this.#quickselect(bucket, to - from, minority - zeroStake));
    }

    // Buckets of equal width (a power of two) over [0, max].
    let width = 1;
    while (max * (1 / width) >= 256) width *= 2;
    const inverseWidth = 1 / width;
    const histogram = this.#histogram;
    histogram.fill(0);
    for (let at = from; at < to; at++) {
      const value = packed[at]!;
      const b = Math.floor(value * inverseWidth);
      histogram[b] = histogram[b]! + stake[rankOfPacked(value)]!;
    }
    let lo = zeroStake;
    let chosen = 0;
    while (lo + histogram[chosen]! <= minority) lo += histogram[chosen++]!;

    let count = 0;
    for (let at = from; at < to; at++) {
      const value = packed[at]!;
      if (Math.floor(value * inverseWidth) === chosen) bucket[count++] = value;
    }
    return scoreOf(this.#quickselect(bucket, count, minority - lo));
  }

  /** The entry of bucket[0..count) where the cumulative stake (in entry order) first exceeds `minority`. */
  #quickselect(bucket: Float64Array, count: number, minority: number): number {
    const stake = this.#stake;
    let from = 0;
    let to = count;
    let lo = 0;
    for (;;) {
      if (to - from === 1) return bucket[from]!;
      const pivot = bucket[(from + to) >>> 1]!;
      // Two-way partition (entries are distinct): [from, less) < pivot ≤ [less, to).
      let less = from;
      let belowStake = 0;
      for (let at = from; at < to; at++) {
        const value = bucket[at]!;
        if (value < pivot) {
          belowStake += stake[rankOfPacked(value)]!;
          bucket[at] = bucket[less]!;
          bucket[less++] = value;
        }
      }
      if (minority < lo + belowStake) {
        to = less;
        continue;
      }
      const pivotStake = stake[rankOfPacked(pivot)]!;
      if (lo + belowStake + pivotStake > minority) return pivot;
      lo += belowStake + pivotStake;
      // Move the pivot out of the upper part and keep the rest.
      for (let at = less; at < to; at++) {
        if (bucket[at] === pivot) {
          bucket[at] = bucket[less]!;
          bucket[less] = pivot;
          break;
        }
      }
      from = less + 1;
    }
  }
}

function rankOfPacked(value: number): number {
  return value - Math.floor(value * INVERSE_RANK_SPAN) * RANK_SPAN;
}

function scoreOf(value: number): number {
  return Math.floor(value * INVERSE_RANK_SPAN);
}

function minPacked(packed: Float64Array, from: number, to: number): number {
  let best = packed[from]!;
  for (let at = from + 1; at < to; at++) if (packed[at]! < best) best = packed[at]!;
  return best;
}

