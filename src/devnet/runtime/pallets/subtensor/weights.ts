/**
 * Weights: set_weights, and commit-reveal v2 (commit_weights then reveal_weights exactly
 * RevealPeriodEpochs epochs later), with HEAD's checks in HEAD's order and max-upscaling on store.
 * The devnet runs mechanism 0 only, so netuid_index = netuid.
 */
import { blake2_256 } from "../../../codec/hashing.js";
import { bytesEqual } from "../../../codec/hex.js";
import { ScaleWriter } from "../../../codec/scale.js";
import { vecU16MaxUpscaleToU16 } from "../../../../yuma/index.js";
import type { BlockContext } from "../../context.js";
import { DispatchFailure, encodeDispatchError } from "../../dispatch.js";
import type { WeightCommit } from "./codecs.js";
import type { SubtensorEnv } from "./env.js";
import { S } from "./storage.js";
import type { StateRead } from "./typed-storage.js";

export const MAX_UNREVEALED_COMMITS = 10;

export interface WeightsArgs {
  readonly netuid: number;
  readonly uids: readonly number[];
  readonly values: readonly number[];
  readonly versionKey: bigint;
}

/** BlakeTwo256 of SCALE (hotkey, netuid_index, uids, values, salt, version_key): the CRv2 commit hash. */
export function commitHash(hotkey: Uint8Array, netuidIndex: number, uids: readonly number[], values: readonly number[], salt: readonly number[], versionKey: bigint): Uint8Array {
  const w = new ScaleWriter(64 + 2 * (uids.length + values.length + salt.length)).raw(hotkey).u16(netuidIndex);
  for (const list of [uids, values, salt]) w.vec(list, (w, x) => w.u16(x));
  return blake2_256(w.u64(versionKey).finish());
}

/** Whether an epoch fires for the subnet at block `now` (should_run_epoch). */
export function shouldRunEpoch(state: StateRead, netuid: number, now: bigint): boolean {
  const tempo = BigInt(S.Tempo.get(state, netuid));
  if (tempo === 0n) return false;
  const pending = S.PendingEpochAt.get(state, netuid);
  if (pending > 0n && now >= pending) return true;
  return now - S.LastEpochBlock.get(state, netuid) >= tempo;
}

/** SubnetEpochIndex plus one when an epoch is due at `now` (for the pool, before on_initialize ran). */
export function epochWithLookahead(state: StateRead, netuid: number, now: bigint, afterInitialize: boolean): bigint {
  const index = S.SubnetEpochIndex.get(state, netuid);
  return !afterInitialize && shouldRunEpoch(state, netuid, now) ? index + 1n : index;
}

/** check_rate_limit: has the uid waited WeightsSetRateLimit blocks since its LastUpdate? */
export function weightsRateLimitPasses(state: StateRead, netuid: number, uid: number, now: bigint): boolean {
  if (!S.Keys.has(state, netuid, uid)) return false;
  const last = S.LastUpdate.get(state, netuid)[uid] ?? 0n;
  return last === 0n || now - last >= S.WeightsSetRateLimit.get(state, netuid);
}

/** do_set_weights after the commit-reveal gate: HEAD's checks in order, then store max-upscaled. */
function applyWeights(env: SubtensorEnv, ctx: BlockContext, hotkey: Uint8Array, a: WeightsArgs, checkRateLimit: boolean): void {
  const now = BigInt(ctx.number);
  if (a.netuid === 0) throw env.error("CanNotSetRootNetworkWeights");
  if (a.uids.length !== a.values.length) throw env.error("WeightVecNotEqualSize");
  if (!S.NetworksAdded.get(ctx, a.netuid)) throw env.error("MechanismDoesNotExist");
  const n = S.SubnetworkN.get(ctx, a.netuid);
  if (a.uids.length > n) throw env.error("UidsLengthExceedUidsInSubNet");
  const uid = S.Uids.get(ctx, a.netuid, hotkey);
  if (uid === undefined) throw env.error("HotKeyNotRegisteredInSubNet");
  const key = S.WeightsVersionKey.get(ctx, a.netuid);
  if (key !== 0n && a.versionKey < key) throw env.error("IncorrectWeightVersionKey");
  if (checkRateLimit && !weightsRateLimitPasses(ctx, a.netuid, uid, now)) throw env.error("SettingWeightsTooFast");
  const selfWeight = a.uids.length === 1 && a.uids[0] === uid;
  const isOwner = bytesEqual(S.SubnetOwnerHotkey.get(ctx, a.netuid), hotkey);
  if (!selfWeight && !isOwner && !S.ValidatorPermit.get(ctx, a.netuid)[uid]) throw env.error("NeuronNoValidatorPermit");
  if (new Set(a.uids).size !== a.uids.length) throw env.error("DuplicateUids");
  // HEAD asks whether Keys has each uid; uids are handed out from 0 up and never removed on the
  // devnet, so that is exactly `dest < n` — without 256 storage-key hashes per call.
  if (a.uids.some((dest) => dest >= n)) throw env.error("UidVecContainInvalidOne");
  if (!selfWeight && a.uids.length < Math.min(S.MinAllowedWeights.get(ctx, a.netuid), n)) throw env.error("WeightVecLengthIsLow");
  const upscaled = vecU16MaxUpscaleToU16(a.values);
  S.Weights.set(ctx, a.netuid, uid, a.uids.map((dest, i) => [dest, upscaled[i]!]));
  if (checkRateLimit) {
    const last = S.LastUpdate.get(ctx, a.netuid).slice();
    last[uid] = now;
    S.LastUpdate.set(ctx, a.netuid, last);
  }
  env.event(ctx, "WeightsSet", (w) => w.u16(a.netuid).u16(uid));
}

export function setWeights(env: SubtensorEnv, ctx: BlockContext, hotkey: Uint8Array, a: WeightsArgs): void {
  if (S.CommitRevealWeightsEnabled.get(ctx, a.netuid)) throw env.error("CommitRevealEnabled");
  applyWeights(env, ctx, hotkey, a, true);
}

function liveCommits(state: StateRead, netuid: number, hotkey: Uint8Array, epochNow: bigint): { live: WeightCommit[]; expired: WeightCommit[] } {
  const period = S.RevealPeriodEpochs.get(state, netuid);
  const all = S.WeightCommits.get(state, netuid, hotkey) ?? [];
  const firstLive = all.findIndex((c) => !(epochNow > c.commitEpoch + period));
  const split = firstLive < 0 ? all.length : firstLive;
  return { live: all.slice(split), expired: all.slice(0, split) };
}

export function commitWeights(env: SubtensorEnv, ctx: BlockContext, hotkey: Uint8Array, netuid: number, hash: Uint8Array): void {
  const now = BigInt(ctx.number);
  if (!S.NetworksAdded.get(ctx, netuid)) throw env.error("MechanismDoesNotExist");
  if (!S.CommitRevealWeightsEnabled.get(ctx, netuid)) throw env.error("CommitRevealDisabled");
  const uid = S.Uids.get(ctx, netuid, hotkey);
  if (uid === undefined) throw env.error("HotKeyNotRegisteredInSubNet");
  if (!weightsRateLimitPasses(ctx, netuid, uid, now)) throw env.error("CommittingWeightsTooFast");
  const epoch = epochWithLookahead(ctx, netuid, now, true);
  const { live } = liveCommits(ctx, netuid, hotkey, epoch);
  if (live.length >= MAX_UNREVEALED_COMMITS) throw env.error("TooManyUnrevealedCommits");
  S.WeightCommits.set(ctx, netuid, hotkey, [...live, { hash, commitEpoch: epoch, commitBlock: now, unused: 0n }]);
  const last = S.LastUpdate.get(ctx, netuid).slice();
  last[uid] = now;
  S.LastUpdate.set(ctx, netuid, last);
  env.event(ctx, "WeightsCommitted", (w) => w.raw(hotkey).u16(netuid).raw(hash));
}

export interface RevealArgs extends WeightsArgs {
  readonly salt: readonly number[];
}

export function revealWeights(env: SubtensorEnv, ctx: BlockContext, hotkey: Uint8Array, a: RevealArgs): void {
  const now = BigInt(ctx.number);
  if (!S.CommitRevealWeightsEnabled.get(ctx, a.netuid)) throw env.error("CommitRevealDisabled");
  if (S.WeightCommits.get(ctx, a.netuid, hotkey) === undefined) throw env.error("NoWeightsCommitFound");
  const epoch = epochWithLookahead(ctx, a.netuid, now, true);
  const { live, expired } = liveCommits(ctx, a.netuid, hotkey, epoch);
  const hash = commitHash(hotkey, a.netuid, a.uids, a.values, a.salt, a.versionKey);
  const wasExpired = expired.some((c) => bytesEqual(c.hash, hash));
  if (live.length === 0) throw env.error(wasExpired ? "ExpiredWeightCommit" : "NoWeightsCommitFound");
  const position = live.findIndex((c) => bytesEqual(c.hash, hash));
  if (position < 0) throw env.error(wasExpired ? "ExpiredWeightCommit" : "InvalidRevealCommitHashNotMatch");
  const commit = live[position]!;
  if (epoch !== commit.commitEpoch + S.RevealPeriodEpochs.get(ctx, a.netuid)) throw env.error("RevealTooEarly");
  const rest = live.slice(position + 1);
  if (rest.length > 0) S.WeightCommits.set(ctx, a.netuid, hotkey, rest);
  else S.WeightCommits.remove(ctx, a.netuid, hotkey);
  applyWeights(env, ctx, hotkey, a, false);
  env.event(ctx, "WeightsRevealed", (w) => w.raw(hotkey).u16(a.netuid).raw(hash));
}

export interface BatchItem<T> {
  readonly netuid: number;
  readonly item: T;
}

/**
 * do_batch_set_weights / do_batch_commit_weights: each item on its own (its changes kept only if
 * it succeeds), failures reported after all items ran, then BatchWeightsCompleted.
 */
function runBatch<T>(env: SubtensorEnv, ctx: BlockContext, hotkey: Uint8Array, items: readonly BatchItem<T>[], each: (netuid: number, item: T) => void): void {
  const failures: [number, Uint8Array][] = [];
  for (const { netuid, item } of items) {
    try {
      ctx.transactional(() => each(netuid, item));
    } catch (error) {
      if (!(error instanceof DispatchFailure)) throw error;
      failures.push([netuid, encodeDispatchError(error.error)]);
    }
  }
  if (failures.length > 0) env.event(ctx, "BatchCompletedWithErrors", () => undefined);
  for (const [netuid, error] of failures) env.event(ctx, "BatchWeightItemFailed", (w) => w.u16(netuid).raw(error));
  env.event(ctx, "BatchWeightsCompleted", (w) => w.vec(items, (w, i) => w.compact(i.netuid)).raw(hotkey));
}

export function batchSetWeights(env: SubtensorEnv, ctx: BlockContext, hotkey: Uint8Array, netuids: readonly number[], rows: readonly (readonly [number, number][])[], versionKeys: readonly bigint[]): void {
  if (netuids.length !== rows.length || netuids.length !== versionKeys.length) throw env.error("InputLengthsUnequal");
  const items = netuids.map((netuid, i) => ({ netuid, item: i }));
  runBatch(env, ctx, hotkey, items, (netuid, i) => {
    const row = rows[i]!;
    setWeights(env, ctx, hotkey, { netuid, uids: row.map(([u]) => u), values: row.map(([, v]) => v), versionKey: versionKeys[i]! });
  });
}

export function batchCommitWeights(env: SubtensorEnv, ctx: BlockContext, hotkey: Uint8Array, netuids: readonly number[], hashes: readonly Uint8Array[]): void {
  if (netuids.length !== hashes.length) throw env.error("InputLengthsUnequal");
  runBatch(env, ctx, hotkey, netuids.map((netuid, i) => ({ netuid, item: hashes[i]! })), (netuid, hash) => commitWeights(env, ctx, hotkey, netuid, hash));
}

export interface BatchRevealArgs {
  readonly netuid: number;
  readonly uids: readonly (readonly number[])[];
  readonly values: readonly (readonly number[])[];
  readonly salts: readonly (readonly number[])[];
  readonly versionKeys: readonly bigint[];
}

/** do_batch_reveal_weights: every reveal must be valid now, or the whole call fails. */
export function batchRevealWeights(env: SubtensorEnv, ctx: BlockContext, hotkey: Uint8Array, a: BatchRevealArgs): void {
  const n = a.uids.length;
  if (a.values.length !== n || a.salts.length !== n || a.versionKeys.length !== n) throw env.error("InputLengthsUnequal");
  if (!S.CommitRevealWeightsEnabled.get(ctx, a.netuid)) throw env.error("CommitRevealDisabled");
  if (S.WeightCommits.get(ctx, a.netuid, hotkey) === undefined) throw env.error("NoWeightsCommitFound");
  const epoch = epochWithLookahead(ctx, a.netuid, BigInt(ctx.number), true);
  const { live, expired } = liveCommits(ctx, a.netuid, hotkey, epoch);
  const hashes = a.uids.map((uids, i) => commitHash(hotkey, a.netuid, uids, a.values[i]!, a.salts[i]!, a.versionKeys[i]!));
  const period = S.RevealPeriodEpochs.get(ctx, a.netuid);
  for (const hash of hashes) {
    const commit = live.find((c) => bytesEqual(c.hash, hash));
    if (!commit) throw env.error(expired.some((c) => bytesEqual(c.hash, hash)) ? "ExpiredWeightCommit" : "InvalidRevealCommitHashNotMatch");
    if (epoch !== commit.commitEpoch + period) throw env.error("RevealTooEarly");
  }
  let remaining = live;
  hashes.forEach((hash, i) => {
    remaining = remaining.filter((c) => !bytesEqual(c.hash, hash));
    applyWeights(env, ctx, hotkey, { netuid: a.netuid, uids: a.uids[i]!, values: a.values[i]!, versionKey: a.versionKeys[i]! }, false);
  });
  if (remaining.length > 0) S.WeightCommits.set(ctx, a.netuid, hotkey, remaining);
  else S.WeightCommits.remove(ctx, a.netuid, hotkey);
  env.event(ctx, "WeightsBatchRevealed", (w) => w.raw(hotkey).u16(a.netuid).vec(hashes, (w, h) => w.raw(h)));
}
