/**
 * A user's check of a gateway's answer, offline and without trusting the validator (pure): each
 * receipt must carry a request for exactly the bytes the user sent and the miner's signature over
 * its answer to that request in full, by the hotkey the answer names; the output
 * shown must be the one the miner signed. Whether that hotkey holds that uid on the subnet is a
 * question for the chain (the CLI asks it with --chain).
 */
import { base64Decode, decodeAddress, encodeAddress } from "@polkadot/util-crypto";
import { bytesEqual } from "./signing.js";
import { checkOrganicReceipt, decodeOrganicReceipt, organicOutputBytes, type OrganicReceipt } from "./organic.js";

export interface ReceiptCheck {
  readonly uid: number | undefined;
  /** The miner's hotkey as the answer names it (SS58). */
  readonly hotkey: string;
  readonly latencyMs: number | undefined;
  /** "valid", or what is wrong. */
  readonly verdict: string;
  /** The output this receipt's miner signed, when the receipt decodes. */
  readonly output: unknown;
  readonly receipt: OrganicReceipt | undefined;
}

export interface AnswerCheck {
  readonly output: unknown;
  /** The answer's own receipt first, then the others (`redundancy`). */
  readonly receipts: readonly ReceiptCheck[];
  readonly valid: boolean;
}

const decoder = new TextDecoder("utf-8", { fatal: true });
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Key order aside, the same JSON value. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function checkOne(entry: unknown, userBody: Uint8Array, shownOutput: { value: unknown } | undefined): ReceiptCheck {
  const e = (typeof entry === "object" && entry !== null ? entry : {}) as { miner?: { uid?: unknown; hotkey?: unknown }; latencyMs?: unknown; receipt?: unknown };
  const uid = typeof e.miner?.uid === "number" ? e.miner.uid : undefined;
  const hotkey = typeof e.miner?.hotkey === "string" ? e.miner.hotkey : "";
  const latencyMs = typeof e.latencyMs === "number" ? e.latencyMs : undefined;
  const base = { uid, hotkey, latencyMs };
  if (typeof e.receipt !== "string" || !BASE64.test(e.receipt) || e.receipt.length % 4 !== 0) return { ...base, verdict: "INVALID: the receipt is not base64", output: undefined, receipt: undefined };
  let receipt: OrganicReceipt;
  try {
    // base64Decode, not Buffer: the playground page runs this check in the browser.
    receipt = decodeOrganicReceipt(base64Decode(e.receipt));
  } catch (error) {
    return { ...base, verdict: `INVALID: the receipt does not decode (${(error as Error).message})`, output: undefined, receipt: undefined };
  }
  let output: unknown;
  try {
    output = JSON.parse(decoder.decode(organicOutputBytes(receipt) ?? new Uint8Array()));
  } catch {
    output = undefined;
  }
  const problem = checkOrganicReceipt(receipt, userBody);
  if (problem) return { ...base, verdict: `INVALID: ${problem}`, output, receipt };
  let named: Uint8Array | undefined;
  try {
    named = decodeAddress(hotkey);
  } catch {
    named = undefined;
  }
  if (!named || !bytesEqual(named, receipt.response.miner)) return { ...base, verdict: `INVALID: signed by ${encodeAddress(receipt.response.miner, 42)}, not by the miner the answer names (${hotkey || "none"})`, output, receipt };
  if (shownOutput && !sameJson(shownOutput.value, output)) return { ...base, verdict: "INVALID: the output shown is not the output the miner signed", output, receipt };
  return { ...base, verdict: "valid", output, receipt };
}

/** Checks a gateway answer (the parsed JSON of a `POST /v1/synapses/{name}`) against the exact body sent. */
export function checkAnswer(answer: unknown, userBody: Uint8Array): AnswerCheck {
  const a = (typeof answer === "object" && answer !== null ? answer : {}) as { output?: unknown; receipts?: unknown };
  const main = checkOne(answer, userBody, { value: a.output });
  const others = Array.isArray(a.receipts) ? a.receipts.slice(1).map((r) => checkOne(r, userBody, undefined)) : [];
  const receipts = [main, ...others];
  return { output: a.output, receipts, valid: receipts.every((r) => r.verdict === "valid") };
}
