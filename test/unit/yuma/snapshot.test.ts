import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readSnapshot, SnapshotError } from "../../../src/yuma/index.js";

const hyperparams = {
  kappa_u16: 32767n,
  bonds_penalty_u16: 65535n,
  bonds_moving_average: 900000n,
  yuma3: true,
  liquid_alpha: false,
  alpha_low_u16: 45875n,
  alpha_high_u16: 58982n,
  alpha_sigmoid_steepness: 1000n,
  tempo: 100n,
  activity_cutoff_factor_milli: 13889n,
  stake_threshold: 0n,
  tao_weight_u64: 0n,
  commit_reveal_enabled: false,
  owner_uid: null,
  max_allowed_validators: 64n,
  mechanism_count: 1n,
};

const state = {
  n: 2n,
  current_block: 100n,
  tempo: 100n,
  activity_cutoff_factor_milli: 13889n,
  last_mechanism_step_block: 0n,
  last_update: [99n, 99n],
  block_at_registration: [0n, 0n],
  alpha_stake: ["18446744073709551615", 0n],
  tao_stake: [0n, 0n],
  tao_weight_u64: 0n,
  stake_threshold: 0n,
  owner_uid: null,
  validator_permit: [true, false],
  max_allowed_validators: 64n,
  weights: [[[1n, 65535n]], []],
  bonds: [[], []],
  rao_emission: 1000000000n,
};

function problemOf(document: unknown): string {
  try {
    readSnapshot(document);
  } catch (error) {
    assert.ok(error instanceof SnapshotError, `expected a SnapshotError, got ${String(error)}`);
    return error.message;
  }
  assert.fail("the snapshot was accepted");
}

describe("reading a Yuma snapshot", () => {
  it("accepts a valid one-epoch snapshot, with u64 values as decimal strings", () => {
    const snapshot = readSnapshot({ hyperparams, state, note: "ignored" });
    assert.equal(snapshot.kind, "epoch");
    assert.equal(snapshot.kind === "epoch" && snapshot.state.alphaStake[0], 18446744073709551615n);
  });

  it("names the JSON path of a row whose length does not match n", () => {
    assert.equal(problemOf({ hyperparams, state: { ...state, last_update: [1n] } }), "state.last_update: expected 2 entries (n = 2), got 1");
  });

  it("rejects a uid out of range", () => {
    assert.equal(problemOf({ hyperparams, state: { ...state, weights: [[[2n, 1n]], []] } }), "state.weights[0][0][0]: uid 2 is out of range (n = 2)");
  });

  it("rejects a negative stake", () => {
    assert.match(problemOf({ hyperparams, state: { ...state, alpha_stake: [-1n, 0n] } }), /^state\.alpha_stake\[0\]: -1 is below the minimum 0/);
  });

  it("rejects an unknown key and a missing one", () => {
    assert.match(problemOf({ hyperparams: { ...hyperparams, kapa: 1n }, state }), /^hyperparams\.kapa: unknown key/);
    const { rao_emission: _dropped, ...withoutEmission } = state;
    assert.equal(problemOf({ hyperparams, state: withoutEmission }), "state.rao_emission: missing required key");
  });

  it("rejects a value that disagrees between hyperparams and state, and a wrong derived key", () => {
    assert.match(problemOf({ hyperparams, state: { ...state, tempo: 360n } }), /^state\.tempo: 360 disagrees with hyperparams\.tempo 100/);
    assert.match(problemOf({ hyperparams, state: { ...state, activity_cutoff_blocks: 5n } }), /^state\.activity_cutoff_blocks: 5 disagrees/);
    assert.match(problemOf({ hyperparams: { ...hyperparams, kappa_fixed_raw_I32F32: 1n }, state }), /^hyperparams\.kappa_fixed_raw_I32F32: 1 disagrees/);
  });

  it("checks sequence ops, including that stored weights are what set_weights would store", () => {
    const steps = [{ ops: [{ op: "set_weights", uid: 0n, dests: [1n], values_submitted: [5n], values_stored: [5n], last_update_set_to: 1n }], current_block: 2n }];
    assert.match(problemOf({ hyperparams, initial_state: state, steps }), /^steps\[0\]\.ops\[0\]\.values_stored: \[5\] is not what set_weights stores/);
    const unknownOp = [{ ops: [{ op: "burn", uid: 0n }], current_block: 2n }];
    assert.match(problemOf({ hyperparams, initial_state: state, steps: unknownOp }), /^steps\[0\]\.ops\[0\]\.op: unknown op "burn"/);
  });
});
