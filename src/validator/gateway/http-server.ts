/**
 * The gateway's HTTP layer: HTTP/1.1 with keep-alive in front of a GatewayBackend. It owns
 * transport, access (API keys, per-key rates, loopback and Host checks, CORS), limits (requests in
 * flight, header and body sizes and times) and the error answers; the backend owns what a request
 * means. Routes and their errors: docs/gateway.md.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { pipeline } from "node:stream/promises";
import { UserError } from "../../util/errors.js";
import { createLogger, type Logger } from "../../util/logger.js";
import { GatewayAccess } from "./access.js";
import { readApiKeysFile } from "./api-keys.js";
import { GatewayError, type GatewayBackend, type SynapseInfo } from "./contract.js";
import { CorsPolicy } from "./cors.js";
import { isLoopbackHost, isLoopbackHostHeader } from "./loopback.js";
import { GatewayMetrics, type GatewayRoute } from "./metrics.js";
import { gatewayOpenApi } from "./openapi.js";
import { ArrivingBytes, checkDeclaredLength, ClientGoneError, readBody } from "./read-body.js";
import { errorBody, JSON_CONTENT_TYPE, sendError, sendJson, send } from "./respond.js";
import { parseSince } from "./since.js";
import { findStaticFile } from "./static-files.js";

export interface GatewayLimits {
  /** Requests answered at once (all routes but /metrics); beyond, 503 BUSY. */
  readonly maxInFlight: number;
  /** Retry-After of a 503 BUSY, ms. */
  readonly busyRetryAfterMs: number;
  /** Time a client has to send a request's headers, ms (slowloris). */
  readonly headersTimeoutMs: number;
  /** Time a client has to send a request's body once its headers are in, ms. */
  readonly bodyTimeoutMs: number;
  /** How long an idle keep-alive connection is kept, ms. */
  readonly keepAliveTimeoutMs: number;
  /** The largest request head (request line and headers), bytes. */
  readonly maxHeaderBytes: number;
  /** Connections open at once; beyond, new ones are closed at once. */
  readonly maxConnections: number;
  /** How long close() lets requests in flight finish before it aborts them, ms. */
  readonly drainTimeoutMs: number;
  /** Bytes of request bodies still arriving, all connections together; beyond, 503 BUSY. */
  readonly maxArrivingBodyBytes: number;
}

export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = Object.freeze({
  maxInFlight: 256,
  busyRetryAfterMs: 1_000,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderBytes: 16_384,
  maxConnections: 1_024,
  // Within the daemon's stop budget (docs/operations: a stop takes under 5 s).
  drainTimeoutMs: 2_000,
  maxArrivingBodyBytes: 256 * 1024 * 1024,
});

export interface GatewayServerOptions {
  readonly backend: GatewayBackend;
  /** Listen address. Without `keysFile` it must be loopback (127.0.0.0/8, ::1, localhost). */
  readonly host: string;
  /** 0: a free port (see the handle's address). */
  readonly port: number;
  /** The API keys file (api-keys.ts): with it, the POST and the private routes need a key. */
  readonly keysFile?: string;
  /** Origins allowed CORS (exact, e.g. https://app.example.com); none: no CORS. */
  readonly corsOrigins?: readonly string[];
  /** The playground's files, served at / (index.html) and below; none: those paths are 404. */
  readonly staticDir?: string;
  readonly limits?: Partial<GatewayLimits>;
  /** Wall-clock time, ms (rates, the attribution window, latencies). */
  readonly now?: () => number;
  readonly logger?: Logger;
  /** Where requests are counted (pass one to render them on another port too). */
  readonly metrics?: GatewayMetrics;
}

export type KeysReload = { readonly ok: true; readonly keys: number } | { readonly ok: false; readonly error: Error };

export interface GatewayServer {
  /** http://address:port of the listening socket. */
  readonly url: string;
  readonly address: AddressInfo;
  /** Whether API keys are asked for. */
  readonly keyed: boolean;
  /** Whether the listen address is loopback (then Host headers must be loopback names). */
  readonly loopback: boolean;
  /** Re-reads the keys file; a bad file keeps the keys in use and says why (also logged). */
  reloadKeys(): Promise<KeysReload>;
  /** Stops accepting, lets requests in flight finish (within drainTimeoutMs), aborts the rest, closes every connection. */
  close(): Promise<void>;
}

export type GatewayStartErrorCode = "GATEWAY_NEEDS_KEYS" | "GATEWAY_LISTEN_FAILED" | "GATEWAY_BAD_LIMIT";

/** The gateway cannot start as configured. */
export class GatewayStartError extends UserError<GatewayStartErrorCode> {}

interface RouteMatch {
  readonly route: GatewayRoute;
  readonly methods: readonly string[];
  /** The synapse named in the path of a POST /v1/synapses/{name}. */
  readonly synapseName?: string;
}

const GET = ["GET", "HEAD"];
/**
 * The playground's files: only this origin's scripts (and WebAssembly, which the receipt check
 * needs), no framing by other sites (a meta tag cannot say frame-ancestors), no sniffing.
 */
const PAGE_HEADERS = {
  "content-security-policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
} as const;
const SYNAPSE_PATH = /^\/v1\/synapses\/([^/]+)$/;
/** How long close() waits for aborted requests to answer 503 before it drops their connections, ms. */
const ABORT_GRACE_MS = 250;
const NOT_FOUND = new GatewayError("NOT_FOUND", 404, "no such route; GET /v1/openapi.json describes this API");

/** Starts the gateway; resolves once it listens. Throws GatewayStartError, or ApiKeysError for a bad keys file. */
export async function startGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const limits = checkLimits({ ...DEFAULT_GATEWAY_LIMITS, ...options.limits });
  const now = options.now ?? Date.now;
  const log = options.logger ?? createLogger({ level: "silent", format: "json" });
  const metrics = options.metrics ?? new GatewayMetrics();
  const backend = options.backend;
  const cors = new CorsPolicy(options.corsOrigins ?? []);
  const loopback = isLoopbackHost(options.host);
  if (options.keysFile === undefined && !loopback) {
    throw new GatewayStartError(
      "GATEWAY_NEEDS_KEYS",
      `the gateway on ${options.host} needs API keys (--api-keys FILE): without them it listens only on a loopback address (127.0.0.1, ::1, localhost)`,
    );
  }
  const access = new GatewayAccess(options.keysFile === undefined ? undefined : await readApiKeysFile(options.keysFile), now);

  let inFlight = 0;
  // Bodies on their way hold no place in flight (above), so their bytes have a budget of their own.
  const arriving = new ArrivingBytes(limits.maxArrivingBodyBytes, limits.busyRetryAfterMs);
  let closing = false;
  const handlers = new Set<Promise<void>>();
  const controllers = new Set<AbortController>();

  const checkCapacity = (): void => {
    if (inFlight >= limits.maxInFlight) throw new GatewayError("BUSY", 503, "the gateway has too many requests in flight; try again shortly", limits.busyRetryAfterMs);
  };
  const enter = (): void => {
    checkCapacity();
    metrics.setInFlight(++inFlight);
  };
  const leave = (): void => metrics.setInFlight(--inFlight);

  const findSynapse = (name: string): SynapseInfo | undefined => backend.synapses().find((s) => s.name === name);

  const matchRoute = (path: string): RouteMatch | undefined => {
    switch (path) {
      case "/v1/synapses":
        return { route: "synapses", methods: GET };
      case "/v1/openapi.json":
        return { route: "openapi", methods: GET };
      case "/v1/miners":
        return { route: "miners", methods: GET };
      case "/v1/attribution":
        return { route: "attribution", methods: GET };
      case "/metrics":
        return { route: "metrics", methods: GET };
    }
    const synapse = SYNAPSE_PATH.exec(path);
    if (synapse) return { route: "synapse", methods: ["POST"], synapseName: safeDecode(synapse[1]!) ?? "" };
    if (options.staticDir !== undefined && !path.startsWith("/v1/")) return { route: "static", methods: GET };
    return undefined;
  };

  async function handle(request: IncomingMessage, response: ServerResponse, expectsContinue: boolean): Promise<void> {
    const started = now();
    const method = request.method ?? "GET";
    const origin = request.headers.origin;
    const headers: OutgoingHttpHeaders = { ...cors.responseHeaders(origin) };
    const controller = new AbortController();
    controllers.add(controller);
    response.once("close", () => {
      controllers.delete(controller);
      if (!response.writableFinished) controller.abort(new ClientGoneError("the client closed the connection before its answer"));
    });
    let route: GatewayRoute = "other";
    let synapse: string | undefined;
    let minerUid: number | undefined;
    let status = 200;
    let code: string | undefined;
    try {
      if (closing) throw new GatewayError("SHUTTING_DOWN", 503, "the gateway is stopping; try again shortly", limits.busyRetryAfterMs);
      if (loopback && !isLoopbackHostHeader(request.headers.host)) {
        throw new GatewayError("BAD_HOST", 403, "this gateway listens on loopback and answers only requests addressed to a loopback name (localhost, 127.0.0.1, [::1])");
      }
      const url = parseTarget(request.url);
      if (method === "OPTIONS" && cors.enabled) {
        route = "preflight";
        if (!cors.allows(origin)) throw new GatewayError("BAD_ORIGIN", 403, `the origin ${JSON.stringify(origin ?? "")} is not allowed to call this gateway from a browser`);
        status = 204;
        response.writeHead(204, cors.preflightHeaders(origin)).end();
        return;
      }
      const match = matchRoute(url.pathname);
      if (!match) throw NOT_FOUND;
      route = match.route;
      if (!match.methods.includes(method)) {
        const allow = [...match.methods, ...(cors.enabled ? ["OPTIONS"] : [])].join(", ");
        headers.allow = allow;
        throw new GatewayError("METHOD_NOT_ALLOWED", 405, `${url.pathname} does not take ${method.slice(0, 16)}; it takes ${allow}`);
      }
      const authorization = request.headers.authorization;
      switch (match.route) {
        case "metrics": {
          if (access.keyed) access.admit(authorization);
          send(response, 200, { ...headers, "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" }, metrics.text());
          return;
        }
        case "synapses":
          return await guarded(() => sendJson(response, 200, headers, { synapses: backend.synapses() }));
        case "openapi":
          return await guarded(() => sendJson(response, 200, headers, gatewayOpenApi(backend.synapses(), { keyed: access.keyed })));
        case "miners":
          access.admit(authorization);
          return await guarded(async () => sendJson(response, 200, headers, await backend.miners()));
        case "attribution": {
          access.admit(authorization);
          const sinceMs = parseSince(url.searchParams.get("since"), now());
          return await guarded(async () => sendJson(response, 200, headers, await backend.attribution(sinceMs)));
        }
        case "static":
          return await guarded(() => serveStatic(url.pathname, method, response, headers));
        case "synapse": {
          const info = findSynapse(match.synapseName!);
          if (!info) throw new GatewayError("NOT_FOUND", 404, `no synapse named ${JSON.stringify(match.synapseName!.slice(0, 64))}; GET /v1/synapses lists them`);
          synapse = info.name;
          const caller = access.admit(authorization, info.name);
          if (!isJson(request.headers["content-type"])) throw new GatewayError("UNSUPPORTED_MEDIA_TYPE", 415, "the request body must be JSON, sent with Content-Type: application/json");
          checkDeclaredLength(request, info.maxBodyBytes);
          // A body on its way holds no place among the requests in flight, or slow clients could take
          // them all: a full gateway refuses before asking for the body, and the place is taken once it is in.
          checkCapacity();
          if (expectsContinue) response.writeContinue();
          const body = await readBody(request, { maxBytes: info.maxBodyBytes, timeoutMs: limits.bodyTimeoutMs, arriving });
          return await guarded(async () => {
            const answer = await backend.call(info.name, body, caller, controller.signal);
            minerUid = answer.miner.uid;
            sendJson(response, 200, headers, answer);
          });
        }
      }
    } catch (error) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
      if (response.destroyed || error instanceof ClientGoneError || reason instanceof ClientGoneError) {
        // The client is gone: there is no one to answer (499, as nginx counts it).
        status = 499;
        response.destroy();
        return;
      }
      // A backend that rejects with its own abort error when the gateway stops: the stop is the reason.
      const refusal = reason instanceof GatewayError && !(error instanceof GatewayError) ? reason : asGatewayError(error, { route, synapse });
      status = refusal.status;
      code = refusal.code;
      // A body left unread would have to be read through before the connection could serve another
      // request: close it instead (and read nothing more).
      if (closing || (hasBody(request) && !request.complete)) headers.connection = "close";
      sendError(response, refusal, headers);
    } finally {
      const durationMs = Math.max(0, now() - started);
      metrics.record({ route, ...(synapse === undefined ? {} : { synapse }), status, ...(code === undefined ? {} : { code }), durationMs, ...(minerUid === undefined ? {} : { minerUid }) });
      log.debug({ route, synapse, method, status, code, ms: durationMs }, "Gateway request");
    }
  }

  /** Runs `work` as one of the requests in flight (503 BUSY when there are too many). */
  async function guarded(work: () => void | Promise<void>): Promise<void> {
    enter();
    try {
      await work();
    } finally {
      leave();
    }
  }

  async function serveStatic(path: string, method: string, response: ServerResponse, headers: OutgoingHttpHeaders): Promise<void> {
    const file = await findStaticFile(options.staticDir!, path);
    if (!file) throw NOT_FOUND;
    response.writeHead(200, { ...headers, ...PAGE_HEADERS, "content-type": file.contentType, "content-length": file.size, "cache-control": "no-cache" });
    if (method === "HEAD") {
      response.end();
      return;
    }
    await pipeline(file.open(), response);
  }

  function asGatewayError(error: unknown, context: { route: GatewayRoute; synapse: string | undefined }): GatewayError {
    if (error instanceof GatewayError) return error;
    log.error({ err: error, ...context }, "Gateway request failed");
    return new GatewayError("INTERNAL", 500, "the gateway failed to answer this request; its operator will find why in its log");
  }

  /** Malformed requests, header timeouts and oversized heads, answered in JSON like any other error. */
  function onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const inProgress = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (inProgress && !inProgress.writableFinished) {
      if (inProgress.req.complete) {
        // The bad bytes follow a whole request (pipelined) still being answered: its answer goes
        // first, or the client would read this one as its.
        inProgress.once("finish", () => setImmediate(() => onClientError(error, socket)));
        inProgress.once("close", () => inProgress.writableFinished || socket.destroy());
        return;
      }
      if (inProgress.headersSent) {
        socket.destroy();
        return;
      }
    }
    const refusal =
      error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? new GatewayError("REQUEST_TIMEOUT", 408, "the request did not arrive in time")
        : error.code === "HPE_HEADER_OVERFLOW"
          ? new GatewayError("TOO_LARGE", 431, `the request's headers are over ${limits.maxHeaderBytes} bytes`)
          : new GatewayError("BAD_REQUEST", 400, "the request is not well-formed HTTP/1.1");
    refuseOnSocket(socket, refusal);
  }

  /** Answers `refusal` on a socket Node's HTTP server has let go of, and closes it. */
  function refuseOnSocket(socket: Socket, refusal: GatewayError, headers: Readonly<Record<string, string>> = {}): void {
    metrics.record({ route: "other", status: refusal.status, code: refusal.code, durationMs: 0 });
    const body = errorBody(refusal);
    const lines = Object.entries({ ...headers, "content-type": JSON_CONTENT_TYPE, "content-length": String(Buffer.byteLength(body)), connection: "close" }).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.end(`HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ""}\r\n${lines.join("")}\r\n${body}`);
    socket.destroySoon();
  }

  const server: Server = createServer({
    headersTimeout: limits.headersTimeoutMs,
    // Node's own bound on receiving a whole request, behind readBody's (which answers in JSON).
    requestTimeout: limits.headersTimeoutMs + limits.bodyTimeoutMs + 1_000,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    maxHeaderSize: limits.maxHeaderBytes,
    // Node checks the two timeouts above only this often (30 s by default).
    connectionsCheckingInterval: Math.min(1_000, Math.max(25, Math.floor(limits.headersTimeoutMs / 4))),
    // A missing Host is refused by our own check (in JSON) on loopback, and is harmless elsewhere.
    requireHostHeader: false,
  });
  server.maxConnections = limits.maxConnections;
  const track = (request: IncomingMessage, response: ServerResponse, expectsContinue: boolean): void => {
    const handling = handle(request, response, expectsContinue).catch((error: unknown) => {
      // handle() answers every error itself; this is a bug in it, logged and the connection dropped.
      log.error({ err: error }, "Gateway request handler failed");
      response.destroy();
    });
    handlers.add(handling);
    void handling.finally(() => handlers.delete(handling));
  };
  server.on("request", (request: IncomingMessage, response: ServerResponse) => track(request, response, false));
  server.on("checkContinue", (request: IncomingMessage, response: ServerResponse) => track(request, response, true));
  // Any other Expect is ignored, as RFC 9110 allows; left to Node it would be a 417 without a JSON body.
  server.on("checkExpectation", (request: IncomingMessage, response: ServerResponse) => track(request, response, false));
  // Left to Node, a CONNECT would be dropped without an answer.
  server.on("connect", (_request: IncomingMessage, socket: Socket) =>
    refuseOnSocket(socket, new GatewayError("METHOD_NOT_ALLOWED", 405, "this gateway does not take CONNECT; it is not a proxy"), { allow: ["GET", "HEAD", "POST", ...(cors.enabled ? ["OPTIONS"] : [])].join(", ") }),
  );
  server.on("clientError", onClientError);

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void =>
      reject(new GatewayStartError("GATEWAY_LISTEN_FAILED", `the gateway cannot listen on ${options.host}:${options.port} (${error.code ?? error.message})`));
    server.once("error", onError);
    server.listen(options.port, options.host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  server.on("error", (error) => log.error({ err: error }, "Gateway server error"));
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  log.info({ url, keyed: access.keyed, loopback, cors: options.corsOrigins ?? [] }, access.keyed ? "Gateway listening; API keys required" : "Gateway listening on loopback only, without API keys");

  let closed: Promise<void> | undefined;
  return {
    url,
    address,
    get keyed() {
      return access.keyed;
    },
    loopback,
    async reloadKeys(): Promise<KeysReload> {
      if (options.keysFile === undefined) {
        return { ok: false, error: new UserError("GATEWAY_NO_KEYS_FILE", "the gateway runs without an API keys file: there is nothing to reload") };
      }
      try {
        const entries = await readApiKeysFile(options.keysFile);
        access.replaceKeys(entries);
        log.info({ file: options.keysFile, keys: entries.length }, "API keys reloaded");
        return { ok: true, keys: entries.length };
      } catch (error) {
        log.warn({ file: options.keysFile, error: (error as Error).message }, "API keys not reloaded; the keys in use stay");
        return { ok: false, error: error as Error };
      }
    },
    close(): Promise<void> {
      closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await settledWithin(handlers, limits.drainTimeoutMs);
        if (handlers.size > 0) {
          for (const controller of controllers) controller.abort(new GatewayError("SHUTTING_DOWN", 503, "the gateway is stopping; try again shortly", limits.busyRetryAfterMs));
          // A backend that heeds its signal rejects at once: its callers get their 503 before the connections go.
          await settledWithin(handlers, Math.min(ABORT_GRACE_MS, limits.drainTimeoutMs));
        }
        server.closeAllConnections();
        await stopped;
      })();
      return closed;
    },
  };
}

function parseTarget(target: string | undefined): URL {
  try {
    return new URL(target ?? "/", "http://gateway");
  } catch {
    throw new GatewayError("BAD_REQUEST", 400, "the request's target is not a valid path");
  }
}

/** Waits until every one of `handlers` has settled, or `ms` has passed. */
async function settledWithin(handlers: ReadonlySet<Promise<void>>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([Promise.allSettled([...handlers]), deadline]);
  clearTimeout(timer);
}

function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.split(";")[0]!.trim().toLowerCase() === "application/json";
}

function hasBody(request: IncomingMessage): boolean {
  const length = request.headers["content-length"];
  return request.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function checkLimits(limits: GatewayLimits): GatewayLimits {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new GatewayStartError("GATEWAY_BAD_LIMIT", `the gateway's ${name} must be an integer ≥ 1, got ${String(value)}`);
  }
  return limits;
}
