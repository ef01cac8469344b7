/**
 * The SubtensorModule storage the devnet reads and writes, with HEAD's names, hashers, value
 * types and defaults (../shared/reference/subtensor-api.json). Keyed by `netuid`, or by
 * `netuid_index` (= mechanism × 4096 + netuid; the devnet runs mechanism 0 only, so equal to netuid)
 * where HEAD keys by it (Incentive, LastUpdate, Weights, Bonds, WeightCommits).
 */
import { ScaleWriter } from "../../../codec/scale.js";
import * as c from "./codecs.js";
import { keyAccount, keyU16, TypedDoubleMap, TypedItem, type StateRead, type StateWrite } from "./typed-storage.js";
import { StorageItem } from "../../pallet.js";

const P = "SubtensorModule";
const ZERO_ACCOUNT = new Uint8Array(32);
const plain = <V>(name: string, codec: c.ValueCodec<V>, fallback: V) => new TypedItem<undefined, V>(P, name, [], undefined, codec, fallback);
const byNetuid = <V>(name: string, codec: c.ValueCodec<V>, fallback: V, hasher: "Identity" | "Blake2_128Concat" | "Twox64Concat" = "Identity") =>
  new TypedItem<number, V>(P, name, [hasher], keyU16, codec, fallback);
const keyU64 = (k: bigint) => new ScaleWriter(8).u64(k).finish();

export const S = {
  // Subnet registry
  NetworksAdded: byNetuid("NetworksAdded", c.bool, false),
  TotalNetworks: plain("TotalNetworks", c.u16, 0),
  SubnetOwner: byNetuid("SubnetOwner", c.accountId, ZERO_ACCOUNT),
  SubnetOwnerHotkey: byNetuid("SubnetOwnerHotkey", c.accountId, ZERO_ACCOUNT),
  NetworkRegisteredAt: byNetuid("NetworkRegisteredAt", c.u64, 0n),
  NetworkLastRegistered: plain("NetworkLastRegistered", c.u64, 0n),
  NetworkLastLockCost: plain("NetworkLastLockCost", c.u64, 1_000_000_000_000n),
  NetworkRateLimit: plain("NetworkRateLimit", c.u64, 7200n),
  SubnetLocked: byNetuid("SubnetLocked", c.u64, 0n),
  SubtokenEnabled: byNetuid("SubtokenEnabled", c.bool, false),
  FirstEmissionBlockNumber: byNetuid<bigint | undefined>("FirstEmissionBlockNumber", { encode: (v) => c.u64.encode(v!), decode: c.u64.decode }, undefined),
  NetworkRegistrationAllowed: byNetuid("NetworkRegistrationAllowed", c.bool, true),
  SubnetOwnerCut: plain("SubnetOwnerCut", c.u16, 11796),

  // Epoch schedule
  Tempo: byNetuid("Tempo", c.u16, 360),
  LastEpochBlock: byNetuid("LastEpochBlock", c.u64, 0n),
  SubnetEpochIndex: byNetuid("SubnetEpochIndex", c.u64, 0n),
  PendingEpochAt: byNetuid("PendingEpochAt", c.u64, 0n),
  LastMechansimStepBlock: byNetuid("LastMechansimStepBlock", c.u64, 0n),

  // Neurons
  SubnetworkN: byNetuid("SubnetworkN", c.u16, 0),
  MaxAllowedUids: byNetuid("MaxAllowedUids", c.u16, 256),
  Keys: new TypedDoubleMap<number, number, Uint8Array>(P, "Keys", ["Identity", "Identity"], keyU16, keyU16, c.accountId, ZERO_ACCOUNT),
  Uids: new TypedDoubleMap<number, Uint8Array, number | undefined>(P, "Uids", ["Identity", "Blake2_128Concat"], keyU16, keyAccount, { encode: (v) => c.u16.encode(v!), decode: c.u16.decode }, undefined),
  Owner: new TypedItem<Uint8Array, Uint8Array>(P, "Owner", ["Blake2_128Concat"], keyAccount, c.accountId, ZERO_ACCOUNT),
  OwnedHotkeys: new TypedItem<Uint8Array, Uint8Array[]>(P, "OwnedHotkeys", ["Blake2_128Concat"], keyAccount, c.vecAccount, []),
  StakingHotkeys: new TypedItem<Uint8Array, Uint8Array[]>(P, "StakingHotkeys", ["Blake2_128Concat"], keyAccount, c.vecAccount, []),
  BlockAtRegistration: new TypedDoubleMap<number, number, bigint>(P, "BlockAtRegistration", ["Identity", "Identity"], keyU16, keyU16, c.u64, 0n),
  ImmunityPeriod: byNetuid("ImmunityPeriod", c.u16, 4096),
  Burn: byNetuid("Burn", c.u64, 100_000_000n),
  MinBurn: byNetuid("MinBurn", c.u64, 500_000n),
  MaxBurn: byNetuid("MaxBurn", c.u64, 100_000_000_000n),
  RegistrationsThisBlock: byNetuid("RegistrationsThisBlock", c.u16, 0),
  BurnHalfLife: byNetuid("BurnHalfLife", c.u16, 360),
  /** U64F64 bits; HEAD's default is 1.26. */
  BurnIncreaseMult: byNetuid("BurnIncreaseMult", c.fixedU128Bits, 23_243_193_003_615_016_878n),

  // Consensus vectors (metagraph)
  Active: byNetuid("Active", c.vecBool, []),
  Consensus: byNetuid("Consensus", c.vecU16, []),
  Dividends: byNetuid("Dividends", c.vecU16, []),
  Emission: byNetuid("Emission", c.vecU64, []),
  ValidatorTrust: byNetuid("ValidatorTrust", c.vecU16, []),
  ValidatorPermit: byNetuid("ValidatorPermit", c.vecBool, []),
  StakeWeight: byNetuid("StakeWeight", c.vecU16, []),
  Incentive: byNetuid("Incentive", c.vecU16, []),
  LastUpdate: byNetuid("LastUpdate", c.vecU64, []),
  Weights: new TypedDoubleMap<number, number, [number, number][]>(P, "Weights", ["Identity", "Identity"], keyU16, keyU16, c.vecPairs, []),
  Bonds: new TypedDoubleMap<number, number, [number, number][]>(P, "Bonds", ["Identity", "Identity"], keyU16, keyU16, c.vecPairs, []),

  // Serving
  Axons: new TypedDoubleMap<number, Uint8Array, c.AxonInfo | undefined>(P, "Axons", ["Identity", "Blake2_128Concat"], keyU16, keyAccount, { encode: (v) => c.axonInfo.encode(v!), decode: c.axonInfo.decode }, undefined),
  Prometheus: new TypedDoubleMap<number, Uint8Array, c.PrometheusInfo | undefined>(P, "Prometheus", ["Identity", "Blake2_128Concat"], keyU16, keyAccount, { encode: (v) => c.prometheusInfo.encode(v!), decode: c.prometheusInfo.decode }, undefined),
  ServingRateLimit: byNetuid("ServingRateLimit", c.u64, 50n),

  // Weights rules and commit-reveal
  WeightsSetRateLimit: byNetuid("WeightsSetRateLimit", c.u64, 100n),
  WeightsVersionKey: byNetuid("WeightsVersionKey", c.u64, 0n),
  MinAllowedWeights: byNetuid("MinAllowedWeights", c.u16, 1024),
  MaxWeightsLimit: byNetuid("MaxWeightsLimit", c.u16, 65535),
  CommitRevealWeightsEnabled: byNetuid("CommitRevealWeightsEnabled", c.bool, true),
  RevealPeriodEpochs: byNetuid("RevealPeriodEpochs", c.u64, 1n, "Twox64Concat"),
  WeightCommits: new TypedDoubleMap<number, Uint8Array, c.WeightCommit[] | undefined>(P, "WeightCommits", ["Twox64Concat", "Twox64Concat"], keyU16, keyAccount, { encode: (v) => c.weightCommits.encode(v!), decode: c.weightCommits.decode }, undefined),

  // Yuma hyperparameters
  Kappa: byNetuid("Kappa", c.u16, 32767),
  ActivityCutoff: byNetuid("ActivityCutoff", c.u16, 5000),
  MaxAllowedValidators: byNetuid("MaxAllowedValidators", c.u16, 128),
  BondsMovingAverage: byNetuid("BondsMovingAverage", c.u64, 900_000n),
  Yuma3On: byNetuid("Yuma3On", c.bool, false, "Blake2_128Concat"),
  LiquidAlphaOn: byNetuid("LiquidAlphaOn", c.bool, false, "Blake2_128Concat"),

  // Hyperparameters only stored (the devnet has nothing they steer: proof of work, transfer toggles, …)
  MaxDifficulty: byNetuid("MaxDifficulty", c.u64, 4_611_686_018_427_387_903n),
  AdjustmentAlpha: byNetuid("AdjustmentAlpha", c.u64, 0n),
  Rho: byNetuid("Rho", c.u16, 10),
  TransferToggle: byNetuid("TransferToggle", c.bool, true),
  BondsResetOn: byNetuid("BondsResetOn", c.bool, false),
  ImmuneOwnerUidsLimit: byNetuid("ImmuneOwnerUidsLimit", c.u16, 1),
  RecycleOrBurn: byNetuid("RecycleOrBurn", c.u8, 0),
  MinActivityCutoff: plain("MinActivityCutoff", c.u16, 360),

  // Administration
  AdminFreezeWindow: plain("AdminFreezeWindow", c.u16, 10),
  OwnerHyperparamRateLimit: plain("OwnerHyperparamRateLimit", c.u16, 2),
  StartCallDelay: plain("StartCallDelay", c.u64, 0n),
  /** (coldkey, netuid, transaction type u16) → last block. */
  TransactionKeyLastBlock: {
    raw: new StorageItem(P, "TransactionKeyLastBlock", ["Blake2_128Concat", "Identity", "Identity"]),
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
  LastRateLimitedBlock: new TypedItem<Uint8Array, bigint>(P, "LastRateLimitedBlock", ["Identity"], (k) => k, c.u64, 0n),

  // Emission
  BlockEmission: plain("BlockEmission", c.u64, 1_000_000_000n),
  PendingServerEmission: byNetuid("PendingServerEmission", c.u64, 0n),
  PendingValidatorEmission: byNetuid("PendingValidatorEmission", c.u64, 0n),
  PendingOwnerCut: byNetuid("PendingOwnerCut", c.u64, 0n),
  PendingRootAlphaDivs: byNetuid("PendingRootAlphaDivs", c.u64, 0n),
  SubnetAlphaOutEmission: byNetuid("SubnetAlphaOutEmission", c.u64, 0n),
  BlocksSinceLastStep: byNetuid("BlocksSinceLastStep", c.u64, 0n),
  OwnerCutEnabled: byNetuid("OwnerCutEnabled", c.bool, true),
  AlphaDividendsPerSubnet: new TypedDoubleMap<number, Uint8Array, bigint>(P, "AlphaDividendsPerSubnet", ["Identity", "Blake2_128Concat"], keyU16, keyAccount, c.u64, 0n),
  ActivityCutoffFactorMilli: byNetuid("ActivityCutoffFactorMilli", c.u32, 13889),
  StakeThreshold: plain("StakeThreshold", c.u64, 0n),
  TaoWeight: plain("TaoWeight", c.u64, 971_718_665_099_567_868n),
  BondsPenalty: byNetuid("BondsPenalty", c.u16, 65535),
  AlphaValues: byNetuid<[number, number]>("AlphaValues", { encode: ([l, h]) => new ScaleWriter(4).u16(l).u16(h).finish(), decode: (b) => [c.u16.decode(b.subarray(0, 2)), c.u16.decode(b.subarray(2, 4))] }, [45875, 58982]),
  AlphaSigmoidSteepness: byNetuid("AlphaSigmoidSteepness", { encode: (v: number) => new ScaleWriter(2).u16(v & 0xffff).finish(), decode: (b) => (c.u16.decode(b) << 16) >> 16 }, 1000),
  Delegates: new TypedItem<Uint8Array, number>(P, "Delegates", ["Blake2_128Concat"], keyAccount, c.u16, 11796),
  TotalStake: plain("TotalStake", c.u64, 0n),

  // Stake (dTAO)
  /** Share-pool denominators per (hotkey, netuid); the devnet writes whole shares (exponent 0). */
  TotalHotkeySharesV2: new TypedDoubleMap<Uint8Array, number, c.SafeFloat>(P, "TotalHotkeySharesV2", ["Blake2_128Concat", "Identity"], keyAccount, keyU16, c.safeFloat, { mantissa: 0n, exponent: 0n }),
  TotalHotkeyAlpha: new TypedDoubleMap<Uint8Array, number, bigint>(P, "TotalHotkeyAlpha", ["Blake2_128Concat", "Identity"], keyAccount, keyU16, c.u64, 0n),
  SubnetTAO: byNetuid("SubnetTAO", c.u64, 0n),
  SubnetAlphaIn: byNetuid("SubnetAlphaIn", c.u64, 0n),
  SubnetAlphaOut: byNetuid("SubnetAlphaOut", c.u64, 0n),
} as const;

/** AlphaV2[(hotkey, coldkey, netuid)]: a coldkey's shares of a hotkey's alpha on a subnet. */
export const AlphaV2 = {
  raw: new StorageItem(P, "AlphaV2", ["Blake2_128Concat", "Blake2_128Concat", "Identity"]),
  key(hotkey: Uint8Array, coldkey: Uint8Array, netuid: number): string {
    return this.raw.key(hotkey, coldkey, keyU16(netuid));
  },
  get(state: StateRead, hotkey: Uint8Array, coldkey: Uint8Array, netuid: number): c.SafeFloat {
    const bytes = state.get(this.key(hotkey, coldkey, netuid));
    return bytes ? c.safeFloat.decode(bytes) : { mantissa: 0n, exponent: 0n };
  },
  set(state: StateWrite, hotkey: Uint8Array, coldkey: Uint8Array, netuid: number, value: c.SafeFloat): void {
    if (value.mantissa === 0n) state.delete(this.key(hotkey, coldkey, netuid));
    else state.set(this.key(hotkey, coldkey, netuid), c.safeFloat.encode(value));
  },
};

export { keyU64 };
