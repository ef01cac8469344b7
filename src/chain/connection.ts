/**
 * One long-lived connection to a subtensor node: @polkadot/api with subtensor's transaction
 * extensions, automatic reconnection after a drop, and a first connection that gives up with a
 * one-line error instead of retrying forever.
 */
import { ApiPromise, WsProvider } from "@polkadot/api";
import { SUBTENSOR_API_OPTIONS } from "../params/chain-options.js";
import { ChainError } from "./errors.js";
import { NonceManager } from "./submit.js";

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
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** How long the first connection may take (default 15 s). */
  readonly timeoutMs?: number;
  /** Delay between reconnection attempts after a drop (default 2 s). */
  readonly reconnectMs?: number;
}

export async function connectChain(endpoint: string, options: ConnectOptions = {}): Promise<ChainConnection> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const provider = new WsProvider(endpoint, options.reconnectMs ?? 2_000, {}, timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ChainError("CHAIN_UNREACHABLE", "connect", `cannot reach the chain at ${endpoint} within ${Math.round(timeoutMs / 1000)} s; start one with \`tensornode devnet\` or choose another with --chain / --network`)),
      timeoutMs,
    );
  });
  try {
    const api = await Promise.race([ApiPromise.create({ provider, ...SUBTENSOR_API_OPTIONS }), gaveUp]);
    return { api, nonces: new NonceManager(api), endpoint, close: () => api.disconnect() };
  } catch (error) {
    await provider.disconnect().catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
