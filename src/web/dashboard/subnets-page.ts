/** The home page: every subnet with its owner, tempo, emission share, neurons and price, each linking to its page. */
import type { SubnetListRow, SubnetsPayload } from "../model/api.js";
import { formatPrice, formatShare, shortKey } from "../model/format.js";
import { h, replaceChildren } from "../ui/dom.js";
import { getJson, liveEvents } from "./api-client.js";
import type { Page } from "./page.js";

function keyCell(key: string): HTMLElement {
  return h("td", {}, h("span", { class: "key", title: key, "data-key": key }, shortKey(key)));
}

function row(s: SubnetListRow): HTMLTableRowElement {
  const label = s.name ?? `subnet ${s.netuid}`;
  return h(
    "tr",
    { "data-netuid": s.netuid },
    h("td", { class: "num" }, String(s.netuid)),
    h("th", { scope: "row" }, h("a", { href: `/subnets/${s.netuid}` }, label), s.symbol ? h("span", { class: "symbol" }, ` ${s.symbol}`) : null),
    keyCell(s.ownerColdkey),
    h("td", { class: "num" }, String(s.tempo)),
    h("td", { class: "num" }, `${s.n} / ${s.maxUids}`),
    h("td", { class: "num" }, formatShare(s.emissionShare)),
    h("td", { class: "num" }, formatPrice(s.price)),
  );
}

export async function renderSubnetsPage(page: Page): Promise<() => void> {
  page.setTitle("Subnets");
  const body = h("tbody");
  const caption = h("caption", {}, "Subnets");
  const table = h(
    "table",
    { id: "subnets", class: "data" },
    caption,
    h("thead", {}, h("tr", {}, ...["netuid", "name", "owner", "tempo", "neurons", "emission", "price"].map((c) => h("th", { scope: "col" }, c)))),
    body,
  );
  const draw = (payload: SubnetsPayload): void => {
    replaceChildren(body, ...payload.subnets.map(row));
    replaceChildren(caption, `${payload.subnets.length} subnets at block ${payload.block}`);
    table.dataset.block = String(payload.block);
  };
  const payload = await getJson<SubnetsPayload>("/api/subnets");
  replaceChildren(page.main, h("h1", {}, "Subnets"), h("div", { class: "table-wrap" }, table), payload.subnets.length === 0 ? h("p", {}, "This chain has no subnet yet: create one with `tensornode subnet create`.") : null);
  draw(payload);
  page.setState("ready");
  return liveEvents(["subnets"], { subnets: draw, status: page.showStatus }, page.showStream);
}
