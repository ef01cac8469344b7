/**
 * CORS for the gateway: off unless origins are listed. A listed origin gets its own name back in
 * Access-Control-Allow-Origin (never `*`, and never credentials: keys travel in the Authorization
 * header, which a preflight allows); an unlisted one gets no CORS header, so its page cannot read
 * the answer, and its preflight is refused.
 */
import { UserError } from "../../util/errors.js";

export const CORS_ALLOWED_METHODS = "GET, POST, OPTIONS";
export const CORS_ALLOWED_HEADERS = "authorization, content-type";
export const CORS_EXPOSED_HEADERS = "retry-after";
const PREFLIGHT_MAX_AGE_S = 600;

/** An `--api-cors` origin that is not `scheme://host[:port]`. */
export class CorsOriginError extends UserError<"GATEWAY_BAD_CORS_ORIGIN"> {}

export class CorsPolicy {
  readonly #origins: ReadonlySet<string>;

  /** `origins`: exact origins such as `https://app.example.com` or `http://localhost:5173`. */
  constructor(origins: readonly string[]) {
    this.#origins = new Set(origins.map(checkOrigin));
  }

  get enabled(): boolean {
    return this.#origins.size > 0;
  }

  allows(origin: string | undefined): origin is string {
    return origin !== undefined && this.#origins.has(origin);
  }

  /** Headers for any answer to a request from `origin`. */
  responseHeaders(origin: string | undefined): Record<string, string> {
    if (!this.enabled) return {};
    if (!this.allows(origin)) return { vary: "Origin" };
    return { vary: "Origin", "access-control-allow-origin": origin, "access-control-expose-headers": CORS_EXPOSED_HEADERS };
  }

  /** Headers for the answer to an allowed origin's preflight. */
  preflightHeaders(origin: string): Record<string, string> {
    return {
      ...this.responseHeaders(origin),
      "access-control-allow-methods": CORS_ALLOWED_METHODS,
      "access-control-allow-headers": CORS_ALLOWED_HEADERS,
      "access-control-max-age": String(PREFLIGHT_MAX_AGE_S),
    };
  }
}

function checkOrigin(origin: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(origin);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:") || parsed.origin !== origin) {
    throw new CorsOriginError("GATEWAY_BAD_CORS_ORIGIN", `CORS origin ${JSON.stringify(origin)} is not an origin such as https://app.example.com (scheme, host and port only, no path, no "*")`);
  }
  return origin;
}
