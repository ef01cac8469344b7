import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_REDUNDANCY as GATEWAY_MAX_REDUNDANCY } from "../../../../src/subnet/public-api.js";
import { encodeRequest, formatBytes, MAX_REDUNDANCY } from "../../../../src/web/playground/request-body.js";

const text = (body: Uint8Array): string => new TextDecoder().decode(body);

describe("the bytes the page sends", () => {
  it("are the input's JSON, with redundancy beside its properties only when more than one miner is asked", () => {
    const one = encodeRequest({ input: [1, 2] }, 1, 4096);
    assert.ok(one.ok);
    assert.equal(text(one.body), '{"input":[1,2]}');
    const three = encodeRequest({ input: [1, 2] }, 3, 4096);
    assert.ok(three.ok);
    assert.equal(text(three.body), '{"input":[1,2],"redundancy":3}');
  });

  it("ask from 1 to the gateway's own bound of miners", () => {
    assert.equal(MAX_REDUNDANCY, GATEWAY_MAX_REDUNDANCY);
    for (const k of [0, MAX_REDUNDANCY + 1, 1.5]) assert.deepEqual(encodeRequest({}, k, 4096), { ok: false, message: `ask from 1 to ${MAX_REDUNDANCY} miners, not ${k}` });
    assert.equal(encodeRequest([1], 2, 4096).ok, false, "an input that is not an object cannot carry a redundancy");
    assert.equal(encodeRequest([1], 1, 4096).ok, true);
  });

  it("over the synapse's maxBodyBytes are refused before sending, with both sizes", () => {
    assert.equal(encodeRequest({ image: "A".repeat(100) }, 1, 112).ok, true);
    assert.deepEqual(encodeRequest({ image: "A".repeat(100) }, 1, 111), { ok: false, message: "the request is 112 bytes, over this synapse's limit of 111 bytes" });
    assert.equal(formatBytes(9 * 1024 * 1024 + 100_000), "9.1 MiB");
    assert.equal(formatBytes(4096), "4 KiB");
  });
});
