/**
 * The charts over epochs (uPlot, bundled with the page): each charted uid's incentive, dividends,
 * emission and stake, and the emission split between the owner, the miners and the validators —
 * one point per epoch recorded. Each chart says how many points it holds (data-points) and has its
 * numbers as a table beside it, for readers who cannot see the lines.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { HistoryPayload, UidSeries } from "../model/api.js";
import { h, replaceChildren } from "../ui/dom.js";

/** Distinguishable on light and dark backgrounds (Okabe–Ito, then two more). */
export const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#8c564b", "#7f7f7f", "#bcbd22", "#17becf", "#1f3a93", "#a83232", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f"];

interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly series: (history: HistoryPayload) => { label: string; values: readonly (number | null)[] }[];
  readonly format: (value: number) => string;
}

const percent = (u16: number | null): number | null => (u16 === null ? null : (u16 / 65535) * 100);
const uidLabel = (s: UidSeries): string => `uid ${s.uid}`;

const SPECS: readonly ChartSpec[] = [
  { id: "incentive", title: "Incentive", unit: "%", series: (hp) => hp.series.map((s) => ({ label: uidLabel(s), values: s.incentive.map(percent) })), format: (v) => `${v.toFixed(2)}%` },
  { id: "dividends", title: "Dividends", unit: "%", series: (hp) => hp.series.map((s) => ({ label: uidLabel(s), values: s.dividends.map(percent) })), format: (v) => `${v.toFixed(2)}%` },
  { id: "emission", title: "Emission", unit: "α", series: (hp) => hp.series.map((s) => ({ label: uidLabel(s), values: s.emission })), format: (v) => v.toFixed(4) },
  { id: "stake", title: "Stake", unit: "α", series: (hp) => hp.series.map((s) => ({ label: uidLabel(s), values: s.stake })), format: (v) => v.toFixed(2) },
  {
    id: "split",
    title: "Emission split",
    unit: "α",
    series: (hp) => [
      { label: "owner", values: hp.split.owner },
      { label: "miners", values: hp.split.miners },
      { label: "validators", values: hp.split.validators },
    ],
    format: (v) => v.toFixed(4),
  },
];

interface Chart {
  readonly spec: ChartSpec;
  readonly figure: HTMLElement;
  readonly plotBox: HTMLElement;
  readonly table: HTMLElement;
  readonly details: HTMLDetailsElement;
  plot: uPlot | undefined;
  labels: string;
  history: HistoryPayload | undefined;
}

export interface ChartsView {
  readonly element: HTMLElement;
  update(history: HistoryPayload): void;
  destroy(): void;
}

function dataTable(spec: ChartSpec, history: HistoryPayload): HTMLElement {
  const series = spec.series(history);
  return h(
    "table",
    { class: "data compact" },
    h("caption", {}, `${spec.title} (${spec.unit}) per epoch`),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "epoch"), ...series.map((s) => h("th", { scope: "col" }, s.label)))),
    h(
      "tbody",
      {},
      ...history.epochs.map((epoch, i) => h("tr", {}, h("th", { scope: "row" }, String(epoch)), ...series.map((s) => h("td", { class: "num" }, s.values[i] === null || s.values[i] === undefined ? "—" : spec.format(s.values[i]!))))),
    ),
  );
}

function width(box: HTMLElement): number {
  return Math.max(260, Math.floor(box.getBoundingClientRect().width));
}

export function chartsView(): ChartsView {
  const charts: Chart[] = SPECS.map((spec) => {
    const plotBox = h("div", { class: "plot", role: "img", "aria-label": `${spec.title} over epochs` });
    const table = h("div", { class: "table-wrap" });
    const details = h("details", {}, h("summary", {}, "The numbers"), table);
    const figure = h("figure", { class: "chart", "data-chart": spec.id, "data-points": 0 }, h("figcaption", {}, `${spec.title} (${spec.unit})`), plotBox, details);
    const chart: Chart = { spec, figure, plotBox, table, details, plot: undefined, labels: "", history: undefined };
    details.addEventListener("toggle", () => {
      if (details.open && chart.history) replaceChildren(table, dataTable(spec, chart.history));
    });
    return chart;
  });
  const empty = h("p", { class: "hint", id: "charts-empty" });
  const grid = h("div", { class: "charts" }, ...charts.map((c) => c.figure));
  const element = h("section", { class: "panel", "aria-labelledby": "charts-title" }, h("h2", { id: "charts-title" }, "Over epochs"), empty, grid);
  const resize = new ResizeObserver(() => {
    for (const c of charts) c.plot?.setSize({ width: width(c.plotBox), height: 220 });
  });
  resize.observe(grid);

  const draw = (chart: Chart, history: HistoryPayload): void => {
    const series = chart.spec.series(history);
    const data = [history.epochs.slice(), ...series.map((s) => s.values.slice())] as uPlot.AlignedData;
    const labels = series.map((s) => s.label).join(",");
    chart.history = history;
    chart.figure.dataset.points = String(history.epochs.length);
    chart.figure.dataset.epochs = history.epochs.join(",");
    chart.figure.dataset.series = labels;
    if (chart.details.open) replaceChildren(chart.table, dataTable(chart.spec, history));
    if (chart.plot && labels === chart.labels) {
      chart.plot.setData(data);
      return;
    }
    chart.plot?.destroy();
    chart.labels = labels;
    chart.plot = new uPlot(
      {
        width: width(chart.plotBox),
        height: 220,
        scales: { x: { time: false } },
        axes: [
          { label: "epoch", stroke: "currentColor", grid: { stroke: "rgba(128,128,128,0.25)" }, ticks: { stroke: "rgba(128,128,128,0.4)" } },
          { label: chart.spec.unit, stroke: "currentColor", grid: { stroke: "rgba(128,128,128,0.25)" }, ticks: { stroke: "rgba(128,128,128,0.4)" }, size: 64 },
        ],
        series: [{ label: "epoch" }, ...series.map((s, i) => ({ label: s.label, stroke: PALETTE[i % PALETTE.length]!, width: 2, points: { show: history.epochs.length <= 40 }, value: (_u: uPlot, v: number | null) => (v === null ? "—" : chart.spec.format(v)) }))],
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
      },
      data,
      chart.plotBox,
    );
  };

  return {
    element,
    update(history) {
      empty.textContent =
        history.epochs.length === 0
          ? "No epoch recorded yet: the charts fill in as epochs run (and with what the node still holds of earlier ones)."
          : `${history.epochs.length} epochs recorded (epoch ${history.epochs[0]} to ${history.epochs[history.epochs.length - 1]}); charted: ${history.series.map((s) => `uid ${s.uid}`).join(", ") || "no uid"} — activate rows of the metagraph to choose.`;
      for (const chart of charts) draw(chart, history);
    },
    destroy() {
      resize.disconnect();
      for (const c of charts) c.plot?.destroy();
    },
  };
}
