import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Keyring } from "@polkadot/api";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { DispatchError } from "@polkadot/types/interfaces";
import type { ISubmittableResult } from "@polkadot/types/types";
import { u8aToHex } from "@polkadot/util";
import { commitHash } from "../../../src/devnet/runtime/pallets/subtensor/weights.js";
import { includeManually, mainnetLikeGenesis, rpcError, startDevnet, type TestDevnet } from "../../helpers/devnet.js";

const TAO = 1_000_000_000n;
const ipv4 = (a: number, b: number, c: number, d: number): bigint => BigInt(((a << 24) >>> 0) + (b << 16) + (c << 8) + d);

describe("SubtensorModule on the devnet: subnets, registration, serving, commit-reveal", { timeout: 120_000 }, () => {
  let net: TestDevnet;
  let ownerHotkey: KeyringPair;
  let minerHotkey: KeyringPair;
  let netuid: number;
  const keyring = new Keyring({ type: "sr25519" });

  before(async () => {
    net = await startDevnet({ blockTime: { mode: "manual" }, devRpc: true, genesis: mainnetLikeGenesis() });
    ownerHotkey = keyring.addFromUri("//Alice//owner-hotkey");
    minerHotkey = keyring.addFromUri("//Bob//miner-hotkey");
  });
  after(async () => {
    await net?.close();
  });

  // SubtensorModule is not in @polkadot/api-augment's types: look its calls and queries up by name.
  type Untyped = (...args: unknown[]) => any;
  const stx = (name: string): Untyped => net.api.tx["subtensorModule"]![name] as Untyped;
  const sq = (name: string): Untyped => net.api.query["subtensorModule"]![name] as unknown as Untyped;

  const errorName = (error: DispatchError | undefined): string => {
    assert.ok(error?.isModule, `expected a module error, got ${error?.toString()}`);
    const meta = net.api.registry.findMetaError(error.asModule);
    return `${meta.section}.${meta.name}`;
  };
  const eventsOf = (result: ISubmittableResult, section: string) => result.events.filter(({ event }) => event.section === section).map(({ event }) => event);

  it("registers a subnet: lock cost paid, owner recorded, the owner's hotkey is uid 0", async () => {
    const { api, alice } = net;
    const before = (await api.query.system.account(alice.address)).data.free.toBigInt();
    const result = await includeManually(net, stx("registerNetwork")(ownerHotkey.address), alice);
    assert.equal(result.dispatchError, undefined);
    const added = eventsOf(result, "subtensorModule").find((e) => e.method === "NetworkAdded")!;
    netuid = Number(added.data[0]!.toString());
    assert.equal(netuid, 1);
    assert.equal((await sq("subnetOwner")(netuid)).toString(), alice.address);
    assert.equal((await sq("keys")(netuid, 0)).toString(), ownerHotkey.address);
    assert.equal((await sq("subnetworkN")(netuid)).toString(), "1");
    const paid = before - (await api.query.system.account(alice.address)).data.free.toBigInt();
    assert.ok(paid >= 1000n * TAO && paid < 1000n * TAO + TAO / 1000n, `lock of 1000 TAO plus a fee, paid ${paid}`);
    assert.equal((await sq("subnetTAO")(netuid)).toString(), (1000n * TAO).toString());
  });

  it("quotes the next lock cost by SubnetRegistrationRuntimeApi: twice the last lock right after a registration, decaying back to the floor", async () => {
    const cost = async (): Promise<bigint> => BigInt(((await (net.api.call as any).subnetRegistrationRuntimeApi.getNetworkRegistrationCost()) as { toString(): string }).toString());
    const registeredAt = BigInt((await sq("networkRegisteredAt")(netuid)).toString());
    const now = BigInt((await net.api.query.system.number()).toString());
    const last = 1000n * TAO;
    assert.equal(await cost(), 2n * last - (last / 100_800n) * (now - registeredAt));
  });

  it("refuses a second subnet within the network rate limit, in the pool (Custom 6)", async () => {
    const signed = await stx("registerNetwork")(net.bob.address).signAsync(net.bob);
    assert.equal((await rpcError(net.api.rpc.author.submitExtrinsic(signed))).message, "1010: Invalid Transaction: Custom error: 6: NetworkTxRateLimitExceeded");
  });

  it("starts emission only when the owner calls start_call", async () => {
    const { alice, bob } = net;
    const refused = await includeManually(net, stx("startCall")(netuid), bob);
    assert.ok(refused.dispatchError?.isBadOrigin);
    const ok = await includeManually(net, stx("startCall")(netuid), alice);
    assert.ok(eventsOf(ok, "subtensorModule").some((e) => e.method === "FirstEmissionBlockNumberSet"));
    assert.equal((await sq("subtokenEnabled")(netuid)).toString(), "true");
    const again = await includeManually(net, stx("startCall")(netuid), alice);
    assert.equal(errorName(again.dispatchError), "subtensorModule.FirstEmissionBlockNumberAlreadySet");
  });

  it("registers a neuron by burning the registration price, which then rises", async () => {
    const { bob } = net;
    const burn = BigInt((await sq("burn")(netuid)).toString());
    const result = await includeManually(net, stx("burnedRegister")(netuid, minerHotkey.address), bob);
    const registered = eventsOf(result, "subtensorModule").find((e) => e.method === "NeuronRegistered")!;
    assert.deepEqual(registered.data.map(String), [String(netuid), "1", minerHotkey.address]);
    assert.equal((await sq("uids")(netuid, minerHotkey.address)).toString(), "1");
    assert.equal((await sq("owner")(minerHotkey.address)).toString(), bob.address);
    const after = BigInt((await sq("burn")(netuid)).toString());
    assert.ok(after > burn, "the price rose after a registration");
    for (const vector of ["active", "consensus", "incentive", "dividends", "emission", "validatorTrust", "validatorPermit", "lastUpdate"] as const)
      assert.equal(((await sq(vector)(netuid)) as unknown as unknown[]).length, 2, vector);
    const twice = await includeManually(net, stx("burnedRegister")(netuid, minerHotkey.address), bob);
    assert.equal(errorName(twice.dispatchError), "subtensorModule.HotKeyAlreadyRegisteredInSubNet");
    const nowhere = await includeManually(net, stx("burnedRegister")(99, minerHotkey.address), bob);
    assert.equal(errorName(nowhere.dispatchError), "subtensorModule.SubnetNotExists");
  });

  it("serves an axon on 127.0.0.2 but refuses 127.0.0.1, port 0, strangers and a second serve too soon", async () => {
    const { api } = net;
    const serve = (ip: bigint, port: number) => stx("serveAxon")(netuid, 1, ip, port, 4, 0, 0, 0);
    const refusal = async (ip: bigint, port: number, signer: KeyringPair) => (await rpcError(api.rpc.author.submitExtrinsic(await serve(ip, port).signAsync(signer)))).message;
    assert.equal(await refusal(ipv4(127, 0, 0, 1), 8091, minerHotkey), "1010: Invalid Transaction: Custom error: 11: InvalidIpAddress");
    assert.equal(await refusal(ipv4(127, 0, 0, 2), 0, minerHotkey), "1010: Invalid Transaction: Custom error: 13: InvalidPort");
    assert.equal(await refusal(ipv4(127, 0, 0, 2), 8091, keyring.addFromUri("//Stranger")), "1010: Invalid Transaction: Custom error: 10: HotKeyNotRegisteredInNetwork");
    const ok = await includeManually(net, serve(ipv4(127, 0, 0, 2), 8091), minerHotkey);
    assert.ok(eventsOf(ok, "subtensorModule").some((e) => e.method === "AxonServed"));
    const axon = (await sq("axons")(netuid, minerHotkey.address)).toJSON() as { ip: string | number; port: number };
    assert.equal(BigInt(axon.ip), ipv4(127, 0, 0, 2));
    assert.equal(axon.port, 8091);
    assert.equal(await refusal(ipv4(127, 0, 0, 2), 8092, minerHotkey), "1010: Invalid Transaction: Custom error: 12: ServingRateLimitExceeded");
  });

  it("commits weights, refuses an early reveal and a wrong salt, and reveals in the next epoch", async () => {
    const { api, node } = net;
    const uids = [0, 1];
    const values = [100, 300];
    const salt = [7, 8, 9];
    const versionKey = 0n;
    const setDirectly = await includeManually(net, stx("setWeights")(netuid, uids, values, versionKey), ownerHotkey);
    assert.equal(errorName(setDirectly.dispatchError), "subtensorModule.CommitRevealEnabled");
    const hash = u8aToHex(commitHash(ownerHotkey.publicKey, netuid, uids, values, salt, versionKey));
    const tooSoon = await stx("commitWeights")(netuid, hash).signAsync(ownerHotkey);
    assert.equal((await rpcError(api.rpc.author.submitExtrinsic(tooSoon))).message, "1010: Invalid Transaction: Custom error: 6: CommittingWeightsTooFast");
    await node.newBlocks(100); // WeightsSetRateLimit: 100 blocks since registration
    const committed = await includeManually(net, stx("commitWeights")(netuid, hash), ownerHotkey);
    assert.ok(eventsOf(committed, "subtensorModule").some((e) => e.method === "WeightsCommitted"));
    const early = await stx("revealWeights")(netuid, uids, values, salt, versionKey).signAsync(ownerHotkey);
    assert.equal((await rpcError(api.rpc.author.submitExtrinsic(early))).message, "1010: Invalid Transaction: Custom error: 17: RevealTooEarly");
    const epochAtCommit = BigInt((await sq("subnetEpochIndex")(netuid)).toString());
    while (BigInt((await sq("subnetEpochIndex")(netuid)).toString()) === epochAtCommit) await node.newBlocks(10);
    const wrongSalt = await stx("revealWeights")(netuid, uids, values, [1, 2, 3], versionKey).signAsync(ownerHotkey);
    assert.equal((await rpcError(api.rpc.author.submitExtrinsic(wrongSalt))).message, "1010: Invalid Transaction: Custom error: 16: NoWeightsCommitFound");
    const revealed = await includeManually(net, stx("revealWeights")(netuid, uids, values, salt, versionKey), ownerHotkey);
    assert.deepEqual(eventsOf(revealed, "subtensorModule").map((e) => e.method), ["WeightsSet", "WeightsRevealed"]);
    assert.deepEqual((await sq("weights")(netuid, 0)).toJSON(), [[0, 21845], [1, 65535]], "max-upscaled to u16");
    assert.equal((await sq("weightCommits")(netuid, ownerHotkey.address)).toJSON(), null);
  });
});
