/**
 * The query protocol's frames (docs/protocol.md §5), pure encode/decode. Every frame starts with its
 * kind and a request id. A stream opens with HELLO (the validator: who it is, proven by its hotkey's
 * binding of the libp2p peer the Noise handshake authenticated) and WELCOME (the miner: its session
 * key's binding and a fresh salt); after that a request carries only what changes per request, and
 * an answer only its status, time, signature and body. Bodies are never parsed here.
 */
import { ByteReader, ByteWriter, FrameError } from "./bytes.js";
import { readSessionBinding, SESSION_BINDING_BYTES, writeSessionBinding, type SessionBinding } from "./session.js";

export const PROTOCOL_VERSION = 3;
export const QUERY_PROTOCOL = "/tensornode/query/3.0.0";
/** Earlier protocols: a miner answers their first frame with a refusal that says to upgrade. */
export const OLD_QUERY_PROTOCOLS = ["/tensornode/query/2.0.0", "/tensornode/query/1.0.0"] as const;
export const MAX_SYNAPSE_BYTES = 64;
export const MAX_REFUSAL_MESSAGE_BYTES = 512;
/** The largest hotkey binding a HELLO or WELCOME carries (docs/protocol.md §3). */
const MAX_BINDING_BYTES = 4397;
/** The salt a miner gives each stream; a request's nonce is the salt and its request id. */
export const SALT_BYTES = 12;

export const FrameKind = { Request: 1, Response: 2, Chunk: 3, End: 4, Refused: 5, Cancel: 6, Hello: 7, Welcome: 8 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** Why a miner did not answer; `Busy` and `RateLimited` say when to retry. */
export const RefusalCode = {
  Busy: 1,
  RateLimited: 2,
  BadSignature: 3,
  Stale: 4,
  Replay: 5,
  NotPermitted: 6,
  WrongTarget: 7,
  DeadlinePassed: 8,
  BadRequest: 9,
  TooLarge: 10,
  UnknownSynapse: 11,
  Internal: 12,
  ShuttingDown: 13,
} as const;
export type RefusalCode = (typeof RefusalCode)[keyof typeof RefusalCode];
export const REFUSAL_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(RefusalCode).map(([name, code]) => [code, name]));

/**
 * A request in full: what a receipt holds and what the miner's answer names by hash. Only the
 * per-request fields travel in a REQUEST frame; the rest is the stream's (HELLO and WELCOME).
 */
export interface RequestHeader {
  readonly version: number;
  readonly netuid: number;
  /** The chain's genesis hash: a request for one chain is worthless on another. */
  readonly genesisHash: Uint8Array;
  readonly validator: Uint8Array;
  readonly miner: Uint8Array;
  /** The stream's salt (12 bytes, chosen by the miner) and the request id (u32 LE): never twice. */
  readonly nonce: Uint8Array;
  readonly timestampMs: bigint;
  readonly deadlineMs: bigint;
  readonly synapse: string;
  readonly bodyHash: Uint8Array;
}

/** What a miner signs: its answer bound to the request it answers (by hash) and to its body. */
export interface ResponseHeader {
  readonly version: number;
  /** 0: answered; otherwise an application status the subnet defines. */
  readonly status: number;
  /** A single body (false) or the digest of a stream of chunks (true). */
  readonly streamed: boolean;
  readonly miner: Uint8Array;
  readonly requestHash: Uint8Array;
  readonly timestampMs: bigint;
  readonly bodyHash: Uint8Array;
}

export interface SignedResponse extends ResponseHeader {
  /** The miner hotkey's binding of the session key that signed (sent once per stream, in WELCOME). */
  readonly binding: SessionBinding;
  /** Ed25519, by `binding.sessionKey`. */
  readonly signature: Uint8Array;
}

/** The validator's opening frame: the stream's fixed request fields, and its proof of identity. */
export interface Hello {
  readonly version: number;
  readonly netuid: number;
  readonly genesisHash: Uint8Array;
  /** The miner hotkey the validator means to reach. */
  readonly miner: Uint8Array;
  /** The validator hotkey's binding of its libp2p peer (identity.ts), encoded. */
  readonly binding: Uint8Array;
}

/** The miner's answer to HELLO: its salt for the stream's nonces, its session key's binding and its proof of identity. */
export interface Welcome {
  readonly version: number;
  readonly salt: Uint8Array;
  /** The miner hotkey's binding of the session key that signs its answers. */
  readonly binding: SessionBinding;
  /** The miner hotkey's binding of its libp2p peer (identity.ts), encoded. */
  readonly peerBinding: Uint8Array;
}

export type Frame =
  | { readonly kind: typeof FrameKind.Hello; readonly requestId: number; readonly hello: Hello }
  | { readonly kind: typeof FrameKind.Welcome; readonly requestId: number; readonly welcome: Welcome }
  | { readonly kind: typeof FrameKind.Request; readonly requestId: number; readonly timestampMs: bigint; readonly deadlineMs: bigint; readonly synapse: string; readonly body: Uint8Array }
  | { readonly kind: typeof FrameKind.Response; readonly requestId: number; readonly status: number; readonly timestampMs: bigint; readonly signature: Uint8Array; readonly body: Uint8Array }
  | { readonly kind: typeof FrameKind.Chunk; readonly requestId: number; readonly seq: number; readonly body: Uint8Array }
  | { readonly kind: typeof FrameKind.End; readonly requestId: number; readonly status: number; readonly timestampMs: bigint; readonly signature: Uint8Array }
  | { readonly kind: typeof FrameKind.Refused; readonly requestId: number; readonly code: RefusalCode; readonly retryAfterMs: number; readonly message: string }
  | { readonly kind: typeof FrameKind.Cancel; readonly requestId: number };

const KEY = 32;
const NONCE = 16;
const SIGNATURE = 64;
const utf8 = new TextEncoder();

function fixed(r: ByteReader, n: number, what: string): Uint8Array {
  return r.bytes(n, what).slice();
}

function checkLength(value: Uint8Array, n: number, what: string): void {
  if (value.length !== n) throw new FrameError("BAD_FRAME", `${what} must have ${n} bytes, has ${value.length}`);
}

function checkUint(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new FrameError("BAD_FRAME", `${what} must be an integer in 0..${max}, is ${value}`);
}

function checkVersion(version: number, what: string): void {
  if (version !== PROTOCOL_VERSION) throw new FrameError("UNSUPPORTED_VERSION", `${what} version ${version}; this node speaks ${PROTOCOL_VERSION}`);
}

/** The request's fields in hashing order (docs/protocol.md §5.3). */
export function writeRequestHeader(w: ByteWriter, h: RequestHeader): ByteWriter {
  checkLength(h.genesisHash, KEY, "genesis hash");
  checkLength(h.validator, KEY, "validator hotkey");
  checkLength(h.miner, KEY, "miner hotkey");
  checkLength(h.nonce, NONCE, "nonce");
  checkLength(h.bodyHash, KEY, "body hash");
  return w
    .u8(h.version)
    .u16(h.netuid)
    .bytes(h.genesisHash)
    .bytes(h.validator)
    .bytes(h.miner)
    .bytes(h.nonce)
    .u64(h.timestampMs)
    .u64(h.deadlineMs)
    .text(h.synapse, MAX_SYNAPSE_BYTES, "synapse")
    .bytes(h.bodyHash);
}

export function readRequestHeader(r: ByteReader): RequestHeader {
  const version = r.u8("version");
  checkVersion(version, "request");
  return {
    version,
    netuid: r.u16("netuid"),
    genesisHash: fixed(r, KEY, "genesis hash"),
    validator: fixed(r, KEY, "validator hotkey"),
    miner: fixed(r, KEY, "miner hotkey"),
    nonce: fixed(r, NONCE, "nonce"),
    timestampMs: r.u64("timestamp"),
    deadlineMs: r.u64("deadline"),
    synapse: r.text(MAX_SYNAPSE_BYTES, "synapse"),
    bodyHash: fixed(r, KEY, "body hash"),
  };
}

export function writeResponseHeader(w: ByteWriter, h: ResponseHeader): ByteWriter {
  checkLength(h.miner, KEY, "miner hotkey");
  checkLength(h.requestHash, KEY, "request hash");
  checkLength(h.bodyHash, KEY, "body hash");
  return w.u8(h.version).u8(h.status).u8(h.streamed ? 1 : 0).bytes(h.miner).bytes(h.requestHash).u64(h.timestampMs).bytes(h.bodyHash);
}

export function readResponseHeader(r: ByteReader): ResponseHeader {
  const version = r.u8("version");
  checkVersion(version, "response");
  const status = r.u8("status");
  const streamed = r.u8("streamed");
  if (streamed > 1) throw new FrameError("BAD_FRAME", `streamed flag ${streamed} is neither 0 nor 1`);
  return { version, status, streamed: streamed === 1, miner: fixed(r, KEY, "miner hotkey"), requestHash: fixed(r, KEY, "request hash"), timestampMs: r.u64("timestamp"), bodyHash: fixed(r, KEY, "body hash") };
}

/** The request's nonce: the stream's salt, then the request id (u32 LE). */
export function requestNonce(salt: Uint8Array, requestId: number): Uint8Array {
  checkLength(salt, SALT_BYTES, "salt");
  const nonce = new Uint8Array(NONCE);
  nonce.set(salt);
  new DataView(nonce.buffer).setUint32(SALT_BYTES, requestId, true);
  return nonce;
}

/**
 * The two frames of the hot path, written straight into one exact-size buffer: `kind, id` and the
 * fields of docs/protocol.md §5.2, nothing else.
 */
function encodeRequest(requestId: number, timestampMs: bigint, deadlineMs: bigint, synapse: string, body: Uint8Array): Uint8Array {
  checkUint(requestId, 0xffffffff, "request id");
  const name = utf8.encode(synapse);
  if (name.length > MAX_SYNAPSE_BYTES) throw new FrameError("BAD_FRAME", `synapse has ${name.length} bytes, more than ${MAX_SYNAPSE_BYTES}`);
  const out = new Uint8Array(5 + 16 + 1 + name.length + body.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, FrameKind.Request);
  view.setUint32(1, requestId, true);
  view.setBigUint64(5, timestampMs, true);
  view.setBigUint64(13, deadlineMs, true);
  out[21] = name.length;
  out.set(name, 22);
  out.set(body, 22 + name.length);
  return out;
}

function encodeAnswer(kind: typeof FrameKind.Response | typeof FrameKind.End, requestId: number, status: number, timestampMs: bigint, signature: Uint8Array, body: Uint8Array | undefined): Uint8Array {
  checkUint(requestId, 0xffffffff, "request id");
  checkUint(status, 0xff, "status");
  checkLength(signature, SIGNATURE, "signature");
  const out = new Uint8Array(5 + 1 + 8 + SIGNATURE + (body?.length ?? 0));
  const view = new DataView(out.buffer);
  view.setUint8(0, kind);
  view.setUint32(1, requestId, true);
  out[5] = status;
  view.setBigUint64(6, timestampMs, true);
  out.set(signature, 14);
  if (body) out.set(body, 14 + SIGNATURE);
  return out;
}

export function encodeFrame(frame: Frame): Uint8Array {
  switch (frame.kind) {
    case FrameKind.Request:
      return encodeRequest(frame.requestId, frame.timestampMs, frame.deadlineMs, frame.synapse, frame.body);
    case FrameKind.Response:
      return encodeAnswer(frame.kind, frame.requestId, frame.status, frame.timestampMs, frame.signature, frame.body);
    case FrameKind.End:
      return encodeAnswer(frame.kind, frame.requestId, frame.status, frame.timestampMs, frame.signature, undefined);
    default:
      break;
  }
  const w = new ByteWriter("body" in frame ? frame.body.length + 16 : 256);
  w.u8(frame.kind).u32(frame.requestId);
  switch (frame.kind) {
    case FrameKind.Hello: {
      const h = frame.hello;
      checkLength(h.genesisHash, KEY, "genesis hash");
      checkLength(h.miner, KEY, "miner hotkey");
      return w.u8(h.version).u16(h.netuid).bytes(h.genesisHash).bytes(h.miner).bytes(h.binding).finish();
    }
    case FrameKind.Welcome:
      checkLength(frame.welcome.salt, SALT_BYTES, "salt");
      return writeSessionBinding(w.u8(frame.welcome.version).bytes(frame.welcome.salt), frame.welcome.binding).bytes(frame.welcome.peerBinding).finish();
    case FrameKind.Chunk:
      return w.u32(frame.seq).bytes(frame.body).finish();
    case FrameKind.Refused:
      return w.u8(frame.code).u32(frame.retryAfterMs).text(frame.message, MAX_REFUSAL_MESSAGE_BYTES, "refusal message").finish();
    case FrameKind.Cancel:
      return w.finish();
  }
}

/** Decodes a frame; a body is a view into `bytes` and is not parsed here. */
export function decodeFrame(bytes: Uint8Array): Frame {
  const r = new ByteReader(bytes);
  const kind = r.u8("frame kind");
  const requestId = r.u32("request id");
  switch (kind) {
    case FrameKind.Request:
      return { kind, requestId, timestampMs: r.u64("timestamp"), deadlineMs: r.u64("deadline"), synapse: r.text(MAX_SYNAPSE_BYTES, "synapse"), body: r.rest() };
    case FrameKind.Response:
    case FrameKind.End: {
      const status = r.u8("status");
      const timestampMs = r.u64("timestamp");
      const signature = fixed(r, SIGNATURE, "signature");
      if (kind === FrameKind.End) {
        r.end("an end frame");
        return { kind, requestId, status, timestampMs, signature };
      }
      return { kind, requestId, status, timestampMs, signature, body: r.rest() };
    }
    case FrameKind.Chunk:
      return { kind, requestId, seq: r.u32("chunk sequence"), body: r.rest() };
    case FrameKind.Refused: {
      const code = r.u8("refusal code");
      if (REFUSAL_NAMES[code] === undefined) throw new FrameError("BAD_FRAME", `unknown refusal code ${code}`);
      const frame = { kind, requestId, code: code as RefusalCode, retryAfterMs: r.u32("retry after"), message: r.text(MAX_REFUSAL_MESSAGE_BYTES, "refusal message") };
      r.end("a refusal");
      return frame;
    }
    case FrameKind.Cancel:
      r.end("a cancel frame");
      return { kind, requestId };
    case FrameKind.Hello: {
      const version = r.u8("version");
      checkVersion(version, "hello");
      const hello: Hello = { version, netuid: r.u16("netuid"), genesisHash: fixed(r, KEY, "genesis hash"), miner: fixed(r, KEY, "miner hotkey"), binding: r.rest().slice() };
      return { kind, requestId, hello };
    }
    case FrameKind.Welcome: {
      const version = r.u8("version");
      checkVersion(version, "welcome");
      const welcome: Welcome = { version, salt: fixed(r, SALT_BYTES, "salt"), binding: readSessionBinding(r), peerBinding: r.rest().slice() };
      return { kind, requestId, welcome };
    }
    default:
      throw new FrameError("BAD_FRAME", `unknown frame kind ${kind}`);
  }
}
/** The largest WELCOME: its fixed part, a session binding and the largest hotkey binding. */
export const MAX_WELCOME_BYTES = 5 + 1 + SALT_BYTES + SESSION_BINDING_BYTES + MAX_BINDING_BYTES;
