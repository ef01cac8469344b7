/** Epoch outputs in the key layout of the vectors file's `emulator_exact` (what `sim epoch --json` prints). */
import { matrixToPairs } from "./sparse.js";
import type { EpochOutput } from "./types.js";

export interface VectorFormatOutput {
  readonly stake_weight_u16: number[];
  readonly consensus_u16: number[];
  readonly incentive_u16: number[];
  readonly dividends_u16: number[];
  readonly validator_trust_u16: number[];
  readonly active: boolean[];
  readonly new_validator_permit: boolean[];
  readonly server_emission: bigint[];
  readonly validator_emission: bigint[];
  readonly emission_combined: bigint[];
  readonly bonds_stored_u16: Array<Array<[number, number]>>;
}

export const VECTOR_OUTPUT_KEYS = [
  "stake_weight_u16",
  "consensus_u16",
  "incentive_u16",
  "dividends_u16",
  "validator_trust_u16",
  "active",
  "new_validator_permit",
  "server_emission",
  "validator_emission",
  "emission_combined",
  "bonds_stored_u16",
] as const satisfies ReadonlyArray<keyof VectorFormatOutput>;

export function toVectorFormat(output: EpochOutput): VectorFormatOutput {
  return {
    stake_weight_u16: output.stakeWeight,
    consensus_u16: output.consensus,
    incentive_u16: output.incentive,
    dividends_u16: output.dividends,
    validator_trust_u16: output.validatorTrust,
    active: output.active,
    new_validator_permit: output.newValidatorPermit,
    server_emission: output.serverEmission,
    validator_emission: output.validatorEmission,
    emission_combined: output.emission,
    bonds_stored_u16: matrixToPairs(output.bonds, (value) => value),
  };
}

/** The raw I32F32 vectors the emulator also reports (`*_raw_I32F32`). */
export function rawVectors(output: EpochOutput): Record<"incentive_raw_I32F32" | "dividends_raw_I32F32" | "consensus_raw_I32F32", number[]> {
  return {
    incentive_raw_I32F32: Array.from(output.raw.incentive),
    dividends_raw_I32F32: Array.from(output.raw.dividends),
    consensus_raw_I32F32: Array.from(output.raw.consensus),
  };
}
