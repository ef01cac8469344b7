import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { before, describe, it } from "node:test";
import { encodeAddress } from "@polkadot/util-crypto";
import { Store } from "../../../src/db/store.js";
import { PROTOCOL_VERSION, requestNonce, type RequestHeader } from "../../../src/p2p/protocol/frames.js";
import { checkOrganicReceipt, decodeOrganicReceipt, encodeOrganicReceipt, organicAnswerBody, organicRequestBody, readOrganicRequest, type OrganicReceipt } from "../../../src/p2p/protocol/organic.js";
import { hash256, requestHash, signResponse } from "../../../src/p2p/protocol/signing.js";
import { encodeTensors } from "../../../src/p2p/protocol/tensors.js";
import { FrameError } from "../../../src/p2p/protocol/bytes.js";
import { checkAnswer } from "../../../src/p2p/protocol/answer-check.js";
import { attributionTable } from "../../../src/validator/gateway/attribution.js";
import { chooseMiners, type Candidate } from "../../../src/validator/gateway/miner-choice.js";
import { OrganicLedger, type OrganicRecord } from "../../../src/validator/organic-ledger.js";
import { prng } from "../../../src/util/prng.js";
import { sr25519Ready, sr25519SignerFromSeed, type Sr25519Signer } from "../../../src/util/sr25519.js";
import { sessionSignerOf } from "../../../src/p2p/session-key.js";

const encoder = new TextEncoder();

/** A validator's request for `userBody` and a miner's signed answer `output`, as the gateway relays them. */
function relay(validator: Sr25519Signer, miner: Sr25519Signer, userBody: Uint8Array, output: unknown): OrganicReceipt {
  const request: RequestHeader = {
    version: PROTOCOL_VERSION,
    netuid: 1,
    genesisHash: new Uint8Array(32).fill(7),
    validator: validator.publicKey,
    miner: miner.publicKey,
    nonce: requestNonce(new Uint8Array(randomBytes(12)), 1),
    timestampMs: 1_700_000_000_000n,
    deadlineMs: 1_700_000_003_000n,
    synapse: "recognize",
    bodyHash: hash256(encodeTensors(organicRequestBody(userBody))),
  };
  const answer = encodeTensors(organicAnswerBody(encoder.encode(JSON.stringify(output))));
  const response = signResponse({ version: PROTOCOL_VERSION, status: 0, streamed: false, miner: miner.publicKey, requestHash: requestHash(request), timestampMs: 1_700_000_000_100n, bodyHash: hash256(answer) }, sessionSignerOf(miner));
  return { request, response, answer };
}

describe("an organic receipt ties the miner's output to the user's exact bytes", () => {
  let validator: Sr25519Signer;
  let miner: Sr25519Signer;
  let other: Sr25519Signer;
  const body = encoder.encode('{"image":"aGVsbG8="}');
  before(async () => {
    await sr25519Ready();
    validator = sr25519SignerFromSeed(new Uint8Array(32).fill(1));
    miner = sr25519SignerFromSeed(new Uint8Array(32).fill(2));
    other = sr25519SignerFromSeed(new Uint8Array(32).fill(3));
  });

  it("the request body is the user's bytes untouched, in one tensor", () => {
    assert.deepEqual(readOrganicRequest(organicRequestBody(body)), body);
    assert.equal(readOrganicRequest(new Map()), undefined);
  });

  it("round-trips through its bytes and holds for the body sent", () => {
    const receipt = decodeOrganicReceipt(encodeOrganicReceipt(relay(validator, miner, body, { text: "hello" })));
    assert.equal(checkOrganicReceipt(receipt, body), undefined);
  });

  it("does not hold for another body, even one byte apart, nor for a swapped answer or signer", () => {
    const receipt = relay(validator, miner, body, { text: "hello" });
    assert.equal(checkOrganicReceipt(receipt, encoder.encode('{"image":"aGVsbG8=" }')), "not your request");
    const swapped = relay(validator, miner, body, { text: "goodbye" });
    assert.equal(checkOrganicReceipt({ ...receipt, answer: swapped.answer }, body), "answer hash");
    const forged = relay(validator, other, body, { text: "hello" });
    assert.equal(checkOrganicReceipt({ ...receipt, response: { ...forged.response, miner: miner.publicKey } }, body), "response signature");
  });

  it("does not hold once any field of the (unsigned) request is changed: the miner signed its hash", () => {
    const receipt = relay(validator, miner, body, { text: "hello" });
    const changed: Partial<RequestHeader>[] = [
      { validator: other.publicKey },
      { nonce: requestNonce(receipt.request.nonce.subarray(0, 12), 2) },
      { timestampMs: receipt.request.timestampMs + 1n },
      { deadlineMs: receipt.request.deadlineMs + 1n },
      { synapse: "other" },
      { netuid: 2 },
      { genesisHash: new Uint8Array(32).fill(8) },
    ];
    for (const change of changed) assert.equal(checkOrganicReceipt({ ...receipt, request: { ...receipt.request, ...change } }, body), "request hash", JSON.stringify(Object.keys(change)));
    // Through the bytes too: a receipt whose request header was altered after encoding fails the same way.
    const bytes = encodeOrganicReceipt(receipt);
    const altered = bytes.slice();
    const nonceEnd = 1 + 1 + 2 + 32 + 32 + 32 + 15; // the receipt's version; the request's version, netuid, genesis hash, validator, miner; the nonce's last byte
    altered[nonceEnd] = altered[nonceEnd]! ^ 0x01;
    assert.equal(checkOrganicReceipt(decodeOrganicReceipt(altered), body), "request hash");
    // A miner swapped in the request, with the response still naming the miner who signed, is "miner".
    assert.equal(checkOrganicReceipt({ ...receipt, request: { ...receipt.request, miner: other.publicKey } }, body), "miner");
  });

  it("refuses malformed receipt bytes with a FrameError, never anything else", () => {
    const bytes = encodeOrganicReceipt(relay(validator, miner, body, { text: "x" }));
    const random = prng(5);
    for (let i = 0; i < 300; i++) {
      const cut = bytes.slice(0, Math.floor(random() * bytes.length));
      assert.throws(() => decodeOrganicReceipt(cut), FrameError);
    }
    assert.throws(() => decodeOrganicReceipt(new Uint8Array([9, ...bytes.subarray(1)])), /receipt version 9/);
  });

  it("a gateway answer checks out only when its output, miner and receipt agree", () => {
    const receipt = relay(validator, miner, body, { text: "hello" });
    const answer = { output: { text: "hello" }, miner: { uid: 3, hotkey: encodeAddress(miner.publicKey, 42) }, latencyMs: 12, receipt: Buffer.from(encodeOrganicReceipt(receipt)).toString("base64") };
    assert.equal(checkAnswer(answer, body).valid, true);
    assert.match(checkAnswer({ ...answer, output: { text: "hellO" } }, body).receipts[0]!.verdict, /output shown is not the output the miner signed/);
    assert.match(checkAnswer({ ...answer, miner: { uid: 3, hotkey: encodeAddress(other.publicKey, 42) } }, body).receipts[0]!.verdict, /signed by .*, not by the miner the answer names/);
    assert.match(checkAnswer({ ...answer, receipt: "not base64!" }, body).receipts[0]!.verdict, /not base64/);
    assert.match(checkAnswer(answer, encoder.encode("{}")).receipts[0]!.verdict, /not your request/);
  });

  it("with redundancy, every receipt is checked and shows its own output", () => {
    const first = relay(validator, miner, body, { text: "hello" });
    const second = relay(validator, other, body, { text: "hallo" });
    const entry = (r: OrganicReceipt, s: Sr25519Signer, uid: number) => ({ miner: { uid, hotkey: encodeAddress(s.publicKey, 42) }, latencyMs: 5, receipt: Buffer.from(encodeOrganicReceipt(r)).toString("base64") });
    const answer = { output: { text: "hello" }, ...entry(first, miner, 3), receipts: [entry(first, miner, 3), entry(second, other, 4)] };
    const check = checkAnswer(answer, body);
    assert.equal(check.valid, true);
    assert.deepEqual(check.receipts.map((r) => [r.uid, r.output]), [
      [3, { text: "hello" }],
      [4, { text: "hallo" }],
    ]);
  });
});

describe("miners for a user's request are drawn among the best, in proportion to score", () => {
  const miners = (scores: (number | undefined)[]): Candidate[] => scores.map((score, uid) => ({ uid, hotkey: `hk${uid}`, score }));

  it("never the same single miner every time, and never a miner scored far below the best", () => {
    const candidates = miners([0.9, 0.8, 0.85, 0.1, 0.05, 0.02, 0.01, 0.0, 0.0, 0.0, 0.0, 0.0]);
    const random = prng(1);
    const counts = new Map<number, number>();
    for (let i = 0; i < 2000; i++) for (const c of chooseMiners(candidates, 1, random)) counts.set(c.uid, (counts.get(c.uid) ?? 0) + 1);
    assert.ok(counts.size >= 3, `several miners share the traffic: ${JSON.stringify([...counts])}`);
    assert.ok((counts.get(0) ?? 0) > (counts.get(3) ?? 0) * 4, "the best gets far more than a poor one");
    for (const uid of [5, 6, 7, 8]) assert.equal(counts.get(uid), undefined, `uid ${uid} is not among the best`);
  });

  it("picks serving miners at random while none has a score yet", () => {
    const random = prng(2);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) for (const c of chooseMiners(miners([undefined, undefined, undefined, undefined]), 1, random)) seen.add(c.uid);
    assert.deepEqual([...seen].sort(), [0, 1, 2, 3]);
  });

  it("gives distinct miners, skips those already asked, and asks resting ones only when nobody else is left", () => {
    const candidates = miners([0.9, 0.9, 0.9]);
    const picked = chooseMiners(candidates, 3, prng(3));
    assert.equal(new Set(picked.map((c) => c.uid)).size, 3);
    assert.deepEqual(chooseMiners(candidates, 1, prng(4), new Set([0, 1])).map((c) => c.uid), [2]);
    for (let i = 0; i < 50; i++) assert.equal(chooseMiners(candidates, 1, prng(i), new Set(), new Set([0, 1]))[0]!.uid, 2);
    assert.deepEqual(chooseMiners(candidates, 1, prng(5), new Set([2]), new Set([0, 1])).length, 1);
  });

  it("falls back to miners scored 0 rather than to no answer", () => {
    assert.equal(chooseMiners(miners([0, 0]), 1, prng(6)).length, 1);
  });
});

describe("attribution: per miner, requests served and failed with latency percentiles", () => {
  const record = (uid: number, outcome: OrganicRecord["outcome"], latencyMs: number, code?: string): OrganicRecord => ({ atMs: 1000 + latencyMs, key: "k", synapse: "infer", uid, hotkey: `hk${uid}`, latencyMs, outcome, ...(code ? { code } : {}) });

  it("counts outcomes per miner and reads percentiles from the served ones only", () => {
    const rows = attributionTable([...Array.from({ length: 100 }, (_, i) => record(1, "served", i + 1)), record(1, "failed", 3000, "TIMEOUT"), record(2, "refused-busy", 1), record(2, "failed", 5, "BAD_OUTPUT")]);
    assert.deepEqual(rows[0], { uid: 1, hotkey: "hk1", served: 100, failed: 1, busy: 0, failures: { TIMEOUT: 1 }, latencyMs: { p50: 50, p90: 90, p99: 99 } });
    assert.deepEqual(rows[1], { uid: 2, hotkey: "hk2", served: 0, failed: 1, busy: 1, failures: { BAD_OUTPUT: 1 }, latencyMs: null });
  });

});

describe("the organic ledger", () => {
  it("keeps the newest entries within its bound, across a restart, and reads them back by time", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ledger-"));
    try {
      let store = await Store.open(dir);
      let ledger = await OrganicLedger.open(store, { maxRecords: 50, flushMs: 5 });
      for (let i = 0; i < 80; i++) ledger.record({ atMs: 10_000 + i, key: "k", synapse: "infer", uid: i % 4, hotkey: `hk${i % 4}`, latencyMs: i, outcome: "served" });
      await ledger.flush();
      assert.equal(ledger.size, 50);
      await store.close();
      store = await Store.open(dir);
      ledger = await OrganicLedger.open(store, { maxRecords: 50, flushMs: 5 });
      const all = await ledger.since(0);
      assert.equal(all.length, 50);
      assert.equal(all[0]!.atMs, 10_030, "the oldest went first");
      assert.deepEqual((await ledger.since(10_075)).map((r) => r.atMs), [10_075, 10_076, 10_077, 10_078, 10_079]);
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
