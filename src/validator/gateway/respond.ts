/** How the gateway answers: JSON bodies, and every error as `{"error": {"code", "message"}}` with its status and headers. */
import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { GatewayError } from "./contract.js";

export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

export function errorBody(error: GatewayError): string {
  return JSON.stringify({ error: { code: error.code, message: error.message } });
}

/** Retry-After in whole seconds, at least 1 (a 0 would invite an immediate retry storm). */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** The headers an error answer carries besides the caller's: Retry-After, WWW-Authenticate. */
export function errorHeaders(error: GatewayError): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  if (error.retryAfterMs !== undefined) headers["retry-after"] = String(retryAfterSeconds(error.retryAfterMs));
  if (error.status === 401) headers["www-authenticate"] = 'Bearer realm="tensornode gateway"';
  return headers;
}

/** Writes a whole answer unless the response is already gone (client disconnected, or answered). */
export function send(response: ServerResponse, status: number, headers: OutgoingHttpHeaders, body: string | Buffer): void {
  if (response.headersSent || response.destroyed) return;
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  response.writeHead(status, { ...headers, "content-length": bytes.length }).end(bytes);
}

export function sendJson(response: ServerResponse, status: number, headers: OutgoingHttpHeaders, value: unknown): void {
  send(response, status, { ...headers, "content-type": JSON_CONTENT_TYPE, "cache-control": "no-store" }, JSON.stringify(value));
}

export function sendError(response: ServerResponse, error: GatewayError, headers: OutgoingHttpHeaders): void {
  send(response, error.status, { ...headers, ...errorHeaders(error), "content-type": JSON_CONTENT_TYPE, "cache-control": "no-store" }, errorBody(error));
}
