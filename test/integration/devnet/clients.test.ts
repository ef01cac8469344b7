/**
 * Client libraries nobody here wrote, against the real devnet in each block mode: each connects,
 * reads storage, calls subtensor's runtime APIs, signs a transfer and a register_network with
 * subtensor's transaction extensions, hears it in a block and then final (in that order), reads
 * its events, and follows finalized blocks. The figures (connect time, submission to inBlock to
 * finalized) go to the test's diagnostics.
 */
import assert from "node:assert/strict";
import { after, before, describe, it, type TestContext } from "node:test";
import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import type { BlockTime } from "../../../src/devnet/chain/author.js";
import { DevnetNode } from "../../../src/devnet/node.js";
import { ALL_CLIENTS, type ClientSession, type TrackedTransaction } from "../../helpers/clients.js";
import { silentLog } from "../../helpers/devnet.js";

const TAO = 1_000_000_000n;
const MODES: readonly BlockTime[] = [{ mode: "instant" }, { mode: "manual" }, { mode: "interval", ms: 250 }];
const modeName = (mode: BlockTime): string => (mode.mode === "interval" ? `${mode.ms} ms blocks` : mode.mode);

/** Resolves once `test()` holds, re-checked at each new or finalized block and pool change (never a fixed wait). */
async function until(node: DevnetNode, what: string, test: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => {
      const offBlock = node.chain.onNewBlock(() => done());
      const offFinal = node.chain.onFinalized(() => done());
      const poll = setTimeout(() => done(), 10); // the pool has no event: look again shortly
      function done(): void {
        offBlock();
        offFinal();
        clearTimeout(poll);
        resolve();
      }
    });
  }
}

for (const client of ALL_CLIENTS) {
  for (const blockTime of MODES) {
    describe(`${client.name} against the devnet (${modeName(blockTime)})`, { timeout: 120_000 }, () => {
      let node: DevnetNode;
      let session: ClientSession;
      let connectMs = 0;
      const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });

      before(async () => {
        await cryptoWaitReady();
        node = await DevnetNode.start({ port: 0, blockTime, devRpc: true, log: silentLog });
        if (client.name.startsWith("dedot DedotClient") && blockTime.mode !== "interval") {
          // dedot's new-spec client submits only once the finalized block's parent is known: a fresh chain needs one final block.
          await node.newBlocks(1);
          await until(node, "block 1 to be final", () => node.chain.finalizedNumber >= 1);
        }
        const started = Date.now();
        session = await client.connect(node.endpoint.wsUrl);
        connectMs = Date.now() - started;
      });
      after(async () => {
        await session?.close();
        await node?.stop();
      });

      /** Submits, makes the block itself in manual mode once the pool holds the transaction, and waits for finality. */
      const include = async (submit: () => Promise<TrackedTransaction>): Promise<TrackedTransaction> => {
        const pooled = node.pool.size;
        const tracked = submit();
        if (blockTime.mode === "manual") {
          await until(node, "the transaction in the pool", () => node.pool.size > pooled);
          await node.newBlocks(1);
        }
        return tracked;
      };
      const report = (t: TestContext, what: string, tx: TrackedTransaction): void => {
        const at = Object.fromEntries(tx.statuses.map((s) => [s.status, s.atMs]));
        t.diagnostic(`${client.name}, ${modeName(blockTime)}: connect ${connectMs} ms; ${what}: inBlock ${at.inBlock} ms, finalized ${at.finalized} ms after submission`);
      };

      it("reads storage and subtensor's runtime APIs", async () => {
        assert.equal(await session.freeBalance(keyring.addFromUri("//Alice").address), 1_000_000n * TAO);
        assert.deepEqual(await session.neuronsLiteHotkeys(1), []);
        assert.equal(await session.metagraphHotkeys(1), undefined);
      });

      it("signs a transfer: hears it in a block, then final, with its events, and the balance moved", async (t) => {
        const destination = keyring.addFromUri(`//Destination/${client.name}/${blockTime.mode}`).address;
        const tx = await include(() => session.transfer(keyring.addFromUri("//Alice"), destination, 10n * TAO));
        report(t, "transfer", tx);
        assert.deepEqual(tx.statuses.map((s) => s.status), ["inBlock", "finalized"]);
        assert.ok(tx.events.includes("Balances.Transfer") && tx.events.includes("System.ExtrinsicSuccess"), tx.events.join(", "));
        assert.ok(node.chain.isFinal(tx.blockHash));
        assert.equal(await session.freeBalance(destination), 10n * TAO);
      });

      it("registers a subnet with register_network, then sees it in get_neurons_lite and get_metagraph", async (t) => {
        const hotkey = keyring.addFromUri("//Owner").address;
        const tx = await include(() => session.registerNetwork(keyring.addFromUri("//Bob"), hotkey));
        report(t, "register_network", tx);
        assert.deepEqual(tx.statuses.map((s) => s.status), ["inBlock", "finalized"]);
        assert.ok(tx.events.includes("SubtensorModule.NetworkAdded"), tx.events.join(", "));
        assert.deepEqual(await session.neuronsLiteHotkeys(1), [hotkey]);
        assert.deepEqual(await session.metagraphHotkeys(1), [hotkey]);
      });

      it("follows finalized blocks as they come", async () => {
        const seen: number[] = [];
        const unsubscribe = await session.followFinalized((number) => seen.push(number));
        try {
          const target = node.chain.headNumber + 2;
          if (blockTime.mode !== "interval") await node.newBlocks(2);
          await until(node, `the client to hear block ${target} final`, () => seen.includes(target));
          const later = seen.filter((n) => n <= target);
          assert.deepEqual(later, [...later].sort((a, b) => a - b), "in order");
        } finally {
          unsubscribe();
        }
      });
    });
  }
}
