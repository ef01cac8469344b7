import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OWNER_RATE_LIMIT_KEYS } from "../../../src/chain/owner-limits.js";
import { ADMIN_UTILS_SPEC, SUBTENSOR_TYPE_ALIASES } from "../../../src/devnet/runtime/pallets/subtensor/spec.generated.js";

describe("the owner's rate-limit keys", () => {
  it("name AdminUtils calls of HEAD and variants of HEAD's Hyperparameter enum", () => {
    const calls = new Set(ADMIN_UTILS_SPEC.calls.map((c) => c.name));
    const variants = new Set([...SUBTENSOR_TYPE_ALIASES.Hyperparameter!.matchAll(/(\w+)=\d+/g)].map((m) => m[1]));
    for (const [call, key] of Object.entries(OWNER_RATE_LIMIT_KEYS)) {
      assert.ok(calls.has(call), `AdminUtils.${call} exists on HEAD`);
      assert.ok(variants.has(key), `Hyperparameter::${key} exists on HEAD`);
    }
  });
});
