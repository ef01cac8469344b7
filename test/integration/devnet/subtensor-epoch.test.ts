/**
 * The Yuma epoch on the devnet equals `tensornode sim epoch` on the same snapshot, bit for bit: a
 * subnet with two staked validators and two miners sets weights, the epoch runs on chain, and the
 * storage it read (at the block before) fed to the simulator gives exactly what the chain wrote.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Keyring } from "@polkadot/api";
import type { ApiDecoration } from "@polkadot/api/types";
import type { KeyringPair } from "@polkadot/keyring/types";
import { splitBlockEmission } from "../../../src/yuma/index.js";
import { runCliCaptured } from "../../helpers/cli.js";
import { includeManually, mainnetLikeGenesis, startDevnet, type TestDevnet } from "../../helpers/devnet.js";

const TAO = 1_000_000_000n;

describe("the Yuma epoch on the devnet", { timeout: 180_000 }, () => {
  let net: TestDevnet;
  const dir = mkdtempSync(join(tmpdir(), "tensornode-epoch-"));
  const keyring = new Keyring({ type: "sr25519" });
  const hk = (name: string): KeyringPair => keyring.addFromUri(`//${name}`);
  const owner = hk("Alice//owner");
  const validators = [hk("Bob//validator"), hk("Charlie//validator")];
  const miners = [hk("Dave//miner-1"), hk("Dave//miner-2")];
  let netuid = 0;

  type Untyped = (...args: unknown[]) => any;
  const tx = (name: string): Untyped => net.api.tx["subtensorModule"]![name] as Untyped;
  const admin = (name: string): Untyped => net.api.tx["adminUtils"]![name] as Untyped;
  const query = (at: ApiDecoration<"promise"> | TestDevnet["api"], name: string): Untyped => at.query["subtensorModule"]![name] as unknown as Untyped;
  const ok = async (call: unknown, signer: KeyringPair): Promise<void> => {
    const result = await includeManually(net, call as never, signer);
    assert.equal(result.dispatchError?.toString(), undefined);
  };
  const epochIndex = async (): Promise<bigint> => BigInt((await query(net.api, "subnetEpochIndex")(netuid)).toString());
  /** Makes blocks one at a time until an epoch fires; returns that block's number. */
  const untilEpoch = async (): Promise<number> => {
    const start = await epochIndex();
    for (let i = 0; i < 200; i++) {
      await net.node.newBlocks(1);
      if ((await epochIndex()) > start) return net.node.chain.headNumber;
    }
    throw new Error("no epoch within 200 blocks");
  };

  before(async () => {
    net = await startDevnet({ blockTime: { mode: "manual" }, devRpc: true, genesis: mainnetLikeGenesis() });
    const { api, alice, bob, charlie } = net;
    const dave = keyring.addFromUri("//Dave");
    const result = await includeManually(net, tx("registerNetwork")(owner.address), alice);
    netuid = Number(result.events.find(({ event }) => event.method === "NetworkAdded")!.event.data[0]!.toString());
    await ok(tx("startCall")(netuid), alice);
    await ok(api.tx.sudo.sudo(admin("sudoSetTempo")(netuid, 20)), alice);
    await ok(api.tx.sudo.sudo(admin("sudoSetWeightsSetRateLimit")(netuid, 0)), alice);
    await ok(admin("sudoSetCommitRevealWeightsEnabled")(netuid, false), alice);
    await ok(tx("burnedRegister")(netuid, validators[0]!.address), bob);
    await ok(tx("burnedRegister")(netuid, validators[1]!.address), charlie);
    for (const miner of miners) await ok(tx("burnedRegister")(netuid, miner.address), dave);
    await ok(tx("addStake")(validators[0]!.address, netuid, 100n * TAO), bob);
    await ok(tx("addStake")(validators[1]!.address, netuid, 40n * TAO), charlie);
    await untilEpoch(); // grants validator permits by stake
  });
  after(async () => {
    await net?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives validator permits by stake at the epoch, and only then accepts their weights", async () => {
    const permits = (await query(net.api, "validatorPermit")(netuid)).toJSON() as boolean[];
    assert.deepEqual(permits, [true, true, true, false, false]);
    await ok(tx("setWeights")(netuid, [3, 4], [60000, 5000], 0), validators[0]!);
    await ok(tx("setWeights")(netuid, [3, 4], [50000, 12000], 0), validators[1]!);
    const miner = await includeManually(net, tx("setWeights")(netuid, [3, 4], [1, 1], 0), miners[0]!);
    const meta = net.api.registry.findMetaError(miner.dispatchError!.asModule);
    assert.equal(meta.name, "NeuronNoValidatorPermit");
  });

  it("writes exactly what tensornode sim epoch computes from the storage it read", async () => {
    const { api } = net;
    const epochBlock = await untilEpoch();
    const before = await api.at(await api.rpc.chain.getBlockHash(epochBlock - 1));
    const at = await api.at(await api.rpc.chain.getBlockHash(epochBlock));
    const q = (name: string, ...args: unknown[]): Promise<{ toJSON(): unknown; toString(): string }> => query(before, name)(...args);
    const n = Number((await q("subnetworkN", netuid)).toString());
    const uids = Array.from({ length: n }, (_, uid) => uid);
    const hotkeys = await Promise.all(uids.map(async (uid) => (await q("keys", netuid, uid)).toString()));
    const num = async (name: string, ...args: unknown[]): Promise<number> => Number((await q(name, ...args)).toString());
    const bigOf = async (name: string, ...args: unknown[]): Promise<bigint> => BigInt((await q(name, ...args)).toString());
    const [alphaLow, alphaHigh] = (await q("alphaValues", netuid)).toJSON() as [number, number];
    const tempo = await num("tempo", netuid);
    const cutoff = await num("activityCutoffFactorMilli", netuid);
    const ownerUid = Number((await q("uids", netuid, owner.address)).toString());
    const blockSplit = splitBlockEmission({ alphaOut: TAO, ownerCutEnabled: true, subnetOwnerCutU16: await num("subnetOwnerCut"), rootProportion: 0n, rootSellFlag: false });
    const raoEmission = (await bigOf("pendingServerEmission", netuid)) + (await bigOf("pendingValidatorEmission", netuid)) + blockSplit.pendingServer + blockSplit.pendingValidator;
    const taoWeight = await bigOf("taoWeight");
    const stakeThreshold = await bigOf("stakeThreshold");
    const maxValidators = await num("maxAllowedValidators", netuid);
    const snapshot = {
      hyperparams: {
        kappa_u16: await num("kappa", netuid),
        bonds_penalty_u16: await num("bondsPenalty", netuid),
        bonds_moving_average: await bigOf("bondsMovingAverage", netuid),
        yuma3: (await q("yuma3On", netuid)).toJSON(),
        liquid_alpha: (await q("liquidAlphaOn", netuid)).toJSON(),
        alpha_low_u16: alphaLow,
        alpha_high_u16: alphaHigh,
        alpha_sigmoid_steepness: await num("alphaSigmoidSteepness", netuid),
        tempo,
        activity_cutoff_factor_milli: cutoff,
        stake_threshold: stakeThreshold,
        tao_weight_u64: taoWeight,
        commit_reveal_enabled: (await q("commitRevealWeightsEnabled", netuid)).toJSON(),
        owner_uid: ownerUid,
        max_allowed_validators: maxValidators,
        mechanism_count: 1,
      },
      state: {
        n,
        current_block: epochBlock,
        tempo,
        activity_cutoff_factor_milli: cutoff,
        last_mechanism_step_block: await num("lastMechansimStepBlock", netuid),
        last_update: ((await q("lastUpdate", netuid)).toJSON() as number[]).map(Number),
        block_at_registration: await Promise.all(uids.map((uid) => num("blockAtRegistration", netuid, uid))),
        alpha_stake: await Promise.all(hotkeys.map((hotkey) => bigOf("totalHotkeyAlpha", hotkey, netuid))),
        tao_stake: uids.map(() => 0n),
        tao_weight_u64: taoWeight,
        stake_threshold: stakeThreshold,
        owner_uid: ownerUid,
        validator_permit: (await q("validatorPermit", netuid)).toJSON(),
        max_allowed_validators: maxValidators,
        weights: await Promise.all(uids.map(async (uid) => (await q("weights", netuid, uid)).toJSON())),
        bonds: await Promise.all(uids.map(async (uid) => (await q("bonds", netuid, uid)).toJSON())),
        rao_emission: raoEmission,
      },
    };
    const file = join(dir, "snapshot.json");
    writeFileSync(file, JSON.stringify(snapshot, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
    const run = await runCliCaptured(["sim", "epoch", file, "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const sim = JSON.parse(run.stdout) as Record<string, unknown[]>;
    const stored = async (name: string): Promise<unknown[]> => ((await query(at, name)(netuid)).toJSON() as unknown[]).map((v) => (typeof v === "number" || typeof v === "boolean" ? v : Number(v)));
    assert.deepEqual(await stored("consensus"), sim.consensus_u16);
    assert.deepEqual(await stored("incentive"), sim.incentive_u16);
    assert.deepEqual(await stored("dividends"), sim.dividends_u16);
    assert.deepEqual(await stored("validatorTrust"), sim.validator_trust_u16);
    assert.deepEqual(await stored("stakeWeight"), sim.stake_weight_u16);
    assert.deepEqual(await stored("active"), sim.active);
    assert.deepEqual(await stored("validatorPermit"), sim.new_validator_permit);
    assert.deepEqual(await stored("emission"), sim.emission_combined!.map(Number));
    const bonds = await Promise.all(uids.map(async (uid) => (await query(at, "bonds")(netuid, uid)).toJSON()));
    assert.deepEqual(bonds, sim.bonds_stored_u16);
    assert.ok((sim.incentive_u16 as number[])[3]! > (sim.incentive_u16 as number[])[4]!, "the miner both validators rate higher earns more");
  });

  it("pays the epoch out as stake: miners' incentive to their coldkeys, dividends to validators, the owner cut to the owner", async () => {
    const { api } = net;
    const alpha = async (hotkey: KeyringPair): Promise<bigint> => BigInt((await query(api, "totalHotkeyAlpha")(hotkey.address, netuid)).toString());
    const before = await Promise.all([...miners, ...validators, owner].map(alpha));
    await untilEpoch();
    const after = await Promise.all([...miners, ...validators, owner].map(alpha));
    after.forEach((value, i) => assert.ok(value > before[i]!, `stake of participant ${i} grew`));
    const dave = keyring.addFromUri("//Dave");
    const stakeInfo = BigInt((await query(api, "totalHotkeyAlpha")(miners[0]!.address, netuid)).toString());
    assert.ok(stakeInfo > 0n);
    assert.equal((await query(api, "owner")(miners[0]!.address)).toString(), dave.address);
  });

  it("refuses the weights HEAD refuses, by HEAD's error names", async () => {
    const { api, alice } = net;
    await untilEpoch(); // the admin window is open right after an epoch
    await ok(api.tx.sudo.sudo(admin("sudoSetWeightsVersionKey")(netuid, 7)), alice);
    await ok(api.tx.sudo.sudo(admin("sudoSetMinAllowedWeights")(netuid, 2)), alice);
    const refusal = async (uids: number[], values: number[], versionKey: number): Promise<string> => {
      const result = await includeManually(net, tx("setWeights")(netuid, uids, values, versionKey), validators[0]!);
      return result.dispatchError ? net.api.registry.findMetaError(result.dispatchError.asModule).name : "none";
    };
    assert.equal(await refusal([3, 4], [1, 2], 6), "IncorrectWeightVersionKey");
    assert.equal(await refusal([3], [1], 7), "WeightVecLengthIsLow");
    assert.equal(await refusal([3, 3], [1, 2], 7), "DuplicateUids");
    assert.equal(await refusal([3, 9], [1, 2], 7), "UidVecContainInvalidOne");
    assert.equal(await refusal([3, 4], [1], 7), "WeightVecNotEqualSize");
    assert.equal(await refusal([0, 1, 2, 3, 4, 4], [1, 1, 1, 1, 1, 1], 7), "UidsLengthExceedUidsInSubNet");
    assert.equal(await refusal([1], [1], 7), "none", "a single weight on oneself is allowed below the minimum");
    assert.equal(await refusal([3, 4], [1, 2], 8), "none");
  });
});
