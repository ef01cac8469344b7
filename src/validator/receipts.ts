/** Checking the receipts a validator kept: who answered what, provably (pure). */
import { decodeAddress } from "@polkadot/util-crypto";
import { bytesEqual, checkReceipt } from "../p2p/protocol/signing.js";
import type { StoredReceipt } from "./state.js";

export type ReceiptVerdict = "valid" | "valid, body not kept" | `INVALID: ${string}`;

/** Checks a kept receipt end to end: both signatures, the request it answers, the miner, the body. */
export function verifyStoredReceipt(r: StoredReceipt): ReceiptVerdict {
  const problem = checkReceipt(r.receipt);
  if (problem === "body hash" && r.bodyOmitted) return "valid, body not kept";
  if (problem) return `INVALID: ${problem}`;
  if (!bytesEqual(r.receipt.response.miner, decodeAddress(r.hotkey))) return "INVALID: signed by another hotkey";
  return "valid";
}
