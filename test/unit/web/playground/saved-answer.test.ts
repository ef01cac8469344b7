import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { checkAnswer } from "../../../../src/p2p/protocol/answer-check.js";
import { sr25519Ready } from "../../../../src/util/sr25519.js";
import { savedAnswerJson } from "../../../../src/web/playground/saved-answer.js";
import { signedReceipt, signerOf } from "../../../helpers/signed-answers.js";

describe("an answer saved from the page", () => {
  before(sr25519Ready);

  it("holds what tensornode query --save writes: the synapse, the URL, the exact body in base64 and the answer, which still checks", () => {
    const body = new TextEncoder().encode('{"text": "héllo"}');
    const answer = { output: { text: "HÉLLO" }, ...signedReceipt(signerOf(1), signerOf(2), 4, body, { text: "HÉLLO" }) };
    const saved = JSON.parse(savedAnswerJson("shout", "http://127.0.0.1:8091/v1/synapses/shout", body, answer)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(saved), ["synapse", "url", "body", "answer"]);
    assert.equal(saved.synapse, "shout");
    assert.equal(saved.url, "http://127.0.0.1:8091/v1/synapses/shout");
    assert.deepEqual(Buffer.from(saved.body as string, "base64"), Buffer.from(body));
    assert.equal(checkAnswer(saved.answer, Buffer.from(saved.body as string, "base64")).valid, true);
  });
});
