/**
 * A bare JSON-RPC 2.0 WebSocket client for tests that check the wire itself: requests by id,
 * every notification kept in arrival order, and waits that end on what the server sends (with a
 * deadline that says what was awaited), never on time alone.
 */
import { WebSocket } from "ws";

export interface RpcErrorReply {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

export class JsonRpcCallError extends Error {
  readonly error: RpcErrorReply;
  constructor(method: string, error: RpcErrorReply) {
    super(`${method}: ${error.code} ${error.message}${error.data === undefined ? "" : ` (${JSON.stringify(error.data)})`}`);
    this.error = error;
  }
}

export interface Notification {
  readonly method: string;
  readonly subscription: string;
  readonly result: Record<string, unknown>;
}

export class JsonRpcWs {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, { method: string; resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  readonly #waiters = new Set<() => void>();
  readonly notifications: Notification[] = [];
  #nextId = 0;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on("message", (data) => this.#receive(JSON.parse(String(data)) as Record<string, unknown> | Record<string, unknown>[]));
  }

  static async connect(url: string): Promise<JsonRpcWs> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    return new JsonRpcWs(socket);
  }

  #receive(message: Record<string, unknown> | Record<string, unknown>[]): void {
    if (Array.isArray(message)) {
      for (const one of message) this.#receive(one);
      return;
    }
    if (typeof message.id === "number") {
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.error) pending?.reject(new JsonRpcCallError(pending.method, message.error as RpcErrorReply));
      else pending?.resolve(message.result);
    } else if (typeof message.method === "string") {
      const params = message.params as { subscription: string; result: Record<string, unknown> };
      this.notifications.push({ method: message.method, subscription: params.subscription, result: params.result });
    }
    for (const wake of [...this.#waiters]) wake();
  }

  request<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const id = ++this.#nextId;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { method, resolve: resolve as (value: unknown) => void, reject });
      this.#socket.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    });
  }

  /** Sends calls as one batch (the server handles them in order before answering); each settles on its own. */
  batch(calls: readonly { method: string; params?: unknown[] }[]): Promise<PromiseSettledResult<unknown>[]> {
    const promises = calls.map(({ method }) => {
      const id = ++this.#nextId;
      return { id, promise: new Promise<unknown>((resolve, reject) => this.#pending.set(id, { method, resolve, reject })) };
    });
    this.#socket.send(JSON.stringify(calls.map(({ method, params }, i) => ({ jsonrpc: "2.0", id: promises[i]!.id, method, params: params ?? [] }))));
    return Promise.allSettled(promises.map((p) => p.promise));
  }

  /** The JSON-RPC error a call answers with; fails the test if the call succeeds. */
  async requestError(method: string, params: unknown[] = []): Promise<RpcErrorReply> {
    try {
      const result = await this.request(method, params);
      throw new Error(`${method} was expected to fail but answered ${JSON.stringify(result)}`);
    } catch (error) {
      if (error instanceof JsonRpcCallError) return error.error;
      throw error;
    }
  }

  /** The events of one subscription so far. */
  eventsOf(subscription: string): Record<string, unknown>[] {
    return this.notifications.filter((n) => n.subscription === subscription).map((n) => n.result);
  }

  /** Waits until `found` returns a value for the notifications received so far. */
  async waitFor<T>(what: string, found: (notifications: readonly Notification[]) => T | undefined, timeoutMs = 15_000): Promise<T> {
    const now = found(this.notifications);
    if (now !== undefined) return now;
    return new Promise<T>((resolve, reject) => {
      const wake = (): void => {
        const value = found(this.notifications);
        if (value === undefined) return;
        this.#waiters.delete(wake);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.#waiters.add(wake);
    });
  }

  /** Waits for the first event of `subscription` that matches. */
  waitForEvent(subscription: string, what: string, match: (event: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>> {
    return this.waitFor(what, (all) => all.find((n) => n.subscription === subscription && match(n.result))?.result, timeoutMs);
  }

  close(): Promise<void> {
    if (this.#socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.#socket.once("close", () => resolve());
      this.#socket.close();
    });
  }
}
