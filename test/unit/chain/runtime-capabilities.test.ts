import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { ApiPromise } from "@polkadot/api";
import { Metadata, TypeRegistry } from "@polkadot/types";
import { hexToU8a } from "@polkadot/util";
import { CALL_SHAPES } from "../../../src/chain/call-shapes.js";
import { ChainError } from "../../../src/chain/errors.js";
import { RuntimeCapabilities } from "../../../src/chain/runtime-capabilities.js";

/** What RuntimeCapabilities reads of an ApiPromise, from the real pre-dTAO finney metadata (spec 219, V14). */
function spec219(): ApiPromise {
  const registry = new TypeRegistry();
  const hex = readFileSync(new URL("../../../../shared/reference/real-chain/subtensor-mainnet-spec219-metadata-v14.hex", import.meta.url), "utf8").trim();
  registry.setMetadata(new Metadata(registry, hexToU8a(hex)));
  return { registry, runtimeVersion: { specVersion: { toNumber: () => 219 } } } as unknown as ApiPromise;
}

describe("what a runtime has, from its metadata", () => {
  const capabilities = new RuntimeCapabilities(spec219());

  it("reads its calls with their argument layouts, and its storage items", () => {
    assert.deepEqual(capabilities.callArguments("SubtensorModule", "set_weights"), CALL_SHAPES["SubtensorModule.set_weights"]);
    assert.equal(capabilities.hasStorage("SubtensorModule", "Stake"), true, "219's single stake map");
    assert.equal(capabilities.hasStorage("SubtensorModule", "SubnetTAO"), false, "no dTAO pools yet");
  });

  it("lets through a call whose layout is the one tensornode encodes", () => {
    assert.doesNotThrow(() => capabilities.requireCall("SubtensorModule", "set_weights", CALL_SHAPES["SubtensorModule.set_weights"], "weights cannot be set"));
  });

  it("refuses a call laid out otherwise (219's add_stake has no netuid) in one line, before anything is encoded", () => {
    try {
      capabilities.requireCall("SubtensorModule", "add_stake", CALL_SHAPES["SubtensorModule.add_stake"], "nothing can be staked");
      assert.fail("expected a refusal");
    } catch (error) {
      assert.ok(error instanceof ChainError);
      assert.equal(error.code, "CALL_UNSUPPORTED");
      assert.equal(
        error.message,
        "this chain (spec 219) has add_stake(hotkey: AccountId32, amount_staked: u64), not the add_stake(hotkey: AccountId32, netuid: u16, amount_staked: u64) tensornode sends: nothing can be staked; nothing was sent",
      );
    }
  });

  it("refuses a call the runtime does not have", () => {
    assert.throws(() => capabilities.requireCall("SubtensorModule", "start_call", CALL_SHAPES["SubtensorModule.start_call"], "subnet 1 cannot be started"), {
      message: "this chain (spec 219) has no SubtensorModule.start_call: subnet 1 cannot be started",
    });
  });
});
