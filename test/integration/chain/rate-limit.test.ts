/**
 * A chain endpoint that rate-limits, faked by a tiny WebSocket JSON-RPC server in front of an
 * in-process devnet: it refuses handshakes with HTTP 429, then answers chosen requests with
 * JSON-RPC error -32029 "Too many requests". The connection backs off, gets through, and says so
 * once.
 */
import "@polkadot/api-augment";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { WebSocket, WebSocketServer } from "ws";
import { connectChain } from "../../../src/chain/connection.js";
import { DevnetNode } from "../../../src/devnet/node.js";
import { silentLog } from "../../helpers/devnet.js";

interface Limiter {
  /** Handshakes still to refuse with 429. */
  handshakes: number;
  /** Requests of these methods still to refuse with -32029. */
  requests: number;
  methods: Set<string>;
  refusedHandshakes: number;
  refusedRequests: number;
}

/** A proxy to `upstream` that refuses as `limiter` says. */
async function rateLimitingProxy(upstream: string, limiter: Limiter): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    if (limiter.handshakes > 0) {
      limiter.handshakes -= 1;
      limiter.refusedHandshakes += 1;
      socket.end("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (client) => {
      const node = new WebSocket(upstream);
      const queued: string[] = [];
      node.on("open", () => queued.splice(0).forEach((m) => node.send(m)));
      node.on("message", (data) => client.send(data.toString()));
      node.on("close", () => client.close());
      client.on("close", () => node.close());
      client.on("message", (data) => {
        const text = data.toString();
        const request = JSON.parse(text) as { id: number; method: string };
        if (limiter.requests > 0 && limiter.methods.has(request.method)) {
          limiter.requests -= 1;
          limiter.refusedRequests += 1;
          client.send(JSON.stringify({ jsonrpc: "2.0", id: request.id, error: { code: -32029, message: "Too many requests" } }));
          return;
        }
        if (node.readyState === WebSocket.OPEN) node.send(text);
        else queued.push(text);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("a rate-limiting chain endpoint", { timeout: 60_000 }, () => {
  let node: DevnetNode;
  let proxy: { url: string; server: Server };
  const limiter: Limiter = { handshakes: 2, requests: 0, methods: new Set(), refusedHandshakes: 0, refusedRequests: 0 };

  before(async () => {
    node = await DevnetNode.start({ port: 0, blockTime: { mode: "instant" }, log: silentLog });
    proxy = await rateLimitingProxy(node.endpoint.wsUrl, limiter);
  });

  after(async () => {
    proxy?.server.closeAllConnections();
    await new Promise((resolve) => proxy?.server.close(resolve));
    await node?.stop();
  });

  it("is connected to after its 429 handshakes and read from after its -32029 answers, backing off and saying so once", async () => {
    const warnings: string[] = [];
    const log = { debug: () => undefined, warn: (_o: object, m: string) => void warnings.push(m), info: () => undefined };
    const started = Date.now();
    const chain = await connectChain(proxy.url, { timeoutMs: 10_000, rateLimitMs: { first: 100, max: 400 }, log });
    try {
      assert.equal(limiter.refusedHandshakes, 2, "two handshakes refused with 429");
      assert.ok(Date.now() - started >= 100 + 200 - 20, "the handshakes were retried after 100, then 200 ms");
      assert.equal(chain.api.runtimeVersion.specName.toString(), "node-subtensor");

      limiter.methods = new Set(["state_queryStorageAt", "state_getStorage"]);
      limiter.requests = 3;
      const before = chain.rpc.snapshot();
      const t0 = Date.now();
      const head = await chain.api.query.system.number();
      assert.ok(head.toNumber() >= 0);
      assert.equal(limiter.refusedRequests, 3);
      assert.ok(Date.now() - t0 >= 100 + 200 + 400 - 50, `each refusal doubled the wait (${Date.now() - t0} ms)`);
      const after = chain.rpc.snapshot();
      assert.equal(after.rateLimited - before.rateLimited, 3);
      const sent = (s: typeof after): number => (s.requests["state_queryStorageAt"] ?? 0) + (s.requests["state_getStorage"] ?? 0);
      assert.equal(sent(after) - sent(before), 4, "every attempt is a round trip, counted");
      assert.equal(after.rateLimited, 5, "2 handshakes and 3 requests");
      assert.equal(warnings.length, 1, `said once: ${warnings.join(" | ")}`);
      assert.match(warnings[0]!, new RegExp(`the chain endpoint ${proxy.url} is rate-limiting this client \\(.*429.*\\); backing off`));
    } finally {
      await chain.close();
    }
  });

  it("gives up after its time-out on an endpoint that refuses every handshake, saying it is rate-limited", async () => {
    limiter.handshakes = 1_000;
    await assert.rejects(connectChain(proxy.url, { timeoutMs: 1_500, rateLimitMs: { first: 100, max: 200 } }), /cannot reach the chain at .* within 2 s \(it answers 429 Too Many Requests: rate-limited\)/);
    limiter.handshakes = 0;
  });
});
