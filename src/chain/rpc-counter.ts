/**
 * What a daemon asks of its chain endpoint: JSON-RPC requests counted by method as they go on the
 * wire (answers served from @polkadot/api's own cache are not requests; subscription notifications
 * are not either), and the new blocks the daemon saw, so that requests per block can be derived
 * (`tensornode_chain_rpc_requests_total` ÷ `tensornode_chain_blocks_seen_total`).
 */
import type { Exposition, Sample } from "../util/status-server.js";

export interface RpcCounts {
  /** Requests sent, by JSON-RPC method. */
  readonly requests: Readonly<Record<string, number>>;
  /** Requests answered with a rate-limit error (HTTP 429 or a JSON-RPC rate-limit error). */
  readonly rateLimited: number;
  /** New heads the daemon followed. */
  readonly blocks: number;
}

export class RpcCounter {
  readonly #requests = new Map<string, number>();
  #rateLimited = 0;
  #blocks = 0;

  request(method: string): void {
    this.#requests.set(method, (this.#requests.get(method) ?? 0) + 1);
  }

  rateLimited(): void {
    this.#rateLimited += 1;
  }

  blockSeen(): void {
    this.#blocks += 1;
  }

  get total(): number {
    let sum = 0;
    for (const n of this.#requests.values()) sum += n;
    return sum;
  }

  snapshot(): RpcCounts {
    return { requests: Object.fromEntries([...this.#requests].sort(([a], [b]) => a.localeCompare(b))), rateLimited: this.#rateLimited, blocks: this.#blocks };
  }
}

/** The minimal shape of @polkadot/api's WsProvider that the counter wraps. */
export interface CountableProvider {
  send(method: string, params: unknown[], isCacheable?: boolean, subscription?: unknown): Promise<unknown>;
  readonly stats?: { readonly total: { readonly cached: number } };
}

/**
 * Wraps `provider.send` (through which its `subscribe` and `unsubscribe` go too) so that each request
 * put on the wire is counted by method; answers from the provider's cache are not counted. `around`,
 * when given, runs each request (the rate-limit backoff lives there); the count is taken when it goes.
 */
export function countRequests(provider: CountableProvider, counter: RpcCounter, around?: (method: string, send: () => Promise<unknown>) => Promise<unknown>): void {
  const original = provider.send.bind(provider);
  const sendCounted = (method: string, params: unknown[], isCacheable?: boolean, subscription?: unknown): Promise<unknown> => {
    const cachedBefore = provider.stats?.total.cached ?? 0;
    const answer = original(method, params, isCacheable, subscription);
    // The provider's cache is looked up synchronously: a hit bumps its count before send returns.
    if ((provider.stats?.total.cached ?? 0) === cachedBefore) counter.request(method);
    return answer;
  };
  provider.send = around ? (method, params, isCacheable, subscription) => around(method, () => sendCounted(method, params, isCacheable, subscription)) : sendCounted;
}

/** The counter's lines of a /metrics exposition. */
export function rpcMetrics(out: Exposition, counts: RpcCounts | undefined): void {
  if (!counts) return;
  out.metric("tensornode_chain_rpc_requests_total", "counter", "JSON-RPC requests sent to the chain endpoint, by method (round trips; subscription notifications not counted)", Object.entries(counts.requests).map(([method, n]): Sample => [{ method }, n]));
  out.metric("tensornode_chain_rpc_rate_limited_total", "counter", "requests the chain endpoint refused with a rate-limit error", [[{}, counts.rateLimited]]);
  out.metric("tensornode_chain_blocks_seen_total", "counter", "new blocks followed (requests per block = rpc_requests_total / blocks_seen_total)", [[{}, counts.blocks]]);
}
