/**
 * When blocks become final. A real chain finalizes a block some time after it was made (GRANDPA
 * votes on it); clients rely on that gap: @polkadot/api fetches a transaction's events when it
 * hears `inBlock`, and drops that fetch if `finalized` arrives first. So the devnet finalizes each
 * block a fixed delay after it was imported, oldest first, in every block mode: where blocks keep
 * coming faster than the delay, finality lags by blocks; in `instant` and `manual` mode the last
 * block still becomes final by itself, with no further block or transaction needed.
 */
import type { Chain } from "./chain.js";

/**
 * How long after its import a block becomes final, unless told otherwise. @polkadot/api needs
 * three round trips between `inBlock` and `finalized` (measured here: median 22 ms idle, up to
 * 350 ms on two cores under load 7): a second leaves room, and lags a 1 s chain by one block.
 */
export const DEFAULT_FINALITY_DELAY_MS = 1000;

/**
 * The highest block final at `nowMs`: the finalized block, then each later block whose import
 * time is at least `delayMs` ago, stopping at the first that is not (finality is in order).
 */
export function finalityTarget(finalized: number, head: number, importedAtMs: (number: number) => number | undefined, nowMs: number, delayMs: number): number {
  let target = finalized;
  while (target < head) {
    const importedAt = importedAtMs(target + 1);
    if (importedAt === undefined || importedAt + delayMs > nowMs) break;
    target += 1;
  }
  return target;
}

export interface FinalityTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const SYSTEM_TIMERS: FinalityTimers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Finalizes the chain's blocks `delayMs` after their import. Blocks the chain had at start are final already. */
export class FinalityGadget {
  readonly #chain: Chain;
  readonly #delayMs: number;
  readonly #timers: FinalityTimers;
  readonly #importedAt = new Map<number, number>();
  #timer: unknown;
  #unsubscribe: (() => void) | undefined;

  constructor(chain: Chain, delayMs: number, timers: FinalityTimers = SYSTEM_TIMERS) {
    if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError(`the finality delay must be a non-negative number of ms, got ${delayMs}`);
    this.#chain = chain;
    this.#delayMs = delayMs;
    this.#timers = timers;
  }

  start(): void {
    this.#unsubscribe ??= this.#chain.onNewBlock((block) => {
      this.#importedAt.set(block.header.number, this.#timers.now());
      this.#schedule();
    });
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#unsubscribe === undefined) return;
    const next = this.#importedAt.get(this.#chain.finalizedNumber + 1);
    if (next === undefined) return;
    this.#timer = this.#timers.setTimeout(() => this.#tick(), Math.max(0, next + this.#delayMs - this.#timers.now()));
  }

  #tick(): void {
    this.#timer = undefined;
    const chain = this.#chain;
    const target = finalityTarget(chain.finalizedNumber, chain.headNumber, (n) => this.#importedAt.get(n), this.#timers.now(), this.#delayMs);
    for (let n = chain.finalizedNumber + 1; n <= target; n++) this.#importedAt.delete(n);
    chain.finalizeUpTo(target);
    this.#schedule();
  }
}
