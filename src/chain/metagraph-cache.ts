/**
 * One metagraph for every daemon of a process: a miner serving 64 hotkeys needs the subnet's
 * metagraph once per refresh, not 64 times (each load decodes every neuron). Loads are shared
 * while in flight and reused while younger than `maxAgeMs`. `withoutTrust`: each load is one round
 * trip (the runtime API alone; validator trust, which daemons never use, left at 0).
 */
import type { ApiPromise } from "@polkadot/api";
import { loadMetagraph, type Metagraph } from "./metagraph.js";

export class MetagraphCache {
  readonly #api: ApiPromise;
  readonly #netuid: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #withoutTrust: boolean;
  #latest: { readonly metagraph: Metagraph | undefined; readonly atMs: number } | undefined;
  #loading: Promise<Metagraph | undefined> | undefined;
  #loads = 0;

  constructor(api: ApiPromise, netuid: number, options: { maxAgeMs: number; now?: () => number; withoutTrust?: boolean }) {
    this.#api = api;
    this.#netuid = netuid;
    this.#maxAgeMs = options.maxAgeMs;
    this.#now = options.now ?? Date.now;
    this.#withoutTrust = options.withoutTrust === true;
  }

  get netuid(): number {
    return this.#netuid;
  }

  /** Loads from the chain so far (for tests and metrics). */
  get loads(): number {
    return this.#loads;
  }

  /** The subnet's metagraph (undefined: no such subnet), at most `maxAgeMs` old. */
  get(): Promise<Metagraph | undefined> {
    if (this.#latest && this.#now() - this.#latest.atMs < this.#maxAgeMs) return Promise.resolve(this.#latest.metagraph);
    this.#loading ??= (async () => {
      try {
        this.#loads += 1;
        const metagraph = await loadMetagraph(this.#api, this.#netuid, { withoutTrust: this.#withoutTrust });
        this.#latest = { metagraph, atMs: this.#now() };
        return metagraph;
      } finally {
        this.#loading = undefined;
      }
    })();
    return this.#loading;
  }
}
