/**
 * NeuronInfo and NeuronInfoLite as HEAD builds them (pallets/subtensor/src/rpc_info/neuron_info.rs):
 * one per uid from 0 until the first uid without a hotkey in `Keys`; none on a subnet that does not
 * exist. Rank and trust are 0 and pruning_score 65535 (their storage was deleted); `stake` is the
 * one pair HEAD lists: the hotkey's owner with the hotkey's whole alpha on the subnet
 * (`TotalHotkeyAlpha`, delegated stake included), not a per-coldkey breakdown.
 */
import type { ScaleWriter } from "../../../../codec/scale.js";
import type { AxonInfo, PrometheusInfo } from "../codecs.js";
import { S } from "../storage.js";
import type { StateRead } from "../typed-storage.js";
import { writeNonZeroPairs, type FieldWriter, type StructCodec } from "./struct.js";

export interface NeuronLite {
  readonly hotkey: Uint8Array;
  readonly coldkey: Uint8Array;
  readonly uid: number;
  readonly netuid: number;
  readonly active: boolean;
  readonly axon: AxonInfo;
  readonly prometheus: PrometheusInfo;
  /** The hotkey's total alpha on the subnet, listed under its owner. */
  readonly stake: bigint;
  readonly emission: bigint;
  readonly incentive: number;
  readonly consensus: number;
  readonly validatorTrust: number;
  readonly dividends: number;
  readonly lastUpdate: bigint;
  readonly validatorPermit: boolean;
}

export interface Neuron extends NeuronLite {
  readonly weights: readonly (readonly [number, number])[];
  readonly bonds: readonly (readonly [number, number])[];
}

/** HEAD's values for the fields whose storage was deleted. */
const DEPRECATED_RANK = 0;
const DEPRECATED_TRUST = 0;
const DEPRECATED_PRUNING_SCORE = 0xffff;

/** `get_axon_info`'s answer for a hotkey that never served. */
export const EMPTY_AXON: AxonInfo = { block: 0n, version: 0, ip: 0n, port: 0, ipType: 0, protocol: 0, placeholder1: 0, placeholder2: 0 };
const EMPTY_PROMETHEUS: PrometheusInfo = { block: 0n, version: 0, ip: 0n, port: 0, ipType: 0 };

/** The uid's entry of a per-uid vector, or `fallback` where the vector is shorter (HEAD's `get(uid).unwrap_or`). */
function at<V>(vector: readonly V[], uid: number, fallback: V): V {
  return vector[uid] ?? fallback;
}

export function readNeuronLite(state: StateRead, netuid: number, uid: number): NeuronLite | undefined {
  if (!S.Keys.has(state, netuid, uid)) return undefined;
  const hotkey = S.Keys.get(state, netuid, uid);
  return {
    hotkey,
    coldkey: S.Owner.get(state, hotkey),
    uid,
    netuid,
    active: at(S.Active.get(state, netuid), uid, false),
    axon: S.Axons.get(state, netuid, hotkey) ?? EMPTY_AXON,
    prometheus: S.Prometheus.get(state, netuid, hotkey) ?? EMPTY_PROMETHEUS,
    stake: S.TotalHotkeyAlpha.get(state, hotkey, netuid),
    emission: at(S.Emission.get(state, netuid), uid, 0n),
    incentive: at(S.Incentive.get(state, netuid), uid, 0),
    consensus: at(S.Consensus.get(state, netuid), uid, 0),
    validatorTrust: at(S.ValidatorTrust.get(state, netuid), uid, 0),
    dividends: at(S.Dividends.get(state, netuid), uid, 0),
    lastUpdate: at(S.LastUpdate.get(state, netuid), uid, 0n),
    validatorPermit: at(S.ValidatorPermit.get(state, netuid), uid, false),
  };
}

export function readNeuron(state: StateRead, netuid: number, uid: number): Neuron | undefined {
  const lite = readNeuronLite(state, netuid, uid);
  if (!lite) return undefined;
  return { ...lite, weights: S.Weights.get(state, netuid, uid), bonds: S.Bonds.get(state, netuid, uid) };
}

/** `get_neuron(_lite)`: None on a subnet that does not exist or a uid without a hotkey. */
export function neuronOf<T>(state: StateRead, netuid: number, uid: number, read: (state: StateRead, netuid: number, uid: number) => T | undefined): T | undefined {
  return S.NetworksAdded.get(state, netuid) ? read(state, netuid, uid) : undefined;
}

/** `get_neurons(_lite)`: uids 0.. until the first without a hotkey; empty on a subnet that does not exist. */
export function neuronsOf<T>(state: StateRead, netuid: number, read: (state: StateRead, netuid: number, uid: number) => T | undefined): T[] {
  if (!S.NetworksAdded.get(state, netuid)) return [];
  const neurons: T[] = [];
  const n = S.SubnetworkN.get(state, netuid);
  for (let uid = 0; uid < n; uid++) {
    const neuron = read(state, netuid, uid);
    if (neuron === undefined) break;
    neurons.push(neuron);
  }
  return neurons;
}

/** `AxonInfo` (PalletSubtensorAxonInfo). */
export function writeAxon(w: ScaleWriter, a: AxonInfo): void {
  w.u64(a.block).u32(a.version).u128(a.ip).u16(a.port).u8(a.ipType).u8(a.protocol).u8(a.placeholder1).u8(a.placeholder2);
}

function writePrometheus(w: ScaleWriter, p: PrometheusInfo): void {
  w.u64(p.block).u32(p.version).u128(p.ip).u16(p.port).u8(p.ipType);
}

/** The fields NeuronInfo and NeuronInfoLite share, up to validator_permit. */
const COMMON_FIELDS: readonly FieldWriter<NeuronLite>[] = [
  ["hotkey", (w, n) => w.raw(n.hotkey)],
  ["coldkey", (w, n) => w.raw(n.coldkey)],
  ["uid", (w, n) => w.compact(n.uid)],
  ["netuid", (w, n) => w.compact(n.netuid)],
  ["active", (w, n) => w.bool(n.active)],
  ["axon_info", (w, n) => writeAxon(w, n.axon)],
  ["prometheus_info", (w, n) => writePrometheus(w, n.prometheus)],
  ["stake", (w, n) => w.vec([n.stake], (w, stake) => w.raw(n.coldkey).compact(stake))],
  ["rank", (w) => w.compact(DEPRECATED_RANK)],
  ["emission", (w, n) => w.compact(n.emission)],
  ["incentive", (w, n) => w.compact(n.incentive)],
  ["consensus", (w, n) => w.compact(n.consensus)],
  ["trust", (w) => w.compact(DEPRECATED_TRUST)],
  ["validator_trust", (w, n) => w.compact(n.validatorTrust)],
  ["dividends", (w, n) => w.compact(n.dividends)],
  ["last_update", (w, n) => w.compact(n.lastUpdate)],
  ["validator_permit", (w, n) => w.bool(n.validatorPermit)],
];

const PRUNING_SCORE: FieldWriter<NeuronLite> = ["pruning_score", (w) => w.compact(DEPRECATED_PRUNING_SCORE)];

export const NEURON_INFO_LITE: StructCodec<NeuronLite> = { name: "NeuronInfoLite", fields: [...COMMON_FIELDS, PRUNING_SCORE] };

export const NEURON_INFO: StructCodec<Neuron> = {
  name: "NeuronInfo",
  fields: [...COMMON_FIELDS, ["weights", (w, n) => writeNonZeroPairs(w, n.weights)], ["bonds", (w, n) => writeNonZeroPairs(w, n.bonds)], PRUNING_SCORE],
};
