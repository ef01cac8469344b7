/**
 * SubtensorOperations against an in-process devnet: each operation does what it says on chain, and
 * each pre-check refuses, before anything is signed, what the chain would refuse.
 */
import "../../../src/util/polyfill.js";
import "@polkadot/api-augment";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Keyring } from "@polkadot/api";
import type { KeyringPair } from "@polkadot/keyring/types";
import { connectChain, type ChainConnection } from "../../../src/chain/connection.js";
import { ChainError } from "../../../src/chain/errors.js";
import { SubtensorOperations } from "../../../src/chain/operations.js";
import { DevnetNode } from "../../../src/devnet/node.js";
import { mainnetLikeGenesis, silentLog } from "../../helpers/devnet.js";

const TAO = 1_000_000_000n;

/** Asserts a ChainError of `code` whose message matches. */
async function refusedWith(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ChainError, `a ChainError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, message);
    return true;
  });
}

describe("chain operations with their pre-checks", { timeout: 60_000 }, () => {
  let node: DevnetNode;
  let chain: ChainConnection;
  let ops: SubtensorOperations;
  let alice: KeyringPair;
  let bob: KeyringPair;
  let ownerHotkey: KeyringPair;
  let minerHotkey: KeyringPair;
  let netuid: number;

  before(async () => {
    node = await DevnetNode.start({ port: 0, blockTime: { mode: "instant" }, log: silentLog });
    chain = await connectChain(node.endpoint.wsUrl);
    ops = new SubtensorOperations(chain);
    const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
    [alice, bob, ownerHotkey, minerHotkey] = ["//Alice", "//Bob", "//OwnerHotkey", "//MinerHotkey"].map((uri) => keyring.addFromUri(uri)) as [KeyringPair, KeyringPair, KeyringPair, KeyringPair];
    ({ netuid } = await ops.registerNetwork(alice, ownerHotkey.address));
  });
  after(async () => {
    await chain?.close();
    await node?.stop();
  });

  it("refuses staking before the subnet starts, then starts it (once)", async () => {
    await refusedWith(ops.addStake(alice, ownerHotkey.address, netuid, TAO), "SUBNET_NOT_STARTED", /subnet 1 is not started yet.*tensornode subnet start --netuid 1/);
    await refusedWith(ops.startSubnet(bob, netuid), "NOT_OWNER", /only subnet 1's owner/);
    await ops.startSubnet(alice, netuid);
    await refusedWith(ops.startSubnet(alice, netuid), "SUBNET_ALREADY_STARTED", /already started/);
  });

  it("registers a neuron (Bob's coldkey pays about the quoted burn), and refuses it twice or on a missing subnet", async () => {
    const before = await ops.read.freeBalance(bob.address);
    const { uid, burn } = await ops.registerNeuron(bob, netuid, minerHotkey.address);
    assert.equal(uid, 1);
    const spent = before - (await ops.read.freeBalance(bob.address));
    // The burn decays a little each block between the quote and the registration; the fee is tiny.
    assert.ok(spent > (burn * 9n) / 10n && spent < burn + TAO / 1000n, `spent ${spent}, quoted ${burn}`);
    await refusedWith(ops.registerNeuron(bob, netuid, minerHotkey.address), "ALREADY_REGISTERED", /already registered on subnet 1 as uid 1/);
    await refusedWith(ops.registerNeuron(alice, 99, minerHotkey.address), "NO_SUBNET", /subnet 99 does not exist/);
  });

  it("serves an axon, refusing 127.0.0.1 and an unregistered hotkey before signing", async () => {
    await refusedWith(ops.serveAxon(minerHotkey, netuid, { ip: "127.0.0.1", port: 8091 }), "BAD_AXON", /use 127\.0\.0\.2 and up/);
    await refusedWith(ops.serveAxon(bob, netuid, { ip: "127.0.0.2", port: 8091 }), "NOT_REGISTERED", /is not registered on subnet 1/);
    await ops.serveAxon(minerHotkey, netuid, { ip: "127.0.0.2", port: 8091 });
    const axon = await ops.read.axonOf(netuid, minerHotkey.address);
    assert.deepEqual([axon?.ip, axon?.port], ["127.0.0.2", 8091]);
  });

  it("adds, moves and removes stake, refusing more alpha than is staked", async () => {
    const { alpha } = await ops.addStake(bob, minerHotkey.address, netuid, 10n * TAO);
    assert.ok(alpha > 0n);
    assert.equal(await ops.read.stakeOf(minerHotkey.address, bob.address, netuid), alpha);
    await refusedWith(ops.removeStake(bob, minerHotkey.address, netuid, alpha + 1n), "INSUFFICIENT_STAKE", /less than/);
    const half = alpha / 2n;
    await ops.moveStake(bob, { hotkey: minerHotkey.address, netuid }, { hotkey: ownerHotkey.address, netuid }, half);
    assert.equal(await ops.read.stakeOf(minerHotkey.address, bob.address, netuid), alpha - half);
    assert.ok((await ops.read.stakeOf(ownerHotkey.address, bob.address, netuid)) > 0n);
    const before = await ops.read.freeBalance(bob.address);
    const { tao } = await ops.removeStake(bob, minerHotkey.address, netuid, alpha - half);
    assert.ok(tao > 0n);
    assert.ok((await ops.read.freeBalance(bob.address)) > before);
    assert.equal(await ops.read.stakeOf(minerHotkey.address, bob.address, netuid), 0n);
    await refusedWith(ops.addStake(bob, minerHotkey.address, netuid, 1000n), "BAD_AMOUNT", /the least stake is/);
  });

  it("transfers, keeping the sender alive, and refuses more than the balance holds", async () => {
    const charlie = new Keyring({ type: "sr25519" }).addFromUri("//Charlie").address;
    const before = await ops.read.freeBalance(charlie);
    await ops.transfer(alice, charlie, 5n * TAO);
    assert.equal((await ops.read.freeBalance(charlie)) - before, 5n * TAO);
    const poor = new Keyring({ type: "sr25519" }).addFromUri("//Poor");
    await refusedWith(ops.transfer(poor, charlie, TAO), "INSUFFICIENT_BALANCE", /transferring 1 TAO needs 1 TAO plus a [\d.]+ TAO fee, but \S+ has 0 TAO free/);
  });

  it("refuses weights that break the subnet's rules, each with its reason", async () => {
    // Commit-reveal is on by default, as on HEAD.
    await refusedWith(ops.setWeights(ownerHotkey, netuid, [1], [1], 0n), "COMMIT_REVEAL_ON", /commit-reveal on: commit the weights/);
    await refusedWith(ops.setWeights(bob, netuid, [1], [1], 0n), "NOT_REGISTERED", /not registered on subnet 1/);
    await refusedWith(ops.commitWeights(minerHotkey, netuid, { uids: [0, 5], values: [1, 65535] }, [1], 0n), "BAD_WEIGHTS", /uid 5 does not exist on subnet 1 \(it has 2 uids\)/);
    await refusedWith(ops.commitWeights(minerHotkey, netuid, { uids: [0], values: [65535] }, [1], 0n), "NO_PERMIT", /uid 1 has no validator permit on subnet 1/);
    await refusedWith(ops.revealWeights(ownerHotkey, netuid, { uids: [1], values: [65535] }, [1], 0n), "NO_COMMIT", /no commit of these weights/);
  });
});

describe("the owner's limits on HEAD's schedule (mainnet-like preset)", { timeout: 60_000 }, () => {
  let node: DevnetNode;
  let chain: ChainConnection;
  let ops: SubtensorOperations;
  let alice: KeyringPair;
  let netuid: number;

  before(async () => {
    node = await DevnetNode.start({ port: 0, blockTime: { mode: "instant" }, genesis: mainnetLikeGenesis(), log: silentLog });
    chain = await connectChain(node.endpoint.wsUrl);
    ops = new SubtensorOperations(chain);
    alice = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//Alice");
    ({ netuid } = await ops.registerNetwork(alice, new Keyring({ type: "sr25519" }).addFromUri("//OwnerHotkey").address));
  });
  after(async () => {
    await chain?.close();
    await node?.stop();
  });

  const setRho = (value: number): Promise<unknown> => ops.adminCall(alice, netuid, chain.api.tx.adminUtils!.sudoSetRho!(netuid, value), "owner", `set rho = ${value}`);

  it("refuses a second change of one hyperparameter within OwnerHyperparamRateLimit × tempo, with the blocks left", async () => {
    await setRho(11);
    await refusedWith(setRho(12), "RATE_LIMITED", /^set rho = 12: changed too recently; the owner may change it again in 71\d blocks/);
  });

  it("refuses owner changes in the freeze window before an epoch, and says when they are allowed again", async () => {
    const schedule = await ops.read.epochSchedule(netuid);
    const now = await ops.read.blockNumber();
    await node.newBlocks(Number(schedule.nextEpochBlock - now) - 5);
    const immunity = chain.api.tx.adminUtils!.sudoSetImmunityPeriod!(netuid, 100);
    await refusedWith(ops.adminCall(alice, netuid, immunity, "owner", "set immunity_period = 100"), "RATE_LIMITED", /in its admin freeze window before the next epoch; retry in \d blocks/);
  });

  it("refuses a second subnet within the network rate limit, with the blocks left", async () => {
    await refusedWith(ops.registerNetwork(alice, alice.address), "RATE_LIMITED", /no subnet may be registered for \d+ more blocks/);
  });
});
