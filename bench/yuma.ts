/**
 * `yuma`: one Yuma epoch (src/yuma) against the memory-bound floor, a plain sparse mat-vec over
 * the same weights, measured side by side in one run (../shared/design/PERFORMANCE.md).
 */
import { runEpoch, vecU16MaxUpscaleToU16, type EpochHyperparams, type EpochInput, type EpochState } from "../src/yuma/index.js";
import { EMPTY_ROW, rowFromPairs } from "../src/yuma/sparse.js";
import { measure, prng, type BenchLine } from "./harness.js";

const NEW_SUBNET: EpochHyperparams = {
  kappa: 32767,
  bondsPenalty: 65535,
  bondsMovingAverage: 900_000n,
  yuma3: true,
  liquidAlpha: false,
  alphaLow: 45875,
  alphaHigh: 58982,
  alphaSigmoidSteepness: 1000,
  commitRevealEnabled: true,
  tempo: 360,
  activityCutoffFactorMilli: 13889,
  maxAllowedValidators: 256,
  stakeThreshold: 0n,
  taoWeightU64: 971_718_665_099_567_868n,
};

/** A subnet of n uids whose first v hold stake and weight a random half of all uids. */
export function makeEpochInput(n: number, validators: number, hyperparams: EpochHyperparams, seed = 1): EpochInput {
  const random = prng(seed);
  const weights = Array.from({ length: n }, (_, uid) => {
    if (uid >= validators) return EMPTY_ROW;
    const dests: number[] = [];
    for (let j = 0; j < n; j++) if (random() < 0.5) dests.push(j);
    const stored = vecU16MaxUpscaleToU16(dests.map(() => 1 + Math.floor(random() * 65535)));
    return rowFromPairs(dests.map((dest, k) => [dest, stored[k]!] as const));
  });
  const state: EpochState = {
    n,
    currentBlock: 10_000,
    lastMechanismStepBlock: 9_640,
    lastUpdate: Array.from({ length: n }, () => 9_700 + Math.floor(random() * 300)),
    blockAtRegistration: Array.from({ length: n }, () => Math.floor(random() * 5_000)),
    alphaStake: Array.from({ length: n }, (_, uid) => (uid < validators ? BigInt(1 + Math.floor(random() * 1e6)) * 1_000_000_000n : 0n)),
    taoStake: Array.from({ length: n }, (_, uid) => (uid < validators ? BigInt(Math.floor(random() * 1e5)) * 1_000_000_000n : 0n)),
    ownerUid: null,
    validatorPermit: Array.from({ length: n }, (_, uid) => uid < validators),
    weights,
    bonds: Array.from({ length: n }, () => EMPTY_ROW),
    raoEmission: 360n * 1_000_000_000n,
  };
  // One epoch first, so that bonds carry real values as they would on a running subnet.
  const warm = runEpoch({ hyperparams: { ...hyperparams, maxAllowedValidators: validators }, state });
  return {
    hyperparams: { ...hyperparams, maxAllowedValidators: validators },
    state: { ...state, bonds: warm.bonds, validatorPermit: warm.newValidatorPermit },
  };
}

/** The floor: y_j += w_ij · x_i over the same weights, in floats, no masks or rounding. */
function makeMatVec(input: EpochInput): () => number {
  const rows = input.state.weights;
  const x = Float64Array.from({ length: input.state.n }, (_, i) => (i + 1) / input.state.n);
  const y = new Float64Array(input.state.n);
  return () => {
    y.fill(0);
    for (let i = 0; i < rows.length; i++) {
      const { cols, vals } = rows[i]!;
      const xi = x[i]!;
      for (let k = 0; k < cols.length; k++) y[cols[k]!]! += vals[k]! * xi;
    }
    return y[0]!;
  };
}

export async function benchYuma(): Promise<BenchLine[]> {
  const lines: BenchLine[] = [];
  const sizes: Array<[number, number]> = [
    [256, 64],
    [1024, 128],
    [4096, 256],
  ];
  const variants: Array<[string, Partial<EpochHyperparams>]> = [
    ["yuma3", {}],
    ["yuma3+liquid-alpha", { liquidAlpha: true }],
    ["original-yuma", { yuma3: false }],
  ];
  for (const [n, validators] of sizes) {
    for (const [label, overrides] of variants) {
      const input = makeEpochInput(n, validators, { ...NEW_SUBNET, ...overrides });
      const floor = measure(makeMatVec(input), { minRuns: 20, minMs: 300 });
      const epoch = measure(() => runEpoch(input), { minRuns: 5, minMs: 1500 });
      const nnz = input.state.weights.reduce((total, row) => total + row.cols.length, 0);
      lines.push({
        name: `yuma ${label} n=${n} validators=${validators} nnz=${nnz}`,
        figures: { epoch_ms: epoch.medianMs, floor_ms: floor.medianMs, ratio_to_floor: epoch.medianMs / floor.medianMs },
        goal: n === 256 && label === "yuma3" ? "ratio ≤ 30, ≤ 5 ms" : n === 4096 && label === "yuma3" ? "ratio ≤ 30, ≤ 100 ms" : undefined,
      });
    }
  }
  return lines;
}
