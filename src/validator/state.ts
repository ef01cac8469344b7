/**
 * The validator's durable state, in one level database: the score book, the pending weight commit
 * (salt and values saved before the commit is sent), and the miners' signed answers (receipts,
 * bounded per uid). Loaded before anything is saved; every save is one atomic write, so a crash at
 * any point leaves the last whole round, never half of one.
 */
import { existsSync } from "node:fs";
import { Bucket, Store, type Operation } from "../db/store.js";
import type { Receipt } from "../p2p/protocol/signing.js";
import { CodedError } from "../util/errors.js";
import { OrganicLedger, type OrganicLedgerOptions } from "./organic-ledger.js";
import { ScoreBook, type ScoreEntry } from "./scores.js";

/** A weight commit from the moment its salt is chosen until its reveal lands (or expires). */
export interface PendingCommit {
  /** The commit hash (0x hex), what the chain keeps. */
  readonly hash: string;
  readonly uids: readonly number[];
  readonly values: readonly number[];
  readonly salt: readonly number[];
  readonly versionKey: bigint;
  /** "prepared": saved, not yet seen on chain; "committed": included, with its epoch. */
  readonly state: "prepared" | "committed";
  readonly commitEpoch?: bigint;
  readonly commitBlock?: bigint;
  readonly createdMs: number;
}

export interface StoredReceipt {
  readonly uid: number;
  readonly hotkey: string;
  readonly synapse: string;
  readonly score: number;
  readonly latencyMs: number;
  readonly atMs: number;
  /** The signed request and answer; the body is left out (bodyOmitted) above the size bound. */
  readonly receipt: Receipt;
  readonly bodyOmitted: boolean;
}

export interface ValidatorIdentity {
  readonly hotkey: string;
  readonly netuid: number;
  readonly genesisHash: string;
}

export class ValidatorStateError extends CodedError<"STATE_MISMATCH" | "STATE_CORRUPT"> {
  constructor(code: "STATE_MISMATCH" | "STATE_CORRUPT", message: string) {
    super(code, message);
    this.name = "ValidatorStateError";
  }
}

export interface ValidatorStateOptions {
  /** EMA weight of a new score. */
  readonly alpha: number;
  /** Receipts kept per uid (oldest dropped first). */
  readonly receiptsPerUid: number;
  /** Answer bodies larger than this are not kept in receipts (their hash still is, signed). */
  readonly maxReceiptBodyBytes: number;
}

const IDENTITY = "identity";
const BOOK = "book";
const COMMIT = "commit";
const uidKey = (uid: number): string => uid.toString().padStart(5, "0");
const receiptKey = (uid: number, seq: number): string => `${uidKey(uid)}/${seq.toString().padStart(12, "0")}`;

export class ValidatorState {
  readonly #store: Store;
  readonly #o: ValidatorStateOptions;
  #book: ScoreBook;
  #commit: PendingCommit | undefined;
  /** Receipt keys per uid, oldest first (what is on disk). */
  readonly #receiptKeys = new Map<number, string[]>();
  #seq = 0;

  private constructor(store: Store, options: ValidatorStateOptions, book: ScoreBook) {
    this.#store = store;
    this.#o = options;
    this.#book = book;
  }

  /**
   * Opens the state at `path` for `identity`; a data dir written for another hotkey, subnet or
   * chain is refused (mixing them would submit one validator's scores as another's).
   */
  static async open(path: string, identity: ValidatorIdentity, options: ValidatorStateOptions): Promise<ValidatorState> {
    return ValidatorState.#open(path, identity, options, true);
  }

  /** Opens an existing state to read it (receipts), checking the hotkey and subnet it belongs to. */
  static async openForReading(path: string, identity: Omit<ValidatorIdentity, "genesisHash">): Promise<ValidatorState> {
    if (!existsSync(path)) throw new ValidatorStateError("STATE_MISMATCH", `no validator state at ${path}; has this validator (hotkey, subnet) run here? (--data-dir)`);
    return ValidatorState.#open(path, identity, { alpha: 1, receiptsPerUid: Number.MAX_SAFE_INTEGER, maxReceiptBodyBytes: Number.MAX_SAFE_INTEGER }, false);
  }

  static async #open(path: string, identity: ValidatorIdentity | Omit<ValidatorIdentity, "genesisHash">, options: ValidatorStateOptions, write: boolean): Promise<ValidatorState> {
    const store = await Store.open(path);
    try {
      const saved = await store.get<ValidatorIdentity>(Bucket.Meta, IDENTITY);
      const genesisDiffers = "genesisHash" in identity && saved !== undefined && saved.genesisHash !== identity.genesisHash;
      if (saved && (saved.hotkey !== identity.hotkey || saved.netuid !== identity.netuid || genesisDiffers))
        throw new ValidatorStateError(
          "STATE_MISMATCH",
          `${path} holds the state of hotkey ${saved.hotkey} on subnet ${saved.netuid} of chain ${saved.genesisHash.slice(0, 10)}…, not of ${identity.hotkey} on subnet ${identity.netuid}${"genesisHash" in identity ? ` of ${identity.genesisHash.slice(0, 10)}…` : ""}; give this validator its own --data-dir`,
        );
      if (!saved && write) await store.put(Bucket.Meta, IDENTITY, identity);
      const entries = (await store.get<ScoreEntry[]>(Bucket.Scores, BOOK)) ?? [];
      let book: ScoreBook;
      try {
        book = ScoreBook.fromJSON(options.alpha, entries);
      } catch (error) {
        throw new ValidatorStateError("STATE_CORRUPT", `${path}: ${(error as Error).message}`);
      }
      const state = new ValidatorState(store, options, book);
      state.#commit = await store.get<PendingCommit>(Bucket.PendingCommits, COMMIT);
      for (const [key] of await store.list<StoredReceipt>(Bucket.Receipts)) {
        const [uid, seq] = key.split("/").map(Number) as [number, number];
        const keys = state.#receiptKeys.get(uid) ?? [];
        keys.push(key);
        state.#receiptKeys.set(uid, keys);
        state.#seq = Math.max(state.#seq, seq + 1);
      }
      return state;
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  get book(): ScoreBook {
    return this.#book;
  }

  get pendingCommit(): PendingCommit | undefined {
    return this.#commit;
  }

  /** Saves a round: the score book as it is now and the round's receipts, in one write. */
  async saveRound(receipts: readonly Omit<StoredReceipt, "bodyOmitted">[]): Promise<void> {
    const ops: Operation[] = [{ type: "put", bucket: Bucket.Scores, id: BOOK, value: this.#book.toJSON() }];
    const added = new Map<number, string[]>();
    for (const r of receipts) {
      const body = r.receipt.body;
      const bytes = Array.isArray(body) ? (body as readonly Uint8Array[]).reduce((n, c) => n + c.byteLength, 0) : (body as Uint8Array).byteLength;
      const bodyOmitted = bytes > this.#o.maxReceiptBodyBytes;
      const stored: StoredReceipt = { ...r, bodyOmitted, receipt: bodyOmitted ? { ...r.receipt, body: new Uint8Array(0) } : r.receipt };
      const key = receiptKey(r.uid, this.#seq++);
      ops.push({ type: "put", bucket: Bucket.Receipts, id: key, value: stored });
      added.set(r.uid, [...(added.get(r.uid) ?? []), key]);
    }
    const kept = new Map<number, string[]>();
    for (const [uid, keys] of added) {
      const all = [...(this.#receiptKeys.get(uid) ?? []), ...keys];
      const drop = all.length - this.#o.receiptsPerUid;
      for (const key of all.slice(0, Math.max(0, drop))) ops.push({ type: "del", bucket: Bucket.Receipts, id: key });
      kept.set(uid, all.slice(Math.max(0, drop)));
    }
    await this.#store.write(ops);
    for (const [uid, keys] of kept) this.#receiptKeys.set(uid, keys);
  }

  /** Saves the score book alone (after a reconcile drops entries). */
  async saveScores(): Promise<void> {
    await this.#store.put(Bucket.Scores, BOOK, this.#book.toJSON());
  }

  /** Records the pending commit (before it is sent, and again as it progresses); undefined clears it. */
  async setPendingCommit(commit: PendingCommit | undefined): Promise<void> {
    if (commit) await this.#store.put(Bucket.PendingCommits, COMMIT, commit);
    else await this.#store.delete(Bucket.PendingCommits, COMMIT);
    this.#commit = commit;
  }

  /** The record of organic requests, kept in this state's database. */
  openOrganicLedger(options: OrganicLedgerOptions = {}): Promise<OrganicLedger> {
    return OrganicLedger.open(this.#store, options);
  }

  /** The receipts kept for `uid`, oldest first. */
  async receipts(uid: number): Promise<StoredReceipt[]> {
    const out: StoredReceipt[] = [];
    for (const key of this.#receiptKeys.get(uid) ?? []) {
      const r = await this.#store.get<StoredReceipt>(Bucket.Receipts, key);
      if (r) out.push(r);
    }
    return out;
  }

  async close(): Promise<void> {
    await this.#store.close();
  }
}
