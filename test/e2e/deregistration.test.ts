/**
 * A miner and a validator whose hotkeys are deregistered (their uids taken by newcomers on a full
 * subnet) keep running, say so, and pick up again when their hotkeys are registered anew.
 */
import "../../src/util/polyfill.js";
import "@polkadot/api-augment";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Keyring } from "@polkadot/api";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { ChainConnection } from "../../src/chain/connection.js";
import { SubtensorOperations } from "../../src/chain/operations.js";
import { submitAndWait } from "../../src/chain/submit.js";
import { DevnetNode } from "../../src/devnet/node.js";
import { WalletStore } from "../../src/wallet/wallet.js";
import { silentLog, startedSubnet } from "../helpers/devnet.js";
import { startProcess, waitForOutput, waitForStderr, type RunningProcess } from "../helpers/process.js";

type Untyped = (...args: unknown[]) => never;

describe("deregistered daemons", { timeout: 180_000 }, () => {
  const home = mkdtempSync(join(tmpdir(), "tn-dereg-"));
  let devnet: DevnetNode;
  let chain: ChainConnection;
  let ops: SubtensorOperations;
  let alice: KeyringPair;
  let miner: RunningProcess;
  let validator: RunningProcess;
  let minerHotkey: string;
  let validatorHotkey: string;
  let netuid: number;

  before(async () => {
    devnet = await DevnetNode.start({ port: 0, blockTime: { mode: "instant" }, log: silentLog });
    ({ chain, ops, alice, netuid } = await startedSubnet(devnet.endpoint.wsUrl));
    const admin = (name: string): Untyped => chain.api.tx.adminUtils![name] as unknown as Untyped;
    // A small subnet (HEAD's least: 64 uids) where a newcomer may take an unprotected uid at once.
    await ops.adminCall(alice, netuid, admin("sudoSetMaxAllowedUids")(netuid, 64), "owner", "max uids");
    await ops.adminCall(alice, netuid, admin("sudoSetImmunityPeriod")(netuid, 0), "owner", "immunity");
    const wallets = new WalletStore([join(home, "wallets")]);
    minerHotkey = (await wallets.createHotkey("ops", "m1")).address;
    validatorHotkey = (await wallets.createHotkey("ops", "v1")).address;
    await ops.registerNeuron(alice, netuid, minerHotkey);
    await ops.registerNeuron(alice, netuid, validatorHotkey);
  });

  after(async () => {
    await miner?.kill();
    await validator?.kill();
    await chain?.close();
    await devnet?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("keep running and say so when their uids are taken, and resume when registered again", async () => {
    miner = startProcess(
      ["miner", "--netuid", String(netuid), "--subnet", "tiny", "--wallet", "ops", "--hotkey", "m1", "--host", "127.0.0.2", "--port", "0", "--chain", devnet.endpoint.wsUrl, "--workers", "1", "--metagraph-interval", "1", "--log-level", "info", "--log-format", "json"],
      { TENSORNODE_HOME: home, BT_WALLET_PATH: join(home, "none") },
    );
    await waitForOutput(miner, /miner \S+ \(uid 1\) serving tiny/, 30_000);
    validator = startProcess(
      ["validator", "--netuid", String(netuid), "--wallet", "ops", "--hotkey", "v1", "--host", "127.0.0.1", "--chain", devnet.endpoint.wsUrl, "--step-interval", "1", "--resync-blocks", "1", "--log-level", "info", "--log-format", "json"],
      { TENSORNODE_HOME: home, BT_WALLET_PATH: join(home, "none") },
    );
    await waitForOutput(validator, /validator \S+ \(uid 2\) validating tiny on subnet/, 30_000);
    // No stake, so no validator permit: said once, and scoring goes on.
    await waitForStderr(validator, /uid 2 has no validator permit on subnet \d+ .*scoring goes on, weights wait for a permit/, 20_000);
    // Fill the subnet (the owner's uid 0, the miner's uid 1, the validator's uid 2, 61 more), then
    // two more: the miner, then the validator — no emission, the oldest registrations — are the
    // uids a full subnet gives up.
    const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
    const fillers = Array.from({ length: 63 }, (_, i) => keyring.addFromUri(`//Filler${i}`).address);
    const register = chain.api.tx.subtensorModule!.burnedRegister as unknown as Untyped;
    const batch = (chain.api.tx.utility!.batchAll as unknown as Untyped)(fillers.slice(0, 61).map((hk) => register(netuid, hk)));
    await submitAndWait(chain.api, chain.nonces, batch, alice, { what: "fill the subnet" });
    assert.equal((await ops.read.subnetSize(netuid)).n, 64);
    await ops.registerNeuron(alice, netuid, fillers[61]!);
    assert.equal(await ops.read.uidOf(netuid, minerHotkey), undefined, "the miner's uid was taken");
    await ops.registerNeuron(alice, netuid, fillers[62]!);
    assert.equal(await ops.read.uidOf(netuid, validatorHotkey), undefined, "the validator's uid was taken");
    await waitForStderr(validator, /is not registered on subnet \d+; scores are kept and queries wait for its registration/, 20_000);
    assert.equal(validator.child.exitCode, null, "the validator is still running");
    const deadline = Date.now() + 20_000;
    while (!/no longer registered on the subnet; still serving/.test(miner.stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(miner.stderr(), /the hotkey is no longer registered on the subnet; still serving, and waiting to be registered again/);
    assert.equal(miner.child.exitCode, null, "still running");
    // Registered again (it takes the newest filler's place or another unprotected uid).
    await ops.registerNeuron(alice, netuid, minerHotkey);
    const uid = await ops.read.uidOf(netuid, minerHotkey);
    assert.notEqual(uid, undefined);
    const again = Date.now() + 20_000;
    const registered = new RegExp(`"uid":${uid!}[,}].*the hotkey is registered|the hotkey is registered.*"uid":${uid!}[,}]`);
    while (!registered.test(miner.stderr().split("no longer registered")[1] ?? "") && Date.now() < again) await new Promise((r) => setTimeout(r, 100));
    assert.match(miner.stderr().split("no longer registered")[1] ?? "", registered);
    assert.equal(await miner.stop(10_000), 0);
    await ops.registerNeuron(alice, netuid, validatorHotkey);
    await waitForStderr(validator, /the hotkey is registered again; resuming/, 20_000);
    assert.equal(await validator.stop(10_000), 0);
  });
});
