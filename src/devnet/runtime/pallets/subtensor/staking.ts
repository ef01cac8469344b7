/**
 * Stake, simplified from subtensor's dTAO (documented in docs/devnet.md): each subnet's pool is a
 * constant-product AMM between SubnetTAO and SubnetAlphaIn with HEAD's 33/65535 fee (HEAD's
 * Balancer pool behaves so while its weights stay at 1/2, which they do without TAO emission);
 * stake is a share pool per (hotkey, subnet) as on HEAD, with whole-number shares in AlphaV2 /
 * TotalHotkeySharesV2 (exponent 0). The fee stays in the subnet account (HEAD pays it to the block
 * author). The pool's arithmetic, and how much trades within a limit price (add_stake_limit,
 * remove_stake_limit), are in pool.ts.
 */
import type { BlockContext } from "../../context.js";
import { safeFloatToShares, storedShares, wholeShares } from "./codecs.js";
import type { SubtensorEnv } from "./env.js";
import { subnetAccount } from "./env.js";
import { AlphaV2, S } from "./storage.js";
import type { StateRead, StateWrite } from "./typed-storage.js";
import { bytesEqual } from "../../../codec/hex.js";
import { alphaForTao, limitNotYetReached, MAX_INPUT_RESERVE_MULTIPLIER, maxAlphaWithinLimit, maxTaoWithinLimit, swapFee, taoForAlpha, type PoolReserves } from "./pool.js";

export { swapFee };
export const MIN_STAKE = 2_000_000n;

/** The alpha a coldkey holds through a hotkey on a subnet: total × share / all shares. */
export function stakeOf(state: StateRead, hotkey: Uint8Array, coldkey: Uint8Array, netuid: number): bigint {
  const total = S.TotalHotkeyAlpha.get(state, hotkey, netuid);
  const denominator = safeFloatToShares(S.TotalHotkeySharesV2.get(state, hotkey, netuid));
  if (total === 0n || denominator === 0n) return 0n;
  return (total * safeFloatToShares(AlphaV2.get(state, hotkey, coldkey, netuid))) / denominator;
}

/** Adds (or, negative, removes) `delta` alpha to one coldkey's stake through a hotkey (update_value_for_one). */
export function changeStake(state: StateWrite, hotkey: Uint8Array, coldkey: Uint8Array, netuid: number, delta: bigint): void {
  changeStakeAt(state, S.TotalHotkeyAlpha.key(hotkey, netuid), S.TotalHotkeySharesV2.key(hotkey, netuid), AlphaV2.key(hotkey, coldkey, netuid), delta);
}

/**
 * changeStake with its keys already built, each read and then written under the same string: the
 * hotkey's TotalHotkeyAlpha and TotalHotkeySharesV2, and the coldkey's AlphaV2. `storedTotal`, if
 * given, is what `totalKey` holds now (read already by the caller), and it is not read again.
 */
export function changeStakeAt(state: StateWrite, totalKey: string, denominatorKey: string, shareKey: string, delta: bigint, storedTotal?: bigint): void {
  if (delta === 0n) return;
  const total = storedTotal ?? S.TotalHotkeyAlpha.getAt(state, totalKey);
  // The share counts read and written as bare numbers (storedShares, wholeShares): the SafeFloat
  // objects between cost more than the arithmetic when an epoch pays thousands of uids.
  const denominator = storedShares(state.get(denominatorKey));
  const share = storedShares(state.get(shareKey));
  const magnitude = delta < 0n ? -delta : delta;
  // Shares in proportion to the pool; the first deposit sets one share per rao.
  const shares = denominator === 0n || total === 0n ? magnitude : (magnitude * denominator) / total;
  const nextDenominator = delta > 0n ? denominator + shares : denominator - shares;
  const nextShare = delta > 0n ? share + shares : share - (shares > share ? share : shares);
  state.set(denominatorKey, wholeShares(nextDenominator < 0n ? 0n : nextDenominator));
  if (nextShare === 0n) state.delete(shareKey); // AlphaV2.setAt's rule: no entry for no shares
  else state.set(shareKey, wholeShares(nextShare));
  const nextTotal = total + delta;
  if (nextTotal <= 0n) state.delete(totalKey);
  else S.TotalHotkeyAlpha.setAt(state, totalKey, nextTotal);
}

/** Adds alpha to a hotkey's pool for all its stakers at once (dividends: update_value_for_all). `key`: its TotalHotkeyAlpha key. */
export function addToHotkeyPool(state: StateWrite, hotkey: Uint8Array, netuid: number, amount: bigint, key = S.TotalHotkeyAlpha.key(hotkey, netuid)): void {
  if (amount === 0n) return;
  S.TotalHotkeyAlpha.setAt(state, key, S.TotalHotkeyAlpha.getAt(state, key) + amount);
}

/** Buys alpha with `tao` (net of fee) from the pool: returns the alpha out. */
function buyAlpha(state: StateWrite, netuid: number, tao: bigint): bigint {
  const taoIn = S.SubnetTAO.get(state, netuid);
  const alphaIn = S.SubnetAlphaIn.get(state, netuid);
  const alphaOut = alphaForTao({ taoIn, alphaIn }, tao);
  S.SubnetTAO.set(state, netuid, taoIn + tao);
  S.SubnetAlphaIn.set(state, netuid, alphaIn - alphaOut);
  S.SubnetAlphaOut.set(state, netuid, S.SubnetAlphaOut.get(state, netuid) + alphaOut);
  S.TotalStake.set(state, undefined, S.TotalStake.get(state, undefined) + tao);
  return alphaOut;
}

/** Sells `alpha` (net of fee) to the pool: returns the TAO out. */
function sellAlpha(state: StateWrite, netuid: number, alpha: bigint, gross: bigint): bigint {
  const taoIn = S.SubnetTAO.get(state, netuid);
  const alphaIn = S.SubnetAlphaIn.get(state, netuid);
  const taoOut = taoForAlpha({ taoIn, alphaIn }, alpha);
  S.SubnetTAO.set(state, netuid, taoIn - taoOut);
  S.SubnetAlphaIn.set(state, netuid, alphaIn + alpha);
  const out = S.SubnetAlphaOut.get(state, netuid);
  S.SubnetAlphaOut.set(state, netuid, out > gross ? out - gross : 0n);
  const total = S.TotalStake.get(state, undefined);
  S.TotalStake.set(state, undefined, total > taoOut ? total - taoOut : 0n);
  return taoOut;
}

/** A limit-price call's terms: the price (rao per alpha) the swap may not cross, and whether a partial fill is allowed. */
export interface PriceLimit {
  readonly limitPrice: bigint;
  readonly allowPartial: boolean;
}

const reserves = (ctx: BlockContext, netuid: number): PoolReserves => ({ taoIn: S.SubnetTAO.get(ctx, netuid), alphaIn: S.SubnetAlphaIn.get(ctx, netuid) });

/**
 * get_max_amount_add / get_max_amount_remove: the most that trades within the limit. HEAD's swap
 * refuses a limit the price has already reached with Swap.PriceLimitExceeded; the devnet has no
 * Swap pallet and answers SlippageTooHigh.
 */
function maxWithinLimit(env: SubtensorEnv, ctx: BlockContext, netuid: number, limitPrice: bigint, side: "buy" | "sell"): bigint {
  const pool = reserves(ctx, netuid);
  if (!limitNotYetReached(pool, limitPrice, side)) throw env.error("SlippageTooHigh");
  return side === "buy" ? maxTaoWithinLimit(pool, limitPrice) : maxAlphaWithinLimit(pool, limitPrice);
}

export function addStake(env: SubtensorEnv, ctx: BlockContext, coldkey: Uint8Array, hotkey: Uint8Array, netuid: number, amount: bigint): void {
  stakeInto(env, ctx, coldkey, hotkey, netuid, amount, undefined);
}

/** add_stake_limit: add_stake whose swap may not lift the price above `limitPrice`; with allowPartial, the most that fits. */
export function addStakeLimit(env: SubtensorEnv, ctx: BlockContext, coldkey: Uint8Array, hotkey: Uint8Array, netuid: number, amount: bigint, limit: PriceLimit): void {
  stakeInto(env, ctx, coldkey, hotkey, netuid, amount, limit);
}

function stakeInto(env: SubtensorEnv, ctx: BlockContext, coldkey: Uint8Array, hotkey: Uint8Array, netuid: number, amount: bigint, limit: PriceLimit | undefined): void {
  if (amount > MAX_INPUT_RESERVE_MULTIPLIER * S.SubnetTAO.get(ctx, netuid) && S.NetworksAdded.get(ctx, netuid)) throw env.error("InsufficientLiquidity");
  if (!S.NetworksAdded.get(ctx, netuid)) throw env.error("SubnetNotExists");
  if (!S.SubtokenEnabled.get(ctx, netuid)) throw env.error("SubtokenDisabled");
  const max = limit === undefined ? amount : maxWithinLimit(env, ctx, netuid, limit.limitPrice, "buy");
  if (amount < MIN_STAKE + swapFee(MIN_STAKE)) throw env.error("AmountTooLow");
  if (limit !== undefined && !limit.allowPartial && amount > max) throw env.error("SlippageTooHigh");
  const possible = amount < max ? amount : max;
  if (env.balances.free(ctx, coldkey) < possible) throw env.error("NotEnoughBalanceToStake");
  if (!S.Owner.has(ctx, hotkey)) throw env.error("HotKeyAccountNotExists");
  // HEAD: what reaches the pool after the fee must be at least DefaultMinStake (a partial fill too).
  if (possible - swapFee(possible) < MIN_STAKE) throw env.error("AmountTooLow");
  const reducible = env.balances.reducible(ctx, coldkey, "preserve");
  const paid = possible < reducible ? possible : reducible;
  if (paid === 0n) throw env.error("InsufficientBalance");
  env.balances.transfer(ctx, coldkey, subnetAccount(netuid), paid, "preserve");
  const fee = swapFee(paid);
  const alpha = buyAlpha(ctx, netuid, paid - fee);
  if (alpha === 0n) throw env.error("AmountTooLow");
  changeStake(ctx, hotkey, coldkey, netuid, alpha);
  const staking = S.StakingHotkeys.get(ctx, coldkey);
  if (!staking.some((h) => bytesEqual(h, hotkey))) S.StakingHotkeys.set(ctx, coldkey, [...staking, hotkey]);
  env.event(ctx, "StakeAdded", (w) => w.raw(coldkey).raw(hotkey).u64(paid).u64(alpha).u16(netuid).u64(fee));
}

export function removeStake(env: SubtensorEnv, ctx: BlockContext, coldkey: Uint8Array, hotkey: Uint8Array, netuid: number, requested: bigint): void {
  if (!S.SubtokenEnabled.get(ctx, netuid)) throw env.error("SubtokenDisabled");
  const held = stakeOf(ctx, hotkey, coldkey, netuid);
  const amount = requested < held ? requested : held;
  validateRemoval(env, ctx, hotkey, netuid, amount, held, undefined);
  unstakeFrom(env, ctx, coldkey, hotkey, netuid, amount);
}

/**
 * remove_stake_limit: remove_stake whose swap may not lower the price below `limitPrice`; with
 * allowPartial, the most that fits. As on HEAD the amount is not capped at the stake held
 * (NotEnoughStakeToWithdraw) and a subnet's subtoken switch is not checked.
 */
export function removeStakeLimit(env: SubtensorEnv, ctx: BlockContext, coldkey: Uint8Array, hotkey: Uint8Array, netuid: number, requested: bigint, limit: PriceLimit): void {
  if (requested > MAX_INPUT_RESERVE_MULTIPLIER * S.SubnetAlphaIn.get(ctx, netuid) && S.NetworksAdded.get(ctx, netuid)) throw env.error("InsufficientLiquidity");
  if (!S.NetworksAdded.get(ctx, netuid)) throw env.error("SubnetNotExists");
  const max = maxWithinLimit(env, ctx, netuid, limit.limitPrice, "sell");
  const held = stakeOf(ctx, hotkey, coldkey, netuid);
  validateRemoval(env, ctx, hotkey, netuid, requested, held, limit.allowPartial ? undefined : max);
  const possible = requested < max ? requested : max;
  if (possible === 0n) throw env.error("AmountTooLow");
  unstakeFrom(env, ctx, coldkey, hotkey, netuid, possible);
}

/** validate_remove_stake, in HEAD's order; `max`: refuse more than this (SlippageTooHigh). */
function validateRemoval(env: SubtensorEnv, ctx: BlockContext, hotkey: Uint8Array, netuid: number, amount: bigint, held: bigint, max: bigint | undefined): void {
  if (!S.NetworksAdded.get(ctx, netuid)) throw env.error("SubnetNotExists");
  if (amount === 0n) throw env.error("AmountTooLow");
  if (amount > held) throw env.error("NotEnoughStakeToWithdraw");
  const quote = taoForAlpha(reserves(ctx, netuid), amount - swapFee(amount));
  if (amount < held && quote < MIN_STAKE) throw env.error("AmountTooLow");
  if (max !== undefined && amount > max) throw env.error("SlippageTooHigh");
  if (!S.Owner.has(ctx, hotkey)) throw env.error("HotKeyAccountNotExists");
}

function unstakeFrom(env: SubtensorEnv, ctx: BlockContext, coldkey: Uint8Array, hotkey: Uint8Array, netuid: number, amount: bigint): void {
  const fee = swapFee(amount);
  const net = amount - fee;
  changeStake(ctx, hotkey, coldkey, netuid, -amount);
  const taoOut = sellAlpha(ctx, netuid, net, amount);
  env.balances.transfer(ctx, subnetAccount(netuid), coldkey, taoOut, "expendable");
  env.event(ctx, "StakeRemoved", (w) => w.raw(coldkey).raw(hotkey).u64(taoOut).u64(net).u16(netuid).u64(fee));
}

export interface MoveArgs {
  readonly originHotkey: Uint8Array;
  readonly destinationHotkey: Uint8Array;
  readonly originNetuid: number;
  readonly destinationNetuid: number;
  readonly amount: bigint;
}

/**
 * move_stake: within a subnet the shares move with no swap; across subnets the alpha is sold on
 * the origin pool (fee charged) and the TAO bought into the destination pool (no fee), as HEAD does.
 */
export function moveStake(env: SubtensorEnv, ctx: BlockContext, coldkey: Uint8Array, m: MoveArgs): void {
  const held = stakeOf(ctx, m.originHotkey, coldkey, m.originNetuid);
  const amount = m.amount < held ? m.amount : held;
  if (bytesEqual(m.originHotkey, m.destinationHotkey) && m.originNetuid === m.destinationNetuid) throw env.error("SameNetuid");
  for (const netuid of [m.originNetuid, m.destinationNetuid]) if (!S.NetworksAdded.get(ctx, netuid)) throw env.error("SubnetNotExists");
  for (const netuid of [m.originNetuid, m.destinationNetuid]) if (!S.SubtokenEnabled.get(ctx, netuid)) throw env.error("SubtokenDisabled");
  for (const hotkey of [m.originHotkey, m.destinationHotkey]) if (!S.Owner.has(ctx, hotkey)) throw env.error("HotKeyAccountNotExists");
  if (amount === 0n || amount > held) throw env.error("NotEnoughStakeToWithdraw");
  const price = (netuid: number): [bigint, bigint] => [S.SubnetTAO.get(ctx, netuid), S.SubnetAlphaIn.get(ctx, netuid)];
  const [taoIn, alphaIn] = price(m.originNetuid);
  const taoEquivalent = alphaIn === 0n ? 0n : (amount * taoIn) / alphaIn;
  let taoMoved: bigint;
  if (m.originNetuid === m.destinationNetuid) {
    if (taoEquivalent < MIN_STAKE) throw env.error("AmountTooLow");
    changeStake(ctx, m.originHotkey, coldkey, m.originNetuid, -amount);
    changeStake(ctx, m.destinationHotkey, coldkey, m.destinationNetuid, amount);
    env.event(ctx, "StakeRemoved", (w) => w.raw(coldkey).raw(m.originHotkey).u64(taoEquivalent).u64(amount).u16(m.originNetuid).u64(0n));
    env.event(ctx, "StakeAdded", (w) => w.raw(coldkey).raw(m.destinationHotkey).u64(taoEquivalent).u64(amount).u16(m.destinationNetuid).u64(0n));
    taoMoved = taoEquivalent;
  } else {
    if (taoEquivalent <= MIN_STAKE) throw env.error("AmountTooLow");
    const fee = swapFee(amount);
    changeStake(ctx, m.originHotkey, coldkey, m.originNetuid, -amount);
    taoMoved = sellAlpha(ctx, m.originNetuid, amount - fee, amount);
    env.event(ctx, "StakeRemoved", (w) => w.raw(coldkey).raw(m.originHotkey).u64(taoMoved).u64(amount - fee).u16(m.originNetuid).u64(fee));
    if (taoMoved >= MIN_STAKE) {
      env.balances.transfer(ctx, subnetAccount(m.originNetuid), subnetAccount(m.destinationNetuid), taoMoved, "expendable");
      const alpha = buyAlpha(ctx, m.destinationNetuid, taoMoved);
      changeStake(ctx, m.destinationHotkey, coldkey, m.destinationNetuid, alpha);
      env.event(ctx, "StakeAdded", (w) => w.raw(coldkey).raw(m.destinationHotkey).u64(taoMoved).u64(alpha).u16(m.destinationNetuid).u64(0n));
    } else {
      env.balances.transfer(ctx, subnetAccount(m.originNetuid), coldkey, taoMoved, "expendable");
    }
  }
  env.event(ctx, "StakeMoved", (w) => w.raw(coldkey).raw(m.originHotkey).u16(m.originNetuid).raw(m.destinationHotkey).u16(m.destinationNetuid).u64(taoMoved));
}
