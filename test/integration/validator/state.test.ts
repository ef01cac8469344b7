import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { encodeAddress } from "@polkadot/util-crypto";
import { signResponse, hash256, requestHash, type Receipt } from "../../../src/p2p/protocol/signing.js";
import { PROTOCOL_VERSION, requestNonce, type RequestHeader } from "../../../src/p2p/protocol/frames.js";
import { sr25519Ready, sr25519SignerFromSeed, type Sr25519Signer } from "../../../src/util/sr25519.js";
import { ValidatorState, ValidatorStateError } from "../../../src/validator/state.js";
import { verifyStoredReceipt } from "../../../src/validator/receipts.js";
import { sessionSignerOf } from "../../../src/p2p/session-key.js";

const identity = { hotkey: "5Validator", netuid: 3, genesisHash: `0x${"ab".repeat(32)}` };
const options = { alpha: 0.5, receiptsPerUid: 3, maxReceiptBodyBytes: 16 };

describe("the validator's durable state", () => {
  const dir = mkdtempSync(join(tmpdir(), "tn-vstate-"));
  let validator: Sr25519Signer;
  let miner: Sr25519Signer;
  before(async () => {
    await sr25519Ready();
    validator = sr25519SignerFromSeed(new Uint8Array(32).fill(1));
    miner = sr25519SignerFromSeed(new Uint8Array(32).fill(2));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const receipt = (body: Uint8Array, n: number): Receipt => {
    const request: RequestHeader = { version: PROTOCOL_VERSION, netuid: 3, genesisHash: new Uint8Array(32), validator: validator.publicKey, miner: miner.publicKey, nonce: requestNonce(new Uint8Array(12).fill(n), n), timestampMs: 1000n + BigInt(n), deadlineMs: 5000n, synapse: "infer", bodyHash: hash256(new Uint8Array([n])) };
    const response = signResponse({ version: PROTOCOL_VERSION, status: 0, streamed: false, miner: miner.publicKey, requestHash: requestHash(request), timestampMs: 2000n, bodyHash: hash256(body) }, sessionSignerOf(miner));
    return { request, response, body };
  };
  const round = (uid: number, n: number, body = new Uint8Array([n, n])) => ({ uid, hotkey: encodeAddress(miner.publicKey, 42), synapse: "infer", score: 0.5, latencyMs: 12.5, atMs: 1_700_000_000_000 + n, receipt: receipt(body, n) });

  it("keeps scores, the pending commit and receipts across a restart; receipts are bounded per uid and verify", async () => {
    const path = join(dir, "a");
    const state = await ValidatorState.open(path, identity, options);
    state.book.record(1, "5Miner", 1, 1);
    await state.setPendingCommit({ hash: "0x01", uids: [1], values: [65535], salt: [1, 2, 3], versionKey: 7n, state: "prepared", createdMs: 5 });
    for (let n = 0; n < 5; n++) await state.saveRound([round(1, n)]);
    await state.saveRound([round(2, 9, new Uint8Array(64))]);
    await state.close();

    const again = await ValidatorState.open(path, identity, options);
    assert.deepEqual(again.book.get(1), { uid: 1, hotkey: "5Miner", ema: 1, samples: 1, lastScoredMs: 1 });
    assert.deepEqual(again.pendingCommit, { hash: "0x01", uids: [1], values: [65535], salt: [1, 2, 3], versionKey: 7n, state: "prepared", createdMs: 5 });
    const kept = await again.receipts(1);
    assert.deepEqual(kept.map((r) => r.atMs - 1_700_000_000_000), [2, 3, 4], "the 3 newest, oldest first");
    for (const r of kept) assert.equal(verifyStoredReceipt(r), "valid");
    const [big] = await again.receipts(2);
    assert.equal(big!.bodyOmitted, true);
    assert.equal(verifyStoredReceipt(big!), "valid, body not kept");
    // New receipts after the restart go on numbering after the old ones.
    await again.saveRound([round(1, 7)]);
    assert.deepEqual((await again.receipts(1)).map((r) => r.atMs - 1_700_000_000_000), [3, 4, 7]);
    await again.setPendingCommit(undefined);
    await again.close();
    const third = await ValidatorState.open(path, identity, options);
    assert.equal(third.pendingCommit, undefined);
    await third.close();
  });

  it("says when a receipt does not verify: a changed body, a changed request, a changed score, another miner's signature", async () => {
    const r = round(1, 1);
    assert.equal(verifyStoredReceipt({ ...r, bodyOmitted: false, receipt: { ...r.receipt, body: new Uint8Array([9, 9]) } }), "INVALID: body hash");
    // The request is unsigned (v3): changing any of its fields breaks the hash the miner signed.
    assert.equal(verifyStoredReceipt({ ...r, bodyOmitted: false, receipt: { ...r.receipt, request: { ...r.receipt.request, deadlineMs: r.receipt.request.deadlineMs + 1n } } }), "INVALID: request hash");
    assert.equal(verifyStoredReceipt({ ...r, bodyOmitted: false, receipt: { ...r.receipt, request: { ...r.receipt.request, validator: miner.publicKey } } }), "INVALID: request hash");
    const forged = { ...r.receipt.response, signature: new Uint8Array(64) };
    assert.equal(verifyStoredReceipt({ ...r, bodyOmitted: false, receipt: { ...r.receipt, response: forged } }), "INVALID: response signature");
    assert.equal(verifyStoredReceipt({ ...r, hotkey: encodeAddress(validator.publicKey, 42), bodyOmitted: false }), "INVALID: signed by another hotkey");
  });

  it("refuses a data dir written for another hotkey, subnet or chain", async () => {
    const path = join(dir, "b");
    await (await ValidatorState.open(path, identity, options)).close();
    for (const other of [{ ...identity, hotkey: "5Other" }, { ...identity, netuid: 4 }, { ...identity, genesisHash: `0x${"cd".repeat(32)}` }])
      await assert.rejects(ValidatorState.open(path, other, options), (e: unknown) => e instanceof ValidatorStateError && e.code === "STATE_MISMATCH" && /give this validator its own --data-dir/.test(e.message));
    await assert.rejects(ValidatorState.openForReading(join(dir, "nothing"), { hotkey: "5Validator", netuid: 3 }), /no validator state at/);
  });
});
