/**
 * Stake, simplified from subtensor's dTAO (documented in docs/devnet.md): each subnet's pool is a
 * constant-product AMM between SubnetTAO and SubnetAlphaIn with HEAD's 33/65535 fee (HEAD's
 * Balancer pool behaves so while its weights stay at 1/2, which they do without TAO emission);
 * stake is a share pool per (hotkey, subnet) as on HEAD, with whole-number shares in AlphaV2 /
 * TotalHotkeySharesV2 (exponent 0). The fee stays in the subnet account (HEAD pays it to the block
 * author).
 */
import type { BlockContext } from "../../context.js";
import { safeFloatToShares } from "./codecs.js";
import type { SubtensorEnv } from "./env.js";
import { subnetAccount } from "./env.js";
import { AlphaV2, S } from "./storage.js";
import type { StateRead, StateWrite } from "./typed-storage.js";
import { bytesEqual } from "../../../codec/hex.js";

export const MIN_STAKE = 2_000_000n;
const FEE_RATE = 33n;
const FEE_DENOMINATOR = 65535n;

export function swapFee(amount: bigint): bigint {
  return (amount * FEE_RATE) / FEE_DENOMINATOR;
}

/** The alpha a coldkey holds through a hotkey on a subnet: total × share / all shares. */
export function stakeOf(state: StateRead, hotkey: Uint8Array, coldkey: Uint8Array, netuid: number): bigint {
  const total = S.TotalHotkeyAlpha.get(state, hotkey, netuid);
  const denominator = safeFloatToShares(S.TotalHotkeySharesV2.get(state, hotkey, netuid));
  if (total === 0n || denominator === 0n) return 0n;
  return (total * safeFloatToShares(AlphaV2.get(state, hotkey, coldkey, netuid))) / denominator;
}

/** Adds (or, negative, removes) `delta` alpha to one coldkey's stake through a hotkey (update_value_for_one). */
export function changeStake(state: StateWrite, hotkey: Uint8Array, coldkey: Uint8Array, netuid: number, delta: bigint): void {
  if (delta === 0n) return;
  const total = S.TotalHotkeyAlpha.get(state, hotkey, netuid);
  const denominator = safeFloatToShares(S.TotalHotkeySharesV2.get(state, hotkey, netuid));
  const share = safeFloatToShares(AlphaV2.get(state, hotkey, coldkey, netuid));
  const magnitude = delta < 0n ? -delta : delta;
  // Shares in proportion to the pool; the first deposit sets one share per rao.
  const shares = denominator === 0n || total === 0n ? magnitude : (magnitude * denominator) / total;
  const nextDenominator = delta > 0n ? denominator + shares : denominator - shares;
  const nextShare = delta > 0n ? share + shares : share - (shares > share ? share : shares);
  S.TotalHotkeySharesV2.set(state, hotkey, netuid, { mantissa: nextDenominator < 0n ? 0n : nextDenominator, exponent: 0n });
  AlphaV2.set(state, hotkey, coldkey, netuid, { mantissa: nextShare, exponent: 0n });
  const nextTotal = total + delta;
  if (nextTotal <= 0n) S.TotalHotkeyAlpha.remove(state, hotkey, netuid);
  else S.TotalHotkeyAlpha.set(state, hotkey, netuid, nextTotal);
}

/** Adds alpha to a hotkey's pool for all its stakers at once (dividends: update_value_for_all). */
export function addToHotkeyPool(state: StateWrite, hotkey: Uint8Array, netuid: number, amount: bigint): void {
  if (amount === 0n) return;
  S.TotalHotkeyAlpha.set(state, hotkey, netuid, S.TotalHotkeyAlpha.get(state, hotkey, netuid) + amount);
}

/** Buys alpha with `tao` (net of fee) from the pool: returns the alpha out. */
function buyAlpha(state: StateWrite, netuid: number, tao: bigint): bigint {
  const taoIn = S.SubnetTAO.get(state, netuid);
  const alphaIn = S.SubnetAlphaIn.get(state, netuid);
  const alphaOut = taoIn + tao === 0n ? 0n : (alphaIn * tao) / (taoIn + tao);
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
  const taoOut = alphaIn + alpha === 0n ? 0n : (taoIn * alpha) / (alphaIn + alpha);
  S.SubnetTAO.set(state, netuid, taoIn - taoOut);
  S.SubnetAlphaIn.set(state, netuid, alphaIn + alpha);
  const out = S.SubnetAlphaOut.get(state, netuid);
  S.SubnetAlphaOut.set(state, netuid, out > gross ? out - gross : 0n);
  const total = S.TotalStake.get(state, undefined);
  S.TotalStake.set(state, undefined, total > taoOut ? total - taoOut : 0n);
  return taoOut;
}

export function addStake(env: SubtensorEnv, ctx: BlockContext, coldkey: Uint8Array, hotkey: Uint8Array, netuid: number, amount: bigint): void {
  if (amount > 1000n * S.SubnetTAO.get(ctx, netuid) && S.NetworksAdded.get(ctx, netuid)) throw env.error("InsufficientLiquidity");
  if (!S.NetworksAdded.get(ctx, netuid)) throw env.error("SubnetNotExists");
  if (!S.SubtokenEnabled.get(ctx, netuid)) throw env.error("SubtokenDisabled");
  if (amount < MIN_STAKE + swapFee(MIN_STAKE)) throw env.error("AmountTooLow");
  if (env.balances.free(ctx, coldkey) < amount) throw env.error("NotEnoughBalanceToStake");
  if (!S.Owner.has(ctx, hotkey)) throw env.error("HotKeyAccountNotExists");
  const reducible = env.balances.reducible(ctx, coldkey, "preserve");
  const paid = amount < reducible ? amount : reducible;
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
  if (!S.NetworksAdded.get(ctx, netuid)) throw env.error("SubnetNotExists");
  if (amount === 0n) throw env.error("AmountTooLow");
  const fee = swapFee(amount);
  const net = amount - fee;
  const taoIn = S.SubnetTAO.get(ctx, netuid);
  const alphaIn = S.SubnetAlphaIn.get(ctx, netuid);
  const quote = alphaIn + net === 0n ? 0n : (taoIn * net) / (alphaIn + net);
  if (amount < held && quote < MIN_STAKE) throw env.error("AmountTooLow");
  if (!S.Owner.has(ctx, hotkey)) throw env.error("HotKeyAccountNotExists");
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
