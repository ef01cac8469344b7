import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { randomBytes } from "node:crypto";
import { sr25519Ready, sr25519SignerFromSeed } from "../../../src/util/sr25519.js";
import { FrameError } from "../../../src/p2p/protocol/bytes.js";
import { decodeFrame, encodeFrame, FrameKind, PROTOCOL_VERSION, RefusalCode, MAX_WELCOME_BYTES, requestNonce, SALT_BYTES, type Frame, type RequestHeader, type ResponseHeader, type SignedResponse } from "../../../src/p2p/protocol/frames.js";
import { checkReceipt, hash256, requestHash, signResponse, StreamDigest, verifyResponseSignature } from "../../../src/p2p/protocol/signing.js";
import { decodeTensors, encodeTensors, float32Tensor, readFloat32, readString, stringTensor, type Tensor } from "../../../src/p2p/protocol/tensors.js";
import { prng } from "../../../src/util/prng.js";
import { CachingSessionVerifier, SESSION_LIFETIME_MS, sessionSignerOf } from "../../../src/p2p/session-key.js";
import { SESSION_BINDING_BYTES, verifySessionBinding } from "../../../src/p2p/protocol/session.js";
import { decodeBinding, encodeBinding, signBinding } from "../../../src/p2p/identity.js";

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

describe("query protocol 3: frames, unsigned requests, signed responses", () => {
  before(sr25519Ready);
  const validator = (): ReturnType<typeof sr25519SignerFromSeed> => sr25519SignerFromSeed(seed(1));
  const miner = (): ReturnType<typeof sr25519SignerFromSeed> => sr25519SignerFromSeed(seed(2));
  const salt = (): Uint8Array => new Uint8Array(randomBytes(SALT_BYTES));
  const header = (body: Uint8Array, requestId = 1): RequestHeader => ({
    version: PROTOCOL_VERSION,
    netuid: 3,
    genesisHash: new Uint8Array(32).fill(0xaa),
    validator: validator().publicKey,
    miner: miner().publicKey,
    nonce: requestNonce(salt(), requestId),
    timestampMs: 1_700_000_000_000n,
    deadlineMs: 1_700_000_012_000n,
    synapse: "ocr",
    bodyHash: hash256(body),
  });
  const answer = (request: RequestHeader, body: Uint8Array, extra: Partial<ResponseHeader> = {}): ResponseHeader => ({
    version: PROTOCOL_VERSION,
    status: 0,
    streamed: false,
    miner: miner().publicKey,
    requestHash: requestHash(request),
    timestampMs: 1_700_000_000_005n,
    bodyHash: hash256(body),
    ...extra,
  });
  /** A hotkey's signature over its libp2p peer, encoded: the validator's in HELLO, the miner's in WELCOME. */
  const peerBinding = (hotkey: ReturnType<typeof sr25519SignerFromSeed>, peerId: string): Uint8Array =>
    encodeBinding(signBinding({ peerId, hotkey: hotkey.publicKey, netuid: 3, genesisHash: new Uint8Array(32).fill(0xaa), addresses: [], expiresAtMs: 1_800_000_000_000n }, hotkey));
  const hello = (): Frame => ({ kind: FrameKind.Hello, requestId: 0, hello: { version: PROTOCOL_VERSION, netuid: 3, genesisHash: new Uint8Array(32).fill(0xaa), miner: miner().publicKey, binding: peerBinding(validator(), "12D3KooWValidatorPeer") } });
  const welcome = (binding = sessionSignerOf(miner()).binding): Frame => ({
    kind: FrameKind.Welcome,
    requestId: 0,
    welcome: { version: PROTOCOL_VERSION, salt: salt(), binding, peerBinding: peerBinding(miner(), "12D3KooWMinerPeer") },
  });
  /** A WELCOME's fixed part: kind, id, version, salt, session binding; the miner's peer binding follows. */
  const WELCOME_FIXED = 5 + 1 + SALT_BYTES + SESSION_BINDING_BYTES;
  const isFrameError = (code: string) => (e: unknown): boolean => e instanceof FrameError && e.code === code;

  it("round-trip every frame kind through the wire format, HELLO and WELCOME included", () => {
    const body = encodeTensors(new Map([["q", stringTensor("hi")]]));
    const signature = new Uint8Array(randomBytes(64));
    const frames: Frame[] = [
      hello(),
      welcome(),
      { kind: FrameKind.Request, requestId: 7, timestampMs: 1_700_000_000_000n, deadlineMs: 1_700_000_012_000n, synapse: "ocr", body },
      { kind: FrameKind.Request, requestId: 0xffffffff, timestampMs: 2n ** 64n - 1n, deadlineMs: 0n, synapse: "", body: new Uint8Array() },
      { kind: FrameKind.Response, requestId: 7, status: 0, timestampMs: 1_700_000_000_005n, signature, body },
      { kind: FrameKind.Response, requestId: 8, status: 255, timestampMs: 5n, signature, body: new Uint8Array() },
      { kind: FrameKind.Chunk, requestId: 7, seq: 2, body },
      { kind: FrameKind.End, requestId: 7, status: 3, timestampMs: 9n, signature },
      { kind: FrameKind.Refused, requestId: 7, code: RefusalCode.Busy, retryAfterMs: 250, message: "busy" },
      { kind: FrameKind.Cancel, requestId: 7 },
    ];
    for (const frame of frames) {
      const bytes = encodeFrame(frame);
      assert.equal(bytes[0], frame.kind, `kind ${frame.kind} leads`);
      assert.equal(new DataView(bytes.buffer, bytes.byteOffset).getUint32(1, true), frame.requestId, `kind ${frame.kind}: the request id follows, u32 LE`);
      assert.deepEqual(decodeFrame(bytes), frame, `kind ${frame.kind}`);
    }
    const w = encodeFrame(welcome());
    assert.ok(w.length <= MAX_WELCOME_BYTES);
    // The bindings inside HELLO and WELCOME are opaque to decodeFrame, and decode as what was signed.
    const h = decodeFrame(encodeFrame(hello()));
    const got = decodeFrame(w);
    assert.ok(h.kind === FrameKind.Hello && got.kind === FrameKind.Welcome);
    assert.equal(decodeBinding(h.hello.binding).peerId, "12D3KooWValidatorPeer");
    assert.deepEqual(decodeBinding(h.hello.binding).hotkey, validator().publicKey);
    assert.equal(decodeBinding(got.welcome.peerBinding).peerId, "12D3KooWMinerPeer");
    assert.equal(w.length, WELCOME_FIXED + got.welcome.peerBinding.length);
  });

  it("carry only the per-request fields in REQUEST, RESPONSE and END: no header, binding or signature of the request", () => {
    const body = new Uint8Array([1, 2, 3]);
    // kind, id, timestamp, deadline, synapse (u8 length + "ocr"), body
    assert.equal(encodeFrame({ kind: FrameKind.Request, requestId: 1, timestampMs: 1n, deadlineMs: 2n, synapse: "ocr", body }).length, 5 + 8 + 8 + 1 + 3 + 3);
    // kind, id, status, timestamp, signature, body
    assert.equal(encodeFrame({ kind: FrameKind.Response, requestId: 1, status: 0, timestampMs: 1n, signature: new Uint8Array(64), body }).length, 5 + 1 + 8 + 64 + 3);
    assert.equal(encodeFrame({ kind: FrameKind.End, requestId: 1, status: 0, timestampMs: 1n, signature: new Uint8Array(64) }).length, 5 + 1 + 8 + 64);
  });

  it("refuse to encode what would not decode: a short signature, a long synapse, a short salt or hotkey", () => {
    const frames: Frame[] = [
      { kind: FrameKind.Response, requestId: 1, status: 0, timestampMs: 1n, signature: new Uint8Array(63), body: new Uint8Array() },
      { kind: FrameKind.End, requestId: 1, status: 0, timestampMs: 1n, signature: new Uint8Array(0) },
      { kind: FrameKind.Request, requestId: 1, timestampMs: 1n, deadlineMs: 2n, synapse: "x".repeat(65), body: new Uint8Array() },
      { kind: FrameKind.Welcome, requestId: 0, welcome: { version: PROTOCOL_VERSION, salt: new Uint8Array(11), binding: sessionSignerOf(miner()).binding, peerBinding: new Uint8Array() } },
      { kind: FrameKind.Hello, requestId: 0, hello: { version: PROTOCOL_VERSION, netuid: 3, genesisHash: new Uint8Array(32), miner: new Uint8Array(31), binding: new Uint8Array() } },
    ];
    for (const frame of frames) assert.throws(() => encodeFrame(frame), isFrameError("BAD_FRAME"), `kind ${frame.kind}`);
  });

  it("make each request's nonce from the stream's salt and its request id (u32 LE), so no two requests share one", () => {
    const s = salt();
    const nonce = requestNonce(s, 0x01020304);
    assert.equal(nonce.length, 16);
    assert.deepEqual(nonce.subarray(0, 12), s);
    assert.deepEqual([...nonce.subarray(12)], [4, 3, 2, 1]);
    assert.deepEqual([...requestNonce(s, 0xffffffff).subarray(12)], [255, 255, 255, 255]);
    assert.deepEqual([...requestNonce(s, 0).subarray(12)], [0, 0, 0, 0]);
    const seen = new Set<string>();
    for (let id = 1; id <= 1000; id++) seen.add(Buffer.from(requestNonce(s, id)).toString("hex"));
    assert.equal(seen.size, 1000, "distinct ids, distinct nonces");
    assert.notDeepEqual(requestNonce(salt(), 1), requestNonce(s, 1), "another stream's salt, another nonce");
    // The salt is not written into: it is read once.
    const copy = s.slice();
    requestNonce(s, 5);
    assert.deepEqual(s, copy);
    assert.throws(() => requestNonce(new Uint8Array(11), 1), isFrameError("BAD_FRAME"));
    assert.throws(() => requestNonce(new Uint8Array(16), 1), isFrameError("BAD_FRAME"));
    // The nonce is part of what the response names: another request id, another request hash.
    const body = new Uint8Array();
    const request = header(body);
    assert.notDeepEqual(requestHash({ ...request, nonce: requestNonce(s, 1) }), requestHash({ ...request, nonce: requestNonce(s, 2) }));
  });

  it("name the request in full by hash: every field counts, under the v3 domain", () => {
    const body = new Uint8Array([5]);
    const request = header(body);
    const hash = requestHash(request);
    assert.equal(hash.length, 32);
    assert.deepEqual(requestHash({ ...request }), hash, "deterministic");
    const changes: Partial<RequestHeader>[] = [
      { netuid: 4 },
      { genesisHash: new Uint8Array(32).fill(0xab) },
      { validator: miner().publicKey },
      { miner: validator().publicKey },
      { nonce: requestNonce(request.nonce.subarray(0, 12), 2) },
      { timestampMs: request.timestampMs + 1n },
      { deadlineMs: request.deadlineMs + 1n },
      { synapse: "ocr2" },
      { bodyHash: hash256(new Uint8Array([6])) },
    ];
    for (const change of changes) assert.notDeepEqual(requestHash({ ...request, ...change }), hash, JSON.stringify(Object.keys(change)));
  });

  it("verify a response only when nothing signed was changed, and never with an empty signature", () => {
    const body = encodeTensors(new Map());
    const request = header(body);
    const response = signResponse(answer(request, body), sessionSignerOf(miner()));
    assert.ok(verifyResponseSignature(response));
    assert.ok(!verifyResponseSignature({ ...response, status: 1 }));
    assert.ok(!verifyResponseSignature({ ...response, streamed: true }));
    assert.ok(!verifyResponseSignature({ ...response, timestampMs: response.timestampMs + 1n }));
    assert.ok(!verifyResponseSignature({ ...response, requestHash: requestHash({ ...request, deadlineMs: request.deadlineMs + 1n }) }));
    assert.ok(!verifyResponseSignature({ ...response, bodyHash: hash256(new Uint8Array([1])) }));
    assert.ok(!verifyResponseSignature({ ...response, miner: validator().publicKey }));
    assert.ok(!verifyResponseSignature({ ...response, signature: new Uint8Array(64) }));
    assert.ok(!verifyResponseSignature({ ...response, signature: new Uint8Array(0) }));
  });

  it("verify a session key's signature only through its hotkey's binding: unforged, naming the hotkey, unexpired at the message's time", () => {
    const body = encodeTensors(new Map());
    const request = header(body);
    const session = sessionSignerOf(miner());
    const response = signResponse(answer(request, body), session);
    const stranger = sessionSignerOf(sr25519SignerFromSeed(seed(9)));
    // Another hotkey's session key, however valid its own binding, does not speak for the miner.
    assert.ok(!verifyResponseSignature(signResponse(answer(request, body), stranger)));
    // A binding whose hotkey signature is forged, or whose fields were changed after signing.
    assert.ok(!verifyResponseSignature({ ...response, binding: { ...response.binding, signature: new Uint8Array(64) } }));
    assert.ok(!verifyResponseSignature({ ...response, binding: { ...response.binding, sessionKey: stranger.binding.sessionKey } }));
    assert.ok(!verifyResponseSignature({ ...response, binding: { ...response.binding, expiresAtMs: response.binding.expiresAtMs + 1n } }));
    // A message timestamped at or after the binding's expiry is not covered by it; just before, it is.
    assert.ok(!verifyResponseSignature(signResponse(answer(request, body, { timestampMs: response.binding.expiresAtMs }), session)));
    assert.ok(verifyResponseSignature(signResponse(answer(request, body, { timestampMs: response.binding.expiresAtMs - 1n }), session)));
    // The hot path's remembering verifier agrees with the pure one, a remembered binding included.
    const cached = new CachingSessionVerifier();
    assert.ok(verifyResponseSignature(response, cached) && verifyResponseSignature(response, cached));
    assert.ok(!verifyResponseSignature({ ...response, binding: { ...response.binding, sessionKey: stranger.binding.sessionKey } }, cached));
    assert.ok(!verifyResponseSignature({ ...response, signature: new Uint8Array(64) }, cached));
  });

  it("bind each hotkey signer's session key once, by the hotkey, for a day", () => {
    const hotkey = validator();
    const session = sessionSignerOf(hotkey);
    assert.equal(sessionSignerOf(hotkey), session);
    assert.deepEqual(session.binding.hotkey, hotkey.publicKey);
    assert.ok(verifySessionBinding(session.binding));
    assert.ok(Math.abs(Number(session.binding.expiresAtMs) - (Date.now() + SESSION_LIFETIME_MS)) < 60_000);
  });

  it("make a receipt anyone can check: the response signature, the request it answers in full, the miner, the body or the stream's chunks", () => {
    const body = encodeTensors(new Map([["answer", stringTensor("42")]]));
    const request = header(body);
    const single = signResponse(answer(request, body, { timestampMs: 9n }), sessionSignerOf(miner()));
    assert.equal(checkReceipt({ request, response: single, body }), undefined);
    assert.equal(checkReceipt({ request, response: single, body: new Uint8Array([1]) }), "body hash");
    // The request is not signed: any field of it changed after the answer breaks the hash the miner signed.
    assert.equal(checkReceipt({ request: header(body), response: single, body }), "request hash");
    assert.equal(checkReceipt({ request: { ...request, validator: miner().publicKey }, response: single, body }), "request hash");
    assert.equal(checkReceipt({ request: { ...request, deadlineMs: request.deadlineMs + 1n }, response: single, body }), "request hash");
    assert.equal(checkReceipt({ request: { ...request, synapse: "other" }, response: single, body }), "request hash");
    // A request addressed to another miner than the one who signed.
    assert.equal(checkReceipt({ request: { ...request, miner: validator().publicKey }, response: single, body }), "miner");
    const chunks = [new Uint8Array([1]), new Uint8Array([2])];
    const digest = new StreamDigest();
    for (const c of chunks) digest.add(c);
    const streamed = signResponse(answer(request, body, { streamed: true, timestampMs: 9n, bodyHash: digest.digest() }), sessionSignerOf(miner()));
    assert.equal(checkReceipt({ request, response: streamed, body: chunks }), undefined);
    assert.equal(checkReceipt({ request, response: streamed, body: [...chunks].reverse() }), "body hash");
    const forged = signResponse({ ...single }, sessionSignerOf(validator()));
    assert.equal(checkReceipt({ request, response: { ...single, signature: forged.signature }, body }), "response signature");
  });

  it("let both sides rebuild the same request from HELLO, WELCOME and REQUEST, so the answer's signature checks against it", () => {
    const body = encodeTensors(new Map([["q", stringTensor("hi")]]));
    // One miner signer throughout: its session key is the one WELCOME binds and the one that signs.
    const minerSession = sessionSignerOf(miner());
    const h = decodeFrame(encodeFrame(hello()));
    const w = decodeFrame(encodeFrame(welcome(minerSession.binding)));
    const r = decodeFrame(encodeFrame({ kind: FrameKind.Request, requestId: 42, timestampMs: 1_700_000_000_000n, deadlineMs: 1_700_000_012_000n, synapse: "ocr", body }));
    assert.ok(h.kind === FrameKind.Hello && w.kind === FrameKind.Welcome && r.kind === FrameKind.Request);
    // What the miner knows: HELLO (the validator, proven by the binding), its own salt, the REQUEST.
    const request: RequestHeader = {
      version: PROTOCOL_VERSION,
      netuid: h.hello.netuid,
      genesisHash: h.hello.genesisHash,
      validator: validator().publicKey,
      miner: h.hello.miner,
      nonce: requestNonce(w.welcome.salt, r.requestId),
      timestampMs: r.timestampMs,
      deadlineMs: r.deadlineMs,
      synapse: r.synapse,
      bodyHash: hash256(r.body),
    };
    const reply = encodeFrame({ kind: FrameKind.Response, requestId: r.requestId, status: 0, timestampMs: 1_700_000_000_005n, signature: signResponse(answer(request, body), minerSession).signature, body });
    const got = decodeFrame(reply);
    assert.ok(got.kind === FrameKind.Response);
    // What the validator keeps: its own request header and the answer, with WELCOME's binding.
    const response: SignedResponse = { ...answer(request, got.body, { status: got.status, timestampMs: got.timestampMs }), binding: w.welcome.binding, signature: got.signature };
    assert.equal(checkReceipt({ request, response, body: got.body }), undefined);
    // Another session key than the one WELCOME bound does not make a good answer.
    assert.equal(checkReceipt({ request, response: { ...response, binding: sessionSignerOf(miner()).binding }, body: got.body }), "response signature");
    // Had the answer come back under another request id, it would name another request.
    assert.equal(checkReceipt({ request: { ...request, nonce: requestNonce(w.welcome.salt, r.requestId + 1) }, response, body: got.body }), "request hash");
  });

  it("refuse a HELLO or WELCOME of another version as UNSUPPORTED_VERSION", () => {
    for (const frame of [hello(), welcome()]) {
      const bytes = encodeFrame(frame);
      for (const version of [2, 1, 4, 0, 255]) {
        const other = bytes.slice();
        other[5] = version;
        assert.throws(() => decodeFrame(other), isFrameError("UNSUPPORTED_VERSION"), `kind ${frame.kind}, version ${version}`);
      }
    }
    const encodedV2 = encodeFrame({ kind: FrameKind.Hello, requestId: 0, hello: { version: 2, netuid: 3, genesisHash: new Uint8Array(32), miner: new Uint8Array(32), binding: new Uint8Array() } });
    assert.throws(() => decodeFrame(encodedV2), isFrameError("UNSUPPORTED_VERSION"));
  });

  it("refuse truncated frames, and trailing bytes where a frame has a fixed size, as BAD_FRAME", () => {
    const body = new Uint8Array([1, 2, 3]);
    const signature = new Uint8Array(64).fill(1);
    /** Each frame and how many of its bytes are fixed fields (a prefix shorter than that is truncated). */
    const cases: [Frame, number][] = [
      [hello(), 5 + 1 + 2 + 32 + 32],
      [welcome(), WELCOME_FIXED],
      [{ kind: FrameKind.Request, requestId: 1, timestampMs: 1n, deadlineMs: 2n, synapse: "ocr", body }, 5 + 8 + 8 + 1 + 3],
      [{ kind: FrameKind.Response, requestId: 1, status: 0, timestampMs: 1n, signature, body }, 5 + 1 + 8 + 64],
      [{ kind: FrameKind.Chunk, requestId: 1, seq: 0, body }, 5 + 4],
      [{ kind: FrameKind.End, requestId: 1, status: 0, timestampMs: 1n, signature }, 5 + 1 + 8 + 64],
      [{ kind: FrameKind.Refused, requestId: 1, code: RefusalCode.Busy, retryAfterMs: 250, message: "busy" }, 5 + 1 + 4 + 1 + 4],
      [{ kind: FrameKind.Cancel, requestId: 1 }, 5],
    ];
    for (const [frame, fixedBytes] of cases) {
      const bytes = encodeFrame(frame);
      for (let n = 0; n < fixedBytes; n++) assert.throws(() => decodeFrame(bytes.subarray(0, n)), isFrameError("BAD_FRAME"), `kind ${frame.kind} cut to ${n} bytes`);
      if (fixedBytes === bytes.length) assert.throws(() => decodeFrame(new Uint8Array([...bytes, 0])), isFrameError("BAD_FRAME"), `kind ${frame.kind} with a byte more`);
    }
  });

  it("refuse unknown frame kinds, a bad synapse or refusal code, and survive random frames with nothing but FrameErrors", () => {
    assert.throws(() => decodeFrame(new Uint8Array([99, 0, 0, 0, 0])), /unknown frame kind 99/);
    assert.throws(() => decodeFrame(new Uint8Array([0, 0, 0, 0, 0])), isFrameError("BAD_FRAME"));
    const request = encodeFrame({ kind: FrameKind.Request, requestId: 1, timestampMs: 1n, deadlineMs: 2n, synapse: "ocr", body: new Uint8Array() });
    const longSynapse = request.slice();
    longSynapse[21] = 65;
    assert.throws(() => decodeFrame(new Uint8Array([...longSynapse, ...new Uint8Array(65)])), isFrameError("BAD_FRAME"));
    const badUtf8 = request.slice();
    badUtf8[22] = 0xff;
    assert.throws(() => decodeFrame(badUtf8), /not valid UTF-8/);
    const refused = encodeFrame({ kind: FrameKind.Refused, requestId: 1, code: RefusalCode.Busy, retryAfterMs: 0, message: "" });
    refused[5] = 200;
    assert.throws(() => decodeFrame(refused), /unknown refusal code 200/);
    const seeds = [
      encodeFrame(hello()),
      encodeFrame(welcome()),
      request,
      encodeFrame({ kind: FrameKind.Response, requestId: 1, status: 0, timestampMs: 1n, signature: new Uint8Array(64), body: encodeTensors(new Map([["a", stringTensor("b")]])) }),
      encodeFrame({ kind: FrameKind.End, requestId: 1, status: 0, timestampMs: 1n, signature: new Uint8Array(64) }),
      encodeFrame({ kind: FrameKind.Refused, requestId: 1, code: RefusalCode.Busy, retryAfterMs: 250, message: "busy" }),
    ];
    const random = prng(7);
    for (let i = 0; i < 5000; i++) {
      const bytes = seeds[i % seeds.length]!;
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
