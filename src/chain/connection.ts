/**
 * One long-lived connection to a subtensor node: @polkadot/api with subtensor's transaction
 * extensions, reconnection with exponential backoff after a drop, and a first connection that gives
 * up with a one-line error (at once when refused, else after a time-out) instead of retrying forever.
 * An endpoint that rate-limits (HTTP 429 at the handshake, JSON-RPC rate-limit errors) is backed off
 * from exponentially, and said so once (rate-limit.ts); every request is counted (rpc-counter.ts).
 */
import { ApiPromise, WsProvider } from "@polkadot/api";
import { SUBTENSOR_API_OPTIONS } from "../params/chain-options.js";
import { ChainError } from "./errors.js";
import { isRateLimitError, RateLimitBackoff, type ConnectionLog } from "./rate-limit.js";
import { NonceManager } from "./submit.js";
import { countRequests, RpcCounter, type CountableProvider } from "./rpc-counter.js";

/** `--network` presets; `local` is the devnet's default endpoint. */
export const NETWORK_ENDPOINTS: Readonly<Record<"local" | "test" | "finney", string>> = {
  local: "ws://127.0.0.1:9944",
  test: "wss://test.finney.opentensor.ai:443",
  finney: "wss://entrypoint-finney.opentensor.ai:443",
};

export interface ChainConnection {
  readonly api: ApiPromise;
  readonly nonces: NonceManager;
  readonly endpoint: string;
  /** The JSON-RPC requests sent on this connection, by method, and the blocks its user followed. */
  readonly rpc: RpcCounter;
  /** Where the client says at debug level which rules of the connected runtime it follows. */
  readonly log?: ConnectionLog;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** How long the first connection may take (default 15 s). */
  readonly timeoutMs?: number;
  /** First delay before reconnecting after a drop (default 500 ms); doubles per failed attempt. */
  readonly reconnectMs?: number;
  /** The longest delay between reconnection attempts (default 30 s). */
  readonly maxReconnectMs?: number;
  /** Told about drops and reconnections. */
  readonly onConnectionChange?: (event: { connected: boolean; attempt: number }) => void;
  /** Debug lines about the runtime (e.g. an older runtime's epoch rule), and a rate-limiting endpoint said once (warn); a pino logger fits. */
  readonly log?: ConnectionLog;
  /** The backoff from a rate-limiting endpoint: first and longest wait, ms (default 1 s, 60 s). */
  readonly rateLimitMs?: { readonly first: number; readonly max: number };
}

/**
 * WsProvider keeps every answer to a read at a block hash for 30 s, 1,024 of them by default: on a
 * fast chain a dashboard recording epochs (a metagraph at each epoch's block, 1.5 MB at 4,096 uids)
 * held hundreds of them, its memory growing with the block rate. The cache only needs to spare
 * @polkadot/api's repeated header and runtime-version reads of the same few blocks.
 */
const ANSWER_CACHE_ENTRIES = 64;

/** The delay before reconnection attempt `attempt` (1-based): doubling from `first`, capped at `max`. */
export function backoffDelay(attempt: number, first: number, max: number): number {
  return Math.min(max, first * 2 ** Math.min(attempt - 1, 30));
}

export async function connectChain(endpoint: string, options: ConnectOptions = {}): Promise<ChainConnection> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const firstDelay = options.reconnectMs ?? 500;
  const maxDelay = options.maxReconnectMs ?? 30_000;
  // Reconnection is ours (autoConnectMs 0): WsProvider's own retries have a fixed delay.
  const provider = new WsProvider(endpoint, 0, {}, timeoutMs, ANSWER_CACHE_ENTRIES);
  const rpc = new RpcCounter();
  const limits = new RateLimitBackoff({ endpoint, counter: rpc, ...(options.rateLimitMs ? { firstMs: options.rateLimitMs.first, maxMs: options.rateLimitMs.max } : {}), ...(options.log ? { log: options.log } : {}) });
  countRequests(provider as unknown as CountableProvider, rpc, (method, send) => limits.around(method, send));
  let rateLimited = false;
  let timer: NodeJS.Timeout | undefined;
  let closing = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let attempt = 0;
  let initial = true;
  const unreachable = (why: string): ChainError =>
    new ChainError("CHAIN_UNREACHABLE", "connect", `cannot reach the chain at ${endpoint} ${why}; start one with \`tensornode devnet\` or choose another with --chain / --network`);
  const gaveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unreachable(`within ${Math.round(timeoutMs / 1000)} s${rateLimited ? " (it answers 429 Too Many Requests: rate-limited)" : ""}`)), timeoutMs);
    provider.on("error", (error: unknown) => {
      if (!initial || provider.isConnected) return;
      // A rate-limited handshake is tried again after a backoff, until the time-out.
      if (isRateLimitError(error)) {
        rateLimited = true;
        retryLimited(error);
      } else reject(unreachable("(connection refused or closed)"));
    });
  });
  gaveUp.catch(() => undefined);
  const connectAfter = (delayMs: number): void => {
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      if (closing || provider.isConnected) return;
      provider.connect().catch(() => reconnect());
    }, delayMs);
  };
  const reconnect = (): void => {
    if (closing || reconnectTimer) return;
    attempt += 1;
    connectAfter(backoffDelay(attempt, firstDelay, maxDelay));
  };
  /** A handshake refused with 429: the next attempt waits the rate-limit backoff (said once per episode). */
  const retryLimited = (error: unknown): void => {
    const delay = limits.refused("connect", error);
    if (closing) return;
    clearTimeout(reconnectTimer);
    if (initial) attempt = 0;
    else attempt += 1;
    connectAfter(Math.max(delay, attempt === 0 ? 0 : backoffDelay(attempt, firstDelay, maxDelay)));
  };
  try {
    await provider.connect();
    const api = await Promise.race([ApiPromise.create({ provider, ...SUBTENSOR_API_OPTIONS }), gaveUp]);
    initial = false;
    provider.on("disconnected", () => {
      if (closing) return;
      if (attempt === 0) options.onConnectionChange?.({ connected: false, attempt });
      reconnect();
    });
    provider.on("error", (error: unknown) => {
      if (closing || provider.isConnected) return;
      if (isRateLimitError(error)) retryLimited(error);
      else reconnect();
    });
    provider.on("connected", () => {
      if (attempt > 0) options.onConnectionChange?.({ connected: true, attempt });
      attempt = 0;
    });
    return {
      api,
      nonces: new NonceManager(api),
      endpoint,
      rpc,
      ...(options.log ? { log: options.log } : {}),
      close: async () => {
        closing = true;
        clearTimeout(reconnectTimer);
        await api.disconnect();
      },
    };
  } catch (error) {
    initial = false;
    closing = true;
    await provider.disconnect().catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
