import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Keyring } from "@polkadot/api";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { DispatchError } from "@polkadot/types/interfaces";
import { includeManually, mainnetLikeGenesis, startDevnet, type TestDevnet } from "../../helpers/devnet.js";

const TAO = 1_000_000_000n;
const keyring = new Keyring({ type: "sr25519" });
type Untyped = (...args: unknown[]) => any;

function helpers(net: TestDevnet) {
  const tx = (name: string): Untyped => net.api.tx["subtensorModule"]![name] as Untyped;
  const admin = (name: string): Untyped => net.api.tx["adminUtils"]![name] as Untyped;
  const query = (name: string): Untyped => net.api.query["subtensorModule"]![name] as unknown as Untyped;
  const errorName = (error: DispatchError | undefined): string => {
    if (!error) return "none";
    if (!error.isModule) return error.type;
    const meta = net.api.registry.findMetaError(error.asModule);
    return `${meta.section}.${meta.name}`;
  };
  const outcome = async (call: unknown, signer: KeyringPair): Promise<string> => errorName((await includeManually(net, call as never, signer)).dispatchError);
  const newSubnet = async (ownerHotkey: KeyringPair): Promise<number> => {
    const result = await includeManually(net, tx("registerNetwork")(ownerHotkey.address), net.alice);
    return Number(result.events.find(({ event }) => event.method === "NetworkAdded")!.event.data[0]!.toString());
  };
  return { tx, admin, query, outcome, newSubnet };
}

describe("AdminUtils and staking on the devnet (mainnet-like preset)", { timeout: 120_000 }, () => {
  it("lets the owner set hyperparameters once per rate-limit window, never inside the freeze window, and root-only ones only through sudo", async () => {
    const net = await startDevnet({ blockTime: { mode: "manual" }, devRpc: true, genesis: mainnetLikeGenesis() });
    try {
      const { admin, query, outcome, newSubnet } = helpers(net);
      const netuid = await newSubnet(keyring.addFromUri("//Alice//hk"));
      assert.equal(await outcome(admin("sudoSetMinAllowedWeights")(netuid, 8), net.alice), "none");
      assert.equal((await query("minAllowedWeights")(netuid)).toString(), "8");
      assert.equal(await outcome(admin("sudoSetMinAllowedWeights")(netuid, 9), net.alice), "subtensorModule.TxRateLimitExceeded");
      assert.equal(await outcome(admin("sudoSetImmunityPeriod")(netuid, 100), net.bob), "BadOrigin");
      assert.equal(await outcome(admin("sudoSetMinAllowedWeights")(77, 9), net.alice), "BadOrigin", "nobody owns a subnet that does not exist");
      assert.equal(await outcome(admin("sudoSetKappa")(netuid, 100), net.alice), "BadOrigin", "kappa is root-only");
      assert.equal(await outcome(net.api.tx.sudo.sudo(admin("sudoSetKappa")(netuid, 100)), net.alice), "none");
      assert.equal((await query("kappa")(netuid)).toString(), "100");
      const sudid = await includeManually(net, net.api.tx.sudo.sudo(admin("sudoSetKappa")(99, 100)), net.alice);
      const inner = sudid.events.find(({ event }) => event.method === "Sudid")!.event.data[0] as unknown as { isErr: boolean; asErr: DispatchError };
      assert.ok(inner.isErr);
      assert.equal(net.api.registry.findMetaError(inner.asErr.asModule).name, "SubnetDoesNotExist");
      // The last AdminFreezeWindow (10) blocks before the epoch allow no change.
      const lastEpoch = BigInt((await query("lastEpochBlock")(netuid)).toString());
      const tempo = BigInt((await query("tempo")(netuid)).toString());
      await net.node.newBlocks(Number(lastEpoch + tempo - BigInt(net.node.chain.headNumber) - 5n));
      assert.equal(await outcome(admin("sudoSetImmunityPeriod")(netuid, 100), net.alice), "subtensorModule.AdminActionProhibitedDuringWeightsWindow");
    } finally {
      await net.close();
    }
  });

  it("stakes TAO into a started subnet's pool and unstakes it back, refusing what HEAD refuses", async () => {
    const net = await startDevnet({ blockTime: { mode: "manual" }, devRpc: true, genesis: mainnetLikeGenesis() });
    try {
      const { tx, query, outcome, newSubnet } = helpers(net);
      const ownerHotkey = keyring.addFromUri("//Alice//hk");
      const netuid = await newSubnet(ownerHotkey);
      const hotkey = keyring.addFromUri("//Bob//hk");
      assert.equal(await outcome(tx("addStake")(ownerHotkey.address, netuid, 10n * TAO), net.bob), "subtensorModule.SubtokenDisabled");
      assert.equal(await outcome(tx("startCall")(netuid), net.alice), "none");
      assert.equal(await outcome(tx("addStake")(hotkey.address, netuid, 10n * TAO), net.bob), "subtensorModule.HotKeyAccountNotExists");
      assert.equal(await outcome(tx("burnedRegister")(netuid, hotkey.address), net.bob), "none");
      assert.equal(await outcome(tx("addStake")(hotkey.address, netuid, 1_000_000n), net.bob), "subtensorModule.AmountTooLow");
      assert.equal(await outcome(tx("addStake")(hotkey.address, 42, 10n * TAO), net.bob), "subtensorModule.SubnetNotExists");
      const before = (await net.api.query.system.account(net.bob.address)).data.free.toBigInt();
      assert.equal(await outcome(tx("addStake")(hotkey.address, netuid, 10n * TAO), net.bob), "none");
      const alpha = BigInt((await query("totalHotkeyAlpha")(hotkey.address, netuid)).toString());
      assert.ok(alpha > 9n * TAO && alpha < 10n * TAO, `10 TAO buys a little under 10 alpha at price 1 (${alpha})`);
      assert.equal(await outcome(tx("removeStake")(hotkey.address, netuid, alpha), net.bob), "none");
      assert.equal((await query("totalHotkeyAlpha")(hotkey.address, netuid)).toString(), "0");
      const after = (await net.api.query.system.account(net.bob.address)).data.free.toBigInt();
      const lost = before - after;
      // Two swap fees of 33/65535 (≈ 0.05 % each way) plus two transaction fees.
      const swapFees = 2n * ((10n * TAO * 33n) / 65535n);
      assert.ok(lost > swapFees && lost < swapFees + 1_000_000n, `a round trip costs the swap and transaction fees only (${lost} rao)`);
    } finally {
      await net.close();
    }
  });
});

describe("the dev preset", { timeout: 60_000 }, () => {
  it("brings a new subnet to its first epoch in a few blocks and lets its owner change settings at once", async () => {
    const net = await startDevnet({ blockTime: { mode: "manual" }, devRpc: true });
    try {
      const { tx, admin, query, outcome, newSubnet } = helpers(net);
      const netuid = await newSubnet(keyring.addFromUri("//Alice//hk"));
      assert.equal((await query("tempo")(netuid)).toString(), "10");
      assert.equal(await outcome(tx("startCall")(netuid), net.alice), "none");
      await net.node.newBlocks(11);
      assert.ok(BigInt((await query("subnetEpochIndex")(netuid)).toString()) >= 1n, "an epoch within a tempo of 10 blocks");
      assert.equal(await outcome(admin("sudoSetMinAllowedWeights")(netuid, 2), net.alice), "none");
      assert.equal(await outcome(admin("sudoSetMinAllowedWeights")(netuid, 3), net.alice), "none", "no owner rate limit in dev");
      const second = await includeManually(net, tx("registerNetwork")(keyring.addFromUri("//Bob//hk").address), net.bob);
      assert.ok(second.events.some(({ event }) => event.method === "NetworkAdded"), "no network registration rate limit in dev");
    } finally {
      await net.close();
    }
  });

  it("lets the owner change the tempo and trigger an epoch once commit-reveal is off", async () => {
    const net = await startDevnet({ blockTime: { mode: "manual" }, devRpc: true });
    try {
      const { tx, admin, query, outcome, newSubnet } = helpers(net);
      const netuid = await newSubnet(keyring.addFromUri("//Alice//hk"));
      assert.equal(await outcome(tx("setTempo")(netuid, 50), net.bob), "BadOrigin");
      assert.equal(await outcome(tx("setTempo")(netuid, 60_000), net.alice), "subtensorModule.TempoOutOfBounds");
      assert.equal(await outcome(tx("setTempo")(netuid, 50), net.alice), "none");
      assert.equal((await query("tempo")(netuid)).toString(), "50");
      assert.equal(await outcome(tx("triggerEpoch")(netuid), net.alice), "subtensorModule.DynamicTempoBlockedByCommitReveal");
      assert.equal(await outcome(admin("sudoSetCommitRevealWeightsEnabled")(netuid, false), net.alice), "none");
      const epochs = BigInt((await query("subnetEpochIndex")(netuid)).toString());
      const triggered = await includeManually(net, tx("triggerEpoch")(netuid), net.alice);
      assert.ok(triggered.events.some(({ event }) => event.method === "EpochTriggered"));
      assert.equal((await query("pendingEpochAt")(netuid)).toString(), String(net.node.chain.headNumber), "fires AdminFreezeWindow (0 in dev) blocks on");
      await net.node.newBlocks(1);
      assert.equal(BigInt((await query("subnetEpochIndex")(netuid)).toString()), epochs + 1n, "with no freeze window the triggered epoch fires in the next block");
      assert.equal(await outcome(tx("setActivityCutoffFactor")(netuid, 10), net.alice), "subtensorModule.ActivityCutoffFactorMilliOutOfBounds");
      assert.equal(await outcome(tx("setActivityCutoffFactor")(netuid, 20_000), net.alice), "none");
      assert.equal((await query("activityCutoffFactorMilli")(netuid)).toString(), "20000");
    } finally {
      await net.close();
    }
  });

  it("sets weights in batches, reporting failed items without failing the rest, and moves stake between hotkeys and subnets", async () => {
    const net = await startDevnet({ blockTime: { mode: "manual" }, devRpc: true });
    try {
      const { tx, admin, query, outcome, newSubnet } = helpers(net);
      const ownerHotkey = keyring.addFromUri("//Alice//hk");
      const a = await newSubnet(ownerHotkey);
      const b = await newSubnet(ownerHotkey);
      for (const netuid of [a, b]) assert.equal(await outcome(tx("startCall")(netuid), net.alice), "none");
      assert.equal(await outcome(admin("sudoSetCommitRevealWeightsEnabled")(a, false), net.alice), "none");
      await net.node.newBlocks(2);
      const batch = await includeManually(net, tx("batchSetWeights")([a, b], [[[0, 100]], [[0, 100]]], [0, 0]), ownerHotkey);
      const names = batch.events.filter(({ event }) => event.section === "subtensorModule").map(({ event }) => event.method);
      assert.deepEqual(names, ["WeightsSet", "BatchCompletedWithErrors", "BatchWeightItemFailed", "BatchWeightsCompleted"]);
      const failed = batch.events.find(({ event }) => event.method === "BatchWeightItemFailed")!.event;
      assert.equal(failed.data[0]!.toString(), String(b));
      assert.equal(net.api.registry.findMetaError((failed.data[1] as DispatchError).asModule).name, "CommitRevealEnabled");
      assert.deepEqual((await query("weights")(a, 0)).toJSON(), [[0, 65535]]);

      const bobHotkey = keyring.addFromUri("//Bob//hk");
      assert.equal(await outcome(tx("burnedRegister")(a, bobHotkey.address), net.bob), "none");
      assert.equal(await outcome(tx("addStake")(bobHotkey.address, a, 20n * TAO), net.bob), "none");
      const stakeOf = async (hotkey: KeyringPair, netuid: number): Promise<bigint> => BigInt((await query("totalHotkeyAlpha")(hotkey.address, netuid)).toString());
      const held = await stakeOf(bobHotkey, a);
      assert.equal(await outcome(tx("moveStake")(bobHotkey.address, bobHotkey.address, a, a, held), net.bob), "subtensorModule.SameNetuid");
      const moved = await includeManually(net, tx("moveStake")(bobHotkey.address, ownerHotkey.address, a, a, held / 2n), net.bob);
      assert.ok(moved.events.some(({ event }) => event.method === "StakeMoved"));
      assert.equal(await stakeOf(bobHotkey, a), held - held / 2n);
      const across = await includeManually(net, tx("moveStake")(bobHotkey.address, bobHotkey.address, a, b, held - held / 2n), net.bob);
      assert.ok(across.events.some(({ event }) => event.method === "StakeMoved"));
      assert.equal(await stakeOf(bobHotkey, a), 0n);
      assert.ok((await stakeOf(bobHotkey, b)) > 0n, "the TAO from selling on subnet a bought alpha on subnet b");
    } finally {
      await net.close();
    }
  });

  it("applies the other owner setters with HEAD's bounds, and root may do what the owner may not", async () => {
    const net = await startDevnet({ blockTime: { mode: "manual" }, devRpc: true });
    try {
      const { admin, query, outcome, newSubnet } = helpers(net);
      const netuid = await newSubnet(keyring.addFromUri("//Alice//hk"));
      assert.equal(await outcome(admin("sudoSetBurnHalfLife")(netuid, 0), net.alice), "adminUtils.InvalidValue");
      assert.equal(await outcome(admin("sudoSetBurnHalfLife")(netuid, 720), net.alice), "none");
      assert.equal((await query("burnHalfLife")(netuid)).toString(), "720");
      assert.equal(await outcome(admin("sudoSetBurnIncreaseMult")(netuid, { bits: 4n << 64n }), net.alice), "adminUtils.InvalidValue");
      assert.equal(await outcome(admin("sudoSetAlphaSigmoidSteepness")(netuid, -5), net.alice), "adminUtils.NegativeSigmoidSteepness");
      assert.equal(await outcome(net.api.tx.sudo.sudo(admin("sudoSetAlphaSigmoidSteepness")(netuid, -5)), net.alice), "none");
      assert.equal((await query("alphaSigmoidSteepness")(netuid)).toString(), "-5");
      assert.equal(await outcome(admin("sudoSetOwnerImmuneNeuronLimit")(netuid, 11), net.alice), "subtensorModule.InvalidValue");
      assert.equal(await outcome(admin("sudoSetOwnerImmuneNeuronLimit")(netuid, 3), net.alice), "none");
      assert.equal(await outcome(admin("sudoSetActivityCutoff")(netuid, 100), net.alice), "subtensorModule.ActivityCutoffTooLow");
      const newOwnerHotkey = keyring.addFromUri("//Alice//hk2");
      assert.equal(await outcome(admin("sudoSetSnOwnerHotkey")(netuid, newOwnerHotkey.address), net.bob), "BadOrigin");
      assert.equal(await outcome(admin("sudoSetSnOwnerHotkey")(netuid, newOwnerHotkey.address), net.alice), "none");
      assert.equal((await query("subnetOwnerHotkey")(netuid)).toString(), newOwnerHotkey.address);
      assert.equal(await outcome(admin("sudoSetBondsResetEnabled")(netuid, true), net.alice), "none");
      assert.equal((await query("bondsResetOn")(netuid)).toString(), "true");
    } finally {
      await net.close();
    }
  });

  it("gives a full subnet's lowest-emission non-immune uid to a new registration, keeping every per-uid vector in step", async () => {
    const net = await startDevnet({ blockTime: { mode: "manual" }, devRpc: true });
    try {
      const { tx, admin, query, outcome, newSubnet } = helpers(net);
      const netuid = await newSubnet(keyring.addFromUri("//Alice//hk"));
      assert.equal(await outcome(admin("sudoSetMaxAllowedUids")(netuid, 64), net.alice), "none");
      const hotkeys = Array.from({ length: 63 }, (_, i) => keyring.addFromUri(`//Charlie//full-${i}`));
      assert.equal(await outcome(net.api.tx.utility.batchAll(hotkeys.map((hk) => tx("burnedRegister")(netuid, hk.address))), net.charlie), "none");
      assert.equal((await query("subnetworkN")(netuid)).toString(), "64");
      await net.node.newBlocks(51); // past the dev preset's immunity period of 50 blocks
      const newcomer = keyring.addFromUri("//Charlie//newcomer");
      const result = await includeManually(net, tx("burnedRegister")(netuid, newcomer.address), net.charlie);
      const registered = result.events.find(({ event }) => event.method === "NeuronRegistered")!.event;
      assert.equal(registered.data[1]!.toString(), "1", "all emissions are 0: the earliest registered non-owner uid goes");
      assert.equal((await query("subnetworkN")(netuid)).toString(), "64");
      assert.equal((await query("keys")(netuid, 1)).toString(), newcomer.address);
      assert.equal((await query("uids")(netuid, hotkeys[0]!.address)).toJSON(), null, "the replaced hotkey is deregistered");
      const atRegistration = BigInt((await query("blockAtRegistration")(netuid, 1)).toString());
      assert.equal(atRegistration, BigInt(net.node.chain.headNumber));
      for (const vector of ["active", "consensus", "incentive", "dividends", "emission", "validatorTrust", "validatorPermit", "lastUpdate"]) {
        assert.equal(((await query(vector)(netuid)).toJSON() as unknown[]).length, 64, vector);
      }
      assert.equal(await outcome(admin("sudoSetMaxAllowedUids")(netuid, 63), net.alice), "adminUtils.MaxAllowedUidsLessThanMinAllowedUids");
    } finally {
      await net.close();
    }
  });

  it("keeps at most 10 unrevealed commits per hotkey", async () => {
    const net = await startDevnet({ blockTime: { mode: "manual" }, devRpc: true });
    try {
      const { tx, outcome, newSubnet } = helpers(net);
      const ownerHotkey = keyring.addFromUri("//Alice//hk");
      const netuid = await newSubnet(ownerHotkey);
      assert.equal(await outcome(tx("setTempo")(netuid, 200), net.alice), "none");
      for (let i = 0; i < 10; i++) assert.equal(await outcome(tx("commitWeights")(netuid, `0x${String(i).padStart(2, "0").repeat(32)}`), ownerHotkey), "none", `commit ${i}`);
      assert.equal(await outcome(tx("commitWeights")(netuid, `0x${"aa".repeat(32)}`), ownerHotkey), "subtensorModule.TooManyUnrevealedCommits");
    } finally {
      await net.close();
    }
  });
});
