/**
 * SubnetInfoRuntimeApi get_metagraph / get_all_metagraphs on the devnet, as a client sees them:
 * after registrations, stake, served axons and two epochs (permits, then weights → incentive and
 * dividends), @polkadot/api decodes the Metagraph with the devnet's V15 declaration, every field
 * equals the storage it comes from (and get_neurons_lite / get_subnet_state /
 * get_subnet_hyperparams_v2 where HEAD reads the same items), and the raw bytes are read with the
 * real spec-343 Metagraph type: identical while activity_cutoff fits 343's Compact<u16>, rejected
 * once it does not (HEAD widened it to Compact<u64>).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Keyring } from "@polkadot/api";
import type { Codec } from "@polkadot/types/types";
import type { Option } from "@polkadot/types-codec";
import { u8aToHex } from "@polkadot/util";
import { includeManually, startDevnet, type TestDevnet, subtensorCalls, type Untyped } from "../../helpers/devnet.js";
import { fieldsOf, jsonFieldsOf, realChain } from "../../helpers/runtime-apis.js";

const TAO = 1_000_000_000n;
const ipv4 = (a: number, b: number, c: number, d: number): bigint => BigInt(((a << 24) >>> 0) + (b << 16) + (c << 8) + d);
/** HEAD's TokenSymbol default (the devnet's register_network does not write the item). */
const DEFAULT_SYMBOL = [0xf0, 0x9d, 0x9c, 0x8f];
/** The devnet's names for unnamed subnets (HEAD uses a list from its source, not copied here). */
const FALLBACK_NAMES: Readonly<Record<number, string>> = { 1: "subnet-1", 2: "subnet-2", 3: "subnet-3" };


describe("SubnetInfoRuntimeApi get_metagraph / get_all_metagraphs on the devnet", { timeout: 180_000 }, () => {
  let net: TestDevnet;
  let netuid: number;
  const keyring = new Keyring({ type: "sr25519" });
  const ownerHotkey = keyring.addFromUri("//Alice//metagraph-owner");
  const validatorHotkey = keyring.addFromUri("//Bob//metagraph-validator");
  const minerHotkey = keyring.addFromUri("//Charlie//metagraph-miner");
  const real = realChain();

  const { tx, admin, query, ok } = subtensorCalls(() => net);
  const subnetInfo = subtensorCalls(() => net).call;
  const call = (method: string): Untyped => subnetInfo("subnetInfoRuntimeApi", method);
  const sudo = (extrinsic: unknown): Promise<void> => ok(net.api.tx.sudo.sudo(extrinsic as never), net.alice);
  const stateCall = async (name: string, args: Uint8Array): Promise<Uint8Array> => (await net.api.rpc.state.call(name, u8aToHex(args))).toU8a(true);
  const metagraphBytes = (): Promise<Uint8Array> => stateCall("SubnetInfoRuntimeApi_get_metagraph", net.api.createType("u16", netuid).toU8a());
  const metagraph = async (): Promise<Codec> => ((await call("getMetagraph")(netuid)) as Option<Codec>).unwrap();
  const epochIndex = async (): Promise<bigint> => BigInt((await query("subnetEpochIndex")(netuid)).toString());
  /** Makes blocks one at a time until an epoch runs on the subnet. */
  const untilEpoch = async (): Promise<void> => {
    const start = await epochIndex();
    for (let i = 0; i < 100; i++) {
      await net.node.newBlocks(1);
      if ((await epochIndex()) > start) return;
    }
    throw new Error("no epoch within 100 blocks");
  };

  before(async () => {
    net = await startDevnet({ blockTime: { mode: "manual" }, devRpc: true });
    const added = await includeManually(net, tx("registerNetwork")(ownerHotkey.address), net.alice);
    netuid = Number(added.events.find(({ event }) => event.method === "NetworkAdded")!.event.data[0]!.toString());
    await ok(tx("startCall")(netuid), net.alice);
    await sudo(admin("sudoSetCommitRevealWeightsEnabled")(netuid, false));
    await sudo(admin("sudoSetWeightsSetRateLimit")(netuid, 0));
    await ok(tx("burnedRegister")(netuid, validatorHotkey.address), net.bob);
    await ok(tx("burnedRegister")(netuid, minerHotkey.address), net.charlie);
    await ok(tx("serveAxon")(netuid, 3, ipv4(10, 0, 0, 7), 8092, 4, 0, 0, 0), minerHotkey);
    await ok(tx("addStake")(validatorHotkey.address, netuid, 50n * TAO), net.bob);
    await ok(tx("addStake")(minerHotkey.address, netuid, 2n * TAO), net.charlie);
    await untilEpoch(); // validator permits by stake
    await ok(tx("setWeights")(netuid, [2], [65535], 0), validatorHotkey);
    await untilEpoch(); // incentive, dividends, emission and AlphaDividendsPerSubnet from those weights
  });
  after(async () => {
    await net?.close();
  });

  /** What Metagraph's fields must be, read from storage (and the other runtime APIs) at the head. */
  const expectedMetagraph = async (): Promise<Record<string, string>> => {
    const { api } = net;
    const read = async (name: string, ...args: unknown[]): Promise<unknown> => (await query(name)(...args)).toJSON();
    const json = (value: unknown): string => JSON.stringify(value);
    const n = Number(await read("subnetworkN", netuid));
    const uids = Array.from({ length: n }, (_, uid) => uid);
    const hotkeys = await Promise.all(uids.map(async (uid) => (await query("keys")(netuid, uid)).toString()));
    const coldkeys = await Promise.all(hotkeys.map(async (hk) => (await query("owner")(hk)).toString()));
    const axons = await Promise.all(
      hotkeys.map(async (hk) => {
        const axon = (await query("axons")(netuid, hk)) as Option<Codec>;
        return (axon.isSome ? axon.unwrap() : api.createType("PalletSubtensorAxonInfo")).toJSON();
      }),
    );
    const state = jsonFieldsOf(((await call("getSubnetState")(netuid)) as Option<Codec>).unwrap());
    const hyper = jsonFieldsOf(((await call("getSubnetHyperparamsV2")(netuid)) as Option<Codec>).unwrap());
    const block = net.node.chain.headNumber;
    const lastStep = Number(await read("lastMechansimStepBlock", netuid));
    const pending = BigInt(String(await read("pendingValidatorEmission", netuid))) + BigInt(String(await read("pendingServerEmission", netuid)));
    const alphaDivs = await Promise.all(hotkeys.map(async (hk) => [hk, Number(await read("alphaDividendsPerSubnet", netuid, hk))]));
    return {
      netuid: json(netuid),
      name: json([...new TextEncoder().encode(FALLBACK_NAMES[netuid]!)]),
      symbol: json(DEFAULT_SYMBOL),
      identity: "null",
      networkRegisteredAt: json(await read("networkRegisteredAt", netuid)),
      ownerHotkey: json(await read("subnetOwnerHotkey", netuid)),
      ownerColdkey: json(await read("subnetOwner", netuid)),
      block: json(block),
      tempo: json(await read("tempo", netuid)),
      lastStep: json(lastStep),
      blocksSinceLastStep: json(block - lastStep),
      subnetEmission: "0",
      alphaIn: json(await read("subnetAlphaIn", netuid)),
      alphaOut: json(await read("subnetAlphaOut", netuid)),
      taoIn: json(await read("subnetTAO", netuid)),
      alphaOutEmission: json(await read("subnetAlphaOutEmission", netuid)),
      alphaInEmission: json(await read("subnetAlphaInEmission", netuid)),
      taoInEmission: json(await read("subnetTaoInEmission", netuid)),
      pendingAlphaEmission: json(Number(pending)),
      pendingRootEmission: "0",
      subnetVolume: json(await read("subnetVolume", netuid)),
      movingPrice: json(await read("subnetMovingPrice", netuid)),
      rho: hyper.rho!,
      kappa: hyper.kappa!,
      minAllowedWeights: hyper.minAllowedWeights!,
      maxWeightsLimit: hyper.maxWeightsLimit!,
      weightsVersion: hyper.weightsVersion!,
      weightsRateLimit: hyper.weightsRateLimit!,
      activityCutoff: hyper.activityCutoff!,
      maxValidators: hyper.maxValidators!,
      numUids: json(n),
      maxUids: json(await read("maxAllowedUids", netuid)),
      burn: json(await read("burn", netuid)),
      difficulty: hyper.difficulty!,
      registrationAllowed: hyper.registrationAllowed!,
      powRegistrationAllowed: json(await read("networkPowRegistrationAllowed", netuid)),
      immunityPeriod: hyper.immunityPeriod!,
      minDifficulty: hyper.minDifficulty!,
      maxDifficulty: hyper.maxDifficulty!,
      minBurn: hyper.minBurn!,
      maxBurn: hyper.maxBurn!,
      adjustmentAlpha: hyper.adjustmentAlpha!,
      adjustmentInterval: hyper.adjustmentInterval!,
      targetRegsPerInterval: hyper.targetRegsPerInterval!,
      maxRegsPerBlock: hyper.maxRegsPerBlock!,
      servingRateLimit: hyper.servingRateLimit!,
      commitRevealWeightsEnabled: hyper.commitRevealWeightsEnabled!,
      commitRevealPeriod: hyper.commitRevealPeriod!,
      liquidAlphaEnabled: hyper.liquidAlphaEnabled!,
      alphaHigh: hyper.alphaHigh!,
      alphaLow: hyper.alphaLow!,
      bondsMovingAvg: hyper.bondsMovingAvg!,
      hotkeys: json(hotkeys),
      coldkeys: json(coldkeys),
      identities: json(await Promise.all(coldkeys.map(async (ck) => read("identitiesV2", ck)))),
      axons: json(axons),
      active: json(await read("active", netuid)),
      validatorPermit: json(await read("validatorPermit", netuid)),
      pruningScore: "[]",
      lastUpdate: json(await read("lastUpdate", netuid)),
      emission: json(await read("emission", netuid)),
      dividends: json(await read("dividends", netuid)),
      incentives: json(await read("incentive", netuid)),
      consensus: json(await read("consensus", netuid)),
      trust: "[]",
      rank: "[]",
      blockAtRegistration: json(await Promise.all(uids.map(async (uid) => read("blockAtRegistration", netuid, uid)))),
      // As get_subnet_state (HEAD's get_stake_weights_for_network for both).
      alphaStake: state.alphaStake!,
      taoStake: state.taoStake!,
      totalStake: state.totalStake!,
      taoDividendsPerHotkey: json(hotkeys.map((hk) => [hk, 0])),
      alphaDividendsPerHotkey: json(alphaDivs),
    };
  };

  it("get_metagraph: every field from storage, with HEAD's defaults where the devnet keeps no state", async () => {
    const fields = jsonFieldsOf(await metagraph());
    assert.deepEqual(fields, await expectedMetagraph());
    // The setup shows through: three uids, a served axon, a permit, incentive and dividends.
    const vector = (name: string): unknown[] => JSON.parse(fields[name]!) as unknown[];
    assert.deepEqual(vector("hotkeys"), [ownerHotkey.address, validatorHotkey.address, minerHotkey.address]);
    assert.deepEqual(vector("coldkeys"), [net.alice.address, net.bob.address, net.charlie.address]);
    const axon = vector("axons")[2] as { ip: number | string; port: number; version: number };
    assert.deepEqual([BigInt(axon.ip), axon.port, axon.version], [ipv4(10, 0, 0, 7), 8092, 3]);
    assert.equal(vector("validatorPermit")[1], true);
    assert.ok(Number(vector("incentives")[2]) > 0, "the miner has incentive from the validator's weights");
    assert.ok(Number(vector("dividends")[1]) > 0, "the validator has dividends");
    assert.ok(Number((vector("alphaDividendsPerHotkey")[1] as [string, number])[1]) > 0, "AlphaDividendsPerSubnet of the validator");
    assert.ok(BigInt(vector("alphaStake")[1] as number) >= 50n * TAO, "the validator's stake");
    assert.equal(new TextDecoder().decode(Uint8Array.from(vector("name") as number[])), FALLBACK_NAMES[netuid]);
  });

  it("get_metagraph: the per-uid vectors equal get_neurons_lite's fields", async () => {
    const fields = jsonFieldsOf(await metagraph());
    const neurons = ((await (net.api.call["neuronInfoRuntimeApi"]!["getNeuronsLite"] as unknown as Untyped)(netuid)) as unknown as Codec[]).map(jsonFieldsOf);
    const column = (name: string): string => JSON.stringify(neurons.map((neuron) => JSON.parse(neuron[name]!) as unknown));
    assert.equal(neurons.length, Number(fields.numUids));
    const pairs: [metagraph: string, neuron: string][] = [
      ["hotkeys", "hotkey"],
      ["coldkeys", "coldkey"],
      ["active", "active"],
      ["validatorPermit", "validatorPermit"],
      ["emission", "emission"],
      ["incentives", "incentive"],
      ["consensus", "consensus"],
      ["dividends", "dividends"],
      ["lastUpdate", "lastUpdate"],
      ["axons", "axonInfo"],
    ];
    for (const [mg, neuron] of pairs) assert.equal(fields[mg], column(neuron), mg);
    // NeuronInfoLite's stake is the hotkey's TotalHotkeyAlpha: alpha_stake without child keys.
    assert.equal(fields.alphaStake, JSON.stringify(neurons.map((neuron) => (JSON.parse(neuron.stake!) as [string, number][])[0]![1])));
  });

  it("get_metagraph is None for a subnet that does not exist; get_all_metagraphs lists every subnet", async () => {
    assert.ok(((await call("getMetagraph")(77)) as Option<Codec>).isNone);
    const all = (await call("getAllMetagraphs")()) as unknown as Option<Codec>[];
    const networksAdded = net.api.query["subtensorModule"]!["networksAdded"] as unknown as { keys(): Promise<{ args: [Codec] }[]> };
    const netuids = (await networksAdded.keys()).map(({ args: [n] }) => Number(n.toString())).sort((a, b) => a - b);
    assert.deepEqual(
      all.map((entry) => Number(fieldsOf(entry.unwrap()).netuid)),
      netuids,
    );
    const ours = all.find((entry) => Number(fieldsOf(entry.unwrap()).netuid) === netuid)!;
    assert.deepEqual(ours.unwrap().toJSON(), (await metagraph()).toJSON());
  });

  it("Metagraph drifted since 343 (activity_cutoff u16 → u64): 343's type reads HEAD's bytes only while the cutoff fits a u16", async () => {
    const type343 = real.outputOf("SubnetInfoRuntimeApi", "get_metagraph");
    const small = await metagraphBytes();
    const viaApi = (await call("getMetagraph")(netuid)) as Codec;
    assert.equal(u8aToHex(viaApi.toU8a()), u8aToHex(small), "api.call decodes the whole answer");
    // A compact is the same bytes whatever its width: with the dev cutoff (13 889 × 10 / 1000 = 138 blocks) both read alike.
    const as343 = real.registry.createType(type343, small);
    assert.equal(as343.encodedLength, small.length, "spec 343's type reads every byte");
    assert.deepEqual(as343.toJSON(), viaApi.toJSON());
    const all343 = real.registry.createType(real.outputOf("SubnetInfoRuntimeApi", "get_all_metagraphs"), await stateCall("SubnetInfoRuntimeApi_get_all_metagraphs", new Uint8Array()));
    assert.deepEqual(all343.toJSON(), ((await call("getAllMetagraphs")()) as Codec).toJSON());
    // Tempo 50 400 makes the cutoff 700 005 blocks: beyond spec 343's u16.
    await sudo(admin("sudoSetTempo")(netuid, 50_400));
    const large = await metagraphBytes();
    const head = fieldsOf(await metagraph());
    assert.equal(head.activityCutoff, "700005");
    assert.equal(head.tempo, "50400");
    assert.throws(() => real.registry.createType(type343, large), /on activityCutoff .*Compact<u16>.*Input too large/, "spec 343's Compact<u16> cannot carry the cutoff");
  });
});
