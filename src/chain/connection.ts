/**
 * One long-lived connection to a subtensor node: @polkadot/api with subtensor's transaction
 * extensions, reconnection with exponential backoff after a drop, and a first connection that gives
 * up with a one-line error (at once when refused, else after a time-out) instead of retrying forever.
 */
import { ApiPromise, WsProvider } from "@polkadot/api";
import { SUBTENSOR_API_OPTIONS } from "../params/chain-options.js";
import { ChainError } from "./errors.js";
import type { ReaderLog } from "./reads.js";
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
  readonly log?: ReaderLog;
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
  /** Debug lines about the runtime (e.g. an older runtime's epoch rule); a pino logger fits. */
  readonly log?: ReaderLog;
}

/** The delay before reconnection attempt `attempt` (1-based): doubling from `first`, capped at `max`. */
export function backoffDelay(attempt: number, first: number, max: number): number {
  return Math.min(max, first * 2 ** Math.min(attempt - 1, 30));
}

export async function connectChain(endpoint: string, options: ConnectOptions = {}): Promise<ChainConnection> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const firstDelay = options.reconnectMs ?? 500;
  const maxDelay = options.maxReconnectMs ?? 30_000;
  // Reconnection is ours (autoConnectMs 0): WsProvider's own retries have a fixed delay.
  const provider = new WsProvider(endpoint, 0, {}, timeoutMs);
  const rpc = new RpcCounter();
  countRequests(provider as unknown as CountableProvider, rpc);
  let timer: NodeJS.Timeout | undefined;
  let closing = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let attempt = 0;
  let initial = true;
  const unreachable = (why: string): ChainError =>
    new ChainError("CHAIN_UNREACHABLE", "connect", `cannot reach the chain at ${endpoint} ${why}; start one with \`tensornode devnet\` or choose another with --chain / --network`);
  const gaveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unreachable(`within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    provider.on("error", () => {
      if (initial && !provider.isConnected) reject(unreachable("(connection refused or closed)"));
    });
  });
  gaveUp.catch(() => undefined);
  const reconnect = (): void => {
    if (closing || reconnectTimer) return;
    attempt += 1;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      if (closing || provider.isConnected) return;
      provider.connect().catch(() => reconnect());
    }, backoffDelay(attempt, firstDelay, maxDelay));
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
    provider.on("error", () => {
      if (!closing && !provider.isConnected) reconnect();
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
