/** The argmax of each row of a row-major score matrix (pure): each row's best class and its score. */
export function argmaxRows(values: ArrayLike<number>, classes: number): { best: Int32Array; max: Float32Array } {
  const rows = classes === 0 ? 0 : Math.floor(values.length / classes);
  const best = new Int32Array(rows);
  const max = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    let index = 0;
    let top = values[base]!;
    for (let c = 1; c < classes; c++) {
      const v = values[base + c]!;
      if (v > top) {
        top = v;
        index = c;
      }
    }
    best[r] = index;
    max[r] = top;
  }
  return { best, max };
}
