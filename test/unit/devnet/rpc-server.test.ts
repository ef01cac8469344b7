import assert from "node:assert/strict";
import { once } from "node:events";
import { request as httpRequest } from "node:http";
import { afterEach, describe, it } from "node:test";
import { HttpProvider, WsProvider } from "@polkadot/api";
import { WebSocket } from "ws";
import { RpcError } from "../../../src/devnet/rpc/errors.js";
import { RpcServer, type RpcHandler, type RpcServerAddress, type RpcServerOptions, type RpcSubscription } from "../../../src/devnet/rpc/server.js";

// ---------------------------------------------------------------------------------------------
// Fixtures: every server, client and provider a test opens is closed after it.

const teardowns: (() => unknown)[] = [];
/** A failing test fails in seconds instead of hanging, and its teardowns still run. */
const QUICK = { timeout: 5_000 };

afterEach(async () => {
  for (const teardown of teardowns.splice(0).reverse()) await teardown();
});

/** A logger that keeps what it is given. */
class TestLog {
  readonly warnings: { obj: object; msg: string }[] = [];
  readonly debugs: { obj: object; msg: string }[] = [];
  readonly errors: { obj: object; msg: string }[] = [];
  warn(obj: object, msg: string): void {
    this.warnings.push({ obj, msg });
  }
  debug(obj: object, msg: string): void {
    this.debugs.push({ obj, msg });
  }
  error(obj: object, msg: string): void {
    this.errors.push({ obj, msg });
  }
}

const echo: RpcHandler = (params) => params;

function methodTable(extra: Record<string, RpcHandler> = {}): Map<string, RpcHandler> {
  return new Map(Object.entries({ echo, ...extra }));
}

async function startServer(
  options: Partial<RpcServerOptions> = {},
  methods: ReadonlyMap<string, RpcHandler> = methodTable(),
  subscriptions: readonly RpcSubscription[] = [],
): Promise<{ server: RpcServer; address: RpcServerAddress }> {
  const server = new RpcServer({ host: "127.0.0.1", port: 0, ...options }, methods, subscriptions);
  teardowns.push(() => server.stop());
  const address = await server.start();
  return { server, address };
}

interface HttpAnswer {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
  json(): unknown;
}

async function post(url: string, body: unknown, contentType = "application/json"): Promise<HttpAnswer> {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return answerOf(await fetch(url, { method: "POST", headers: { "content-type": contentType }, body: text }));
}

async function answerOf(response: Response): Promise<HttpAnswer> {
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get("content-type"), text, json: () => JSON.parse(text) };
}

/** A JSON-RPC message as the tests read it; the assertions check the fields. */
interface Message {
  readonly jsonrpc?: string;
  readonly id?: string | number | null;
  readonly result?: unknown;
  readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown };
  readonly method?: string;
  readonly params?: { readonly subscription: string; readonly result: unknown };
}

/** The subscription id a subscribe call answered: 16 hex characters. */
function subscriptionIdOf(message: Message): string {
  assert.equal(typeof message.result, "string", `a subscription id, not ${JSON.stringify(message)}`);
  assert.match(message.result as string, /^[0-9a-f]{16}$/);
  return message.result as string;
}

/** A raw `ws` client that keeps every message in arrival order. */
class TestClient {
  readonly messages: unknown[] = [];
  private cursor = 0;
  private waiter?: () => void;

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      this.messages.push(JSON.parse(data.toString()));
      this.waiter?.();
    });
  }

  static async open(url: string): Promise<TestClient> {
    const socket = new WebSocket(url);
    teardowns.push(() => closeSocket(socket));
    await once(socket, "open");
    return new TestClient(socket);
  }

  send(message: unknown, options: { binary?: boolean } = {}): void {
    if (Buffer.isBuffer(message)) return this.socket.send(message, { binary: true });
    const text = typeof message === "string" ? message : JSON.stringify(message);
    this.socket.send(options.binary ? Buffer.from(text) : text, { binary: options.binary ?? false });
  }

  /** The next message not yet returned by `next`. */
  async next<T = Message>(): Promise<T> {
    while (this.messages.length <= this.cursor) {
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    const message = this.messages[this.cursor];
    this.cursor += 1;
    return message as T;
  }

  async call(method: string, params: unknown[] = [], id: number | string = 1): Promise<Message> {
    this.send({ jsonrpc: "2.0", id, method, params });
    return this.next();
  }
}

async function closeSocket(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return;
  const closed = once(socket, "close");
  socket.terminate();
  await closed;
}

/** Waits, one event-loop turn at a time, for something the server does after an event the test cannot await. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function deferred<T = void>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A subscription whose feed the test drives by hand. */
function manualFeed(names = { subscribe: "test_subscribe", unsubscribe: "test_unsubscribe", notification: "test_event" }) {
  const feeds: { params: readonly unknown[]; emit(result: unknown): void; close(): void; cleanups: number }[] = [];
  const cleanedUp = deferred();
  const subscription: RpcSubscription = {
    ...names,
    start(params, emit, close) {
      const feed = { params, emit, close, cleanups: 0 };
      feeds.push(feed);
      return () => {
        feed.cleanups += 1;
        cleanedUp.resolve();
      };
    },
  };
  return { subscription, feeds, cleanedUp: cleanedUp.promise };
}

// ---------------------------------------------------------------------------------------------

describe("RpcServer over HTTP", () => {
  it("answers a JSON-RPC POST with 200, content-type application/json and the handler's result", QUICK, async () => {
    const { address } = await startServer();
    for (const contentType of ["application/json", "application/json; charset=utf-8"]) {
      const answer = await post(address.httpUrl, { jsonrpc: "2.0", id: 7, method: "echo", params: [1, "two"] }, contentType);
      assert.equal(answer.status, 200);
      assert.match(answer.contentType ?? "", /^application\/json/);
      assert.equal(answer.text, '{"jsonrpc":"2.0","result":[1,"two"],"id":7}');
    }
  });

  it("answers GET /health with Substrate's health object", QUICK, async () => {
    const { address } = await startServer();
    const answer = await answerOf(await fetch(`${address.httpUrl}/health`));
    assert.equal(answer.status, 200);
    assert.match(answer.contentType ?? "", /^application\/json/);
    assert.deepEqual(answer.json(), { isSyncing: false, peers: 0, shouldHavePeers: false });
  });

  it("answers other HTTP methods with 405 and other paths with 404, each with a JSON-RPC error body", QUICK, async () => {
    const { address } = await startServer();
    const get = await answerOf(await fetch(address.httpUrl));
    assert.equal(get.status, 405);
    assert.equal((get.json() as { error: { message: string } }).error.message, "Method not allowed");
    const postHealth = await post(`${address.httpUrl}/health`, {});
    assert.equal(postHealth.status, 405);
    const elsewhere = await post(`${address.httpUrl}/elsewhere`, { jsonrpc: "2.0", id: 1, method: "echo" });
    assert.equal(elsewhere.status, 404);
    assert.equal((elsewhere.json() as { jsonrpc: string; id: null }).jsonrpc, "2.0");
  });

  it("answers 415 to a body that is not declared as JSON", QUICK, async () => {
    const { address } = await startServer();
    const answer = await post(address.httpUrl, { jsonrpc: "2.0", id: 1, method: "echo" }, "text/plain");
    assert.equal(answer.status, 415);
  });

  it("answers a body that is not JSON with -32700 Parse error and id null", QUICK, async () => {
    const { address } = await startServer();
    const answer = await post(address.httpUrl, '{"jsonrpc":"2.0", "id": 1, "method": ');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json(), { jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null });
  });

  it("answers a request without id with 200 and an empty body, after running it", QUICK, async () => {
    const calls: unknown[] = [];
    const { address } = await startServer({}, methodTable({ note: (params) => void calls.push(params) }));
    const answer = await post(address.httpUrl, { jsonrpc: "2.0", method: "note", params: ["hello"] });
    assert.equal(answer.status, 200);
    assert.equal(answer.text, "");
    assert.deepEqual(calls, [["hello"]]);
  });

  it("refuses subscribe and unsubscribe methods with -32601 saying they need a WebSocket", QUICK, async () => {
    const { subscription } = manualFeed();
    const { address } = await startServer({}, methodTable(), [subscription]);
    for (const method of ["test_subscribe", "test_unsubscribe"]) {
      const answer = await post(address.httpUrl, { jsonrpc: "2.0", id: 1, method, params: [] });
      assert.deepEqual(answer.json(), {
        jsonrpc: "2.0",
        error: { code: -32601, message: "Method not found", data: "subscriptions need a WebSocket connection" },
        id: 1,
      });
    }
  });

  it("answers a body over maxRequestBytes with 413 and -32007 Request is too big", QUICK, async () => {
    const { address } = await startServer({ maxRequestBytes: 1024 });
    const answer = await post(address.httpUrl, { jsonrpc: "2.0", id: 1, method: "echo", params: ["x".repeat(2000)] });
    assert.equal(answer.status, 413);
    assert.deepEqual(answer.json(), {
      jsonrpc: "2.0",
      error: { code: -32007, message: "Request is too big", data: "Exceeded max limit of 1024" },
      id: null,
    });
  });

  it("answers a chunked body 413 as soon as it passes the limit, without waiting for the rest", QUICK, async () => {
    const { address } = await startServer({ maxRequestBytes: 1024 });
    const request = httpRequest(address.httpUrl, { method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked" } });
    request.on("error", () => undefined); // the server closes the connection once it has answered
    teardowns.push(() => request.destroy());
    request.write(`{"jsonrpc":"2.0","id":1,"method":"echo","params":["${"x".repeat(2000)}`); // never ended
    const [response] = (await once(request, "response")) as [import("node:http").IncomingMessage];
    assert.equal(response.statusCode, 413);
    response.resume();
  });

  it("accepts a body just under the limit", QUICK, async () => {
    const { address } = await startServer({ maxRequestBytes: 1024 });
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "echo", params: ["x".repeat(900)] });
    assert.ok(body.length <= 1024);
    const answer = await post(address.httpUrl, body);
    assert.equal(answer.status, 200);
  });
});

describe("JSON-RPC 2.0 requests", () => {
  it("pass absent params as [] and array params as they are", QUICK, async () => {
    const { address } = await startServer();
    assert.deepEqual((await post(address.httpUrl, { jsonrpc: "2.0", id: 1, method: "echo" })).json(), { jsonrpc: "2.0", result: [], id: 1 });
    assert.deepEqual((await post(address.httpUrl, { jsonrpc: "2.0", id: "a", method: "echo", params: [{ b: [2] }] })).json(), {
      jsonrpc: "2.0",
      result: [{ b: [2] }],
      id: "a",
    });
  });

  it("answer named (object) params with -32602 Invalid params", QUICK, async () => {
    const { address } = await startServer();
    const answer = await post(address.httpUrl, { jsonrpc: "2.0", id: 3, method: "echo", params: { a: 1 } });
    assert.deepEqual(answer.json(), { jsonrpc: "2.0", error: { code: -32602, message: "Invalid params" }, id: 3 });
  });

  it("answer a wrong jsonrpc version, a method that is not a string, or a non-object with -32600 Invalid request", QUICK, async () => {
    const { address } = await startServer();
    const invalid = { code: -32600, message: "Invalid request" };
    assert.deepEqual((await post(address.httpUrl, { jsonrpc: "1.0", id: 1, method: "echo" })).json(), { jsonrpc: "2.0", error: invalid, id: 1 });
    assert.deepEqual((await post(address.httpUrl, { jsonrpc: "2.0", id: 2, method: 5 })).json(), { jsonrpc: "2.0", error: invalid, id: 2 });
    assert.deepEqual((await post(address.httpUrl, 42)).json(), { jsonrpc: "2.0", error: invalid, id: null });
    assert.deepEqual((await post(address.httpUrl, { jsonrpc: "2.0", id: { no: 1 }, method: "echo" })).json(), { jsonrpc: "2.0", error: invalid, id: null });
  });

  it("answer an unknown method with -32601 Method not found", QUICK, async () => {
    const { address } = await startServer();
    const answer = await post(address.httpUrl, { jsonrpc: "2.0", id: 1, method: "nope", params: [] });
    assert.deepEqual(answer.json(), { jsonrpc: "2.0", error: { code: -32601, message: "Method not found" }, id: 1 });
  });

  it("answer with the code, message and data of an RpcError the handler throws", QUICK, async () => {
    const fail: RpcHandler = () => {
      throw new RpcError(1010, "Invalid Transaction", "Transaction is outdated");
    };
    const { address } = await startServer({}, methodTable({ fail }));
    const answer = await post(address.httpUrl, { jsonrpc: "2.0", id: 1, method: "fail", params: [] });
    assert.deepEqual(answer.json(), { jsonrpc: "2.0", error: { code: 1010, message: "Invalid Transaction", data: "Transaction is outdated" }, id: 1 });
  });

  it("answer any other throw or rejection with -32603 Internal error, log it with its stack, and keep serving", QUICK, async () => {
    const log = new TestLog();
    const bug = new TypeError("x is undefined");
    const methods = methodTable({
      throws: () => {
        throw bug;
      },
      rejects: async () => Promise.reject(new Error("async bug")),
    });
    const { address } = await startServer({ log }, methods);
    for (const method of ["throws", "rejects"]) {
      const answer = await post(address.httpUrl, { jsonrpc: "2.0", id: 1, method, params: [] });
      assert.deepEqual(answer.json(), { jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id: 1 });
    }
    assert.equal(log.errors.length, 2);
    const logged = log.errors[0]!.obj as { err: Error; method: string };
    assert.equal(logged.err, bug);
    assert.equal(logged.method, "throws");
    assert.match(logged.err.stack ?? "", /TypeError: x is undefined\n\s+at /);
    const still = await post(address.httpUrl, { jsonrpc: "2.0", id: 2, method: "echo", params: [] });
    assert.deepEqual(still.json(), { jsonrpc: "2.0", result: [], id: 2 });
  });

  it("answer an undefined result as null and an unserializable one with -32603", QUICK, async () => {
    const log = new TestLog();
    const { address } = await startServer({ log }, methodTable({ nothing: () => undefined, bigint: () => 1n }));
    assert.deepEqual((await post(address.httpUrl, { jsonrpc: "2.0", id: 1, method: "nothing" })).json(), { jsonrpc: "2.0", result: null, id: 1 });
    assert.deepEqual((await post(address.httpUrl, { jsonrpc: "2.0", id: 2, method: "bigint" })).json(), {
      jsonrpc: "2.0",
      error: { code: -32603, message: "Internal error" },
      id: 2,
    });
    assert.equal(log.errors.length, 1);
  });

  it("answer a result over maxResponseBytes with -32008 Response is too big", QUICK, async () => {
    const { address } = await startServer({ maxResponseBytes: 1000 }, methodTable({ big: () => "y".repeat(2000) }));
    const answer = await post(address.httpUrl, { jsonrpc: "2.0", id: 4, method: "big" });
    assert.deepEqual(answer.json(), {
      jsonrpc: "2.0",
      error: { code: -32008, message: "Response is too big", data: "Exceeded max limit of 1000" },
      id: 4,
    });
  });
});

describe("JSON-RPC 2.0 batches", () => {
  it("answer each request in order and leave notifications out", QUICK, async () => {
    const calls: unknown[] = [];
    const slow: RpcHandler = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return "slow";
    };
    const { address } = await startServer({}, methodTable({ slow, note: (params) => void calls.push(params) }));
    const answer = await post(address.httpUrl, [
      { jsonrpc: "2.0", id: 1, method: "slow" },
      { jsonrpc: "2.0", method: "note", params: [1] },
      { jsonrpc: "2.0", id: 2, method: "echo", params: [2] },
      { jsonrpc: "2.0", id: 3, method: "nope" },
    ]);
    assert.deepEqual(answer.json(), [
      { jsonrpc: "2.0", result: "slow", id: 1 },
      { jsonrpc: "2.0", result: [2], id: 2 },
      { jsonrpc: "2.0", error: { code: -32601, message: "Method not found" }, id: 3 },
    ]);
    assert.deepEqual(calls, [[1]]);
  });

  it("answer an empty batch with a single -32600 error", QUICK, async () => {
    const { address } = await startServer();
    assert.deepEqual((await post(address.httpUrl, [])).json(), { jsonrpc: "2.0", error: { code: -32600, message: "Invalid request" }, id: null });
  });

  it("refuse a batch longer than maxBatchLength with -32600 naming the limit", QUICK, async () => {
    const { address } = await startServer({ maxBatchLength: 2 });
    const request = { jsonrpc: "2.0", id: 1, method: "echo" };
    const answer = (await post(address.httpUrl, [request, request, request])).json() as { error: { code: number; message: string }; id: null };
    assert.equal(answer.error.code, -32600);
    assert.match(answer.error.message, /limit of 2\b/);
    assert.equal(answer.id, null);
    assert.equal(((await post(address.httpUrl, [request, request])).json() as unknown[]).length, 2);
  });
});

describe("rpc_methods", () => {
  it("lists every method, subscribe and unsubscribe name and itself, sorted, in Substrate's shape", QUICK, async () => {
    const { subscription } = manualFeed({ subscribe: "chain_subscribeNewHeads", unsubscribe: "chain_unsubscribeNewHeads", notification: "chain_newHead" });
    const methods = methodTable({ system_name: () => "tensornode", author_submitExtrinsic: () => "0x" });
    const { address } = await startServer({}, methods, [subscription]);
    const answer = await post(address.httpUrl, { jsonrpc: "2.0", id: 1, method: "rpc_methods", params: [] });
    assert.deepEqual(answer.json(), {
      jsonrpc: "2.0",
      result: { methods: ["author_submitExtrinsic", "chain_subscribeNewHeads", "chain_unsubscribeNewHeads", "echo", "rpc_methods", "system_name"] },
      id: 1,
    });
  });

  it("is refused at construction when a name is registered twice", QUICK, () => {
    const { subscription } = manualFeed({ subscribe: "echo", unsubscribe: "x_unsubscribe", notification: "x_event" });
    assert.throws(() => new RpcServer({ host: "127.0.0.1", port: 0 }, methodTable(), [subscription]), /echo is registered twice/);
    assert.throws(() => new RpcServer({ host: "127.0.0.1", port: 0 }, methodTable({ rpc_methods: echo }), []), /rpc_methods is registered twice/);
  });
});

describe("RpcServer over WebSocket", () => {
  it("serves text and binary frames as UTF-8 JSON on the HTTP port", QUICK, async () => {
    const { address } = await startServer();
    const client = await TestClient.open(address.wsUrl);
    client.send({ jsonrpc: "2.0", id: 1, method: "echo", params: ["text ✓"] });
    assert.deepEqual(await client.next(), { jsonrpc: "2.0", result: ["text ✓"], id: 1 });
    client.send({ jsonrpc: "2.0", id: 2, method: "echo", params: ["binary ✓"] }, { binary: true });
    assert.deepEqual(await client.next(), { jsonrpc: "2.0", result: ["binary ✓"], id: 2 });
    client.send(Buffer.from([0x22, 0xff, 0x22])); // a binary frame that is not UTF-8
    assert.deepEqual(await client.next(), { jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null });
  });

  it("answers batches and parse errors like HTTP does", QUICK, async () => {
    const { address } = await startServer();
    const client = await TestClient.open(address.wsUrl);
    client.send([{ jsonrpc: "2.0", id: 1, method: "echo", params: [1] }, { jsonrpc: "2.0", id: 2, method: "rpc_methods" }]);
    const batch = await client.next<Message[]>();
    assert.deepEqual(batch[0], { jsonrpc: "2.0", result: [1], id: 1 });
    assert.equal(batch[1]?.id, 2);
    client.send("not json");
    assert.deepEqual(await client.next(), { jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null });
  });

  it("runs a request without id and answers nothing", QUICK, async () => {
    const calls: unknown[] = [];
    const { address } = await startServer({}, methodTable({ note: (params) => void calls.push(params) }));
    const client = await TestClient.open(address.wsUrl);
    client.send({ jsonrpc: "2.0", method: "note", params: ["quiet"] });
    assert.deepEqual(await client.call("echo", ["loud"], 9), { jsonrpc: "2.0", result: ["loud"], id: 9 });
    assert.deepEqual(calls, [["quiet"]]);
    assert.equal(client.messages.length, 1);
  });

  it("matches each response to its id when async handlers finish out of order", QUICK, async () => {
    const gate = deferred();
    const { address } = await startServer({}, methodTable({ waits: async () => gate.promise.then(() => "late") }));
    const client = await TestClient.open(address.wsUrl);
    client.send({ jsonrpc: "2.0", id: "first", method: "waits" });
    client.send({ jsonrpc: "2.0", id: "second", method: "echo", params: ["early"] });
    assert.deepEqual(await client.next(), { jsonrpc: "2.0", result: ["early"], id: "second" });
    gate.resolve();
    assert.deepEqual(await client.next(), { jsonrpc: "2.0", result: "late", id: "first" });
  });

  it("answers a message over maxRequestBytes with -32007 and keeps the connection open", QUICK, async () => {
    const { address } = await startServer({ maxRequestBytes: 1024 });
    const client = await TestClient.open(address.wsUrl);
    client.send({ jsonrpc: "2.0", id: 1, method: "echo", params: ["x".repeat(2000)] });
    assert.deepEqual(await client.next(), {
      jsonrpc: "2.0",
      error: { code: -32007, message: "Request is too big", data: "Exceeded max limit of 1024" },
      id: null,
    });
    assert.deepEqual(await client.call("echo", ["still here"], 2), { jsonrpc: "2.0", result: ["still here"], id: 2 });
  });

  it("closes the connection with 1009 for a message above the hard cap", QUICK, async () => {
    const { address } = await startServer({ maxRequestBytes: 1024 });
    const client = await TestClient.open(address.wsUrl);
    const closed = once(client.socket, "close");
    client.send("x".repeat(2 * 1024 * 1024));
    const [code] = (await closed) as [number];
    assert.equal(code, 1009);
  });

  it("refuses upgrades beyond maxConnections with HTTP 429 and counts open connections", QUICK, async () => {
    const { server, address } = await startServer({ maxConnections: 2 });
    await TestClient.open(address.wsUrl);
    const second = await TestClient.open(address.wsUrl);
    assert.equal(server.connectionCount, 2);
    const refused = new WebSocket(address.wsUrl);
    teardowns.push(() => closeSocket(refused));
    const [error] = (await once(refused, "error")) as [Error];
    assert.match(error.message, /Unexpected server response: 429/);
    const gone = once(second.socket, "close");
    second.socket.close();
    await gone;
    await until(() => server.connectionCount === 1, "the closed connection to be dropped");
    await TestClient.open(address.wsUrl);
    assert.equal(server.connectionCount, 2);
  });

  it("disconnects a client that does not read once too much is buffered for it, with a warning", QUICK, async () => {
    const log = new TestLog();
    const chunk = "z".repeat(256 * 1024);
    let emitted = 0;
    const cleanedUp = deferred();
    const flood: RpcSubscription = {
      subscribe: "flood_subscribe",
      unsubscribe: "flood_unsubscribe",
      notification: "flood_event",
      start(_params, emit) {
        let stopped = false;
        const pump = (): void => {
          if (stopped || emitted > 1024) return; // 256 MiB: the limit never triggered
          emit(chunk);
          emitted += 1;
          setImmediate(pump);
        };
        setImmediate(pump);
        return () => {
          stopped = true;
          cleanedUp.resolve();
        };
      },
    };
    const { server, address } = await startServer({ log, maxBufferedBytes: 1024 * 1024 }, methodTable(), [flood]);
    const client = await TestClient.open(address.wsUrl);
    client.send({ jsonrpc: "2.0", id: 1, method: "flood_subscribe" });
    client.socket.pause();
    await cleanedUp.promise;
    assert.ok(emitted <= 1024, "the slow reader was disconnected");
    assert.equal(log.warnings.length, 1);
    assert.match(log.warnings[0]!.msg, /does not read/);
    assert.equal(server.connectionCount, 0);
  });
});

describe("subscriptions", () => {
  it("answer the subscribe call with a unique id and send notifications in Substrate's shape", QUICK, async () => {
    const { subscription, feeds } = manualFeed();
    const { address } = await startServer({}, methodTable(), [subscription]);
    const client = await TestClient.open(address.wsUrl);
    const first = subscriptionIdOf(await client.call("test_subscribe", ["a"], 1));
    const second = subscriptionIdOf(await client.call("test_subscribe", ["b"], 2));
    assert.notEqual(first, second);
    assert.deepEqual(
      feeds.map((feed) => feed.params),
      [["a"], ["b"]],
    );
    feeds[1]!.emit({ number: "0x01" });
    assert.deepEqual(await client.next(), {
      jsonrpc: "2.0",
      method: "test_event",
      params: { subscription: second, result: { number: "0x01" } },
    });
  });

  it("write the id response before notifications emitted while start runs, synchronously or not", QUICK, async () => {
    const subscription: RpcSubscription = {
      subscribe: "eager_subscribe",
      unsubscribe: "eager_unsubscribe",
      notification: "eager_event",
      async start(_params, emit) {
        emit("sync");
        await Promise.resolve();
        emit("async");
        return () => undefined;
      },
    };
    const { address } = await startServer({}, methodTable(), [subscription]);
    const client = await TestClient.open(address.wsUrl);
    const id = subscriptionIdOf(await client.call("eager_subscribe", [], 1));
    assert.deepEqual((await client.next()).params, { subscription: id, result: "sync" });
    assert.deepEqual((await client.next()).params, { subscription: id, result: "async" });

    client.send([{ jsonrpc: "2.0", id: 2, method: "eager_subscribe" }]);
    const [batchResponse] = await client.next<Message[]>();
    assert.equal(batchResponse?.id, 2);
    assert.deepEqual((await client.next()).params, { subscription: subscriptionIdOf(batchResponse!), result: "sync" });
  });

  it("unsubscribe with true, run the cleanup once and send nothing more; false for an unknown id", QUICK, async () => {
    const { subscription, feeds } = manualFeed();
    const { address } = await startServer({}, methodTable(), [subscription]);
    const client = await TestClient.open(address.wsUrl);
    const id = subscriptionIdOf(await client.call("test_subscribe", [], 1));
    assert.deepEqual(await client.call("test_unsubscribe", [id], 2), { jsonrpc: "2.0", result: true, id: 2 });
    assert.equal(feeds[0]!.cleanups, 1);
    feeds[0]!.emit("too late");
    assert.deepEqual(await client.call("test_unsubscribe", [id], 3), { jsonrpc: "2.0", result: false, id: 3 });
    assert.deepEqual(await client.call("test_unsubscribe", ["0123456789abcdef"], 4), { jsonrpc: "2.0", result: false, id: 4 });
    assert.equal((await client.call("test_unsubscribe", [], 5)).error?.code, -32602);
    assert.equal(feeds[0]!.cleanups, 1);
    assert.equal(client.messages.length, 5, "no notification after the unsubscribe");
  });

  it("end from the server side with close(): nothing more is sent and the cleanup runs once", QUICK, async () => {
    const { subscription, feeds } = manualFeed();
    const { address } = await startServer({}, methodTable(), [subscription]);
    const client = await TestClient.open(address.wsUrl);
    const id = subscriptionIdOf(await client.call("test_subscribe", [], 1));
    feeds[0]!.emit("finalized");
    feeds[0]!.close();
    feeds[0]!.close();
    feeds[0]!.emit("after close");
    assert.deepEqual((await client.next()).params, { subscription: id, result: "finalized" });
    assert.equal(feeds[0]!.cleanups, 1);
    assert.deepEqual(await client.call("test_unsubscribe", [id], 2), { jsonrpc: "2.0", result: false, id: 2 });
    assert.equal(client.messages.length, 3);
  });

  it("deliver what start emitted before closing synchronously, after the id response", QUICK, async () => {
    let cleanups = 0;
    const oneShot: RpcSubscription = {
      subscribe: "once_subscribe",
      unsubscribe: "once_unsubscribe",
      notification: "once_event",
      start(_params, emit, close) {
        emit("only");
        close();
        return () => void (cleanups += 1);
      },
    };
    const { address } = await startServer({}, methodTable(), [oneShot]);
    const client = await TestClient.open(address.wsUrl);
    const id = subscriptionIdOf(await client.call("once_subscribe", [], 1));
    assert.deepEqual(await client.next(), { jsonrpc: "2.0", method: "once_event", params: { subscription: id, result: "only" } });
    assert.deepEqual(await client.call("once_unsubscribe", [id], 2), { jsonrpc: "2.0", result: false, id: 2 });
    assert.equal(cleanups, 1);
  });

  it("answer an RpcError thrown by start as the error response and open no subscription", QUICK, async () => {
    const refusing: RpcSubscription = {
      subscribe: "no_subscribe",
      unsubscribe: "no_unsubscribe",
      notification: "no_event",
      start(_params, emit) {
        emit("never seen");
        throw new RpcError(1002, "Verification Error", "bad extrinsic");
      },
    };
    const { address } = await startServer({ maxSubscriptionsPerConnection: 1 }, methodTable(), [refusing, manualFeed().subscription]);
    const client = await TestClient.open(address.wsUrl);
    assert.deepEqual(await client.call("no_subscribe", [], 1), {
      jsonrpc: "2.0",
      error: { code: 1002, message: "Verification Error", data: "bad extrinsic" },
      id: 1,
    });
    // The failed one holds no slot: the one allowed subscription is still free.
    subscriptionIdOf(await client.call("test_subscribe", [], 2));
    assert.equal(client.messages.length, 2);
  });

  it("refuse more than maxSubscriptionsPerConnection with -32000", QUICK, async () => {
    const { subscription } = manualFeed();
    const { address } = await startServer({ maxSubscriptionsPerConnection: 2 }, methodTable(), [subscription]);
    const client = await TestClient.open(address.wsUrl);
    await client.call("test_subscribe", [], 1);
    const id = subscriptionIdOf(await client.call("test_subscribe", [], 2));
    assert.deepEqual(await client.call("test_subscribe", [], 3), {
      jsonrpc: "2.0",
      error: { code: -32000, message: "Too many subscriptions on the connection" },
      id: 3,
    });
    await client.call("test_unsubscribe", [id], 4);
    subscriptionIdOf(await client.call("test_subscribe", [], 5));
  });

  it("belong to their connection: another connection cannot unsubscribe them", QUICK, async () => {
    const { subscription, feeds } = manualFeed();
    const { address } = await startServer({}, methodTable(), [subscription]);
    const owner = await TestClient.open(address.wsUrl);
    const stranger = await TestClient.open(address.wsUrl);
    const id = subscriptionIdOf(await owner.call("test_subscribe", [], 1));
    assert.deepEqual(await stranger.call("test_unsubscribe", [id], 1), { jsonrpc: "2.0", result: false, id: 1 });
    assert.equal(feeds[0]!.cleanups, 0);
  });

  it("are cleaned up when their connection closes", QUICK, async () => {
    const { subscription, feeds, cleanedUp } = manualFeed();
    const { server, address } = await startServer({}, methodTable(), [subscription]);
    const client = await TestClient.open(address.wsUrl);
    await client.call("test_subscribe", [], 1);
    client.socket.close();
    await cleanedUp;
    assert.equal(feeds[0]!.cleanups, 1);
    await until(() => server.connectionCount === 0, "the closed connection to be dropped");
  });

  it("started by a connection that is gone before start resolves are cleaned up when it does", QUICK, async () => {
    const started = deferred();
    const release = deferred();
    let cleanups = 0;
    const slow: RpcSubscription = {
      subscribe: "slow_subscribe",
      unsubscribe: "slow_unsubscribe",
      notification: "slow_event",
      async start() {
        started.resolve();
        await release.promise;
        return () => void (cleanups += 1);
      },
    };
    const { server, address } = await startServer({}, methodTable(), [slow]);
    const client = await TestClient.open(address.wsUrl);
    client.send({ jsonrpc: "2.0", id: 1, method: "slow_subscribe" });
    await started.promise;
    await closeSocket(client.socket);
    await until(() => server.connectionCount === 0, "the closed connection to be dropped");
    release.resolve();
    await until(() => cleanups > 0, "the late cleanup");
    assert.equal(cleanups, 1);
  });
});

describe("RpcServer.stop()", () => {
  it("closes WebSocket clients and idle keep-alive HTTP sockets, runs every cleanup, and may be called twice", QUICK, async () => {
    const { subscription, feeds } = manualFeed();
    const { server, address } = await startServer({}, methodTable(), [subscription]);
    const client = await TestClient.open(address.wsUrl);
    await client.call("test_subscribe", [], 1);
    await post(address.httpUrl, { jsonrpc: "2.0", id: 1, method: "echo" }); // leaves a keep-alive socket
    const closed = once(client.socket, "close");
    await Promise.all([server.stop(), server.stop()]);
    await server.stop();
    await closed;
    assert.equal(feeds[0]!.cleanups, 1);
    assert.equal(server.connectionCount, 0);
    await assert.rejects(fetch(address.httpUrl, { method: "POST", body: "{}" }));
  });

  it("resolves for a server that never started", QUICK, async () => {
    const server = new RpcServer({ host: "127.0.0.1", port: 0 }, methodTable(), []);
    await server.stop();
  });
});

/** A connected WsProvider that the test's teardown disconnects unless the test already did. */
async function connectWsProvider(url: string): Promise<{ provider: WsProvider; disconnected: Promise<void> }> {
  const provider = new WsProvider(url, false);
  const disconnected = new Promise<void>((resolve) => provider.on("disconnected", () => resolve()));
  teardowns.push(async () => {
    if (!provider.isConnected) return;
    await provider.disconnect();
    await disconnected;
  });
  await provider.connect();
  await provider.isReady;
  return { provider, disconnected };
}

describe("@polkadot/api providers against RpcServer", () => {
  it("WsProvider calls, subscribes, receives notifications, unsubscribes and disconnects", QUICK, async () => {
    const { subscription, feeds, cleanedUp } = manualFeed({
      subscribe: "chain_subscribeNewHeads",
      unsubscribe: "chain_unsubscribeNewHeads",
      notification: "chain_newHead",
    });
    const { address } = await startServer({}, methodTable(), [subscription]);
    const { provider, disconnected } = await connectWsProvider(address.wsUrl);

    const methods = (await provider.send("rpc_methods", [])) as { methods: string[] };
    assert.deepEqual(methods.methods, ["chain_subscribeNewHeads", "chain_unsubscribeNewHeads", "echo", "rpc_methods"]);

    const heads: unknown[] = [];
    const firstHead = deferred();
    const id = await provider.subscribe("chain_newHead", "chain_subscribeNewHeads", [], (error: Error | null, head: unknown) => {
      assert.equal(error, null);
      heads.push(head);
      firstHead.resolve();
    });
    feeds[0]!.emit({ number: "0x2a" });
    await firstHead.promise;
    assert.deepEqual(heads, [{ number: "0x2a" }]);

    assert.equal(await provider.unsubscribe("chain_newHead", "chain_unsubscribeNewHeads", id), true);
    await cleanedUp;
    await provider.disconnect();
    await disconnected;
  });

  it("WsProvider sees a notification emitted synchronously by start", QUICK, async () => {
    const eager: RpcSubscription = {
      subscribe: "chain_subscribeFinalizedHeads",
      unsubscribe: "chain_unsubscribeFinalizedHeads",
      notification: "chain_finalizedHead",
      start(_params, emit) {
        emit({ number: "0x0" });
        return () => undefined;
      },
    };
    const { address } = await startServer({}, methodTable(), [eager]);
    const { provider } = await connectWsProvider(address.wsUrl);
    const head = deferred<unknown>();
    await provider.subscribe("chain_finalizedHead", "chain_subscribeFinalizedHeads", [], (_error: Error | null, value: unknown) => head.resolve(value));
    assert.deepEqual(await head.promise, { number: "0x0" });
  });

  it("HttpProvider makes a plain call and gets RpcErrors as rejections", QUICK, async () => {
    const fail: RpcHandler = () => {
      throw new RpcError(1010, "Invalid Transaction", "Inability to pay some fees");
    };
    const { address } = await startServer({}, methodTable({ system_name: () => "tensornode", fail }));
    const provider = new HttpProvider(address.httpUrl);
    assert.equal(await provider.send("system_name", []), "tensornode");
    await assert.rejects(provider.send("fail", []), /1010: Invalid Transaction: Inability to pay some fees/);
  });
});
