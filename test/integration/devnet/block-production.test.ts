import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HttpProvider, Keyring } from "@polkadot/api";
import { rpcError, sendAndFinalize, startDevnet } from "../../helpers/devnet.js";

describe("devnet block production", { timeout: 60_000 }, () => {
  it("makes blocks on demand with dev_newBlock, only when the dev RPC is enabled", async () => {
    const net = await startDevnet({ blockTime: { mode: "manual" }, devRpc: true });
    try {
      const before = (await net.api.rpc.chain.getHeader()).number.toNumber();
      const last = (await new HttpProvider(net.node.endpoint.httpUrl).send("dev_newBlock", [{ count: 3 }])) as string;
      const head = await net.api.rpc.chain.getHeader();
      assert.equal(head.number.toNumber(), before + 3);
      assert.equal(head.hash.toHex(), last);
      assert.equal(head.parentHash.toHex(), (await net.api.rpc.chain.getBlockHash(before + 2)).toHex());
    } finally {
      await net.close();
    }
    const plain = await startDevnet({ blockTime: { mode: "manual" } });
    try {
      assert.match((await rpcError(new HttpProvider(plain.node.endpoint.httpUrl).send("dev_newBlock", [{}]))).message, /-32601: Method not found/);
    } finally {
      await plain.close();
    }
  });

  it("makes blocks on an interval, each on top of the last, with increasing timestamps", async () => {
    const net = await startDevnet({ blockTime: { mode: "interval", ms: 40 } });
    try {
      const deadline = Date.now() + 10_000;
      while ((await net.api.rpc.chain.getHeader()).number.toNumber() < 4) {
        assert.ok(Date.now() < deadline, "the interval produced no blocks");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const stamps: bigint[] = [];
      for (let n = 1; n <= 4; n++) {
        const hash = await net.api.rpc.chain.getBlockHash(n);
        const header = await net.api.rpc.chain.getHeader(hash);
        assert.equal(header.parentHash.toHex(), (await net.api.rpc.chain.getBlockHash(n - 1)).toHex());
        stamps.push((await net.api.query.timestamp.now.at(hash)).toBigInt());
      }
      for (let i = 1; i < stamps.length; i++) assert.ok(stamps[i]! > stamps[i - 1]!);
    } finally {
      await net.close();
    }
  });

  it("accepts ed25519-signed transactions as well as sr25519", async () => {
    const net = await startDevnet();
    try {
      const edKey = new Keyring({ type: "ed25519" }).addFromUri("//Edward");
      await sendAndFinalize(net.api.tx.balances.transferKeepAlive(edKey.address, 10_000_000_000n), net.alice);
      const result = await sendAndFinalize(net.api.tx.balances.transferKeepAlive(net.bob.address, 1_000_000_000n), edKey);
      assert.equal(result.dispatchError, undefined);
      assert.equal((await net.api.query.system.account(edKey.address)).nonce.toNumber(), 1);
    } finally {
      await net.close();
    }
  });

  it("keeps making blocks when a call's code throws: the call fails with DispatchError::Other", async () => {
    const net = await startDevnet();
    const balances = net.node.chain.runtime.balances;
    const original = balances.transfer.bind(balances);
    try {
      balances.transfer = () => {
        throw new Error("a bug in a pallet");
      };
      const failed = await sendAndFinalize(net.api.tx.balances.transferKeepAlive(net.bob.address, 1_000_000_000n), net.alice);
      assert.ok(failed.dispatchError?.isOther);
      balances.transfer = original;
      const ok = await sendAndFinalize(net.api.tx.balances.transferKeepAlive(net.bob.address, 1_000_000_000n), net.alice);
      assert.equal(ok.dispatchError, undefined);
    } finally {
      balances.transfer = original;
      await net.close();
    }
  });
});
