/**
 * From scores to the weights a validator submits (pure). Choices, and why:
 * - **A miner that scored 0 is listed with an explicit 0, not left out.** Under Yuma3's sparse bond
 *   EMA (../shared/reference/yuma-spec.md §bonds) a listed zero lets the validator's bond to that
 *   miner decay, while a left-out cell drops the bond at once; one bad round (a restart, a network
 *   blip) should cost a miner gradually, not erase the bond history at once. Explicit zeros also
 *   count towards the subnet's minimum number of weights.
 * - Uids never scored are added with 0 only as far as needed to reach min(MinAllowedWeights, n).
 * - Weights are sum-normalised, clipped to MaxWeightsLimit (the excess redistributed among the
 *   others), then max-upscaled to u16 as subtensor does (largest → 65535, half away from zero).
 * - When every score is 0 there is nothing to say: a single self-weight, which the chain accepts
 *   without a permit and regardless of the minimum.
 */
export interface WeightRules {
  /** Uids on the subnet. */
  readonly n: number;
  readonly minAllowedWeights: number;
  /** Largest share of one weight, as a u16 fraction (65535: no limit). */
  readonly maxWeightLimit: number;
}

export interface WeightVector {
  readonly uids: readonly number[];
  readonly values: readonly number[];
}

const U16_MAX = 65535;

function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** Sum-normalised shares with none above `cap`, excess spread over the rest in proportion. */
export function clipShares(weights: readonly number[], cap: number): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) return weights.map(() => 0);
  let shares = weights.map((w) => w / total);
  if (cap >= 1) return shares;
  const positives = shares.filter((s) => s > 0).length;
  // Infeasible (too few positive weights to stay under the cap): as even as possible.
  if (positives * cap < 1) return shares.map((s) => (s > 0 ? 1 / positives : 0));
  for (let round = 0; round < weights.length; round++) {
    const over = shares.filter((s) => s > cap + 1e-12);
    if (over.length === 0) break;
    const fixed = shares.map((s) => s >= cap - 1e-12);
    const excess = shares.reduce((sum, s) => sum + Math.max(0, s - cap), 0);
    const freeTotal = shares.reduce((sum, s, i) => sum + (fixed[i] ? 0 : s), 0);
    shares = shares.map((s, i) => (fixed[i] ? Math.min(s, cap) : freeTotal > 0 ? s + (excess * s) / freeTotal : s));
  }
  return shares;
}

export function weightsFromScores(scores: ReadonlyMap<number, number>, rules: WeightRules, selfUid: number): WeightVector {
  const listed = [...scores.entries()].filter(([uid]) => uid >= 0 && uid < rules.n).sort(([a], [b]) => a - b);
  if (listed.every(([, s]) => !(s > 0))) return { uids: [selfUid], values: [U16_MAX] };
  const needed = Math.min(rules.minAllowedWeights, rules.n);
  const present = new Set(listed.map(([uid]) => uid));
  for (let uid = 0; listed.length < needed && uid < rules.n; uid++) if (!present.has(uid)) listed.push([uid, 0]);
  listed.sort(([a], [b]) => a - b);
  // A little under the limit, so rounding to u16 cannot push a share over it.
  const cap = rules.maxWeightLimit >= U16_MAX ? 1 : Math.max(0, (rules.maxWeightLimit - 1) / U16_MAX);
  const shares = clipShares(listed.map(([, s]) => Math.max(0, s)), cap);
  const max = Math.max(...shares);
  return { uids: listed.map(([uid]) => uid), values: shares.map((s) => roundHalfAway((s / max) * U16_MAX)) };
}
