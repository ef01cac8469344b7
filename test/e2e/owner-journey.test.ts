/**
 * The subnet owner's journey through the CLI, as a new user runs it, from a fresh home against a
 * devnet with its default genesis: create wallets → fund the owner from the faucet → create and
 * start a subnet → change hyperparameters (a root-only one with the dev key //Alice, the dev chain's
 * sudo) → register three hotkeys → stake → the metagraph shows them with their stake; then weights
 * with commit-reveal and each bad input the CLI must answer in one line with exit 2. Nothing is set
 * up behind the CLI's back: the devnet is the one `tensornode devnet` runs, with its own genesis.
 */
import "../../src/util/polyfill.js";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DevnetNode } from "../../src/devnet/node.js";
import { parseLosslessJson } from "../../src/util/lossless-json.js";
import { runCliCaptured, type CliRun } from "../helpers/cli.js";
import { silentLog } from "../helpers/devnet.js";

const TAO = 1_000_000_000n;
const PASSWORD = "correct horse battery staple";

describe("the subnet owner's journey through the CLI", { timeout: 240_000 }, () => {
  let home: string;
  let node: DevnetNode;
  let chain: string;
  let env: Record<string, string>;
  let owner: string;
  let netuid: number;
  const hotkeys: Record<string, string> = {};

  const cli = (argv: string[], extraEnv: Record<string, string> = {}): Promise<CliRun> => runCliCaptured(argv, { env: { ...env, ...extraEnv } });
  /** Runs a command that must succeed; its stdout. */
  const ok = async (...argv: string[]): Promise<string> => {
    const run = await cli(argv);
    assert.equal(run.code, 0, `tensornode ${argv.join(" ")} failed: ${run.stderr}`);
    return run.stdout;
  };
  /** Runs a command that must fail as a user error; its one-line message. */
  const refused = async (argv: string[], extraEnv: Record<string, string> = {}): Promise<string> => {
    const run = await cli(argv, extraEnv);
    assert.equal(run.code, 2, `tensornode ${argv.join(" ")} should exit 2; stdout ${run.stdout} stderr ${run.stderr}`);
    const errors = run.stderr.split("\n").filter((line) => line.startsWith("error: "));
    assert.equal(errors.length, 1, `one error line: ${run.stderr}`);
    return errors[0]!;
  };
  const json = <T>(text: string): T => parseLosslessJson(text) as T;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), "tn-owner-"));
    env = { TENSORNODE_HOME: home, BT_WALLET_PATH: join(home, "no-bittensor"), TENSORNODE_WALLET_PASSWORD: PASSWORD };
    // Wallets first: they need no chain.
    await ok("wallet", "create", "--wallet", "owner", "--hotkey", "validator");
    for (const name of ["miner1", "miner2", "miner3"]) await ok("wallet", "new-hotkey", "--wallet", "owner", "--hotkey", name);
    await ok("wallet", "create", "--wallet", "poor");
    const shown = json<{ coldkey: string; hotkeys: { hotkeyName: string; hotkey: string }[] }>(await ok("wallet", "show", "--wallet", "owner", "--json"));
    owner = shown.coldkey;
    for (const h of shown.hotkeys) hotkeys[h.hotkeyName] = h.hotkey;
    node = await DevnetNode.start({ port: 0, blockTime: { mode: "instant" }, log: silentLog });
    chain = node.endpoint.wsUrl;
    await ok("wallet", "faucet", "--wallet", "owner", "--amount", "10000", "--chain", chain);
  });
  after(async () => {
    await node?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("shows the coldkey's balance, funded from the faucet", async () => {
    const balance = json<{ coldkey: string; free: string }>(await ok("wallet", "balance", "--wallet", "owner", "--chain", chain, "--json"));
    assert.equal(balance.coldkey, owner);
    assert.equal(BigInt(balance.free), 10_000n * TAO);
  });

  it("quotes the subnet lock cost, creates the subnet with the validator hotkey as uid 0, and starts it", async () => {
    const { lockCost } = json<{ lockCost: string }>(await ok("subnet", "burn-cost", "--chain", chain, "--json"));
    assert.equal(BigInt(lockCost), 1000n * TAO);
    const created = json<{ netuid: number; ownerColdkey: string; ownerHotkey: string }>(await ok("subnet", "create", "--wallet", "owner", "--hotkey", "validator", "--chain", chain, "--yes", "--json"));
    netuid = Number(created.netuid);
    assert.equal(netuid, 1);
    assert.equal(created.ownerColdkey, owner);
    assert.match(await ok("subnet", "start", "--wallet", "owner", "--netuid", String(netuid), "--chain", chain, "--yes"), /subnet 1 started/);
    const shown = json<{ ownerColdkey: string; n: number; firstEmissionBlock?: bigint }>(await ok("subnet", "show", "--netuid", "1", "--chain", chain, "--json"));
    assert.equal(shown.ownerColdkey, owner);
    assert.equal(Number(shown.n), 1);
    assert.notEqual(shown.firstEmissionBlock, undefined);
    assert.match(await ok("subnet", "list", "--chain", chain), new RegExp(`^\\s+1\\s+.*\\s1/256 .* yes\\s+${owner}$`, "m"));
  });

  it("changes hyperparameters as the owner (and a root-only one with the dev chain's sudo key, //Alice) and reads them back", async () => {
    await ok("subnet", "hyperparams", "--netuid", "1", "--wallet", "owner", "--chain", chain, "--set", "immunity_period=200", "commit_reveal_weights_enabled=false", "--yes");
    const notRoot = await refused(["subnet", "hyperparams", "--netuid", "1", "--wallet", "owner", "--chain", chain, "--set", "kappa=30000", "--yes"]);
    assert.match(notRoot, /only the chain's root \(sudo 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\) may change this/);
    const out = await ok("subnet", "hyperparams", "--netuid", "1", "--uri", "//Alice", "--chain", chain, "--set", "kappa=30000", "--yes", "--json");
    const { hyperparameters } = json<{ hyperparameters: Record<string, unknown> }>(out);
    assert.equal(Number(hyperparameters.immunity_period), 200);
    assert.equal(hyperparameters.commit_reveal_weights_enabled, false);
    assert.equal(Number(hyperparameters.kappa), 30000);
    assert.match(await ok("subnet", "hyperparams", "--netuid", "1", "--chain", chain), /immunity_period\s+200\s+owner/);
  });

  it("registers three hotkeys, each burning the subnet's price", async () => {
    for (const [i, name] of ["miner1", "miner2", "miner3"].entries()) {
      const registered = json<{ uid: number; hotkey: string; burn: bigint }>(await ok("register", "--netuid", "1", "--wallet", "owner", "--hotkey", name, "--chain", chain, "--yes", "--json"));
      assert.equal(Number(registered.uid), i + 1);
      assert.equal(registered.hotkey, hotkeys[name]);
      assert.ok(registered.burn > 0n);
    }
  });

  it("stakes on the validator hotkey, and the metagraph shows all four uids with their stake", async () => {
    const staked = json<{ alpha: bigint }>(await ok("stake", "add", "--netuid", "1", "--wallet", "owner", "--hotkey", "validator", "--amount", "100", "--chain", chain, "--yes", "--json"));
    assert.ok(staked.alpha > 0n);
    const { stakes } = json<{ stakes: { hotkey: string; netuid: number; stake: bigint }[] }>(await ok("stake", "list", "--wallet", "owner", "--chain", chain, "--json"));
    const onValidator = stakes.find((s) => s.hotkey === hotkeys.validator && Number(s.netuid) === 1);
    assert.equal(onValidator?.stake, staked.alpha);
    const metagraph = json<{ neurons: { uid: number; hotkey: string; coldkey: string; stake: bigint }[] }>(await ok("metagraph", "--netuid", "1", "--chain", chain, "--json"));
    assert.deepEqual(
      metagraph.neurons.map((n) => [Number(n.uid), n.hotkey, n.coldkey]),
      [
        [0, hotkeys.validator, owner],
        [1, hotkeys.miner1, owner],
        [2, hotkeys.miner2, owner],
        [3, hotkeys.miner3, owner],
      ],
    );
    assert.equal(metagraph.neurons[0]!.stake, staked.alpha);
    assert.match(await ok("metagraph", "--netuid", "1", "--chain", chain), /^\s+0\s+\S+…\s+\d+\.\d{4}\s+/m);
  });

  it("sets weights from the owner's hotkey, then refuses a second set within the rate limit, saying how many blocks are left", async () => {
    await ok("weights", "set", "--netuid", "1", "--wallet", "owner", "--hotkey", "validator", "--uids", "1,2,3", "--weights", "0.5,0.3,0.2", "--chain", chain, "--yes");
    await ok("subnet", "hyperparams", "--netuid", "1", "--uri", "//Alice", "--chain", chain, "--set", "weights_rate_limit=100", "--yes");
    const line = await refused(["weights", "set", "--netuid", "1", "--wallet", "owner", "--hotkey", "validator", "--uids", "1,2", "--weights", "1,1", "--chain", chain, "--yes"]);
    assert.match(line, /^error: uid 0 set weights too recently on subnet 1: (98|99) more blocks \(the weights rate limit of 100\)$/);
  });

  it("commits weights with commit-reveal on, refuses an early reveal, and reveals in the commit's reveal epoch", async () => {
    await ok("subnet", "hyperparams", "--netuid", "1", "--wallet", "owner", "--chain", chain, "--set", "commit_reveal_weights_enabled=true", "--yes");
    await ok("subnet", "hyperparams", "--netuid", "1", "--uri", "//Alice", "--chain", chain, "--set", "weights_rate_limit=0", "--yes");
    const committed = json<{ revealEpoch: bigint }>(await ok("weights", "commit", "--netuid", "1", "--wallet", "owner", "--hotkey", "validator", "--uids", "1,2", "--weights", "3,1", "--chain", chain, "--json", "--yes"));
    const early = await refused(["weights", "reveal", "--netuid", "1", "--wallet", "owner", "--hotkey", "validator", "--chain", chain, "--yes"]);
    assert.match(early, new RegExp(`^error: too early to reveal on subnet 1: the commit of epoch \\d+ reveals in epoch ${committed.revealEpoch}, about \\d+ blocks from now$`));
    // Make blocks until the reveal epoch has begun (tempo 10 on the dev preset).
    const deadline = Date.now() + 30_000;
    for (;;) {
      await node.newBlocks(1);
      const run = await cli(["weights", "reveal", "--netuid", "1", "--wallet", "owner", "--hotkey", "validator", "--chain", chain, "--json", "--yes"]);
      if (run.code === 0) {
        const revealed = json<{ uids: number[]; values: number[] }>(run.stdout);
        assert.deepEqual([revealed.uids.map(Number), revealed.values.map(Number)], [[1, 2], [65535, 21845]]);
        break;
      }
      assert.match(run.stderr, /too early to reveal/, run.stderr);
      assert.ok(Date.now() < deadline, "the reveal window came within 30 s");
    }
    const metagraph = json<{ neurons: { uid: number; weights?: [number, number][] }[] }>(await ok("metagraph", "--netuid", "1", "--chain", chain, "--json", "--weights"));
    assert.deepEqual(metagraph.neurons[0]!.weights?.map(([u, w]) => [Number(u), Number(w)]), [[1, 65535], [2, 21845]]);
  });

  describe("bad input: one line saying what, why and what to do; exit 2", () => {
    it("an unknown wallet", async () => {
      assert.match(await refused(["register", "--netuid", "1", "--wallet", "nobody", "--chain", chain, "--yes"]), /^error: no wallet "nobody" in .*; create one with `tensornode wallet create --wallet nobody`$/);
    });

    it("a wrong password", async () => {
      const line = await refused(["stake", "add", "--netuid", "1", "--wallet", "owner", "--hotkey", "validator", "--amount", "1", "--chain", chain, "--yes"], { TENSORNODE_WALLET_PASSWORD: "wrong password" });
      assert.match(line, /^error: .*(password|decrypt).*/i);
    });

    it("a hotkey not registered on the subnet", async () => {
      await ok("wallet", "new-hotkey", "--wallet", "owner", "--hotkey", "stranger");
      const line = await refused(["weights", "set", "--netuid", "1", "--wallet", "owner", "--hotkey", "stranger", "--uids", "0", "--weights", "1", "--chain", chain, "--yes"]);
      assert.match(line, /^error: hotkey \S+ is not registered on subnet 1; register it with `tensornode register --netuid 1`$/);
    });

    it("too little balance", async () => {
      await ok("wallet", "new-hotkey", "--wallet", "poor", "--hotkey", "h1");
      const line = await refused(["register", "--netuid", "1", "--wallet", "poor", "--hotkey", "h1", "--chain", chain, "--yes"]);
      assert.match(line, /^error: registering on subnet 1 needs \d+(\.\d+)? TAO plus a \d+(\.\d+)? TAO fee, but \S+ has 0 TAO free; fund it/);
    });

    it("not the subnet owner", async () => {
      const line = await refused(["subnet", "hyperparams", "--netuid", "1", "--wallet", "poor", "--chain", chain, "--set", "rho=5"]);
      assert.match(line, new RegExp(`^error: set rho = 5 on subnet 1: only subnet 1's owner ${owner} may do this, not \\S+; use the owner's wallet$`));
    });

    it("a subnet that does not exist", async () => {
      assert.match(await refused(["subnet", "show", "--netuid", "9", "--chain", chain]), /^error: subnet 9 does not exist/);
    });

    it("a bad value, before anything is sent", async () => {
      assert.equal(await refused(["subnet", "hyperparams", "--netuid", "1", "--wallet", "owner", "--chain", chain, "--set", "rho=abc"]), 'error: rho: "abc" is not an integer in 0..65535');
      assert.match(await refused(["stake", "add", "--netuid", "1", "--amount", "1.2.3", "--chain", chain, "--yes"]), /^error: --amount: "1.2.3" is not an amount of TAO/);
    });

    it("spending without a terminal and without --yes", async () => {
      assert.match(await refused(["subnet", "create", "--wallet", "owner", "--hotkey", "validator", "--chain", chain]), /not confirmed: pass --yes to run without a terminal$/);
    });

    it("spending on a terminal, answered no: asked with the price, nothing sent", async () => {
      const asked: { question: string; secret: boolean }[] = [];
      const before = json<{ free: bigint }>(await ok("wallet", "balance", "--wallet", "owner", "--chain", chain, "--json")).free;
      const run = await runCliCaptured(["stake", "add", "--netuid", "1", "--wallet", "owner", "--hotkey", "validator", "--amount", "5", "--chain", chain], { env, answers: ["n"], asked });
      assert.equal(run.code, 2);
      assert.equal(run.stderr, "error: cancelled; nothing was sent\n");
      assert.equal(asked.length, 1);
      assert.equal(asked[0]!.secret, false);
      assert.match(asked[0]!.question, new RegExp(`^stake 5 TAO on ${hotkeys.validator} in subnet 1 at [\\d.]+ τ/α: about [\\d.]+ α expected, slippage [\\d.]+ %; no price limit\\? \\[y/N\\] $`));
      assert.equal(json<{ free: bigint }>(await ok("wallet", "balance", "--wallet", "owner", "--chain", chain, "--json")).free, before);
    });

    it("an unreachable chain", async () => {
      assert.match(await refused(["subnet", "list", "--chain", "ws://127.0.0.1:9"]), /^error: cannot reach the chain at ws:\/\/127\.0\.0\.1:9 \(connection refused or closed\); start one with `tensornode devnet`/);
    });
  });

  it("doctor reports the chain, the wallet, the registration and the rate limits", async () => {
    const { checks } = json<{ checks: { check: string; status: string; detail: string }[] }>(await ok("doctor", "--netuid", "1", "--wallet", "owner", "--hotkey", "validator", "--chain", chain, "--json"));
    const byName = Object.fromEntries(checks.map((c) => [c.check, c]));
    assert.equal(byName.chain?.status, "ok");
    assert.match(byName.coldkey!.detail, /opens with the given password/);
    assert.equal(byName.registration?.detail, "uid 0");
    assert.equal(byName["validator permit"]?.status, "ok");
    const missing = await refused(["doctor", "--netuid", "1", "--wallet", "owner", "--hotkey", "stranger", "--chain", chain]);
    assert.equal(missing, "error: 1 check failed: registration");
  });
});
