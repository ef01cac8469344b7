/**
 * Puts the validator's scores on chain, on time, and never silently. Driven by `tick()` (the daemon
 * calls it at a new head, every few seconds at most); each tick reads the chain in one round trip
 * (ChainReader.weightsView, the block number from the daemon's followed head) and takes at most one
 * step:
 *
 * - commit-reveal on (HEAD's default):
 *   1. once per epoch, when the weights rate limit allows: choose a salt, **save** the commit
 *      (uids, values, salt, version key) as "prepared", then send commit_weights;
 *   2. a "prepared" commit found on chain becomes "committed" with its epoch (also after a crash
 *      between sending and saving); one not found is sent (again);
 *   3. a committed one is revealed in exactly its reveal epoch (commit epoch + RevealPeriodEpochs),
 *      as soon as that epoch begins; once past it, it has expired and is dropped, loudly.
 * - commit-reveal off: set_weights once per epoch, when the rate limit allows.
 *
 * Every outcome is logged and counted; failures are retried with exponential backoff. Without a
 * validator permit, or unregistered, it says so and waits (scoring goes on in the daemon).
 */
import type { KeyringPair } from "@polkadot/keyring/types";
import { ChainError } from "../chain/errors.js";
import type { CommittedWeights, SubtensorOperations } from "../chain/operations.js";
import { epochIndexAt } from "../chain/epoch-schedule.js";
import { blocksLeft, type EpochSchedule, type WeightCommit } from "../chain/reads.js";
import { commitHash, randomSalt, type U16Weights } from "../chain/weights.js";
import type { Logger } from "../util/logger.js";
import type { PendingCommit, ValidatorState } from "./state.js";
import { weightsFromScores } from "./weights.js";

export type WeightAction = "commit" | "reveal" | "set";
export type WeightOutcome = "ok" | "failed" | "expired" | "lost";

export interface WeightSetterStatus {
  /** Why weights are not going out now, when they are not (no permit, not registered, …). */
  readonly waiting: string | undefined;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly lastIncludedBlock: number | undefined;
  readonly consecutiveFailures: number;
}

export interface WeightSetterOptions {
  readonly ops: SubtensorOperations;
  readonly netuid: number;
  readonly hotkey: KeyringPair;
  readonly state: ValidatorState;
  /** The weights version key sent with every submission (at least the subnet's). */
  readonly versionKey?: bigint;
  /** How long an inclusion is awaited, ms. */
  readonly inclusionTimeoutMs?: number;
  /** Backoff after a failure: first and largest wait, ms. */
  readonly backoffMs?: { readonly first: number; readonly max: number };
  readonly now?: () => number;
  /** The latest block the daemon followed (its new-heads subscription), read instead of asking the chain; undefined: ask. */
  readonly head?: () => bigint | undefined;
  readonly log: Logger;
}

export class WeightSetter {
  readonly #o: WeightSetterOptions;
  readonly #now: () => number;
  readonly #outcomes = new Map<string, number>();
  #waiting: string | undefined;
  #failures = 0;
  #retryAtMs = 0;
  #lastIncluded: number | undefined;
  /** The epoch of the last commit or set (kept in memory; after a restart the chain's LastUpdate says). */
  #lastEpoch: bigint | undefined;
  #current: Promise<void> | undefined;
  /** The hotkey's uid at the last look (its registration block is read along with the rest). */
  #uidHint: number | undefined;
  readonly #stopping = new AbortController();

  constructor(options: WeightSetterOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  status(): WeightSetterStatus {
    return { waiting: this.#waiting, outcomes: Object.fromEntries(this.#outcomes), lastIncludedBlock: this.#lastIncluded, consecutiveFailures: this.#failures };
  }

  #count(action: WeightAction, outcome: WeightOutcome): void {
    const key = `${action}:${outcome}`;
    this.#outcomes.set(key, (this.#outcomes.get(key) ?? 0) + 1);
  }

  #wait(why: string | undefined): void {
    if (why !== this.#waiting && why !== undefined) this.#o.log.warn({ netuid: this.#o.netuid }, why);
    this.#waiting = why;
  }

  /** One step, if one is due; never throws (failures are logged, counted and retried). */
  tick(): Promise<void> {
    if (this.#stopping.signal.aborted) return Promise.resolve();
    if (this.#current || this.#now() < this.#retryAtMs) return this.#current ?? Promise.resolve();
    this.#current = this.#step()
      .catch((error: unknown) => {
        this.#o.log.warn({ error: (error as Error).message }, "weights: reading the chain failed; retrying");
        this.#backoff();
      })
      .finally(() => {
        this.#current = undefined;
      });
    return this.#current;
  }

  /**
   * Stops: no new step, and a transaction in flight is no longer waited for (a commit was saved as
   * "prepared" before it was sent, so the restarted daemon finds it on chain or sends it again; a
   * reveal or a set is sent again if the chain lacks it). Then waits for the step to unwind, up to
   * `timeoutMs` (a save in progress finishes; nothing else is awaited).
   */
  async stop(timeoutMs: number): Promise<void> {
    this.#stopping.abort();
    if (!this.#current) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#current, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  #backoff(): void {
    const { first, max } = this.#o.backoffMs ?? { first: 1_000, max: 60_000 };
    this.#failures += 1;
    this.#retryAtMs = this.#now() + Math.min(max, first * 2 ** (this.#failures - 1));
  }

  async #attempt(action: WeightAction, what: () => Promise<unknown>): Promise<boolean> {
    try {
      await what();
      this.#count(action, "ok");
      this.#failures = 0;
      this.#retryAtMs = 0;
      // The daemon's followed head where it has one (no request), as the inclusion is reported.
      this.#lastIncluded = Number(this.#o.head?.() ?? (await this.#o.ops.read.blockNumber().catch(() => 0n)));
      return true;
    } catch (error) {
      const code = error instanceof ChainError ? error.code : undefined;
      if (code === "TX_ABANDONED") {
        this.#o.log.info({ action, error: (error as Error).message }, `weights: ${action} left to the restarted daemon`);
        return false;
      }
      this.#count(action, "failed");
      this.#o.log.warn({ action, code, error: (error as Error).message, attempt: this.#failures + 1 }, `weights: ${action} failed; retrying with backoff`);
      this.#backoff();
      return false;
    }
  }

  async #step(): Promise<void> {
    const { ops, netuid, hotkey, state } = this.#o;
    const read = ops.read;
    // The daemon's followed head where it has one (no request), and everything else in one round trip.
    const [head, view] = await Promise.all([this.#o.head?.() ?? read.blockNumber(), read.weightsView(netuid, hotkey.address, this.#uidHint)]);
    const next = head + 1n;
    const { uid, rules, schedule } = view;
    this.#uidHint = uid;
    if (uid === undefined) return this.#wait(`weights: hotkey ${hotkey.address} is not registered on subnet ${netuid}; scores are kept, weights wait for its registration`);
    const pending = state.pendingCommit;
    if (pending) return this.#advance(pending, schedule, next, rules.commitReveal, view.commits);

    const isOwner = view.ownerHotkey === hotkey.address;
    if (!rules.permits[uid] && !isOwner) return this.#wait(`weights: uid ${uid} has no validator permit on subnet ${netuid} (permits go to the most staked uids at each epoch); scoring goes on, weights wait for a permit`);

    const epoch = epochIndexAt(schedule, next);
    const lastUpdate = rules.lastUpdate[uid] ?? 0n;
    // Once per epoch. After a restart the chain says: a LastUpdate inside this epoch is a submission
    // of ours — unless it is the registration's own (the chain sets LastUpdate when it registers).
    const setSinceRegistration = lastUpdate !== 0n && lastUpdate !== view.registrationBlock;
    const doneThisEpoch = this.#lastEpoch !== undefined ? this.#lastEpoch >= epoch : setSinceRegistration && lastUpdate >= schedule.lastEpochBlock && epoch === schedule.index;
    if (doneThisEpoch) return this.#wait(undefined);
    const left = blocksLeft(lastUpdate, rules.rateLimit, next);
    if (left > 0n) return this.#wait(undefined);
    const scores = new Map(state.book.entries().map((e) => [e.uid, e.ema]));
    if (scores.size === 0) return this.#wait(undefined);
    const vector = weightsFromScores(scores, { n: rules.n, minAllowedWeights: rules.minAllowedWeights, maxWeightLimit: rules.maxWeightLimit }, uid);
    const weights: U16Weights = { uids: [...vector.uids], values: [...vector.values] };
    const versionKey = this.#o.versionKey ?? rules.versionKey;
    this.#wait(undefined);
    if (rules.commitReveal) {
      const salt = randomSalt();
      const commit: PendingCommit = { hash: commitHash(hotkey.publicKey, netuid, weights, salt, versionKey), uids: weights.uids, values: weights.values, salt, versionKey, state: "prepared", createdMs: this.#now() };
      // Saved before it is sent: a crash from here on can always reveal what was committed.
      await state.setPendingCommit(commit);
      this.#lastEpoch = epoch;
      await this.#sendCommit(commit);
    } else {
      const ok = await this.#attempt("set", () => ops.setWeights(hotkey, netuid, weights.uids, weights.values, versionKey, this.#options()));
      if (ok) {
        this.#lastEpoch = epoch;
        this.#o.log.info({ netuid, uids: weights.uids.length, block: this.#lastIncluded }, "weights set");
      }
    }
  }

  #options(): { timeoutMs: number; signal: AbortSignal } {
    return { timeoutMs: this.#o.inclusionTimeoutMs ?? 60_000, signal: this.#stopping.signal };
  }

  async #sendCommit(commit: PendingCommit): Promise<void> {
    const { ops, netuid, hotkey, state } = this.#o;
    let result: CommittedWeights | undefined;
    await this.#attempt("commit", async () => {
      result = await ops.commitWeights(hotkey, netuid, { uids: [...commit.uids], values: [...commit.values] }, commit.salt, commit.versionKey, this.#options());
    });
    // The chain's record of it says its epoch, so that the reveal is scheduled by the chain's word
    // (not found: it stays "prepared", and the next tick looks again).
    const committed = result?.onChain;
    if (committed) {
      await state.setPendingCommit({ ...commit, state: "committed", commitEpoch: committed.epoch, commitBlock: committed.block });
      this.#o.log.info({ netuid, hash: commit.hash, epoch: committed.epoch, block: committed.block }, "weights committed");
    }
  }

  async #advance(pending: PendingCommit, schedule: EpochSchedule, next: bigint, commitReveal: boolean, commits: readonly WeightCommit[]): Promise<void> {
    const { ops, netuid, hotkey, state, log } = this.#o;
    const onChain = commits.find((c) => c.hash === pending.hash);
    if (pending.state === "prepared") {
      if (onChain) {
        await state.setPendingCommit({ ...pending, state: "committed", commitEpoch: onChain.epoch, commitBlock: onChain.block });
        log.info({ netuid, hash: pending.hash, epoch: onChain.epoch }, "weights commit found on chain");
        return;
      }
      if (!commitReveal) {
        log.warn({ netuid, hash: pending.hash }, "commit-reveal was turned off before this commit went out; dropping it");
        this.#count("commit", "lost");
        return state.setPendingCommit(undefined);
      }
      return this.#sendCommit(pending);
    }
    if (!onChain) {
      // Revealed already (a crash after the reveal's inclusion), expired, or the chain forgot it.
      log.warn({ netuid, hash: pending.hash, epoch: pending.commitEpoch }, "the weights commit is no longer on chain (revealed, expired or dropped); committing afresh");
      this.#count("reveal", "lost");
      return state.setPendingCommit(undefined);
    }
    const revealEpoch = onChain.epoch + schedule.revealPeriodEpochs;
    const epoch = epochIndexAt(schedule, next);
    if (epoch < revealEpoch) return this.#wait(undefined);
    if (epoch > revealEpoch) {
      log.error({ netuid, hash: pending.hash, commitEpoch: onChain.epoch, revealEpoch, epoch }, "the weights commit expired unrevealed (its reveal epoch has passed); committing afresh");
      this.#count("reveal", "expired");
      return state.setPendingCommit(undefined);
    }
    const ok = await this.#attempt("reveal", () => ops.revealWeights(hotkey, netuid, { uids: [...pending.uids], values: [...pending.values] }, pending.salt, pending.versionKey, this.#options()));
    if (ok) {
      await state.setPendingCommit(undefined);
      log.info({ netuid, hash: pending.hash, epoch, block: this.#lastIncluded }, "weights revealed");
    }
  }
}
