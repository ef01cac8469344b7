/**
 * Sparse rows: one row per uid, entries (column, raw I32F32 value) in the order subtensor keeps
 * them (weights in submission order, computed matrices in ascending column order).
 */
export interface SparseRow {
  readonly cols: Int32Array;
  readonly vals: Float64Array;
}

export type SparseMatrix = SparseRow[];

const EMPTY_COLS = new Int32Array(0);
const EMPTY_VALS = new Float64Array(0);

export const EMPTY_ROW: SparseRow = Object.freeze({ cols: EMPTY_COLS, vals: EMPTY_VALS });

/** Builds rows entry by entry into preallocated buffers, then trims. */
export class RowBuilder {
  private cols: Int32Array;
  private vals: Float64Array;
  private length = 0;

  constructor(capacity: number) {
    this.cols = new Int32Array(capacity);
    this.vals = new Float64Array(capacity);
  }

  push(col: number, value: number): void {
    if (this.length === this.cols.length) this.grow();
    this.cols[this.length] = col;
    this.vals[this.length] = value;
    this.length += 1;
  }

  build(): SparseRow {
    if (this.length === 0) return EMPTY_ROW;
    return { cols: this.cols.slice(0, this.length), vals: this.vals.slice(0, this.length) };
  }

  reset(): void {
    this.length = 0;
  }

  private grow(): void {
    const capacity = Math.max(8, this.cols.length * 2);
    const cols = new Int32Array(capacity);
    const vals = new Float64Array(capacity);
    cols.set(this.cols);
    vals.set(this.vals);
    this.cols = cols;
    this.vals = vals;
  }
}

/** A row from [column, value] pairs (values taken as given). */
export function rowFromPairs(pairs: ReadonlyArray<readonly [number, number]>): SparseRow {
  if (pairs.length === 0) return EMPTY_ROW;
  const cols = new Int32Array(pairs.length);
  const vals = new Float64Array(pairs.length);
  for (let k = 0; k < pairs.length; k++) {
    cols[k] = pairs[k]![0];
    vals[k] = pairs[k]![1];
  }
  return { cols, vals };
}

export function matrixFromPairs(rows: ReadonlyArray<ReadonlyArray<readonly [number, number]>>): SparseMatrix {
  return rows.map(rowFromPairs);
}

/** [column, value] pairs of every row, with a value mapping applied. */
export function matrixToPairs<T>(matrix: SparseMatrix, mapValue: (raw: number) => T): Array<Array<[number, T]>> {
  return matrix.map((row) => {
    const out: Array<[number, T]> = new Array(row.cols.length);
    for (let k = 0; k < row.cols.length; k++) out[k] = [row.cols[k]!, mapValue(row.vals[k]!)];
    return out;
  });
}

/** A new row keeping the entries for which `keep(col, value)` holds, in order. */
export function filterRow(row: SparseRow, keep: (col: number, value: number) => boolean): SparseRow {
  const { cols, vals } = row;
  let kept = 0;
  const outCols = new Int32Array(cols.length);
  const outVals = new Float64Array(cols.length);
  for (let k = 0; k < cols.length; k++) {
    const col = cols[k]!;
    const value = vals[k]!;
    if (keep(col, value)) {
      outCols[kept] = col;
      outVals[kept] = value;
      kept += 1;
    }
  }
  if (kept === cols.length) return row;
  if (kept === 0) return EMPTY_ROW;
  return { cols: outCols.slice(0, kept), vals: outVals.slice(0, kept) };
}

/** A new row with every value mapped (entries kept, in order). */
export function mapRow(row: SparseRow, map: (value: number, col: number) => number): SparseRow {
  const { cols, vals } = row;
  if (cols.length === 0) return EMPTY_ROW;
  const out = new Float64Array(vals.length);
  for (let k = 0; k < vals.length; k++) out[k] = map(vals[k]!, cols[k]!);
  return { cols, vals: out };
}

/** Every value of every row mapped by one function (specialised per call site, no per-row closure). */
export function mapValues(matrix: SparseMatrix, map: (value: number) => number): SparseMatrix {
  const out: SparseMatrix = new Array(matrix.length);
  for (let i = 0; i < matrix.length; i++) {
    const { cols, vals } = matrix[i]!;
    const length = cols.length;
    if (length === 0) {
      out[i] = EMPTY_ROW;
      continue;
    }
    const mapped = new Float64Array(length);
    for (let k = 0; k < length; k++) mapped[k] = map(vals[k]!);
    out[i] = { cols, vals: mapped };
  }
  return out;
}
