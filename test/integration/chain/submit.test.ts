import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Keyring } from "@polkadot/api";
import { ChainError } from "../../../src/chain/errors.js";
import { NonceManager, submitAndWait } from "../../../src/chain/submit.js";
import { startDevnet, subtensorCalls, type TestDevnet } from "../../helpers/devnet.js";

const TAO = 1_000_000_000n;

describe("submitting transactions to subtensor (against the devnet)", { timeout: 60_000 }, () => {
  let net: TestDevnet;
  let nonces: NonceManager;
  const keyring = new Keyring({ type: "sr25519" });
  const hotkey = keyring.addFromUri("//Alice//submit-hotkey");
  const { tx } = subtensorCalls(() => net);

  before(async () => {
    net = await startDevnet();
    nonces = new NonceManager(net.api);
  });
  after(async () => {
    await net?.close();
  });

  it("includes concurrent submissions from one key, each with its own nonce", async () => {
    const { api, alice, bob } = net;
    const start = (await api.query.system.account(alice.address)).nonce.toNumber();
    const results = await Promise.all([1n, 2n, 3n, 4n, 5n].map((n) => submitAndWait(api, nonces, api.tx.balances.transferKeepAlive(bob.address, n * TAO), alice, { what: `transfer ${n}` })));
    assert.equal(results.length, 5);
    assert.equal((await api.query.system.account(alice.address)).nonce.toNumber(), start + 5);
  });

  it("turns a pool refusal (Custom n) into a readable ChainError, then carries on with the right nonce", async () => {
    const { api, alice } = net;
    await submitAndWait(api, nonces, tx("registerNetwork")(hotkey.address), alice, { what: "register a subnet" });
    const localhost = (127 << 24) + 1;
    await assert.rejects(
      submitAndWait(api, nonces, tx("serveAxon")(1, 1, localhost, 8091, 4, 0, 0, 0), hotkey, { what: "serve the axon" }),
      (e: unknown) => e instanceof ChainError && e.code === "TX_REJECTED" && e.reason === "Custom(11)" && /^serve the axon refused by the chain: InvalidIpAddress: the IP address is refused/.test(e.message),
    );
    await submitAndWait(api, nonces, tx("serveAxon")(1, 1, localhost + 1, 8091, 4, 0, 0, 0), hotkey, { what: "serve the axon" });
  });

  it("names a failed dispatch from the metadata, with its documentation", async () => {
    const { api } = net;
    await assert.rejects(
      submitAndWait(api, nonces, tx("setWeights")(1, [0], [1], 0), hotkey, { what: "set weights" }),
      (e: unknown) => e instanceof ChainError && e.code === "TX_FAILED" && e.reason === "subtensorModule.CommitRevealEnabled" && /^set weights failed: subtensorModule\.CommitRevealEnabled \(/.test(e.message),
    );
  });

  it("gives up after its time-out instead of hanging, saying it was sent, as which hash, until which block, and how to check", async () => {
    const manual = await startDevnet({ blockTime: { mode: "manual" } });
    try {
      const started = Date.now();
      await assert.rejects(
        submitAndWait(manual.api, new NonceManager(manual.api), manual.api.tx.balances.transferKeepAlive(manual.bob.address, TAO), manual.alice, { what: "transfer", timeoutMs: 300 }),
        (e: unknown) =>
          e instanceof ChainError &&
          e.code === "TX_TIMEOUT" &&
          /^transfer: not included within 300 ms; it was submitted as 0x[0-9a-f]{64} and may still be included until block \d+: check with `tensornode tx status 0x[0-9a-f]{64}`$/.test(e.message),
      );
      assert.ok(Date.now() - started < 5_000);
    } finally {
      await manual.close();
    }
  });

  it("stops waiting when its signal says so (a daemon stopping): nothing sent when told before, the hash to check when told after", async () => {
    const manual = await startDevnet({ blockTime: { mode: "manual" } });
    try {
      const { api, alice, bob, node } = manual;
      const manualNonces = new NonceManager(api);
      await assert.rejects(
        submitAndWait(api, manualNonces, api.tx.balances.transferKeepAlive(bob.address, TAO), alice, { what: "transfer", signal: AbortSignal.abort() }),
        (e: unknown) => e instanceof ChainError && e.code === "TX_ABANDONED" && e.message === "transfer: not sent, the process is stopping",
      );
      assert.equal(node.pool.size, 0);
      const stopping = new AbortController();
      const waiting = submitAndWait(api, manualNonces, api.tx.balances.transferKeepAlive(bob.address, TAO), alice, { what: "transfer", signal: stopping.signal });
      while (node.pool.size === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      stopping.abort();
      await assert.rejects(
        waiting,
        (e: unknown) => e instanceof ChainError && e.code === "TX_ABANDONED" && /^transfer: no longer waited for, the process is stopping; it was submitted as 0x[0-9a-f]{64} and may still be included until block \d+: check with `tensornode tx status 0x[0-9a-f]{64}`$/.test(e.message),
      );
      // The abandoned transaction is still in the pool: the next one takes the nonce after it, and both land.
      const next = submitAndWait(api, manualNonces, api.tx.balances.transferKeepAlive(bob.address, 2n * TAO), alice, { what: "transfer 2" });
      while (node.pool.size < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      await node.newBlocks(1);
      await next;
      assert.equal((await api.query.system.account(alice.address)).nonce.toNumber(), 2);
    } finally {
      await manual.close();
    }
  });
});
