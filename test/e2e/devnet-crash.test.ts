import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import "../../src/util/polyfill.js";
import "@polkadot/api-augment";
import { ApiPromise, Keyring, WsProvider } from "@polkadot/api";
import { SUBTENSOR_API_OPTIONS } from "../../src/params/chain-options.js";
import { prng as createPrng } from "../../src/util/prng.js";
import { startProcess, waitForOutput, type RunningProcess } from "../helpers/process.js";

const RAO_PER_TRANSFER = 1_000_000n;
const GENESIS_BOB = 1_000_000_000_000_000n;

async function startDevnet(dataDir: string): Promise<{ proc: RunningProcess; api: ApiPromise }> {
  const proc = startProcess(["devnet", "--data-dir", dataDir, "--port", "0", "--block-time", "50ms", "--log-level", "warn"]);
  const [, url] = await waitForOutput(proc, /at (ws:\/\/[^ ]+) /);
  const api = await ApiPromise.create({ provider: new WsProvider(url!), ...SUBTENSOR_API_OPTIONS, throwOnConnect: true });
  return { proc, api };
}

/** Bob's balance implied by the transfers to him in blocks 1..head (every one of them succeeds). */
async function bobFromBlocks(api: ApiPromise, bob: string): Promise<bigint> {
  const head = (await api.rpc.chain.getHeader()).number.toNumber();
  let balance = GENESIS_BOB;
  for (let n = 1; n <= head; n++) {
    const block = await api.rpc.chain.getBlock(await api.rpc.chain.getBlockHash(n));
    for (const xt of block.block.extrinsics) {
      if (xt.method.section === "balances" && xt.method.method === "transferKeepAlive" && xt.method.args[0]!.toString() === bob) balance += RAO_PER_TRANSFER;
    }
  }
  return balance;
}

describe("a devnet killed with SIGKILL", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "tensornode-crash-"));
  const running: RunningProcess[] = [];
  after(async () => {
    await Promise.all(running.map((p) => p.kill()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("restarts at its last committed block with state consistent with the blocks, every time", { timeout: 120_000 }, async () => {
    const prng = createPrng(7);
    const keyring = new Keyring({ type: "sr25519" });
    const alice = keyring.addFromUri("//Alice");
    const bob = keyring.addFromUri("//Bob").address;
    let lastSeenHead = 0;
    for (let round = 0; round < 3; round++) {
      const { proc, api } = await startDevnet(dataDir);
      running.push(proc);
      const head = (await api.rpc.chain.getHeader()).number.toNumber();
      assert.ok(head >= lastSeenHead, `round ${round}: head #${head} is behind #${lastSeenHead}, seen before the kill`);
      assert.equal((await api.query.system.account(bob)).data.free.toBigInt(), await bobFromBlocks(api, bob), `round ${round}: state matches the blocks`);
      // Load while blocks are made every 50 ms, then kill at a seeded moment, mid-traffic.
      let nonce = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
      const killAfterMs = 300 + Math.floor(prng() * 700);
      const started = Date.now();
      while (Date.now() - started < killAfterMs) {
        await api.tx.balances.transferKeepAlive(bob, RAO_PER_TRANSFER).signAndSend(alice, { nonce: nonce++ });
        lastSeenHead = Math.max(lastSeenHead, (await api.rpc.chain.getFinalizedHead().then((h) => api.rpc.chain.getHeader(h))).number.toNumber());
      }
      await proc.kill();
      await api.disconnect();
    }
    const { proc, api } = await startDevnet(dataDir);
    running.push(proc);
    assert.ok((await api.rpc.chain.getHeader()).number.toNumber() >= lastSeenHead);
    assert.equal((await api.query.system.account(bob)).data.free.toBigInt(), await bobFromBlocks(api, bob));
    await api.disconnect();
    assert.equal(await proc.stop(), 0, "a SIGTERM stops the devnet cleanly");
  });
});
