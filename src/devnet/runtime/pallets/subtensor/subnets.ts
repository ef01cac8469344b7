/**
 * Subnets: register_network (the lock cost, the global rate limit, a new subnet's defaults, the
 * owner's hotkey as uid 0), start_call, and the per-block schedule of epochs (HEAD's stateful
 * scheduler: an epoch when Tempo blocks passed since LastEpochBlock, or at PendingEpochAt).
 */
import { bytesEqual } from "../../../codec/hex.js";
import type { BlockContext } from "../../context.js";
import type { SubtensorEnv } from "./env.js";
import { subnetAccount } from "./env.js";
import { appendNeuron, claimHotkey, decayBurn } from "./neurons.js";
import { NETWORK_LAST_REGISTERED, S } from "./storage.js";
import type { StateRead } from "./typed-storage.js";
import { shouldRunEpoch } from "./weights.js";

/** HEAD's SubnetLimit default. */
const SUBNET_LIMIT = 128;

/** The netuids registered so far (netuids are allocated smallest-free, so none lies above TotalNetworks + gaps). */
export function registeredNetuids(state: StateRead): number[] {
  const out: number[] = [];
  const total = S.TotalNetworks.get(state, undefined);
  for (let netuid = 1, found = 0; found < total && netuid < 4096; netuid++) {
    if (S.NetworksAdded.get(state, netuid)) {
      out.push(netuid);
      found++;
    }
  }
  return out;
}

/** get_network_lock_cost: twice the last lock, decaying linearly back to the floor. */
export function networkLockCost(state: StateRead, now: bigint): bigint {
  const min = S.NetworkMinLockCost.get(state, undefined);
  const last = S.NetworkLastLockCost.get(state, undefined);
  const lastBlock = S.LastRateLimitedBlock.get(state, NETWORK_LAST_REGISTERED);
  const mult = lastBlock === 0n ? 1n : 2n;
  const interval = S.NetworkLockReductionInterval.get(state, undefined);
  const decay = interval === 0n ? 0n : (last / interval) * (now - lastBlock);
  const cost = last * mult - decay;
  return cost > min ? cost : min;
}

export function registerNetwork(env: SubtensorEnv, ctx: BlockContext, coldkey: Uint8Array, hotkey: Uint8Array): number {
  const now = BigInt(ctx.number);
  if (S.Owner.has(ctx, hotkey) && !bytesEqual(S.Owner.get(ctx, hotkey), coldkey)) throw env.error("NonAssociatedColdKey");
  const lastRegistered = S.LastRateLimitedBlock.get(ctx, NETWORK_LAST_REGISTERED);
  if (lastRegistered !== 0n && now - lastRegistered < S.NetworkRateLimit.get(ctx, undefined)) throw env.error("NetworkTxRateLimitExceeded");
  const netuids = registeredNetuids(ctx);
  if (netuids.length >= SUBNET_LIMIT) throw env.error("SubnetLimitReached");
  const lock = networkLockCost(ctx, now);
  if (env.balances.free(ctx, coldkey) < lock) throw env.error("CannotAffordLockCost");
  let netuid = 1;
  while (S.NetworksAdded.get(ctx, netuid)) netuid++;

  const tempo = env.settings.initialTempo;
  S.SubnetworkN.set(ctx, netuid, 0);
  S.NetworksAdded.set(ctx, netuid, true);
  S.Tempo.set(ctx, netuid, tempo);
  S.LastEpochBlock.set(ctx, netuid, now - BigInt(netuid % Math.max(tempo, 1)));
  S.TotalNetworks.set(ctx, undefined, S.TotalNetworks.get(ctx, undefined) + 1);
  S.NetworkRegistrationAllowed.set(ctx, netuid, true);
  env.event(ctx, "RegistrationAllowed", (w) => w.u16(netuid).bool(true));
  S.MaxAllowedUids.set(ctx, netuid, 256);
  env.event(ctx, "MaxAllowedUidsSet", (w) => w.u16(netuid).u16(256));
  S.MaxAllowedValidators.set(ctx, netuid, 64);
  env.event(ctx, "MaxAllowedValidatorsSet", (w) => w.u16(netuid).u16(64));
  S.MinAllowedWeights.set(ctx, netuid, 1);
  env.event(ctx, "MinAllowedWeightSet", (w) => w.u16(netuid).u16(1));
  S.ImmunityPeriod.set(ctx, netuid, env.settings.initialImmunityPeriod);
  env.event(ctx, "ImmunityPeriodSet", (w) => w.u16(netuid).u16(env.settings.initialImmunityPeriod));
  S.Yuma3On.set(ctx, netuid, true);
  S.Burn.set(ctx, netuid, env.settings.initialBurn);
  S.WeightsSetRateLimit.set(ctx, netuid, env.settings.weightsSetRateLimit);
  S.Kappa.set(ctx, netuid, S.Kappa.get(ctx, netuid));
  S.ActivityCutoff.set(ctx, netuid, S.ActivityCutoff.get(ctx, netuid));

  const paid = lock;
  env.balances.transfer(ctx, coldkey, subnetAccount(netuid), paid, "preserve");
  S.NetworkLastLockCost.set(ctx, undefined, paid);
  S.LastRateLimitedBlock.set(ctx, NETWORK_LAST_REGISTERED, now);
  claimHotkey(ctx, coldkey, hotkey);
  appendNeuron(ctx, netuid, hotkey, now);
  S.NetworkRegisteredAt.set(ctx, netuid, now);
  // Simplified dTAO pool: the lock seeds both reserves at price 1 (HEAD: the median subnet price).
  const minLock = S.NetworkMinLockCost.get(ctx, undefined);
  const poolTao = paid > minLock ? paid : minLock;
  S.SubnetTAO.set(ctx, netuid, poolTao);
  S.SubnetAlphaIn.set(ctx, netuid, poolTao);
  S.SubnetAlphaOut.set(ctx, netuid, 0n);
  S.SubnetLocked.set(ctx, netuid, paid);
  S.SubnetOwner.set(ctx, netuid, coldkey);
  S.SubnetOwnerHotkey.set(ctx, netuid, hotkey);
  env.event(ctx, "SubnetOwnerHotkeySet", (w) => w.u16(netuid).raw(hotkey));
  env.event(ctx, "NetworkAdded", (w) => w.u16(netuid).u16(1));
  return netuid;
}

export function startCall(env: SubtensorEnv, ctx: BlockContext, who: Uint8Array, netuid: number): void {
  const now = BigInt(ctx.number);
  if (!S.NetworksAdded.get(ctx, netuid)) throw env.error("SubnetNotExists");
  if (!bytesEqual(S.SubnetOwner.get(ctx, netuid), who)) throw env.badOrigin();
  if (S.FirstEmissionBlockNumber.get(ctx, netuid) !== undefined) throw env.error("FirstEmissionBlockNumberAlreadySet");
  if (now < S.NetworkRegisteredAt.get(ctx, netuid) + S.StartCallDelay.get(ctx, undefined)) throw env.error("NeedWaitingMoreBlocksToStarCall");
  S.FirstEmissionBlockNumber.set(ctx, netuid, now + 1n);
  S.SubtokenEnabled.set(ctx, netuid, true);
  env.event(ctx, "FirstEmissionBlockNumberSet", (w) => w.u16(netuid).u64(now + 1n));
}

/**
 * on_initialize for every subnet, in HEAD's order: registration price decay, this block's emission
 * into the pending pots, then the epoch schedule. An epoch consumes its slot (LastEpochBlock,
 * SubnetEpochIndex, LastMechansimStepBlock); `hooks.runEpoch` does the epoch's work.
 */
export function subnetsBlockStep(ctx: BlockContext, hooks: { emits(netuid: number): boolean; accumulate(netuid: number): void; runEpoch(netuid: number): void }): void {
  const now = BigInt(ctx.number);
  const netuids = registeredNetuids(ctx);
  for (const netuid of netuids) decayBurn(ctx, netuid);
  for (const netuid of netuids) if (hooks.emits(netuid)) hooks.accumulate(netuid);
  for (const netuid of netuids) {
    S.BlocksSinceLastStep.set(ctx, netuid, S.BlocksSinceLastStep.get(ctx, netuid) + 1n);
    if (!shouldRunEpoch(ctx, netuid, now)) continue;
    hooks.runEpoch(netuid);
    S.LastEpochBlock.set(ctx, netuid, now);
    S.PendingEpochAt.set(ctx, netuid, 0n);
    S.SubnetEpochIndex.set(ctx, netuid, S.SubnetEpochIndex.get(ctx, netuid) + 1n);
    S.LastMechansimStepBlock.set(ctx, netuid, now);
  }
}
