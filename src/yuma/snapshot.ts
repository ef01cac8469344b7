/**
 * Reads a Yuma snapshot (the format of ../shared/reference/yuma-vectors.json: `hyperparams` plus
 * `state`, or plus `initial_state` and `steps`) into typed epoch inputs, strictly: every problem
 * is reported as a `SnapshotError` naming the JSON path.
 *
 * The document must come from a lossless JSON parser: integers as bigint (u64 stakes exceed
 * 2^53), other numbers as number. Integers are also accepted as decimal strings.
 */
import { U64_MAX, u16ProportionToFixed } from "./fixed.js";
import { vecU16MaxUpscaleToU16 } from "./math.js";
import type { SequenceOp, SequenceStep } from "./sequence.js";
import { rowFromPairs } from "./sparse.js";
import { activityCutoffBlocks, type EpochHyperparams, type EpochState, type U16Row } from "./types.js";

export class SnapshotError extends Error {
  readonly code = "YUMA_SNAPSHOT_INVALID";
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path || "(top level)"}: ${problem}`);
    this.name = "SnapshotError";
  }
}

export type Snapshot =
  | { readonly kind: "epoch"; readonly hyperparams: EpochHyperparams; readonly state: EpochState }
  | {
      readonly kind: "sequence";
      readonly hyperparams: EpochHyperparams;
      readonly initialState: EpochState;
      readonly steps: SequenceStep[];
    };

const IGNORED_KEYS = new Set(["note", "notes", "label"]);
/** Largest block number carried exactly (blocks are u64 on chain; 2^53 blocks is ~3 billion years). */
const MAX_BLOCK = BigInt(Number.MAX_SAFE_INTEGER);
const U16 = 65535n;

type Obj = Record<string, unknown>;

function join(path: string, key: string | number): string {
  return typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

function fail(path: string, problem: string): never {
  throw new SnapshotError(path, problem);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "bigint") return `${value}`;
  if (typeof value === "string") return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return typeof value === "object" ? "an object" : `${String(value)}`;
}

function asObject(value: unknown, path: string): Obj {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(path, `expected an object, got ${describe(value)}`);
  return value as Obj;
}

function asArray(value: unknown, path: string, length?: number, lengthName = "n"): unknown[] {
  if (!Array.isArray(value)) fail(path, `expected an array, got ${describe(value)}`);
  if (length !== undefined && value.length !== length) {
    fail(path, `expected ${length} entries (${lengthName} = ${length}), got ${value.length}`);
  }
  return value;
}

function asBool(value: unknown, path: string): boolean {
  if (typeof value !== "boolean") fail(path, `expected true or false, got ${describe(value)}`);
  return value;
}

function asInteger(value: unknown, path: string, min: bigint, max: bigint, what: string): bigint {
  let integer: bigint;
  if (typeof value === "bigint") integer = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) integer = BigInt(value);
  else if (typeof value === "string" && /^-?\d+$/.test(value.trim())) integer = BigInt(value.trim());
  else fail(path, `expected ${what}, got ${describe(value)}`);
  if (integer < min) fail(path, `${integer} is below the minimum ${min} for ${what}`);
  if (integer > max) fail(path, `${integer} is above the maximum ${max} for ${what}`);
  return integer;
}

const u16 = (v: unknown, p: string): number => Number(asInteger(v, p, 0n, U16, "a u16 integer (0..65535)"));
const u32 = (v: unknown, p: string): number => Number(asInteger(v, p, 0n, 0xffffffffn, "a u32 integer"));
const i16 = (v: unknown, p: string): number => Number(asInteger(v, p, -32768n, 32767n, "an i16 integer"));
const u64 = (v: unknown, p: string): bigint => asInteger(v, p, 0n, U64_MAX, "a non-negative u64 integer");
const block = (v: unknown, p: string): number =>
  Number(asInteger(v, p, 0n, MAX_BLOCK, "a block number (0..2^53-1)"));

/** Checks keys: unknown ones are errors, ignored ones skipped, required ones present. */
function checkKeys(obj: Obj, path: string, required: readonly string[], optional: readonly string[] = []): void {
  const known = new Set([...required, ...optional]);
  for (const key of Object.keys(obj)) {
    if (!known.has(key) && !IGNORED_KEYS.has(key)) fail(join(path, key), `unknown key (expected one of: ${[...known].join(", ")})`);
  }
  for (const key of required) if (!(key in obj)) fail(join(path, key), "missing required key");
}

const HYPERPARAM_KEYS = [
  "kappa_u16",
  "bonds_penalty_u16",
  "bonds_moving_average",
  "yuma3",
  "liquid_alpha",
  "alpha_low_u16",
  "alpha_high_u16",
  "alpha_sigmoid_steepness",
  "tempo",
  "activity_cutoff_factor_milli",
  "stake_threshold",
  "tao_weight_u64",
  "commit_reveal_enabled",
  "owner_uid",
  "max_allowed_validators",
  "mechanism_count",
] as const;

const STATE_KEYS = [
  "n",
  "current_block",
  "tempo",
  "activity_cutoff_factor_milli",
  "last_mechanism_step_block",
  "last_update",
  "block_at_registration",
  "alpha_stake",
  "tao_stake",
  "tao_weight_u64",
  "stake_threshold",
  "owner_uid",
  "validator_permit",
  "max_allowed_validators",
  "weights",
  "bonds",
  "rao_emission",
] as const;

/** Keys that appear in both `hyperparams` and the state and must agree. */
const SHARED_KEYS = ["tempo", "activity_cutoff_factor_milli", "stake_threshold", "tao_weight_u64", "owner_uid", "max_allowed_validators"] as const;

function readOwner(value: unknown, path: string): number | null {
  return value === null ? null : u16(value, path);
}

function readHyperparams(value: unknown, path: string): EpochHyperparams {
  const obj = asObject(value, path);
  checkKeys(obj, path, HYPERPARAM_KEYS, ["kappa_fixed_raw_I32F32"]);
  const at = (key: string): [unknown, string] => [obj[key], join(path, key)];
  const kappa = u16(...at("kappa_u16"));
  if ("kappa_fixed_raw_I32F32" in obj) {
    const given = asInteger(...at("kappa_fixed_raw_I32F32"), -(1n << 63n), (1n << 63n) - 1n, "an I32F32 raw integer");
    const derived = u16ProportionToFixed(kappa);
    if (given !== BigInt(derived)) {
      fail(join(path, "kappa_fixed_raw_I32F32"), `${given} disagrees with kappa_u16 ${kappa}, which gives ${derived}`);
    }
  }
  const mechanismCount = u16(...at("mechanism_count"));
  if (mechanismCount !== 1) {
    fail(join(path, "mechanism_count"), `must be 1: the simulation runs the epoch of a single mechanism (got ${mechanismCount})`);
  }
  const alphaLow = u16(...at("alpha_low_u16"));
  const alphaHigh = u16(...at("alpha_high_u16"));
  if (alphaLow > alphaHigh) fail(join(path, "alpha_low_u16"), `alpha_low_u16 ${alphaLow} is above alpha_high_u16 ${alphaHigh}`);
  readOwner(...at("owner_uid"));
  return {
    kappa,
    bondsPenalty: u16(...at("bonds_penalty_u16")),
    bondsMovingAverage: u64(...at("bonds_moving_average")),
    yuma3: asBool(...at("yuma3")),
    liquidAlpha: asBool(...at("liquid_alpha")),
    alphaLow,
    alphaHigh,
    alphaSigmoidSteepness: i16(...at("alpha_sigmoid_steepness")),
    commitRevealEnabled: asBool(...at("commit_reveal_enabled")),
    tempo: u16(...at("tempo")),
    activityCutoffFactorMilli: u32(...at("activity_cutoff_factor_milli")),
    maxAllowedValidators: u16(...at("max_allowed_validators")),
    stakeThreshold: u64(...at("stake_threshold")),
    taoWeightU64: u64(...at("tao_weight_u64")),
  };
}

function readRows(value: unknown, path: string, n: number): U16Row[] {
  return asArray(value, path, n).map((rowValue, i) => {
    const rowPath = join(path, i);
    const seen = new Set<number>();
    const pairs = asArray(rowValue, rowPath).map((pairValue, k) => {
      const pairPath = join(rowPath, k);
      const pair = asArray(pairValue, pairPath);
      if (pair.length !== 2) fail(pairPath, `expected a [uid, u16] pair, got ${pair.length} entries`);
      const uid = readUid(pair[0], join(pairPath, 0), n);
      if (seen.has(uid)) fail(join(pairPath, 0), `uid ${uid} appears twice in row ${i}`);
      seen.add(uid);
      return [uid, u16(pair[1], join(pairPath, 1))] as const;
    });
    return rowFromPairs(pairs);
  });
}

function readUid(value: unknown, path: string, n: number): number {
  const uid = u16(value, path);
  if (uid >= n) fail(path, `uid ${uid} is out of range (n = ${n})`);
  return uid;
}

function readState(value: unknown, path: string, hp: EpochHyperparams, hyperparamsRaw: Obj): EpochState {
  const obj = asObject(value, path);
  checkKeys(obj, path, STATE_KEYS, ["commit_blocks", "activity_cutoff_blocks"]);
  const at = (key: string): [unknown, string] => [obj[key], join(path, key)];
  for (const key of SHARED_KEYS) {
    const inState = key === "owner_uid" ? readOwner(...at(key)) : u64(...at(key));
    const inHyper = key === "owner_uid" ? readOwner(hyperparamsRaw[key], key) : u64(hyperparamsRaw[key], key);
    if (inState !== inHyper) {
      fail(join(path, key), `${describe(inState)} disagrees with hyperparams.${key} ${describe(inHyper)}`);
    }
  }
  const n = u16(...at("n"));
  if ("activity_cutoff_blocks" in obj) {
    const given = u64(...at("activity_cutoff_blocks"));
    const derived = activityCutoffBlocks(hp.activityCutoffFactorMilli, hp.tempo);
    if (given !== BigInt(derived)) {
      fail(join(path, "activity_cutoff_blocks"), `${given} disagrees with max(1, floor(activity_cutoff_factor_milli · tempo / 1000)) = ${derived}`);
    }
  }
  const ownerUid = readOwner(...at("owner_uid"));
  if (ownerUid !== null && ownerUid >= n) fail(join(path, "owner_uid"), `uid ${ownerUid} is out of range (n = ${n})`);
  const blocks = (key: string): number[] => asArray(obj[key], join(path, key), n).map((v, i) => block(v, join(join(path, key), i)));
  const stakes = (key: string): bigint[] => asArray(obj[key], join(path, key), n).map((v, i) => u64(v, join(join(path, key), i)));
  let commitBlocks: number[] | undefined;
  if ("commit_blocks" in obj) {
    const commitPath = join(path, "commit_blocks");
    commitBlocks = asArray(obj.commit_blocks, commitPath, n).map((v, i) => {
      const committed = u64(v, join(commitPath, i));
      if (committed === U64_MAX) return Number.POSITIVE_INFINITY;
      if (committed > MAX_BLOCK) fail(join(commitPath, i), `expected a block number (0..2^53-1) or ${U64_MAX} for "no commit", got ${committed}`);
      return Number(committed);
    });
  }
  return {
    n,
    currentBlock: block(...at("current_block")),
    lastMechanismStepBlock: block(...at("last_mechanism_step_block")),
    lastUpdate: blocks("last_update"),
    blockAtRegistration: blocks("block_at_registration"),
    alphaStake: stakes("alpha_stake"),
    taoStake: stakes("tao_stake"),
    ownerUid,
    validatorPermit: asArray(obj.validator_permit, join(path, "validator_permit"), n).map((v, i) =>
      asBool(v, join(join(path, "validator_permit"), i)),
    ),
    weights: readRows(obj.weights, join(path, "weights"), n),
    bonds: readRows(obj.bonds, join(path, "bonds"), n),
    raoEmission: u64(...at("rao_emission")),
    commitBlocks,
  };
}

function readOp(value: unknown, path: string, n: number): SequenceOp {
  const obj = asObject(value, path);
  const kind = obj.op;
  const uidAt = (): number => readUid(obj.uid, join(path, "uid"), n);
  switch (kind) {
    case "set_weights": {
      checkKeys(obj, path, ["op", "uid", "dests", "last_update_set_to"], ["values_submitted", "values_stored", "effects"]);
      const uid = uidAt();
      const destsPath = join(path, "dests");
      const seen = new Set<number>();
      const dests = asArray(obj.dests, destsPath).map((v, i) => {
        const dest = readUid(v, join(destsPath, i), n);
        if (seen.has(dest)) fail(join(destsPath, i), `uid ${dest} appears twice`);
        seen.add(dest);
        return dest;
      });
      const readValues = (key: string): number[] | undefined =>
        key in obj ? asArray(obj[key], join(path, key), dests.length, "the number of dests").map((v, i) => u16(v, join(join(path, key), i))) : undefined;
      const submitted = readValues("values_submitted");
      const stored = readValues("values_stored");
      if (!submitted && !stored) fail(join(path, "values_stored"), "missing: give values_stored, values_submitted or both");
      const upscaled = submitted ? vecU16MaxUpscaleToU16(submitted) : undefined;
      if (stored && upscaled && stored.some((v, i) => v !== upscaled[i])) {
        fail(join(path, "values_stored"), `[${stored.join(", ")}] is not what set_weights stores for values_submitted (max-upscaled: [${upscaled.join(", ")}])`);
      }
      return { op: "set_weights", uid, dests, values: stored ?? upscaled!, lastUpdate: block(obj.last_update_set_to, join(path, "last_update_set_to")) };
    }
    case "replace_neuron":
      checkKeys(obj, path, ["op", "uid", "block"], ["effects"]);
      return { op: "replace_neuron", uid: uidAt(), block: block(obj.block, join(path, "block")) };
    case "reset_bonds_column":
      checkKeys(obj, path, ["op", "uid"], ["effects"]);
      return { op: "reset_bonds_column", uid: uidAt() };
    default:
      return fail(join(path, "op"), `unknown op ${describe(kind)} (expected set_weights, replace_neuron or reset_bonds_column)`);
  }
}

function readSteps(value: unknown, path: string, n: number): SequenceStep[] {
  return asArray(value, path).map((stepValue, s) => {
    const stepPath = join(path, s);
    const step = asObject(stepValue, stepPath);
    checkKeys(step, stepPath, ["ops", "current_block"]);
    const opsPath = join(stepPath, "ops");
    return {
      ops: asArray(step.ops, opsPath).map((op, k) => readOp(op, join(opsPath, k), n)),
      currentBlock: block(step.current_block, join(stepPath, "current_block")),
    };
  });
}

/** Reads and checks a whole snapshot document. */
export function readSnapshot(document: unknown): Snapshot {
  const root = asObject(document, "");
  const isSequence = "initial_state" in root || "steps" in root;
  checkKeys(root, "", isSequence ? ["hyperparams", "initial_state", "steps"] : ["hyperparams", "state"]);
  const hyperparamsRaw = asObject(root.hyperparams, "hyperparams");
  const hyperparams = readHyperparams(hyperparamsRaw, "hyperparams");
  if (!isSequence) return { kind: "epoch", hyperparams, state: readState(root.state, "state", hyperparams, hyperparamsRaw) };
  const initialState = readState(root.initial_state, "initial_state", hyperparams, hyperparamsRaw);
  return { kind: "sequence", hyperparams, initialState, steps: readSteps(root.steps, "steps", initialState.n) };
}
