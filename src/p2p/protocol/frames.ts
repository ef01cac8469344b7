/**
 * The query protocol's frames (docs/protocol.md), pure encode/decode. Every frame starts with its
 * kind; a request's header has a fixed layout read before, and independently of, its body, so a
 * miner decides admission without parsing the body.
 */
import { ByteReader, ByteWriter, FrameError } from "./bytes.js";
import { readSessionBinding, writeSessionBinding, type SessionBinding } from "./session.js";

export const PROTOCOL_VERSION = 2;
export const QUERY_PROTOCOL = "/tensornode/query/2.0.0";
/** The previous protocol: a miner answers its first frame with a refusal that says to upgrade. */
export const QUERY_PROTOCOL_V1 = "/tensornode/query/1.0.0";
export const MAX_SYNAPSE_BYTES = 64;
export const MAX_REFUSAL_MESSAGE_BYTES = 512;

export const FrameKind = { Request: 1, Response: 2, Chunk: 3, End: 4, Refused: 5, Cancel: 6 } as const;
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

/** What a validator signs: the request bound to its target, body, time and deadline. */
export interface RequestHeader {
  readonly version: number;
  readonly netuid: number;
  /** The chain's genesis hash: a request for one chain is worthless on another. */
  readonly genesisHash: Uint8Array;
  readonly validator: Uint8Array;
  readonly miner: Uint8Array;
  /** 16 random bytes; a miner accepts each nonce once (within its time window). */
  readonly nonce: Uint8Array;
  readonly timestampMs: bigint;
  readonly deadlineMs: bigint;
  readonly synapse: string;
  readonly bodyHash: Uint8Array;
}

export interface SignedRequest extends RequestHeader {
  /** The validator hotkey's binding of the session key that signed. */
  readonly binding: SessionBinding;
  /** Ed25519, by `binding.sessionKey`. */
  readonly signature: Uint8Array;
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
  /** The miner hotkey's binding of the session key that signed. */
  readonly binding: SessionBinding;
  /** Ed25519, by `binding.sessionKey`. */
  readonly signature: Uint8Array;
}

export type Frame =
  | { readonly kind: typeof FrameKind.Request; readonly requestId: number; readonly request: SignedRequest; readonly body: Uint8Array }
  | { readonly kind: typeof FrameKind.Response; readonly requestId: number; readonly response: SignedResponse; readonly body: Uint8Array }
  | { readonly kind: typeof FrameKind.Chunk; readonly requestId: number; readonly seq: number; readonly body: Uint8Array }
  | { readonly kind: typeof FrameKind.End; readonly requestId: number; readonly response: SignedResponse }
  | { readonly kind: typeof FrameKind.Refused; readonly requestId: number; readonly code: RefusalCode; readonly retryAfterMs: number; readonly message: string }
  | { readonly kind: typeof FrameKind.Cancel; readonly requestId: number };

const KEY = 32;
const NONCE = 16;
const SIGNATURE = 64;

function fixed(r: ByteReader, n: number, what: string): Uint8Array {
  return r.bytes(n, what).slice();
}

function checkLength(value: Uint8Array, n: number, what: string): void {
  if (value.length !== n) throw new FrameError("BAD_FRAME", `${what} must have ${n} bytes, has ${value.length}`);
}

/** The request's fields in signing order (no request id: it only multiplexes one stream). */
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
  if (version !== PROTOCOL_VERSION) throw new FrameError("UNSUPPORTED_VERSION", `request version ${version}; this node speaks ${PROTOCOL_VERSION}`);
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
  if (version !== PROTOCOL_VERSION) throw new FrameError("UNSUPPORTED_VERSION", `response version ${version}; this node speaks ${PROTOCOL_VERSION}`);
  const status = r.u8("status");
  const streamed = r.u8("streamed");
  if (streamed > 1) throw new FrameError("BAD_FRAME", `streamed flag ${streamed} is neither 0 nor 1`);
  return { version, status, streamed: streamed === 1, miner: fixed(r, KEY, "miner hotkey"), requestHash: fixed(r, KEY, "request hash"), timestampMs: r.u64("timestamp"), bodyHash: fixed(r, KEY, "body hash") };
}

export function encodeFrame(frame: Frame): Uint8Array {
  const w = new ByteWriter("body" in frame ? frame.body.length + 480 : 480);
  w.u8(frame.kind).u32(frame.requestId);
  switch (frame.kind) {
    case FrameKind.Request:
      writeRequestHeader(w, frame.request);
      writeSessionBinding(w, frame.request.binding);
      checkLength(frame.request.signature, SIGNATURE, "signature");
      return w.bytes(frame.request.signature).bytes(frame.body).finish();
    case FrameKind.Response:
    case FrameKind.End:
      writeResponseHeader(w, frame.response);
      writeSessionBinding(w, frame.response.binding);
      checkLength(frame.response.signature, SIGNATURE, "signature");
      w.bytes(frame.response.signature);
      return (frame.kind === FrameKind.Response ? w.bytes(frame.body) : w).finish();
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
    case FrameKind.Request: {
      const header = readRequestHeader(r);
      const request: SignedRequest = { ...header, binding: readSessionBinding(r), signature: fixed(r, SIGNATURE, "signature") };
      return { kind, requestId, request, body: r.rest() };
    }
    case FrameKind.Response:
    case FrameKind.End: {
      const header = readResponseHeader(r);
      const response: SignedResponse = { ...header, binding: readSessionBinding(r), signature: fixed(r, SIGNATURE, "signature") };
      if (kind === FrameKind.End) {
        r.end("an end frame");
        if (!response.streamed) throw new FrameError("BAD_FRAME", "an end frame must carry a streamed response");
        return { kind, requestId, response };
      }
      if (response.streamed) throw new FrameError("BAD_FRAME", "a response frame must not carry a streamed response");
      return { kind, requestId, response, body: r.rest() };
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
    default:
      throw new FrameError("BAD_FRAME", `unknown frame kind ${kind}`);
  }
}
