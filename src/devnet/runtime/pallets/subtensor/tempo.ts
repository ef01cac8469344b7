/**
 * HEAD's dynamic tempo: the owner's set_tempo (within [MIN_TEMPO, MAX_TEMPO], the floor being a
 * genesis setting on the devnet), trigger_epoch (an epoch AdminFreezeWindow blocks from now), and
 * set_activity_cutoff_factor (the activity cutoff the epoch uses, in thousandths of a tempo).
 */
import { bytesEqual } from "../../../codec/hex.js";
import { ScaleWriter } from "../../../codec/scale.js";
import type { BlockContext } from "../../context.js";
import type { Origin } from "../../dispatch.js";
import { inFreezeWindow, ownerRateLimitKey } from "./admin-utils.js";
import type { SubtensorEnv } from "./env.js";
import { S } from "./storage.js";

const MAX_TEMPO = 50_400;
const TEMPO_UPDATE_TRANSACTION = 11;
const TRIGGER_EPOCH_HYPERPARAMETER = 31;
const ACTIVITY_CUTOFF_HYPERPARAMETER = 30;

function ensureOwner(env: SubtensorEnv, ctx: BlockContext, origin: Origin, netuid: number): Uint8Array {
  if (origin.kind !== "signed" || !bytesEqual(S.SubnetOwner.get(ctx, netuid), origin.who)) throw env.badOrigin();
  return origin.who;
}

function ownerRateLimited(ctx: BlockContext, netuid: number, hyperparameter: number, now: bigint): boolean {
  const last = S.LastRateLimitedBlock.get(ctx, ownerRateLimitKey(netuid, hyperparameter));
  return last !== 0n && now - last < BigInt(S.OwnerHyperparamRateLimit.get(ctx, undefined)) * BigInt(S.Tempo.get(ctx, netuid));
}

export function setTempo(env: SubtensorEnv, ctx: BlockContext, origin: Origin, netuid: number, tempo: number): void {
  const now = BigInt(ctx.number);
  const coldkey = ensureOwner(env, ctx, origin, netuid);
  if (tempo < env.settings.minTempo || tempo > MAX_TEMPO) throw env.error("TempoOutOfBounds");
  if (inFreezeWindow(ctx, netuid, now)) throw env.error("AdminActionProhibitedDuringWeightsWindow");
  const key = new ScaleWriter(2).u16(TEMPO_UPDATE_TRANSACTION).finish();
  const last = S.TransactionKeyLastBlock.get(ctx, coldkey, netuid, key);
  if (last !== 0n && now - last < env.settings.tempoUpdateRateLimit) throw env.error("TxRateLimitExceeded");
  S.Tempo.set(ctx, netuid, tempo);
  S.LastEpochBlock.set(ctx, netuid, now);
  env.event(ctx, "TempoSet", (w) => w.u16(netuid).u16(tempo));
  S.TransactionKeyLastBlock.set(ctx, coldkey, netuid, key, now);
}

export function triggerEpoch(env: SubtensorEnv, ctx: BlockContext, origin: Origin, netuid: number): void {
  const now = BigInt(ctx.number);
  const who = ensureOwner(env, ctx, origin, netuid);
  if (S.CommitRevealWeightsEnabled.get(ctx, netuid)) throw env.error("DynamicTempoBlockedByCommitReveal");
  if (S.PendingEpochAt.get(ctx, netuid) !== 0n) throw env.error("EpochTriggerAlreadyPending");
  const window = BigInt(S.AdminFreezeWindow.get(ctx, undefined));
  const next = S.LastEpochBlock.get(ctx, netuid) + BigInt(S.Tempo.get(ctx, netuid));
  if ((next > now ? next - now : 0n) < window) throw env.error("AutoEpochAlreadyImminent");
  if (ownerRateLimited(ctx, netuid, TRIGGER_EPOCH_HYPERPARAMETER, now)) throw env.error("TxRateLimitExceeded");
  const firesAt = now + window;
  S.PendingEpochAt.set(ctx, netuid, firesAt);
  S.LastRateLimitedBlock.set(ctx, ownerRateLimitKey(netuid, TRIGGER_EPOCH_HYPERPARAMETER), now);
  env.event(ctx, "EpochTriggered", (w) => w.u16(netuid).raw(who).u64(firesAt));
}

export function setActivityCutoffFactor(env: SubtensorEnv, ctx: BlockContext, origin: Origin, netuid: number, factorMilli: number): void {
  const now = BigInt(ctx.number);
  const isRoot = origin.kind === "root";
  if (!isRoot) {
    ensureOwner(env, ctx, origin, netuid);
    if (inFreezeWindow(ctx, netuid, now)) throw env.error("AdminActionProhibitedDuringWeightsWindow");
    if (ownerRateLimited(ctx, netuid, ACTIVITY_CUTOFF_HYPERPARAMETER, now)) throw env.error("TxRateLimitExceeded");
  }
  if (!S.NetworksAdded.get(ctx, netuid)) throw env.error("SubnetNotExists");
  if (factorMilli < 1000 || factorMilli > 50_000) throw env.error("ActivityCutoffFactorMilliOutOfBounds");
  S.ActivityCutoffFactorMilli.set(ctx, netuid, factorMilli);
  env.event(ctx, "ActivityCutoffFactorMilliSet", (w) => w.u16(netuid).u32(factorMilli));
  if (!isRoot) S.LastRateLimitedBlock.set(ctx, ownerRateLimitKey(netuid, ACTIVITY_CUTOFF_HYPERPARAMETER), now);
}
