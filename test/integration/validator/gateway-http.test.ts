import assert from "node:assert/strict";
import { once } from "node:events";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, describe, it } from "node:test";
import { formatApiKeysFile, generateApiKey, type ApiKeyEntry } from "../../../src/validator/gateway/api-keys.js";
import { GatewayError, type Caller, type GatewayAnswer, type GatewayBackend, type SynapseInfo } from "../../../src/validator/gateway/contract.js";
import { startGatewayServer, type GatewayServer, type GatewayServerOptions } from "../../../src/validator/gateway/http-server.js";

// ---------------------------------------------------------------------------------------------
// Fixtures: every server, agent and socket a test opens is closed after it.

const teardowns: (() => unknown)[] = [];
afterEach(async () => {
  for (const teardown of teardowns.splice(0).reverse()) await teardown();
});
const dir = mkdtempSync(join(tmpdir(), "tn-gateway-"));
after(() => rmSync(dir, { recursive: true, force: true }));
/** A failing test fails in seconds instead of hanging, and its teardowns still run. */
const QUICK = { timeout: 10_000 };

const SYNAPSES: readonly SynapseInfo[] = [
  {
    name: "echo",
    description: "says back what it is told",
    timeoutMs: 1_000,
    input: { type: "object", required: ["text"], properties: { text: { type: "string" } }, additionalProperties: false },
    output: { type: "object", properties: { text: { type: "string" } } },
    example: { text: "hello" },
    maxBodyBytes: 256,
  },
  {
    name: "secret",
    description: "a synapse not every key may call",
    timeoutMs: 1_000,
    input: { type: "object" },
    output: { type: "object" },
    example: {},
    maxBodyBytes: 256,
  },
];

interface BackendCall {
  readonly synapse: string;
  readonly body: Uint8Array;
  readonly caller: Caller;
  readonly signal: AbortSignal;
}

/** What the HTTP layer meets behind the contract: records each call, answers by echoing the JSON it was sent. */
class TestBackend implements GatewayBackend {
  readonly calls: BackendCall[] = [];
  readonly sinces: number[] = [];
  /** Resolved with each call as it arrives (for tests that act while a call is in flight). */
  #waiters: ((call: BackendCall) => void)[] = [];
  answer: (call: BackendCall) => Promise<GatewayAnswer> = async ({ body }) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body).toString("utf8"));
    } catch {
      throw new GatewayError("BAD_JSON", 400, "the body is not JSON");
    }
    return { output: parsed, miner: { uid: 7, hotkey: "5Miner" }, latencyMs: 3, receipt: Buffer.from("receipt").toString("base64") };
  };

  synapses(): readonly SynapseInfo[] {
    return SYNAPSES;
  }

  call(synapse: string, body: Uint8Array, caller: Caller, signal: AbortSignal): Promise<GatewayAnswer> {
    const call = { synapse, body, caller, signal };
    this.calls.push(call);
    for (const wake of this.#waiters.splice(0)) wake(call);
    return this.answer(call);
  }

  nextCall(): Promise<BackendCall> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  miners(): unknown {
    return { miners: [{ uid: 7, hotkey: "5Miner", score: 0.5 }] };
  }

  async attribution(sinceMs: number): Promise<unknown> {
    this.sinces.push(sinceMs);
    return { sinceMs, miners: [] };
  }
}

/** A call that does not answer until released (or aborted: it then rejects with the signal's reason). */
function heldAnswer(): { answer: (call: BackendCall) => Promise<GatewayAnswer>; release: () => void } {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  return {
    release,
    answer: ({ signal }) =>
      new Promise<GatewayAnswer>((resolve, reject) => {
        signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true });
        void released.then(() => resolve({ output: "late", miner: { uid: 1, hotkey: "5Slow" }, latencyMs: 900, receipt: "" }));
      }),
  };
}

async function start(options: Partial<GatewayServerOptions> = {}): Promise<{ gateway: GatewayServer; backend: TestBackend }> {
  const backend = (options.backend as TestBackend | undefined) ?? new TestBackend();
  const gateway = await startGatewayServer({ host: "127.0.0.1", port: 0, ...options, backend });
  teardowns.push(() => gateway.close());
  return { gateway, backend };
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  readonly reusedSocket: boolean;
}

interface Ask {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  readonly agent?: Agent;
}

/** One request over a fresh connection (or `agent`'s), its whole answer read. */
function ask(gateway: GatewayServer, path: string, options: Ask = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: "127.0.0.1", port: gateway.address.port, path, method: options.method ?? "GET", headers: options.headers, agent: options.agent ?? false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, text: Buffer.concat(chunks).toString("utf8"), reusedSocket: request.reusedSocket }));
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(options.body);
  });
}

const post = (gateway: GatewayServer, synapse: string, body: string, headers: Record<string, string> = {}): Promise<Answer> =>
  ask(gateway, `/v1/synapses/${synapse}`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });

function errorOf(answer: Answer): { code: string; message: string } {
  assert.match(String(answer.headers["content-type"]), /^application\/json/);
  const body = JSON.parse(answer.text) as { error: { code: string; message: string } };
  assert.deepEqual(Object.keys(body), ["error"]);
  assert.equal(typeof body.error.message, "string");
  return body.error;
}

function assertError(answer: Answer, status: number, code: string): void {
  assert.equal(answer.status, status, `status of ${answer.text}`);
  assert.equal(errorOf(answer).code, code);
}

/** A raw TCP connection to the gateway, for what an HTTP client would not send. */
async function rawConnection(gateway: GatewayServer): Promise<{ socket: Socket; received: () => string; closed: Promise<string> }> {
  const socket = connect(gateway.address.port, "127.0.0.1");
  teardowns.push(() => socket.destroy());
  let text = "";
  socket.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  // The server may reset a connection it refused: what it answered first is what matters.
  socket.on("error", () => undefined);
  const closed = once(socket, "close").then(() => text);
  await once(socket, "connect");
  return { socket, received: () => text, closed };
}

function keysFile(name: string, entries: readonly ApiKeyEntry[], mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, formatApiKeysFile(entries));
  chmodSync(path, mode);
  return path;
}

const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

// ---------------------------------------------------------------------------------------------

describe("the gateway's HTTP server", () => {
  describe("routes", () => {
    it("lists the synapses with their schemas at GET /v1/synapses", QUICK, async () => {
      const { gateway } = await start();
      const answer = await ask(gateway, "/v1/synapses");
      assert.equal(answer.status, 200);
      assert.match(String(answer.headers["content-type"]), /^application\/json/);
      assert.deepEqual(JSON.parse(answer.text), { synapses: SYNAPSES });
    });

    it("serves the OpenAPI 3.1 document generated from the synapses at GET /v1/openapi.json", QUICK, async () => {
      const { gateway } = await start();
      const answer = await ask(gateway, "/v1/openapi.json");
      assert.equal(answer.status, 200);
      const document = JSON.parse(answer.text) as { openapi: string; paths: Record<string, unknown> };
      assert.equal(document.openapi, "3.1.0");
      assert.ok(document.paths["/v1/synapses/echo"] && document.paths["/v1/synapses/secret"]);
    });

    it("hands the backend the exact body bytes, the caller and a signal, and returns its answer as JSON", QUICK, async () => {
      const { gateway, backend } = await start();
      const body = '{ "text" :  "héllo\\u0021" }\n';
      const answer = await post(gateway, "echo", body);
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(JSON.parse(answer.text), { output: { text: "héllo!" }, miner: { uid: 7, hotkey: "5Miner" }, latencyMs: 3, receipt: Buffer.from("receipt").toString("base64") });
      const [call] = backend.calls;
      assert.equal(call!.synapse, "echo");
      assert.deepEqual(Buffer.from(call!.body), Buffer.from(body, "utf8"), "the bytes sent, untouched");
      assert.deepEqual(call!.caller, { keyName: "local" });
      assert.equal(call!.signal.aborted, false);
    });

    it("accepts application/json with parameters and a chunked body", QUICK, async () => {
      const { gateway, backend } = await start();
      const answer = await new Promise<number>((resolve, reject) => {
        const request = httpRequest({ host: "127.0.0.1", port: gateway.address.port, path: "/v1/synapses/echo", method: "POST", agent: false, headers: { "content-type": "Application/JSON; charset=utf-8" } }, (response) => {
          response.resume();
          resolve(response.statusCode!);
        });
        request.on("error", reject);
        request.write('{"text":');
        request.end('"in two chunks"}');
      });
      assert.equal(answer, 200);
      assert.equal(Buffer.from(backend.calls[0]!.body).toString(), '{"text":"in two chunks"}');
    });

    it("serves several requests over one keep-alive connection", QUICK, async () => {
      const { gateway } = await start();
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      teardowns.push(() => agent.destroy());
      const first = await ask(gateway, "/v1/synapses", { agent });
      const second = await ask(gateway, "/v1/synapses/echo", { agent, method: "POST", body: '{"text":"b"}', headers: { "content-type": "application/json" } });
      const third = await ask(gateway, "/v1/miners", { agent });
      assert.equal(first.status, 200);
      assert.equal(first.reusedSocket, false);
      assert.equal(second.status, 200);
      assert.equal(second.reusedSocket, true, "the second request went over the first one's connection");
      assert.equal(third.reusedSocket, true);
      assert.match(String(first.headers.connection), /keep-alive/i);
    });

    it("answers GET /v1/miners from the backend", QUICK, async () => {
      const { gateway } = await start();
      const answer = await ask(gateway, "/v1/miners");
      assert.equal(answer.status, 200);
      assert.deepEqual(JSON.parse(answer.text), { miners: [{ uid: 7, hotkey: "5Miner", score: 0.5 }] });
    });

    it("takes since= as Unix milliseconds or ISO 8601, 24 hours ago by default, and refuses anything else with 400", QUICK, async () => {
      const clock = 1_750_000_000_000;
      const { gateway, backend } = await start({ now: () => clock });
      assert.equal((await ask(gateway, "/v1/attribution?since=1700000000000")).status, 200);
      assert.equal((await ask(gateway, "/v1/attribution?since=2025-01-31T12:00:00Z")).status, 200);
      assert.equal((await ask(gateway, "/v1/attribution?since=2025-01-31T14:00:00%2B02:00")).status, 200);
      assert.equal((await ask(gateway, "/v1/attribution")).status, 200);
      assert.deepEqual(backend.sinces, [1_700_000_000_000, Date.UTC(2025, 0, 31, 12), Date.UTC(2025, 0, 31, 12), clock - 86_400_000]);
      for (const bad of ["yesterday", "-1", "1.5", "2025-02-30", "2025-01-31T25:00Z"]) {
        const answer = await ask(gateway, `/v1/attribution?since=${encodeURIComponent(bad)}`);
        assert.equal(answer.status, 400, `since=${bad}`);
        assert.equal(errorOf(answer).code, "BAD_INPUT", `since=${bad}`);
      }
      assert.equal(backend.sinces.length, 4, "a bad since never reaches the backend");
    });

    it("answers an unknown path or synapse 404 and a wrong method 405 with Allow", QUICK, async () => {
      const { gateway, backend } = await start();
      assertError(await ask(gateway, "/nowhere"), 404, "NOT_FOUND");
      assertError(await ask(gateway, "/v1/synapses/"), 404, "NOT_FOUND");
      assertError(await post(gateway, "unknown", "{}"), 404, "NOT_FOUND");
      const wrongGet = await ask(gateway, "/v1/synapses/echo");
      assertError(wrongGet, 405, "METHOD_NOT_ALLOWED");
      assert.equal(wrongGet.headers.allow, "POST");
      const wrongPost = await ask(gateway, "/v1/synapses", { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
      assertError(wrongPost, 405, "METHOD_NOT_ALLOWED");
      assert.equal(wrongPost.headers.allow, "GET, HEAD");
      assertError(await ask(gateway, "/metrics", { method: "DELETE" }), 405, "METHOD_NOT_ALLOWED");
      assert.equal(backend.calls.length, 0);
    });

    it("refuses a body that is not application/json with 415, before the backend", QUICK, async () => {
      const { gateway, backend } = await start();
      assertError(await ask(gateway, "/v1/synapses/echo", { method: "POST", body: "text=a", headers: { "content-type": "application/x-www-form-urlencoded" } }), 415, "UNSUPPORTED_MEDIA_TYPE");
      assertError(await ask(gateway, "/v1/synapses/echo", { method: "POST", body: '{"text":"a"}' }), 415, "UNSUPPORTED_MEDIA_TYPE");
      assert.equal(backend.calls.length, 0);
    });

    it("passes the backend's errors on: 400 BAD_JSON, 400 BAD_INPUT, 503 NO_MINER with its Retry-After", QUICK, async () => {
      const { gateway, backend } = await start();
      assertError(await post(gateway, "echo", "{not json"), 400, "BAD_JSON");
      backend.answer = async () => {
        throw new GatewayError("BAD_INPUT", 400, "text must be a string");
      };
      const badInput = await post(gateway, "echo", '{"text":1}');
      assertError(badInput, 400, "BAD_INPUT");
      assert.equal(errorOf(badInput).message, "text must be a string");
      backend.answer = async () => {
        throw new GatewayError("NO_MINER", 503, "no miner serves this synapse now", 2_500);
      };
      const noMiner = await post(gateway, "echo", '{"text":"a"}');
      assertError(noMiner, 503, "NO_MINER");
      assert.equal(noMiner.headers["retry-after"], "3", "2.5 s rounded up");
    });

    it("answers 500 INTERNAL without a word of the failure when the backend throws anything else", QUICK, async () => {
      const { gateway, backend } = await start();
      backend.answer = async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'secret path /home/v')");
      };
      const answer = await post(gateway, "echo", '{"text":"a"}');
      assertError(answer, 500, "INTERNAL");
      assert.doesNotMatch(answer.text, /secret|TypeError|at |\.ts/);
      assert.equal((await ask(gateway, "/v1/synapses")).status, 200, "and the gateway carries on");
    });

    it("serves Prometheus metrics: requests by route, synapse and status, errors by code, a latency histogram, answers per miner", QUICK, async () => {
      const { gateway } = await start();
      await post(gateway, "echo", '{"text":"a"}');
      await post(gateway, "echo", "{bad");
      await ask(gateway, "/nowhere");
      const answer = await ask(gateway, "/metrics");
      assert.equal(answer.status, 200);
      assert.match(String(answer.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
      assert.match(answer.text, /^tensornode_gateway_requests_total\{route="synapse",synapse="echo",status="200"\} 1$/m);
      assert.match(answer.text, /^tensornode_gateway_requests_total\{route="synapse",synapse="echo",status="400"\} 1$/m);
      assert.match(answer.text, /^tensornode_gateway_requests_total\{route="other",synapse="",status="404"\} 1$/m);
      assert.match(answer.text, /^tensornode_gateway_errors_total\{code="BAD_JSON"\} 1$/m);
      assert.match(answer.text, /^tensornode_gateway_errors_total\{code="NOT_FOUND"\} 1$/m);
      assert.match(answer.text, /^# TYPE tensornode_gateway_request_duration_seconds histogram$/m);
      assert.match(answer.text, /^tensornode_gateway_request_duration_seconds_bucket\{route="synapse",synapse="echo",le="\+Inf"\} 2$/m);
      assert.match(answer.text, /^tensornode_gateway_request_duration_seconds_count\{route="synapse",synapse="echo"\} 2$/m);
      assert.match(answer.text, /^tensornode_gateway_answers_total\{synapse="echo",uid="7"\} 1$/m);
      assert.match(answer.text, /^tensornode_gateway_in_flight 0$/m);
    });
  });

  describe("limits", () => {
    it("refuses a body whose Content-Length is over the synapse's limit with 413 before reading a byte of it", QUICK, async () => {
      const { gateway, backend } = await start();
      const { socket, closed } = await rawConnection(gateway);
      // The head only: the answer must come without the 10 MB announced.
      socket.write("POST /v1/synapses/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n");
      const text = await closed;
      assert.match(text, /^HTTP\/1\.1 413 /);
      assert.match(text, /"code":"TOO_LARGE"/);
      assert.match(text, /connection: close/i);
      assert.equal(backend.calls.length, 0);
    });

    it("refuses a chunked body with 413 as soon as it passes the limit, without waiting for the rest", QUICK, async () => {
      const { gateway, backend } = await start();
      const { socket, closed } = await rawConnection(gateway);
      socket.write("POST /v1/synapses/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
      // 300 bytes of a 256-byte limit, and the body never ends.
      socket.write(`12c\r\n${"x".repeat(300)}\r\n`);
      const text = await closed;
      assert.match(text, /^HTTP\/1\.1 413 /);
      assert.match(text, /"code":"TOO_LARGE"/);
      assert.equal(backend.calls.length, 0);
    });

    it("with Expect: 100-continue, asks for the body only once the request is accepted, and refuses without asking", QUICK, async () => {
      const { gateway, backend } = await start();
      const refused = await rawConnection(gateway);
      refused.socket.write("POST /v1/synapses/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n");
      const refusal = await refused.closed;
      assert.match(refusal, /^HTTP\/1\.1 413 /, "a final answer, no 100 Continue");

      const accepted = await rawConnection(gateway);
      const body = '{"text":"after 100"}';
      accepted.socket.write(`POST /v1/synapses/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`);
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (!accepted.received().startsWith("HTTP/1.1 100 Continue\r\n\r\n")) return;
          accepted.socket.off("data", check);
          resolve();
        };
        accepted.socket.on("data", check);
      });
      accepted.socket.write(body);
      assert.match(await accepted.closed, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
      assert.equal(Buffer.from(backend.calls[0]!.body).toString(), body);
    });

    it("refuses a request with 503 BUSY and Retry-After while the requests in flight are at the cap", QUICK, async () => {
      const { gateway, backend } = await start({ limits: { maxInFlight: 1, busyRetryAfterMs: 2_000 } });
      const held = heldAnswer();
      backend.answer = held.answer;
      const arrived = backend.nextCall();
      const first = post(gateway, "echo", '{"text":"first"}');
      await arrived;
      const busy = await post(gateway, "echo", '{"text":"second"}');
      assertError(busy, 503, "BUSY");
      assert.equal(busy.headers["retry-after"], "2");
      assert.equal((await ask(gateway, "/metrics")).status, 200, "/metrics is outside the cap");
      held.release();
      assert.equal((await first).status, 200);
      assert.equal((await ask(gateway, "/v1/synapses")).status, 200, "the slot is free again");
    });

    it("closes connections whose headers do not arrive in time, serving other clients meanwhile", QUICK, async () => {
      const { gateway } = await start({ limits: { headersTimeoutMs: 300 } });
      const slow = await Promise.all(Array.from({ length: 20 }, () => rawConnection(gateway)));
      for (const { socket } of slow) socket.write("GET /v1/synapses HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
      for (let i = 0; i < 3; i++) assert.equal((await ask(gateway, "/v1/synapses")).status, 200, `request ${i} while 20 clients dawdle`);
      for (const [i, { closed }] of slow.entries()) {
        const text = await closed;
        assert.match(text, /^HTTP\/1\.1 408 /, `slow client ${i}`);
        assert.match(text, /"code":"REQUEST_TIMEOUT"/, `slow client ${i}`);
      }
    });

    it("answers 408 REQUEST_TIMEOUT to a body that does not arrive in time, serving another client meanwhile", QUICK, async () => {
      const { gateway, backend } = await start({ limits: { bodyTimeoutMs: 300 } });
      const slow = await rawConnection(gateway);
      slow.socket.write('POST /v1/synapses/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"text":');
      assert.equal((await post(gateway, "echo", '{"text":"quick"}')).status, 200, "another client is served");
      const text = await slow.closed;
      assert.match(text, /^HTTP\/1\.1 408 /);
      assert.match(text, /"code":"REQUEST_TIMEOUT"/);
      assert.equal(backend.calls.length, 1, "only the quick client's call");
    });

    it("refuses request headers over the limit with 431", QUICK, async () => {
      const { gateway } = await start({ limits: { maxHeaderBytes: 2_048 } });
      const slow = await rawConnection(gateway);
      slow.socket.write(`GET /v1/synapses HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${"a".repeat(4_096)}\r\n\r\n`);
      const text = await slow.closed;
      assert.match(text, /^HTTP\/1\.1 431 /);
      assert.match(text, /"code":"TOO_LARGE"/);
    });

    it("answers malformed HTTP with 400 BAD_REQUEST", QUICK, async () => {
      const { gateway } = await start();
      const raw = await rawConnection(gateway);
      raw.socket.write("NOT HTTP AT ALL\r\n\r\n");
      const text = await raw.closed;
      assert.match(text, /^HTTP\/1\.1 400 /);
      assert.match(text, /"code":"BAD_REQUEST"/);
    });
  });

  describe("aborts and closing", () => {
    it("aborts the backend's signal when the client disconnects", QUICK, async () => {
      const { gateway, backend } = await start();
      backend.answer = heldAnswer().answer;
      const arrived = backend.nextCall();
      const request = httpRequest({ host: "127.0.0.1", port: gateway.address.port, path: "/v1/synapses/echo", method: "POST", agent: false, headers: { "content-type": "application/json" } });
      request.on("error", () => undefined);
      request.end('{"text":"then I leave"}');
      const call = await arrived;
      assert.equal(call.signal.aborted, false);
      const aborted = once(call.signal, "abort");
      request.destroy();
      await aborted;
      assert.equal(call.signal.aborted, true);
    });

    it("close() lets a request in flight finish, then closes", QUICK, async () => {
      const { gateway, backend } = await start({ limits: { drainTimeoutMs: 5_000 } });
      const held = heldAnswer();
      backend.answer = held.answer;
      const arrived = backend.nextCall();
      const answer = post(gateway, "echo", '{"text":"finish me"}');
      const call = await arrived;
      const closed = gateway.close();
      held.release();
      assert.equal((await answer).status, 200);
      await closed;
      assert.equal(call.signal.aborted, false);
      await assert.rejects(ask(gateway, "/v1/synapses"), /ECONNREFUSED/);
    });

    it("close() aborts what is still in flight after the drain time and closes idle keep-alive connections", QUICK, async () => {
      const { gateway, backend } = await start({ limits: { drainTimeoutMs: 200 } });
      const agent = new Agent({ keepAlive: true });
      teardowns.push(() => agent.destroy());
      assert.equal((await ask(gateway, "/v1/synapses", { agent })).status, 200);
      backend.answer = heldAnswer().answer;
      const arrived = backend.nextCall();
      const stuck = post(gateway, "echo", '{"text":"never answered"}');
      const call = await arrived;
      await gateway.close();
      assert.equal(call.signal.aborted, true);
      const answer = await stuck;
      assertError(answer, 503, "SHUTTING_DOWN");
      assert.equal(answer.headers.connection, "close");
    });
  });

  describe("access", () => {
    it("refuses to start without keys on an address that is not loopback", QUICK, async () => {
      for (const host of ["0.0.0.0", "::", "192.0.2.1", "example.com"]) {
        await assert.rejects(startGatewayServer({ backend: new TestBackend(), host, port: 0 }), (error: Error & { code?: string }) => {
          assert.equal(error.name, "UserError", host);
          assert.equal(error.code, "GATEWAY_NEEDS_KEYS", host);
          assert.match(error.message, /needs API keys/);
          return true;
        });
      }
    });

    it("without keys, on loopback, takes every caller as local", QUICK, async () => {
      const { gateway, backend } = await start({ host: "localhost" });
      assert.equal(gateway.keyed, false);
      assert.equal(gateway.loopback, true);
      assert.equal((await post(gateway, "echo", '{"text":"a"}', { host: "localhost" })).status, 200);
      assert.deepEqual(backend.calls[0]!.caller, { keyName: "local" });
    });

    it("with keys: 401 without a key or with an unknown one, 403 for a synapse the key may not call, the key's name as the caller", QUICK, async () => {
      const alice = generateApiKey({ name: "alice" });
      const bob = generateApiKey({ name: "bob", synapses: ["echo"] });
      const { gateway, backend } = await start({ keysFile: keysFile("keys-401.json", [alice.entry, bob.entry]) });
      assert.equal(gateway.keyed, true);
      const missing = await post(gateway, "echo", '{"text":"a"}');
      assertError(missing, 401, "UNAUTHORIZED");
      assert.match(String(missing.headers["www-authenticate"]), /^Bearer/);
      assertError(await post(gateway, "echo", '{"text":"a"}', bearer(generateApiKey({ name: "mallory" }).key)), 401, "UNAUTHORIZED");
      assertError(await post(gateway, "echo", '{"text":"a"}', { authorization: `Basic ${alice.key}` }), 401, "UNAUTHORIZED");
      assertError(await post(gateway, "secret", "{}", bearer(bob.key)), 403, "FORBIDDEN");
      assert.equal(backend.calls.length, 0, "no refused call reaches the backend");
      assert.equal((await post(gateway, "echo", '{"text":"a"}', bearer(bob.key))).status, 200);
      assert.equal((await post(gateway, "secret", "{}", bearer(alice.key))).status, 200);
      assert.deepEqual(backend.calls.map((c) => c.caller.keyName), ["bob", "alice"]);
    });

    it("with keys: /v1/synapses and /v1/openapi.json are public; /v1/miners, /v1/attribution and /metrics need a key", QUICK, async () => {
      const alice = generateApiKey({ name: "alice" });
      const { gateway } = await start({ keysFile: keysFile("keys-public.json", [alice.entry]) });
      assert.equal((await ask(gateway, "/v1/synapses")).status, 200);
      const document = JSON.parse((await ask(gateway, "/v1/openapi.json")).text) as { components: { securitySchemes?: unknown } };
      assert.deepEqual(document.components.securitySchemes, { bearer: { type: "http", scheme: "bearer", description: "an API key from this gateway's operator" } });
      for (const path of ["/v1/miners", "/v1/attribution", "/metrics"]) {
        assertError(await ask(gateway, path), 401, "UNAUTHORIZED");
        assert.equal((await ask(gateway, path, { headers: bearer(alice.key) })).status, 200, path);
      }
    });

    it("limits each key to its rate with 429 and Retry-After, and lets it in again once its bucket refills", QUICK, async () => {
      let clock = 1_000_000;
      const slow = generateApiKey({ name: "slow", rate: { perSecond: 0.5, burst: 2 } });
      const other = generateApiKey({ name: "other", rate: { perSecond: 0.5, burst: 2 } });
      const { gateway } = await start({ keysFile: keysFile("keys-429.json", [slow.entry, other.entry]), now: () => clock });
      assert.equal((await post(gateway, "echo", '{"text":"1"}', bearer(slow.key))).status, 200);
      assert.equal((await post(gateway, "echo", '{"text":"2"}', bearer(slow.key))).status, 200);
      const limited = await post(gateway, "echo", '{"text":"3"}', bearer(slow.key));
      assertError(limited, 429, "RATE_LIMITED");
      assert.equal(limited.headers["retry-after"], "2", "one token at 0.5 per second");
      assert.equal((await post(gateway, "echo", '{"text":"x"}', bearer(other.key))).status, 200, "another key has its own bucket");
      clock += 1_000;
      assert.equal((await post(gateway, "echo", '{"text":"4"}', bearer(slow.key))).headers["retry-after"], "1");
      clock += 1_000;
      assert.equal((await post(gateway, "echo", '{"text":"5"}', bearer(slow.key))).status, 200);
    });

    it("reloads the keys file on demand, and keeps the keys in use when the new file is bad", QUICK, async () => {
      const alice = generateApiKey({ name: "alice" });
      const bob = generateApiKey({ name: "bob" });
      const path = keysFile("keys-reload.json", [alice.entry]);
      const { gateway } = await start({ keysFile: path });
      assertError(await post(gateway, "echo", '{"text":"a"}', bearer(bob.key)), 401, "UNAUTHORIZED");

      keysFile("keys-reload.json", [bob.entry]);
      assert.deepEqual(await gateway.reloadKeys(), { ok: true, keys: 1 });
      assert.equal((await post(gateway, "echo", '{"text":"a"}', bearer(bob.key))).status, 200);
      assertError(await post(gateway, "echo", '{"text":"a"}', bearer(alice.key)), 401, "UNAUTHORIZED");

      writeFileSync(path, "{ not json");
      const malformed = await gateway.reloadKeys();
      assert.equal(malformed.ok, false);
      assert.match(!malformed.ok ? malformed.error.message : "", /keys-reload\.json: not valid JSON/);
      keysFile("keys-reload.json", [alice.entry], 0o644);
      const open = await gateway.reloadKeys();
      assert.match(!open.ok ? open.error.message : "", /readable or writable by others/);
      assert.equal((await post(gateway, "echo", '{"text":"a"}', bearer(bob.key))).status, 200, "the old keys still work");
    });

    it("refuses to start with a keys file others may read", QUICK, async () => {
      const path = keysFile("keys-open.json", [generateApiKey({ name: "alice" }).entry], 0o640);
      await assert.rejects(startGatewayServer({ backend: new TestBackend(), host: "127.0.0.1", port: 0, keysFile: path }), { code: "API_KEYS_TOO_OPEN" });
    });
  });

  describe("Host header on loopback (DNS rebinding)", () => {
    it("refuses a Host that is not a loopback name with 403 BAD_HOST, and takes loopback names with any port", QUICK, async () => {
      const { gateway, backend } = await start();
      for (const host of ["evil.example", "evil.example:80", "127.0.0.1.evil.example", "10.0.0.1", "localhost.evil.example:8080"]) {
        assertError(await post(gateway, "echo", '{"text":"a"}', { host }), 403, "BAD_HOST");
        assertError(await ask(gateway, "/v1/synapses", { headers: { host } }), 403, "BAD_HOST");
      }
      assert.equal(backend.calls.length, 0);
      for (const host of ["localhost", "localhost:1", `127.0.0.1:${gateway.address.port}`, "127.1.2.3", "[::1]:8080", "LOCALHOST"]) {
        assert.equal((await ask(gateway, "/v1/synapses", { headers: { host } })).status, 200, host);
      }
    });
  });

  describe("CORS", () => {
    it("sends no CORS header and refuses OPTIONS when no origin is allowed", QUICK, async () => {
      const { gateway } = await start();
      const answer = await ask(gateway, "/v1/synapses", { headers: { origin: "https://app.example" } });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers["access-control-allow-origin"], undefined);
      assertError(await ask(gateway, "/v1/synapses/echo", { method: "OPTIONS", headers: { origin: "https://app.example", "access-control-request-method": "POST" } }), 405, "METHOD_NOT_ALLOWED");
    });

    it("answers an allowed origin's preflight and requests with its own origin, and Vary: Origin", QUICK, async () => {
      const { gateway } = await start({ corsOrigins: ["https://app.example", "http://localhost:5173"] });
      const preflight = await ask(gateway, "/v1/synapses/echo", {
        method: "OPTIONS",
        headers: { origin: "https://app.example", "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers["content-length"], undefined, "no Content-Length on a 204");
      assert.equal(preflight.headers["access-control-allow-origin"], "https://app.example");
      assert.match(String(preflight.headers["access-control-allow-methods"]), /POST/);
      assert.match(String(preflight.headers["access-control-allow-headers"]), /authorization/);
      assert.match(String(preflight.headers["access-control-allow-headers"]), /content-type/);
      assert.equal(preflight.headers["access-control-allow-credentials"], undefined);
      assert.equal(preflight.headers.vary, "Origin");
      const answer = await post(gateway, "echo", '{"text":"a"}', { origin: "https://app.example" });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers["access-control-allow-origin"], "https://app.example");
      assert.equal(answer.headers.vary, "Origin");
      const error = await post(gateway, "nowhere", "{}", { origin: "https://app.example" });
      assert.equal(error.headers["access-control-allow-origin"], "https://app.example", "errors are readable by the page too");
    });

    it("gives an origin not on the list no CORS header, and refuses its preflight with 403 BAD_ORIGIN", QUICK, async () => {
      const { gateway } = await start({ corsOrigins: ["https://app.example"] });
      const answer = await ask(gateway, "/v1/synapses", { headers: { origin: "https://evil.example" } });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers["access-control-allow-origin"], undefined);
      assert.equal(answer.headers.vary, "Origin");
      assertError(await ask(gateway, "/v1/synapses/echo", { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "POST" } }), 403, "BAD_ORIGIN");
    });

    it("refuses an allow-list entry that is not an origin", QUICK, async () => {
      for (const origin of ["*", "https://app.example/", "app.example", "ftp://app.example"]) {
        await assert.rejects(startGatewayServer({ backend: new TestBackend(), host: "127.0.0.1", port: 0, corsOrigins: [origin] }), { code: "GATEWAY_BAD_CORS_ORIGIN" }, origin);
      }
    });
  });

  describe("static files (the playground)", () => {
    const root = join(dir, "static");
    mkdirSync(join(root, "assets"), { recursive: true });
    writeFileSync(join(root, "index.html"), "<!doctype html><title>playground</title>");
    writeFileSync(join(root, "assets", "app.js"), "console.log('hi')");
    writeFileSync(join(root, "assets", "style.css"), "body{}");
    writeFileSync(join(root, ".env"), "SECRET=1");
    writeFileSync(join(dir, "outside.txt"), "outside the static directory");
    symlinkSync(join(dir, "outside.txt"), join(root, "link.txt"));

    it("serves index.html at / and files with their content types", QUICK, async () => {
      const { gateway } = await start({ staticDir: root });
      const index = await ask(gateway, "/");
      assert.equal(index.status, 200);
      assert.equal(index.headers["content-type"], "text/html; charset=utf-8");
      assert.equal(index.text, "<!doctype html><title>playground</title>");
      assert.match(String(index.headers["content-security-policy"]), /default-src 'self'.*frame-ancestors 'none'/, "a strict policy, framing refused");
      assert.equal(index.headers["x-frame-options"], "DENY");
      assert.equal((await ask(gateway, "/index.html")).status, 200);
      const script = await ask(gateway, "/assets/app.js");
      assert.equal(script.headers["content-type"], "text/javascript; charset=utf-8");
      assert.equal(script.headers["x-content-type-options"], "nosniff");
      assert.equal((await ask(gateway, "/assets/style.css")).headers["content-type"], "text/css; charset=utf-8");
    });

    it("never serves a file outside the directory, a dotfile, or a missing file", QUICK, async () => {
      const { gateway } = await start({ staticDir: root });
      for (const path of ["/../outside.txt", "/%2e%2e/outside.txt", "/assets/..%2f..%2foutside.txt", "/link.txt", "/.env", "/assets/", "/missing.html", "/assets%5c..%5c..%5coutside.txt"]) {
        const answer = await ask(gateway, path);
        assert.equal(answer.status, 404, path);
        assert.doesNotMatch(answer.text, /outside the static|SECRET/, path);
      }
    });

    it("answers / with 404 when no directory is given", QUICK, async () => {
      const { gateway } = await start();
      assertError(await ask(gateway, "/"), 404, "NOT_FOUND");
    });
  });
});
