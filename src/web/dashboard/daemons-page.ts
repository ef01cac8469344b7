/**
 * The daemons the dashboard was given (--status-url): for each, whether it answers (and why not),
 * its hotkeys, what it served per second, its failures by code, a validator's weight submissions,
 * a gateway's organic traffic per miner — refreshed as the server reads them.
 */
import type { DaemonCount, DaemonsPayload, DaemonView } from "../model/api.js";
import { formatAge, formatRate, shortKey } from "../model/format.js";
import { h, replaceChildren } from "../ui/dom.js";
import { getJson, liveEvents } from "./api-client.js";
import type { Page } from "./page.js";

function counts(title: string, rows: readonly DaemonCount[], empty: string): HTMLElement {
  if (rows.length === 0) return h("p", { class: "hint" }, `${title}: ${empty}`);
  return h(
    "table",
    { class: "data compact" },
    h("caption", {}, title),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "what"), h("th", { scope: "col" }, "total"), h("th", { scope: "col" }, "per second"))),
    h("tbody", {}, ...rows.map((r) => h("tr", { "data-label": r.label }, h("th", { scope: "row" }, r.label), h("td", { class: "num" }, String(r.total)), h("td", { class: "num" }, formatRate(r.perSecond))))),
  );
}

function card(d: DaemonView): HTMLElement {
  const title = d.kind === "unknown" ? "daemon" : d.kind;
  return h(
    "article",
    { class: `daemon ${d.up ? "up" : "down"}`, "data-url": d.url, "data-kind": d.kind, "data-up": String(d.up), "aria-labelledby": `d-${encodeURIComponent(d.url)}` },
    h("h2", { id: `d-${encodeURIComponent(d.url)}` }, `${title} `, h("span", { class: "url" }, d.url)),
    d.up
      ? h("p", { class: "state" }, h("span", { class: "badge badge-up" }, "answering"), d.health ? ` health: ${d.health}` : "", ` · read ${formatAge(d.lastSeenMs, Date.now())}`)
      : h("div", { class: "notice notice-error", role: "alert" }, h("p", { class: "notice-title" }, "Not answering"), h("p", { class: "notice-detail" }, d.error ?? "no answer"), h("p", { class: "notice-detail" }, d.lastSeenMs === null ? "It never answered since the dashboard started." : `Last answer ${formatAge(d.lastSeenMs, Date.now())}; the figures below are from then.`)),
    d.hotkeys.length > 0 ? h("p", {}, "hotkeys: ", ...d.hotkeys.flatMap((k, i) => [i > 0 ? ", " : "", h("span", { class: "key", title: k.hotkey, "data-key": k.hotkey }, shortKey(k.hotkey)), k.uid === null ? " (not registered)" : ` (uid ${k.uid})`])) : null,
    d.served ? h("p", { class: "served" }, `${d.kind === "validator" ? "queries answered" : "requests answered"}: ${d.served.total} (${formatRate(d.served.perSecond)}/s)`) : null,
    d.served ? counts("Failures by code", d.failures, "none") : null,
    d.kind === "validator" ? counts("Weight submissions", d.weights, "none yet") : null,
    d.gauges.length > 0 ? h("dl", { class: "gauges" }, ...d.gauges.flatMap((g) => [h("dt", {}, g.label), h("dd", {}, String(g.value))])) : null,
    d.attribution
      ? d.attribution.length === 0
        ? h("p", { class: "hint" }, "No organic request in the last hour.")
        : h(
            "table",
            { class: "data compact attribution" },
            h("caption", {}, "Organic requests per miner, last hour"),
            h("thead", {}, h("tr", {}, ...["uid", "hotkey", "served", "failed", "p50 ms"].map((c) => h("th", { scope: "col" }, c)))),
            h("tbody", {}, ...d.attribution.map((a) => h("tr", { "data-uid": a.uid }, h("td", { class: "num" }, String(a.uid)), h("td", {}, h("span", { class: "key", title: a.hotkey, "data-key": a.hotkey }, shortKey(a.hotkey))), h("td", { class: "num" }, String(a.served)), h("td", { class: "num" }, String(a.failed)), h("td", { class: "num" }, a.p50Ms === null ? "—" : a.p50Ms.toFixed(1))))),
          )
      : null,
  );
}

export async function renderDaemonsPage(page: Page): Promise<() => void> {
  page.setTitle("Daemons");
  const list = h("div", { class: "daemons", id: "daemons" });
  const draw = (payload: DaemonsPayload): void => {
    replaceChildren(list, ...(payload.daemons.length === 0 ? [h("p", {}, "No daemon was given: start the dashboard with --status-url and the status ports of your miners and validators (--metrics-port) or a validator's gateway (--api-port).")] : payload.daemons.map(card)));
    list.dataset.count = String(payload.daemons.length);
  };
  const payload = await getJson<DaemonsPayload>("/api/daemons");
  replaceChildren(page.main, h("h1", {}, "Daemons"), list);
  draw(payload);
  page.setState("ready");
  return liveEvents(["daemons"], { daemons: draw, status: page.showStatus }, page.showStream);
}
