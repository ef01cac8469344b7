/**
 * A subnet's page: its epoch clock, metagraph, charts over epochs, weights heatmap and the
 * registrations seen — drawn at once from the server's latest state and history, then kept up to
 * date by its events (a block: the clock, the activity, and the metagraph and weights when they
 * changed; an epoch: the charts read again).
 */
import type { HistoryPayload, LiveEvents, SubnetPayload } from "../model/api.js";
import { h, replaceChildren, setText } from "../ui/dom.js";
import { activityView } from "./activity-view.js";
import { getJson, liveEvents } from "./api-client.js";
import { chartsView } from "./charts.js";
import { clockView } from "./clock-view.js";
import { heatmapView } from "./heatmap.js";
import { metagraphTable } from "./metagraph-table.js";
import type { Page } from "./page.js";

const MAX_CHARTED = 16;

/** `/subnets/12` → 12; a message when the URL names no subnet. */
export function netuidFromPath(path: string): number | string {
  const raw = path.replace(/^\/subnets\//, "").replace(/\/$/, "");
  let text: string;
  try {
    text = decodeURIComponent(raw);
  } catch {
    text = raw;
  }
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) return `"${text}" is not a subnet number: a subnet's page is /subnets/<netuid>, e.g. /subnets/1`;
  return Number(text);
}

export async function renderSubnetPage(page: Page, netuid: number): Promise<() => void> {
  page.setTitle(`Subnet ${netuid}`);
  const params = new URLSearchParams(location.search);
  let charted: number[] | undefined = params.get("uids")?.split(",").filter((u) => /^\d+$/.test(u)).map(Number).slice(0, MAX_CHARTED);
  if (charted?.length === 0) charted = undefined;

  const historyPath = (): string => `/api/subnets/${netuid}/history${charted ? `?uids=${charted.join(",")}` : ""}`;
  // Marks for tools that time the page (bench/dashboard): when its data arrived, when it was drawn.
  performance.mark("tensornode:asked");
  const [subnet, history] = await Promise.all([getJson<SubnetPayload>(`/api/subnets/${netuid}`), getJson<HistoryPayload>(historyPath())]);
  performance.mark("tensornode:data");

  const title = h("h1", {});
  const summary = h("p", { class: "summary" });
  const clock = clockView();
  const charts = chartsView();
  const heatmap = heatmapView();
  const activity = activityView();
  let current = subnet;
  /** The uids in the charts now (the server's choice until the reader makes one). */
  let shown = history.series.map((s) => s.uid);
  let reading = 0;

  const showHistory = (next: HistoryPayload): void => {
    shown = next.series.map((s) => s.uid);
    charts.update(next);
    table.setCharted(shown);
  };
  const refreshHistory = async (): Promise<void> => {
    const asked = ++reading;
    try {
      const next = await getJson<HistoryPayload>(historyPath());
      if (asked === reading) showHistory(next);
    } catch (error) {
      setText(summary, `The charts could not be read again: ${(error as Error).message}`);
    }
  };
  /** Adds a uid to the charts or takes it off; the choice is kept in the URL (?uids=). */
  const toggle = (uid: number): void => {
    const base = charted ?? shown;
    const next = base.includes(uid) ? base.filter((u) => u !== uid) : [...base, uid].slice(-MAX_CHARTED);
    charted = next.length > 0 ? next : undefined;
    const url = new URL(location.href);
    if (charted) url.searchParams.set("uids", charted.join(","));
    else url.searchParams.delete("uids");
    window.history.replaceState(null, "", url);
    void refreshHistory();
  };
  const table = metagraphTable(toggle);

  const drawHeader = (s: Pick<SubnetPayload, "name" | "symbol" | "netuid">, block: number, n: number): void => {
    setText(title, `${s.name ?? `Subnet ${s.netuid}`}${s.symbol ? ` ${s.symbol}` : ""}`);
    setText(summary, `netuid ${s.netuid} · ${n} uids · block ${block}`);
    page.main.dataset.block = String(block);
  };

  replaceChildren(
    page.main,
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "/" }, "Subnets"), ` / subnet ${netuid}`),
    title,
    summary,
    clock.element,
    table.element,
    charts.element,
    heatmap.element,
    activity.element,
  );
  drawHeader(subnet, subnet.metagraph.block, subnet.metagraph.n);
  clock.update(subnet.clock, subnet.activity);
  table.update(subnet.metagraph);
  showHistory(history);
  heatmap.update(subnet.weights, subnet.metagraph.n);
  activity.update(subnet.activity);
  performance.mark("tensornode:drawn");
  page.setState("ready");

  const onBlock = (event: LiveEvents["subnet"]): void => {
    if (event.netuid !== netuid) return;
    current = { ...current, ...event, metagraph: event.metagraph ?? current.metagraph, weights: event.weights ?? current.weights };
    drawHeader(current, event.clock.block, current.metagraph.n);
    clock.update(event.clock, event.activity);
    activity.update(event.activity);
    if (event.metagraph) table.update(event.metagraph);
    if (event.weights || event.metagraph) heatmap.update(current.weights, current.metagraph.n);
  };
  const close = liveEvents([`subnet:${netuid}`], { subnet: onBlock, epoch: () => void refreshHistory(), status: page.showStatus }, page.showStream);
  return () => {
    close();
    charts.destroy();
    heatmap.destroy();
  };
}
