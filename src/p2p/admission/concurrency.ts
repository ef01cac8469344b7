/**
 * A global bound on the work a miner does at once, favouring validators with more stake.
 *
 * At most `maxConcurrent` holders run; up to `maxQueued` more wait, and are served highest stake
 * first (first come, first served among equal stakes). Past that the node sheds load explicitly
 * instead of queueing without bound: a newcomer with more stake than the lowest waiter pushes that
 * waiter out, and otherwise the newcomer itself is refused; either way with a BusyError ("BUSY"),
 * which the protocol answers as a "busy" status. A waiter whose AbortSignal fires (its deadline,
 * say) leaves the queue, so expired work is dropped before it starts.
 *
 * The queue is a sorted array: an arrival costs O(maxQueued) to insert, which for queues of a
 * few hundred is cheaper than a double-ended heap (both ends are needed: the best to serve, the
 * worst to evict).
 */
import { BusyError } from "./errors.js";
import { requireInteger } from "./options.js";

/** Gives the slot back. Calling it again does nothing. */
export type Release = () => void;

export interface StakePriorityGateOptions {
  /** The most holders running at once. */
  readonly maxConcurrent: number;
  /** The most callers waiting for a slot; 0 refuses everyone who cannot run at once. */
  readonly maxQueued: number;
}

export interface GateStats {
  /** Slots held now. */
  readonly running: number;
  /** Callers waiting now. */
  readonly queued: number;
  /** Callers refused or evicted with BusyError since the gate was made (aborted waiters not counted). */
  readonly shed: number;
}

interface Waiter {
  readonly priority: bigint;
  readonly grant: (release: Release) => void;
  readonly refuse: (reason: unknown) => void;
}

export class StakePriorityGate {
  readonly #maxConcurrent: number;
  readonly #maxQueued: number;
  /** Sorted by service order: index 0 is served next, the last is the first to be evicted. */
  readonly #queue: Waiter[] = [];
  #running = 0;
  #shed = 0;

  constructor(options: StakePriorityGateOptions) {
    this.#maxConcurrent = requireInteger("maxConcurrent", options.maxConcurrent, 1);
    this.#maxQueued = requireInteger("maxQueued", options.maxQueued, 0);
  }

  /**
   * Resolves with a Release once the caller may run: at once if a slot is free, otherwise when its
   * turn comes. Rejects with BusyError if the queue is full of callers with at least its stake, or
   * if it is evicted later by one with more; rejects with `signal.reason` if `signal` fires while it
   * waits. Once it has resolved the caller owns the slot and must release it, whatever its signal.
   *
   * @param priority the caller's stake in rao: more stake is served first.
   */
  acquire(priority: bigint, signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    // The queue is only ever non-empty while every slot is held, so nobody can overtake a waiter.
    if (this.#running < this.#maxConcurrent) {
      this.#running++;
      return Promise.resolve(this.#newRelease());
    }
    if (this.#queue.length >= this.#maxQueued) {
      const lowest = this.#queue.at(-1);
      this.#shed++;
      if (!lowest || priority <= lowest.priority) {
        return Promise.reject(new BusyError("queue-full", `busy: ${this.#running} running and ${this.#queue.length} waiting with at least this stake`));
      }
      this.#queue.pop();
      lowest.refuse(new BusyError("evicted", "busy: a caller with more stake took this place in the queue"));
    }
    return new Promise<Release>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#queue.indexOf(waiter);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        priority,
        grant: (release) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(release);
        },
        refuse: (reason) => {
          signal?.removeEventListener("abort", onAbort);
          reject(reason);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.splice(this.#insertionIndex(priority), 0, waiter);
    });
  }

  stats(): GateStats {
    return { running: this.#running, queued: this.#queue.length, shed: this.#shed };
  }

  /** A release that hands the slot straight to the next waiter, so a newcomer cannot jump the queue. */
  #newRelease(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next) next.grant(this.#newRelease());
      else this.#running--;
    };
  }

  /** Where a newcomer goes: after everyone with at least its priority (FIFO among equals). */
  #insertionIndex(priority: bigint): number {
    let low = 0;
    let high = this.#queue.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#queue[mid]!.priority >= priority) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
