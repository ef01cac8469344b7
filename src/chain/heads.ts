/**
 * A daemon's one view of the chain's progress: a single new-heads subscription (one request at
 * start, then the node pushes each header), whose latest block number every reader of the daemon
 * shares instead of asking the chain for it, and whose heads drive the daemon's reads — each at
 * most once per block. Heads are counted on the connection's RPC counter (blocks seen), so that
 * /metrics gives requests per block.
 *
 * While it follows heads, the connection's 10 s `system_health` keepalive (@polkadot/api's) is
 * dropped: a header arrives every block, which keeps the connection busy. The provider subscribes
 * again by itself after a reconnection.
 */
import type { ChainConnection } from "./connection.js";

export type HeadListener = (block: bigint) => void;

export class ChainHeads {
  readonly #chain: ChainConnection;
  readonly #listeners = new Set<HeadListener>();
  #head: bigint | undefined;
  #unsubscribe: (() => void) | undefined;
  #stopped = false;

  constructor(chain: ChainConnection) {
    this.#chain = chain;
  }

  /** Subscribes to new heads (resolves once subscribed; the first head follows at once). */
  async start(): Promise<void> {
    const api = this.#chain.api;
    dropKeepalive(api);
    const unsubscribe = await api.rpc.chain.subscribeNewHeads((header) => this.#onHead(header.number.toBigInt()));
    if (this.#stopped) unsubscribe();
    else this.#unsubscribe = unsubscribe;
  }

  /** The latest block number followed (undefined before the first head). */
  get head(): bigint | undefined {
    return this.#head;
  }

  /** Calls `listener` with each new block number; the returned function stops it. */
  onHead(listener: HeadListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /**
   * Runs `run` at the first new head at least `intervalMs` after its last run began; a head that
   * comes sooner, or during a run, is answered once the interval is up (so the latest head is looked
   * at within `intervalMs` — even on a chain that makes blocks only for transactions — and never
   * more than once per interval or per block). Failures are `run`'s to handle. Returns a stop.
   */
  every(intervalMs: number, run: () => Promise<unknown>): () => void {
    let lastAt = Number.NEGATIVE_INFINITY;
    let running = false;
    let pending = false;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const go = (): void => {
      timer = undefined;
      if (stopped) return;
      if (running) {
        pending = true;
        return;
      }
      lastAt = performance.now();
      running = true;
      pending = false;
      void run()
        .catch(() => undefined)
        .finally(() => {
          running = false;
          if (pending) schedule();
        });
    };
    const schedule = (): void => {
      if (timer || stopped) return;
      const wait = lastAt + intervalMs - performance.now();
      if (wait <= 0) go();
      else timer = setTimeout(go, wait);
    };
    const off = this.onHead(() => {
      if (running) pending = true;
      else schedule();
    });
    return () => {
      stopped = true;
      off();
      clearTimeout(timer);
    };
  }

  #onHead(block: bigint): void {
    // A re-subscription after a reconnection may repeat the head it had; a block is counted once.
    if (block === this.#head) return;
    this.#head = block;
    this.#chain.rpc.blockSeen();
    for (const listener of this.#listeners) listener(block);
  }

  stop(): void {
    this.#stopped = true;
    this.#listeners.clear();
    try {
      this.#unsubscribe?.();
    } catch {
      // the connection may be closed already
    }
    this.#unsubscribe = undefined;
  }
}

/** Stops @polkadot/api's system_health keepalive, now and after reconnections (headers keep the socket busy). */
function dropKeepalive(api: object): void {
  const internal = api as { _unsubscribeHealth?: () => void; _subscribeHealth?: () => void };
  if (typeof internal._unsubscribeHealth !== "function" || typeof internal._subscribeHealth !== "function") return;
  internal._subscribeHealth = () => undefined;
  internal._unsubscribeHealth();
}
