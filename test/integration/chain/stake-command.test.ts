/**
 * `tensornode stake add|remove` against a devnet: the confirmation shows the price, the amount
 * expected and the slippage; --tolerance sends the limit-price calls (all or nothing, or --partial);
 * what was filled is said after inclusion; a bad tolerance is one line before anything is sent.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Keyring } from "@polkadot/api";
import { connectChain } from "../../../src/chain/connection.js";
import { SubtensorOperations } from "../../../src/chain/operations.js";
import { parseLosslessJson } from "../../../src/util/lossless-json.js";
import { runCliCaptured, type CliRun } from "../../helpers/cli.js";
import { sendAndFinalize, startDevnet, subtensorCalls, type TestDevnet } from "../../helpers/devnet.js";

const TAO = 1_000_000_000n;
const PASSWORD = "stake command test password";

/** --json amounts may come as exact integers or as decimal strings (docs/cli-json.md): read either. */
const big = (value: unknown): bigint => BigInt(value as string | bigint);

describe("tensornode stake add|remove with safe staking", { timeout: 180_000 }, () => {
  let net: TestDevnet;
  let home: string;
  let env: Record<string, string>;
  let chain: string;
  let netuid: number;
  let hotkey: string;
  const { tx, query } = subtensorCalls(() => net);
  const cli = (...argv: string[]): Promise<CliRun> => runCliCaptured([...argv, "--chain", chain], { env });
  const stakeArgs = (verb: "add" | "remove", amount: string, ...more: string[]): string[] => ["stake", verb, "--netuid", String(netuid), "--wallet", "w", "--hotkey", "h", "--amount", amount, ...more];
  const pool = async (): Promise<{ taoIn: bigint; alphaIn: bigint }> => ({
    taoIn: BigInt((await query("subnetTAO")(netuid)).toString()),
    alphaIn: BigInt((await query("subnetAlphaIn")(netuid)).toString()),
  });
  const tao = (rao: bigint): string => `${rao / TAO}.${(rao % TAO).toString().padStart(9, "0")}`;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), "tn-stake-"));
    env = { TENSORNODE_HOME: home, BT_WALLET_PATH: join(home, "no-bittensor"), TENSORNODE_WALLET_PASSWORD: PASSWORD };
    net = await startDevnet();
    chain = net.node.endpoint.wsUrl;
    assert.equal((await runCliCaptured(["wallet", "create", "--wallet", "w", "--hotkey", "h"], { env })).code, 0);
    const shown = parseLosslessJson((await runCliCaptured(["wallet", "show", "--wallet", "w", "--json"], { env })).stdout) as { coldkey: string; hotkeys: Record<string, string>[] };
    hotkey = Object.values(shown.hotkeys[0]!).find((value) => value.startsWith("5"))!;
    await sendAndFinalize(net.api.tx.balances.transferKeepAlive(shown.coldkey, 10_000n * TAO), net.alice);
    const keyring = new Keyring({ type: "sr25519" });
    const created = await sendAndFinalize(tx("registerNetwork")(keyring.addFromUri("//Alice//stake-owner").address), net.alice);
    netuid = Number(created.events.find(({ event }) => event.method === "NetworkAdded")!.event.data[0]!.toString());
    await sendAndFinalize(tx("setTempo")(netuid, 1000), net.alice); // no epoch pays dividends into the stake during the test
    await sendAndFinalize(tx("startCall")(netuid), net.alice);
    await sendAndFinalize(tx("burnedRegister")(netuid, hotkey), net.alice);
  });
  after(async () => {
    await net?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("asks with the price, the α expected and the slippage; answered no, nothing is sent", async () => {
    const asked: { question: string; secret: boolean }[] = [];
    const before = await pool();
    const run = await runCliCaptured([...stakeArgs("add", "1"), "--chain", chain], { env, answers: ["n"], asked });
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stderr.split("\n").filter((l) => l.startsWith("error:")).join("\n"), "error: cancelled; nothing was sent");
    assert.equal(asked.length, 1);
    assert.match(asked[0]!.question, new RegExp(`^stake 1 TAO on ${hotkey} in subnet ${netuid} at \\d+(\\.\\d+)? τ/α: about \\d+\\.\\d+ α expected, slippage \\d+\\.\\d\\d %; no price limit\\? \\[y/N\\] $`));
    assert.deepEqual(await pool(), before);
    const safe = await runCliCaptured([...stakeArgs("add", "1", "--tolerance", "0.005"), "--chain", chain], { env, answers: ["n"], asked });
    assert.equal(safe.code, 2);
    assert.match(asked[1]!.question, /; price limit \d+\.\d+ τ\/α \(tolerance 0\.5 %\), all or nothing\? \[y\/N\] $/);
  });

  it("stakes with --tolerance through add_stake_limit, receiving exactly the α it quoted", async () => {
    const before = await pool();
    const amount = before.taoIn / 1000n;
    const run = await cli(...stakeArgs("add", tao(amount), "--tolerance", "0.005", "--yes", "--json"));
    assert.equal(run.code, 0, run.stderr);
    const staked = parseLosslessJson(run.stdout) as Record<string, unknown>;
    const price = (before.taoIn * TAO) / before.alphaIn;
    assert.equal(big(staked.price), price);
    assert.equal(staked.safe, true);
    assert.equal(staked.tolerance, "0.005");
    assert.equal(big(staked.limitPrice), (price * 1_005_000_000n) / TAO);
    assert.equal(staked.allowPartial, false);
    assert.equal(big(staked.tao), amount);
    assert.equal(big(staked.taoRequested), amount);
    assert.equal(staked.partial, false);
    assert.equal(big(staked.alpha), big(staked.alphaExpected), "no other trade in between: the quote is what the pool gave");
    assert.equal(typeof staked.slippagePercent, "number");
    assert.ok((staked.slippagePercent as number) > 0.05 && (staked.slippagePercent as number) < 0.2, `fee ≈ 0.05 % plus ≈ 0.1 % impact (${staked.slippagePercent})`);
  });

  it("refuses beyond the limit (all or nothing), and with --partial stakes what fits, saying so", async () => {
    const big = tao((await pool()).taoIn / 10n);
    const refused = await cli(...stakeArgs("add", big, "--tolerance", "0.005", "--yes"));
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^error: stake \d+(\.\d+)? TAO to \w+ on subnet \d+ at a price of at most [\d.]+ τ\/α failed: subtensorModule\.SlippageTooHigh .*: all of it would move the price past the limit of [\d.]+ τ\/α; ask for less, allow more slippage \(--tolerance\) or let it fill in part \(--partial\)$/m);
    const run = await cli(...stakeArgs("add", big, "--tolerance", "0.005", "--partial", "--yes"));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^staked \\d+\\.\\d+ TAO on ${hotkey} in subnet ${netuid}: received \\d+\\.\\d+ α \\(partially filled: \\d+\\.\\d+ of \\d+\\.\\d+ TAO; the rest would have passed the price limit of \\d+\\.\\d+ τ/α\\)\\n$`));
  });

  it("unstakes with a limit, in part when --partial", async () => {
    const held = BigInt((await query("totalHotkeyAlpha")(hotkey, netuid)).toString());
    const run = await runCliCaptured(["stake", "remove", "--netuid", String(netuid), "--wallet", "w", "--hotkey", "h", "--all", "--tolerance", "0.001", "--partial", "--yes", "--json", "--chain", chain], { env });
    assert.equal(run.code, 0, run.stderr);
    const out = parseLosslessJson(run.stdout) as Record<string, unknown>;
    assert.equal(big(out.alphaRequested), held, "--all: the whole stake (the wallet is the hotkey's only staker)");
    assert.equal(out.partial, true);
    assert.ok(big(out.alpha) > 0n && big(out.alpha) < held && big(out.tao) > 0n);
    assert.ok(big(out.taoExpected) > big(out.tao), "the quote was for all of it");
    const after = await pool();
    assert.ok(after.taoIn * TAO >= big(out.limitPrice) * after.alphaIn, "the price stayed at or above the limit");
  });

  it("refuses a limit the price has already reached before signing (PRICE_LIMIT)", async () => {
    const connection = await connectChain(chain);
    try {
      const ops = new SubtensorOperations(connection);
      const { price } = await ops.read.stakePool(netuid);
      await assert.rejects(ops.addStakeLimit(net.bob, hotkey, netuid, TAO, { limitPrice: price, allowPartial: true }), (e: Error & { code?: string }) => {
        assert.equal(e.code, "PRICE_LIMIT");
        assert.match(e.message, /price is already [\d.]+ τ\/α, at or above the limit of [\d.]+ τ\/α; nothing would stake/);
        return true;
      });
      await assert.rejects(ops.removeStakeLimit(net.bob, hotkey, netuid, 0n, { limitPrice: price, allowPartial: true }), /the amount must be more than 0/);
    } finally {
      await connection.close();
    }
  });

  it("refuses a bad tolerance or contradictory flags in one line", async () => {
    for (const [flags, message] of [
      [["--tolerance", "2"], 'error: --tolerance: "2" is not a fraction between 0 and 1 (e.g. 0.005 for 0.5 %)'],
      [["--tolerance", "0.5%"], 'error: --tolerance: "0.5%" is not a fraction between 0 and 1 (e.g. 0.005 for 0.5 %)'],
      [["--safe", "--unsafe"], "error: --safe and --unsafe together: give one"],
      [["--partial"], "error: --partial fills up to a price limit: give --tolerance FRACTION (or --safe) with it"],
    ] as const) {
      const run = await cli(...stakeArgs("add", "1", ...flags, "--yes"));
      assert.equal(run.code, 2, `${flags.join(" ")}: ${run.stderr}`);
      assert.equal(run.stderr.split("\n").filter((l) => l.startsWith("error:")).join("\n"), message);
    }
  });
});
