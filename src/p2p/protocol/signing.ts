/**
 * Signatures over requests and responses, each under its own domain tag so no signed bytes of one
 * kind can pass for another. Each is signed by a session key (Ed25519) whose binding by the hotkey
 * (sr25519) travels with it (session.ts). A response names its request by hash, so a (request,
 * response) pair is a receipt anyone can check later against the hotkeys alone.
 */
import { blake2AsU8a } from "@polkadot/util-crypto";
import { ByteWriter } from "./bytes.js";
import { writeRequestHeader, writeResponseHeader, type RequestHeader, type ResponseHeader, type SignedRequest, type SignedResponse } from "./frames.js";
import { verifySessionSigned, writeSessionBinding, type SessionSigner, type SessionVerifier } from "./session.js";

const encoder = new TextEncoder();
export const REQUEST_DOMAIN = encoder.encode("tensornode/request/v2");
export const RESPONSE_DOMAIN = encoder.encode("tensornode/response/v2");

export function hash256(data: Uint8Array): Uint8Array {
  return blake2AsU8a(data, 256);
}

export function requestSigningBytes(h: RequestHeader): Uint8Array {
  return writeRequestHeader(new ByteWriter(256).bytes(REQUEST_DOMAIN), h).finish();
}

export function responseSigningBytes(h: ResponseHeader): Uint8Array {
  return writeResponseHeader(new ByteWriter(160).bytes(RESPONSE_DOMAIN), h).finish();
}

export function signRequest(header: RequestHeader, signer: SessionSigner): SignedRequest {
  const binding = signer.binding;
  return { ...header, binding, signature: signer.sign(requestSigningBytes(header)) };
}

/**
 * Whether `request.validator` signed the request: through a session key its binding vouches for,
 * unexpired at the request's timestamp. An empty or malformed signature never verifies.
 */
export function verifyRequestSignature(request: SignedRequest, verifier?: SessionVerifier): boolean {
  return verifySessionSigned(request.signature, requestSigningBytes(request), request.binding, request.validator, request.timestampMs, verifier);
}

/** What a response points at: the hash of the signed request, its binding and signature included. */
export function requestHash(request: SignedRequest): Uint8Array {
  const w = new ByteWriter(512).bytes(requestSigningBytes(request));
  return hash256(writeSessionBinding(w, request.binding).bytes(request.signature).finish());
}

export function signResponse(header: ResponseHeader, signer: SessionSigner): SignedResponse {
  const binding = signer.binding;
  return { ...header, binding, signature: signer.sign(responseSigningBytes(header)) };
}

/** Whether `response.miner` signed the response, through a session key bound as for requests. */
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

export type ReceiptProblem = "request signature" | "response signature" | "request hash" | "body hash" | "miner";

/** A validator's proof of who answered what: both headers and the answer's body (or its chunks). */
export interface Receipt {
  readonly request: SignedRequest;
  readonly response: SignedResponse;
  /** The single body, or the chunks of a streamed answer. */
  readonly body: Uint8Array | readonly Uint8Array[];
}

/** Checks a receipt end to end; the first problem found, or undefined when it holds. */
export function checkReceipt(receipt: Receipt): ReceiptProblem | undefined {
  const { request, response, body } = receipt;
  if (!verifyRequestSignature(request)) return "request signature";
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
