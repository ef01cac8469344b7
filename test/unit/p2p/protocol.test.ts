import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { randomBytes } from "node:crypto";
import { sr25519Ready, sr25519SignerFromSeed } from "../../../src/util/sr25519.js";
import { FrameError } from "../../../src/p2p/protocol/bytes.js";
import { decodeFrame, encodeFrame, FrameKind, PROTOCOL_VERSION, RefusalCode, type RequestHeader } from "../../../src/p2p/protocol/frames.js";
import { checkReceipt, hash256, requestHash, signRequest, signResponse, StreamDigest, verifyRequestSignature } from "../../../src/p2p/protocol/signing.js";
import { decodeTensors, encodeTensors, float32Tensor, readFloat32, readString, stringTensor, type Tensor } from "../../../src/p2p/protocol/tensors.js";
import { prng } from "../../../src/util/prng.js";
import { CachingSessionVerifier, SESSION_LIFETIME_MS, sessionSignerOf } from "../../../src/p2p/session-key.js";
import { verifySessionBinding } from "../../../src/p2p/protocol/session.js";

const seed = (n: number): Uint8Array => new Uint8Array(32).fill(n);

describe("request and response bodies: named tensors as raw bytes", () => {
  it("round-trip every dtype, and strings, exactly", () => {
    const body = new Map<string, Tensor>([
      ["image", { dtype: "uint8", dims: [2, 3], data: new Uint8Array([1, 2, 3, 4, 5, 6]) }],
      ["logits", float32Tensor([0.5, -1.25, 3])],
      ["ids", { dtype: "int64", dims: [1], data: new Uint8Array(8).fill(7) }],
      ["prompt", stringTensor("héllo ✓")],
      ["blob", { dtype: "bytes", dims: [], data: new Uint8Array([9, 9]) }],
    ]);
    const decoded = decodeTensors(encodeTensors(body));
    assert.deepEqual([...decoded.keys()], ["image", "logits", "ids", "prompt", "blob"]);
    assert.deepEqual([...readFloat32(decoded, "logits")], [0.5, -1.25, 3]);
    assert.equal(readString(decoded, "prompt"), "héllo ✓");
    assert.deepEqual(decoded.get("image"), body.get("image"));
  });

  it("refuse inconsistent shapes, unknown dtypes, duplicates and trailing bytes, naming the problem", () => {
    assert.throws(() => encodeTensors(new Map([["x", { dtype: "float32", dims: [3], data: new Uint8Array(8) }]])), /float32\[3\] needs 12 bytes, has 8/);
    const good = encodeTensors(new Map([["x", stringTensor("a")]]));
    const unknownDtype = good.slice();
    unknownDtype[2 + 1 + 1] = 200; // count u16, name length u8, name "x", dtype
    assert.throws(() => decodeTensors(unknownDtype), /unknown dtype 200/);
    const twice = new Uint8Array([2, 0, ...good.subarray(2), ...good.subarray(2)]);
    assert.throws(() => decodeTensors(twice), /appears twice/);
    assert.throws(() => decodeTensors(new Uint8Array([...good, 0])), /1 unexpected bytes/);
  });

  it("never throw anything but a FrameError on random or truncated input", () => {
    const random = prng(42);
    const sample = encodeTensors(new Map([["a", float32Tensor([1, 2, 3, 4])], ["b", stringTensor("xyz")]]));
    for (let i = 0; i < 5000; i++) {
      const bytes = i % 2 === 0 ? sample.slice(0, Math.floor(random() * sample.length)) : Uint8Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256));
      if (i % 3 === 0 && bytes.length > 0) {
        const at = Math.floor(random() * bytes.length);
        bytes[at] = bytes[at]! ^ 0xff;
      }
      try {
        decodeTensors(bytes);
      } catch (error) {
        assert.ok(error instanceof FrameError, `a FrameError, got ${String(error)}`);
      }
    }
  });
});

describe("signed requests and responses", () => {
  before(sr25519Ready);
  const validator = (): ReturnType<typeof sr25519SignerFromSeed> => sr25519SignerFromSeed(seed(1));
  const miner = (): ReturnType<typeof sr25519SignerFromSeed> => sr25519SignerFromSeed(seed(2));
  const header = (body: Uint8Array): RequestHeader => ({
    version: PROTOCOL_VERSION,
    netuid: 3,
    genesisHash: new Uint8Array(32).fill(0xaa),
    validator: validator().publicKey,
    miner: miner().publicKey,
    nonce: new Uint8Array(randomBytes(16)),
    timestampMs: 1_700_000_000_000n,
    deadlineMs: 1_700_000_012_000n,
    synapse: "ocr",
    bodyHash: hash256(body),
  });

  it("round-trip every frame kind through the wire format", () => {
    const body = encodeTensors(new Map([["q", stringTensor("hi")]]));
    const request = signRequest(header(body), sessionSignerOf(validator()));
    const response = signResponse({ version: PROTOCOL_VERSION, status: 0, streamed: false, miner: miner().publicKey, requestHash: requestHash(request), timestampMs: 5n, bodyHash: hash256(body) }, sessionSignerOf(miner()));
    const frames = [
      { kind: FrameKind.Request, requestId: 7, request, body },
      { kind: FrameKind.Response, requestId: 7, response, body },
      { kind: FrameKind.Chunk, requestId: 7, seq: 2, body },
      { kind: FrameKind.End, requestId: 7, response: { ...response, streamed: true } },
      { kind: FrameKind.Refused, requestId: 7, code: RefusalCode.Busy, retryAfterMs: 250, message: "busy" },
      { kind: FrameKind.Cancel, requestId: 7 },
    ] as const;
    for (const frame of frames) assert.deepEqual(decodeFrame(encodeFrame(frame)), frame, `kind ${frame.kind}`);
  });

  it("verify only when nothing signed was changed, and never with an empty signature", () => {
    const body = encodeTensors(new Map());
    const request = signRequest(header(body), sessionSignerOf(validator()));
    assert.ok(verifyRequestSignature(request));
    assert.ok(!verifyRequestSignature({ ...request, deadlineMs: request.deadlineMs + 1n }));
    assert.ok(!verifyRequestSignature({ ...request, miner: validator().publicKey }));
    assert.ok(!verifyRequestSignature({ ...request, signature: new Uint8Array(64) }));
    assert.ok(!verifyRequestSignature({ ...request, signature: new Uint8Array(0) }));
  });

  it("verify a session key's signature only through its hotkey's binding: unforged, naming the hotkey, unexpired at the message's time", () => {
    const body = encodeTensors(new Map());
    const session = sessionSignerOf(validator());
    const request = signRequest(header(body), session);
    const stranger = sessionSignerOf(sr25519SignerFromSeed(seed(9)));
    // Another hotkey's session key, however valid its own binding, does not speak for the validator.
    assert.ok(!verifyRequestSignature(signRequest(header(body), stranger)));
    // A binding whose hotkey signature is forged, or whose fields were changed after signing.
    assert.ok(!verifyRequestSignature({ ...request, binding: { ...request.binding, signature: new Uint8Array(64) } }));
    assert.ok(!verifyRequestSignature({ ...request, binding: { ...request.binding, sessionKey: stranger.binding.sessionKey } }));
    assert.ok(!verifyRequestSignature({ ...request, binding: { ...request.binding, expiresAtMs: request.binding.expiresAtMs + 1n } }));
    // A message timestamped at or after the binding's expiry is not covered by it.
    const late = signRequest({ ...header(body), timestampMs: request.binding.expiresAtMs }, session);
    assert.ok(!verifyRequestSignature(late));
    // The hot path's remembering verifier agrees with the pure one, a remembered binding included.
    const cached = new CachingSessionVerifier();
    assert.ok(verifyRequestSignature(request, cached) && verifyRequestSignature(request, cached));
    assert.ok(!verifyRequestSignature({ ...request, binding: { ...request.binding, sessionKey: stranger.binding.sessionKey } }, cached));
    assert.ok(!verifyRequestSignature({ ...request, signature: new Uint8Array(64) }, cached));
  });

  it("bind each hotkey signer's session key once, by the hotkey, for a day", () => {
    const hotkey = validator();
    const session = sessionSignerOf(hotkey);
    assert.equal(sessionSignerOf(hotkey), session);
    assert.deepEqual(session.binding.hotkey, hotkey.publicKey);
    assert.ok(verifySessionBinding(session.binding));
    assert.ok(Math.abs(Number(session.binding.expiresAtMs) - (Date.now() + SESSION_LIFETIME_MS)) < 60_000);
  });

  it("make a receipt anyone can check: both signatures, the request it answers, the body or the stream's chunks", () => {
    const body = encodeTensors(new Map([["answer", stringTensor("42")]]));
    const request = signRequest(header(body), sessionSignerOf(validator()));
    const single = signResponse({ version: PROTOCOL_VERSION, status: 0, streamed: false, miner: miner().publicKey, requestHash: requestHash(request), timestampMs: 9n, bodyHash: hash256(body) }, sessionSignerOf(miner()));
    assert.equal(checkReceipt({ request, response: single, body }), undefined);
    assert.equal(checkReceipt({ request, response: single, body: new Uint8Array([1]) }), "body hash");
    const other = signRequest(header(body), sessionSignerOf(validator()));
    assert.equal(checkReceipt({ request: other, response: single, body }), "request hash");
    const chunks = [new Uint8Array([1]), new Uint8Array([2])];
    const digest = new StreamDigest();
    for (const c of chunks) digest.add(c);
    const streamed = signResponse({ version: PROTOCOL_VERSION, status: 0, streamed: true, miner: miner().publicKey, requestHash: requestHash(request), timestampMs: 9n, bodyHash: digest.digest() }, sessionSignerOf(miner()));
    assert.equal(checkReceipt({ request, response: streamed, body: chunks }), undefined);
    assert.equal(checkReceipt({ request, response: streamed, body: [...chunks].reverse() }), "body hash");
    const forged = signResponse({ ...single }, sessionSignerOf(validator()));
    assert.equal(checkReceipt({ request, response: { ...single, signature: forged.signature }, body }), "response signature");
  });

  it("refuse unknown frame kinds, unknown versions and truncations as FrameErrors, and survive random frames", () => {
    assert.throws(() => decodeFrame(new Uint8Array([99, 0, 0, 0, 0])), /unknown frame kind 99/);
    const request = signRequest(header(new Uint8Array()), sessionSignerOf(validator()));
    const bytes = encodeFrame({ kind: FrameKind.Request, requestId: 1, request, body: new Uint8Array() });
    const future = bytes.slice();
    future[5] = 9;
    assert.throws(() => decodeFrame(future), (e: unknown) => e instanceof FrameError && e.code === "UNSUPPORTED_VERSION");
    const random = prng(7);
    for (let i = 0; i < 5000; i++) {
      const mutated = bytes.slice(0, Math.floor(random() * (bytes.length + 1)));
      if (mutated.length > 0) mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
      try {
        decodeFrame(mutated);
      } catch (error) {
        assert.ok(error instanceof FrameError, `a FrameError, got ${String(error)}`);
      }
    }
  });
});
