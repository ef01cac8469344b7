/**
 * Public endpoints throttle chatty clients: HTTP 429 on the WebSocket handshake, or JSON-RPC errors
 * (-32029, "Too many requests", jsonrpsee's "rate limit"). A request so refused is sent again after
 * a wait that doubles with each refusal (up to a cap) and every request waits it out, so that the
 * client backs off as a whole. The first refusal of an episode is said once (warn), never once per
 * request; an episode ends after a quiet minute without refusals.
 */
import type { RpcCounter } from "./rpc-counter.js";

/** Where the connection says what it does; a pino logger fits. */
export interface ConnectionLog {
  debug(obj: object, msg: string): void;
  warn?(obj: object, msg: string): void;
  info?(obj: object, msg: string): void;
}

/** Whether an error (a JSON-RPC error, a handshake failure) says the endpoint is rate-limiting us. */
export function isRateLimitError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as { code?: unknown; message?: unknown; error?: unknown };
  if (e.code === -32029 || e.code === 429) return true;
  const message = typeof e.message === "string" ? e.message : "";
  if (/too many requests|rate.?limit|\b429\b/i.test(message)) return true;
  return e.error !== undefined && e.error !== error && isRateLimitError(e.error);
}

export interface RateLimitOptions {
  readonly endpoint: string;
  readonly counter: RpcCounter;
  /** First wait after a refusal, ms (default 1 s); doubles per refusal in a row. */
  readonly firstMs?: number;
  /** The longest wait, ms (default 60 s). */
  readonly maxMs?: number;
  /** How often one request is sent again before its refusal is returned to the caller (default 8). */
  readonly retries?: number;
  /** How long without a refusal ends an episode, ms (default 60 s). */
  readonly quietMs?: number;
  readonly log?: ConnectionLog;
  readonly now?: () => number;
}

export class RateLimitBackoff {
  readonly #o: RateLimitOptions;
  readonly #now: () => number;
  /** No request goes before this time (ms, #now's clock). */
  #until = 0;
  /** Refusals in a row (0: the last request went through). */
  #strikes = 0;
  /** When the episode's last refusal came (undefined: no episode). */
  #lastRefusal: number | undefined;
  #episodes = 0;

  constructor(options: RateLimitOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Rate-limit episodes said so far (each said once). */
  get episodes(): number {
    return this.#episodes;
  }

  /** The wait before the next request may go, ms (0: none). */
  get waitMs(): number {
    return Math.max(0, this.#until - this.#now());
  }

  /** Runs one request: waits out a backoff in force, and sends it again after each rate-limit refusal. */
  async around<T>(method: string, send: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const wait = this.waitMs;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const sentAt = this.#now();
      try {
        const answer = await send();
        this.#succeeded(sentAt);
        return answer;
      } catch (error) {
        if (!isRateLimitError(error)) throw error;
        this.refused(method, error);
        if (attempt >= (this.#o.retries ?? 8)) throw error;
      }
    }
  }

  /** Counts a refusal (of a request, or of the handshake when `method` is "connect"), doubles the wait, and says so if an episode begins. */
  refused(method: string, error: unknown): number {
    const now = this.#now();
    this.#o.counter.rateLimited();
    this.#strikes += 1;
    const delay = Math.min(this.#o.maxMs ?? 60_000, (this.#o.firstMs ?? 1_000) * 2 ** Math.min(this.#strikes - 1, 30));
    this.#until = Math.max(this.#until, now + delay);
    const quietMs = this.#o.quietMs ?? 60_000;
    if (this.#lastRefusal === undefined || now - this.#lastRefusal > quietMs) {
      this.#episodes += 1;
      const said = `the chain endpoint ${this.#o.endpoint} is rate-limiting this client (${describe(error)}); backing off: requests wait ${Math.round(delay / 1000)} s, doubling while refused, up to ${Math.round((this.#o.maxMs ?? 60_000) / 1000)} s (said once; tensornode_chain_rpc_rate_limited_total counts them)`;
      (this.#o.log?.warn ?? this.#o.log?.debug)?.call(this.#o.log, { endpoint: this.#o.endpoint, method, retryInMs: delay }, said);
    }
    this.#lastRefusal = now;
    return delay;
  }

  /** A request sent at `sentAt` went through: the backoff ends, unless a refusal came after it was sent (it says nothing then). */
  #succeeded(sentAt: number): void {
    if (this.#strikes === 0 || (this.#lastRefusal !== undefined && sentAt <= this.#lastRefusal)) return;
    this.#strikes = 0;
    this.#until = 0;
    this.#o.log?.debug({ endpoint: this.#o.endpoint }, "the chain endpoint answers again");
  }
}

function describe(error: unknown): string {
  const message = (error as { message?: unknown })?.message;
  return typeof message === "string" && message !== "" ? message.split("\n")[0]!.slice(0, 120) : String(error);
}
