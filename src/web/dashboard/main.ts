/**
 * The dashboard's pages, drawn in the browser from the dashboard server's JSON API and kept live by
 * its events: `/` the subnets, `/subnets/<netuid>` a subnet, `/daemons` the daemons. Every string
 * from the chain goes into the page as text (src/web/ui/dom.ts); a page that cannot show its data
 * shows why.
 */
import "./style.css";
import { h, notice, replaceChildren } from "../ui/dom.js";
import type { StatusPayload } from "../model/api.js";
import { ApiReadError, getJson, liveEvents } from "./api-client.js";
import { renderDaemonsPage } from "./daemons-page.js";
import { pageOf, type Page } from "./page.js";
import { netuidFromPath, renderSubnetPage } from "./subnet-page.js";
import { renderSubnetsPage } from "./subnets-page.js";

async function route(page: Page, path: string): Promise<void> {
  if (path === "/") {
    await renderSubnetsPage(page);
    return;
  }
  if (path === "/daemons") {
    await renderDaemonsPage(page);
    return;
  }
  if (path.startsWith("/subnets/")) {
    const netuid = netuidFromPath(path);
    if (typeof netuid === "string") return page.fail(new Error(netuid));
    await renderSubnetPage(page, netuid);
    return;
  }
  page.setTitle("Not found");
  replaceChildren(page.main, notice("error", "No such page", `${path} is not a page of this dashboard.`), h("p", {}, h("a", { href: "/" }, "All subnets")));
  document.body.dataset.state = "error";
}

function start(): void {
  const main = document.getElementById("main");
  const status = document.getElementById("chain-status");
  if (!main || !status) return;
  const page = pageOf(main, status);
  page.setState("loading");
  // The header's line at once, whatever the page (a failure to read it is the page's to tell).
  getJson<StatusPayload>("/api/status").then(page.showStatus, () => undefined);
  for (const link of document.querySelectorAll<HTMLAnchorElement>("nav a")) if (link.getAttribute("href") === location.pathname) link.setAttribute("aria-current", "page");
  route(page, location.pathname).catch((error: unknown) => {
    page.fail(error);
    // The chain (or the server) may come back: the page is drawn again once the chain is read.
    if (error instanceof ApiReadError && (error.code === "CHAIN_UNREACHABLE" || error.code === "SERVER_UNREACHABLE")) {
      liveEvents([], { status: (s) => (page.showStatus(s), s.chain.connected && s.chain.block !== null && location.reload()) }, page.showStream);
    }
  });
}

start();
