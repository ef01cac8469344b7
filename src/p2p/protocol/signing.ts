/**
 * Signatures over requests and responses (sr25519, by the hotkeys themselves), each under its own
 * domain tag so no signed bytes of one kind can pass for another. A response names its request by
 * hash, so a (request, response) pair is a receipt anyone can check later against the hotkeys.
 */
import { blake2AsU8a } from "@polkadot/util-crypto";
import { verifySr25519, type Sr25519Signer } from "../../util/sr25519.js";
import { ByteWriter } from "./bytes.js";
import { writeRequestHeader, writeResponseHeader, type RequestHeader, type ResponseHeader, type SignedRequest, type SignedResponse } from "./frames.js";

const encoder = new TextEncoder();
export const REQUEST_DOMAIN = encoder.encode("tensornode/request/v1");
export const RESPONSE_DOMAIN = encoder.encode("tensornode/response/v1");

export function hash256(data: Uint8Array): Uint8Array {
  return blake2AsU8a(data, 256);
}

export function requestSigningBytes(h: RequestHeader): Uint8Array {
  return writeRequestHeader(new ByteWriter(256).bytes(REQUEST_DOMAIN), h).finish();
}

export function responseSigningBytes(h: ResponseHeader): Uint8Array {
  return writeResponseHeader(new ByteWriter(160).bytes(RESPONSE_DOMAIN), h).finish();
}

export function signRequest(header: RequestHeader, signer: Sr25519Signer): SignedRequest {
  return { ...header, signature: signer.sign(requestSigningBytes(header)) };
}

/** An empty or malformed signature never verifies. */
export function verifyRequestSignature(request: SignedRequest): boolean {
  return verifySr25519(request.signature, requestSigningBytes(request), request.validator);
}

/** What a response points at: the hash of the signed request, signature included. */
export function requestHash(request: SignedRequest): Uint8Array {
  return hash256(new ByteWriter(320).bytes(requestSigningBytes(request)).bytes(request.signature).finish());
}

export function signResponse(header: ResponseHeader, signer: Sr25519Signer): SignedResponse {
  return { ...header, signature: signer.sign(responseSigningBytes(header)) };
}

export function verifyResponseSignature(response: SignedResponse): boolean {
  return verifySr25519(response.signature, responseSigningBytes(response), response.miner);
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
