/**
 * The transaction pool: validated transactions by sender and nonce. A transaction whose nonce is
 * the sender's next one is ready; one further ahead waits (future) until the gap is filled.
 * Watchers hear each transaction's life: future/ready, inBlock, then finalized once the block is
 * final (later: finality trails the best block), or invalid/dropped/usurped. Each RPC flavour
 * (author_submitAndWatchExtrinsic, transactionWatch_v1) words these events its own way.
 */
import { toHex } from "../codec/hex.js";
import type { CheckedTransaction } from "../runtime/runtime.js";

export type TxEvent =
  | { readonly type: "future" }
  | { readonly type: "ready" }
  | { readonly type: "inBlock"; readonly block: string; readonly index: number }
  | { readonly type: "finalized"; readonly block: string; readonly index: number }
  | { readonly type: "usurped"; readonly by: string }
  | { readonly type: "invalid"; readonly reason: string }
  | { readonly type: "dropped"; readonly reason: string };

export type TxWatcher = (event: TxEvent) => void;

/** After these a transaction's watchers hear nothing more. */
export function isLastEvent(event: TxEvent): boolean {
  return event.type === "finalized" || event.type === "usurped" || event.type === "invalid" || event.type === "dropped";
}

/** A transaction a block took: its hash and its index in the block's body. */
export interface IncludedTransaction {
  readonly hash: string;
  readonly index: number;
}

export class PoolError extends Error {
  readonly rpcCode: number;
  constructor(rpcCode: number, message: string) {
    super(message);
    this.name = "PoolError";
    this.rpcCode = rpcCode;
  }
}

interface PoolEntry {
  readonly tx: CheckedTransaction;
  readonly hash: string;
  readonly sender: string;
  readonly nonce: number;
  readonly arrival: number;
  readonly watchers: Set<TxWatcher>;
  /** Whether its watchers have heard "ready". */
  announcedReady: boolean;
}

export interface PoolLimits {
  /** Transactions held in all (ready and future). */
  readonly maxTransactions: number;
}

/** An included transaction whose watchers wait for its block to become final. */
interface AwaitingFinality {
  readonly block: string;
  readonly index: number;
  readonly watchers: Set<TxWatcher>;
}

export class TxPool {
  readonly #byHash = new Map<string, PoolEntry>();
  /** Included transactions still watched, by hash, until their block is final. */
  readonly #awaitingFinality = new Map<string, AwaitingFinality>();
  /** block hash → the watched transactions it included. */
  readonly #watchedByBlock = new Map<string, string[]>();
  /** sender → nonce → entry. */
  readonly #bySender = new Map<string, Map<number, PoolEntry>>();
  readonly #limits: PoolLimits;
  #arrivals = 0;

  constructor(limits: PoolLimits = { maxTransactions: 8192 }) {
    this.#limits = limits;
  }

  get size(): number {
    return this.#byHash.size;
  }

  has(hash: string): boolean {
    return this.#byHash.has(hash);
  }

  /** Adds a checked transaction; returns its hash and whether it is ready now. */
  add(tx: CheckedTransaction, watcher?: TxWatcher): { hash: string; status: "ready" | "future" } {
    const hash = toHex(tx.xt.hash);
    if (this.#byHash.has(hash)) throw new PoolError(1013, "Transaction Already Imported");
    const sender = toHex(tx.signedPart.signer);
    const nonce = tx.signedPart.nonce;
    let nonces = this.#bySender.get(sender);
    const existing = nonces?.get(nonce);
    if (existing) {
      if (tx.signedPart.tip <= existing.tx.signedPart.tip) throw new PoolError(1014, `Priority is too low: (${existing.tx.signedPart.tip} vs ${tx.signedPart.tip})`);
      this.#remove(existing, { type: "usurped", by: hash });
    } else if (this.#byHash.size >= this.#limits.maxTransactions) {
      throw new PoolError(1016, "Immediately Dropped");
    }
    const entry: PoolEntry = { tx, hash, sender, nonce, arrival: this.#arrivals++, watchers: new Set(watcher ? [watcher] : []), announcedReady: false };
    if (!nonces) this.#bySender.set(sender, (nonces = new Map()));
    nonces.set(nonce, entry);
    this.#byHash.set(hash, entry);
    const status = this.#isReady(entry) ? "ready" : "future";
    entry.announcedReady = status === "ready";
    this.#notify(entry, { type: status });
    if (entry.announcedReady) {
      for (let next = nonces.get(nonce + 1), n = nonce + 1; next; next = nonces.get(++n)) {
        if (next.announcedReady) continue;
        next.announcedReady = true;
        this.#notify(next, { type: "ready" });
      }
    }
    return { hash, status };
  }

  /** The nonces `sender` has waiting in the pool. */
  nonces(sender: Uint8Array): number[] {
    return [...(this.#bySender.get(toHex(sender))?.keys() ?? [])];
  }

  watch(hash: string, watcher: TxWatcher): boolean {
    const entry = this.#byHash.get(hash);
    if (!entry) return false;
    entry.watchers.add(watcher);
    return true;
  }

  unwatch(hash: string, watcher: TxWatcher): void {
    this.#byHash.get(hash)?.watchers.delete(watcher);
    this.#awaitingFinality.get(hash)?.watchers.delete(watcher);
  }

  #isReady(entry: PoolEntry): boolean {
    const nonces = this.#bySender.get(entry.sender)!;
    for (let n = entry.nonce - 1; n >= entry.tx.accountNonce; n--) if (!nonces.has(n)) return false;
    return true;
  }

  /**
   * Ready transactions in the order a block should take them: each sender's in nonce order,
   * senders interleaved by arrival. `nextNonce` gives each sender's current on-chain nonce.
   */
  ready(nextNonce: (sender: Uint8Array) => number): CheckedTransaction[] {
    const queues: PoolEntry[][] = [];
    for (const nonces of this.#bySender.values()) {
      const first = nonces.values().next().value as PoolEntry;
      let n = nextNonce(first.tx.signedPart.signer);
      const run: PoolEntry[] = [];
      for (let entry = nonces.get(n); entry; entry = nonces.get(++n)) run.push(entry);
      if (run.length) queues.push(run);
    }
    const out: CheckedTransaction[] = [];
    const heads = queues.map(() => 0);
    for (;;) {
      let best = -1;
      for (let q = 0; q < queues.length; q++) {
        const candidate = queues[q]![heads[q]!];
        if (candidate && (best < 0 || candidate.arrival < queues[best]![heads[best]!]!.arrival)) best = q;
      }
      if (best < 0) return out;
      out.push(queues[best]![heads[best]!]!.tx);
      heads[best]!++;
    }
  }

  /** Pending transactions' bytes, ready and future (author_pendingExtrinsics). */
  pending(): Uint8Array[] {
    return [...this.#byHash.values()].sort((a, b) => a.arrival - b.arrival).map((e) => e.tx.xt.bytes);
  }

  /** Transactions included in block `blockHash`: out of the pool, watchers told; they hear "finalized" from `finalized`. */
  included(transactions: readonly IncludedTransaction[], blockHash: string): void {
    for (const { hash, index } of transactions) {
      const entry = this.#byHash.get(hash);
      if (!entry) continue;
      this.#notify(entry, { type: "inBlock", block: blockHash, index });
      if (entry.watchers.size > 0) {
        this.#awaitingFinality.set(hash, { block: blockHash, index, watchers: new Set(entry.watchers) });
        const watched = this.#watchedByBlock.get(blockHash);
        if (watched) watched.push(hash);
        else this.#watchedByBlock.set(blockHash, [hash]);
      }
      this.#remove(entry);
    }
  }

  /** Blocks that became final, in order: the watchers of their transactions hear "finalized". */
  finalized(blockHashes: readonly string[]): void {
    for (const block of blockHashes) {
      const watched = this.#watchedByBlock.get(block);
      if (!watched) continue;
      this.#watchedByBlock.delete(block);
      for (const hash of watched) {
        const awaiting = this.#awaitingFinality.get(hash);
        if (!awaiting) continue;
        this.#awaitingFinality.delete(hash);
        for (const watcher of awaiting.watchers) watcher({ type: "finalized", block, index: awaiting.index });
      }
    }
  }

  /** Removes a transaction that can no longer be included, saying why. */
  reject(hash: string, status: "invalid" | "dropped", reason: string): void {
    const entry = this.#byHash.get(hash);
    if (entry) this.#remove(entry, { type: status, reason });
  }

  /**
   * After a block: drops what the new nonces made stale and announces the futures that became
   * ready. `nextNonce` reads the new head's state.
   */
  revalidate(nextNonce: (sender: Uint8Array) => number): void {
    for (const nonces of [...this.#bySender.values()]) {
      const first = nonces.values().next().value as PoolEntry | undefined;
      if (!first) continue;
      const current = nextNonce(first.tx.signedPart.signer);
      for (const entry of [...nonces.values()]) {
        if (entry.nonce < current) this.#remove(entry, { type: "invalid", reason: "Transaction is outdated: another transaction used its nonce" });
      }
      for (let n = current; nonces.has(n); n++) {
        const entry = nonces.get(n)!;
        if (!entry.announcedReady) {
          entry.announcedReady = true;
          this.#notify(entry, { type: "ready" });
        }
      }
    }
  }

  #remove(entry: PoolEntry, event?: TxEvent): void {
    if (event) this.#notify(entry, event);
    this.#byHash.delete(entry.hash);
    const nonces = this.#bySender.get(entry.sender);
    nonces?.delete(entry.nonce);
    if (nonces?.size === 0) this.#bySender.delete(entry.sender);
    entry.watchers.clear();
  }

  #notify(entry: PoolEntry, event: TxEvent): void {
    for (const watcher of [...entry.watchers]) watcher(event);
  }

  /** Drops everything (node shutdown); watchers hear "dropped". */
  clear(): void {
    for (const entry of [...this.#byHash.values()]) this.#remove(entry, { type: "dropped", reason: "the node is shutting down" });
    this.#awaitingFinality.clear();
    this.#watchedByBlock.clear();
  }
}
