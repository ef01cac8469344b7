/**
 * SubnetState as HEAD's `get_subnet_state` builds it (pallets/subtensor/src/rpc_info/show_subnet.rs):
 * per-uid vectors straight from storage, pruning_score, trust and rank empty (deleted storage), and
 * the stake weights of `get_stake_weights_for_network`. The devnet has no child keys, so a hotkey's
 * inherited alpha is its `TotalHotkeyAlpha` on the subnet and its TAO stake its `TotalHotkeyAlpha` on
 * root (netuid 0); total = alpha + tao × TaoWeight in HEAD's fixed-point steps.
 */
import type { StateReader } from "../../../../state/overlay.js";
import * as c from "../codecs.js";
import { doubleMap } from "../storage.js";
import { keyAccount, keyU16 } from "../typed-storage.js";
import { S } from "../storage.js";
import type { StateRead } from "../typed-storage.js";
import { allSubnetNetuids } from "./netuids.js";
import { writeCompacts, type StructCodec } from "./struct.js";

const ROOT_NETUID = 0;
const U64_MAX = (1n << 64n) - 1n;

const LastHotkeyEmissionOnNetuid = doubleMap("LastHotkeyEmissionOnNetuid", keyAccount, keyU16, c.u64);

/** The per-uid vectors SubnetState and Metagraph share (HEAD reads both from the same storage). */
export interface UidVectors {
  readonly hotkeys: readonly Uint8Array[];
  readonly coldkeys: readonly Uint8Array[];
  readonly active: readonly boolean[];
  readonly validatorPermit: readonly boolean[];
  readonly lastUpdate: readonly bigint[];
  readonly emission: readonly bigint[];
  readonly dividends: readonly number[];
  readonly incentives: readonly number[];
  readonly consensus: readonly number[];
  readonly blockAtRegistration: readonly bigint[];
  readonly alphaStake: readonly bigint[];
  readonly taoStake: readonly bigint[];
  readonly totalStake: readonly bigint[];
}

export interface SubnetState extends UidVectors {
  readonly netuid: number;
  /** Per subnet (all of them, storage order), each hotkey's last emission there. */
  readonly emissionHistory: readonly (readonly bigint[])[];
}

/**
 * `get_tao_weight` as I96F32 bits (TaoWeight / u64::MAX with 32 fractional bits, truncated), the
 * precision HEAD's I64F64 product inherits.
 */
function taoWeightBits32(state: StateRead): bigint {
  return (S.TaoWeight.get(state, undefined) << 32n) / U64_MAX;
}

/** `alpha + tao × tao_weight` truncated to an integer (`fixed64_to_u64`). */
function totalStake(alpha: bigint, tao: bigint, weightBits32: bigint): bigint {
  return alpha + ((tao * weightBits32) >> 32n);
}

/**
 * Uids 0..SubnetworkN: hotkeys (`Keys`, the zero account where a uid has none), their owners, the
 * per-uid vectors as stored, and `get_stake_weights_for_network`'s stakes.
 */
export function readUidVectors(state: StateRead, netuid: number): UidVectors {
  const uids = Array.from({ length: S.SubnetworkN.get(state, netuid) }, (_, uid) => uid);
  const hotkeys = uids.map((uid) => S.Keys.get(state, netuid, uid));
  const registered = uids.map((uid) => S.Keys.has(state, netuid, uid));
  const alphaStake = hotkeys.map((hotkey, uid) => (registered[uid] ? S.TotalHotkeyAlpha.get(state, hotkey, netuid) : 0n));
  const taoStake = hotkeys.map((hotkey, uid) => (registered[uid] ? S.TotalHotkeyAlpha.get(state, hotkey, ROOT_NETUID) : 0n));
  const weightBits32 = taoWeightBits32(state);
  return {
    hotkeys,
    coldkeys: hotkeys.map((hotkey) => S.Owner.get(state, hotkey)),
    active: S.Active.get(state, netuid),
    validatorPermit: S.ValidatorPermit.get(state, netuid),
    lastUpdate: S.LastUpdate.get(state, netuid),
    emission: S.Emission.get(state, netuid),
    dividends: S.Dividends.get(state, netuid),
    incentives: S.Incentive.get(state, netuid),
    consensus: S.Consensus.get(state, netuid),
    blockAtRegistration: uids.map((uid) => S.BlockAtRegistration.get(state, netuid, uid)),
    alphaStake,
    taoStake,
    totalStake: alphaStake.map((alpha, uid) => totalStake(alpha, taoStake[uid]!, weightBits32)),
  };
}

/** None on a subnet that does not exist. */
export function readSubnetState(state: StateReader, netuid: number): SubnetState | undefined {
  if (!S.NetworksAdded.get(state, netuid)) return undefined;
  const vectors = readUidVectors(state, netuid);
  return {
    netuid,
    ...vectors,
    emissionHistory: allSubnetNetuids(state).map((subnet) => vectors.hotkeys.map((hotkey) => LastHotkeyEmissionOnNetuid.get(state, hotkey, subnet))),
  };
}

export const SUBNET_STATE: StructCodec<SubnetState> = {
  name: "SubnetState",
  fields: [
    ["netuid", (w, s) => w.compact(s.netuid)],
    ["hotkeys", (w, s) => w.vec(s.hotkeys, (w, k) => w.raw(k))],
    ["coldkeys", (w, s) => w.vec(s.coldkeys, (w, k) => w.raw(k))],
    ["active", (w, s) => w.vec(s.active, (w, b) => w.bool(b))],
    ["validator_permit", (w, s) => w.vec(s.validatorPermit, (w, b) => w.bool(b))],
    ["pruning_score", (w) => writeCompacts(w, [])],
    ["last_update", (w, s) => writeCompacts(w, s.lastUpdate)],
    ["emission", (w, s) => writeCompacts(w, s.emission)],
    ["dividends", (w, s) => writeCompacts(w, s.dividends)],
    ["incentives", (w, s) => writeCompacts(w, s.incentives)],
    ["consensus", (w, s) => writeCompacts(w, s.consensus)],
    ["trust", (w) => writeCompacts(w, [])],
    ["rank", (w) => writeCompacts(w, [])],
    ["block_at_registration", (w, s) => writeCompacts(w, s.blockAtRegistration)],
    ["alpha_stake", (w, s) => writeCompacts(w, s.alphaStake)],
    ["tao_stake", (w, s) => writeCompacts(w, s.taoStake)],
    ["total_stake", (w, s) => writeCompacts(w, s.totalStake)],
    ["emission_history", (w, s) => w.vec(s.emissionHistory, (w, row) => writeCompacts(w, row))],
  ],
};
