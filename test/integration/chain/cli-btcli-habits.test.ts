/**
 * Items 8 and 9 of issue 16 against a real devnet: wallet overview, subnet list/show, stake list,
 * metagraph --sort, btcli's spellings, --yes on signing, and the --json contract (names, amounts as
 * strings) across the commands that print JSON.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Keyring } from "@polkadot/api";
import type { KeyringPair } from "@polkadot/keyring/types";
import { cryptoWaitReady, mnemonicGenerate } from "@polkadot/util-crypto";
import { connectChain, type ChainConnection } from "../../../src/chain/connection.js";
import { SubtensorOperations } from "../../../src/chain/operations.js";
import { runCliCaptured, type CliRun } from "../../helpers/cli.js";
import { startDevnet, type TestDevnet } from "../../helpers/devnet.js";

const TAO = 1_000_000_000n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** Keys whose values are amounts in rao: always decimal strings (docs/cli-json.md). */
const AMOUNTS = new Set(["free", "reserved", "stake", "taoValue", "emissionTaoValue", "totalTaoValue", "burn", "lockCost", "taoIn", "alphaIn", "alphaOut", "price", "emission", "taoInEmission", "amount", "tao", "alpha"]);

describe("btcli habits and the --json contract", { timeout: 120_000 }, () => {
  let net: TestDevnet;
  let chain: ChainConnection;
  let url: string;
  const dir = mkdtempSync(join(tmpdir(), "tensornode-btcli-chain-"));
  const env = { TENSORNODE_HOME: join(dir, "home"), BT_WALLET_PATH: join(dir, "none"), TENSORNODE_WALLET_PASSWORD: "a good password" };
  let coldkey: KeyringPair;
  let validator: KeyringPair;
  let miner: KeyringPair;
  let chainOnly: KeyringPair;
  const cli = (...argv: string[]): Promise<CliRun> => runCliCaptured(argv, { env });
  const ok = async (...argv: string[]): Promise<string> => {
    const run = await cli(...argv);
    assert.equal(run.code, 0, `tensornode ${argv.join(" ")}: ${run.stderr}`);
    return run.stdout;
  };
  const json = async <T>(...argv: string[]): Promise<T> => JSON.parse(await ok(...argv, "--json")) as T;

  before(async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
    const [cold, hot1, hot2, hot3] = [mnemonicGenerate(12), mnemonicGenerate(12), mnemonicGenerate(12), mnemonicGenerate(12)];
    coldkey = keyring.addFromMnemonic(cold);
    validator = keyring.addFromMnemonic(hot1);
    miner = keyring.addFromMnemonic(hot2);
    chainOnly = keyring.addFromMnemonic(hot3);
    // btcli's spellings from the start.
    await ok("wallet", "regen-coldkey", "--wallet.name", "owner", "--mnemonic", cold);
    await ok("w", "regen-hotkey", "--wallet-name", "owner", "--wallet.hotkey", "validator", "--mnemonic", hot1);
    await ok("wallet", "regen-hotkey", "--wallet_name", "owner", "--wallet-hotkey", "miner", "--mnemonic", hot2);

    net = await startDevnet();
    url = net.node.endpoint.wsUrl;
    chain = await connectChain(url);
    const ops = new SubtensorOperations(chain);
    await ops.transfer(net.alice, coldkey.address, 10_000n * TAO);
    const { netuid } = await ops.registerNetwork(coldkey, validator.address);
    assert.equal(netuid, 1);
    await ops.startSubnet(coldkey, netuid);
    await ops.registerNeuron(coldkey, netuid, miner.address);
    // A hotkey the chain knows as the coldkey's (OwnedHotkeys) but the wallet does not hold.
    await ops.registerNeuron(coldkey, netuid, chainOnly.address);
    await ops.addStake(coldkey, validator.address, netuid, 100n * TAO);
  });
  after(async () => {
    await chain?.close();
    await net?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("wallet overview: every hotkey of the coldkey, local and chain-only, with uid, stake in α and τ, emission and totals", async () => {
    type Overview = {
      wallet: string;
      coldkey: string;
      free: string;
      hotkeys: { hotkey: string; hotkeyName: string | null }[];
      neurons: { hotkey: string; hotkeyName: string | null; netuid: number; uid: number; stake: string; taoValue: string; emission: string; emissionTaoValue: string }[];
      totals: { taoValue: string; emissionTaoValue: string };
    };
    const o = await json<Overview>("wallet", "overview", "--wallet", "owner", "--chain", url);
    assert.equal(o.wallet, "owner");
    assert.equal(o.coldkey, coldkey.address);
    assert.deepEqual(
      o.hotkeys.map((h) => [h.hotkeyName, h.hotkey]).sort(),
      [[null, chainOnly.address], ["miner", miner.address], ["validator", validator.address]].sort(),
    );
    assert.deepEqual(o.neurons.map((n) => [n.netuid, n.uid, n.hotkeyName]), [[1, 0, "validator"], [1, 1, "miner"], [1, 2, null]]);
    const v = o.neurons[0]!;
    assert.ok(BigInt(v.stake) > 0n, "the validator's stake");
    assert.ok(BigInt(v.taoValue) > 0n && BigInt(v.taoValue) <= 100n * TAO + 1000n * TAO, `τ value ${v.taoValue}`);
    assert.equal(BigInt(o.totals.taoValue), o.neurons.reduce((sum, n) => sum + BigInt(n.taoValue), 0n));
    const table = await ok("wallet", "overview", "--wallet", "owner", "--chain", url);
    assert.match(table, /^wallet "owner", coldkey 5\w+: [\d.]+ τ free, 3 hotkeys\n/);
    assert.match(table, /^validator\s+1\s+0\s+[\d.]+\s+[\d.]+/m);
    assert.match(table, /\(chain\)\s+1\s+2\s/);
    assert.match(table, /^total: stake worth [\d.]+ τ/m);
  });

  it("subnet list and show: name, emission share, blocks to the next epoch; `subnets` runs them", async () => {
    type Row = { netuid: number; name: string; tempo: number; emissionShare: number | null; nextEpochBlock: number; blocksToEpoch: number; price: string | null; ownerColdkey: string };
    const rows = await json<Row[]>("subnets", "list", "--chain", url);
    const one = rows.find((r) => r.netuid === 1)!;
    assert.equal(one.ownerColdkey, coldkey.address);
    assert.equal(typeof one.name, "string");
    assert.equal(one.emissionShare, null, "the devnet emits no TAO to subnets");
    assert.ok(one.blocksToEpoch >= 0 && one.blocksToEpoch <= one.tempo + 1, `blocks to epoch ${one.blocksToEpoch}, tempo ${one.tempo}`);
    assert.equal(typeof one.nextEpochBlock, "number");
    const shown = await json<Row>("subnet", "show", "--netuid", "1", "--chain", url);
    assert.deepEqual({ ...shown, blocksToEpoch: 0 }, { ...one, blocksToEpoch: 0 });
    const table = await ok("s", "list", "--chain", url);
    assert.match(table, /netuid\s+name\s+uids\s+price τ\/α\s+pool τ\s+emission\s+tempo\s+next epoch/);
    assert.match(table, /^\s+1\s+.*\s3\/\d+\s.*\s\d+ blocks\s/m);
    assert.match(await ok("subnet", "show", "--netuid", "1", "--chain", url), /tempo\s+\d+ blocks; next epoch at block \d+, in \d+ blocks/);
  });

  it("stake list: τ value at the pool price and the hotkey's name from the local wallet", async () => {
    type Stakes = { coldkey: string; wallet: string; stakes: { netuid: number; hotkey: string; hotkeyName: string | null; hotkeyWallet: string | null; stake: string; taoValue: string }[]; totalTaoValue: string };
    const listed = await json<Stakes>("st", "list", "--wallet.name", "owner", "--chain", url);
    assert.equal(listed.coldkey, coldkey.address);
    const onValidator = listed.stakes.find((s) => s.hotkey === validator.address)!;
    assert.deepEqual([onValidator.netuid, onValidator.hotkeyName, onValidator.hotkeyWallet], [1, "validator", "owner"]);
    assert.ok(BigInt(onValidator.taoValue) > 0n);
    assert.equal(BigInt(listed.totalTaoValue), listed.stakes.reduce((sum, s) => sum + BigInt(s.taoValue), 0n));
    const table = await ok("stake", "list", "--wallet", "owner", "--chain", url);
    assert.match(table, /netuid\s+name\s+hotkey\s+stake α\s+value τ/);
    assert.match(table, /owner\/validator/);
  });

  it("metagraph --sort COLUMN [--reverse], the column checked before anything is read", async () => {
    type M = { neurons: { uid: number; stake: string }[] };
    const byStake = await json<M>("metagraph", "--netuid", "1", "--chain", url, "--sort", "stake");
    assert.equal(byStake.neurons[0]!.uid, 0, "the staked validator first");
    const stakes = byStake.neurons.map((n) => BigInt(n.stake));
    assert.deepEqual(stakes, [...stakes].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
    const reversed = await json<M>("metagraph", "--netuid", "1", "--chain", url, "--sort", "stake", "--reverse");
    assert.equal(reversed.neurons.at(-1)!.uid, 0);
    assert.deepEqual((await json<M>("metagraph", "--netuid", "1", "--chain", url, "--reverse")).neurons.map((n) => n.uid), [2, 1, 0]);
    assert.match(await ok("metagraph", "--netuid", "1", "--chain", url, "--sort", "v-trust"), /^subnet 1 /);
    const bad = await cli("metagraph", "--netuid", "1", "--chain", "ws://127.0.0.1:1", "--sort", "bogus");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error: --sort: "bogus" is not a column; one of uid, hotkey, coldkey, stake, /);
    const weights = await cli("metagraph", "--netuid", "1", "--chain", url, "--weights");
    assert.equal(weights.code, 2);
    assert.equal(weights.stderr, "error: --weights is for --json output (the table has no room for every uid's weights and bonds)\n");
  });

  it("weights set asks before signing: without a terminal it needs --yes (or btcli's --no-prompt)", async () => {
    const run = await cli("weights", "set", "--netuid", "1", "--wallet", "owner", "--hotkey", "validator", "--uids", "1", "--weights", "1", "--chain", url);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^error: set weights on subnet 1 from hotkey 5\w+: 1:65535\? — not confirmed: pass --yes to run without a terminal\n$/);
    const asked: { question: string; secret: boolean }[] = [];
    const declined = await runCliCaptured(["weights", "commit", "--netuid", "1", "--wallet", "owner", "--hotkey", "validator", "--uids", "1", "--weights", "1", "--chain", url], { env, answers: ["n"], asked });
    assert.equal(declined.code, 2);
    assert.match(asked[0]!.question, /^commit weights on subnet 1 from hotkey 5\w+: 1:65535\? \[y\/N\] $/);
  });

  it("--json everywhere: one line, the same names for the same things, every amount a decimal string", async () => {
    const outputs: [string, unknown][] = [];
    const run = async (...argv: string[]): Promise<void> => {
      const out = await ok(...argv, "--json");
      assert.equal(out.split("\n").length, 2, `one line: ${argv.join(" ")}`);
      outputs.push([argv.join(" "), JSON.parse(out)]);
    };
    await run("wallet", "list");
    await run("wallet", "show", "--wallet", "owner");
    await run("wallet", "balance", "--wallet", "owner", "--chain", url);
    await run("wallet", "overview", "--wallet", "owner", "--chain", url);
    await run("subnet", "list", "--chain", url);
    await run("subnet", "show", "--netuid", "1", "--chain", url);
    await run("subnet", "burn-cost", "--chain", url);
    await run("subnet", "hyperparams", "--netuid", "1", "--chain", url);
    await run("stake", "list", "--wallet", "owner", "--chain", url);
    await run("metagraph", "--netuid", "1", "--chain", url);
    const roles = new Map<string, Set<string>>([
      [coldkey.address, new Set(["coldkey", "ownerColdkey"])],
      [validator.address, new Set(["hotkey", "ownerHotkey"])],
      [miner.address, new Set(["hotkey"])],
    ]);
    const walk = (where: string, value: unknown, key: string): void => {
      if (typeof value === "number") assert.ok(Number.isSafeInteger(value) || !Number.isInteger(value), `${where}.${key}: ${value} is past 2^53`);
      if (AMOUNTS.has(key) && value !== null && typeof value !== "object") assert.match(String(value), /^\d+$/, `${where}.${key} is an amount: a decimal string`);
      if (AMOUNTS.has(key) && value !== null && typeof value !== "object") assert.equal(typeof value, "string", `${where}.${key}`);
      if (typeof value === "string" && roles.has(value)) assert.ok(roles.get(value)!.has(key), `${where}: ${value} under "${key}", expected one of ${[...roles.get(value)!].join(", ")}`);
      if (typeof value === "string" && /^\d+$/.test(value) && BigInt(value) > MAX_SAFE) assert.ok(true);
      if (Array.isArray(value)) value.forEach((item) => walk(where, item, key));
      else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(`${where}.${key}`, v, k);
    };
    for (const [where, value] of outputs) walk(where, value, "");
    const banned = ["address", "coldkeyAddress", "owner", "from", "to", "name"];
    const keys = new Set<string>();
    const collect = (value: unknown, where: string): void => {
      if (Array.isArray(value)) value.forEach((v) => collect(v, where));
      else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) (keys.add(`${where}:${k}`), collect(v, where));
    };
    for (const [where, value] of outputs) collect(value, where);
    for (const key of keys) {
      const [where, name] = key.split(":") as [string, string];
      if (name === "name" && where.startsWith("subnet")) continue; // a subnet's own name
      if (where.startsWith("subnet hyperparams")) continue; // the chain's hyperparameter names
      assert.ok(!banned.includes(name), `${where} uses "${name}"`);
    }
  });
});
