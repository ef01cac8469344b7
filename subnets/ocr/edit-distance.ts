/**
 * Levenshtein edit distance over Unicode code points (a surrogate pair is one character), and its
 * normalised form in [0, 1]. Pure: no I/O, no packages.
 */

/** The fewest insertions, deletions and substitutions of one character that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const s = Array.from(a);
  const t = Array.from(b);
  if (s.length === 0) return t.length;
  if (t.length === 0) return s.length;
  // One row of the DP table at a time: row[j] = distance(s[0..i), t[0..j)).
  let previous = new Uint32Array(t.length + 1);
  let current = new Uint32Array(t.length + 1);
  for (let j = 0; j <= t.length; j++) previous[j] = j;
  for (let i = 1; i <= s.length; i++) {
    current[0] = i;
    const si = s[i - 1];
    for (let j = 1; j <= t.length; j++) {
      const substitute = previous[j - 1]! + (si === t[j - 1] ? 0 : 1);
      current[j] = Math.min(substitute, previous[j]! + 1, current[j - 1]! + 1);
    }
    [previous, current] = [current, previous];
  }
  return previous[t.length]!;
}

/**
 * The edit distance divided by the longer string's length (PaddleOCR's `norm_edit_dis`): 0 for equal
 * strings, 1 when nothing is shared; 0 when both are empty.
 */
export function normalisedEditDistance(a: string, b: string): number {
  const longest = Math.max(Array.from(a).length, Array.from(b).length);
  return longest === 0 ? 0 : editDistance(a, b) / longest;
}
