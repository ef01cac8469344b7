/**
 * Money is never sent twice and a dev chain is usable from the CLI alone, against a real devnet
 * that makes blocks only when the test says so (so a transaction can be caught in the pool):
 * the faucet and dev keys (refused by a public network's genesis hash), cheap checks before the
 * password, the hash announced and journaled when a transaction is sent, a time-out or Ctrl-C after
 * that saying how to check it, `tx status`, and an identical spend refused while one may still land.
 */
import "../../../src/util/polyfill.js";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Keyring } from "@polkadot/keyring";
import { transactionStatus } from "../../../src/chain/tx-status.js";
import { parseLosslessJson } from "../../../src/util/lossless-json.js";
import { runCliCaptured, type CliRun } from "../../helpers/cli.js";
import { startDevnet, type TestDevnet } from "../../helpers/devnet.js";
import { startGenesisProxy } from "../../helpers/genesis-proxy.js";

const TAO = 1_000_000_000n;
const FINNEY = "0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03";
const TESTNET = "0x8f9cf856bf558a14440e75569c9e58594757048d7b3a84b5d25f6bd978263105";
const BOB = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";

describe("transactions from the CLI on a dev chain", { timeout: 240_000 }, () => {
  let devnet: TestDevnet;
  let chain: string;
  let home: string;
  let env: Record<string, string>;
  let coldkey: string;

  const cli = (argv: string[], options: { answers?: string[]; asked?: { question: string; secret: boolean }[]; interrupt?: Promise<unknown>; env?: Record<string, string> } = {}): Promise<CliRun> =>
    runCliCaptured([...argv, "--chain", chain], { ...options, env: { ...env, ...options.env } });
  const pool = async (): Promise<string[]> => (await devnet.api.rpc.author.pendingExtrinsics()).map((xt) => xt.hash.toHex());
  /** Resolves once the pool holds `count` transactions (what the chain reports, not a sleep). */
  const poolHas = async (count: number): Promise<void> => {
    const deadline = Date.now() + 60_000;
    while ((await pool()).length < count) {
      assert.ok(Date.now() < deadline, `the pool reached ${count} transactions`);
      await new Promise((r) => setImmediate(r));
    }
  };
  /** Runs a command whose transaction is included by the next block the test makes. */
  const included = async (argv: string[]): Promise<CliRun> => {
    const before = (await pool()).length;
    const run = cli(argv);
    await Promise.race([poolHas(before + 1), run]);
    await devnet.node.newBlocks(1);
    return run;
  };
  const free = async (address: string): Promise<bigint> => (await devnet.api.query.system.account(address)).data.free.toBigInt();

  before(async () => {
    devnet = await startDevnet({ blockTime: { mode: "manual" } });
    chain = devnet.node.endpoint.wsUrl;
    home = mkdtempSync(join(tmpdir(), "tn-tx-"));
    env = { TENSORNODE_HOME: home, BT_WALLET_PATH: join(home, "none"), TENSORNODE_WALLET_PASSWORD: "correct horse battery" };
    const created = await runCliCaptured(["wallet", "create", "--wallet", "w"], { env });
    assert.equal(created.code, 0, created.stderr);
    coldkey = /coldkey of wallet "w": (\w+)/.exec(created.stdout)![1]!;
  });
  after(async () => {
    await devnet?.close();
    rmSync(home, { recursive: true, force: true });
  });

  describe("the faucet and dev keys", () => {
    it("funds a wallet from //Alice, up to 10,000 TAO a call", async () => {
      const run = await included(["wallet", "faucet", "--wallet", "w", "--amount", "10000", "--json"]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(await free(coldkey), 10_000n * TAO);
      const result = parseLosslessJson(run.stdout) as { coldkey: string; amount: string };
      assert.deepEqual([result.coldkey, BigInt(result.amount)], [coldkey, 10_000n * TAO]);
    });

    it("refuses more than the cap, or nothing, in one line", async () => {
      for (const [amount, message] of [["10000.000000001", /at most 10000 TAO per call/], ["0", /more than 0/]] as const) {
        const run = await cli(["wallet", "faucet", "--wallet", "w", "--amount", amount]);
        assert.equal(run.code, 2);
        assert.match(run.stderr, message);
      }
    });

    it("signs with a dev key given by --uri on any coldkey command", async () => {
      const before = await free(coldkey);
      const run = await included(["wallet", "transfer", "--uri", "//Bob", "--dest", coldkey, "--amount", "2", "--yes"]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, new RegExp(`signing with the dev key //Bob: ${BOB}`));
      assert.equal(await free(coldkey), before + 2n * TAO);
    });

    for (const [network, genesis] of [["finney", FINNEY], ["the test network", TESTNET]] as const) {
      it(`refuses dev keys and the faucet on ${network}, known by its genesis hash`, async () => {
        const proxy = await startGenesisProxy(chain, genesis);
        try {
          const runs = [
            await runCliCaptured(["wallet", "transfer", "--uri", "//Alice", "--dest", coldkey, "--amount", "1", "--yes", "--chain", proxy.url], { env }),
            await runCliCaptured(["wallet", "faucet", "--wallet", "w", "--amount", "1", "--chain", proxy.url], { env }),
          ];
          for (const run of runs) {
            assert.equal(run.code, 2);
            assert.match(run.stderr, new RegExp(`^error: (dev keys \\(--uri\\)|the faucet): refused on ${network} \\(genesis ${genesis.slice(0, 10)}…\\)[^\\n]*\\n$`));
          }
          assert.deepEqual(await pool(), [], "nothing was sent");
        } finally {
          await proxy.close();
        }
      });
    }
  });

  it("checks what the chain can tell before asking for the password", async () => {
    const asked: { question: string; secret: boolean }[] = [];
    const run = await cli(["stake", "add", "--netuid", "99", "--wallet", "w", "--hotkey-address", BOB, "--amount", "1"], { answers: [], asked, env: { TENSORNODE_WALLET_PASSWORD: "" } });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /subnet 99 does not exist/);
    assert.deepEqual(asked, [], "neither the confirmation nor the password was asked");
  });

  describe("a transaction not yet included", () => {
    let hash: string;

    it("times out saying it was sent, as which hash, until which block, and how to check it; journaled before it was sent", async () => {
      const run = await cli(["wallet", "transfer", "--wallet", "w", "--dest", BOB, "--amount", "1", "--yes", "--timeout", "1"]);
      assert.equal(run.code, 2);
      const said = /transfer 1 TAO to \S+: submitted (0x[0-9a-f]{64}) \(nonce 0, valid until block (\d+)\)/.exec(run.stderr);
      assert.ok(said, run.stderr);
      hash = said[1]!;
      assert.match(run.stderr, new RegExp(`error: transfer 1 TAO to ${BOB}: not included within 1000 ms; it was submitted as ${hash} and may still be included until block ${said[2]}: check with \`tensornode tx status ${hash} --chain ${chain.replace(/[/.]/g, "\\$&")}\`\\n$`));
      assert.deepEqual(await pool(), [hash]);
      const journal = readFileSync(join(home, "tx-journal.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
      const entry = journal.find((e) => e.hash === hash);
      assert.deepEqual([entry?.signer, entry?.nonce, entry?.deathBlock], [coldkey, 0, Number(said[2]) + 1]);
      assert.equal(typeof entry?.birthBlock, "number");
    });

    it("tx status says it is pending, in the pool", async () => {
      const run = await cli(["tx", "status", hash]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^pending: transfer 1 TAO to \S+ \(\S+, nonce 0\) is in the node's pool until block \d+/);
    });

    it("refuses an identical spend while the first may still land, sending nothing and asking nothing", async () => {
      const asked: { question: string; secret: boolean }[] = [];
      const run = await cli(["wallet", "transfer", "--wallet", "w", "--dest", BOB, "--amount", "1"], { answers: [], asked });
      assert.equal(run.code, 2);
      assert.match(run.stderr, new RegExp(`^error: transfer 1 TAO to ${BOB}: an identical transaction, ${hash} \\(sent [^)]+\\), may still be included until block \\d+; nothing was sent\\. Check it with \`tensornode tx status ${hash} --chain [^\`]+\`, or pass --force to send another \\(both may land\\)\\n$`));
      assert.deepEqual(asked, []);
      assert.deepEqual(await pool(), [hash]);
    });

    it("a different spend goes through the guard; --force sends an identical one", async () => {
      const interrupt = poolHas(2);
      const run = await cli(["wallet", "transfer", "--wallet", "w", "--dest", BOB, "--amount", "1", "--yes", "--force"], { interrupt });
      assert.equal(run.code, 130);
      const second = /submitted (0x[0-9a-f]{64})/.exec(run.stderr)![1]!;
      assert.match(run.stderr, new RegExp(`interrupted \\(SIGINT\\); transfer 1 TAO to ${BOB}: it was submitted as ${second} and may still be included until block \\d+; check with \`tensornode tx status ${second} --chain [^\`]+\`\\n$`));
      assert.deepEqual((await pool()).sort(), [hash, second].sort());
      const before = await free(BOB);
      await devnet.node.newBlocks(1);
      assert.equal(await free(BOB), before + 2n * TAO, "both landed: --force means it");
    });

    it("tx status then says where it was included, with its events", async () => {
      const run = await cli(["tx", "status", hash, "--json"]);
      assert.equal(run.code, 0, run.stderr);
      const status = JSON.parse(run.stdout) as { state: string; success: boolean; blockNumber: number; events: { section: string; method: string }[] };
      assert.equal(status.state, "included");
      assert.equal(status.success, true);
      assert.ok(status.events.some((e) => e.section === "balances" && e.method === "Transfer"));
      const text = await cli(["tx", "status", hash]);
      assert.match(text.stdout, new RegExp(`^included: transfer 1 TAO .* is in block ${status.blockNumber} \\(0x[0-9a-f]{64}\\), extrinsic \\d+, succeeded\\n`));
    });

    it("once included, the same spend may be sent again without --force", async () => {
      const run = await included(["wallet", "transfer", "--wallet", "w", "--dest", BOB, "--amount", "1", "--yes"]);
      assert.equal(run.code, 0, run.stderr);
    });
  });

  it("Ctrl-C before anything was signed says nothing was sent", async () => {
    const run = await cli(["wallet", "transfer", "--wallet", "w", "--dest", BOB, "--amount", "3", "--yes"], { interrupt: Promise.resolve() });
    assert.equal(run.code, 130);
    assert.match(run.stderr, /^interrupted \(SIGINT\); nothing was sent\n$/m);
  });

  it("a transaction never included is dropped once its mortality has passed, or once its nonce was used", async () => {
    const alice = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//Alice");
    const nonce = (await devnet.api.rpc.system.accountNextIndex(alice.address)).toNumber();
    const tx = devnet.api.tx.balances.transferKeepAlive(BOB, TAO);
    await tx.signAsync(alice, { nonce, era: 4 });
    const head = (await devnet.api.rpc.chain.getHeader()).number.toNumber();
    const era = tx.era.asMortalEra;
    const lookup = { hash: tx.hash.toHex(), signer: alice.address, nonce, birthBlock: Number(era.birth(head)), deathBlock: Number(era.death(head)) };
    const pending = await transactionStatus(devnet.api, lookup);
    assert.equal(pending.state, "pending");
    await devnet.node.newBlocks(lookup.deathBlock - head);
    const dropped = await transactionStatus(devnet.api, lookup);
    assert.equal(dropped.state, "dropped");
    assert.match((dropped as { reason: string }).reason, /mortality ended/);
    const used = await transactionStatus(devnet.api, { hash: tx.hash.toHex(), signer: coldkey, nonce: 0, deathBlock: lookup.deathBlock + 1000 });
    assert.equal(used.state, "dropped");
    assert.match((used as { reason: string }).reason, /another transaction .* with nonce 0 was included instead/);
  });
});
