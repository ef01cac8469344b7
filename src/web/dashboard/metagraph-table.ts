/**
 * The metagraph as a table that stays quick at 4096 uids: sortable by any column (buttons in the
 * headers, aria-sort), filtered by hotkey, coldkey or uid text and by role, and drawn only around
 * what is in view (the rows' count and positions told with aria-rowcount / aria-rowindex). Each
 * row carries its exact values in data attributes and its whole hotkey in a title; activating a
 * row (click, Enter or Space) adds its uid to the charts or takes it off.
 */
import type { MetagraphColumns } from "../model/api.js";
import { formatAmount, formatFraction, shortKey } from "../model/format.js";
import { firstDirection, metagraphRows, viewRows, type MetagraphRow, type RowFilter, type SortDirection, type SortKey } from "../model/metagraph-rows.js";
import { h, replaceChildren, setText } from "../ui/dom.js";

interface Column {
  readonly key: SortKey;
  readonly label: string;
  readonly numeric: boolean;
  readonly cell: (r: MetagraphRow) => Node | string;
}

const key = (ss58: string): HTMLElement => h("span", { class: "key", title: ss58, "data-key": ss58 }, shortKey(ss58));

const COLUMNS: readonly Column[] = [
  { key: "uid", label: "uid", numeric: true, cell: (r) => String(r.uid) },
  { key: "hotkey", label: "hotkey", numeric: false, cell: (r) => key(r.hotkey) },
  { key: "role", label: "role", numeric: false, cell: (r) => r.role },
  { key: "stake", label: "stake α", numeric: true, cell: (r) => formatAmount(r.stake) },
  { key: "incentive", label: "incentive", numeric: true, cell: (r) => formatFraction(r.incentive) },
  { key: "dividends", label: "dividends", numeric: true, cell: (r) => formatFraction(r.dividends) },
  { key: "consensus", label: "consensus", numeric: true, cell: (r) => formatFraction(r.consensus) },
  { key: "validatorTrust", label: "v-trust", numeric: true, cell: (r) => formatFraction(r.validatorTrust) },
  { key: "emission", label: "emission α", numeric: true, cell: (r) => formatAmount(r.emission) },
  { key: "lastUpdate", label: "updated", numeric: true, cell: (r) => String(r.lastUpdate) },
  { key: "axon", label: "axon", numeric: false, cell: (r) => r.axon ?? "—" },
];

/** Rows drawn above and below the view. */
const OVERSCAN = 12;

export interface MetagraphTable {
  readonly element: HTMLElement;
  update(metagraph: MetagraphColumns): void;
  /** The uids the reader chose to chart. */
  setCharted(uids: readonly number[]): void;
}

export function metagraphTable(onToggle: (uid: number) => void): MetagraphTable {
  let rows: MetagraphRow[] = [];
  let shown: MetagraphRow[] = [];
  let sortKey: SortKey = "uid";
  let direction: SortDirection = "ascending";
  let filter: RowFilter = { text: "", role: "all" };
  let charted = new Set<number>();
  let rowHeight = 0;
  let frame = 0;

  const search = h("input", { type: "search", id: "metagraph-filter", placeholder: "hotkey, coldkey or uid", autocomplete: "off", spellcheck: "false" });
  const role = h("select", { id: "metagraph-role" }, ...(["all", "validator", "miner", "owner", "serving"] as const).map((r) => h("option", { value: r }, r === "all" ? "every role" : r === "serving" ? "serving an axon" : `${r}s`)));
  const count = h("p", { class: "table-count", role: "status", "aria-live": "polite" });
  const headerCells = COLUMNS.map((c) => {
    const button = h("button", { type: "button", class: "sort", "data-sort": c.key }, c.label);
    button.addEventListener("click", () => {
      if (sortKey === c.key) direction = direction === "ascending" ? "descending" : "ascending";
      else {
        sortKey = c.key;
        direction = firstDirection(c.key);
      }
      refilter();
    });
    return h("th", { scope: "col", class: c.numeric ? "num" : "" }, button);
  });
  const body = h("tbody");
  const table = h("table", { id: "metagraph", class: "data metagraph" }, h("caption", { class: "visually-hidden" }, "Metagraph: one row per uid; activate a row to chart it"), h("thead", {}, h("tr", {}, ...headerCells)), body);
  const scroller = h("div", { class: "table-scroll", tabindex: 0, role: "region", "aria-label": "Metagraph rows (scroll with the arrow keys)" }, table);

  const rowElement = (r: MetagraphRow, index: number): HTMLTableRowElement => {
    const tr = h(
      "tr",
      {
        "aria-rowindex": index + 2,
        "data-uid": r.uid,
        "data-hotkey": r.hotkey,
        "data-coldkey": r.coldkey,
        "data-stake": r.stake,
        "data-emission": r.emission,
        "data-incentive": r.incentive,
        "data-dividends": r.dividends,
        "data-consensus": r.consensus,
        "data-trust": r.validatorTrust,
        "data-last-update": r.lastUpdate,
        "data-permit": String(r.validatorPermit),
        "data-active": String(r.active),
        "data-axon": r.axon ?? "",
        tabindex: -1,
        class: charted.has(r.uid) ? "charted" : "",
      },
      ...COLUMNS.map((c, i) => h("td", { class: c.numeric ? "num" : "" }, c.cell(r), i === 0 && charted.has(r.uid) ? h("span", { class: "visually-hidden" }, " (charted)") : null)),
    );
    return tr;
  };

  /** Draws the rows in view (and a few around), with spacers standing for the others. */
  const draw = (): void => {
    frame = 0;
    if (rowHeight === 0 && shown.length > 0) {
      const probe = rowElement(shown[0]!, 0);
      replaceChildren(body, probe);
      rowHeight = probe.getBoundingClientRect().height || 32;
    }
    const height = rowHeight || 32;
    const first = Math.max(0, Math.floor(scroller.scrollTop / height) - OVERSCAN);
    const visible = Math.ceil((scroller.clientHeight || 600) / height) + 2 * OVERSCAN;
    const last = Math.min(shown.length, first + visible);
    const top = h("tr", { class: "spacer", "aria-hidden": "true" });
    const bottom = h("tr", { class: "spacer", "aria-hidden": "true" });
    top.style.height = `${first * height}px`;
    bottom.style.height = `${(shown.length - last) * height}px`;
    const focused = document.activeElement instanceof HTMLTableRowElement && body.contains(document.activeElement) ? document.activeElement.dataset.uid : undefined;
    replaceChildren(body, top, ...shown.slice(first, last).map((r, i) => rowElement(r, first + i)), bottom);
    if (focused !== undefined) body.querySelector<HTMLTableRowElement>(`tr[data-uid="${focused}"]`)?.focus({ preventScroll: true });
  };
  const schedule = (): void => {
    if (frame === 0) frame = requestAnimationFrame(draw);
  };

  const refilter = (): void => {
    shown = viewRows(rows, filter, sortKey, direction);
    table.setAttribute("aria-rowcount", String(shown.length + 1));
    table.dataset.rows = String(shown.length);
    headerCells.forEach((th, i) => {
      if (COLUMNS[i]!.key === sortKey) th.setAttribute("aria-sort", direction);
      else th.removeAttribute("aria-sort");
    });
    setText(count, shown.length === rows.length ? `${rows.length} uids` : `${shown.length} of ${rows.length} uids`);
    draw();
  };

  search.addEventListener("input", () => {
    filter = { ...filter, text: search.value };
    scroller.scrollTop = 0;
    refilter();
  });
  role.addEventListener("change", () => {
    filter = { ...filter, role: role.value as RowFilter["role"] };
    scroller.scrollTop = 0;
    refilter();
  });
  scroller.addEventListener("scroll", schedule, { passive: true });
  body.addEventListener("click", (event) => {
    const tr = (event.target as Element).closest("tr[data-uid]") as HTMLTableRowElement | null;
    if (tr) onToggle(Number(tr.dataset.uid));
  });
  body.addEventListener("keydown", (event) => {
    const tr = event.target as HTMLElement;
    if (!(tr instanceof HTMLTableRowElement) || tr.dataset.uid === undefined) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      onToggle(Number(tr.dataset.uid));
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = (event.key === "ArrowDown" ? tr.nextElementSibling : tr.previousElementSibling) as HTMLTableRowElement | null;
      if (next?.dataset.uid !== undefined) next.focus();
    }
  });
  scroller.addEventListener("keydown", (event) => {
    if (event.target === scroller && event.key === "Enter") (body.querySelector("tr[data-uid]") as HTMLTableRowElement | null)?.focus();
  });

  const element = h(
    "section",
    { class: "panel", "aria-labelledby": "metagraph-title" },
    h("h2", { id: "metagraph-title" }, "Metagraph"),
    h("div", { class: "controls" }, h("label", { for: "metagraph-filter" }, "Filter"), search, h("label", { for: "metagraph-role" }, "Role"), role, count),
    h("p", { class: "hint" }, "Sort by a column with its header; activate a row (click, or Enter on it) to chart that uid; Enter in the table moves to its first row."),
    scroller,
  );
  return {
    element,
    update(metagraph) {
      rows = metagraphRows(metagraph);
      table.dataset.block = String(metagraph.block);
      refilter();
    },
    setCharted(uids) {
      charted = new Set(uids);
      schedule();
    },
  };
}
