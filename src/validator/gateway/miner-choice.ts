/**
 * Which miners answer a user's request (pure): drawn at random among the best by the validator's
 * own scores, in proportion to their score, so traffic follows quality without resting on one
 * miner. Miners not scored yet draw the mean weight (a newcomer gets a chance); while nobody has a
 * score (just after start) every serving miner is equally likely.
 */
export interface Candidate {
  readonly uid: number;
  readonly hotkey: string;
  /** The validator's moving average in [0, 1]; undefined when it has not scored the miner yet. */
  readonly score: number | undefined;
}

/** How many of the best are in the draw: a quarter of the scored miners, at least `count` + 2. */
export function drawSize(scored: number, count: number): number {
  return Math.max(count + 2, Math.ceil(scored / 4));
}

/**
 * Up to `count` distinct miners, never one of `exclude`; those of `avoid` (resting after a failure)
 * only when nobody else is left. `random` gives numbers in [0, 1).
 */
export function chooseMiners(candidates: readonly Candidate[], count: number, random: () => number, exclude: ReadonlySet<number> = new Set(), avoid: ReadonlySet<number> = new Set()): Candidate[] {
  const open = candidates.filter((c) => !exclude.has(c.uid));
  const fresh = open.filter((c) => !avoid.has(c.uid));
  const picked = drawFrom(fresh, count, random);
  if (picked.length < count) picked.push(...drawFrom(open.filter((c) => avoid.has(c.uid)), count - picked.length, random));
  return picked;
}

function drawFrom(pool: readonly Candidate[], count: number, random: () => number): Candidate[] {
  const scored = pool.filter((c) => c.score !== undefined).sort((a, b) => b.score! - a.score! || a.uid - b.uid);
  if (scored.length === 0) return weightedDraw(pool.map((c) => [c, 1]), count, random);
  const mean = scored.reduce((sum, c) => sum + c.score!, 0) / scored.length;
  const best = scored.slice(0, drawSize(scored.length, count));
  const newcomers = pool.filter((c) => c.score === undefined);
  const weighted: [Candidate, number][] = [...best.map((c): [Candidate, number] => [c, c.score!]), ...newcomers.map((c): [Candidate, number] => [c, mean])];
  const picked = weightedDraw(weighted, count, random);
  // Miners scored 0 (or all of the draw) are the last resort: better than no answer.
  if (picked.length < count) picked.push(...weightedDraw(pool.filter((c) => !picked.includes(c)).map((c) => [c, 1]), count - picked.length, random));
  return picked;
}

/** Draws without replacement in proportion to weight; zero weights are never drawn. */
function weightedDraw(items: readonly [Candidate, number][], count: number, random: () => number): Candidate[] {
  const left = items.filter(([, w]) => w > 0);
  const out: Candidate[] = [];
  while (out.length < count && left.length > 0) {
    const total = left.reduce((sum, [, w]) => sum + w, 0);
    let x = random() * total;
    let i = 0;
    while (i < left.length - 1 && x >= left[i]![1]) x -= left[i++]![1];
    out.push(left[i]![0]);
    left.splice(i, 1);
  }
  return out;
}
