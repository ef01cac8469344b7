/**
 * The weights heatmap: validators (rows) × uids (columns), each cell the validator's weight on the
 * uid as a share of its row, and the epoch's consensus as the last row. Drawn on a canvas (one
 * pixel per uid at 4096 uids, scaled to the width); the cell under the pointer — or under the
 * keyboard cursor (arrow keys) — is said in words; every weight is also in a table below, made when
 * opened (offered as a CSV file when there are too many to list).
 */
import type { WeightsMatrix } from "../model/api.js";
import { heatmapGrid, shareColour, weightTriples, type HeatmapGrid } from "../model/heatmap.js";
import { h, replaceChildren, setText } from "../ui/dom.js";

/** Weights listed as a table up to this many; above, a CSV file. */
const TABLE_LIMIT = 2000;
const ROW_PX = 14;
const GAP_PX = 6;

export interface HeatmapView {
  readonly element: HTMLElement;
  update(weights: WeightsMatrix, n: number): void;
  destroy(): void;
}

export function heatmapView(): HeatmapView {
  const canvas = h("canvas", { class: "heatmap", tabindex: 0, role: "img", "aria-label": "Weights heatmap; use the arrow keys to read cells" });
  const readout = h("p", { class: "readout", "aria-live": "polite" }, "Point at a cell, or focus the heatmap and use the arrow keys.");
  const legend = h("p", { class: "hint" });
  const rowsList = h("ol", { class: "heatmap-rows", "aria-label": "Rows: validators by uid, then consensus" });
  const listing = h("div", { class: "table-wrap" });
  const figure = h("figure", { id: "weights", class: "heatmap-figure", "data-rows": 0, "data-columns": 0 }, h("div", { class: "heatmap-box" }, rowsList, canvas), h("figcaption", {}, legend), readout);
  const details = h("details", { class: "weights-listing", id: "weights-listing" }, h("summary", {}, "Every weight as a table"), listing);
  const element = h("section", { class: "panel", "aria-labelledby": "weights-title" }, h("h2", { id: "weights-title" }, "Weights"), figure, details);
  let grid: HeatmapGrid | undefined;
  let matrix: WeightsMatrix | undefined;
  let cursor = { row: 0, column: 0 };
  let csvUrl: string | undefined;

  const describe = (row: number, column: number): string => {
    if (!grid) return "";
    if (row === grid.rows.length) return `consensus on uid ${column}: ${((matrix!.consensus[column] ?? 0) / 65535 * 100).toFixed(2)}%`;
    const i = row * grid.columns + column;
    return `validator uid ${grid.rows[row]} → uid ${column}: weight ${grid.raw[i]} (${(grid.shares[i]! * 100).toFixed(2)}% of its weights)`;
  };

  const paint = (): void => {
    if (!grid) return;
    const rows = grid.rows.length;
    const columns = Math.max(1, grid.columns);
    // One pixel column per uid when there are many; wider cells when there are few.
    const cell = Math.max(1, Math.floor(960 / columns));
    canvas.width = columns * cell;
    canvas.height = (rows + 1) * ROW_PX + GAP_PX;
    // Scaled to the width only: rows keep their height, level with their labels.
    canvas.style.height = `${canvas.height}px`;
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    const image = ctx.createImageData(canvas.width, canvas.height);
    // One 32-bit word per pixel, filled a cell's run at a time (4096 columns × 64 rows stay quick).
    const pixels = new Uint32Array(image.data.buffer);
    const word = ([r, g, b]: [number, number, number]): number => (255 << 24) | (b << 16) | (g << 8) | r;
    for (let row = 0; row <= rows; row++) {
      const y0 = row < rows ? row * ROW_PX : rows * ROW_PX + GAP_PX;
      for (let column = 0; column < columns; column++) {
        const colour = word(row < rows ? shareColour(grid.shares[row * grid.columns + column]!, grid.maxShare) : shareColour(grid.consensus[column]!, 1));
        for (let dy = 0; dy < ROW_PX - 1; dy++) {
          const start = (y0 + dy) * canvas.width + column * cell;
          pixels.fill(colour, start, start + cell);
        }
      }
    }
    ctx.putImageData(image, 0, 0);
    // The keyboard cursor.
    if (document.activeElement === canvas) {
      const y = cursor.row < rows ? cursor.row * ROW_PX : rows * ROW_PX + GAP_PX;
      ctx.strokeStyle = "#ff9800";
      ctx.lineWidth = 2;
      ctx.strokeRect(cursor.column * cell + 1, y + 1, Math.max(2, cell - 2), ROW_PX - 3);
    }
  };

  const cellAt = (event: MouseEvent): { row: number; column: number } | undefined => {
    if (!grid) return undefined;
    const box = canvas.getBoundingClientRect();
    const x = ((event.clientX - box.left) / box.width) * canvas.width;
    const y = ((event.clientY - box.top) / box.height) * canvas.height;
    const cell = canvas.width / Math.max(1, grid.columns);
    const column = Math.min(grid.columns - 1, Math.max(0, Math.floor(x / cell)));
    const rows = grid.rows.length;
    const row = y < rows * ROW_PX ? Math.floor(y / ROW_PX) : y >= rows * ROW_PX + GAP_PX ? rows : undefined;
    return row === undefined ? undefined : { row, column };
  };

  canvas.addEventListener("mousemove", (event) => {
    const at = cellAt(event);
    if (at) setText(readout, describe(at.row, at.column));
  });
  canvas.addEventListener("focus", paint);
  canvas.addEventListener("blur", paint);
  canvas.addEventListener("keydown", (event) => {
    if (!grid) return;
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1], PageUp: [0, -16], PageDown: [0, 16], Home: [0, -grid.columns], End: [0, grid.columns] };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    cursor = { row: Math.min(grid.rows.length, Math.max(0, cursor.row + move[0])), column: Math.min(grid.columns - 1, Math.max(0, cursor.column + move[1])) };
    setText(readout, describe(cursor.row, cursor.column));
    paint();
  });

  const list = (weights: WeightsMatrix): void => {
    const triples = weightTriples(weights);
    if (csvUrl) URL.revokeObjectURL(csvUrl);
    csvUrl = undefined;
    if (triples.length <= TABLE_LIMIT) {
      replaceChildren(
        listing,
        h(
          "table",
          { id: "weights-table", class: "data compact", "data-count": triples.length },
          h("caption", {}, `${triples.length} weights at block ${weights.block} (u16, as on chain)`),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "validator uid"), h("th", { scope: "col" }, "uid"), h("th", { scope: "col" }, "weight"))),
          h("tbody", {}, ...triples.map(([v, uid, w]) => h("tr", { "data-validator": v, "data-uid": uid, "data-weight": w }, h("td", { class: "num" }, String(v)), h("td", { class: "num" }, String(uid)), h("td", { class: "num" }, String(w))))),
        ),
      );
    } else {
      csvUrl = URL.createObjectURL(new Blob([`validator_uid,uid,weight\n${triples.map((t) => t.join(",")).join("\n")}\n`], { type: "text/csv" }));
      replaceChildren(listing, h("p", {}, `${triples.length} weights at block ${weights.block}: `, h("a", { href: csvUrl, download: `weights-${weights.block}.csv`, id: "weights-csv" }, "download them as CSV")));
    }
  };

  // The listing is made when it is opened (and kept up to date while open): thousands of rows cost.
  details.addEventListener("toggle", () => {
    if (details.open && matrix) list(matrix);
  });

  return {
    element,
    update(weights, n) {
      matrix = weights;
      grid = heatmapGrid(weights, n);
      figure.dataset.rows = String(grid.rows.length);
      figure.dataset.columns = String(grid.columns);
      figure.dataset.block = String(weights.block);
      cursor = { row: Math.min(cursor.row, grid.rows.length), column: Math.min(cursor.column, Math.max(0, grid.columns - 1)) };
      replaceChildren(rowsList, ...grid.rows.map((uid) => h("li", {}, `v${uid}`)), h("li", { class: "consensus-label" }, "cons."));
      setText(legend, grid.rows.length === 0 ? "No validator has weights on chain yet." : `${grid.rows.length} validators × ${grid.columns} uids at block ${weights.block}; darker is a larger share of the validator's weights. Last row: the epoch's consensus.`);
      paint();
      if (details.open) list(weights);
    },
    destroy() {
      if (csvUrl) URL.revokeObjectURL(csvUrl);
    },
  };
}
