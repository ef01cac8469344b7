/**
 * Neurons: burned registration (register, burned_register, register_limit), appending a uid or
 * replacing the lowest-emission non-immune one when the subnet is full, with every per-uid vector
 * kept in step; and the registration price's per-block decay and per-registration rise.
 */
import { bytesEqual } from "../../../codec/hex.js";
import type { BlockContext } from "../../context.js";
import type { SubtensorEnv } from "./env.js";
import { subnetAccount } from "./env.js";
import { S } from "./storage.js";
import type { StateRead } from "./typed-storage.js";

const Q32 = 1n << 32n;
const U64F64_ONE = 1n << 64n;
/** HEAD's MinNonImmuneUids default. */
const MIN_NON_IMMUNE_UIDS = 10;

/** Makes `coldkey` the owner of `hotkey` if nobody owns it yet (create_account_if_non_existent). */
export function claimHotkey(ctx: BlockContext, coldkey: Uint8Array, hotkey: Uint8Array): void {
  if (S.Owner.has(ctx, hotkey)) return;
  S.Owner.set(ctx, hotkey, coldkey);
  const owned = S.OwnedHotkeys.get(ctx, coldkey);
  if (!owned.some((h) => bytesEqual(h, hotkey))) S.OwnedHotkeys.set(ctx, coldkey, [...owned, hotkey]);
  const staking = S.StakingHotkeys.get(ctx, coldkey);
  if (!staking.some((h) => bytesEqual(h, hotkey))) S.StakingHotkeys.set(ctx, coldkey, [...staking, hotkey]);
}

function pushed<T>(values: T[], length: number, fill: T, value: T): T[] {
  const out = values.slice(0, length);
  while (out.length < length) out.push(fill);
  out.push(value);
  return out;
}

/** A new uid at the end (append_neuron). */
export function appendNeuron(ctx: BlockContext, netuid: number, hotkey: Uint8Array, now: bigint): number {
  const uid = S.SubnetworkN.get(ctx, netuid);
  S.SubnetworkN.set(ctx, netuid, uid + 1);
  S.Active.set(ctx, netuid, pushed(S.Active.get(ctx, netuid), uid, false, true));
  S.Emission.set(ctx, netuid, pushed(S.Emission.get(ctx, netuid), uid, 0n, 0n));
  S.Consensus.set(ctx, netuid, pushed(S.Consensus.get(ctx, netuid), uid, 0, 0));
  S.Dividends.set(ctx, netuid, pushed(S.Dividends.get(ctx, netuid), uid, 0, 0));
  S.ValidatorTrust.set(ctx, netuid, pushed(S.ValidatorTrust.get(ctx, netuid), uid, 0, 0));
  S.ValidatorPermit.set(ctx, netuid, pushed(S.ValidatorPermit.get(ctx, netuid), uid, false, false));
  S.Incentive.set(ctx, netuid, pushed(S.Incentive.get(ctx, netuid), uid, 0, 0));
  S.LastUpdate.set(ctx, netuid, pushed(S.LastUpdate.get(ctx, netuid), uid, 0n, now));
  S.Keys.set(ctx, netuid, uid, hotkey);
  S.Uids.set(ctx, netuid, hotkey, uid);
  S.BlockAtRegistration.set(ctx, netuid, uid, now);
  return uid;
}

function setAt<T>(values: T[], uid: number, value: T): T[] {
  const out = values.slice();
  if (uid < out.length) out[uid] = value;
  return out;
}

/** Gives `uid` to a new hotkey (replace_neuron), clearing what the old one had. */
export function replaceNeuron(ctx: BlockContext, netuid: number, uid: number, hotkey: Uint8Array, now: bigint): void {
  const old = S.Keys.get(ctx, netuid, uid);
  S.Uids.remove(ctx, netuid, old);
  S.Axons.remove(ctx, netuid, old);
  S.Prometheus.remove(ctx, netuid, old);
  S.Keys.set(ctx, netuid, uid, hotkey);
  S.Uids.set(ctx, netuid, hotkey, uid);
  S.BlockAtRegistration.set(ctx, netuid, uid, now);
  S.Active.set(ctx, netuid, setAt(S.Active.get(ctx, netuid), uid, true));
  S.Emission.set(ctx, netuid, setAt(S.Emission.get(ctx, netuid), uid, 0n));
  S.Consensus.set(ctx, netuid, setAt(S.Consensus.get(ctx, netuid), uid, 0));
  S.Incentive.set(ctx, netuid, setAt(S.Incentive.get(ctx, netuid), uid, 0));
  S.Dividends.set(ctx, netuid, setAt(S.Dividends.get(ctx, netuid), uid, 0));
  S.StakeWeight.set(ctx, netuid, setAt(S.StakeWeight.get(ctx, netuid), uid, 0));
  S.ValidatorTrust.set(ctx, netuid, setAt(S.ValidatorTrust.get(ctx, netuid), uid, 0));
  S.ValidatorPermit.set(ctx, netuid, setAt(S.ValidatorPermit.get(ctx, netuid), uid, false));
  S.LastUpdate.set(ctx, netuid, setAt(S.LastUpdate.get(ctx, netuid), uid, now));
  S.Bonds.remove(ctx, netuid, uid);
  S.Weights.remove(ctx, netuid, uid);
  // Others' weights *to* the uid are zeroed, not removed (clear_neuron).
  const n = S.SubnetworkN.get(ctx, netuid);
  for (let row = 0; row < n; row++) {
    const weights = S.Weights.get(ctx, netuid, row);
    if (weights.some(([dest, w]) => dest === uid && w !== 0)) S.Weights.set(ctx, netuid, row, weights.map(([dest, w]) => [dest, dest === uid ? 0 : w]));
  }
}

/** The uid a full subnet gives up (get_neuron_to_prune), or undefined when every uid is protected. */
export function neuronToPrune(state: StateRead, netuid: number, now: bigint): number | undefined {
  const n = S.SubnetworkN.get(state, netuid);
  const ownerHotkey = S.SubnetOwnerHotkey.get(state, netuid);
  const ownerColdkey = S.SubnetOwner.get(state, netuid);
  const ownerHotkeys = S.OwnedHotkeys.get(state, ownerColdkey);
  const immunity = BigInt(S.ImmunityPeriod.get(state, netuid));
  const emission = S.Emission.get(state, netuid);
  const registeredAt = (uid: number): bigint => S.BlockAtRegistration.get(state, netuid, uid);
  const ownerUids = Array.from({ length: n }, (_, uid) => uid)
    .filter((uid) => {
      const hk = S.Keys.get(state, netuid, uid);
      return bytesEqual(hk, ownerHotkey) || ownerHotkeys.some((h) => bytesEqual(h, hk));
    })
    .sort((a, b) => (registeredAt(a) < registeredAt(b) ? -1 : registeredAt(a) > registeredAt(b) ? 1 : a - b))
    .slice(0, S.ImmuneOwnerUidsLimit.get(state, netuid));
  const better = (a: number, b: number): boolean => {
    const ea = emission[a] ?? 0n;
    const eb = emission[b] ?? 0n;
    if (ea !== eb) return ea < eb;
    if (registeredAt(a) !== registeredAt(b)) return registeredAt(a) < registeredAt(b);
    return a < b;
  };
  let bestImmune: number | undefined;
  let bestMortal: number | undefined;
  let mortalCount = 0;
  for (let uid = 0; uid < n; uid++) {
    if (ownerUids.includes(uid)) continue;
    if (now - registeredAt(uid) < immunity) {
      if (bestImmune === undefined || better(uid, bestImmune)) bestImmune = uid;
    } else {
      mortalCount++;
      if (bestMortal === undefined || better(uid, bestMortal)) bestMortal = uid;
    }
  }
  return mortalCount > MIN_NON_IMMUNE_UIDS ? bestMortal : (bestImmune ?? bestMortal);
}

/** do_register: checks in HEAD's order, payment into the subnet's pool, uid, price bump, event. */
export function registerNeuron(env: SubtensorEnv, ctx: BlockContext, coldkey: Uint8Array, netuid: number, hotkey: Uint8Array, limitPrice?: bigint): void {
  const now = BigInt(ctx.number);
  if (netuid === 0) throw env.error("RegistrationNotPermittedOnRootSubnet");
  if (!S.NetworksAdded.get(ctx, netuid)) throw env.error("SubnetNotExists");
  const cost = S.Burn.get(ctx, netuid);
  if (limitPrice !== undefined && cost > limitPrice) throw env.error("RegistrationPriceLimitExceeded");
  if (!S.NetworkRegistrationAllowed.get(ctx, netuid)) throw env.error("SubNetRegistrationDisabled");
  if (S.Uids.has(ctx, netuid, hotkey)) throw env.error("HotKeyAlreadyRegisteredInSubNet");
  if (env.balances.free(ctx, coldkey) < cost) throw env.error("NotEnoughBalanceToStake");
  claimHotkey(ctx, coldkey, hotkey);
  if (!bytesEqual(S.Owner.get(ctx, hotkey), coldkey)) throw env.error("NonAssociatedColdKey");
  const max = S.MaxAllowedUids.get(ctx, netuid);
  const n = S.SubnetworkN.get(ctx, netuid);
  const prune = n >= max ? neuronToPrune(ctx, netuid, now) : undefined;
  if (max === 0 || (n >= max && prune === undefined)) throw env.error("NoNeuronIdAvailable");
  // Simplified dTAO: the burn goes into the subnet's TAO reserve (HEAD swaps it for alpha and burns that).
  const paid = env.balances.reducible(ctx, coldkey, "preserve") < cost ? env.balances.reducible(ctx, coldkey, "preserve") : cost;
  if (paid === 0n) throw env.error("InsufficientBalance");
  env.balances.transfer(ctx, coldkey, subnetAccount(netuid), paid, "preserve");
  S.SubnetTAO.set(ctx, netuid, S.SubnetTAO.get(ctx, netuid) + paid);
  const uid = prune === undefined ? appendNeuron(ctx, netuid, hotkey, now) : prune;
  if (prune !== undefined) replaceNeuron(ctx, netuid, prune, hotkey, now);
  bumpBurn(ctx, netuid);
  S.RegistrationsThisBlock.set(ctx, netuid, S.RegistrationsThisBlock.get(ctx, netuid) + 1);
  env.event(ctx, "NeuronRegistered", (w) => w.u16(netuid).u16(uid).raw(hotkey));
}

function clampBurn(state: StateRead, netuid: number, burn: bigint): bigint {
  const min = S.MinBurn.get(state, netuid);
  const max = S.MaxBurn.get(state, netuid);
  return burn < min ? min : burn > max ? max : burn;
}

/** After a registration the price rises by BurnIncreaseMult (U64F64, at least 1). */
function bumpBurn(ctx: BlockContext, netuid: number): void {
  const mult = S.BurnIncreaseMult.get(ctx, netuid);
  const factor = mult < U64F64_ONE ? U64F64_ONE : mult;
  S.Burn.set(ctx, netuid, clampBurn(ctx, netuid, (S.Burn.get(ctx, netuid) * factor) >> 64n));
}

/** The largest Q32 factor f with f^halfLife ≤ 1/2 (Q32 products floored), as HEAD's binary search finds it. */
export function decayFactorQ32(halfLife: number): bigint {
  const powQ32 = (f: bigint, e: number): bigint => {
    let result = Q32;
    let base = f;
    let k = e;
    while (k > 0) {
      if (k & 1) result = (result * base) >> 32n;
      base = (base * base) >> 32n;
      k >>= 1;
    }
    return result;
  };
  let lo = 0n;
  let hi = Q32;
  while (lo < hi) {
    const mid = (lo + hi + 1n) >> 1n;
    if (powQ32(mid, halfLife) <= Q32 / 2n) lo = mid;
    else hi = mid - 1n;
  }
  return lo;
}

const decayCache = new Map<number, bigint>();

/** Per-block price decay towards MinBurn (update_registration_prices_for_networks) and the per-block counter reset. */
export function decayBurn(ctx: BlockContext, netuid: number): void {
  const halfLife = S.BurnHalfLife.get(ctx, netuid);
  if (halfLife > 0 && ctx.number > 1) {
    let f = decayCache.get(halfLife);
    if (f === undefined) decayCache.set(halfLife, (f = decayFactorQ32(halfLife)));
    const burn = S.Burn.get(ctx, netuid);
    const next = clampBurn(ctx, netuid, (burn * f) >> 32n);
    if (next !== burn) S.Burn.set(ctx, netuid, next);
  }
  if (S.RegistrationsThisBlock.get(ctx, netuid) !== 0) S.RegistrationsThisBlock.set(ctx, netuid, 0);
}
