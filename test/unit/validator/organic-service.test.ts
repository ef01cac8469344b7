/**
 * The organic service's routing, with miners scripted at the query seam (signed answers, real
 * receipts): a failing miner is replaced, a late one raced, redundancy asks several, failures
 * count against a miner and load refusals do not, and the user is told when nobody can answer.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { encodeAddress } from "@polkadot/util-crypto";
import { Store } from "../../../src/db/store.js";
import { checkAnswer } from "../../../src/p2p/protocol/answer-check.js";
import { PROTOCOL_VERSION, requestNonce, type RequestHeader } from "../../../src/p2p/protocol/frames.js";
import { organicAnswerBody, readOrganicRequest } from "../../../src/p2p/protocol/organic.js";
import { hash256, requestHash, signResponse } from "../../../src/p2p/protocol/signing.js";
import { encodeTensors, type TensorMap } from "../../../src/p2p/protocol/tensors.js";
import { QueryError, type QueryAnswer, type QueryOptions, type QueryTarget } from "../../../src/p2p/query-client.js";
import { loadPlugin, pluginRoots } from "../../../src/subnet/loader.js";
import { PublicInterface } from "../../../src/subnet/public-api.js";
import { prng } from "../../../src/util/prng.js";
import { sr25519Ready, sr25519SignerFromSeed, type Sr25519Signer } from "../../../src/util/sr25519.js";
import { GatewayError } from "../../../src/validator/gateway/contract.js";
import { OrganicService, type ServingMiner } from "../../../src/validator/gateway/organic-service.js";
import { OrganicLedger } from "../../../src/validator/organic-ledger.js";
import { ScoreBook } from "../../../src/validator/scores.js";
import { silentLog } from "../../helpers/devnet.js";
import { sessionSignerOf } from "../../../src/p2p/session-key.js";

const encoder = new TextEncoder();
const BODY = encoder.encode(JSON.stringify({ input: [1, -2, 3, -4, 5, -6, 7, -8, 8, -7, 6, -5, 4, -3, 2, 0] }));

/** How a scripted miner answers: a JSON output after `ms`, or a failure after `ms`. */
type Script = { readonly answer: unknown; readonly ms: number } | { readonly fail: QueryError; readonly ms: number };

describe("the organic service routes a user's request", () => {
  let api: PublicInterface;
  let validator: Sr25519Signer;
  let signers: Sr25519Signer[];
  let dir: string;
  let store: Store;

  before(async () => {
    await sr25519Ready();
    const plugin = await loadPlugin("tiny", { roots: pluginRoots({}) });
    api = await PublicInterface.load(plugin, silentLog);
    validator = sr25519SignerFromSeed(new Uint8Array(32).fill(9));
    signers = Array.from({ length: 5 }, (_, i) => sr25519SignerFromSeed(new Uint8Array(32).fill(20 + i)));
    dir = await mkdtemp(join(tmpdir(), "organic-service-"));
    store = await Store.open(dir);
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const OUTPUT = { output: [1, 2, 3, 4, 5, 6, 7, 8] };

  /** A service over miners 0..n-1 answering as scripted (by uid, each call takes the next script). */
  async function service(scripts: Script[][], scores: (number | undefined)[] = []) {
    const miners: ServingMiner[] = scripts.map((_, uid) => ({ uid, hotkey: encodeAddress(signers[uid]!.publicKey, 42), target: { peer: `/ip4/127.0.0.1/tcp/${9000 + uid}` as never, hotkey: signers[uid]!.publicKey } }));
    const book = new ScoreBook(0.5);
    scores.forEach((s, uid) => s !== undefined && book.record(uid, miners[uid]!.hotkey, s, 0));
    const asked: number[] = [];
    const penalized: number[] = [];
    const sent: (Uint8Array | undefined)[] = [];
    const query = async (target: QueryTarget, synapse: string, body: TensorMap, options: QueryOptions): Promise<QueryAnswer> => {
      const uid = signers.findIndex((s) => Buffer.from(s.publicKey).equals(Buffer.from(target.hotkey)));
      asked.push(uid);
      sent.push(readOrganicRequest(body));
      const script = scripts[uid]!.length > 1 ? scripts[uid]!.shift()! : scripts[uid]![0]!;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, Math.min(script.ms, options.timeoutMs ?? 12_000));
        options.signal?.addEventListener("abort", () => (clearTimeout(timer), reject(new Error("cancelled"))), { once: true });
      });
      if ("fail" in script) throw script.fail;
      if (script.ms > (options.timeoutMs ?? 12_000)) throw new QueryError("TIMEOUT", "late");
      const request: RequestHeader = { version: PROTOCOL_VERSION, netuid: 1, genesisHash: new Uint8Array(32), validator: validator.publicKey, miner: target.hotkey, nonce: requestNonce(new Uint8Array(12).fill(uid), asked.length), timestampMs: 1n, deadlineMs: 2n, synapse, bodyHash: hash256(encodeTensors(body)) };
      const answerBody = organicAnswerBody(encoder.encode(JSON.stringify(script.answer)));
      const bytes = encodeTensors(answerBody);
      const response = signResponse({ version: PROTOCOL_VERSION, status: 0, streamed: false, miner: target.hotkey, requestHash: requestHash(request), timestampMs: 1n, bodyHash: hash256(bytes) }, sessionSignerOf(signers[uid]!));
      return { body: answerBody, chunks: [answerBody], receipt: { request, response, body: bytes }, latencyMs: script.ms, checked: Promise.resolve() };
    };
    const organic = new OrganicService({
      api,
      serving: () => miners,
      score: (uid) => book.get(uid),
      query,
      ledger: await OrganicLedger.open(store, { flushMs: 1 }),
      penalize: (uid) => void penalized.push(uid),
      random: prng(1),
      log: silentLog,
    });
    return { organic, asked, penalized, miners, sent };
  }

  const call = (organic: OrganicService, body = BODY) => organic.call("infer", body, { keyName: "test" }, new AbortController().signal);

  it("returns the answer with a receipt that checks out against the exact bytes sent", async () => {
    const { organic, sent } = await service([[{ answer: OUTPUT, ms: 1 }]]);
    const answer = await call(organic);
    assert.deepEqual(sent, [BODY], "the miner gets the user's exact bytes");
    assert.deepEqual(answer.output, OUTPUT);
    assert.equal(checkAnswer(answer, BODY).valid, true);
  });

  it("replaces a miner that fails by another at once, and holds the failure against it", async () => {
    const { organic, asked, penalized } = await service([[{ fail: new QueryError("UNREACHABLE", "gone"), ms: 1 }], [{ answer: OUTPUT, ms: 1 }]], [0.9, 0.8]);
    for (let i = 0; i < 6 && !asked.includes(0); i++) await call(organic);
    assert.ok(asked.includes(0), "the failing miner was drawn at some point");
    assert.deepEqual(penalized, [0]);
  });

  it("does not hold a refusal for load against a miner, and sends the request elsewhere", async () => {
    const busy = new QueryError("REFUSED", "busy", { refusal: "Busy", retryAfterMs: 500 });
    const { organic, asked, penalized } = await service([[{ fail: busy, ms: 1 }], [{ answer: OUTPUT, ms: 1 }]], [0.9, 0.8]);
    for (let i = 0; i < 6 && !asked.includes(0); i++) assert.deepEqual((await call(organic)).miner.uid, 1);
    assert.deepEqual(penalized, []);
  });

  it("races a late miner with a second one, and returns whichever answers first", async () => {
    // tiny's deadline is 2 s: with no latency history a second miner starts after 1 s.
    const { organic, asked } = await service([[{ answer: OUTPUT, ms: 1_900 }], [{ answer: OUTPUT, ms: 10 }]]);
    for (let i = 0; i < 10; i++) {
      const before = asked.length;
      const started = Date.now();
      const answer = await call(organic);
      if (asked[before] !== 0) continue; // the quick miner was drawn first: nothing to race
      assert.equal(answer.miner.uid, 1, "the second miner's answer, not the late one's");
      assert.ok(Date.now() - started < 1_800, `answered in ${Date.now() - started} ms, before the late miner would have`);
      return;
    }
    assert.fail("the late miner was never drawn first");
  });

  it("asks k miners with redundancy k and returns every receipt that came back, each valid", async () => {
    const { organic } = await service([[{ answer: OUTPUT, ms: 1 }], [{ answer: OUTPUT, ms: 5 }], [{ answer: OUTPUT, ms: 9 }]]);
    const body = encoder.encode(JSON.stringify({ input: [1, -2, 3, -4, 5, -6, 7, -8, 8, -7, 6, -5, 4, -3, 2, 0], redundancy: 3 }));
    const answer = await organic.call("infer", body, { keyName: "t" }, new AbortController().signal);
    assert.equal(answer.receipts?.length, 3);
    const check = checkAnswer(answer, body);
    assert.ok(check.valid, check.receipts.map((r) => r.verdict).join(", "));
    assert.equal(new Set(answer.receipts!.map((r) => r.miner.uid)).size, 3);
  });

  it("refuses an answer whose output breaks the schema, holds it against the miner, and asks another", async () => {
    const { organic, penalized } = await service([[{ answer: { output: "eight numbers" }, ms: 1 }], [{ answer: OUTPUT, ms: 1 }]], [0.9, 0.1]);
    let answer;
    for (let i = 0; i < 6 && penalized.length === 0; i++) answer = await call(organic);
    assert.deepEqual(penalized, [0]);
    assert.deepEqual(answer!.output, OUTPUT);
  });

  it("tells the user when every miner asked failed, and when none serves", async () => {
    const down = new QueryError("UNREACHABLE", "down");
    const { organic } = await service([[{ fail: down, ms: 1 }], [{ fail: down, ms: 1 }]]);
    await assert.rejects(call(organic), (e: unknown) => e instanceof GatewayError && e.status === 503 && e.code === "MINERS_FAILED" && /uid 0: UNREACHABLE/.test(e.message));
    const { organic: empty } = await service([]);
    await assert.rejects(call(empty), (e: unknown) => e instanceof GatewayError && e.status === 503 && e.code === "NO_MINER" && e.retryAfterMs !== undefined);
  });

  it("refuses bad input before asking any miner", async () => {
    const { organic, asked } = await service([[{ answer: OUTPUT, ms: 1 }]]);
    await assert.rejects(call(organic, encoder.encode('{"input": [1]}')), (e: unknown) => e instanceof GatewayError && e.status === 400 && e.code === "BAD_INPUT");
    await assert.rejects(call(organic, encoder.encode("{not json")), (e: unknown) => e instanceof GatewayError && e.code === "BAD_JSON");
    await assert.rejects(organic.call("nope", BODY, { keyName: "t" }, new AbortController().signal), (e: unknown) => e instanceof GatewayError && e.status === 404);
    assert.deepEqual(asked, []);
  });
});
