/**
 * Sparse matrices in compressed rows (CSR): every entry of every row in two flat typed arrays,
 * row i at `start[i]` .. `start[i + 1] − 1`, in the order subtensor keeps the row (weights in
 * submission order, computed matrices in ascending column order). One allocation per matrix, so
 * the epoch's passes allocate nothing per row.
 */
import { scratchFloat64, scratchInt32, type MatrixSlot } from "./scratch.js";
import type { SparseRow } from "./sparse.js";

export interface Csr {
  readonly rows: number;
  /** rows + 1 offsets into cols / vals. */
  readonly start: Int32Array;
  readonly cols: Int32Array;
  readonly vals: Float64Array;
  /** Entries per column, where the pass that built the matrix counted them on the way. */
  readonly columnCounts?: Int32Array;
  /** Per row, 1 where its columns strictly ascend, where the pass that built the matrix noted it on the way. */
  readonly ascending?: Uint8Array;
}

/** Whether row i's columns strictly ascend (no repeats), from the matrix's note when it has one. */
export function csrRowAscending(matrix: Csr, i: number): boolean {
  return matrix.ascending ? matrix.ascending[i] === 1 : rowStrictlyAscending(matrix.cols, matrix.start[i]!, matrix.start[i + 1]!);
}

/**
 * An empty matrix of `rows` rows with room for `capacity` entries, to be filled row by row: in
 * the epoch's working memory when a slot is named (see scratch.ts), else newly allocated.
 */
export function csrWithCapacity(rows: number, capacity: number, slot?: MatrixSlot): Csr {
  const start = new Int32Array(rows + 1);
  if (slot === undefined) return csr(rows, start, new Int32Array(capacity), new Float64Array(capacity));
  return csr(rows, start, scratchInt32(slot, capacity), scratchFloat64(slot, capacity));
}

/**
 * A matrix object, always of one shape (every field present, in one order): the passes read its
 * fields at sites every kind of matrix reaches, which stay fast only while they see one shape.
 */
export function csr(rows: number, start: Int32Array, cols: Int32Array, vals: Float64Array, columnCounts?: Int32Array, ascending?: Uint8Array): Csr {
  return { rows, start, cols, vals, columnCounts, ascending };
}

/** A CSR copy of `rows` (rows past the end read as empty), for callers that hold row objects. */
export function csrFromRows(rows: readonly SparseRow[], count: number = rows.length): Csr {
  let entries = 0;
  for (let i = 0; i < count; i++) entries += rows[i]?.cols.length ?? 0;
  const matrix = csrWithCapacity(count, entries);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const row = rows[i];
    if (row) {
      matrix.cols.set(row.cols, at);
      matrix.vals.set(row.vals, at);
      at += row.cols.length;
    }
    matrix.start[i + 1] = at;
  }
  return matrix;
}

/** Whether every row's columns strictly ascend (no repeats), which lets rows be merged in one walk. */
export function rowStrictlyAscending(cols: Int32Array, from: number, to: number): boolean {
  for (let k = from + 1; k < to; k++) if (cols[k]! <= cols[k - 1]!) return false;
  return true;
}

/** A set of column indices with O(1) insert and an ascending walk (a bitmap plus a list). */
export class ColumnSet {
  private readonly present: Uint8Array;
  private members: Int32Array;
  size = 0;

  constructor(columns: number) {
    this.present = new Uint8Array(columns);
    this.members = new Int32Array(Math.max(16, Math.min(columns, 1024)));
  }

  add(col: number): void {
    if (this.present[col] === 1) return;
    this.present[col] = 1;
    if (this.size === this.members.length) {
      const grown = new Int32Array(this.members.length * 2);
      grown.set(this.members);
      this.members = grown;
    }
    this.members[this.size++] = col;
  }

  /** Members in ascending order: a sort when few, a bitmap scan when many. */
  sorted(): Int32Array {
    const members = this.members.subarray(0, this.size);
    if (this.size * 16 < this.present.length) return members.sort();
    let k = 0;
    for (let col = 0; col < this.present.length && k < this.size; col++) if (this.present[col] === 1) members[k++] = col;
    return members;
  }

  clear(): void {
    for (let k = 0; k < this.size; k++) this.present[this.members[k]!] = 0;
    this.size = 0;
  }
}
