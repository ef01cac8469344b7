/**
 * A miner validators cannot reach (listening on 0.0.0.0 with no --external-ip) says so once at
 * start, with what to set — not at every metagraph refresh (observed on /metrics).
 */
import "../../src/util/polyfill.js";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Keyring } from "@polkadot/api";
import { connectChain } from "../../src/chain/connection.js";
import { SubtensorOperations } from "../../src/chain/operations.js";
import { DevnetNode } from "../../src/devnet/node.js";
import { WalletStore } from "../../src/wallet/wallet.js";
import { silentLog } from "../helpers/devnet.js";
import { startProcess, waitForOutput } from "../helpers/process.js";

const metagraphBlock = (metrics: string): number => Number(/^tensornode_miner_metagraph_block\{[^}]*\} (\d+)$/m.exec(metrics)?.[1] ?? -1);

describe("a miner validators cannot reach", { timeout: 120_000 }, () => {
  const home = mkdtempSync(join(tmpdir(), "tn-miner-unreachable-"));
  after(() => rmSync(home, { recursive: true, force: true }));

  it("says so once at start, with --external-ip and the address it detected, not at every refresh", async () => {
    const devnet = await DevnetNode.start({ port: 0, blockTime: { mode: "interval", ms: 100 }, log: silentLog });
    const chain = await connectChain(devnet.endpoint.wsUrl);
    const env = { TENSORNODE_HOME: home, BT_WALLET_PATH: join(home, "none") };
    const miner = startProcess(["miner", "--netuid", "1", "--subnet", "tiny", "--wallet", "ops", "--hotkey", "m1", "--chain", devnet.endpoint.wsUrl, "--host", "0.0.0.0", "--port", "0", "--workers", "1", "--metagraph-interval", "1", "--metrics-port", "0", "--log-format", "json", "--data-dir", join(home, "miner")], env);
    try {
      const ops = new SubtensorOperations(chain);
      const alice = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//Alice");
      const wallets = new WalletStore([join(home, "wallets")]);
      const owner = (await wallets.createHotkey("ops", "owner")).address;
      const m1 = (await wallets.createHotkey("ops", "m1")).address;
      const { netuid } = await ops.registerNetwork(alice, owner);
      assert.equal(netuid, 1);
      await ops.registerNeuron(alice, netuid, m1);
      const [, url] = await waitForOutput(miner, /metrics at (http:\/\/\S+)\/metrics/, 60_000);
      await waitForOutput(miner, /serving tiny on subnet 1/, 60_000);
      // Three metagraph refreshes (one a second), each seen as a newer metagraph block on /metrics.
      let seen = metagraphBlock(await (await fetch(`${url}/metrics`)).text());
      for (let refreshes = 0; refreshes < 3; ) {
        const block = metagraphBlock(await (await fetch(`${url}/metrics`)).text());
        if (block > seen) {
          refreshes += 1;
          seen = block;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const warnings = miner.stderr().split("\n").filter((line) => line.includes("validators cannot reach this miner"));
      assert.equal(warnings.length, 1, miner.stderr().slice(-3000));
      assert.match(warnings[0]!, /set --external-ip/);
    } finally {
      await miner.stop();
      await chain.close();
      await devnet.stop();
    }
  });
});
