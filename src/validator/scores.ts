/**
 * A validator's running opinion of each miner: an exponential moving average of its scores, kept
 * per (uid, hotkey) so that a uid taken over by a new hotkey starts afresh instead of inheriting
 * its predecessor's record. Pure: the daemon persists `toJSON()` and restores with `fromJSON`.
 */
export interface ScoreEntry {
  readonly uid: number;
  readonly hotkey: string;
  /** The moving average, in [0, 1]. */
  readonly ema: number;
  /** Scores folded in so far. */
  readonly samples: number;
  readonly lastScoredMs: number;
}

export class ScoreBook {
  readonly #alpha: number;
  readonly #entries = new Map<number, ScoreEntry>();

  /** `alpha`: the weight of a new score (0.1 keeps about ten rounds of memory). */
  constructor(alpha: number) {
    if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`alpha must be in (0, 1], got ${alpha}`);
    this.#alpha = alpha;
  }

  /** Folds in a score in [0, 1] for `uid` as held by `hotkey` (a new hotkey at the uid starts from this score). */
  record(uid: number, hotkey: string, score: number, nowMs: number): ScoreEntry {
    if (!(score >= 0 && score <= 1)) throw new RangeError(`a score is in [0, 1], got ${score}`);
    const previous = this.#entries.get(uid);
    const entry: ScoreEntry =
      previous && previous.hotkey === hotkey
        ? { uid, hotkey, ema: (1 - this.#alpha) * previous.ema + this.#alpha * score, samples: previous.samples + 1, lastScoredMs: nowMs }
        : { uid, hotkey, ema: score, samples: 1, lastScoredMs: nowMs };
    this.#entries.set(uid, entry);
    return entry;
  }

  /** Drops entries whose uid is now held by another hotkey (or is gone), given the metagraph's hotkeys by uid. */
  reconcile(hotkeys: readonly string[]): number {
    let dropped = 0;
    for (const [uid, entry] of this.#entries) {
      if (hotkeys[uid] !== entry.hotkey) {
        this.#entries.delete(uid);
        dropped += 1;
      }
    }
    return dropped;
  }

  get(uid: number): ScoreEntry | undefined {
    return this.#entries.get(uid);
  }

  entries(): ScoreEntry[] {
    return [...this.#entries.values()].sort((a, b) => a.uid - b.uid);
  }

  toJSON(): ScoreEntry[] {
    return this.entries();
  }

  static fromJSON(alpha: number, entries: readonly ScoreEntry[]): ScoreBook {
    const book = new ScoreBook(alpha);
    for (const e of entries) {
      if (!Number.isInteger(e.uid) || typeof e.hotkey !== "string" || !(e.ema >= 0 && e.ema <= 1)) throw new RangeError(`a stored score entry is malformed: ${JSON.stringify(e)}`);
      book.#entries.set(e.uid, { uid: e.uid, hotkey: e.hotkey, ema: e.ema, samples: e.samples, lastScoredMs: e.lastScoredMs });
    }
    return book;
  }
}
