/**
 * A miner whose hotkey is deregistered (its uid taken by a newcomer on a full subnet) keeps running,
 * says so, and picks up again when its hotkey is registered anew.
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
import { connectChain, type ChainConnection } from "../../src/chain/connection.js";
import { SubtensorOperations } from "../../src/chain/operations.js";
import { submitAndWait } from "../../src/chain/submit.js";
import { DevnetNode } from "../../src/devnet/node.js";
import { WalletStore } from "../../src/wallet/wallet.js";
import { silentLog } from "../helpers/devnet.js";
import { startProcess, waitForOutput, type RunningProcess } from "../helpers/process.js";

type Untyped = (...args: unknown[]) => never;

describe("a deregistered miner", { timeout: 180_000 }, () => {
  const home = mkdtempSync(join(tmpdir(), "tn-dereg-"));
  let devnet: DevnetNode;
  let chain: ChainConnection;
  let ops: SubtensorOperations;
  let alice: KeyringPair;
  let miner: RunningProcess;
  let minerHotkey: string;
  let netuid: number;

  before(async () => {
    devnet = await DevnetNode.start({ port: 0, blockTime: { mode: "instant" }, log: silentLog });
    chain = await connectChain(devnet.endpoint.wsUrl);
    ops = new SubtensorOperations(chain);
    const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
    alice = keyring.addFromUri("//Alice");
    ({ netuid } = await ops.registerNetwork(alice, keyring.addFromUri("//Owner").address));
    await ops.startSubnet(alice, netuid);
    const admin = (name: string): Untyped => chain.api.tx.adminUtils![name] as unknown as Untyped;
    // A small subnet (HEAD's least: 64 uids) where a newcomer may take an unprotected uid at once.
    await ops.adminCall(alice, netuid, admin("sudoSetMaxAllowedUids")(netuid, 64), "owner", "max uids");
    await ops.adminCall(alice, netuid, admin("sudoSetImmunityPeriod")(netuid, 0), "owner", "immunity");
    minerHotkey = (await new WalletStore([join(home, "wallets")]).createHotkey("ops", "m1")).address;
    await ops.registerNeuron(alice, netuid, minerHotkey);
  });

  after(async () => {
    await miner?.kill();
    await chain?.close();
    await devnet?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("keeps running and says so when its uid is taken, and resumes when registered again", async () => {
    miner = startProcess(
      ["miner", "--netuid", String(netuid), "--subnet", "tiny", "--wallet", "ops", "--hotkey", "m1", "--host", "127.0.0.2", "--port", "0", "--chain", devnet.endpoint.wsUrl, "--workers", "1", "--metagraph-interval", "1", "--log-level", "info", "--log-format", "json"],
      { TENSORNODE_HOME: home, BT_WALLET_PATH: join(home, "none") },
    );
    await waitForOutput(miner, /miner \S+ \(uid 1\) serving tiny/, 30_000);
    // Fill the subnet (the owner's uid 0, the miner's uid 1, 62 more), then one more: the miner,
    // with no emission and the oldest registration, is the uid a full subnet gives up.
    const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
    const fillers = Array.from({ length: 63 }, (_, i) => keyring.addFromUri(`//Filler${i}`).address);
    const register = chain.api.tx.subtensorModule!.burnedRegister as unknown as Untyped;
    const batch = (chain.api.tx.utility!.batchAll as unknown as Untyped)(fillers.slice(0, 62).map((hk) => register(netuid, hk)));
    await submitAndWait(chain.api, chain.nonces, batch, alice, { what: "fill the subnet" });
    assert.equal((await ops.read.subnetSize(netuid)).n, 64);
    await ops.registerNeuron(alice, netuid, fillers[62]!);
    assert.equal(await ops.read.uidOf(netuid, minerHotkey), undefined, "the miner's uid was taken");
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
  });
});
