/**
 * The exact bytes the page sends for a synapse call (pure): the input as JSON, with "redundancy"
 * beside its properties when more than one miner is asked. The receipt is checked against these
 * very bytes, so they are made once and sent as they are.
 */

/**
 * The most miners a request may ask (docs/gateway.md). The gateway's bound is MAX_REDUNDANCY in
 * src/subnet/public-api.ts, not imported here because that module would bring ajv into the page;
 * a unit test holds the two equal.
 */
export const MAX_REDUNDANCY = 3;

export type EncodedRequest = { readonly ok: true; readonly body: Uint8Array } | { readonly ok: false; readonly message: string };

const MIB = 1024 * 1024;

/** A size as people read it: bytes, KiB or MiB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < MIB) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, "")} KiB`;
  return `${(bytes / MIB).toFixed(1).replace(/\.0$/, "")} MiB`;
}

/** The body for `input` asking `redundancy` miners, refused here when the gateway would refuse its size (413). */
export function encodeRequest(input: unknown, redundancy: number, maxBodyBytes: number): EncodedRequest {
  if (!Number.isInteger(redundancy) || redundancy < 1 || redundancy > MAX_REDUNDANCY) return { ok: false, message: `ask from 1 to ${MAX_REDUNDANCY} miners, not ${redundancy}` };
  const isObject = typeof input === "object" && input !== null && !Array.isArray(input);
  if (redundancy > 1 && !isObject) return { ok: false, message: "this synapse's input is not a JSON object, so it cannot carry a redundancy: ask one miner" };
  const body = new TextEncoder().encode(JSON.stringify(redundancy > 1 ? { ...(input as object), redundancy } : input));
  // Checked before sending: the gateway refuses an oversized body from its length and closes the
  // connection without reading it, which a browser may report as a network failure instead.
  if (body.length > maxBodyBytes) return { ok: false, message: `the request is ${formatBytes(body.length)}, over this synapse's limit of ${formatBytes(maxBodyBytes)}` };
  return { ok: true, body };
}
