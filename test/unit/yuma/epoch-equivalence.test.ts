/**
 * The fused epoch equals the previous implementation (test/unit/yuma/previous, frozen before the
 * rewrite) bit for bit, output by output, on random subnets that reach every branch: both bond
 * models, liquid alpha, commit–reveal, owners, thresholds, bonds penalties between 0 and 1,
 * unsorted rows, repeated and out-of-range destinations, explicit zero weights, empty epochs.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { prng } from "../../../src/util/prng.js";
import { runEpoch, type EpochHyperparams, type EpochInput, type EpochOutput, type EpochState, type U16Row } from "../../../src/yuma/index.js";
import { runEpoch as previousRunEpoch } from "./previous/epoch.js";

type Random = () => number;

const int = (random: Random, below: number): number => Math.floor(random() * below);
const pick = <T>(random: Random, choices: readonly T[]): T => choices[int(random, choices.length)]!;

function u16Value(random: Random): number {
  return pick(random, [0, 1, 65535, 32768, 32767, int(random, 65536), int(random, 65536), int(random, 65536)]);
}

/** A stored row: sorted or in submission order, sometimes with repeated or out-of-range destinations. */
function randomRow(random: Random, n: number, density: number): U16Row {
  const cols: number[] = [];
  for (let j = 0; j < n; j++) if (random() < density) cols.push(j);
  if (random() < 0.4) cols.sort(() => random() - 0.5);
  if (random() < 0.1 && cols.length > 0) cols.push(pick(random, cols));
  if (random() < 0.05) cols.push(n + int(random, 3));
  const common = u16Value(random);
  const vals = cols.map(() => (random() < 0.2 ? common : u16Value(random)));
  return { cols: Int32Array.from(cols), vals: Float64Array.from(vals) };
}

function randomStake(random: Random): bigint {
  const magnitude = pick(random, [0n, 1n, 1_000n, 1_000_000_000n, 10n ** 15n, 10n ** 18n]);
  return random() < 0.25 ? 0n : magnitude + BigInt(int(random, 1_000_000)) * (magnitude / 1000n + 1n);
}

function randomInput(random: Random, maxN: number): EpochInput {
  const n = 1 + int(random, maxN);
  const density = pick(random, [0.1, 0.5, 0.9, 1]);
  const validators = 1 + int(random, n);
  const currentBlock = 1000 + int(random, 2000);
  const tempo = pick(random, [1, 10, 100, 360, 5000]);
  const commitReveal = random() < 0.3;
  const hyperparams: EpochHyperparams = {
    kappa: pick(random, [0, 1, 32767, 65535, int(random, 65536)]),
    bondsPenalty: pick(random, [0, 65535, 65535, int(random, 65536)]),
    bondsMovingAverage: pick(random, [0n, 900_000n, 975_000n, 1_000_000n, BigInt(int(random, 1_000_001))]),
    yuma3: random() < 0.6,
    liquidAlpha: random() < 0.4,
    alphaLow: pick(random, [0, 1638, 45875, int(random, 65536)]),
    alphaHigh: pick(random, [58982, 65535, int(random, 65536)]),
    alphaSigmoidSteepness: pick(random, [0, 1000, 10, -1000, int(random, 65536) - 32768]),
    commitRevealEnabled: commitReveal,
    tempo,
    activityCutoffFactorMilli: pick(random, [1000, 13889, 50000]),
    maxAllowedValidators: pick(random, [1, 2, validators, n, n + 5]),
    stakeThreshold: pick(random, [0n, 0n, 1_000n, 10n ** 15n]),
    taoWeightU64: pick(random, [0n, 971_718_665_099_567_868n, (1n << 64n) - 1n]),
  };
  const permitLength = random() < 0.2 ? int(random, n + 1) : n;
  const state: EpochState = {
    n,
    currentBlock,
    lastMechanismStepBlock: random() < 0.3 ? 0 : currentBlock - 1 - int(random, 500),
    lastUpdate: Array.from({ length: random() < 0.1 ? int(random, n + 1) : n }, () => (random() < 0.1 ? 0 : currentBlock - int(random, 8000))),
    blockAtRegistration: Array.from({ length: n }, () => (random() < 0.3 ? 0 : int(random, currentBlock + 10))),
    alphaStake: Array.from({ length: n }, (_, uid) => (uid < validators || random() < 0.1 ? randomStake(random) : 0n)),
    taoStake: Array.from({ length: n }, () => (random() < 0.3 ? randomStake(random) : 0n)),
    ownerUid: random() < 0.4 ? int(random, n) : null,
    validatorPermit: Array.from({ length: permitLength }, (_, uid) => uid < validators || random() < 0.2),
    weights: Array.from({ length: random() < 0.1 ? int(random, n + 1) : n }, (_, uid) =>
      uid < validators || random() < 0.1 ? randomRow(random, n, density) : { cols: new Int32Array(0), vals: new Float64Array(0) },
    ),
    bonds: Array.from({ length: n }, (_, uid) => (uid < validators && random() < 0.8 ? randomRow(random, n, density) : { cols: new Int32Array(0), vals: new Float64Array(0) })),
    raoEmission: pick(random, [0n, 1n, 360_000_000_000n, (1n << 64n) - 1n, BigInt(int(random, 2 ** 40))]),
    commitBlocks:
      commitReveal && random() < 0.8
        ? Array.from({ length: random() < 0.2 ? int(random, n + 1) : n }, () => (random() < 0.4 ? Number.POSITIVE_INFINITY : int(random, currentBlock + 5)))
        : undefined,
  };
  return { hyperparams, state };
}

/** Every output as plain arrays, typed arrays and bigints included, for deep equality. */
function plain(output: EpochOutput): unknown {
  const rows = (matrix: readonly U16Row[]) => matrix.map((row) => [Array.from(row.cols), Array.from(row.vals)]);
  return {
    ...output,
    bonds: rows(output.bonds),
    raw: { consensus: Array.from(output.raw.consensus), incentive: Array.from(output.raw.incentive), dividends: Array.from(output.raw.dividends) },
  };
}

function assertSameAsPrevious(input: EpochInput, label: string): void {
  assert.deepStrictEqual(plain(runEpoch(input)), plain(previousRunEpoch(input)), label);
}

describe("the fused epoch is the previous epoch, bit for bit", () => {
  it("on 3000 small random subnets across every hyperparameter branch", () => {
    const random = prng(2024);
    for (let trial = 0; trial < 3000; trial++) assertSameAsPrevious(randomInput(random, 12), `trial ${trial}`);
  });

  it("on 200 mid-sized random subnets (dense rows, many validators)", () => {
    const random = prng(77);
    for (let trial = 0; trial < 200; trial++) assertSameAsPrevious(randomInput(random, 90), `trial ${trial}`);
  });

  it("on 30 large random subnets (columns of hundreds of validators: consensus by stake histogram)", () => {
    const random = prng(31);
    for (let trial = 0; trial < 30; trial++) assertSameAsPrevious(randomInput(random, 400), `trial ${trial}`);
  });

  it("on consecutive epochs of one subnet, its own bonds carried over and left as they were", () => {
    const random = prng(5);
    const copy = (rows: readonly U16Row[]) => rows.map((row) => [Array.from(row.cols), Array.from(row.vals)]);
    for (let trial = 0; trial < 40; trial++) {
      let input = randomInput(random, 60);
      for (let epoch = 0; epoch < 4; epoch++) {
        const carried = copy(input.state.bonds);
        const output = runEpoch(input);
        assert.deepStrictEqual(plain(output), plain(previousRunEpoch(input)), `trial ${trial} epoch ${epoch}`);
        assert.deepStrictEqual(copy(input.state.bonds), carried, `trial ${trial} epoch ${epoch}: the input's bonds were changed`);
        const state = input.state;
        input = { ...input, state: { ...state, currentBlock: state.currentBlock + input.hyperparams.tempo, bonds: output.bonds, validatorPermit: output.newValidatorPermit } };
      }
    }
  });
});

describe("stake weights, at the saturation edges", () => {
  it("equal the previous computation for stakes around 2^63 and totals around 2^95", async () => {
    const { computeStakeWeights } = await import("../../../src/yuma/stake.js");
    const { computeStakeWeights: previous } = await import("./previous/stake.js");
    const random = prng(9);
    const edges = [0n, 1n, (1n << 62n) - 1n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n, 1n << 40n];
    for (let trial = 0; trial < 2000; trial++) {
      const n = 1 + Math.floor(random() * 6);
      const pickStake = (): bigint => edges[Math.floor(random() * edges.length)]! - BigInt(Math.floor(random() * 3));
      const inputs = {
        alphaStake: Array.from({ length: n }, () => { const v = pickStake(); return v < 0n ? 0n : v; }),
        taoStake: Array.from({ length: n }, () => { const v = random() < 0.5 ? 0n : pickStake(); return v < 0n ? 0n : v; }),
        taoWeightU64: [0n, 971_718_665_099_567_868n, (1n << 64n) - 1n][trial % 3]!,
        stakeThreshold: [0n, 1n << 30n, 1n << 62n, (1n << 64n) - 1n][Math.floor(random() * 4)]!,
        ownerUid: random() < 0.5 ? Math.floor(random() * n) : null,
      };
      const now = computeStakeWeights(inputs);
      const before = previous(inputs);
      assert.deepStrictEqual([now.totalStake, Array.from(now.stake), now.stakeRao], [before.totalStake, Array.from(before.stake), before.stakeRao], `trial ${trial}`);
    }
  });
});
