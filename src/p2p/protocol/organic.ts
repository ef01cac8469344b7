/**
 * Organic requests: a user's request, relayed by a validator's gateway to a miner, and the receipt
 * the user gets back (docs/protocol.md §5.9). Pure.
 *
 * The request's body is one tensor, the exact bytes of the user's HTTP body; the miner converts it
 * with the plugin's public interface and answers one tensor, the output as JSON. So what the miner
 * signs (its response names the request by hash, and the request holds the hash of its body) ties
 * its output to the very bytes the user sent, and the user checks that with nothing but those
 * bytes, the receipt and the miner's hotkey: the validator cannot swap the input or the output.
 */
import { ByteReader, ByteWriter, FrameError } from "./bytes.js";
import { readRequestHeader, readResponseHeader, writeRequestHeader, writeResponseHeader, type RequestHeader, type SignedResponse } from "./frames.js";
import { readSessionBinding, writeSessionBinding } from "./session.js";
import { bytesEqual, hash256, requestHash, verifyResponseSignature } from "./signing.js";
import { decodeTensors, encodeTensors, type Tensor, type TensorMap } from "./tensors.js";

/** The request tensor: `bytes`, the user's HTTP body exactly as sent. */
export const ORGANIC_REQUEST_TENSOR = "tensornode/request.json";
/** The answer tensor: `bytes`, the output as UTF-8 JSON. */
export const ORGANIC_ANSWER_TENSOR = "tensornode/output.json";
export const ORGANIC_RECEIPT_VERSION = 3;

const bytesTensor = (data: Uint8Array): Tensor => ({ dtype: "bytes", dims: [], data });

/** The body of an organic request: the user's bytes, untouched. */
export function organicRequestBody(userBody: Uint8Array): TensorMap {
  return new Map([[ORGANIC_REQUEST_TENSOR, bytesTensor(userBody)]]);
}

/** The user's bytes when `body` is an organic request (its only tensor is the request tensor), else undefined. */
export function readOrganicRequest(body: TensorMap): Uint8Array | undefined {
  return onlyBytes(body, ORGANIC_REQUEST_TENSOR);
}

export function organicAnswerBody(outputJson: Uint8Array): TensorMap {
  return new Map([[ORGANIC_ANSWER_TENSOR, bytesTensor(outputJson)]]);
}

/** The output's JSON bytes when `body` is an organic answer, else undefined. */
export function readOrganicAnswer(body: TensorMap): Uint8Array | undefined {
  return onlyBytes(body, ORGANIC_ANSWER_TENSOR);
}

function onlyBytes(body: TensorMap, name: string): Uint8Array | undefined {
  if (body.size !== 1) return undefined;
  const t = body.get(name);
  return t && t.dtype === "bytes" && t.dims.length === 0 ? t.data : undefined;
}

/** What a user keeps: the request in full, the miner's signed response and the answer's body. */
export interface OrganicReceipt {
  readonly request: RequestHeader;
  readonly response: SignedResponse;
  /** The answer's body bytes (named tensors), whose hash the miner signed. */
  readonly answer: Uint8Array;
}

/**
 * Receipt bytes: `version u8 (3) ‖ request header ‖ response header ‖ miner's session binding ‖
 * response signature ‖ u32 answer length ‖ answer`, each part as docs/protocol.md §5.3 lays it out:
 * self-contained, it verifies from the miner's hotkey alone.
 */
export function encodeOrganicReceipt(r: OrganicReceipt): Uint8Array {
  const w = new ByteWriter(800 + r.answer.length).u8(ORGANIC_RECEIPT_VERSION);
  writeRequestHeader(w, r.request);
  writeSessionBinding(writeResponseHeader(w, r.response), r.response.binding).bytes(r.response.signature);
  return w.u32(r.answer.length).bytes(r.answer).finish();
}

/** Throws a FrameError (BAD_FRAME, UNSUPPORTED_VERSION) on anything but a well-formed receipt. */
export function decodeOrganicReceipt(bytes: Uint8Array): OrganicReceipt {
  const r = new ByteReader(bytes);
  const version = r.u8();
  if (version !== ORGANIC_RECEIPT_VERSION) throw new FrameError("UNSUPPORTED_VERSION", `receipt version ${version}; this node reads version ${ORGANIC_RECEIPT_VERSION}`);
  const request = readRequestHeader(r);
  const response: SignedResponse = { ...readResponseHeader(r), binding: readSessionBinding(r), signature: r.bytes(64, "response signature").slice() };
  if (response.streamed) throw new FrameError("BAD_FRAME", "an organic answer is never streamed");
  const answer = r.bytes(r.u32("answer length"), "answer").slice();
  r.end("a receipt");
  return { request, response, answer };
}

export type OrganicReceiptProblem = "response signature" | "miner" | "request hash" | "answer hash" | "not your request" | "not an organic answer" | "not answered";

/**
 * Checks a receipt against the bytes the user sent; the first problem, or undefined when the miner
 * (`response.miner`) provably answered exactly that body with `organicOutputOf(receipt)`. Which
 * hotkey that is, and whether it is registered, is for the caller to judge.
 */
export function checkOrganicReceipt(receipt: OrganicReceipt, userBody: Uint8Array): OrganicReceiptProblem | undefined {
  const { request, response, answer } = receipt;
  if (!verifyResponseSignature(response)) return "response signature";
  if (!bytesEqual(response.miner, request.miner)) return "miner";
  if (!bytesEqual(response.requestHash, requestHash(request))) return "request hash";
  if (!bytesEqual(response.bodyHash, hash256(answer))) return "answer hash";
  if (!bytesEqual(request.bodyHash, hash256(encodeTensors(organicRequestBody(userBody))))) return "not your request";
  if (response.status !== 0) return "not answered";
  if (organicOutputBytes(receipt) === undefined) return "not an organic answer";
  return undefined;
}

/** The output JSON bytes the receipt's answer carries, or undefined when it carries none. */
export function organicOutputBytes(receipt: OrganicReceipt): Uint8Array | undefined {
  try {
    return readOrganicAnswer(decodeTensors(receipt.answer));
  } catch {
    return undefined;
  }
}
