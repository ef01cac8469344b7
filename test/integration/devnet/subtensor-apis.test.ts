/**
 * subtensor's runtime APIs on the devnet, as a client sees them: @polkadot/api decodes them with the
 * devnet's V15 declarations (`api.call.*`), every field is checked against the storage it comes
 * from (read through `api.query`), and where a layout is unchanged since spec 343 the raw
 * `state_call` bytes must decode identically with the real spec-343 metadata's output type.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { Keyring } from "@polkadot/api";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { Codec } from "@polkadot/types/types";
import type { Option } from "@polkadot/types-codec";
import { blake2AsHex } from "@polkadot/util-crypto";
import { u8aToHex } from "@polkadot/util";
import { subtensorApiMethods, subtensorApiVersions } from "../../../src/devnet/runtime/pallets/subtensor/runtime-apis.js";
import { SUBTENSOR_RUNTIME_API_TYPES } from "../../../src/devnet/runtime/pallets/subtensor/runtime-apis.generated.js";
import { API_JSON_PATH, generateRuntimeApisSource, readRuntimeApiJson, RUNTIME_APIS_OUTPUT_PATH } from "../../../scripts/generate-subtensor-runtime-apis.js";
import { includeManually, startDevnet, type TestDevnet, subtensorCalls } from "../../helpers/devnet.js";
import { camel, fieldsOf, jsonFieldsOf, realChain, strings } from "../../helpers/runtime-apis.js";

const TAO = 1_000_000_000n;
const ipv4 = (a: number, b: number, c: number, d: number): bigint => BigInt(((a << 24) >>> 0) + (b << 16) + (c << 8) + d);


describe("subtensor runtime APIs on the devnet (NeuronInfo, SubnetInfo, StakeInfo)", { timeout: 180_000 }, () => {
  let net: TestDevnet;
  let netuid: number;
  const keyring = new Keyring({ type: "sr25519" });
  const ownerHotkey = keyring.addFromUri("//Alice//api-owner-hotkey");
  const minerHotkey = keyring.addFromUri("//Bob//api-miner-hotkey");
  const stranger = keyring.addFromUri("//Stranger");
  const real = realChain();

  const { tx, admin, query, call, ok } = subtensorCalls(() => net);
  const sudo = (extrinsic: unknown): Promise<void> => ok(net.api.tx.sudo.sudo(extrinsic as never), net.alice);
  /** The raw `state_call` answer for `Api_method` with SCALE-encoded arguments. */
  const stateCall = async (name: string, ...args: Codec[]): Promise<Uint8Array> =>
    (await net.api.rpc.state.call(name, u8aToHex(Uint8Array.from(args.flatMap((a) => [...a.toU8a()]))))).toU8a(true);
  /** Every subnet's netuid, ascending (the order HEAD iterates them in for netuids below 256). */
  const allNetuids = async (): Promise<number[]> => {
    const networksAdded = net.api.query["subtensorModule"]!["networksAdded"] as unknown as { keys(): Promise<{ args: [Codec] }[]> };
    return (await networksAdded.keys()).map(({ args: [netuid] }) => Number(netuid.toString())).sort((a, b) => a - b);
  };
  const u16 = (value: number): Codec => net.api.createType("u16", value);
  const accountId = (pair: KeyringPair): Codec => net.api.createType("AccountId32", pair.address);

  before(async () => {
    net = await startDevnet({ blockTime: { mode: "manual" }, devRpc: true });
    const added = await includeManually(net, tx("registerNetwork")(ownerHotkey.address), net.alice);
    netuid = Number(added.events.find(({ event }) => event.method === "NetworkAdded")!.event.data[0]!.toString());
    await ok(tx("startCall")(netuid), net.alice);
    await ok(tx("burnedRegister")(netuid, minerHotkey.address), net.bob);
    await ok(tx("serveAxon")(netuid, 7, ipv4(127, 0, 0, 2), 8091, 4, 0, 0, 0), minerHotkey);
    await ok(tx("addStake")(minerHotkey.address, netuid, 10n * TAO), net.charlie);
    await ok(tx("addStake")(minerHotkey.address, netuid, 3n * TAO), net.bob);
    // Weights without commit-reveal or a rate limit, one of them zero (NeuronInfo drops it).
    await sudo(admin("sudoSetCommitRevealWeightsEnabled")(netuid, false));
    await sudo(admin("sudoSetWeightsSetRateLimit")(netuid, 0));
    await ok(tx("setWeights")(netuid, [0, 1], [0, 65535], 0), ownerHotkey);
    // Non-default hyperparameters for SubnetHyperparamsV2.
    await sudo(admin("sudoSetKappa")(netuid, 100));
    await sudo(admin("sudoSetYuma3Enabled")(netuid, true));
    await sudo(admin("sudoSetImmunityPeriod")(netuid, 77));
  });
  after(async () => {
    await net?.close();
  });

  it("has an up-to-date runtime-apis.generated.ts", () => {
    const expected = generateRuntimeApisSource(readRuntimeApiJson(API_JSON_PATH));
    assert.ok(readFileSync(RUNTIME_APIS_OUTPUT_PATH, "utf8") === expected, "runtime-apis.generated.ts is stale: run node --import tsx scripts/generate-subtensor-runtime-apis.ts");
  });

  it("lists the served APIs in the runtime version with HEAD's versions, and declares each struct with the real chain's path", () => {
    const listed = new Map(net.api.runtimeVersion.apis.map(([id, version]) => [id.toHex(), version.toNumber()]));
    for (const [name, version] of subtensorApiVersions()) assert.equal(listed.get(blake2AsHex(name, 64)), version, name);
    assert.deepEqual(subtensorApiVersions(), [["NeuronInfoRuntimeApi", 1], ["SubnetInfoRuntimeApi", 2], ["StakeInfoRuntimeApi", 1], ["SubnetRegistrationRuntimeApi", 1]]);
    for (const name of subtensorApiMethods().keys()) {
      const [api, method] = [name.slice(0, name.indexOf("_")), name.slice(name.indexOf("_") + 1)];
      assert.equal(typeof net.api.call[camel(api)]?.[camel(method)], "function", `api.call has ${name}`);
    }
    for (const name of ["NeuronInfo", "NeuronInfoLite", "StakeInfo", "SubnetHyperparamsV2", "SubnetState", "Metagraph"]) {
      const path = SUBTENSOR_RUNTIME_API_TYPES[name]!.path;
      const inReal = real.registry.lookup.types.some((t) => t.type.path.map(String).join("::") === path);
      assert.ok(inReal, `spec 343 has a type ${path}`);
    }
  });

  /** What NeuronInfoLite's fields must be, read from storage the way a client reads it. */
  const expectedNeuronLite = async (uid: number): Promise<Record<string, string>> => {
    const { api } = net;
    const hotkey = (await query("keys")(netuid, uid)).toString();
    const coldkey = (await query("owner")(hotkey)).toString();
    const at = async (vector: string, fallback: string): Promise<string> => strings(await query(vector)(netuid))[uid] ?? fallback;
    const axon = (await query("axons")(netuid, hotkey)) as Option<Codec>;
    const prometheus = (await query("prometheus")(netuid, hotkey)) as Option<Codec>;
    const alpha = BigInt((await query("totalHotkeyAlpha")(hotkey, netuid)).toString());
    return {
      hotkey,
      coldkey,
      uid: String(uid),
      netuid: String(netuid),
      active: await at("active", "false"),
      axonInfo: (axon.isSome ? axon.unwrap() : api.createType("PalletSubtensorAxonInfo")).toString(),
      prometheusInfo: (prometheus.isSome ? prometheus.unwrap() : api.createType("PalletSubtensorPrometheusInfo")).toString(),
      stake: api.createType("Vec<(AccountId32,Compact<u64>)>", [[coldkey, alpha]]).toString(),
      rank: "0",
      emission: await at("emission", "0"),
      incentive: await at("incentive", "0"),
      consensus: await at("consensus", "0"),
      trust: "0",
      validatorTrust: await at("validatorTrust", "0"),
      dividends: await at("dividends", "0"),
      lastUpdate: await at("lastUpdate", "0"),
      validatorPermit: await at("validatorPermit", "false"),
      pruningScore: "65535",
    };
  };

  /** Weights or bonds as NeuronInfo lists them: storage's row without its zero entries. */
  const nonZeroRow = async (item: "weights" | "bonds", uid: number): Promise<string> => {
    const row = ((await query(item)(netuid, uid)).toJSON() as [number, number][]).filter(([, value]) => value > 0);
    return net.api.createType("Vec<(Compact<u16>,Compact<u16>)>", row).toString();
  };

  it("get_neurons_lite / get_neuron_lite: one entry per uid with every field from storage", async () => {
    const neurons = (await call("neuronInfoRuntimeApi", "getNeuronsLite")(netuid)) as unknown as Codec[];
    assert.equal(neurons.length, Number((await query("subnetworkN")(netuid)).toString()));
    for (const [uid, neuron] of neurons.entries()) assert.deepEqual(fieldsOf(neuron), await expectedNeuronLite(uid), `uid ${uid}`);
    const miner = fieldsOf(neurons[1]!);
    assert.equal(miner.hotkey, minerHotkey.address);
    assert.equal(miner.coldkey, net.bob.address);
    const axon = JSON.parse(miner.axonInfo!) as { ip: number | string; port: number; version: number };
    assert.deepEqual([BigInt(axon.ip), axon.port, axon.version], [ipv4(127, 0, 0, 2), 8091, 7]);
    // HEAD lists one (owner, total alpha) pair: Charlie's delegated stake is inside Bob's figure.
    const stake = JSON.parse(miner.stake!) as [string, number][];
    assert.equal(stake.length, 1);
    assert.equal(stake[0]![0], net.bob.address);
    assert.ok(BigInt(stake[0]![1]) > 12n * TAO, `owner and delegator alpha together (${stake[0]![1]})`);
    const single = (await call("neuronInfoRuntimeApi", "getNeuronLite")(netuid, 1)) as Option<Codec>;
    assert.deepEqual(fieldsOf(single.unwrap()), miner);
  });

  it("get_neurons / get_neuron: the lite fields plus weights and bonds with zero entries dropped", async () => {
    const neurons = (await call("neuronInfoRuntimeApi", "getNeurons")(netuid)) as unknown as Codec[];
    assert.equal(neurons.length, 2);
    for (const [uid, neuron] of neurons.entries()) {
      const { pruningScore, ...lite } = await expectedNeuronLite(uid);
      assert.deepEqual(fieldsOf(neuron), { ...lite, weights: await nonZeroRow("weights", uid), bonds: await nonZeroRow("bonds", uid), pruningScore }, `uid ${uid}`);
    }
    assert.equal(fieldsOf(neurons[0]!).weights, "[[1,65535]]", "the owner's zero weight on uid 0 is dropped");
    const single = (await call("neuronInfoRuntimeApi", "getNeuron")(netuid, 0)) as Option<Codec>;
    assert.deepEqual(fieldsOf(single.unwrap()), fieldsOf(neurons[0]!));
  });

  it("answers an empty Vec or None for a subnet or uid that does not exist", async () => {
    const neuronApi = (method: string) => call("neuronInfoRuntimeApi", method);
    assert.equal(((await neuronApi("getNeuronsLite")(77)) as unknown as Codec[]).length, 0);
    assert.equal(((await neuronApi("getNeurons")(77)) as unknown as Codec[]).length, 0);
    assert.ok(((await neuronApi("getNeuronLite")(77, 0)) as Option<Codec>).isNone);
    assert.ok(((await neuronApi("getNeuron")(netuid, 99)) as Option<Codec>).isNone);
    assert.ok(((await call("subnetInfoRuntimeApi", "getSubnetHyperparamsV2")(77)) as Option<Codec>).isNone);
    assert.ok(((await call("subnetInfoRuntimeApi", "getSubnetState")(77)) as Option<Codec>).isNone);
    assert.ok(((await call("subnetInfoRuntimeApi", "getMetagraph")(77)) as Option<Codec>).isNone);
  });

  /** A coldkey's alpha through a hotkey, from the share pool in storage. */
  const stakeFromStorage = async (hotkey: string, coldkey: string, subnet: number): Promise<bigint> => {
    const value = (float: Codec): bigint => {
      const { mantissa, exponent } = float.toJSON() as { mantissa: number | string; exponent: number };
      return exponent >= 0 ? BigInt(mantissa) * 10n ** BigInt(exponent) : BigInt(mantissa) / 10n ** BigInt(-exponent);
    };
    const total = BigInt((await query("totalHotkeyAlpha")(hotkey, subnet)).toString());
    const shares = value(await query("totalHotkeySharesV2")(hotkey, subnet));
    return shares === 0n ? 0n : (total * value(await query("alphaV2")(hotkey, coldkey, subnet))) / shares;
  };

  const expectedStakeInfo = async (hotkey: string, coldkey: string, subnet: number): Promise<Record<string, string>> => ({
    hotkey,
    coldkey,
    netuid: String(subnet),
    stake: String(await stakeFromStorage(hotkey, coldkey, subnet)),
    locked: "0",
    emission: (await query("alphaDividendsPerSubnet")(subnet, hotkey)).toString(),
    taoEmission: "0",
    drain: "0",
    isRegistered: String(((await query("uids")(subnet, hotkey)) as Option<Codec>).isSome),
  });

  it("get_stake_info_for_hotkey_coldkey_netuid: the share-pool stake, dividends and registration (Some even without stake, as HEAD)", async () => {
    const stakeInfo = async (hotkey: KeyringPair, coldkey: KeyringPair): Promise<Record<string, string>> =>
      fieldsOf(((await call("stakeInfoRuntimeApi", "getStakeInfoForHotkeyColdkeyNetuid")(hotkey.address, coldkey.address, netuid)) as Option<Codec>).unwrap());
    const charlie = await stakeInfo(minerHotkey, net.charlie);
    assert.deepEqual(charlie, await expectedStakeInfo(minerHotkey.address, net.charlie.address, netuid));
    assert.ok(BigInt(charlie.stake!) > 9n * TAO);
    const none = await stakeInfo(ownerHotkey, keyring.addFromUri("//Dave"));
    assert.deepEqual([none.stake, none.isRegistered], ["0", "true"]);
    assert.equal((await stakeInfo(stranger, net.charlie)).isRegistered, "false");
  });

  it("get_stake_info_for_coldkey: every subnet × the coldkey's staking hotkeys, stakes only", async () => {
    const netuids = await allNetuids();
    for (const coldkey of [net.charlie, net.bob, stranger]) {
      const rows = ((await call("stakeInfoRuntimeApi", "getStakeInfoForColdkey")(coldkey.address)) as unknown as Codec[]).map(fieldsOf);
      const hotkeys = strings(await query("stakingHotkeys")(coldkey.address));
      const expected: Record<string, string>[] = [];
      for (const subnet of netuids) for (const hotkey of hotkeys) expected.push(await expectedStakeInfo(hotkey, coldkey.address, subnet));
      assert.deepEqual(rows, expected.filter((row) => row.stake !== "0"), coldkey.address);
    }
    const charlie = ((await call("stakeInfoRuntimeApi", "getStakeInfoForColdkey")(net.charlie.address)) as unknown as Codec[]).map(fieldsOf);
    assert.deepEqual(charlie.map((row) => [row.hotkey, row.netuid]), [[minerHotkey.address, String(netuid)]]);
  });

  it("get_subnet_state: per-uid vectors and stakes from storage", async () => {
    const state = jsonFieldsOf(((await call("subnetInfoRuntimeApi", "getSubnetState")(netuid)) as Option<Codec>).unwrap());
    const n = Number((await query("subnetworkN")(netuid)).toString());
    const hotkeys = await Promise.all(Array.from({ length: n }, async (_, uid) => (await query("keys")(netuid, uid)).toString()));
    const alpha = await Promise.all(hotkeys.map(async (hk) => (await query("totalHotkeyAlpha")(hk, netuid)).toString()));
    const netuids = await allNetuids();
    const history = await Promise.all(netuids.map((s) => Promise.all(hotkeys.map(async (hk) => Number((await query("lastHotkeyEmissionOnNetuid")(hk, s)).toString())))));
    const vector = async (name: string): Promise<string> => JSON.stringify((await query(name)(netuid)).toJSON());
    assert.deepEqual(state, {
      netuid: JSON.stringify(netuid),
      hotkeys: JSON.stringify(hotkeys),
      coldkeys: JSON.stringify(await Promise.all(hotkeys.map(async (hk) => (await query("owner")(hk)).toString()))),
      active: await vector("active"),
      validatorPermit: await vector("validatorPermit"),
      pruningScore: "[]",
      lastUpdate: await vector("lastUpdate"),
      emission: await vector("emission"),
      dividends: await vector("dividends"),
      incentives: await vector("incentive"),
      consensus: await vector("consensus"),
      trust: "[]",
      rank: "[]",
      blockAtRegistration: JSON.stringify(await Promise.all(Array.from({ length: n }, async (_, uid) => Number((await query("blockAtRegistration")(netuid, uid)).toString())))),
      alphaStake: JSON.stringify(alpha.map(Number)),
      // No stake on root (netuid 0) on the devnet: tao_stake 0, total = alpha.
      taoStake: JSON.stringify(alpha.map(() => 0)),
      totalStake: JSON.stringify(alpha.map(Number)),
      emissionHistory: JSON.stringify(history),
    });
  });

  /** SubnetHyperparamsV2's fields from storage, computed where HEAD computes them. */
  const expectedHyperparams = async (): Promise<Record<string, string>> => {
    const read = async (name: string): Promise<string> => (await query(name)(netuid)).toString();
    const [alphaLow, alphaHigh] = (await query("alphaValues")(netuid)).toJSON() as [number, number];
    const cutoff = (BigInt(await read("activityCutoffFactorMilli")) * BigInt(await read("tempo"))) / 1000n;
    return {
      rho: await read("rho"),
      kappa: await read("kappa"),
      immunityPeriod: await read("immunityPeriod"),
      minAllowedWeights: await read("minAllowedWeights"),
      maxWeightsLimit: "65535",
      tempo: await read("tempo"),
      minDifficulty: await read("minDifficulty"),
      maxDifficulty: await read("maxDifficulty"),
      weightsVersion: await read("weightsVersionKey"),
      weightsRateLimit: await read("weightsSetRateLimit"),
      adjustmentInterval: await read("adjustmentInterval"),
      activityCutoff: String(cutoff > 1n ? cutoff : 1n),
      registrationAllowed: await read("networkRegistrationAllowed"),
      targetRegsPerInterval: await read("targetRegistrationsPerInterval"),
      minBurn: await read("minBurn"),
      maxBurn: await read("maxBurn"),
      bondsMovingAvg: await read("bondsMovingAverage"),
      maxRegsPerBlock: await read("maxRegistrationsPerBlock"),
      servingRateLimit: await read("servingRateLimit"),
      maxValidators: await read("maxAllowedValidators"),
      adjustmentAlpha: await read("adjustmentAlpha"),
      difficulty: await read("difficulty"),
      commitRevealPeriod: await read("revealPeriodEpochs"),
      commitRevealWeightsEnabled: await read("commitRevealWeightsEnabled"),
      alphaHigh: String(alphaHigh),
      alphaLow: String(alphaLow),
      liquidAlphaEnabled: await read("liquidAlphaOn"),
      alphaSigmoidSteepness: JSON.stringify({ bits: Number(BigInt(await read("alphaSigmoidSteepness")) << 32n) }),
      yumaVersion: (await read("yuma3On")) === "true" ? "3" : "2",
      subnetIsActive: await read("subtokenEnabled"),
      transfersEnabled: await read("transferToggle"),
      bondsResetEnabled: await read("bondsResetOn"),
      userLiquidityEnabled: "false",
    };
  };

  it("get_subnet_hyperparams_v2: every field from storage (HEAD's layout, activity_cutoff Compact<u64>)", async () => {
    const hyperparams = fieldsOf(((await call("subnetInfoRuntimeApi", "getSubnetHyperparamsV2")(netuid)) as Option<Codec>).unwrap());
    assert.deepEqual(hyperparams, await expectedHyperparams());
    assert.deepEqual([hyperparams.kappa, hyperparams.yumaVersion, hyperparams.immunityPeriod, hyperparams.subnetIsActive], ["100", "3", "77", "true"]);
  });

  it("answers state_call with bytes that decode identically under the real spec-343 types where the layout did not change", async () => {
    const cases: [api: string, method: string, args: Codec[]][] = [
      ["NeuronInfoRuntimeApi", "get_neurons_lite", [u16(netuid)]],
      ["NeuronInfoRuntimeApi", "get_neuron_lite", [u16(netuid), u16(1)]],
      ["NeuronInfoRuntimeApi", "get_neurons", [u16(netuid)]],
      ["NeuronInfoRuntimeApi", "get_neuron", [u16(netuid), u16(0)]],
      ["StakeInfoRuntimeApi", "get_stake_info_for_hotkey_coldkey_netuid", [accountId(minerHotkey), accountId(net.charlie), u16(netuid)]],
      ["StakeInfoRuntimeApi", "get_stake_info_for_coldkey", [accountId(net.charlie)]],
      ["SubnetInfoRuntimeApi", "get_subnet_state", [u16(netuid)]],
    ];
    for (const [api, method, args] of cases) {
      const bytes = await stateCall(`${api}_${method}`, ...args);
      const viaApi = (await call(camel(api), camel(method))(...args)) as Codec;
      assert.equal(u8aToHex(viaApi.toU8a()), u8aToHex(bytes), `${api}.${method}: api.call decodes the whole answer`);
      const as343 = real.registry.createType(real.outputOf(api, method), bytes);
      assert.equal(as343.encodedLength, bytes.length, `${api}.${method}: spec 343's type reads every byte`);
      assert.deepEqual(as343.toJSON(), viaApi.toJSON(), `${api}.${method}: same values under spec 343's types`);
    }
  });

  it("SubnetHyperparamsV2 drifted since 343 (activity_cutoff u16 → u64): 343's type reads HEAD's bytes only while the cutoff fits a u16", async () => {
    const hyperparamsBytes = (): Promise<Uint8Array> => stateCall("SubnetInfoRuntimeApi_get_subnet_hyperparams_v2", u16(netuid));
    const type343 = real.outputOf("SubnetInfoRuntimeApi", "get_subnet_hyperparams_v2");
    const small = await hyperparamsBytes();
    const viaApi = (await call("subnetInfoRuntimeApi", "getSubnetHyperparamsV2")(netuid)) as Codec;
    assert.equal(u8aToHex(viaApi.toU8a()), u8aToHex(small));
    // A compact is the same bytes whatever its width: with the default cutoff (5000 blocks) both read alike.
    assert.deepEqual(real.registry.createType(type343, small).toJSON(), viaApi.toJSON());
    // Tempo 50 400 makes the cutoff 13 889 × 50 400 / 1000 = 700 005 blocks: beyond spec 343's u16.
    await sudo(admin("sudoSetTempo")(netuid, 50_400));
    const large = await hyperparamsBytes();
    const head = fieldsOf(((await call("subnetInfoRuntimeApi", "getSubnetHyperparamsV2")(netuid)) as Option<Codec>).unwrap());
    assert.deepEqual(head, await expectedHyperparams());
    assert.equal(head.activityCutoff, "700005");
    assert.throws(() => real.registry.createType(type343, large), /on activityCutoff .*Compact<u16>.*Input too large/, "spec 343's Compact<u16> cannot carry the cutoff");
  });
});
