/**
 * StakeInfo as HEAD builds it (pallets/subtensor/src/rpc_info/stake_info.rs): the alpha a coldkey
 * holds through a hotkey on a subnet (the share pool, `stakeOf`), the hotkey's alpha dividends of
 * the last epoch (`AlphaDividendsPerSubnet`), whether the hotkey is registered there (`Uids`), and
 * locked, tao_emission and drain 0 as on HEAD.
 */
import type { StateReader } from "../../../../state/overlay.js";
import { stakeOf } from "../staking.js";
import { S } from "../storage.js";
import type { StateRead } from "../typed-storage.js";
import { allSubnetNetuids } from "./netuids.js";
import type { StructCodec } from "./struct.js";

export interface StakeRow {
  readonly hotkey: Uint8Array;
  readonly coldkey: Uint8Array;
  readonly netuid: number;
  readonly stake: bigint;
  readonly emission: bigint;
  readonly isRegistered: boolean;
}

/** One (hotkey, coldkey, netuid) row, whatever its stake (HEAD answers Some even for zero). */
export function readStakeRow(state: StateRead, hotkey: Uint8Array, coldkey: Uint8Array, netuid: number): StakeRow {
  return {
    hotkey,
    coldkey,
    netuid,
    stake: stakeOf(state, hotkey, coldkey, netuid),
    emission: S.AlphaDividendsPerSubnet.get(state, netuid, hotkey),
    isRegistered: S.Uids.has(state, netuid, hotkey),
  };
}

/** `get_stake_info_for_coldkey`: every subnet × the coldkey's StakingHotkeys, rows with stake only. */
export function stakeRowsOfColdkey(state: StateReader, coldkey: Uint8Array): StakeRow[] {
  const hotkeys = S.StakingHotkeys.get(state, coldkey);
  return allSubnetNetuids(state)
    .flatMap((netuid) => hotkeys.map((hotkey) => readStakeRow(state, hotkey, coldkey, netuid)))
    .filter((row) => row.stake > 0n);
}

export const STAKE_INFO: StructCodec<StakeRow> = {
  name: "StakeInfo",
  fields: [
    ["hotkey", (w, s) => w.raw(s.hotkey)],
    ["coldkey", (w, s) => w.raw(s.coldkey)],
    ["netuid", (w, s) => w.compact(s.netuid)],
    ["stake", (w, s) => w.compact(s.stake)],
    ["locked", (w) => w.compact(0)],
    ["emission", (w, s) => w.compact(s.emission)],
    ["tao_emission", (w) => w.compact(0)],
    ["drain", (w) => w.compact(0)],
    ["is_registered", (w, s) => w.bool(s.isRegistered)],
  ],
};
