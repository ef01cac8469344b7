import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isRateLimitError, RateLimitBackoff } from "../../../src/chain/rate-limit.js";
import { RpcCounter } from "../../../src/chain/rpc-counter.js";

const limited = (): Error => Object.assign(new Error("-32029: Too many requests"), { code: -32029 });

function recorder(): { lines: string[]; log: { debug(o: object, m: string): void; warn(o: object, m: string): void } } {
  const lines: string[] = [];
  return { lines, log: { debug: () => undefined, warn: (_o, m) => void lines.push(m) } };
}

describe("rate limits", () => {
  it("knows a rate-limit refusal: JSON-RPC -32029, 'Too many requests', a 429 handshake", () => {
    assert.ok(isRateLimitError(limited()));
    assert.ok(isRateLimitError({ code: -32000, message: "Too Many Requests" }));
    assert.ok(isRateLimitError({ message: "Unexpected server response: 429" }));
    assert.ok(isRateLimitError({ type: "error", message: "", error: new Error("Unexpected server response: 429") }));
    assert.ok(isRateLimitError({ code: -32000, message: "rate limit exceeded" }));
    assert.ok(!isRateLimitError(new Error("-32000: Client error: Execution failed")));
    assert.ok(!isRateLimitError(new Error("Unexpected server response: 502")));
    assert.ok(!isRateLimitError(undefined));
  });

  it("sends a refused request again after a doubling wait, and says so once per episode", async () => {
    const counter = new RpcCounter();
    const { lines, log } = recorder();
    const backoff = new RateLimitBackoff({ endpoint: "ws://x", counter, firstMs: 5, maxMs: 20, log });
    let calls = 0;
    const started = Date.now();
    const answer = await backoff.around("state_call", async () => {
      calls += 1;
      if (calls <= 4) throw limited();
      return "ok";
    });
    assert.equal(answer, "ok");
    assert.equal(calls, 5);
    assert.ok(Date.now() - started >= 5 + 10 + 20 + 20 - 5, "waited 5, 10, 20, 20 ms");
    assert.equal(counter.snapshot().rateLimited, 4);
    // A second burst within the quiet minute belongs to the same episode: nothing more is said.
    calls = 0;
    await backoff.around("state_call", async () => (++calls <= 1 ? Promise.reject(limited()) : "ok"));
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /rate-limiting this client \(-32029: Too many requests\); backing off/);
    assert.equal(backoff.episodes, 1);
  });

  it("makes every request wait out a backoff in force, and gives up on one refused too often", async () => {
    const counter = new RpcCounter();
    const backoff = new RateLimitBackoff({ endpoint: "ws://x", counter, firstMs: 30, maxMs: 30, retries: 2 });
    await assert.rejects(backoff.around("a", () => Promise.reject(limited())), /Too many requests/);
    assert.equal(counter.snapshot().rateLimited, 3);
    backoff.refused("b", limited());
    const started = Date.now();
    assert.equal(await backoff.around("c", async () => "went"), "went");
    assert.ok(Date.now() - started >= 25, "the next request waited for the backoff");
    await assert.rejects(backoff.around("d", () => Promise.reject(new Error("-32000: other"))), /other/);
  });
});
