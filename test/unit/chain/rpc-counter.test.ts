import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { countRequests, rpcMetrics, RpcCounter, type CountableProvider } from "../../../src/chain/rpc-counter.js";
import { Exposition } from "../../../src/util/status-server.js";

/** A provider like WsProvider: `subscribe` goes through `this.send`; cacheable answers are kept and counted as cached. */
class FakeProvider implements CountableProvider {
  readonly stats = { total: { cached: 0 } };
  readonly wire: string[] = [];
  readonly #cache = new Map<string, Promise<unknown>>();

  send(method: string, params: unknown[], isCacheable?: boolean, _subscription?: unknown): Promise<unknown> {
    const key = `${method}:${JSON.stringify(params)}`;
    const hit = isCacheable ? this.#cache.get(key) : undefined;
    if (hit) {
      this.stats.total.cached += 1;
      return hit;
    }
    this.wire.push(method);
    const answer = Promise.resolve(`${method} answered`);
    if (isCacheable) this.#cache.set(key, answer);
    return answer;
  }

  subscribe(method: string, params: unknown[]): Promise<unknown> {
    return this.send(method, params, false, { type: "x" });
  }
}

describe("the RPC request counter", () => {
  it("counts each request that goes on the wire by method, subscriptions included, cache hits not", async () => {
    const provider = new FakeProvider();
    const counter = new RpcCounter();
    countRequests(provider, counter);
    await provider.send("state_getStorage", ["0x01"]);
    await provider.send("state_getStorage", ["0x02"]);
    await provider.send("state_call", ["getMetagraph", "0x01"]);
    await provider.subscribe("chain_subscribeNewHeads", []);
    await provider.send("state_getMetadata", ["0xabc"], true);
    await provider.send("state_getMetadata", ["0xabc"], true); // from the cache
    assert.deepEqual(provider.wire, ["state_getStorage", "state_getStorage", "state_call", "chain_subscribeNewHeads", "state_getMetadata"]);
    counter.blockSeen();
    counter.blockSeen();
    assert.deepEqual(counter.snapshot(), { requests: { chain_subscribeNewHeads: 1, state_call: 1, state_getMetadata: 1, state_getStorage: 2 }, rateLimited: 0, blocks: 2 });
    assert.equal(counter.total, 5);
  });

  it("runs each request through `around` (where backoff lives), counting every attempt", async () => {
    const provider = new FakeProvider();
    const counter = new RpcCounter();
    const seen: string[] = [];
    countRequests(provider, counter, async (method, send) => {
      seen.push(method);
      await send();
      return send(); // a retry is a second round trip
    });
    assert.equal(await provider.send("system_health", []), "system_health answered");
    assert.deepEqual(seen, ["system_health"]);
    assert.deepEqual(counter.snapshot().requests, { system_health: 2 });
  });

  it("shows in /metrics as requests by method, rate-limited requests and blocks seen", () => {
    const counter = new RpcCounter();
    counter.request("state_queryStorageAt");
    counter.request("state_queryStorageAt");
    counter.request("chain_subscribeNewHeads");
    counter.rateLimited();
    counter.blockSeen();
    const out = new Exposition();
    rpcMetrics(out, counter.snapshot());
    const text = out.text();
    assert.match(text, /^tensornode_chain_rpc_requests_total\{method="state_queryStorageAt"\} 2$/m);
    assert.match(text, /^tensornode_chain_rpc_requests_total\{method="chain_subscribeNewHeads"\} 1$/m);
    assert.match(text, /^tensornode_chain_rpc_rate_limited_total 1$/m);
    assert.match(text, /^tensornode_chain_blocks_seen_total 1$/m);
    assert.match(text, /# TYPE tensornode_chain_rpc_requests_total counter/);
  });
});
