import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { callSynapse, failureOf, fetchSynapses, type FetchLike } from "../../../../src/web/playground/gateway-client.js";

interface Seen {
  url: string;
  init: RequestInit | undefined;
}

/** A fetch that answers `status` with `body` and records what it was asked. */
function answering(status: number, body: string): { fetch: FetchLike; seen: Seen[] } {
  const seen: Seen[] = [];
  return { seen, fetch: async (url, init) => (seen.push({ url, init }), new Response(body, { status })) };
}

const SYNAPSE = { name: "infer", description: "one row", timeoutMs: 3000, input: { type: "object" }, output: { type: "object" }, example: { input: [1] }, maxBodyBytes: 4096 };
const ANSWER = { output: { text: "hi" }, miner: { uid: 4, hotkey: "5F" }, latencyMs: 12.5, receipt: "AQ==" };
let clock = 0;
const now = (): number => (clock += 10);

describe("the page's calls to its gateway", () => {
  it("lists the synapses GET /v1/synapses offers", async () => {
    const { fetch, seen } = answering(200, JSON.stringify({ synapses: [SYNAPSE] }));
    assert.deepEqual(await fetchSynapses(fetch, "http://127.0.0.1:8091"), { ok: true, value: [SYNAPSE] });
    assert.equal(seen[0]!.url, "http://127.0.0.1:8091/v1/synapses");
  });

  it("posts the exact bytes given as JSON, with the API key as a bearer only when there is one", async () => {
    const body = new TextEncoder().encode('{"input":[1]}');
    const { fetch, seen } = answering(200, JSON.stringify(ANSWER));
    const outcome = await callSynapse(fetch, "http://h", "infer", body, "tnk_abc", now);
    assert.deepEqual(outcome, { ok: true, value: { answer: ANSWER, output: ANSWER.output, miner: ANSWER.miner, latencyMs: 12.5, roundTripMs: 10 } });
    assert.equal(seen[0]!.url, "http://h/v1/synapses/infer");
    assert.equal(seen[0]!.init?.method, "POST");
    assert.equal(seen[0]!.init?.body, body, "the very bytes, not a copy re-encoded");
    assert.deepEqual(seen[0]!.init?.headers, { "content-type": "application/json", accept: "application/json", authorization: "Bearer tnk_abc" });
    await callSynapse(fetch, "http://h", "infer", body, "", now);
    assert.equal((seen[1]!.init?.headers as Record<string, string>).authorization, undefined);
  });

  it("gives the gateway's error message and code for its JSON errors", async () => {
    const error = { error: { code: "RATE_LIMITED", message: 'the API key "alice" is over its rate of 5 requests per second' } };
    const { fetch } = answering(429, JSON.stringify(error));
    assert.deepEqual(await callSynapse(fetch, "http://h", "infer", new Uint8Array(), "", now), { ok: false, failure: { status: 429, ...error.error } });
    assert.deepEqual(await fetchSynapses(answering(403, JSON.stringify({ error: { code: "BAD_HOST", message: "not a loopback name" } })).fetch, "http://h"), {
      ok: false,
      failure: { status: 403, code: "BAD_HOST", message: "not a loopback name" },
    });
  });

  it("says what came instead of an answer: no connection, an HTML error page, an answer of the wrong shape", async () => {
    const down: FetchLike = async () => {
      throw new TypeError("Failed to fetch");
    };
    assert.deepEqual(await callSynapse(down, "http://h", "infer", new Uint8Array(), "", now), { ok: false, failure: { status: 0, code: "UNREACHABLE", message: "the gateway could not be reached (Failed to fetch)" } });
    assert.deepEqual(failureOf(502, "<html>Bad Gateway</html>"), { status: 502, code: "BAD_ANSWER", message: "the gateway answered HTTP 502 without an error message" });
    const shapeless = await callSynapse(answering(200, JSON.stringify({ output: 1 })).fetch, "http://h", "infer", new Uint8Array(), "", now);
    assert.deepEqual(shapeless, { ok: false, failure: { status: 200, code: "BAD_ANSWER", message: "the gateway's answer is not an answer with an output, a miner and a latency" } });
    const notJson = await fetchSynapses(answering(200, "<html>").fetch, "http://h");
    assert.deepEqual(notJson, { ok: false, failure: { status: 200, code: "BAD_ANSWER", message: "the gateway's answer is not JSON" } });
    const notList = await fetchSynapses(answering(200, JSON.stringify({ synapses: [{ name: 3 }] })).fetch, "http://h");
    assert.deepEqual(notList, { ok: false, failure: { status: 200, code: "BAD_ANSWER", message: "the gateway's answer is not a list of synapses" } });
  });
});
