/** `GET /v1/attribution?since=`: Unix milliseconds or an ISO 8601 time; 24 hours ago when absent. */
import { GatewayError } from "./contract.js";

export const DEFAULT_ATTRIBUTION_WINDOW_MS = 24 * 60 * 60 * 1000;

const UNIX_MS = /^\d{1,16}$/;
/** The latest time a Date holds (ECMAScript: 100 000 000 days after 1970), ms. */
const MAX_DATE_MS = 8.64e15;
// A date, or a date and a time with an optional zone (UTC when none is given).
const ISO_8601 = /^(\d{4}-\d{2}-\d{2})(?:[T ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?$/i;

/** The start of the window, Unix ms; GatewayError 400 BAD_INPUT for anything else. */
export function parseSince(value: string | null, nowMs: number): number {
  if (value === null || value === "") return nowMs - DEFAULT_ATTRIBUTION_WINDOW_MS;
  // 16 digits reach past the last time a Date holds, and the answer names the time as a Date.
  if (UNIX_MS.test(value) && Number(value) <= MAX_DATE_MS) return Number(value);
  const ms = parseIso8601(value);
  if (ms !== undefined) return ms;
  throw new GatewayError("BAD_INPUT", 400, `since must be Unix milliseconds or an ISO 8601 time such as 2025-01-31T12:00:00Z, got ${JSON.stringify(value.slice(0, 64))}`);
}

function parseIso8601(value: string): number | undefined {
  const match = ISO_8601.exec(value);
  if (!match) return undefined;
  const [, date, hours = "00", minutes = "00", seconds = "00", fraction = "", zone = "Z"] = match;
  // Date.parse would roll 2025-02-30 over to March: the calendar date must be one.
  const midnight = Date.parse(`${date}T00:00:00Z`);
  if (!Number.isFinite(midnight) || new Date(midnight).toISOString().slice(0, 10) !== date) return undefined;
  const offset = /^z$/i.test(zone) ? "Z" : zone.includes(":") ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${date}T${hours}:${minutes}:${seconds}${fraction.slice(0, 4)}${offset}`);
  return Number.isFinite(ms) ? ms : undefined;
}
