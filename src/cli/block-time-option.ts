/**
 * `localnet --block-time`, spelled as `devnet --block-time` takes it (1s, 250ms); a bare number is
 * milliseconds, as before. The local network needs blocks on a clock: instant and manual are refused.
 */
import { parseBlockTime } from "../devnet/chain/author.js";
import { UserError } from "../util/errors.js";

export const LOCALNET_BLOCK_TIME = { minMs: 50, maxMs: 12_000 } as const;

export function localnetBlockTimeMs(raw: unknown): number {
  const text = String(raw).trim();
  const parsed = /^\d+$/.test(text) ? { mode: "interval" as const, ms: Number(text) } : parseBlockTime(text);
  if (!parsed || parsed.mode !== "interval" || parsed.ms < LOCALNET_BLOCK_TIME.minMs || parsed.ms > LOCALNET_BLOCK_TIME.maxMs) {
    throw new UserError("BAD_BLOCK_TIME", `--block-time: "${text}" is not an interval from 50ms to 12s, e.g. 1s or 250ms (a bare number is milliseconds)`);
  }
  return parsed.ms;
}
