import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import "@polkadot/api-augment";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keyring } from "@polkadot/api";
import { backoffDelay, connectChain } from "../../../src/chain/connection.js";
import { submitAndWait } from "../../../src/chain/submit.js";
import { ChainError } from "../../../src/chain/errors.js";
import { silentLog } from "../../helpers/devnet.js";
import { DevnetNode } from "../../../src/devnet/node.js";

const BOB = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";

describe("the chain connection", { timeout: 30_000 }, () => {
  it("connects with subtensor's options and signs valid transactions", async () => {
    const node = await DevnetNode.start({ port: 0, blockTime: { mode: "instant" }, log: silentLog });
    const chain = await connectChain(node.endpoint.wsUrl);
    try {
      assert.equal(chain.api.runtimeVersion.specName.toString(), "node-subtensor");
      assert.ok(chain.api.registry.signedExtensions.includes("ChargeTransactionPaymentWrapper"));
    } finally {
      await chain.close();
      await node.stop();
    }
  });

  it("gives up on an unreachable chain with one line, and leaves nothing running", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const started = Date.now();
    await assert.rejects(connectChain(`ws://127.0.0.1:${port}`, { timeoutMs: 1_000, reconnectMs: 200 }), (e: unknown) => e instanceof ChainError && e.code === "CHAIN_UNREACHABLE" && new RegExp(`^cannot reach the chain at ws://127.0.0.1:${port} \\(connection refused or closed\\); start one with`).test(e.message));
    assert.ok(Date.now() - started < 1_000, "a refused connection fails at once, not after the time-out");
  });

  it("waits between reconnection attempts twice as long each time, up to a cap", () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, 500, 10_000)), [500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it("reconnects after the node restarts on the same port, and reads and writes again", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "tn-reconnect-"));
    let node = await DevnetNode.start({ port: 0, dataDir, blockTime: { mode: "instant" }, log: silentLog });
    const port = Number(new URL(node.endpoint.wsUrl).port);
    const changes: boolean[] = [];
    const chain = await connectChain(node.endpoint.wsUrl, { reconnectMs: 100, onConnectionChange: (e) => changes.push(e.connected) });
    try {
      const alice = new Keyring({ type: "sr25519" }).addFromUri("//Alice");
      await submitAndWait(chain.api, chain.nonces, chain.api.tx.balances.transferKeepAlive(BOB, 1_000_000_000n), alice, { what: "before" });
      await node.stop();
      node = await DevnetNode.start({ port, dataDir, blockTime: { mode: "instant" }, log: silentLog });
      const deadline = Date.now() + 10_000;
      while (!chain.api.isConnected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(chain.api.isConnected, "reconnected within 10 s");
      chain.nonces.reset(alice.address);
      await submitAndWait(chain.api, chain.nonces, chain.api.tx.balances.transferKeepAlive(BOB, 1_000_000_000n), alice, { what: "after" });
      assert.equal((await chain.api.query.system.account(alice.address)).nonce.toNumber(), 2);
      assert.deepEqual(changes, [false, true]);
    } finally {
      await chain.close();
      await node.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
