/**
 * What `--json` prints, the same way in every command (docs/cli-json.md): one JSON document per
 * line; every bigint (rao amounts and the chain's other u64/u128 values) as a decimal string, so
 * that JSON.parse and jq read it exactly; errors as `{"error":{"code","message"}}` on stderr.
 */
import { stringifyLosslessJson } from "../util/lossless-json.js";

/** Bigints as decimal strings, everything else as JSON; undefined fields are left out. */
export function toJsonText(value: unknown): string {
  return stringifyLosslessJson(stringifyBigints(value));
}

function stringifyBigints(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(stringifyBigints);
  if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, stringifyBigints(item)]));
  }
  return value;
}

/** The one line an error is on stderr under --json. */
export function jsonErrorLine(code: string, message: string): string {
  return `${JSON.stringify({ error: { code, message } })}\n`;
}

/** A commander error code as the CLI's own: `commander.unknownOption` → `UNKNOWN_OPTION`. */
export function commanderCode(code: string): string {
  return code.replace(/^commander\./, "").replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}
