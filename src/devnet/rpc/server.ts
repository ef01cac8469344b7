/**
 * The devnet's JSON-RPC 2.0 transport, shaped after Substrate's jsonrpsee server so that
 * @polkadot/api's WsProvider and HttpProvider work against it unchanged: one port serves HTTP POST
 * and WebSocket, with batches, subscriptions, `rpc_methods`, `GET /health` and jsonrpsee's limits
 * and error codes. It knows nothing about blockchains: it serves the method table it is given.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import {
  isRpcError,
  RPC_INTERNAL_ERROR,
  RPC_INVALID_PARAMS,
  RPC_INVALID_REQUEST,
  RPC_METHOD_NOT_FOUND,
  RPC_OVERSIZED_REQUEST,
  RPC_OVERSIZED_RESPONSE,
  RPC_PARSE_ERROR,
  RPC_SERVER_ERROR,
  type RpcErrorObject,
} from "./errors.js";

export interface RpcCallContext {
  readonly transport: "ws" | "http";
  readonly connectionId: number;
  /**
   * Runs `task` once the answer to this request has been written (the new JSON-RPC spec's
   * operations report on their follow subscription only after the client has their id).
   */
  afterReply(task: () => void): void;
  /** Runs `listener` when this request's connection closes (a WebSocket, or an HTTP keep-alive socket). */
  onConnectionClose(listener: () => void): void;
}

/** What a subscription's `start` is told besides its params: its id, as the client will see it. */
export interface RpcSubscriptionContext extends RpcCallContext {
  readonly subscriptionId: string;
}

/** Answers one method call; may return a Promise. Throw an RpcError to answer with its code. */
export type RpcHandler = (params: readonly unknown[], ctx: RpcCallContext) => unknown;

export interface RpcSubscription {
  readonly subscribe: string;
  readonly unsubscribe: string;
  readonly notification: string;
  /**
   * What the unsubscribe method answers: the legacy API's `true`/`false` (default), or the new
   * spec's `null`, where an unknown id is either ignored (chainHead_v1_unfollow) or an error
   * (transactionWatch_v1_unwatch).
   */
  readonly unsubscribeAnswer?: "boolean" | "null" | "null-or-error";
  /**
   * Starts the feed. `emit` sends one notification; `close` ends the subscription from the server side
   * (sends nothing more; for author_submitAndWatchExtrinsic after "finalized"/"invalid"/"dropped").
   * Returns the cleanup to run on unsubscribe/disconnect. May throw RpcError (sent as the error
   * response, no subscription created).
   */
  start(
    params: readonly unknown[],
    emit: (result: unknown) => void,
    close: () => void,
    ctx: RpcSubscriptionContext,
  ): (() => void) | Promise<() => void>;
}

export interface RpcLog {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RpcServerOptions {
  readonly host: string;
  /** 0 picks an ephemeral port. */
  readonly port: number;
  /** Default 15 MiB, Substrate's --rpc-max-request-size. */
  readonly maxRequestBytes?: number;
  /** Default 15 MiB, Substrate's --rpc-max-response-size. */
  readonly maxResponseBytes?: number;
  /** Open WebSocket connections; default 100. */
  readonly maxConnections?: number;
  readonly maxSubscriptionsPerConnection?: number;
  readonly maxBatchLength?: number;
  /** A WebSocket client with more than this many bytes unsent (it does not read) is disconnected. Default 64 MiB. */
  readonly maxBufferedBytes?: number;
  /** A pino logger fits. */
  readonly log?: RpcLog;
}

export interface RpcServerAddress {
  readonly port: number;
  readonly httpUrl: string;
  readonly wsUrl: string;
}

const MIB = 1024 * 1024;
const DEFAULT_LIMITS = {
  maxRequestBytes: 15 * MIB,
  maxResponseBytes: 15 * MIB,
  maxConnections: 100,
  maxSubscriptionsPerConnection: 1024,
  maxBatchLength: 1000,
  maxBufferedBytes: 64 * MIB,
};
type Limits = typeof DEFAULT_LIMITS;

const RPC_METHODS = "rpc_methods";
const HEALTH_BODY = JSON.stringify({ isSyncing: false, peers: 0, shouldHavePeers: false });
const SILENT_LOG: RpcLog = { warn() {}, debug() {}, error() {} };

type JsonRpcId = string | number | null;

type ParsedRequest =
  | { readonly valid: false; readonly id: JsonRpcId }
  | { readonly valid: true; readonly id: JsonRpcId; readonly isNotification: boolean; readonly method: string; readonly params: unknown };

/** One answered request: its serialized response, the subscription it opened, if any, and what runs once it is written. */
interface Outcome {
  readonly payload: string;
  readonly subscription?: Subscription;
  readonly afterReply?: readonly (() => void)[];
}

/** What goes back for one message (a single request or a batch). */
interface Reply {
  readonly payload: string;
  /** Opened by this message; their notifications may flow only once the reply has been written. */
  readonly subscriptions: readonly Subscription[];
  /** Tasks the handlers asked to run once the reply has been written. */
  readonly afterReply: readonly (() => void)[];
}

/** Per-connection context: each request gets its own copy with its own after-reply queue. */
type ConnectionContext = Omit<RpcCallContext, "afterReply">;

/** Listeners of one connection's end; run once. */
class CloseListeners {
  readonly #listeners = new Set<() => void>();
  #closed = false;

  add(listener: () => void): void {
    if (this.#closed) listener();
    else this.#listeners.add(listener);
  }

  run(log: RpcLog): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch (error) {
        log.error({ err: error }, "a connection-close listener failed");
      }
    }
    this.#listeners.clear();
  }
}

type CallResult = { readonly result: unknown } | { readonly error: RpcErrorObject } | { readonly subscription: Subscription };

// ---------------------------------------------------------------------------------------------
// JSON-RPC envelopes

function errorObject(code: number, message: string, data?: unknown): RpcErrorObject {
  return data === undefined ? { code, message } : { code, message, data };
}

const PARSE_ERROR = errorObject(RPC_PARSE_ERROR, "Parse error");
const INVALID_REQUEST = errorObject(RPC_INVALID_REQUEST, "Invalid request");
const METHOD_NOT_FOUND = errorObject(RPC_METHOD_NOT_FOUND, "Method not found");
const INVALID_PARAMS = errorObject(RPC_INVALID_PARAMS, "Invalid params");
const INTERNAL_ERROR = errorObject(RPC_INTERNAL_ERROR, "Internal error");
const NEEDS_WEBSOCKET = errorObject(RPC_METHOD_NOT_FOUND, "Method not found", "subscriptions need a WebSocket connection");
const TOO_MANY_SUBSCRIPTIONS = errorObject(RPC_SERVER_ERROR, "Too many subscriptions on the connection");

function oversizedRequest(limit: number): RpcErrorObject {
  return errorObject(RPC_OVERSIZED_REQUEST, "Request is too big", `Exceeded max limit of ${limit}`);
}

function oversizedResponse(limit: number): RpcErrorObject {
  return errorObject(RPC_OVERSIZED_RESPONSE, "Response is too big", `Exceeded max limit of ${limit}`);
}

function serializeError(id: JsonRpcId, error: RpcErrorObject): string {
  try {
    return JSON.stringify({ jsonrpc: "2.0", error, id });
  } catch {
    // `data` that cannot be serialized (a BigInt, a cycle) must not cost the client its answer.
    return JSON.stringify({ jsonrpc: "2.0", error: errorObject(error.code, error.message), id });
  }
}

function isJsonRpcId(value: unknown): value is JsonRpcId {
  return value === null || typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseRequest(value: unknown): ParsedRequest {
  if (!isPlainObject(value)) return { valid: false, id: null };
  const hasId = Object.hasOwn(value, "id");
  if (hasId && !isJsonRpcId(value.id)) return { valid: false, id: null };
  const id = hasId ? (value.id as JsonRpcId) : null;
  if (value.jsonrpc !== "2.0" || typeof value.method !== "string") return { valid: false, id };
  return { valid: true, id, isNotification: !hasId, method: value.method, params: value.params };
}

/** polkadot.js always sends positional params; named (object) params are not supported. */
function positionalParams(params: unknown): readonly unknown[] | undefined {
  if (params === undefined || params === null) return [];
  return Array.isArray(params) ? params : undefined;
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function rawDataToBuffer(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

function isJsonContentType(header: string | undefined): boolean {
  const mime = (header ?? "").split(";")[0]!.trim().toLowerCase();
  return mime === "application/json" || mime === "application/json-rpc" || mime === "application/jsonrequest" || mime.endsWith("+json");
}

function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

// ---------------------------------------------------------------------------------------------
// Subscriptions of one WebSocket connection

interface Subscription {
  readonly id: string;
  readonly kind: RpcSubscription;
  /** starting: `start` has not returned or the id response is not written yet; notifications wait in `pending`. */
  state: "starting" | "active" | "ended";
  readonly pending: string[];
  /** `close()` was called while starting: end it right after the id response is written. */
  closeRequested: boolean;
  cleanup?: () => void;
}

class WsConnection {
  readonly subscriptions = new Map<string, Subscription>();
  readonly ctx: ConnectionContext;
  readonly #closeListeners = new CloseListeners();
  private closed = false;

  constructor(
    readonly socket: WebSocket,
    connectionId: number,
    private readonly limits: Limits,
    private readonly log: RpcLog,
  ) {
    this.ctx = Object.freeze({ transport: "ws", connectionId, onConnectionClose: (listener: () => void) => this.#closeListeners.add(listener) });
  }

  /** Writes one message; false when it could not be written (connection gone). */
  send(payload: string): boolean {
    if (this.closed || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(payload);
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.log.warn(
        { connectionId: this.ctx.connectionId, bufferedAmount: this.socket.bufferedAmount, limit: this.limits.maxBufferedBytes },
        "disconnecting a WebSocket client that does not read its messages",
      );
      this.socket.terminate();
      return false;
    }
    return true;
  }

  hasRoomForSubscription(): boolean {
    return this.subscriptions.size < this.limits.maxSubscriptionsPerConnection;
  }

  openSubscription(kind: RpcSubscription): Subscription {
    let id = randomBytes(8).toString("hex");
    while (this.subscriptions.has(id)) id = randomBytes(8).toString("hex");
    const subscription: Subscription = { id, kind, state: "starting", pending: [], closeRequested: false };
    this.subscriptions.set(id, subscription);
    return subscription;
  }

  emit(subscription: Subscription, result: unknown): void {
    if (subscription.state === "ended") return;
    const payload = this.notificationPayload(subscription, result);
    if (payload === undefined) return;
    if (subscription.state === "starting") subscription.pending.push(payload);
    else this.send(payload);
  }

  /** The server side ends the subscription (`close` given to `start`). */
  closeFromServer(subscription: Subscription): void {
    if (subscription.state === "starting") subscription.closeRequested = true;
    else this.end(subscription);
  }

  /** `start` returned its cleanup; if the subscription ended meanwhile, clean up at once. */
  attachCleanup(subscription: Subscription, cleanup: () => void): void {
    subscription.cleanup = cleanup;
    if (subscription.state === "ended") this.runCleanup(subscription);
  }

  /** `start` failed: forget the subscription; there is no cleanup to run. */
  discard(subscription: Subscription): void {
    subscription.state = "ended";
    this.subscriptions.delete(subscription.id);
  }

  /** The id response has been written: let the notifications that waited for it go out. */
  activate(subscription: Subscription): void {
    if (subscription.state !== "starting") return;
    subscription.state = "active";
    for (const payload of subscription.pending.splice(0)) this.send(payload);
    if (subscription.closeRequested) this.end(subscription);
  }

  end(subscription: Subscription): void {
    if (subscription.state === "ended") return;
    subscription.state = "ended";
    subscription.pending.length = 0;
    this.subscriptions.delete(subscription.id);
    this.runCleanup(subscription);
  }

  /** Client-side unsubscribe: only ends a subscription of the same kind. */
  unsubscribe(kind: RpcSubscription, id: string): boolean {
    const subscription = this.subscriptions.get(id);
    if (subscription === undefined || subscription.kind !== kind) return false;
    this.end(subscription);
    return true;
  }

  /** Idempotent: marks the connection closed and ends every subscription. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const subscription of [...this.subscriptions.values()]) this.end(subscription);
    this.#closeListeners.run(this.log);
  }

  private runCleanup(subscription: Subscription): void {
    const cleanup = subscription.cleanup;
    if (cleanup === undefined) return;
    subscription.cleanup = undefined;
    try {
      cleanup();
    } catch (error) {
      this.log.error({ err: error, subscription: subscription.kind.subscribe }, "subscription cleanup failed");
    }
  }

  private notificationPayload(subscription: Subscription, result: unknown): string | undefined {
    const method = subscription.kind.notification;
    let payload: string;
    try {
      payload = JSON.stringify({ jsonrpc: "2.0", method, params: { subscription: subscription.id, result: result ?? null } });
    } catch (error) {
      this.log.error({ err: error, method }, "dropping a notification that cannot be serialized");
      return undefined;
    }
    if (Buffer.byteLength(payload) > this.limits.maxResponseBytes) {
      this.log.warn({ method, limit: this.limits.maxResponseBytes }, "dropping a notification over the response size limit");
      return undefined;
    }
    return payload;
  }
}

// ---------------------------------------------------------------------------------------------
// The server

export class RpcServer {
  private readonly limits: Limits;
  private readonly log: RpcLog;
  private readonly subscribeMethods = new Map<string, RpcSubscription>();
  private readonly unsubscribeMethods = new Map<string, RpcSubscription>();
  private readonly methodNames: readonly string[];
  private readonly httpServer: Server;
  private readonly wsServer: WebSocketServer;
  private readonly connections = new Set<WsConnection>();
  private readonly httpConnections = new WeakMap<Socket, ConnectionContext>();
  private lastConnectionId = 0;
  private starting?: Promise<RpcServerAddress>;
  private stopping?: Promise<void>;

  constructor(
    private readonly options: RpcServerOptions,
    private readonly methods: ReadonlyMap<string, RpcHandler>,
    subscriptions: readonly RpcSubscription[],
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...definedLimits(options) };
    this.log = options.log ?? SILENT_LOG;
    for (const subscription of subscriptions) {
      this.subscribeMethods.set(subscription.subscribe, subscription);
      this.unsubscribeMethods.set(subscription.unsubscribe, subscription);
    }
    this.methodNames = this.collectMethodNames(subscriptions);
    this.httpServer = createServer((request, response) => void this.onHttpRequest(request, response));
    this.httpServer.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(request, socket, head));
    this.wsServer = new WebSocketServer({ noServer: true, clientTracking: false, maxPayload: hardPayloadCap(this.limits.maxRequestBytes) });
  }

  /** Open WebSocket connections. */
  get connectionCount(): number {
    return this.connections.size;
  }

  start(): Promise<RpcServerAddress> {
    if (this.stopping) return Promise.reject(new Error("the RPC server was stopped; create a new one"));
    this.starting ??= this.listen();
    return this.starting;
  }

  /** Closes every connection and runs every subscription cleanup; idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private collectMethodNames(subscriptions: readonly RpcSubscription[]): readonly string[] {
    const names = [RPC_METHODS, ...this.methods.keys(), ...subscriptions.flatMap((s) => [s.subscribe, s.unsubscribe])];
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) throw new Error(`RPC method ${name} is registered twice`);
      seen.add(name);
    }
    return [...seen].sort();
  }

  private listen(): Promise<RpcServerAddress> {
    return new Promise((resolve, reject) => {
      this.httpServer.once("error", reject);
      this.httpServer.listen(this.options.port, this.options.host, () => {
        this.httpServer.off("error", reject);
        this.httpServer.on("error", (error) => this.log.error({ err: error }, "RPC server error"));
        const address = this.httpServer.address();
        const port = typeof address === "object" && address !== null ? address.port : this.options.port;
        const host = formatHost(this.options.host);
        resolve({ port, httpUrl: `http://${host}:${port}`, wsUrl: `ws://${host}:${port}` });
      });
    });
  }

  private async shutdown(): Promise<void> {
    await this.starting?.catch(() => undefined);
    for (const connection of [...this.connections]) {
      connection.socket.terminate();
      this.dropConnection(connection);
    }
    this.wsServer.close();
    if (!this.httpServer.listening) return;
    await new Promise<void>((resolve) => {
      this.httpServer.close(() => resolve());
      this.httpServer.closeAllConnections();
    });
  }

  private nextConnectionId(): number {
    this.lastConnectionId += 1;
    return this.lastConnectionId;
  }

  // --- HTTP ----------------------------------------------------------------------------------

  private async onHttpRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      await this.routeHttpRequest(request, response);
    } catch (error) {
      this.log.error({ err: error }, "HTTP request failed");
      writeJson(response, 500, serializeError(null, INTERNAL_ERROR));
    }
  }

  private async routeHttpRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? "/").split("?")[0];
    if (path === "/health") {
      if (request.method === "GET") writeJson(response, 200, HEALTH_BODY);
      else writeMethodNotAllowed(request, response, "GET");
      return;
    }
    if (path !== "/") {
      discardBody(request);
      writeJson(response, 404, serializeError(null, errorObject(RPC_INVALID_REQUEST, "Not found", `no such path: ${path}`)));
      return;
    }
    if (request.method !== "POST") {
      writeMethodNotAllowed(request, response, "POST");
      return;
    }
    if (!isJsonContentType(request.headers["content-type"])) {
      discardBody(request);
      const error = errorObject(RPC_INVALID_REQUEST, "Unsupported content type", "Content-Type: application/json is required");
      writeJson(response, 415, serializeError(null, error));
      return;
    }
    await this.serveHttpRpc(request, response);
  }

  private async serveHttpRpc(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request, this.limits.maxRequestBytes);
    if (body === "too-big") {
      // Stop reading: the connection is closed once the answer is out.
      response.setHeader("connection", "close");
      writeJson(response, 413, serializeError(null, oversizedRequest(this.limits.maxRequestBytes)));
      return;
    }
    if (body === "aborted") return;
    const reply = await this.processMessage(body, undefined, this.httpConnection(request.socket));
    writeJson(response, 200, reply?.payload ?? "");
    if (reply) this.runAfterReply(reply.afterReply);
  }

  private httpConnection(socket: Socket): ConnectionContext {
    let ctx = this.httpConnections.get(socket);
    if (ctx === undefined) {
      const listeners = new CloseListeners();
      socket.once("close", () => listeners.run(this.log));
      ctx = Object.freeze({ transport: "http", connectionId: this.nextConnectionId(), onConnectionClose: (listener: () => void) => listeners.add(listener) });
      this.httpConnections.set(socket, ctx);
    }
    return ctx;
  }

  // --- WebSocket -----------------------------------------------------------------------------

  private onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    if (this.connections.size >= this.limits.maxConnections) {
      this.log.warn({ limit: this.limits.maxConnections }, "refusing a WebSocket connection: too many connections");
      refuseUpgrade(socket, 429, "Too Many Requests", `Too many connections; the limit is ${this.limits.maxConnections}`);
      return;
    }
    this.wsServer.handleUpgrade(request, socket, head, (socket) => this.acceptWebSocket(socket));
  }

  private acceptWebSocket(socket: WebSocket): void {
    if (this.stopping) {
      socket.terminate();
      return;
    }
    const connection = new WsConnection(socket, this.nextConnectionId(), this.limits, this.log);
    this.connections.add(connection);
    socket.on("message", (data: RawData) => void this.onWsMessage(connection, data));
    socket.on("close", () => this.dropConnection(connection));
    socket.on("error", (error) => this.log.debug({ err: error, connectionId: connection.ctx.connectionId }, "WebSocket error"));
  }

  private dropConnection(connection: WsConnection): void {
    connection.close();
    this.connections.delete(connection);
  }

  private async onWsMessage(connection: WsConnection, data: RawData): Promise<void> {
    const bytes = rawDataToBuffer(data);
    if (bytes.length > this.limits.maxRequestBytes) {
      connection.send(serializeError(null, oversizedRequest(this.limits.maxRequestBytes)));
      return;
    }
    try {
      const reply = await this.processMessage(bytes, connection, connection.ctx);
      if (reply === undefined) return;
      const delivered = connection.send(reply.payload);
      for (const subscription of reply.subscriptions) {
        if (delivered) connection.activate(subscription);
        else connection.end(subscription);
      }
      if (delivered) this.runAfterReply(reply.afterReply);
    } catch (error) {
      this.log.error({ err: error, connectionId: connection.ctx.connectionId }, "WebSocket message failed");
    }
  }

  // --- JSON-RPC ------------------------------------------------------------------------------

  private runAfterReply(tasks: readonly (() => void)[]): void {
    for (const task of tasks) {
      try {
        task();
      } catch (error) {
        this.log.error({ err: error }, "a task run after an RPC reply failed");
      }
    }
  }

  /** One HTTP body or WebSocket message: a single request or a batch. Undefined: nothing to answer. */
  private async processMessage(bytes: Uint8Array, connection: WsConnection | undefined, ctx: ConnectionContext): Promise<Reply | undefined> {
    const text = decodeUtf8(bytes);
    let value: unknown;
    try {
      if (text === undefined) throw new Error("not UTF-8");
      value = JSON.parse(text);
    } catch {
      return { payload: serializeError(null, PARSE_ERROR), subscriptions: [], afterReply: [] };
    }
    if (Array.isArray(value)) return this.processBatch(value, connection, ctx);
    const outcome = await this.processRequest(value, connection, ctx);
    if (outcome === undefined) return undefined;
    return { payload: outcome.payload, subscriptions: outcome.subscription ? [outcome.subscription] : [], afterReply: outcome.afterReply ?? [] };
  }

  private async processBatch(batch: readonly unknown[], connection: WsConnection | undefined, ctx: ConnectionContext): Promise<Reply | undefined> {
    if (batch.length === 0) return { payload: serializeError(null, INVALID_REQUEST), subscriptions: [], afterReply: [] };
    const limit = this.limits.maxBatchLength;
    if (batch.length > limit) {
      const error = errorObject(RPC_INVALID_REQUEST, `Batch of ${batch.length} requests is over the limit of ${limit}`, `Exceeded max limit of ${limit}`);
      return { payload: serializeError(null, error), subscriptions: [], afterReply: [] };
    }
    const outcomes = await Promise.all(batch.map((value) => this.processRequest(value, connection, ctx)));
    const answered = outcomes.filter((outcome): outcome is Outcome => outcome !== undefined);
    if (answered.length === 0) return undefined;
    const payload = `[${answered.map((outcome) => outcome.payload).join(",")}]`;
    const subscriptions = answered.flatMap((outcome) => (outcome.subscription ? [outcome.subscription] : []));
    const afterReply = answered.flatMap((outcome) => outcome.afterReply ?? []);
    if (Buffer.byteLength(payload) > this.limits.maxResponseBytes) {
      // The client never learns these ids, so nobody could unsubscribe them.
      for (const subscription of subscriptions) connection?.end(subscription);
      return { payload: serializeError(null, oversizedResponse(this.limits.maxResponseBytes)), subscriptions: [], afterReply: [] };
    }
    return { payload, subscriptions, afterReply };
  }

  private async processRequest(value: unknown, connection: WsConnection | undefined, connectionCtx: ConnectionContext): Promise<Outcome | undefined> {
    const request = parseRequest(value);
    if (!request.valid) return { payload: serializeError(request.id, INVALID_REQUEST) };
    const params = positionalParams(request.params);
    const afterReply: (() => void)[] = [];
    const ctx: RpcCallContext = { ...connectionCtx, afterReply: (task) => void afterReply.push(task) };
    if (request.isNotification) {
      if (params !== undefined) void this.runNotification(request.method, params, ctx).then(() => this.runAfterReply(afterReply));
      return undefined;
    }
    if (params === undefined) return { payload: serializeError(request.id, INVALID_PARAMS) };
    const outcome = await this.call(request.method, params, connection, ctx);
    if ("error" in outcome) return { payload: this.finishPayload(request.id, serializeError(request.id, outcome.error)) };
    if ("subscription" in outcome) {
      const payload = JSON.stringify({ jsonrpc: "2.0", result: outcome.subscription.id, id: request.id });
      return { payload, subscription: outcome.subscription, afterReply };
    }
    return { payload: this.serializeResult(request.id, request.method, outcome.result), afterReply };
  }

  /** A request without id: run it, answer nothing. Subscribing that way is pointless and ignored. */
  private async runNotification(method: string, params: readonly unknown[], ctx: RpcCallContext): Promise<void> {
    const handler = this.methods.get(method);
    if (handler === undefined) {
      this.log.debug({ method }, "ignoring a notification for a method that is not a plain call");
      return;
    }
    try {
      await handler(params, ctx);
    } catch (error) {
      if (!isRpcError(error)) this.log.error({ err: error, method }, "RPC notification handler failed");
    }
  }

  private async call(method: string, params: readonly unknown[], connection: WsConnection | undefined, ctx: RpcCallContext): Promise<CallResult> {
    if (method === RPC_METHODS) return { result: { methods: this.methodNames } };
    const handler = this.methods.get(method);
    if (handler !== undefined) return this.callHandler(handler, method, params, ctx);
    const subscribe = this.subscribeMethods.get(method);
    if (subscribe !== undefined) return connection ? this.subscribe(subscribe, params, connection, ctx) : { error: NEEDS_WEBSOCKET };
    const unsubscribe = this.unsubscribeMethods.get(method);
    if (unsubscribe !== undefined) return connection ? unsubscribeCall(unsubscribe, params, connection) : { error: NEEDS_WEBSOCKET };
    return { error: METHOD_NOT_FOUND };
  }

  private async callHandler(handler: RpcHandler, method: string, params: readonly unknown[], ctx: RpcCallContext): Promise<CallResult> {
    try {
      return { result: await handler(params, ctx) };
    } catch (error) {
      return { error: this.toErrorObject(error, method) };
    }
  }

  private async subscribe(kind: RpcSubscription, params: readonly unknown[], connection: WsConnection, ctx: RpcCallContext): Promise<CallResult> {
    if (!connection.hasRoomForSubscription()) return { error: TOO_MANY_SUBSCRIPTIONS };
    const subscription = connection.openSubscription(kind);
    try {
      const cleanup = await kind.start(
        params,
        (result) => connection.emit(subscription, result),
        () => connection.closeFromServer(subscription),
        { ...ctx, subscriptionId: subscription.id },
      );
      connection.attachCleanup(subscription, typeof cleanup === "function" ? cleanup : () => undefined);
    } catch (error) {
      connection.discard(subscription);
      return { error: this.toErrorObject(error, kind.subscribe) };
    }
    return { subscription };
  }

  private toErrorObject(error: unknown, method: string): RpcErrorObject {
    if (isRpcError(error)) return error.toObject();
    this.log.error({ err: error, method }, "RPC handler failed");
    return INTERNAL_ERROR;
  }

  private serializeResult(id: JsonRpcId, method: string, result: unknown): string {
    let payload: string;
    try {
      // JSON.stringify drops an undefined member, which would leave a response without a result.
      payload = JSON.stringify({ jsonrpc: "2.0", result: result ?? null, id });
    } catch (error) {
      this.log.error({ err: error, method }, "RPC result cannot be serialized");
      return serializeError(id, INTERNAL_ERROR);
    }
    return this.finishPayload(id, payload);
  }

  private finishPayload(id: JsonRpcId, payload: string): string {
    if (Buffer.byteLength(payload) <= this.limits.maxResponseBytes) return payload;
    return serializeError(id, oversizedResponse(this.limits.maxResponseBytes));
  }
}

const UNKNOWN_SUBSCRIPTION = errorObject(RPC_INVALID_PARAMS, "Invalid params", "no such subscription on this connection");

function unsubscribeCall(kind: RpcSubscription, params: readonly unknown[], connection: WsConnection): CallResult {
  const id = params[0];
  if (typeof id !== "string" && typeof id !== "number") return { error: INVALID_PARAMS };
  const ended = connection.unsubscribe(kind, String(id));
  switch (kind.unsubscribeAnswer ?? "boolean") {
    case "boolean":
      return { result: ended };
    case "null":
      return { result: null };
    case "null-or-error":
      return ended ? { result: null } : { error: UNKNOWN_SUBSCRIPTION };
  }
}

function definedLimits(options: RpcServerOptions): Partial<Limits> {
  const limits: Partial<Record<keyof Limits, number>> = {};
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value <= 0) throw new Error(`RPC server option ${key} must be a positive integer, got ${value}`);
    limits[key] = value;
  }
  return limits;
}

/**
 * ws rejects frames above this by closing with 1009. Below it, we read the message and answer
 * "Request is too big" ourselves, so a client that is a little over the limit keeps its connection.
 */
function hardPayloadCap(maxRequestBytes: number): number {
  return Math.max(4 * maxRequestBytes, maxRequestBytes + MIB);
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

/** The body, with a running byte count: reading stops as soon as it is over the limit. */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | "too-big" | "aborted"> {
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve("too-big");
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = (result: Buffer | "too-big" | "aborted"): void => {
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("error", onAbort);
      request.off("close", onAbort);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > limit) finish("too-big");
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish(Buffer.concat(chunks, total));
    const onAbort = (): void => finish("aborted");
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("error", onAbort);
    request.on("close", onAbort);
  });
}

/** Lets the rest of an unwanted body drain so that the connection can be reused. */
function discardBody(request: IncomingMessage): void {
  request.resume();
}

function writeMethodNotAllowed(request: IncomingMessage, response: ServerResponse, allowed: string): void {
  discardBody(request);
  response.setHeader("allow", allowed);
  const error = errorObject(RPC_INVALID_REQUEST, "Method not allowed", `${request.method ?? "?"} is not allowed here; use ${allowed}`);
  writeJson(response, 405, serializeError(null, error));
}

function writeJson(response: ServerResponse, status: number, body: string): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) });
  response.end(body);
}

function refuseUpgrade(socket: Duplex, status: number, reason: string, message: string): void {
  const body = serializeError(null, errorObject(RPC_SERVER_ERROR, message));
  const head = [`HTTP/1.1 ${status} ${reason}`, "Connection: close", "Content-Type: application/json; charset=utf-8", `Content-Length: ${Buffer.byteLength(body)}`];
  socket.once("finish", () => socket.destroy());
  socket.end(`${head.join("\r\n")}\r\n\r\n${body}`);
}
