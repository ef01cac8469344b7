import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { connectChain } from "../../../src/chain/connection.js";
import { ChainError } from "../../../src/chain/errors.js";
import { silentLog } from "../../helpers/devnet.js";
import { DevnetNode } from "../../../src/devnet/node.js";

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
    await assert.rejects(connectChain(`ws://127.0.0.1:${port}`, { timeoutMs: 1_000, reconnectMs: 200 }), (e: unknown) => e instanceof ChainError && e.code === "CHAIN_UNREACHABLE" && new RegExp(`^cannot reach the chain at ws://127.0.0.1:${port} within 1 s; start one with`).test(e.message));
    assert.ok(Date.now() - started < 5_000);
  });
});
