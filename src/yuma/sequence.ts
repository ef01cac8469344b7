/**
 * Sequences of epochs with state changes between them, as the vectors file's
 * `meta.conventions` defines them (subtensor's tests call the epoch directly, so
 * `lastMechanismStepBlock` never moves between steps).
 */
import { runEpoch } from "./epoch.js";
import { EMPTY_ROW, filterRow, mapRow, rowFromPairs } from "./sparse.js";
import type { EpochHyperparams, EpochOutput, EpochState, U16Row } from "./types.js";

export type SequenceOp =
  | {
      readonly op: "set_weights";
      readonly uid: number;
      readonly dests: readonly number[];
      /** Values as stored (after max-upscale). */
      readonly values: readonly number[];
      readonly lastUpdate: number;
    }
  | { readonly op: "replace_neuron"; readonly uid: number; readonly block: number }
  | { readonly op: "reset_bonds_column"; readonly uid: number };

export interface SequenceStep {
  readonly ops: readonly SequenceOp[];
  readonly currentBlock: number;
}

interface MutableState {
  n: number;
  currentBlock: number;
  lastMechanismStepBlock: number;
  lastUpdate: number[];
  blockAtRegistration: number[];
  alphaStake: bigint[];
  taoStake: bigint[];
  ownerUid: number | null;
  validatorPermit: boolean[];
  weights: U16Row[];
  bonds: U16Row[];
  raoEmission: bigint;
  commitBlocks?: readonly number[] | undefined;
}

/** Applies one op to the state (returns a new state; the input is not changed). */
export function applyOp(state: EpochState, op: SequenceOp): EpochState {
  const next = cloneState(state);
  switch (op.op) {
    case "set_weights":
      next.weights[op.uid] = rowFromPairs(op.dests.map((dest, k) => [dest, op.values[k]!] as const));
      next.lastUpdate[op.uid] = op.lastUpdate;
      break;
    case "replace_neuron":
      next.blockAtRegistration[op.uid] = op.block;
      next.lastUpdate[op.uid] = op.block;
      next.weights = next.weights.map((row, i) =>
        i === op.uid ? EMPTY_ROW : row.cols.includes(op.uid) ? mapRow(row, (value, dest) => (dest === op.uid ? 0 : value)) : row,
      );
      next.bonds[op.uid] = EMPTY_ROW;
      next.validatorPermit[op.uid] = false;
      next.alphaStake[op.uid] = 0n;
      next.taoStake[op.uid] = 0n;
      break;
    case "reset_bonds_column":
      next.bonds = next.bonds.map((row) => filterRow(row, (dest) => dest !== op.uid));
      break;
  }
  return next;
}

/** The state after an epoch: stored bonds and permits replaced by the epoch's output. */
export function carryAfterEpoch(state: EpochState, output: EpochOutput): EpochState {
  return { ...cloneState(state), bonds: output.bonds, validatorPermit: [...output.newValidatorPermit] };
}

/** Runs every step: its ops in order, then the epoch at the step's block. One output per step. */
export function runSequence(
  hyperparams: EpochHyperparams,
  initialState: EpochState,
  steps: readonly SequenceStep[],
): EpochOutput[] {
  const outputs: EpochOutput[] = [];
  let state = initialState;
  for (const step of steps) {
    for (const op of step.ops) state = applyOp(state, op);
    state = { ...state, currentBlock: step.currentBlock };
    const output = runEpoch({ hyperparams, state });
    outputs.push(output);
    state = carryAfterEpoch(state, output);
  }
  return outputs;
}

function cloneState(state: EpochState): MutableState {
  return {
    ...state,
    lastUpdate: [...state.lastUpdate],
    blockAtRegistration: [...state.blockAtRegistration],
    alphaStake: [...state.alphaStake],
    taoStake: [...state.taoStake],
    validatorPermit: [...state.validatorPermit],
    weights: [...state.weights],
    bonds: [...state.bonds],
  };
}
