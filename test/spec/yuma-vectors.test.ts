/**
 * Every vector of ../shared/reference/yuma-vectors.json runs through src/yuma. `emulator_exact`
 * must match bit for bit; `expected` (values subtensor's own tests assert) within the vector's
 * tolerance. A vector no test claims fails the run, and so does a claim on a missing vector.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  dividendAlphaRootSplit,
  fixed,
  rawVectors,
  readSnapshot,
  runEpoch,
  runSequence,
  splitBlockEmission,
  toVectorFormat,
  vecU16MaxUpscaleToU16,
  weightedMedian,
  weightedMedianColSparse,
  type EpochHyperparams,
  type EpochOutput,
  type EpochState,
} from "../../src/yuma/index.js";
import { rootProportion, taoWeightU96, u96 } from "../../src/yuma/coinbase.js";
import { matEmaAlphaRow } from "../../src/yuma/math.js";
import { EMPTY_ROW, matrixFromPairs, matrixToPairs } from "../../src/yuma/sparse.js";
import { loadYumaVectors, type YumaVector } from "./yuma-vectors.js";

const { vectors } = loadYumaVectors();

type Check = (vector: YumaVector) => void;

/** Plain JSON view (bigints as numbers when safe, else strings) for deep equality. */
function plain(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) =>
      typeof v === "bigint" ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v,
    ),
  );
}

function runVectorEpochs(vector: YumaVector): EpochOutput[] {
  const snapshot = readSnapshot({ hyperparams: vector.hyperparams, ...(vector.inputs as object) });
  return snapshot.kind === "epoch"
    ? [runEpoch({ hyperparams: snapshot.hyperparams, state: snapshot.state })]
    : runSequence(snapshot.hyperparams, snapshot.initialState, snapshot.steps);
}

function denseBonds(output: EpochOutput): number[][] {
  const n = output.bonds.length;
  return output.bonds.map((row) => {
    const dense = new Array<number>(n).fill(0);
    row.cols.forEach((col, k) => {
      dense[col] = row.vals[k]!;
    });
    return dense;
  });
}

/** Reads an `expected` key such as `dividends_u16[0..2]`, `bonds_dense[0..4][7]` or `bonds[1][2..4]`. */
function selectExpected(output: EpochOutput, key: string): unknown {
  const match = /^([a-z_0-9]+)((?:\[\d+(?:\.\.\d+)?\])*)$/.exec(key);
  assert.ok(match, `unsupported expected key ${key}`);
  const [, name, indexText] = match;
  const source: Record<string, unknown> = {
    ...toVectorFormat(output),
    bonds_dense: denseBonds(output),
    bonds: denseBonds(output),
  };
  assert.ok(name! in source, `expected key ${key} names no output`);
  const indices = [...indexText!.matchAll(/\[(\d+)(?:\.\.(\d+))?\]/g)].map((m) => ({
    from: Number(m[1]),
    to: m[2] === undefined ? undefined : Number(m[2]),
  }));
  const pick = (list: unknown[], { from, to }: { from: number; to: number | undefined }): unknown =>
    to === undefined ? list[from] : list.slice(from, to);
  const value = source[name!] as unknown[];
  const [rowIndex, colIndex] = indices;
  if (!rowIndex) return value;
  const rows = pick(value, rowIndex);
  if (!colIndex) return rows;
  // Matrices: the first index picks rows, the second picks columns of each picked row.
  return rowIndex.to === undefined ? pick(rows as unknown[], colIndex) : (rows as unknown[][]).map((row) => pick(row, colIndex));
}

function assertClose(actual: number, expectedValue: unknown, tolerance: number, what: string): void {
  const expected = Number(expectedValue as number | bigint);
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);
}

const checkEpochVector: Check = (vector) => {
  const outputs = runVectorEpochs(vector);
  const exact = (Array.isArray(vector.emulator_exact) ? vector.emulator_exact : [vector.emulator_exact]) as Array<Record<string, unknown>>;
  assert.equal(outputs.length, exact.length, "one output per epoch");
  outputs.forEach((output, step) => {
    const actual = { ...toVectorFormat(output), ...rawVectors(output) } as Record<string, unknown>;
    for (const [key, value] of Object.entries(exact[step]!)) {
      assert.deepEqual(plain(actual[key]), plain(value), `${vector.name} step ${step}: ${key} (emulator_exact)`);
    }
  });

  const expected = (Array.isArray(vector.expected) ? vector.expected : [vector.expected]) as Array<Record<string, unknown>>;
  const tolerance = vector.tolerance;
  expected.forEach((targets, step) => {
    const output = outputs[step]!;
    for (const [key, target] of Object.entries(targets)) {
      if (key === "dividends_fraction") {
        const limit = (tolerance as { dividends_fraction: number }).dividends_fraction;
        (target as number[]).forEach((t, uid) =>
          assertClose(fixed.toFloat(fixed.u16ProportionToFixed(output.dividends[uid]!)), t, limit, `${vector.name} step ${step} dividends[${uid}]`),
        );
      } else if (key === "bonds_fraction_validators_x_servers__NOT_ASSERTED_UPSTREAM") {
        const dense = denseBonds(output);
        (target as number[][]).forEach((row, i) =>
          row.forEach((t, k) => assertClose(dense[i]![3 + k]! / 65535, t, 1e-3, `${vector.name} step ${step} bond[${i}][${3 + k}]`)),
        );
      } else {
        assert.equal(Number(tolerance), 0, `${vector.name}: exact key ${key} needs tolerance 0`);
        assert.deepEqual(plain(selectExpected(output, key)), plain(target), `${vector.name} step ${step}: ${key} (expected)`);
      }
    }
  });
};

// ---------------------------------------------------------------------------------------------
// Vectors that are not a snapshot: built from their description.

const DEFAULTS: EpochHyperparams = {
  kappa: 32767,
  bondsPenalty: 65535,
  bondsMovingAverage: 900_000n,
  yuma3: false,
  liquidAlpha: false,
  alphaLow: 45875,
  alphaHigh: 58982,
  alphaSigmoidSteepness: 1000,
  commitRevealEnabled: false,
  tempo: 65534,
  activityCutoffFactorMilli: 13889,
  maxAllowedValidators: 64,
  stakeThreshold: 0n,
  taoWeightU64: 0n,
};

function blankState(n: number, overrides: Partial<EpochState>): EpochState {
  return {
    n,
    currentBlock: 1,
    lastMechanismStepBlock: 0,
    lastUpdate: new Array(n).fill(0),
    blockAtRegistration: new Array(n).fill(0),
    alphaStake: new Array(n).fill(0n),
    taoStake: new Array(n).fill(0n),
    ownerUid: null,
    validatorPermit: new Array(n).fill(false),
    weights: new Array(n).fill(EMPTY_ROW),
    bonds: new Array(n).fill(EMPTY_ROW),
    raoEmission: 1_000_000_000n,
    ...overrides,
  };
}

const checkGraph512: Check = (vector) => {
  const n = 512;
  const asNumbers = (o: Record<string, unknown>): Record<string, number> =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === "string" ? Number.NaN : Number(v as bigint)]));
  const validators = 64;
  const raw = vector.expected as { validator: Record<string, unknown>; server: Record<string, unknown> };
  const expected = { validator: asNumbers(raw.validator), server: asNumbers(raw.server) };
  assert.equal(raw.server.bonds_row, "all 0");
  const hyperparams: EpochHyperparams = { ...DEFAULTS, maxAllowedValidators: validators };
  for (const serverSelf of [false, true]) {
    const stake = Array.from({ length: n }, (_, uid) => (uid < validators ? 328_125_000_000_000n : 0n));
    let state = blankState(n, { alphaStake: stake });
    const permits = runEpoch({ hyperparams, state }).newValidatorPermit; // epoch 0 issues permits
    const [stored] = [vecU16MaxUpscaleToU16([Math.floor(65535 / n)])];
    const servers = Array.from({ length: n - validators }, (_, k) => [validators + k, stored![0]!] as const);
    state = {
      ...state,
      validatorPermit: permits,
      weights: matrixFromPairs(
        Array.from({ length: n }, (_, uid) => (uid < validators ? servers : serverSelf ? [[uid, 65535] as const] : [])),
      ),
      lastUpdate: new Array(n).fill(1),
    };
    let output = runEpoch({ hyperparams, state });
    for (let epoch = 1; epoch < 3; epoch++) {
      state = { ...state, bonds: output.bonds, validatorPermit: output.newValidatorPermit };
      output = runEpoch({ hyperparams, state });
    }
    const bonds = denseBonds(output);
    for (let uid = 0; uid < n; uid++) {
      const label = `server_self=${serverSelf} uid ${uid}`;
      if (uid < validators) {
        assert.equal(output.consensus[uid], expected.validator.consensus_u16, label);
        assert.equal(output.incentive[uid], expected.validator.incentive_u16, label);
        assert.equal(output.dividends[uid], expected.validator.dividends_u16, label);
        assert.equal(output.emission[uid], BigInt(expected.validator.emission_combined!), label);
        for (let j = 0; j < n; j++) {
          assert.equal(bonds[uid]![j], j < validators ? expected.validator.bond_to_validator : expected.validator.bond_to_server, `${label} bond to ${j}`);
        }
      } else {
        assert.equal(output.consensus[uid], expected.server.consensus_u16, label);
        assert.equal(output.incentive[uid], expected.server.incentive_u16, label);
        assert.equal(output.dividends[uid], expected.server.dividends_u16, label);
        assert.equal(output.emission[uid], BigInt(expected.server.emission_combined!), label);
        assert.ok(bonds[uid]!.every((b) => b === 0), `${label}: bonds row all 0`);
      }
    }
  }
};

const checkValidatorPermits: Check = (vector) => {
  const cases = (vector.inputs as { cases: Array<Record<string, unknown>> }).cases;
  for (const c of cases) {
    const n = Number(c.n);
    const hyperparams: EpochHyperparams = {
      ...DEFAULTS,
      maxAllowedValidators: Number(c.max_allowed_validators),
      stakeThreshold: BigInt(c.stake_threshold as bigint),
    };
    const stakes = (key: string): bigint[] => (c[key] as Array<bigint | number>).map((v) => BigInt(v));
    const first = runEpoch({ hyperparams, state: blankState(n, { alphaStake: stakes("alpha_stake_epoch1") }) });
    assert.deepEqual(first.newValidatorPermit, c.expected_permits_epoch1, `n=${n} epoch 1`);
    const second = runEpoch({
      hyperparams,
      state: blankState(n, { alphaStake: stakes("alpha_stake_epoch2"), validatorPermit: first.newValidatorPermit }),
    });
    assert.deepEqual(second.newValidatorPermit, c.expected_permits_epoch2, `n=${n} epoch 2`);
  }
};

const num = (v: unknown): number => Number(v as bigint | number);

const checkWeightedMedian: Check = (vector) => {
  const cases = (vector.inputs as { cases: Array<Record<string, unknown>> }).cases;
  cases.forEach((c, k) => {
    const stake = (c.stake_raw_I32F32 as unknown[]).map(num);
    const score = (c.score_raw_I32F32 as unknown[]).map(num);
    const median = weightedMedian(
      stake,
      score,
      stake.map((_, i) => i),
      num(c.minority_raw_I32F32),
      num(c.partition_lo_raw),
      num(c.partition_hi_raw),
    );
    assert.equal(median, num(c.expected_median_raw_I32F32), `case ${k}`);
  });
};

/** `I32F32::from_num(f32)`: the literal is an f32 first. */
const fromF32 = (value: number): number => fixed.fromFloat(Math.fround(value));

const checkWeightedMedianCol: Check = (vector) => {
  const cases = (vector.inputs as { cases: Array<Record<string, unknown>> }).cases;
  cases.forEach((c, k) => {
    const stake = Float64Array.from(c.stake_f32 as number[], fromF32);
    const rows = (c.weights_rows_f32 as number[][]).map((row) =>
      row.flatMap((w, col) => (fromF32(w) > 0 ? [[col, fromF32(w)] as const] : [])),
    );
    const median = weightedMedianColSparse(stake, matrixFromPairs(rows), num(c.columns), num(c.majority_raw_I32F32));
    assert.deepEqual(Array.from(median), (c.expected_raw_I32F32 as unknown[]).map(num), `case ${k}`);
  });
};

const checkMaxUpscale: Check = (vector) => {
  const cases = (vector.inputs as { cases: Array<{ input_u16: unknown[]; expected_u16: unknown[] }> }).cases;
  cases.forEach((c, k) => assert.deepEqual(vecU16MaxUpscaleToU16(c.input_u16.map(num)), c.expected_u16.map(num), `case ${k}`));
};

const checkMatEmaAlpha: Check = (vector) => {
  const inputs = vector.inputs as { old_bonds_sparse: number[][][]; new_weights_sparse: number[][][] };
  const toRows = (rows: number[][][]) => matrixFromPairs(rows.map((row) => row.map(([col, v]) => [num(col), fromF32(num(v))] as const)));
  const oldBonds = toRows(inputs.old_bonds_sparse);
  const newWeights = toRows(inputs.new_weights_sparse);
  const columns = 3;
  const alpha = fromF32(0.1);
  const scratch = { decayed: new Float64Array(columns), marks: new Uint8Array(columns) };
  const result = newWeights.map((row, i) => matEmaAlphaRow(row, oldBonds[i]!, () => alpha, columns, scratch));
  const exact = (vector.emulator_exact as { result_raw_I32F32: unknown[][][] }).result_raw_I32F32;
  assert.deepEqual(matrixToPairs(result, (raw) => raw), exact.map((row) => row.map(([c, v]) => [num(c), num(v)])));
  const expected = (vector.expected as { result_sparse: number[][][] }).result_sparse;
  const asFloats = matrixToPairs(result, fixed.toFloat);
  assert.equal(asFloats.length, expected.length);
  expected.forEach((row, i) => {
    assert.equal(asFloats[i]!.length, row.length, `row ${i} structure`);
    row.forEach(([col, v], k) => {
      assert.equal(asFloats[i]![k]![0], num(col));
      assertClose(asFloats[i]![k]![1], num(v), vector.tolerance as number, `cell (${i}, ${num(col)})`);
    });
  });
};

const checkPerBlockSplit: Check = (vector) => {
  const cases = (vector.inputs as { cases: Array<Record<string, unknown>> }).cases;
  const exact = vector.emulator_exact as Array<Record<string, unknown>>;
  const expected = vector.expected as Array<Record<string, unknown>>;
  const tolerance = vector.tolerance as Record<string, number>;
  cases.forEach((c, k) => {
    // Case 0 derives root_proportion 0.25 from root TAO 1e9 at weight 1.0 against alpha issuance 3e9.
    const proportion = k === 0 ? rootProportion(1_000_000_000n, taoWeightU96(fixed.U64_MAX), 3_000_000_000n) : 0n;
    const split = splitBlockEmission({
      alphaOut: BigInt(c.alpha_out_rao as bigint),
      subnetOwnerCutU16: num(c.subnet_owner_cut_u16),
      ownerCutEnabled: true,
      rootProportion: proportion,
      rootSellFlag: c.root_sell_flag as boolean,
    });
    const actual: Record<string, bigint> = {
      owner_cut: split.ownerCut,
      pending_server: split.pendingServer,
      pending_validator: split.pendingValidator,
      pending_root_alpha_divs: split.pendingRootAlphaDivs,
      recycled_root_alpha: split.recycledRootAlpha,
    };
    for (const [key, value] of Object.entries(exact[k]!)) assert.equal(actual[key], BigInt(value as bigint), `case ${k} ${key} (emulator_exact)`);
    for (const [key, value] of Object.entries(expected[k]!)) {
      assertClose(Number(actual[key]), num(value), tolerance[`case${k}`]!, `case ${k} ${key} (expected)`);
    }
  });
};

const checkDividendSplit: Check = (vector) => {
  const inputs = vector.inputs as Record<string, Record<string, unknown[]> | unknown>;
  const stakeMap = inputs.stake_map_alpha_root as Record<string, unknown[]>;
  const dividends = inputs.epoch_dividends as Record<string, unknown>;
  const taoWeight = BigInt(fixed.fromFloat((vector.hyperparams as { tao_weight: number }).tao_weight));
  const split = dividendAlphaRootSplit({
    pendingAlpha: BigInt(inputs.pending_validator_alpha as bigint),
    pendingRootAlpha: BigInt(inputs.pending_root_alpha as bigint),
    taoWeight,
    stake: new Map(Object.entries(stakeMap).map(([hk, [a, r]]) => [hk, [BigInt(a as bigint), BigInt(r as bigint)] as const])),
    dividends: new Map(Object.entries(dividends).map(([hk, d]) => [hk, u96.fromInt(BigInt(d as bigint))])),
  });
  const total = (m: Map<string, bigint>): bigint => [...m.values()].reduce((a, b) => a + b, 0n);
  const exact = vector.emulator_exact as Record<string, Record<string, number> | number>;
  assert.equal(u96.toU64(total(split.alphaDividends)), BigInt(exact.sum_alpha_u64 as number));
  assert.equal(u96.toU64(total(split.rootAlphaDividends)), BigInt(exact.sum_root_u64 as number));
  for (const [hk, value] of Object.entries(exact.alpha_dividends_U96F32_as_float as Record<string, number>)) {
    assertClose(Number(split.alphaDividends.get(hk)!) / 2 ** 32, value, 1e-3, `alpha dividends of ${hk}`);
  }
  for (const [hk, value] of Object.entries(exact.root_alpha_dividends_U96F32_as_float as Record<string, number>)) {
    assertClose(Number(split.rootAlphaDividends.get(hk)!) / 2 ** 32, value, 1e-3, `root dividends of ${hk}`);
  }
  const expected = vector.expected as Record<string, unknown>;
  const limit = vector.tolerance as number;
  assertClose(Number(u96.toU64(total(split.alphaDividends))), num(expected.sum_alpha_dividends), limit, "Σ alpha dividends");
  assertClose(Number(u96.toU64(total(split.rootAlphaDividends))), num(expected.sum_root_alpha_dividends), limit, "Σ root dividends");
};

const CLAIMS: Record<string, Check> = {
  unit_weighted_median: checkWeightedMedian,
  unit_weighted_median_col: checkWeightedMedianCol,
  unit_weights_max_upscale_to_u16: checkMaxUpscale,
  graph_10_self_weights_only: checkEpochVector,
  zero_weights_fallback_sequence: checkEpochVector,
  active_stake_inactive_validator_sequence: checkEpochVector,
  bonds_ema_original_yuma_sequence: checkEpochVector,
  graph_512_uniform_weights: checkGraph512,
  validator_permits_topk_with_threshold: checkValidatorPermits,
  yuma3_liquid_alpha_kappa_moves_first: checkEpochVector,
  yuma3_liquid_alpha_kappa_moves_second: checkEpochVector,
  yuma3_liquid_alpha_kappa_moves_last: checkEpochVector,
  yuma3_liquid_alpha_one_epoch_switch: checkEpochVector,
  yuma3_liquid_alpha_disabled_one_epoch_switch: checkEpochVector,
  yuma3_liquid_alpha_stable_miner: checkEpochVector,
  yuma3_liquid_alpha_bonds_reset: checkEpochVector,
  unit_mat_ema_alpha_sparse_drops_unweighted_bonds: checkMatEmaAlpha,
  coinbase_per_block_split: checkPerBlockSplit,
  coinbase_dividend_alpha_root_split: checkDividendSplit,
  commit_reveal_mask_emulated: checkEpochVector,
};

describe("Yuma reference vectors (subtensor 14bc6f9f)", () => {
  it("has a claim for every vector and a vector for every claim", () => {
    const names = vectors.map((v) => v.name);
    assert.deepEqual(names.filter((name) => !(name in CLAIMS)), [], "vectors no test claims");
    assert.deepEqual(Object.keys(CLAIMS).filter((name) => !names.includes(name)), [], "claims on vectors that do not exist");
    assert.equal(names.length, 20);
  });

  for (const vector of vectors) {
    const check = CLAIMS[vector.name];
    it(vector.name, () => {
      assert.ok(check, `vector ${vector.name} is not claimed by any test`);
      check(vector);
    });
  }

  it("runs the 12 epoch vectors (those with a state) through the epoch", () => {
    const epochVectors = vectors.filter((v) => {
      const inputs = v.inputs as Record<string, unknown>;
      return "state" in inputs || "initial_state" in inputs;
    });
    assert.equal(epochVectors.length, 12);
    for (const v of epochVectors) assert.equal(CLAIMS[v.name], checkEpochVector, `${v.name} runs through the epoch`);
  });
});
