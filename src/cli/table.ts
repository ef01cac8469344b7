/** Plain-text tables for terminal output: right-aligned numeric columns, a header rule. */
export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string;
  readonly align?: "left" | "right";
}

export function renderTable<Row>(columns: ReadonlyArray<Column<Row>>, rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, c) => Math.max(column.header.length, ...cells.map((line) => line[c]!.length)));
  const format = (values: readonly string[]): string =>
    values
      .map((value, c) => ((columns[c]!.align ?? "right") === "left" ? value.padEnd(widths[c]!) : value.padStart(widths[c]!)))
      .join("  ")
      .trimEnd();
  const header = format(columns.map((column) => column.header));
  const rule = widths.map((width) => "─".repeat(width)).join("  ");
  return [header, rule, ...cells.map(format)].join("\n");
}
