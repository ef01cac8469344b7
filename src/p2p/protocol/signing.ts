/**
 * What makes an answer a receipt (docs/protocol.md §5.3): the miner's session key (Ed25519, bound by
 * its hotkey, session.ts) signs the answer's header, which names the request it answers by hash and
 * its body by hash, under a domain tag of its own. Requests are not signed: a request arrives on a
 * stream whose HELLO proved the validator's hotkey (the Noise-authenticated peer, bound by that
 * hotkey), and the request's fields in full are inside what the miner signs. So a receipt — the
 * request's header, the signed response with its binding, the body — is checked by anyone, offline,
 * against the miner's hotkey alone.
 */
import { blake2AsU8a } from "@polkadot/util-crypto";
import { blake2b, isReady } from "@polkadot/wasm-crypto";
import { ByteWriter } from "./bytes.js";
import { MAX_SYNAPSE_BYTES, writeRequestHeader, writeResponseHeader, type RequestHeader, type ResponseHeader, type SignedResponse } from "./frames.js";
import { verifySessionSigned, type SessionSigner, type SessionVerifier } from "./session.js";

const utf8 = new TextEncoder();
export const REQUEST_DOMAIN = utf8.encode("tensornode/request/v3");
export const RESPONSE_DOMAIN = utf8.encode("tensornode/response/v3");

const NO_KEY = new Uint8Array();

export function hash256(data: Uint8Array): Uint8Array {
  // The Wasm hasher itself once it is loaded (about half the time per call of the wrapper, which
  // converts and checks its input first); the wrapper, which has a JS fallback, before.
  return isReady() ? blake2b(data, NO_KEY, 32) : blake2AsU8a(data, 256);
}

/** What a response points at: the hash of the request's domain tag and its header in full (frames.ts writeRequestHeader's layout). */
export function requestHash(h: RequestHeader): Uint8Array {
  const synapse = utf8.encode(h.synapse);
  if (synapse.length > MAX_SYNAPSE_BYTES || h.genesisHash.length !== 32 || h.validator.length !== 32 || h.miner.length !== 32 || h.nonce.length !== 16 || h.bodyHash.length !== 32) {
    return hash256(writeRequestHeader(new ByteWriter(256).bytes(REQUEST_DOMAIN), h).finish()); // throws the precise FrameError
  }
  // The hot path's copy of writeRequestHeader, written in place: one buffer, no writer.
  const d = REQUEST_DOMAIN.length;
  const out = new Uint8Array(d + 1 + 2 + 32 + 32 + 32 + 16 + 8 + 8 + 1 + synapse.length + 32);
  const view = new DataView(out.buffer);
  out.set(REQUEST_DOMAIN);
  out[d] = h.version;
  view.setUint16(d + 1, h.netuid, true);
  out.set(h.genesisHash, d + 3);
  out.set(h.validator, d + 35);
  out.set(h.miner, d + 67);
  out.set(h.nonce, d + 99);
  view.setBigUint64(d + 115, h.timestampMs, true);
  view.setBigUint64(d + 123, h.deadlineMs, true);
  out[d + 131] = synapse.length;
  out.set(synapse, d + 132);
  out.set(h.bodyHash, d + 132 + synapse.length);
  return hash256(out);
}

/** `"tensornode/response/v3" ‖ response header`: what the miner's session key signs (frames.ts writeResponseHeader's layout). */
export function responseSigningBytes(h: ResponseHeader): Uint8Array {
  if (h.miner.length !== 32 || h.requestHash.length !== 32 || h.bodyHash.length !== 32) return writeResponseHeader(new ByteWriter(160).bytes(RESPONSE_DOMAIN), h).finish(); // throws the precise FrameError
  const d = RESPONSE_DOMAIN.length;
  const out = new Uint8Array(d + 3 + 32 + 32 + 8 + 32);
  out.set(RESPONSE_DOMAIN);
  out[d] = h.version;
  out[d + 1] = h.status;
  out[d + 2] = h.streamed ? 1 : 0;
  out.set(h.miner, d + 3);
  out.set(h.requestHash, d + 35);
  new DataView(out.buffer).setBigUint64(d + 67, h.timestampMs, true);
  out.set(h.bodyHash, d + 75);
  return out;
}

export function signResponse(header: ResponseHeader, signer: SessionSigner): SignedResponse {
  const binding = signer.binding;
  return { ...header, binding, signature: signer.sign(responseSigningBytes(header)) };
}

/** Whether `response.miner` signed the response: through a session key its binding vouches for, unexpired at the response's time. */
export function verifyResponseSignature(response: SignedResponse, verifier?: SessionVerifier): boolean {
  return verifySessionSigned(response.signature, responseSigningBytes(response), response.binding, response.miner, response.timestampMs, verifier);
}

/**
 * A streamed answer's digest: the hash of its chunks' hashes in order, so the END frame's one
 * signature covers every chunk and their order.
 */
export class StreamDigest {
  readonly #hashes: Uint8Array[] = [];

  add(chunk: Uint8Array): void {
    this.#hashes.push(hash256(chunk));
  }

  get count(): number {
    return this.#hashes.length;
  }

  digest(): Uint8Array {
    const w = new ByteWriter(32 * this.#hashes.length + 4).u32(this.#hashes.length);
    for (const h of this.#hashes) w.bytes(h);
    return hash256(w.finish());
  }
}

export type ReceiptProblem = "response signature" | "request hash" | "body hash" | "miner";

/** Proof of who answered what: the request's header, the miner's signed response and the answer's body (or its chunks). */
export interface Receipt {
  readonly request: RequestHeader;
  readonly response: SignedResponse;
  /** The single body, or the chunks of a streamed answer. */
  readonly body: Uint8Array | readonly Uint8Array[];
}

/** Checks a receipt end to end; the first problem found, or undefined when it holds. */
export function checkReceipt(receipt: Receipt): ReceiptProblem | undefined {
  const { request, response, body } = receipt;
  if (!verifyResponseSignature(response)) return "response signature";
  if (!bytesEqual(response.miner, request.miner)) return "miner";
  if (!bytesEqual(response.requestHash, requestHash(request))) return "request hash";
  const bodyHash = Array.isArray(body) ? streamDigestOf(body as readonly Uint8Array[]) : hash256(body as Uint8Array);
  if (!bytesEqual(bodyHash, response.bodyHash)) return "body hash";
  return undefined;
}

function streamDigestOf(chunks: readonly Uint8Array[]): Uint8Array {
  const digest = new StreamDigest();
  for (const c of chunks) digest.add(c);
  return digest.digest();
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
