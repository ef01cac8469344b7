/**
 * Metagraph as HEAD's `get_metagraph` builds it (pallets/subtensor/src/rpc_info/metagraph.rs): None
 * on a subnet that does not exist, else the subnet's terms, hyperparameters and per-uid vectors,
 * each from the storage item HEAD reads — so a field the devnet never writes reads as that item's
 * default, which is what HEAD answers for a subnet without that state:
 *
 * - name: the subnet identity's name (`SubnetIdentitiesV3`) if non-empty, else HEAD's per-netuid
 *   fallback name (subnet-names.ts: `subnet-<netuid>`, where HEAD uses a list from its source). The devnet sets no identities, so it is always the fallback.
 * - symbol: `TokenSymbol`; the devnet's register_network does not write it (HEAD's does, with the
 *   next free symbol), so it reads as the item's default, "𝜏".
 * - identity / identities: `SubnetIdentitiesV3` / `IdentitiesV2` of each uid's coldkey, copied as
 *   stored; the devnet has no identity calls, so None.
 * - block: `System::Number` (the block the call runs at); blocks_since_last_step = block −
 *   `LastMechansimStepBlock` (computed, not `BlocksSinceLastStep`).
 * - subnet_emission and pending_root_emission 0, pruning_score, trust and rank empty, each
 *   tao_dividends_per_hotkey entry 0: deprecated or removed on HEAD, constant there too.
 * - alpha_in_emission, tao_in_emission, subnet_volume, moving_price: HEAD's items, which the
 *   devnet's simplified emission and pool never write (0); alpha_out_emission and the pending
 *   pots are the devnet's own.
 * - pow_registration_allowed: `NetworkPowRegistrationAllowed` (never written: its default, true).
 * - the hyperparameters: as get_subnet_hyperparams_v2 reads them (same getters on HEAD), including
 *   max_weights_limit u16::MAX and activity_cutoff in blocks.
 * - the per-uid vectors and stakes: as get_subnet_state (same storage, same stake weights);
 *   axons `Axons` or the empty AxonInfo; alpha_dividends_per_hotkey `AlphaDividendsPerSubnet`.
 *
 * Layout drift: activity_cutoff is Compact<u64> on HEAD, Compact<u16> in spec 343 (as in
 * SubnetHyperparamsV2): 343's type reads HEAD's bytes only while the cutoff fits a u16.
 */
import { ScaleReader, ScaleWriter } from "../../../../codec/scale.js";
import type { StateReader } from "../../../../state/overlay.js";
import { StorageItem } from "../../../pallet.js";
import * as c from "../codecs.js";
import { byAccount, byNetuid } from "../storage.js";
import { S } from "../storage.js";
import type { StateRead, TypedItem } from "../typed-storage.js";
import { EMPTY_AXON, writeAxon } from "./neuron-info.js";
import { allSubnetNetuids } from "./netuids.js";
import { writeCompacts, type StructCodec } from "./struct.js";
import { readSubnetHyperparams, type SubnetHyperparams } from "./subnet-hyperparams.js";
import { fallbackSubnetName } from "./subnet-names.js";
import { readUidVectors, type UidVectors } from "./subnet-state.js";

/** A stored value kept as its SCALE bytes, to be copied into the answer as is. */
const encoded: c.ValueCodec<Uint8Array> = { encode: (v) => v, decode: (b) => b.slice() };
/** `Vec<u8>` (Bytes). */
const bytes: c.ValueCodec<Uint8Array> = { encode: (v) => new ScaleWriter(v.length + 5).bytes(v).finish(), decode: (b) => new ScaleReader(b).bytes().slice() };

/** Items HEAD's `get_metagraph` reads that storage.ts does not list. */
const EXTRA = {
  TokenSymbol: byNetuid("TokenSymbol", bytes),
  SubnetIdentitiesV3: byNetuid("SubnetIdentitiesV3", encoded),
  IdentitiesV2: byAccount("IdentitiesV2", encoded),
  SubnetAlphaInEmission: byNetuid("SubnetAlphaInEmission", c.u64),
  SubnetTaoInEmission: byNetuid("SubnetTaoInEmission", c.u64),
  SubnetVolume: byNetuid("SubnetVolume", c.u128),
  /** I96F32 bits; the 16 little-endian bytes are copied, so reading them unsigned loses nothing. */
  SubnetMovingPrice: byNetuid("SubnetMovingPrice", c.u128),
  NetworkPowRegistrationAllowed: byNetuid("NetworkPowRegistrationAllowed", c.bool),
} as const;

const SYSTEM_NUMBER = new StorageItem("System", "Number");

export interface Metagraph extends UidVectors {
  readonly netuid: number;
  readonly name: Uint8Array;
  readonly symbol: Uint8Array;
  /** The encoded SubnetIdentityV3, or undefined (None). */
  readonly identity: Uint8Array | undefined;
  readonly networkRegisteredAt: bigint;
  readonly ownerHotkey: Uint8Array;
  readonly ownerColdkey: Uint8Array;
  readonly block: bigint;
  readonly tempo: number;
  readonly lastStep: bigint;
  readonly blocksSinceLastStep: bigint;
  readonly alphaIn: bigint;
  readonly alphaOut: bigint;
  readonly taoIn: bigint;
  readonly alphaOutEmission: bigint;
  readonly alphaInEmission: bigint;
  readonly taoInEmission: bigint;
  readonly pendingAlphaEmission: bigint;
  readonly subnetVolume: bigint;
  readonly movingPriceBits: bigint;
  readonly hyperparams: SubnetHyperparams;
  readonly numUids: number;
  readonly maxUids: number;
  readonly burn: bigint;
  readonly powRegistrationAllowed: boolean;
  /** Per uid: the coldkey's encoded ChainIdentityV2, or undefined (None). */
  readonly identities: readonly (Uint8Array | undefined)[];
  readonly axons: readonly c.AxonInfo[];
  readonly alphaDividendsPerHotkey: readonly bigint[];
}

function optional<K>(item: TypedItem<K, Uint8Array>, state: StateRead, key: K): Uint8Array | undefined {
  return item.has(state, key) ? item.get(state, key) : undefined;
}

/** `get_name_for_subnet`: the identity's subnet_name (its first field) when set, else the fallback. */
function subnetName(identity: Uint8Array | undefined, netuid: number): Uint8Array {
  const named = identity === undefined ? undefined : new ScaleReader(identity).bytes();
  return named !== undefined && named.length > 0 ? named.slice() : fallbackSubnetName(netuid);
}

/** The block the state is at (System.Number). */
export function currentBlock(state: StateRead): bigint {
  const number = state.get(SYSTEM_NUMBER.key());
  return number === undefined ? 0n : BigInt(new ScaleReader(number).u32());
}

/** None on a subnet that does not exist. */
export function readMetagraph(state: StateReader, netuid: number): Metagraph | undefined {
  const hyperparams = readSubnetHyperparams(state, netuid);
  if (hyperparams === undefined) return undefined;
  const vectors = readUidVectors(state, netuid);
  const identity = optional(EXTRA.SubnetIdentitiesV3, state, netuid);
  const block = currentBlock(state);
  const lastStep = S.LastMechansimStepBlock.get(state, netuid);
  return {
    ...vectors,
    netuid,
    name: subnetName(identity, netuid),
    symbol: EXTRA.TokenSymbol.get(state, netuid),
    identity,
    networkRegisteredAt: S.NetworkRegisteredAt.get(state, netuid),
    ownerHotkey: S.SubnetOwnerHotkey.get(state, netuid),
    ownerColdkey: S.SubnetOwner.get(state, netuid),
    block,
    tempo: S.Tempo.get(state, netuid),
    lastStep,
    blocksSinceLastStep: block > lastStep ? block - lastStep : 0n,
    alphaIn: S.SubnetAlphaIn.get(state, netuid),
    alphaOut: S.SubnetAlphaOut.get(state, netuid),
    taoIn: S.SubnetTAO.get(state, netuid),
    alphaOutEmission: S.SubnetAlphaOutEmission.get(state, netuid),
    alphaInEmission: EXTRA.SubnetAlphaInEmission.get(state, netuid),
    taoInEmission: EXTRA.SubnetTaoInEmission.get(state, netuid),
    pendingAlphaEmission: S.PendingValidatorEmission.get(state, netuid) + S.PendingServerEmission.get(state, netuid),
    subnetVolume: EXTRA.SubnetVolume.get(state, netuid),
    movingPriceBits: EXTRA.SubnetMovingPrice.get(state, netuid),
    hyperparams,
    numUids: S.SubnetworkN.get(state, netuid),
    maxUids: S.MaxAllowedUids.get(state, netuid),
    burn: S.Burn.get(state, netuid),
    powRegistrationAllowed: EXTRA.NetworkPowRegistrationAllowed.get(state, netuid),
    identities: vectors.coldkeys.map((coldkey) => optional(EXTRA.IdentitiesV2, state, coldkey)),
    axons: vectors.hotkeys.map((hotkey) => S.Axons.get(state, netuid, hotkey) ?? EMPTY_AXON),
    alphaDividendsPerHotkey: vectors.hotkeys.map((hotkey) => S.AlphaDividendsPerSubnet.get(state, netuid, hotkey)),
  };
}

/** `get_all_metagraphs`: one entry per subnet in storage order (all Some: each netuid exists). */
export function readAllMetagraphs(state: StateReader): (Metagraph | undefined)[] {
  return allSubnetNetuids(state).map((netuid) => readMetagraph(state, netuid));
}

/** `Vec<Compact<u8>>`, HEAD's encoding of names and symbols. */
function writeCompactBytes(w: ScaleWriter, value: Uint8Array): void {
  writeCompacts(w, [...value]);
}

/** `Vec<(AccountId, Compact<_>)>`. */
function writeHotkeyAmounts(w: ScaleWriter, pairs: readonly (readonly [hotkey: Uint8Array, amount: bigint])[]): void {
  w.vec(pairs, (w, [hotkey, amount]) => w.raw(hotkey).compact(amount));
}

export const METAGRAPH: StructCodec<Metagraph> = {
  name: "Metagraph",
  fields: [
    ["netuid", (w, m) => w.compact(m.netuid)],
    ["name", (w, m) => writeCompactBytes(w, m.name)],
    ["symbol", (w, m) => writeCompactBytes(w, m.symbol)],
    ["identity", (w, m) => w.option(m.identity, (w, v) => w.raw(v))],
    ["network_registered_at", (w, m) => w.compact(m.networkRegisteredAt)],
    ["owner_hotkey", (w, m) => w.raw(m.ownerHotkey)],
    ["owner_coldkey", (w, m) => w.raw(m.ownerColdkey)],
    ["block", (w, m) => w.compact(m.block)],
    ["tempo", (w, m) => w.compact(m.tempo)],
    ["last_step", (w, m) => w.compact(m.lastStep)],
    ["blocks_since_last_step", (w, m) => w.compact(m.blocksSinceLastStep)],
    ["subnet_emission", (w) => w.compact(0)],
    ["alpha_in", (w, m) => w.compact(m.alphaIn)],
    ["alpha_out", (w, m) => w.compact(m.alphaOut)],
    ["tao_in", (w, m) => w.compact(m.taoIn)],
    ["alpha_out_emission", (w, m) => w.compact(m.alphaOutEmission)],
    ["alpha_in_emission", (w, m) => w.compact(m.alphaInEmission)],
    ["tao_in_emission", (w, m) => w.compact(m.taoInEmission)],
    ["pending_alpha_emission", (w, m) => w.compact(m.pendingAlphaEmission)],
    ["pending_root_emission", (w) => w.compact(0)],
    ["subnet_volume", (w, m) => w.compact(m.subnetVolume)],
    ["moving_price", (w, m) => w.u128(m.movingPriceBits)],
    ["rho", (w, m) => w.compact(m.hyperparams.rho)],
    ["kappa", (w, m) => w.compact(m.hyperparams.kappa)],
    ["min_allowed_weights", (w, m) => w.compact(m.hyperparams.minAllowedWeights)],
    ["max_weights_limit", (w, m) => w.compact(m.hyperparams.maxWeightsLimit)],
    ["weights_version", (w, m) => w.compact(m.hyperparams.weightsVersion)],
    ["weights_rate_limit", (w, m) => w.compact(m.hyperparams.weightsRateLimit)],
    ["activity_cutoff", (w, m) => w.compact(m.hyperparams.activityCutoff)],
    ["max_validators", (w, m) => w.compact(m.hyperparams.maxValidators)],
    ["num_uids", (w, m) => w.compact(m.numUids)],
    ["max_uids", (w, m) => w.compact(m.maxUids)],
    ["burn", (w, m) => w.compact(m.burn)],
    ["difficulty", (w, m) => w.compact(m.hyperparams.difficulty)],
    ["registration_allowed", (w, m) => w.bool(m.hyperparams.registrationAllowed)],
    ["pow_registration_allowed", (w, m) => w.bool(m.powRegistrationAllowed)],
    ["immunity_period", (w, m) => w.compact(m.hyperparams.immunityPeriod)],
    ["min_difficulty", (w, m) => w.compact(m.hyperparams.minDifficulty)],
    ["max_difficulty", (w, m) => w.compact(m.hyperparams.maxDifficulty)],
    ["min_burn", (w, m) => w.compact(m.hyperparams.minBurn)],
    ["max_burn", (w, m) => w.compact(m.hyperparams.maxBurn)],
    ["adjustment_alpha", (w, m) => w.compact(m.hyperparams.adjustmentAlpha)],
    ["adjustment_interval", (w, m) => w.compact(m.hyperparams.adjustmentInterval)],
    ["target_regs_per_interval", (w, m) => w.compact(m.hyperparams.targetRegsPerInterval)],
    ["max_regs_per_block", (w, m) => w.compact(m.hyperparams.maxRegsPerBlock)],
    ["serving_rate_limit", (w, m) => w.compact(m.hyperparams.servingRateLimit)],
    ["commit_reveal_weights_enabled", (w, m) => w.bool(m.hyperparams.commitRevealWeightsEnabled)],
    ["commit_reveal_period", (w, m) => w.compact(m.hyperparams.commitRevealPeriod)],
    ["liquid_alpha_enabled", (w, m) => w.bool(m.hyperparams.liquidAlphaEnabled)],
    ["alpha_high", (w, m) => w.compact(m.hyperparams.alphaHigh)],
    ["alpha_low", (w, m) => w.compact(m.hyperparams.alphaLow)],
    ["bonds_moving_avg", (w, m) => w.compact(m.hyperparams.bondsMovingAvg)],
    ["hotkeys", (w, m) => w.vec(m.hotkeys, (w, k) => w.raw(k))],
    ["coldkeys", (w, m) => w.vec(m.coldkeys, (w, k) => w.raw(k))],
    ["identities", (w, m) => w.vec(m.identities, (w, identity) => w.option(identity, (w, v) => w.raw(v)))],
    ["axons", (w, m) => w.vec(m.axons, (w, a) => writeAxon(w, a))],
    ["active", (w, m) => w.vec(m.active, (w, b) => w.bool(b))],
    ["validator_permit", (w, m) => w.vec(m.validatorPermit, (w, b) => w.bool(b))],
    ["pruning_score", (w) => writeCompacts(w, [])],
    ["last_update", (w, m) => writeCompacts(w, m.lastUpdate)],
    ["emission", (w, m) => writeCompacts(w, m.emission)],
    ["dividends", (w, m) => writeCompacts(w, m.dividends)],
    ["incentives", (w, m) => writeCompacts(w, m.incentives)],
    ["consensus", (w, m) => writeCompacts(w, m.consensus)],
    ["trust", (w) => writeCompacts(w, [])],
    ["rank", (w) => writeCompacts(w, [])],
    ["block_at_registration", (w, m) => writeCompacts(w, m.blockAtRegistration)],
    ["alpha_stake", (w, m) => writeCompacts(w, m.alphaStake)],
    ["tao_stake", (w, m) => writeCompacts(w, m.taoStake)],
    ["total_stake", (w, m) => writeCompacts(w, m.totalStake)],
    ["tao_dividends_per_hotkey", (w, m) => writeHotkeyAmounts(w, m.hotkeys.map((hotkey) => [hotkey, 0n]))],
    ["alpha_dividends_per_hotkey", (w, m) => writeHotkeyAmounts(w, m.hotkeys.map((hotkey, uid) => [hotkey, m.alphaDividendsPerHotkey[uid]!]))],
  ],
};
