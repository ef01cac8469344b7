/**
 * The dashboard's HTTP server: the built pages (dist/web/dashboard) under a strict
 * Content-Security-Policy, the JSON API (src/web/model/api.ts) and the server-sent events stream.
 * On a loopback address only loopback Host names are answered (no DNS rebinding from a web page);
 * only GET and HEAD exist; every API error is JSON with a code.
 */
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, resolve, sep } from "node:path";
import type { DaemonsPayload, HistoryPayload, StatusPayload, SubnetsPayload } from "../model/api.js";

/** Nothing but this origin's own files: no inline script or style, no other origin, no framing. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
};

/** An API answer other than 200: its status, code and one sentence. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ApiFailure";
    this.status = status;
    this.code = code;
  }
}

/** An answer already serialised (a 4096-uid metagraph is not made into JSON again for each page). */
export class JsonText {
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }
}

/** What the API answers from (src/web/server/dashboard.ts). */
export interface DashboardBackend {
  status(): StatusPayload;
  subnets(): Promise<SubnetsPayload>;
  /** SubnetPayload, as JSON. */
  subnet(netuid: number): Promise<JsonText>;
  history(netuid: number, uids: string | null, epochs: string | null): Promise<HistoryPayload>;
  daemons(): DaemonsPayload;
  /** Starts an event stream for `topics` (already checked) on `response`. */
  subscribe(response: ServerResponse, topics: ReadonlySet<string>): void;
  /** Whether another event stream may start. */
  canSubscribe(): boolean;
}

export interface DashboardServerOptions {
  readonly host: string;
  readonly port: number;
  /** The built dashboard page (index.html, main.js, main.css …). */
  readonly assetsDir: string;
}

export interface DashboardServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** Whether a listening address is loopback. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Whether a Host header names a loopback address (any port). */
export function isLoopbackHostHeader(value: string | undefined): boolean {
  if (!value) return false;
  const host = value.startsWith("[") ? value.slice(0, value.indexOf("]") + 1) : value.replace(/:\d+$/, "");
  return isLoopback(host);
}

/** The pages' paths: `/`, `/subnets/<netuid>`, `/daemons` (the page itself tells a bad netuid). */
export function isPagePath(path: string): boolean {
  return path === "/" || path === "/daemons" || /^\/subnets\/[^/]+\/?$/.test(path);
}

/** `topics=subnets,subnet:3,daemons` → the set (status always in), or an error sentence. */
export function parseTopics(text: string | null): Set<string> | string {
  const topics = new Set<string>(["status"]);
  for (const part of (text ?? "").split(",").map((t) => t.trim()).filter((t) => t !== "")) {
    const subnet = /^subnet:(\d{1,5})$/.exec(part);
    if (part === "subnets" || part === "daemons" || part === "status" || (subnet && Number(subnet[1]) <= 65535)) topics.add(part);
    else return `unknown topic "${part}" (subnets, daemons, subnet:<netuid>)`;
  }
  return topics;
}

/**
 * What a page loads first, for the browser to fetch from the response's headers on, before it has
 * parsed the page: its script and stylesheet, and on a subnet's page the subnet's state and its
 * history (when the URL chooses no uids: the page then asks for exactly these).
 */
export function preloadHeader(path: string, query: URLSearchParams): Record<string, string> {
  const links = ["</main.js>; rel=modulepreload", "</main.css>; rel=preload; as=style"];
  const netuid = /^\/subnets\/(\d{1,5})\/?$/.exec(path)?.[1];
  if (netuid !== undefined && Number(netuid) <= 65535) {
    links.push(`</api/subnets/${netuid}>; rel=preload; as=fetch; crossorigin`);
    if (!query.has("uids")) links.push(`</api/subnets/${netuid}/history>; rel=preload; as=fetch; crossorigin`);
  }
  return { link: links.join(", ") };
}

function parseNetuid(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new ApiFailure(400, "BAD_NETUID", `"${text}" is not a subnet number (an integer 0..65535)`);
  return Number(text);
}

function send(response: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer, head: boolean): void {
  response.writeHead(status, { ...SECURITY_HEADERS, ...headers, "content-length": String(Buffer.byteLength(body)) });
  response.end(head ? undefined : body);
}

function sendJson(response: ServerResponse, status: number, value: unknown, head: boolean): void {
  send(response, status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" }, value instanceof JsonText ? value.text : JSON.stringify(value), head);
}

function sendError(response: ServerResponse, status: number, code: string, message: string, head: boolean, extra: Record<string, string> = {}): void {
  const body = JSON.stringify({ error: { code, message } });
  send(response, status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...extra }, body, head);
}

/** A regular file of `root` named by `path` (no dotfiles, no way out of root); undefined otherwise. */
async function staticFile(root: string, path: string): Promise<{ file: string; size: number } | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  const segments = decoded.slice(1).split("/");
  if (decoded.includes("\0") || decoded.includes("\\") || segments.some((s) => s === "" || s === "." || s === ".." || s.startsWith("."))) return undefined;
  try {
    const realRoot = await realpath(root);
    const file = await realpath(resolve(realRoot, ...segments));
    if (!file.startsWith(realRoot + sep)) return undefined;
    const info = await stat(file);
    return info.isFile() ? { file, size: info.size } : undefined;
  } catch {
    return undefined;
  }
}

export async function startDashboardServer(options: DashboardServerOptions, backend: DashboardBackend): Promise<DashboardServer> {
  const loopbackOnly = isLoopback(options.host);
  const indexPath = resolve(options.assetsDir, "index.html");

  const handleApi = async (path: string, query: URLSearchParams, response: ServerResponse, head: boolean): Promise<void> => {
    if (path === "/api/status") return sendJson(response, 200, backend.status(), head);
    if (path === "/api/subnets") return sendJson(response, 200, await backend.subnets(), head);
    if (path === "/api/daemons") return sendJson(response, 200, backend.daemons(), head);
    if (path === "/api/events") {
      const topics = parseTopics(query.get("topics"));
      if (typeof topics === "string") throw new ApiFailure(400, "BAD_TOPIC", topics);
      if (!backend.canSubscribe()) throw new ApiFailure(503, "BUSY", "too many pages are open on this dashboard; close one and reload");
      if (head) return send(response, 200, { "content-type": "text/event-stream; charset=utf-8" }, "", true);
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
      return backend.subscribe(response, topics);
    }
    const subnet = /^\/api\/subnets\/([^/]+)(\/history)?$/.exec(path);
    if (subnet) {
      const netuid = parseNetuid(subnet[1]!);
      if (subnet[2]) return sendJson(response, 200, await backend.history(netuid, query.get("uids"), query.get("epochs")), head);
      return sendJson(response, 200, await backend.subnet(netuid), head);
    }
    throw new ApiFailure(404, "NOT_FOUND", `no API route ${path}`);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const method = request.method ?? "GET";
    const head = method === "HEAD";
    if (loopbackOnly && !isLoopbackHostHeader(request.headers.host)) return sendError(response, 403, "BAD_HOST", "this dashboard listens on loopback and answers loopback host names only (localhost, 127.0.0.1, [::1])", head);
    if (method !== "GET" && !head) return sendError(response, 405, "METHOD_NOT_ALLOWED", `${method} is not allowed here: the dashboard only reads`, head, { allow: "GET, HEAD" });
    const url = new URL(request.url ?? "/", "http://dashboard");
    const path = url.pathname;
    if (path === "/api" || path.startsWith("/api/")) {
      try {
        await handleApi(path, url.searchParams, response, head);
      } catch (error) {
        if (error instanceof ApiFailure) return sendError(response, error.status, error.code, error.message, head);
        throw error;
      }
      return;
    }
    const file = isPagePath(path) ? undefined : await staticFile(options.assetsDir, path);
    const served = file ?? { file: indexPath, size: (await stat(indexPath)).size };
    // An unknown path gets the page with 404: the page itself says there is no such page.
    const status = file || isPagePath(path) ? 200 : 404;
    response.writeHead(status, {
      ...SECURITY_HEADERS,
      ...(file ? {} : preloadHeader(path, url.searchParams)),
      "content-type": CONTENT_TYPES[extname(served.file).toLowerCase()] ?? "application/octet-stream",
      "content-length": String(served.size),
      "cache-control": "no-cache",
    });
    if (head) return void response.end();
    createReadStream(served.file)
      .on("error", () => response.destroy())
      .pipe(response);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: Error) => {
      if (response.headersSent) return void response.destroy();
      sendError(response, 500, "INTERNAL", `the dashboard failed to answer (${error.message})`, request.method === "HEAD");
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(options.port, options.host, () => {
      server.off("error", fail);
      done();
    });
  });
  const address = server.address() as AddressInfo;
  const hostText = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostText}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
