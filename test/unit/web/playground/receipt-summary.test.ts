import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { checkAnswer } from "../../../../src/p2p/protocol/answer-check.js";
import { sr25519Ready } from "../../../../src/util/sr25519.js";
import { summarizeReceipts, VERIFIED } from "../../../../src/web/playground/receipt-summary.js";
import { signedReceipt, signerOf } from "../../../helpers/signed-answers.js";

const body = new TextEncoder().encode('{"text":"hello"}');

describe("what the page says of an answer's receipts", () => {
  before(sr25519Ready);

  it("verified, with the miner, its latency and the subnet its request names", () => {
    const own = signedReceipt(signerOf(1), signerOf(2), 4, body, { text: "HELLO" }, 3);
    const summary = summarizeReceipts(checkAnswer({ output: { text: "HELLO" }, ...own }, body));
    assert.deepEqual(summary, { verified: true, lines: [{ uid: 4, hotkey: own.miner.hotkey, latencyMs: 12.5, netuid: 3, verified: true, text: VERIFIED }] });
    assert.equal(VERIFIED, "verified: this miner signed this output for your request");
  });

  it("explains each way an answer fails, in words", () => {
    const own = signedReceipt(signerOf(1), signerOf(2), 4, body, { text: "HELLO" });
    const otherBody = new TextEncoder().encode('{"text":"hello" }');
    const cases: [string, unknown, Uint8Array, string][] = [
      ["another body", { output: { text: "HELLO" }, ...own }, otherBody, "not verified: the request the miner answered is not the one this page sent (its bytes differ)"],
      ["another output", { output: { text: "GOODBYE" }, ...own }, body, "not verified: the output shown is not the output the miner signed"],
      ["another miner named", { output: { text: "HELLO" }, ...own, miner: { uid: 4, hotkey: signedReceipt(signerOf(1), signerOf(3), 5, body, {}).miner.hotkey } }, body, `not verified: signed by ${own.miner.hotkey}, not by the miner the answer names`],
      ["no receipt", { output: { text: "HELLO" }, miner: own.miner, latencyMs: 1 }, body, "not verified: the receipt is not base64"],
    ];
    for (const [what, answer, sent, expected] of cases) {
      const summary = summarizeReceipts(checkAnswer(answer, sent));
      assert.equal(summary.verified, false, what);
      assert.ok(summary.lines[0]!.text.startsWith(expected), `${what}: ${summary.lines[0]!.text}`);
    }
  });

  it("a redundant answer's receipts each get their line, the answer's own first", () => {
    const own = signedReceipt(signerOf(1), signerOf(2), 4, body, { text: "HELLO" });
    const second = signedReceipt(signerOf(1), signerOf(3), 5, body, { text: "HELLO" });
    const forged = { ...signedReceipt(signerOf(1), signerOf(3), 6, body, { text: "HELLO" }), miner: { uid: 6, hotkey: own.miner.hotkey } };
    const summary = summarizeReceipts(checkAnswer({ output: { text: "HELLO" }, ...own, receipts: [own, second, forged] }, body));
    assert.deepEqual(
      summary.lines.map((l) => [l.uid, l.verified]),
      [[4, true], [5, true], [6, false]],
    );
    assert.equal(summary.verified, false, "one bad receipt and the answer as a whole is not verified");
  });
});
