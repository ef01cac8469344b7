/**
 * Subnet hyperparameters for `tensornode subnet hyperparams`: a typed registry under btcli's names
 * (the SubnetHyperparamsV2 field each is read from, the call that sets it on subtensor HEAD and
 * who may make that call), parsing of the values a user types, every value in one runtime-API
 * round trip, and the transaction that sets one.
 *
 * "owner" setters may be signed by the subnet owner's coldkey (root may call them too, rate limits
 * aside); "root" setters only dispatch as Root, so the caller wraps them in `Sudo.sudo`.
 */
import type { ApiPromise } from "@polkadot/api";
import type { SubmittableExtrinsic } from "@polkadot/api/types";
import type { Codec } from "@polkadot/types/types";
import { stringCamelCase } from "@polkadot/util";
import { UserError } from "../util/errors.js";
import { ChainError } from "./errors.js";
import { runtimeCapabilities } from "./runtime-capabilities.js";

export type HyperparameterErrorCode =
  | "UNKNOWN_HYPERPARAMETER"
  | "BAD_HYPERPARAMETER_VALUE"
  | "HYPERPARAMETER_READ_ONLY"
  | "BAD_HYPERPARAMETER_ASSIGNMENT"
  | "BAD_NETUID";

export class HyperparameterError extends UserError<HyperparameterErrorCode> {}

// ---------------------------------------------------------------------------------------------
// Value kinds

/** A U64F64 fixed-point number as SCALE carries it: value × 2^64. */
export interface U64F64 {
  readonly bits: bigint;
}

export type RecycleOrBurn = "Burn" | "Recycle";

/** The JavaScript value of each kind: bigint for u64, number for smaller integers. */
export interface ValueOfKind {
  bool: boolean;
  u16: number;
  u32: number;
  u64: bigint;
  i16: number;
  /** alpha_values: (low, high). */
  "u16-pair": readonly [number, number];
  u64f64: U64F64;
  "recycle-or-burn": RecycleOrBurn;
}

export type ValueKind = keyof ValueOfKind;
export type HyperparameterValue = ValueOfKind[ValueKind];

interface KindCodec<T> {
  /** What a valid value looks like, completing "… is not ___". */
  readonly expected: string;
  /** The value, or undefined when `raw` is not one. */
  parse(raw: string): T | undefined;
  /** The call's arguments after netuid. */
  args(value: T): readonly unknown[];
  format(value: T): string;
}

const TWO_POW_64 = 1n << 64n;
const U16_MAX = 0xffffn;
const U32_MAX = 0xffff_ffffn;
const U64_MAX = TWO_POW_64 - 1n;
/** Digits, optionally grouped with underscores (1_000_000). */
const INTEGER = /^-?\d+(?:_\d+)*$/;
const DECIMAL = /^(\d+)(?:\.(\d+))?$/;
const PAIR = /^\[?\s*(\S+?)\s*[,\s]\s*(\S+?)\s*\]?$/;
const RECYCLE_OR_BURN: ReadonlyMap<string, RecycleOrBurn> = new Map([["burn", "Burn"], ["recycle", "Recycle"]]);
const BOOLEANS: ReadonlyMap<string, boolean> = new Map(Object.entries({ true: true, false: false, "1": true, "0": false, yes: true, no: false, on: true, off: false }));

function integerIn(raw: string, min: bigint, max: bigint): bigint | undefined {
  const text = raw.trim();
  if (!INTEGER.test(text)) return undefined;
  const value = BigInt(text.replaceAll("_", ""));
  return value >= min && value <= max ? value : undefined;
}

function integerKind(min: bigint, max: bigint): KindCodec<number> {
  return {
    expected: `an integer in ${min}..${max}`,
    parse: (raw) => {
      const value = integerIn(raw, min, max);
      return value === undefined ? undefined : Number(value);
    },
    args: (value) => [value],
    format: String,
  };
}

/** A decimal number as U64F64 bits, rounded to the nearest 2^-64. */
function parseU64F64(raw: string): U64F64 | undefined {
  const match = DECIMAL.exec(raw.trim());
  if (!match) return undefined;
  const whole = BigInt(match[1]!);
  const digits = match[2] ?? "";
  const scale = 10n ** BigInt(digits.length);
  const numerator = whole * scale + BigInt(digits || "0");
  const bits = (numerator * TWO_POW_64 * 2n + scale) / (2n * scale);
  return bits < TWO_POW_64 * TWO_POW_64 ? { bits } : undefined;
}

/** U64F64 bits as a decimal with up to 9 fractional digits (exact for values like 1.5). */
function formatU64F64({ bits }: U64F64): string {
  const whole = bits / TWO_POW_64;
  const fraction = ((bits % TWO_POW_64) * 1_000_000_000n + TWO_POW_64 / 2n) / TWO_POW_64;
  if (fraction === 0n) return whole.toString();
  if (fraction === 1_000_000_000n) return (whole + 1n).toString();
  return `${whole}.${fraction.toString().padStart(9, "0").replace(/0+$/, "")}`;
}

const u16Kind = integerKind(0n, U16_MAX);

const KINDS: { readonly [K in ValueKind]: KindCodec<ValueOfKind[K]> } = {
  bool: {
    expected: "true or false",
    parse: (raw) => BOOLEANS.get(raw.trim().toLowerCase()),
    args: (value) => [value],
    format: String,
  },
  u16: u16Kind,
  u32: integerKind(0n, U32_MAX),
  i16: integerKind(-0x8000n, 0x7fffn),
  u64: {
    expected: `an integer in 0..${U64_MAX}`,
    parse: (raw) => integerIn(raw, 0n, U64_MAX),
    args: (value) => [value],
    format: String,
  },
  "u16-pair": {
    expected: `two integers LOW,HIGH in 0..${U16_MAX}`,
    parse: (raw) => {
      const match = PAIR.exec(raw.trim());
      if (!match) return undefined;
      const [low, high] = [u16Kind.parse(match[1]!), u16Kind.parse(match[2]!)];
      return low === undefined || high === undefined ? undefined : [low, high];
    },
    args: (value) => [value[0], value[1]],
    format: (value) => `${value[0]},${value[1]}`,
  },
  u64f64: {
    expected: `a decimal number in 0..${U64_MAX} (e.g. 1.5)`,
    parse: parseU64F64,
    args: (value) => [{ bits: value.bits }],
    format: formatU64F64,
  },
  "recycle-or-burn": {
    expected: '"burn" or "recycle"',
    parse: (raw) => RECYCLE_OR_BURN.get(raw.trim().toLowerCase()),
    args: (value) => [value],
    format: (value) => value.toLowerCase(),
  },
};

// ---------------------------------------------------------------------------------------------
// The registry

export type Setter = "owner" | "root";

export interface HyperparameterSetter {
  /** Pallet and call as the chain's metadata names them. */
  readonly pallet: "AdminUtils" | "SubtensorModule";
  readonly call: string;
  /** The call's argument names after `netuid` (two for alpha_values). */
  readonly args: readonly string[];
  /** Who may make the call on subtensor HEAD: the subnet owner's coldkey, or Root only. */
  readonly who: Setter;
}

export interface HyperparameterSpec {
  /** btcli's name (snake_case). */
  readonly name: string;
  /** Other names users type for it (btcli's older names, the call's argument name). */
  readonly aliases?: readonly string[];
  readonly kind: ValueKind;
  readonly description: string;
  /** The SubnetHyperparamsV2 field it is read from; absent for a value that is only set. */
  readonly field?: string;
  /** How the runtime API encodes the value when it is not the plain kind. */
  readonly encoding?: "I32F32";
  readonly setter?: HyperparameterSetter;
  /** Why it cannot be set here, and what to do instead (exactly one of setter / readOnly). */
  readonly readOnly?: string;
}

const admin = (who: Setter, call: string, ...args: string[]): HyperparameterSetter => ({ pallet: "AdminUtils", call, args, who });
const subtensorModule = (who: Setter, call: string, ...args: string[]): HyperparameterSetter => ({ pallet: "SubtensorModule", call, args, who });

/**
 * Every subnet hyperparameter a user can see or set. Those with a `field` are the fields of
 * SubnetInfoRuntimeApi.get_subnet_hyperparams_v2, in its order; the rest are set-only (the
 * runtime API does not report them). Setters and origins are subtensor HEAD's (spec 425).
 */
export const HYPERPARAMETERS = [
  { name: "rho", kind: "u16", field: "rho", setter: admin("owner", "sudo_set_rho", "rho"), description: "Yuma's sigmoid steepness for trust (legacy)" },
  { name: "kappa", kind: "u16", field: "kappa", setter: admin("root", "sudo_set_kappa", "kappa"), description: "consensus majority threshold, u16 fraction of 1" },
  { name: "immunity_period", kind: "u16", field: "immunity_period", setter: admin("owner", "sudo_set_immunity_period", "immunity_period"), description: "blocks a new registration is safe from deregistration" },
  { name: "min_allowed_weights", kind: "u16", field: "min_allowed_weights", setter: admin("owner", "sudo_set_min_allowed_weights", "min_allowed_weights"), description: "fewest weights a validator may set" },
  {
    name: "max_weights_limit",
    aliases: ["max_weight_limit"],
    kind: "u16",
    field: "max_weights_limit",
    readOnly: "subtensor has had no setter since spec 343 (sudo_set_max_weight_limit was removed) and always reports 65535",
    description: "largest single weight, u16 fraction of 1",
  },
  {
    name: "tempo",
    kind: "u16",
    field: "tempo",
    setter: subtensorModule("owner", "set_tempo", "tempo"),
    description: "blocks between epochs; the owner sets 360..50400 on HEAD (root uses AdminUtils.sudo_set_tempo)",
  },
  { name: "min_difficulty", kind: "u64", field: "min_difficulty", setter: admin("root", "sudo_set_min_difficulty", "min_difficulty"), description: "proof-of-work floor (PoW registration is off on HEAD)" },
  { name: "max_difficulty", kind: "u64", field: "max_difficulty", setter: admin("owner", "sudo_set_max_difficulty", "max_difficulty"), description: "proof-of-work ceiling (PoW registration is off on HEAD)" },
  {
    name: "weights_version",
    aliases: ["weights_version_key"],
    kind: "u64",
    field: "weights_version",
    setter: admin("owner", "sudo_set_weights_version_key", "weights_version_key"),
    description: "least version_key validators must send with weights",
  },
  {
    name: "weights_rate_limit",
    aliases: ["weights_set_rate_limit"],
    kind: "u64",
    field: "weights_rate_limit",
    setter: admin("root", "sudo_set_weights_set_rate_limit", "weights_set_rate_limit"),
    description: "blocks between two weight sets of one validator",
  },
  { name: "adjustment_interval", kind: "u16", field: "adjustment_interval", setter: admin("root", "sudo_set_adjustment_interval", "adjustment_interval"), description: "blocks between registration-cost adjustments" },
  {
    name: "activity_cutoff",
    kind: "u64",
    field: "activity_cutoff",
    readOnly: "HEAD derives it as activity_cutoff_factor × tempo / 1000 blocks: set activity_cutoff_factor (AdminUtils.sudo_set_activity_cutoff is deprecated)",
    description: "blocks without weights after which a validator counts as inactive",
  },
  {
    name: "registration_allowed",
    aliases: ["network_registration_allowed"],
    kind: "bool",
    field: "registration_allowed",
    setter: admin("root", "sudo_set_network_registration_allowed", "registration_allowed"),
    description: "whether neurons may register",
  },
  {
    name: "target_regs_per_interval",
    aliases: ["target_registrations_per_interval"],
    kind: "u16",
    field: "target_regs_per_interval",
    setter: admin("root", "sudo_set_target_registrations_per_interval", "target_registrations_per_interval"),
    description: "registrations per adjustment interval the cost aims at",
  },
  { name: "min_burn", kind: "u64", field: "min_burn", setter: admin("owner", "sudo_set_min_burn", "min_burn"), description: "least registration cost, rao (below 1 TAO and max_burn)" },
  { name: "max_burn", kind: "u64", field: "max_burn", setter: admin("owner", "sudo_set_max_burn", "max_burn"), description: "greatest registration cost, rao (above 0.1 TAO and min_burn)" },
  {
    name: "bonds_moving_avg",
    aliases: ["bonds_moving_average"],
    kind: "u64",
    field: "bonds_moving_avg",
    setter: admin("owner", "sudo_set_bonds_moving_average", "bonds_moving_average"),
    description: "bonds EMA factor, millionths (the owner may set at most 975000)",
  },
  {
    name: "max_regs_per_block",
    aliases: ["max_registrations_per_block"],
    kind: "u16",
    field: "max_regs_per_block",
    setter: admin("root", "sudo_set_max_registrations_per_block", "max_registrations_per_block"),
    description: "registrations allowed in one block",
  },
  { name: "serving_rate_limit", kind: "u64", field: "serving_rate_limit", setter: admin("owner", "sudo_set_serving_rate_limit", "serving_rate_limit"), description: "blocks between two serve_axon calls of one hotkey" },
  {
    name: "max_validators",
    aliases: ["max_allowed_validators"],
    kind: "u16",
    field: "max_validators",
    setter: admin("root", "sudo_set_max_allowed_validators", "max_allowed_validators"),
    description: "validator permits per epoch",
  },
  { name: "adjustment_alpha", kind: "u64", field: "adjustment_alpha", setter: admin("owner", "sudo_set_adjustment_alpha", "adjustment_alpha"), description: "smoothing of registration-cost adjustments" },
  { name: "difficulty", kind: "u64", field: "difficulty", setter: admin("root", "sudo_set_difficulty", "difficulty"), description: "current proof-of-work difficulty (PoW registration is off on HEAD)" },
  {
    name: "commit_reveal_period",
    aliases: ["commit_reveal_weights_interval"],
    kind: "u64",
    field: "commit_reveal_period",
    setter: admin("owner", "sudo_set_commit_reveal_weights_interval", "interval"),
    description: "epochs between a weight commit and its reveal, 1..100",
  },
  {
    name: "commit_reveal_weights_enabled",
    kind: "bool",
    field: "commit_reveal_weights_enabled",
    setter: admin("owner", "sudo_set_commit_reveal_weights_enabled", "enabled"),
    description: "whether validators must commit weights before revealing them",
  },
  { name: "alpha_high", kind: "u16", field: "alpha_high", readOnly: "set both bounds with alpha_values=LOW,HIGH", description: "liquid alpha upper bound, u16 fraction of 1" },
  { name: "alpha_low", kind: "u16", field: "alpha_low", readOnly: "set both bounds with alpha_values=LOW,HIGH", description: "liquid alpha lower bound, u16 fraction of 1" },
  { name: "liquid_alpha_enabled", kind: "bool", field: "liquid_alpha_enabled", setter: admin("owner", "sudo_set_liquid_alpha_enabled", "enabled"), description: "whether the bonds EMA factor follows consensus (liquid alpha)" },
  {
    name: "alpha_sigmoid_steepness",
    kind: "i16",
    field: "alpha_sigmoid_steepness",
    encoding: "I32F32",
    setter: admin("owner", "sudo_set_alpha_sigmoid_steepness", "steepness"),
    description: "steepness of the liquid alpha sigmoid (the owner may not set a negative value)",
  },
  { name: "yuma_version", kind: "u16", field: "yuma_version", readOnly: "set yuma3_enabled=true (3) or false (2)", description: "the Yuma consensus version epochs run" },
  { name: "subnet_is_active", kind: "bool", field: "subnet_is_active", readOnly: "the owner starts a subnet with SubtensorModule.start_call", description: "whether the subnet has started (emissions, staking)" },
  {
    name: "transfers_enabled",
    aliases: ["toggle_transfer"],
    kind: "bool",
    field: "transfers_enabled",
    setter: admin("owner", "sudo_set_toggle_transfer", "toggle"),
    description: "whether stake on the subnet may be transferred between coldkeys",
  },
  { name: "bonds_reset_enabled", kind: "bool", field: "bonds_reset_enabled", setter: admin("owner", "sudo_set_bonds_reset_enabled", "enabled"), description: "whether a commitment resets a miner's bonds" },
  {
    name: "user_liquidity_enabled",
    kind: "bool",
    field: "user_liquidity_enabled",
    readOnly: "it is toggled in the Swap pallet (toggle_user_liquidity), not through AdminUtils",
    description: "whether users may provide liquidity to the subnet's pool",
  },
  // Set-only: the runtime API does not report these.
  {
    name: "alpha_values",
    kind: "u16-pair",
    setter: admin("owner", "sudo_set_alpha_values", "alpha_low", "alpha_high"),
    description: "liquid alpha bounds LOW,HIGH (needs liquid_alpha_enabled; both at least 1638, LOW ≤ HIGH)",
  },
  { name: "yuma3_enabled", kind: "bool", setter: admin("owner", "sudo_set_yuma3_enabled", "enabled"), description: "whether epochs run Yuma 3 (reported as yuma_version)" },
  { name: "bonds_penalty", kind: "u16", setter: admin("owner", "sudo_set_bonds_penalty", "bonds_penalty"), description: "penalty on bonds to out-of-consensus weights, u16 fraction of 1" },
  { name: "max_allowed_uids", kind: "u16", setter: admin("owner", "sudo_set_max_allowed_uids", "max_allowed_uids"), description: "neuron slots, at most 256 and at least the registered count" },
  {
    name: "activity_cutoff_factor",
    kind: "u32",
    setter: subtensorModule("owner", "set_activity_cutoff_factor", "factor_milli"),
    description: "activity cutoff in thousandths of a tempo, 1000..50000 (reported as activity_cutoff)",
  },
  {
    name: "owner_immune_neuron_limit",
    aliases: ["immune_neuron_limit"],
    kind: "u16",
    setter: admin("owner", "sudo_set_owner_immune_neuron_limit", "immune_neurons"),
    description: "owner hotkeys immune from deregistration, 1..10",
  },
  { name: "burn_half_life", kind: "u16", setter: admin("owner", "sudo_set_burn_half_life", "burn_half_life"), description: "blocks over which the registration cost halves, 1..36100" },
  { name: "burn_increase_mult", kind: "u64f64", setter: admin("owner", "sudo_set_burn_increase_mult", "burn_increase_mult"), description: "registration cost multiplier per registration, 1..3" },
  { name: "recycle_or_burn", kind: "recycle-or-burn", setter: admin("owner", "sudo_set_recycle_or_burn", "recycle_or_burn"), description: "whether registration costs are recycled or burned" },
  { name: "min_childkey_take", kind: "u16", setter: admin("owner", "sudo_set_min_childkey_take_per_subnet", "take"), description: "least childkey take on the subnet, u16 fraction of 1" },
  { name: "owner_cut_enabled", kind: "bool", setter: admin("owner", "sudo_set_owner_cut_enabled", "enabled"), description: "whether the owner receives the owner cut of emissions" },
  { name: "owner_cut_auto_lock_enabled", kind: "bool", setter: admin("owner", "sudo_set_owner_cut_auto_lock_enabled", "enabled"), description: "whether the owner cut is locked automatically" },
  { name: "min_allowed_uids", kind: "u16", setter: admin("root", "sudo_set_min_allowed_uids", "min_allowed_uids"), description: "least max_allowed_uids the owner may set" },
  {
    name: "network_pow_registration_allowed",
    aliases: ["pow_registration_allowed"],
    kind: "bool",
    readOnly: "proof-of-work registration is gone on HEAD (sudo_set_network_pow_registration_allowed always fails)",
    description: "retired",
  },
] as const satisfies readonly HyperparameterSpec[];

export type Hyperparameter = (typeof HYPERPARAMETERS)[number];
export type HyperparameterName = Hyperparameter["name"];
type Readable = Extract<Hyperparameter, { readonly field: string }>;
export type ReadableHyperparameterName = Readable["name"];

/** Every value get_subnet_hyperparams_v2 reports, by hyperparameter name. */
export type HyperparameterValues = { readonly [H in Readable as H["name"]]: ValueOfKind[H["kind"]] };

// ---------------------------------------------------------------------------------------------
// Pure parts: lookup, parsing, formatting

const normalise = (name: string): string => name.trim().toLowerCase().replaceAll("-", "_");

/** Levenshtein distance, for "did you mean". */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/** Known names close to `name` (a small edit away, or containing it), closest first. */
export function similarHyperparameterNames(name: string): HyperparameterName[] {
  const wanted = normalise(name);
  const scored = HYPERPARAMETERS.map((h) => {
    const distance = Math.min(...[h.name, ...("aliases" in h ? h.aliases : [])].map((n) => editDistance(wanted, n)));
    const contains = wanted.length >= 3 && (h.name.includes(wanted) || wanted.includes(h.name));
    return { name: h.name, distance: contains ? Math.min(distance, 1) : distance };
  });
  const limit = Math.max(2, Math.floor(wanted.length / 4));
  return scored
    .filter((s) => s.distance <= limit)
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .map((s) => s.name);
}

/** The hyperparameter called `name` (btcli's name or an alias; case and '-' vs '_' do not matter). */
export function findHyperparameter<N extends HyperparameterName>(name: N): Extract<Hyperparameter, { readonly name: N }>;
export function findHyperparameter(name: string): Hyperparameter;
export function findHyperparameter(name: string): Hyperparameter {
  const wanted = normalise(name);
  const found = HYPERPARAMETERS.find((h) => h.name === wanted || ("aliases" in h && (h.aliases as readonly string[]).includes(wanted)));
  if (found) return found;
  const similar = similarHyperparameterNames(name);
  const hint = similar.length > 0 ? `did you mean ${similar.join(" or ")}?` : `known: ${HYPERPARAMETERS.map((h) => h.name).join(", ")}`;
  throw new HyperparameterError("UNKNOWN_HYPERPARAMETER", `unknown hyperparameter "${name}"; ${hint}`, { name, similar });
}

/** `raw` as a value of `hyperparameter`'s kind, or a BAD_HYPERPARAMETER_VALUE error naming what is expected. */
export function parseHyperparameterValue<H extends Hyperparameter>(hyperparameter: H, raw: string): ValueOfKind[H["kind"]] {
  const codec = KINDS[hyperparameter.kind] as KindCodec<ValueOfKind[H["kind"]]>;
  const value = codec.parse(raw);
  if (value === undefined) {
    throw new HyperparameterError("BAD_HYPERPARAMETER_VALUE", `${hyperparameter.name}: ${JSON.stringify(raw)} is not ${codec.expected}`, { name: hyperparameter.name, value: raw, expected: codec.expected });
  }
  return value;
}

/** A value as the user would type it (parseHyperparameterValue reads it back). */
export function formatHyperparameterValue(hyperparameter: Hyperparameter, value: HyperparameterValue): string {
  return (KINDS[hyperparameter.kind] as KindCodec<HyperparameterValue>).format(value);
}

/** `NAME=VALUE` (as `--set` takes it) split into name and raw value. */
export function parseHyperparameterAssignment(text: string): { readonly name: string; readonly value: string } {
  const at = text.indexOf("=");
  const name = at < 0 ? "" : text.slice(0, at).trim();
  if (name === "" || text.slice(at + 1).trim() === "") {
    throw new HyperparameterError("BAD_HYPERPARAMETER_ASSIGNMENT", `expected NAME=VALUE (e.g. rho=10), got ${JSON.stringify(text)}`, { text });
  }
  return { name, value: text.slice(at + 1).trim() };
}

export interface HyperparameterChange {
  readonly hyperparameter: Hyperparameter;
  readonly value: HyperparameterValue;
  /** Who must sign: the subnet owner's coldkey, or Root (the caller wraps the call in Sudo.sudo). */
  readonly setter: Setter;
  /** `Pallet.call`, e.g. "AdminUtils.sudo_set_rho". */
  readonly call: string;
  /** The call's arguments after netuid. */
  readonly args: readonly unknown[];
}

/** What setting `name` to `rawValue` takes, without a chain: the call, its arguments and who signs. */
export function planHyperparameterChange(name: string, rawValue: string): HyperparameterChange {
  const hyperparameter = findHyperparameter(name);
  if (!("setter" in hyperparameter)) {
    throw new HyperparameterError("HYPERPARAMETER_READ_ONLY", `${hyperparameter.name} cannot be set: ${hyperparameter.readOnly}`, { name: hyperparameter.name });
  }
  const value = parseHyperparameterValue(hyperparameter, rawValue);
  const { setter } = hyperparameter;
  const args = (KINDS[hyperparameter.kind] as KindCodec<HyperparameterValue>).args(value);
  return { hyperparameter, value, setter: setter.who, call: `${setter.pallet}.${setter.call}`, args };
}

// ---------------------------------------------------------------------------------------------
// Chain parts

type Struct = Codec & { get(name: string): Codec | undefined };
type RuntimeApi = Record<string, (...args: unknown[]) => Promise<Codec>>;

function checkNetuid(netuid: number): void {
  if (!Number.isInteger(netuid) || netuid < 0 || netuid > Number(U16_MAX)) throw new HyperparameterError("BAD_NETUID", `netuid ${netuid} is not an integer in 0..65535`, { netuid });
}

function decodeField(hyperparameter: Readable, struct: Struct): HyperparameterValue {
  const codec = struct.get(stringCamelCase(hyperparameter.field));
  if (!codec) throw new ChainError("TX_FAILED", "hyperparameters", `the chain's SubnetHyperparamsV2 has no field ${hyperparameter.field}`);
  if ("encoding" in hyperparameter) {
    // I32F32 {bits: i64}: value × 2^32. HEAD stores an i16, so the quotient is exact.
    const bits = (codec as Struct).get("bits");
    return Number(BigInt((bits ?? codec).toString())) / 2 ** 32;
  }
  switch (hyperparameter.kind) {
    case "bool":
      return codec.toJSON() === true;
    case "u64":
      return BigInt(codec.toString());
    default:
      return Number(codec.toString());
  }
}

/**
 * Every hyperparameter SubnetInfoRuntimeApi.get_subnet_hyperparams_v2 reports for `netuid`, in one
 * round trip; undefined when the subnet does not exist. Fields are read by name from the chain's
 * own (V15) types, so the Compact<u16> → Compact<u64> drift of activity_cutoff does not matter.
 */
export async function readHyperparameters(api: ApiPromise, netuid: number): Promise<HyperparameterValues | undefined> {
  checkNetuid(netuid);
  const subnetInfo = api.call["subnetInfoRuntimeApi"] as RuntimeApi | undefined;
  if (!subnetInfo?.getSubnetHyperparamsV2) throw new ChainError("TX_FAILED", "hyperparameters", "the chain serves no SubnetInfoRuntimeApi.get_subnet_hyperparams_v2");
  const answer = (await subnetInfo.getSubnetHyperparamsV2(netuid)) as Codec & { isSome: boolean; unwrap(): Struct };
  if (!answer.isSome) return undefined;
  const struct = answer.unwrap();
  const readable = HYPERPARAMETERS.filter((h): h is Readable => "field" in h);
  return Object.fromEntries(readable.map((h) => [h.name, decodeField(h, struct)])) as unknown as HyperparameterValues;
}

export interface HyperparameterCall extends HyperparameterChange {
  /** The unsigned call; for setter "root" the caller wraps it in `api.tx.sudo.sudo(tx)`. */
  readonly tx: SubmittableExtrinsic<"promise">;
}

/** How @polkadot/types names the setter argument(s) of each kind, as HEAD declares them. */
const ARGUMENT_TYPES: { readonly [K in ValueKind]: readonly string[] } = {
  bool: ["bool"],
  u16: ["u16"],
  u32: ["u32"],
  u64: ["u64"],
  i16: ["i16"],
  "u16-pair": ["u16", "u16"],
  u64f64: ['{"bits":"u128"}'],
  "recycle-or-burn": ['{"_enum":["Burn","Recycle"]}'],
};

/**
 * The transaction that sets `name` to `rawValue` on `netuid`; typed UserErrors for bad input, and a
 * one-line ChainError (CALL_UNSUPPORTED) naming the runtime when it lacks the setter or takes other arguments.
 */
export function hyperparameterCall(api: ApiPromise, netuid: number, name: string, rawValue: string): HyperparameterCall {
  checkNetuid(netuid);
  const change = planHyperparameterChange(name, rawValue);
  const { pallet, call, args } = (change.hyperparameter as Extract<Hyperparameter, { setter: HyperparameterSetter }>).setter;
  const types = ARGUMENT_TYPES[change.hyperparameter.kind];
  const expected = [{ name: "netuid", type: "u16" }, ...args.map((arg, i) => ({ name: arg, type: types[i]! }))];
  runtimeCapabilities(api).requireCall(pallet, call, expected, `${change.hyperparameter.name} cannot be set on it`);
  const build = api.tx[stringCamelCase(pallet)]![stringCamelCase(call)]!;
  return { ...change, tx: build(netuid, ...change.args) };
}
