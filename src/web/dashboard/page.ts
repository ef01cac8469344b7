/**
 * What every page of the dashboard shares: where it draws, the header's chain status, and the
 * marker tools and tests wait for — `document.body.dataset.state`: "loading" until the page shows
 * its data, then "ready"; "error" when it shows a message instead. `data-block` says the block shown.
 */
import type { StatusPayload } from "../model/api.js";
import { formatAge } from "../model/format.js";
import { h, notice, replaceChildren, setText } from "../ui/dom.js";
import { ApiReadError } from "./api-client.js";

export type PageState = "loading" | "ready" | "error";

export interface Page {
  readonly main: HTMLElement;
  setState(state: PageState): void;
  setTitle(title: string): void;
  /** The header's line: the block and chain, or what is wrong with the chain. */
  showStatus(status: StatusPayload): void;
  /** The live stream dropped (true: it is back). */
  showStream(open: boolean): void;
  /** Replaces the page with a message (never a blank page). */
  fail(error: unknown, hint?: Node): void;
}

export function pageOf(main: HTMLElement, statusLine: HTMLElement): Page {
  let streamOpen = true;
  let last: StatusPayload | undefined;
  const draw = (): void => {
    const chain = last?.chain;
    const problem = !streamOpen ? "the live updates from the dashboard server stopped; reconnecting…" : chain && (!chain.connected || chain.error) ? (chain.error ?? "the chain connection is down") : null;
    statusLine.classList.toggle("chain-status-bad", problem !== null);
    setText(statusLine, problem ?? (chain ? `block ${chain.block ?? "…"} · ${chain.network ?? chain.endpoint}` : "connecting…"));
    if (chain?.block !== null && chain?.block !== undefined) document.body.dataset.chainBlock = String(chain.block);
  };
  return {
    main,
    setState(state) {
      document.body.dataset.state = state;
      if (state === "ready") performance.mark("tensornode:ready");
      main.setAttribute("aria-busy", state === "loading" ? "true" : "false");
    },
    setTitle(title) {
      document.title = `${title} · tensornode dashboard`;
    },
    showStatus(status) {
      last = status;
      draw();
    },
    showStream(open) {
      streamOpen = open;
      draw();
    },
    fail(error, hint) {
      const message = error instanceof Error ? error.message : String(error);
      const title = error instanceof ApiReadError && error.code === "CHAIN_UNREACHABLE" ? "The chain cannot be read" : error instanceof ApiReadError && error.code === "NO_SUBNET" ? "No such subnet" : "This page cannot be shown";
      replaceChildren(main, notice("error", title, message), hint ?? h("p", {}, h("a", { href: "/" }, "All subnets")));
      document.body.dataset.state = "error";
      main.setAttribute("aria-busy", "false");
    },
  };
}

/** "3 s ago" from a time, refreshed by the caller. */
export function age(ms: number | null): string {
  return formatAge(ms, Date.now());
}
