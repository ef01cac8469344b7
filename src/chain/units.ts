/** TAO and alpha amounts: exact rao (1 TAO = 10⁹ rao) as bigint, parsed from and shown as decimals. */
import { UserError } from "../util/errors.js";

export const RAO_PER_TAO = 1_000_000_000n;

/** "1.5" → 1_500_000_000n; at most 9 decimals, never negative, never a float on the way. */
export function parseTao(text: string, what = "amount"): bigint {
  const match = /^\s*(\d+)(?:\.(\d{1,9}))?\s*$/.exec(text);
  if (!match) throw new UserError("BAD_AMOUNT", `${what}: "${text}" is not an amount of TAO (a number ≥ 0 with at most 9 decimals, e.g. 1.5)`);
  return BigInt(match[1]!) * RAO_PER_TAO + BigInt((match[2] ?? "").padEnd(9, "0"));
}

/** 1_500_000_000n → "1.5" (exact; trailing zeros dropped). */
export function formatTao(rao: bigint, decimals = 9): string {
  const negative = rao < 0n;
  const abs = negative ? -rao : rao;
  const fraction = (abs % RAO_PER_TAO).toString().padStart(9, "0").slice(0, decimals).replace(/0+$/, "");
  return `${negative ? "-" : ""}${abs / RAO_PER_TAO}${fraction ? `.${fraction}` : ""}`;
}
