import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { behaviourOf, planLocalnet } from "../../../src/localnet/plan.js";

describe("who takes part in a local network", () => {
  it("cycles the miners through honest, noisy, slow and offline, each on its own loopback IP from 127.0.0.2", () => {
    const plan = planLocalnet({ miners: 6, validators: 2 });
    assert.deepEqual(plan.miners.map((m) => m.behaviour), ["honest", "noisy", "slow", "offline", "honest", "noisy"]);
    assert.deepEqual(plan.miners.map((m) => m.host), ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7"]);
  });

  it("stakes the validators 1000, 500, 333 TAO from their own dev accounts", () => {
    const plan = planLocalnet({ miners: 1, validators: 3 });
    assert.deepEqual(plan.validators.map((v) => [v.name, v.coldkeyUri, v.stakeTao]), [["validator1", "//Bob", 1000n], ["validator2", "//Charlie", 500n], ["validator3", "//Dave", 333n]]);
  });

  it("takes the offline miner down as soon as every daemon is up, so that the first weights already see it gone", () => {
    assert.equal(planLocalnet({ miners: 4, validators: 1 }).offlineAtEpoch, 0);
  });

  it("makes the slow miner right but late (0.7 of the time-out) and the noisy one wrong every 5th answer (odd: both validators see it), from a seeded first one", () => {
    assert.deepEqual(behaviourOf("slow", 2000), { kind: "slow", delayMs: 1400 });
    assert.deepEqual(behaviourOf("noisy", 2000, 0), { kind: "noisy", every: 5, first: 2 });
    assert.deepEqual(behaviourOf("noisy", 2000, 7), { kind: "noisy", every: 5, first: 4 });
    assert.deepEqual(behaviourOf("offline", 2000), { kind: "honest" });
  });

  it("refuses counts it cannot staff", () => {
    assert.throws(() => planLocalnet({ miners: 0, validators: 1 }), /--miners: 0 is not in 1\.\.64/);
    assert.throws(() => planLocalnet({ miners: 1, validators: 6 }), /--validators: 6 is not in 1\.\.5/);
  });
});
