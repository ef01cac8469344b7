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
import { ByteWriter, utf8Length } from "./bytes.js";
import { writeRequestHeader, writeResponseHeader, type RequestHeader, type ResponseHeader, type SignedResponse } from "./frames.js";
import { verifySessionSigned, type SessionSigner, type SessionVerifier } from "./session.js";

const encoder = new TextEncoder();
export const REQUEST_DOMAIN = encoder.encode("tensornode/request/v3");
export const RESPONSE_DOMAIN = encoder.encode("tensornode/response/v3");

const NO_KEY = new Uint8Array();

export function hash256(data: Uint8Array): Uint8Array {
  // The Wasm hasher itself once it is loaded (about half the time per call of the wrapper, which
  // converts and checks its input first); the wrapper, which has a JS fallback, before.
  return isReady() ? blake2b(data, NO_KEY, 32) : blake2AsU8a(data, 256);
}

/** What a response points at: the hash of the request's domain tag and its header in full. */
export function requestHash(h: RequestHeader): Uint8Array {
  const size = REQUEST_DOMAIN.length + 1 + 2 + 32 + 32 + 32 + 16 + 8 + 8 + 1 + utf8Length(h.synapse) + 32;
  return hash256(writeRequestHeader(new ByteWriter(size).bytes(REQUEST_DOMAIN), h).finish());
}

export function responseSigningBytes(h: ResponseHeader): Uint8Array {
  return writeResponseHeader(new ByteWriter(RESPONSE_DOMAIN.length + 1 + 1 + 1 + 32 + 32 + 8 + 32).bytes(RESPONSE_DOMAIN), h).finish();
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
