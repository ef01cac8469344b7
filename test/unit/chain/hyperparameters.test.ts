import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  findHyperparameter,
  formatHyperparameterValue,
  HYPERPARAMETERS,
  parseHyperparameterAssignment,
  parseHyperparameterValue,
  planHyperparameterChange,
  similarHyperparameterNames,
  type HyperparameterSpec,
  type HyperparameterValues,
  type ValueKind,
} from "../../../src/chain/hyperparameters.js";
import { isUserError } from "../../../src/util/errors.js";
import { SUBTENSOR_RUNTIME_API_TYPES } from "../../../src/devnet/runtime/pallets/subtensor/runtime-apis.generated.js";
import { ADMIN_UTILS_SPEC, SUBTENSOR_MODULE_SPEC } from "../../../src/devnet/runtime/pallets/subtensor/spec.generated.js";

/** A UserError with this code (and, optionally, a message matching `message`). */
function userError(code: string, message?: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(isUserError(error), `expected a UserError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  };
}

const specs: readonly HyperparameterSpec[] = HYPERPARAMETERS;

describe("the hyperparameter registry", () => {
  it("reads exactly the fields of HEAD's SubnetHyperparamsV2, in order", () => {
    const fields = SUBTENSOR_RUNTIME_API_TYPES["SubnetHyperparamsV2"]!.fields.map(([name]) => name);
    assert.deepEqual(specs.flatMap((h) => (h.field ? [h.field] : [])), fields);
  });

  it("gives each entry a unique name and alias, and either a setter or the reason it has none", () => {
    const names = specs.flatMap((h) => [h.name, ...(h.aliases ?? [])]);
    assert.equal(new Set(names).size, names.length);
    for (const h of specs) {
      assert.match(h.name, /^[a-z0-9_]+$/);
      assert.ok((h.setter === undefined) !== (h.readOnly === undefined), `${h.name}: exactly one of setter and readOnly`);
      assert.ok(h.field !== undefined || h.setter !== undefined || h.name === "network_pow_registration_allowed", `${h.name} is neither read nor set`);
    }
  });

  it("names calls that HEAD declares, with its argument names and types", () => {
    const scaleTypes: Record<ValueKind, readonly string[]> = {
      bool: ["bool"],
      u16: ["u16"],
      u32: ["u32"],
      u64: ["u64"],
      i16: ["i16"],
      "u16-pair": ["u16", "u16"],
      u64f64: ["SubstrateFixedFixedU128 {bits:u128} (U64F64: value = bits / 2^64)"],
      "recycle-or-burn": ["PalletSubtensorRecycleOrBurnEnum enum{Burn=0, Recycle=1}"],
    };
    for (const { name, kind, setter } of specs) {
      if (!setter) continue;
      const pallet = setter.pallet === "AdminUtils" ? ADMIN_UTILS_SPEC : SUBTENSOR_MODULE_SPEC;
      const call = pallet.calls.find((c) => c.name === setter.call);
      assert.ok(call, `${name}: HEAD has ${setter.pallet}.${setter.call}`);
      assert.deepEqual(call.args.map(([arg]) => arg), ["netuid", ...setter.args], `${name}: argument names`);
      assert.deepEqual(call.args.slice(1).map(([, type]) => type), scaleTypes[kind], `${name}: argument types`);
    }
  });

  it("types the values read (bigint for u64, number for smaller integers, boolean)", () => {
    const sample = {} as HyperparameterValues;
    const typed: [number, bigint, boolean, bigint, number] = [sample.rho, sample.min_burn, sample.commit_reveal_weights_enabled, sample.activity_cutoff, sample.alpha_sigmoid_steepness];
    assert.equal(typed.length, 5);
  });
});

describe("finding a hyperparameter by name", () => {
  it("accepts btcli's names, aliases, any case and dashes", () => {
    assert.equal(findHyperparameter("rho").name, "rho");
    assert.equal(findHyperparameter("Immunity-Period").name, "immunity_period");
    assert.equal(findHyperparameter("bonds_moving_average").name, "bonds_moving_avg");
    assert.equal(findHyperparameter("max_allowed_validators").name, "max_validators");
    assert.equal(findHyperparameter(" weights_version_key ").name, "weights_version");
  });

  it("suggests close names for an unknown one, else lists the known ones", () => {
    assert.throws(() => findHyperparameter("rhoo"), userError("UNKNOWN_HYPERPARAMETER", /^unknown hyperparameter "rhoo"; did you mean rho\?$/));
    assert.throws(() => findHyperparameter("imunity_period"), userError("UNKNOWN_HYPERPARAMETER", /did you mean immunity_period\?/));
    assert.throws(() => findHyperparameter("zzzzzzzzzzzz"), userError("UNKNOWN_HYPERPARAMETER", /known: rho, kappa, immunity_period, .*max_burn/));
    assert.ok(similarHyperparameterNames("burn").includes("min_burn"), "a name containing what was typed is close");
    assert.deepEqual(similarHyperparameterNames("tempo"), ["tempo"]);
  });
});

describe("parsing values", () => {
  const rho = findHyperparameter("rho");

  it("reads unsigned integers within their type, with optional _ separators", () => {
    assert.equal(parseHyperparameterValue(rho, "0"), 0);
    assert.equal(parseHyperparameterValue(rho, " 65535 "), 65535);
    assert.equal(parseHyperparameterValue(findHyperparameter("min_burn"), "1_000_000"), 1_000_000n);
    assert.equal(parseHyperparameterValue(findHyperparameter("weights_version"), "18446744073709551615"), 18446744073709551615n);
    assert.equal(parseHyperparameterValue(findHyperparameter("activity_cutoff_factor"), "4294967295"), 4294967295);
  });

  it("refuses anything else with the name, the input and what is expected", () => {
    assert.throws(() => parseHyperparameterValue(rho, "abc"), userError("BAD_HYPERPARAMETER_VALUE", /^rho: "abc" is not an integer in 0\.\.65535$/));
    for (const bad of ["65536", "-1", "1.5", "", "1e3", "0x10", "1__0", "+1"]) assert.throws(() => parseHyperparameterValue(rho, bad), userError("BAD_HYPERPARAMETER_VALUE"), bad);
    assert.throws(() => parseHyperparameterValue(findHyperparameter("min_burn"), "18446744073709551616"), userError("BAD_HYPERPARAMETER_VALUE", /0\.\.18446744073709551615$/));
  });

  it("reads signed i16 values", () => {
    const steepness = findHyperparameter("alpha_sigmoid_steepness");
    assert.equal(parseHyperparameterValue(steepness, "-32768"), -32768);
    assert.throws(() => parseHyperparameterValue(steepness, "32768"), userError("BAD_HYPERPARAMETER_VALUE", /-32768\.\.32767/));
  });

  it("reads booleans as true/false, 1/0, yes/no, on/off", () => {
    const enabled = findHyperparameter("commit_reveal_weights_enabled");
    for (const yes of ["true", "TRUE", "1", "yes", "on"]) assert.equal(parseHyperparameterValue(enabled, yes), true);
    for (const no of ["false", "0", "No", "off"]) assert.equal(parseHyperparameterValue(enabled, no), false);
    for (const bad of ["2", "y", "constructor", ""]) assert.throws(() => parseHyperparameterValue(enabled, bad), userError("BAD_HYPERPARAMETER_VALUE", /is not true or false$/), bad);
  });

  it("reads alpha_values as LOW,HIGH", () => {
    const pair = findHyperparameter("alpha_values");
    for (const text of ["2000,60000", "2000, 60000", "[2000, 60000]", "2000 60000"]) assert.deepEqual(parseHyperparameterValue(pair, text), [2000, 60000], text);
    for (const bad of ["2000", "2000,70000", "a,b", "1,2,3"]) assert.throws(() => parseHyperparameterValue(pair, bad), userError("BAD_HYPERPARAMETER_VALUE", /two integers LOW,HIGH/), bad);
  });

  it("reads fixed-point U64F64 decimals exactly where binary allows, rounded otherwise", () => {
    const mult = findHyperparameter("burn_increase_mult");
    assert.deepEqual(parseHyperparameterValue(mult, "1.5"), { bits: 3n << 63n });
    assert.deepEqual(parseHyperparameterValue(mult, "2"), { bits: 2n << 64n });
    const tenth = parseHyperparameterValue(mult, "0.1").bits;
    assert.equal(tenth, 1844674407370955162n, "0.1 × 2^64 rounded to nearest");
    assert.equal(formatHyperparameterValue(mult, { bits: tenth }), "0.1");
    assert.equal(formatHyperparameterValue(mult, { bits: 3n << 63n }), "1.5");
    for (const bad of ["-1", "1.", ".5", "abc", "18446744073709551616"]) assert.throws(() => parseHyperparameterValue(mult, bad), userError("BAD_HYPERPARAMETER_VALUE", /a decimal number/), bad);
  });

  it("reads recycle_or_burn as burn or recycle", () => {
    const mode = findHyperparameter("recycle_or_burn");
    assert.equal(parseHyperparameterValue(mode, "Recycle"), "Recycle");
    assert.equal(parseHyperparameterValue(mode, "burn"), "Burn");
    assert.throws(() => parseHyperparameterValue(mode, "toString"), userError("BAD_HYPERPARAMETER_VALUE", /"burn" or "recycle"/));
  });

  it("formats values so that they parse back", () => {
    const cases: [string, string][] = [["rho", "10"], ["min_burn", "500000"], ["liquid_alpha_enabled", "true"], ["alpha_values", "2000,60000"], ["alpha_sigmoid_steepness", "-5"], ["recycle_or_burn", "recycle"]];
    for (const [name, text] of cases) {
      const h = findHyperparameter(name);
      assert.equal(formatHyperparameterValue(h, parseHyperparameterValue(h, text)), text, name);
    }
  });
});

describe("NAME=VALUE assignments", () => {
  it("splits at the first '='", () => {
    assert.deepEqual(parseHyperparameterAssignment("rho=10"), { name: "rho", value: "10" });
    assert.deepEqual(parseHyperparameterAssignment(" alpha_values = 2000,60000 "), { name: "alpha_values", value: "2000,60000" });
    assert.deepEqual(parseHyperparameterAssignment("x=a=b"), { name: "x", value: "a=b" });
  });

  it("refuses text without a name or a value", () => {
    for (const bad of ["rho", "=10", "rho=", " = "]) assert.throws(() => parseHyperparameterAssignment(bad), userError("BAD_HYPERPARAMETER_ASSIGNMENT", /expected NAME=VALUE/), bad);
  });
});

describe("planning a change", () => {
  it("names the call, its arguments and who signs", () => {
    assert.deepEqual(
      (({ setter, call, args, value }) => ({ setter, call, args, value }))(planHyperparameterChange("rho", "20")),
      { setter: "owner", call: "AdminUtils.sudo_set_rho", args: [20], value: 20 },
    );
    const kappa = planHyperparameterChange("kappa", "100");
    assert.equal(kappa.setter, "root");
    assert.equal(kappa.call, "AdminUtils.sudo_set_kappa");
    assert.deepEqual(planHyperparameterChange("alpha_values", "2000,60000").args, [2000, 60000]);
    assert.deepEqual(planHyperparameterChange("burn_increase_mult", "1.5").args, [{ bits: 3n << 63n }]);
    const tempo = planHyperparameterChange("tempo", "360");
    assert.deepEqual([tempo.setter, tempo.call], ["owner", "SubtensorModule.set_tempo"]);
  });

  it("refuses read-only hyperparameters with what to do instead, before looking at the value", () => {
    assert.throws(() => planHyperparameterChange("alpha_high", "junk"), userError("HYPERPARAMETER_READ_ONLY", /^alpha_high cannot be set: set both bounds with alpha_values=LOW,HIGH$/));
    assert.throws(() => planHyperparameterChange("max_weight_limit", "1"), userError("HYPERPARAMETER_READ_ONLY", /^max_weights_limit cannot be set/));
    assert.throws(() => planHyperparameterChange("activity_cutoff", "5000"), userError("HYPERPARAMETER_READ_ONLY", /activity_cutoff_factor/));
  });

  it("passes unknown names and bad values through as typed errors", () => {
    assert.throws(() => planHyperparameterChange("rhoo", "1"), userError("UNKNOWN_HYPERPARAMETER"));
    assert.throws(() => planHyperparameterChange("rho", "abc"), userError("BAD_HYPERPARAMETER_VALUE", /^rho: "abc" is not an integer in 0\.\.65535$/));
  });
});
