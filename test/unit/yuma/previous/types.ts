/** Inputs and outputs of one Yuma epoch (one mechanism of one subnet). */
import type { SparseRow } from "./sparse.js";

/** A stored sparse row: destination uids and u16 values, in stored order. */
export type U16Row = SparseRow;

export interface EpochHyperparams {
  /** Kappa (u16; fraction = v / 65535). */
  readonly kappa: number;
  /** BondsPenalty (u16). */
  readonly bondsPenalty: number;
  /** BondsMovingAverage (per million; alpha = 1 − v / 1e6). */
  readonly bondsMovingAverage: bigint;
  readonly yuma3: boolean;
  readonly liquidAlpha: boolean;
  /** AlphaValues (u16 low, u16 high). */
  readonly alphaLow: number;
  readonly alphaHigh: number;
  /** AlphaSigmoidSteepness (i16). */
  readonly alphaSigmoidSteepness: number;
  readonly commitRevealEnabled: boolean;
  readonly tempo: number;
  /** ActivityCutoffFactorMilli: cutoff = max(1, floor(f · tempo / 1000)) blocks. */
  readonly activityCutoffFactorMilli: number;
  readonly maxAllowedValidators: number;
  /** StakeThreshold (RAO). */
  readonly stakeThreshold: bigint;
  /** TaoWeight (fraction = v / u64::MAX). */
  readonly taoWeightU64: bigint;
}

export interface EpochState {
  /** SubnetworkN: uids are 0..n-1. */
  readonly n: number;
  readonly currentBlock: number;
  /** LastMechansimStepBlock (0 ⇒ current_block − tempo is the bond-mask cutoff). */
  readonly lastMechanismStepBlock: number;
  readonly lastUpdate: readonly number[];
  readonly blockAtRegistration: readonly number[];
  readonly alphaStake: readonly bigint[];
  readonly taoStake: readonly bigint[];
  readonly ownerUid: number | null;
  /** ValidatorPermit from the previous epoch (an index past its end counts as no permit). */
  readonly validatorPermit: readonly boolean[];
  /** Weights rows as stored (max-upscaled u16). */
  readonly weights: readonly U16Row[];
  /** Bonds rows as stored (meaning depends on yuma3). */
  readonly bonds: readonly U16Row[];
  /** Alpha RAO handed to this epoch. */
  readonly raoEmission: bigint;
  /**
   * Per uid, the block of its earliest unexpired weights commit (Infinity = none). Only read
   * when commit–reveal is enabled; absent means no commits.
   */
  readonly commitBlocks?: readonly number[] | undefined;
}

export interface EpochInput {
  readonly hyperparams: EpochHyperparams;
  readonly state: EpochState;
}

export interface EpochOutput {
  readonly stakeWeight: number[];
  readonly consensus: number[];
  readonly incentive: number[];
  readonly dividends: number[];
  readonly validatorTrust: number[];
  readonly active: boolean[];
  readonly newValidatorPermit: boolean[];
  readonly serverEmission: bigint[];
  readonly validatorEmission: bigint[];
  /** Combined emission (what subtensor stores as `Emission`). */
  readonly emission: bigint[];
  /** Bonds rows to store (u16 values); empty for uids without a new permit. */
  readonly bonds: U16Row[];
  /** floor(total stake) per uid, RAO. */
  readonly stakeRao: bigint[];
  /** Raw I32F32 of the key vectors, for exact comparison and research. */
  readonly raw: {
    readonly consensus: Float64Array;
    readonly incentive: Float64Array;
    readonly dividends: Float64Array;
  };
}

/** `get_activity_cutoff_blocks`. */
export function activityCutoffBlocks(factorMilli: number, tempo: number): number {
  return Math.max(1, Math.floor((factorMilli * tempo) / 1000));
}
