/**
 * What the page says about an answer's receipts once checkAnswer (src/p2p/protocol/answer-check.ts)
 * has checked them against the bytes the page sent (pure): verified, or what is wrong, in words a
 * user reads — for the answer's own receipt, and for each other receipt of a redundant request.
 */
import type { AnswerCheck, ReceiptCheck } from "../../p2p/protocol/answer-check.js";

export const VERIFIED = "verified: this miner signed this output for your request";

export interface ReceiptLine {
  readonly uid: number | undefined;
  readonly hotkey: string;
  readonly latencyMs: number | undefined;
  /** The subnet the request names, when the receipt decodes. */
  readonly netuid: number | undefined;
  readonly verified: boolean;
  /** VERIFIED, or "not verified: " and what is wrong. */
  readonly text: string;
}

export interface ReceiptSummary {
  /** Every receipt verified. */
  readonly verified: boolean;
  /** The answer's own receipt first, then the others. */
  readonly lines: readonly ReceiptLine[];
}

/** checkOrganicReceipt's problems (docs/protocol.md §5.9), explained. */
const PROBLEMS: Readonly<Record<string, string>> = {
  "response signature": "the miner's signature does not verify",
  miner: "the response is signed by another miner than the one the request was sent to",
  "request hash": "the miner's response answers another request",
  "answer hash": "the answer is not the one the miner signed",
  "not your request": "the request the miner answered is not the one this page sent (its bytes differ)",
  "not answered": "the miner refused the request",
  "not an organic answer": "the miner's answer carries no output",
};

function explain(verdict: string): string {
  const problem = verdict.replace(/^INVALID: /, "");
  return `not verified: ${PROBLEMS[problem] ?? problem}`;
}

function lineOf(check: ReceiptCheck): ReceiptLine {
  const verified = check.verdict === "valid";
  return {
    uid: check.uid,
    hotkey: check.hotkey,
    latencyMs: check.latencyMs,
    netuid: check.receipt?.request.netuid,
    verified,
    text: verified ? VERIFIED : explain(check.verdict),
  };
}

export function summarizeReceipts(check: AnswerCheck): ReceiptSummary {
  return { verified: check.valid, lines: check.receipts.map(lineOf) };
}
