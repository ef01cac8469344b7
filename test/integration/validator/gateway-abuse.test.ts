/**
 * Regressions found by the gateway fuzzing (`npm run reliability -- fuzz-gateway`): answers that
 * were a 500, an undocumented status without a JSON body, no answer at all, an answer read as
 * another request's, and slow uploads that took every place among the requests in flight.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { afterEach, describe, it } from "node:test";
import type { Caller, GatewayAnswer, GatewayBackend, SynapseInfo } from "../../../src/validator/gateway/contract.js";
import { startGatewayServer, type GatewayLimits, type GatewayServer } from "../../../src/validator/gateway/http-server.js";

const teardowns: (() => unknown)[] = [];
afterEach(async () => {
  for (const teardown of teardowns.splice(0).reverse()) await teardown();
});
const QUICK = { timeout: 10_000 };

const ECHO: SynapseInfo = {
  name: "echo",
  description: "says back what it is told",
  timeoutMs: 1_000,
  input: { type: "object" },
  output: { type: "object" },
  example: {},
  maxBodyBytes: 256,
};

/** Echoes the JSON it is sent, after `delayMs`; `hold` keeps every call in flight until released. */
class EchoBackend implements GatewayBackend {
  delayMs = 0;
  calls = 0;
  #held: Promise<void> | undefined;
  #release: (() => void) | undefined;

  hold(): void {
    this.#held = new Promise((resolve) => (this.#release = resolve));
  }

  release(): void {
    this.#release?.();
  }

  synapses(): readonly SynapseInfo[] {
    return [ECHO];
  }

  async call(_synapse: string, body: Uint8Array, _caller: Caller, _signal: AbortSignal): Promise<GatewayAnswer> {
    this.calls += 1;
    await this.#held;
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return { output: JSON.parse(Buffer.from(body).toString("utf8")) as unknown, miner: { uid: 1, hotkey: "5Miner" }, latencyMs: 1, receipt: "" };
  }

  miners(): unknown {
    return { miners: [] };
  }

  async attribution(sinceMs: number): Promise<unknown> {
    return { since: new Date(sinceMs).toISOString(), miners: [] };
  }
}

async function start(limits: Partial<GatewayLimits> = {}): Promise<{ gateway: GatewayServer; backend: EchoBackend }> {
  const backend = new EchoBackend();
  const gateway = await startGatewayServer({ backend, host: "127.0.0.1", port: 0, limits });
  teardowns.push(() => gateway.close());
  return { gateway, backend };
}

/** A raw connection: what it has received so far, and everything once the server closes it. */
async function raw(gateway: GatewayServer): Promise<{ socket: Socket; received: () => string; closed: Promise<string> }> {
  const socket = connect(gateway.address.port, "127.0.0.1");
  teardowns.push(() => socket.destroy());
  let text = "";
  socket.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  socket.on("error", () => undefined);
  const closed = once(socket, "close").then(() => text);
  await once(socket, "connect");
  return { socket, received: () => text, closed };
}

/** Sends `bytes` on a fresh connection and returns all the server said before closing it. */
async function exchange(gateway: GatewayServer, bytes: string): Promise<string> {
  const connection = await raw(gateway);
  connection.socket.write(bytes);
  return connection.closed;
}

const echoRequest = (body: string, headers = ""): string =>
  `POST /v1/synapses/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headers}\r\n${body}`;

/** The status and error code of each answer in `text`, in order (`200` for a success). */
function answers(text: string): string[] {
  return [...text.matchAll(/HTTP\/1\.1 (\d{3})[^\r]*\r\n(?:[^\r]+\r\n)*\r\n(\{"error":\{"code":"([A-Z_]+)")?/g)].map((m) => (m[3] ? `${m[1]} ${m[3]}` : m[1]!));
}

describe("the gateway's answers to abuse the fuzzing found", () => {
  it("refuses since= past the last time a Date holds with 400 BAD_INPUT (it was a 500 from the organic service)", QUICK, async () => {
    const { gateway } = await start();
    assert.deepEqual(answers(await exchange(gateway, "GET /v1/attribution?since=9999999999999999 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")), ["400 BAD_INPUT"]);
    assert.deepEqual(answers(await exchange(gateway, "GET /v1/attribution?since=8640000000000000 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")), ["200"]);
  });

  it("answers a request with an Expect other than 100-continue as any other (Node alone answers 417 without a JSON body)", QUICK, async () => {
    const { gateway } = await start();
    const text = await exchange(gateway, echoRequest('{"a":1}', "Expect: the-unexpected\r\nConnection: close\r\n"));
    assert.deepEqual(answers(text), ["200"]);
    assert.match(text, /"output":\{"a":1\}/);
  });

  it("answers CONNECT with 405 METHOD_NOT_ALLOWED in JSON and Allow (Node alone drops the connection unanswered)", QUICK, async () => {
    const { gateway } = await start();
    const text = await exchange(gateway, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
    assert.deepEqual(answers(text), ["405 METHOD_NOT_ALLOWED"]);
    assert.match(text, /\r\nallow: GET, HEAD, POST\r\n/i);
  });

  it("answers a pipelined request before the 400 for the bad bytes that follow it (the 400 was read as its answer)", QUICK, async () => {
    const { gateway, backend } = await start();
    backend.delayMs = 50;
    const text = await exchange(gateway, `${echoRequest('{"first":true}')}GARBAGE\r\n\r\n`);
    assert.deepEqual(answers(text), ["200", "400 BAD_REQUEST"]);
    assert.match(text, /"output":\{"first":true\}/);
  });

  it("still refuses bad bytes inside the body of the request being read at once, with 400 (not a 408 at the body timeout)", QUICK, async () => {
    const { gateway } = await start({ bodyTimeoutMs: 20_000 });
    const text = await exchange(gateway, "POST /v1/synapses/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");
    assert.deepEqual(answers(text), ["400 BAD_REQUEST"]);
  });

  it("gives a body on its way no place among the requests in flight: slow uploads beyond the cap leave it serving", QUICK, async () => {
    const { gateway, backend } = await start({ maxInFlight: 2, bodyTimeoutMs: 5_000 });
    const slow = await Promise.all(Array.from({ length: 4 }, () => raw(gateway)));
    for (const { socket } of slow) socket.write(echoRequest('{"slow":"upload"}').slice(0, -5));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const text = await exchange(gateway, echoRequest('{"b":2}', "Connection: close\r\n"));
    assert.deepEqual(answers(text), ["200"]);
    for (const { socket, received } of slow) {
      socket.write('oad"}');
      while (answers(received()).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(answers(received()), ["200"]);
    }
    assert.equal(backend.calls, 5);
  });

  it("refuses with 503 BUSY before asking for the body when the requests in flight are at the cap", QUICK, async () => {
    const { gateway, backend } = await start({ maxInFlight: 1 });
    backend.hold();
    const first = await raw(gateway);
    first.socket.write(echoRequest('{"n":1}'));
    while (backend.calls === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const text = await exchange(gateway, "POST /v1/synapses/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 7\r\nExpect: 100-continue\r\n\r\n");
    assert.deepEqual(answers(text), ["503 BUSY"], "a final answer, no 100 Continue");
    backend.release();
    while (answers(first.received()).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(answers(first.received()), ["200"]);
  });
  it("bounds the bytes of bodies still arriving: an upload past the budget is 503 BUSY, and the budget comes back once bodies are in", QUICK, async () => {
    const { gateway } = await start({ maxArrivingBodyBytes: 20, bodyTimeoutMs: 5_000 });
    const uploads = await Promise.all([raw(gateway), raw(gateway)]);
    // 12 of each 17-byte body: together 24 bytes, past the budget of 20; whichever comes second is refused.
    for (const { socket } of uploads) socket.write(echoRequest('{"slow":"upload"}').slice(0, -5));
    while (uploads.every((u) => answers(u.received()).length === 0)) await new Promise((resolve) => setTimeout(resolve, 10));
    const refused = uploads.find((u) => answers(u.received()).length > 0)!;
    const kept = uploads.find((u) => u !== refused)!;
    assert.deepEqual(answers(refused.received()), ["503 BUSY"]);
    assert.match(refused.received(), /retry-after: \d+/i);
    kept.socket.write('oad"}');
    while (answers(kept.received()).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(answers(kept.received()), ["200"]);
    assert.deepEqual(answers(await exchange(gateway, echoRequest('{"after":"wards"}', "Connection: close\r\n"))), ["200"], "the budget is given back");
  });
});
