/**
 * The SubtensorModule storage the devnet reads and writes, by HEAD's names; hashers and defaults
 * come from the generated spec (spec.generated.ts), so they cannot drift from HEAD's. Keyed by `netuid`, or by
 * `netuid_index` (= mechanism × 4096 + netuid; the devnet runs mechanism 0 only, so equal to netuid)
 * where HEAD keys by it (Incentive, LastUpdate, Weights, Bonds, WeightCommits).
 */
import { fromHex } from "../../../codec/hex.js";
import { ScaleWriter } from "../../../codec/scale.js";
import { StorageItem } from "../../pallet.js";
import * as c from "./codecs.js";
import type { SpecStorage } from "./declare.js";
import { SUBTENSOR_MODULE_SPEC } from "./spec.generated.js";
import { keyAccount, keyU16, TypedDoubleMap, TypedItem, type KeyEncoder, type StateRead, type StateWrite } from "./typed-storage.js";

const P = "SubtensorModule";
const keyU64 = (k: bigint) => new ScaleWriter(8).u64(k).finish();

/** The generated spec's entry for `name`: HEAD's hashers, modifier and default bytes; `keys` checks its key types. */
function specOf(name: string, keys?: readonly string[]): SpecStorage {
  const found = SUBTENSOR_MODULE_SPEC.storage.find((item) => item.name === name);
  if (!found) throw new Error(`SubtensorModule has no storage item ${name}`);
  if (keys && found.keys.join(",") !== keys.join(",")) throw new Error(`SubtensorModule.${name} is keyed by (${found.keys.join(", ")}), not (${keys.join(", ")})`);
  return found;
}

/** What a missing key reads as: HEAD's default (ValueQuery), or undefined (OptionQuery). */
function fallbackOf<V>(spec: SpecStorage, codec: c.ValueCodec<V>): V {
  return (spec.modifier === "Optional" ? undefined : codec.decode(fromHex(spec.default))) as V;
}

const plain = <V>(name: string, codec: c.ValueCodec<V>) => {
  const spec = specOf(name, []);
  return new TypedItem<undefined, V>(P, name, spec.hashers, undefined, codec, fallbackOf(spec, codec));
};
/** A SubtensorModule item keyed by netuid, with HEAD's hasher and default. */
export const byNetuid = <V>(name: string, codec: c.ValueCodec<V>) => {
  const spec = specOf(name, ["u16"]);
  return new TypedItem<number, V>(P, name, spec.hashers, keyU16, codec, fallbackOf(spec, codec));
};
/** A SubtensorModule item keyed by an account, with HEAD's hasher and default. */
export const byAccount = <V>(name: string, codec: c.ValueCodec<V>) => {
  const spec = specOf(name, ["AccountId32"]);
  return new TypedItem<Uint8Array, V>(P, name, spec.hashers, keyAccount, codec, fallbackOf(spec, codec));
};
/** A SubtensorModule map with two keys, with HEAD's hashers and default. */
export const doubleMap = <K1, K2, V>(name: string, k1: KeyEncoder<K1>, k2: KeyEncoder<K2>, codec: c.ValueCodec<V>) => {
  const spec = specOf(name);
  const [h1, h2] = spec.hashers;
  if (!h1 || !h2 || spec.hashers.length !== 2) throw new Error(`SubtensorModule.${name} is not a double map`);
  return new TypedDoubleMap<K1, K2, V>(P, name, [h1, h2], k1, k2, codec, fallbackOf(spec, codec));
};
/** An OptionQuery value: absent reads as undefined. */
const optional = <V>(codec: c.ValueCodec<V>): c.ValueCodec<V | undefined> => ({ encode: (v) => codec.encode(v!), decode: codec.decode });

export const S = {
  // Subnet registry
  NetworksAdded: byNetuid("NetworksAdded", c.bool),
  TotalNetworks: plain("TotalNetworks", c.u16),
  SubnetOwner: byNetuid("SubnetOwner", c.accountId),
  SubnetOwnerHotkey: byNetuid("SubnetOwnerHotkey", c.accountId),
  NetworkRegisteredAt: byNetuid("NetworkRegisteredAt", c.u64),
  NetworkLastLockCost: plain("NetworkLastLockCost", c.u64),
  NetworkMinLockCost: plain("NetworkMinLockCost", c.u64),
  NetworkLockReductionInterval: plain("NetworkLockReductionInterval", c.u64),
  NetworkRateLimit: plain("NetworkRateLimit", c.u64),
  SubnetLocked: byNetuid("SubnetLocked", c.u64),
  SubtokenEnabled: byNetuid("SubtokenEnabled", c.bool),
  FirstEmissionBlockNumber: byNetuid("FirstEmissionBlockNumber", optional(c.u64)),
  NetworkRegistrationAllowed: byNetuid("NetworkRegistrationAllowed", c.bool),
  SubnetOwnerCut: plain("SubnetOwnerCut", c.u16),

  // Epoch schedule
  Tempo: byNetuid("Tempo", c.u16),
  LastEpochBlock: byNetuid("LastEpochBlock", c.u64),
  SubnetEpochIndex: byNetuid("SubnetEpochIndex", c.u64),
  PendingEpochAt: byNetuid("PendingEpochAt", c.u64),
  LastMechansimStepBlock: byNetuid("LastMechansimStepBlock", c.u64),

  // Neurons
  SubnetworkN: byNetuid("SubnetworkN", c.u16),
  MaxAllowedUids: byNetuid("MaxAllowedUids", c.u16),
  Keys: doubleMap<number, number, Uint8Array>("Keys", keyU16, keyU16, c.accountId),
  Uids: doubleMap<number, Uint8Array, number | undefined>("Uids", keyU16, keyAccount, optional(c.u16)),
  Owner: byAccount<Uint8Array>("Owner", c.accountId),
  OwnedHotkeys: byAccount<Uint8Array[]>("OwnedHotkeys", c.vecAccount),
  StakingHotkeys: byAccount<Uint8Array[]>("StakingHotkeys", c.vecAccount),
  BlockAtRegistration: doubleMap<number, number, bigint>("BlockAtRegistration", keyU16, keyU16, c.u64),
  ImmunityPeriod: byNetuid("ImmunityPeriod", c.u16),
  Burn: byNetuid("Burn", c.u64),
  MinBurn: byNetuid("MinBurn", c.u64),
  MaxBurn: byNetuid("MaxBurn", c.u64),
  RegistrationsThisBlock: byNetuid("RegistrationsThisBlock", c.u16),
  BurnHalfLife: byNetuid("BurnHalfLife", c.u16),
  /** U64F64 bits; HEAD's default is 1.26. */
  BurnIncreaseMult: byNetuid("BurnIncreaseMult", c.fixedU128Bits),

  // Consensus vectors (metagraph)
  Active: byNetuid("Active", c.vecBool),
  Consensus: byNetuid("Consensus", c.vecU16),
  Dividends: byNetuid("Dividends", c.vecU16),
  Emission: byNetuid("Emission", c.vecU64),
  ValidatorTrust: byNetuid("ValidatorTrust", c.vecU16),
  ValidatorPermit: byNetuid("ValidatorPermit", c.vecBool),
  StakeWeight: byNetuid("StakeWeight", c.vecU16),
  Incentive: byNetuid("Incentive", c.vecU16),
  LastUpdate: byNetuid("LastUpdate", c.vecU64),
  Weights: doubleMap<number, number, [number, number][]>("Weights", keyU16, keyU16, c.vecPairs),
  Bonds: doubleMap<number, number, [number, number][]>("Bonds", keyU16, keyU16, c.vecPairs),

  // Serving
  Axons: doubleMap<number, Uint8Array, c.AxonInfo | undefined>("Axons", keyU16, keyAccount, optional(c.axonInfo)),
  Prometheus: doubleMap<number, Uint8Array, c.PrometheusInfo | undefined>("Prometheus", keyU16, keyAccount, optional(c.prometheusInfo)),
  ServingRateLimit: byNetuid("ServingRateLimit", c.u64),

  // Weights rules and commit-reveal
  WeightsSetRateLimit: byNetuid("WeightsSetRateLimit", c.u64),
  WeightsVersionKey: byNetuid("WeightsVersionKey", c.u64),
  MinAllowedWeights: byNetuid("MinAllowedWeights", c.u16),
  MaxWeightsLimit: byNetuid("MaxWeightsLimit", c.u16),
  CommitRevealWeightsEnabled: byNetuid("CommitRevealWeightsEnabled", c.bool),
  RevealPeriodEpochs: byNetuid("RevealPeriodEpochs", c.u64),
  WeightCommits: doubleMap<number, Uint8Array, c.WeightCommit[] | undefined>("WeightCommits", keyU16, keyAccount, optional(c.weightCommits)),

  // Yuma hyperparameters
  Kappa: byNetuid("Kappa", c.u16),
  ActivityCutoff: byNetuid("ActivityCutoff", c.u16),
  MaxAllowedValidators: byNetuid("MaxAllowedValidators", c.u16),
  BondsMovingAverage: byNetuid("BondsMovingAverage", c.u64),
  Yuma3On: byNetuid("Yuma3On", c.bool),
  LiquidAlphaOn: byNetuid("LiquidAlphaOn", c.bool),

  // Hyperparameters only stored (the devnet has nothing they steer: proof of work, transfer toggles, …)
  MaxDifficulty: byNetuid("MaxDifficulty", c.u64),
  AdjustmentAlpha: byNetuid("AdjustmentAlpha", c.u64),
  Rho: byNetuid("Rho", c.u16),
  TransferToggle: byNetuid("TransferToggle", c.bool),
  BondsResetOn: byNetuid("BondsResetOn", c.bool),
  ImmuneOwnerUidsLimit: byNetuid("ImmuneOwnerUidsLimit", c.u16),
  RecycleOrBurn: byNetuid("RecycleOrBurn", c.u8),
  MinActivityCutoff: plain("MinActivityCutoff", c.u16),

  // Administration
  AdminFreezeWindow: plain("AdminFreezeWindow", c.u16),
  OwnerHyperparamRateLimit: plain("OwnerHyperparamRateLimit", c.u16),
  StartCallDelay: plain("StartCallDelay", c.u64),
  /** (coldkey, netuid, transaction type u16) → last block. */
  TransactionKeyLastBlock: {
    raw: new StorageItem(P, "TransactionKeyLastBlock", specOf("TransactionKeyLastBlock").hashers),
    key(coldkey: Uint8Array, netuid: number, txType: Uint8Array): string {
      return this.raw.key(coldkey, keyU16(netuid), txType);
    },
    get(state: StateRead, coldkey: Uint8Array, netuid: number, txType: Uint8Array): bigint {
      const bytes = state.get(this.key(coldkey, netuid, txType));
      return bytes ? c.u64.decode(bytes) : 0n;
    },
    set(state: StateWrite, coldkey: Uint8Array, netuid: number, txType: Uint8Array, block: bigint): void {
      state.set(this.key(coldkey, netuid, txType), c.u64.encode(block));
    },
  },
  /** Keyed by the SCALE bytes of HEAD's RateLimitKey enum (Identity hasher). */
  LastRateLimitedBlock: (() => {
    const spec = specOf("LastRateLimitedBlock");
    return new TypedItem<Uint8Array, bigint>(P, "LastRateLimitedBlock", spec.hashers, (k) => k, c.u64, fallbackOf(spec, c.u64));
  })(),

  // Emission
  BlockEmission: plain("BlockEmission", c.u64),
  PendingServerEmission: byNetuid("PendingServerEmission", c.u64),
  PendingValidatorEmission: byNetuid("PendingValidatorEmission", c.u64),
  PendingOwnerCut: byNetuid("PendingOwnerCut", c.u64),
  PendingRootAlphaDivs: byNetuid("PendingRootAlphaDivs", c.u64),
  SubnetAlphaOutEmission: byNetuid("SubnetAlphaOutEmission", c.u64),
  BlocksSinceLastStep: byNetuid("BlocksSinceLastStep", c.u64),
  OwnerCutEnabled: byNetuid("OwnerCutEnabled", c.bool),
  AlphaDividendsPerSubnet: doubleMap<number, Uint8Array, bigint>("AlphaDividendsPerSubnet", keyU16, keyAccount, c.u64),
  ActivityCutoffFactorMilli: byNetuid("ActivityCutoffFactorMilli", c.u32),
  StakeThreshold: plain("StakeThreshold", c.u64),
  TaoWeight: plain("TaoWeight", c.u64),
  BondsPenalty: byNetuid("BondsPenalty", c.u16),
  AlphaValues: byNetuid<[number, number]>("AlphaValues", { encode: ([l, h]) => new ScaleWriter(4).u16(l).u16(h).finish(), decode: (b) => [c.u16.decode(b.subarray(0, 2)), c.u16.decode(b.subarray(2, 4))] }),
  AlphaSigmoidSteepness: byNetuid("AlphaSigmoidSteepness", { encode: (v: number) => new ScaleWriter(2).u16(v & 0xffff).finish(), decode: (b) => (c.u16.decode(b) << 16) >> 16 }),
  Delegates: byAccount<number>("Delegates", c.u16),
  TotalStake: plain("TotalStake", c.u64),

  // Stake (dTAO)
  /** Share-pool denominators per (hotkey, netuid); the devnet writes whole shares (exponent 0). */
  TotalHotkeySharesV2: doubleMap<Uint8Array, number, c.SafeFloat>("TotalHotkeySharesV2", keyAccount, keyU16, c.safeFloat),
  TotalHotkeyAlpha: doubleMap<Uint8Array, number, bigint>("TotalHotkeyAlpha", keyAccount, keyU16, c.u64),
  SubnetTAO: byNetuid("SubnetTAO", c.u64),
  SubnetAlphaIn: byNetuid("SubnetAlphaIn", c.u64),
  SubnetAlphaOut: byNetuid("SubnetAlphaOut", c.u64),
} as const;

/** AlphaV2[(hotkey, coldkey, netuid)]: a coldkey's shares of a hotkey's alpha on a subnet. */
export const AlphaV2 = {
  raw: new StorageItem(P, "AlphaV2", specOf("AlphaV2").hashers),
  key(hotkey: Uint8Array, coldkey: Uint8Array, netuid: number): string {
    return this.raw.key(hotkey, coldkey, keyU16(netuid));
  },
  get(state: StateRead, hotkey: Uint8Array, coldkey: Uint8Array, netuid: number): c.SafeFloat {
    return this.getAt(state, this.key(hotkey, coldkey, netuid));
  },
  set(state: StateWrite, hotkey: Uint8Array, coldkey: Uint8Array, netuid: number, value: c.SafeFloat): void {
    this.setAt(state, this.key(hotkey, coldkey, netuid), value);
  },
  getAt(state: StateRead, key: string): c.SafeFloat {
    const bytes = state.get(key);
    return bytes ? c.safeFloat.decode(bytes) : { mantissa: 0n, exponent: 0n };
  },
  setAt(state: StateWrite, key: string, value: c.SafeFloat): void {
    if (value.mantissa === 0n) state.delete(key);
    else state.set(key, c.safeFloat.encode(value));
  },
};

export { keyU64 };

/** `RateLimitKey::NetworkLastRegistered`: LastRateLimitedBlock's key for anyone's last subnet registration. */
export const NETWORK_LAST_REGISTERED = Uint8Array.of(2);
