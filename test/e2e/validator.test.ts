/**
 * The validator daemon as users run it: the built binary against a devnet producing a block every
 * 250 ms (epochs of 20 blocks, commit-reveal on as on HEAD), with real miner processes of the tiny
 * subnet — one honest, one answering wrong, one slow. The validator's revealed weights make the
 * honest miner earn most; a SIGKILL between a commit and its reveal loses nothing (the restarted
 * validator reveals that very commit, in its epoch); a devnet restart under it is survived; its
 * receipts are the miners' verifiable signatures.
 */
import "../../src/util/polyfill.js";
import "@polkadot/api-augment";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { ChainConnection } from "../../src/chain/connection.js";
import { loadMetagraph, type Metagraph } from "../../src/chain/metagraph.js";
import { SubtensorOperations } from "../../src/chain/operations.js";
import { DevnetNode } from "../../src/devnet/node.js";
import type { BlockTime } from "../../src/devnet/chain/author.js";
import { WalletStore } from "../../src/wallet/wallet.js";
import { runCliCaptured } from "../helpers/cli.js";
import { silentLog, startedSubnet } from "../helpers/devnet.js";
import { startProcess, waitForOutput, waitForStderr, type RunningProcess } from "../helpers/process.js";
import { writeMinerVariant } from "../../src/localnet/variants.js";
import { loadPlugin, pluginRoots } from "../../src/subnet/loader.js";

const TAO = 1_000_000_000n;
const BLOCK_TIME: BlockTime = { mode: "interval", ms: 250 };
const TEMPO = 20;

type Untyped = (...args: unknown[]) => never;

const until = async <T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

describe("the validator daemon on a devnet (tiny subnet, honest, wrong and slow miners)", { timeout: 420_000 }, () => {
  const home = mkdtempSync(join(tmpdir(), "tn-validator-"));
  const env = { TENSORNODE_HOME: home, BT_WALLET_PATH: join(home, "none") };
  const dataDir = join(home, "validator-state");
  let devnet: DevnetNode;
  let port: number;
  let chain: ChainConnection;
  let ops: SubtensorOperations;
  let alice: KeyringPair;
  let netuid: number;
  const hotkeys: Record<"validator" | "honest" | "wrong" | "slow", string> = { validator: "", honest: "", wrong: "", slow: "" };
  const uids: Record<string, number> = {};
  const miners: RunningProcess[] = [];
  let validator: RunningProcess;
  let metricsUrl: string;

  const validatorArgs = (): string[] => [
    "validator",
    "--netuid", String(netuid),
    "--wallet", "ops",
    "--hotkey", "validator",
    "--subnet", "tiny",
    "--chain", devnet.endpoint.wsUrl,
    "--host", "127.0.0.1",
    "--data-dir", dataDir,
    "--step-interval", "1",
    "--weights-interval", "1",
    "--resync-blocks", "4",
    "--metrics-port", "0",
    "--log-format", "json",
    "--log-level", "info",
  ];

  const startValidator = async (): Promise<void> => {
    validator = startProcess(validatorArgs(), env);
    metricsUrl = (await waitForOutput(validator, /metrics at (http:\/\/\S+)\/metrics/, 30_000))[1]!;
  };

  const metric = async (pattern: RegExp): Promise<number> => {
    const text = await (await fetch(`${metricsUrl}/metrics`)).text();
    return Number(pattern.exec(text)?.[1] ?? 0);
  };

  const metagraph = async (): Promise<Metagraph> => (await loadMetagraph(chain.api, netuid, { withWeights: true }))!;

  before(async () => {
    devnet = await DevnetNode.start({ port: 0, dataDir: join(home, "devnet"), blockTime: BLOCK_TIME, log: silentLog });
    port = devnet.endpoint.port;
    ({ chain, ops, alice, netuid } = await startedSubnet(devnet.endpoint.wsUrl));
    await ops.adminCall(alice, netuid, (chain.api.tx.subtensorModule!.setTempo as unknown as Untyped)(netuid, TEMPO), "owner", "tempo");
    const store = new WalletStore([join(home, "wallets")]);
    for (const name of Object.keys(hotkeys) as (keyof typeof hotkeys)[]) {
      hotkeys[name] = (await store.createHotkey("ops", name)).address;
      uids[name] = (await ops.registerNeuron(alice, netuid, hotkeys[name])).uid;
    }
    await ops.addStake(alice, hotkeys.validator, netuid, 100n * TAO);
    assert.equal((await ops.read.weightsRules(netuid)).commitReveal, true, "commit-reveal is on by default, as on HEAD");

    const tiny = await loadPlugin("tiny", { roots: pluginRoots({}) });
    const subnets = {
      honest: "tiny",
      wrong: writeMinerVariant(join(home, "tiny-wrong"), tiny, { kind: "noisy", every: 1 }),
      slow: writeMinerVariant(join(home, "tiny-slow"), tiny, { kind: "slow", delayMs: 1_200 }),
    };
    for (const [name, subnet] of Object.entries(subnets)) {
      const miner = startProcess(["miner", "--netuid", String(netuid), "--subnet", subnet, "--wallet", "ops", "--hotkey", name, "--host", "127.0.0.2", "--port", "0", "--chain", devnet.endpoint.wsUrl, "--workers", "1", "--metagraph-interval", "1", "--log-level", "warn"], env);
      miners.push(miner);
      await waitForOutput(miner, /serving tiny on subnet/, 30_000);
    }
    // Every miner's axon on chain before the validator looks.
    await until("the miners' axons", 30_000, async () => ((await Promise.all(["honest", "wrong", "slow"].map((n) => ops.read.axonOf(netuid, hotkeys[n as "honest"])))).every((a) => a) ? true : undefined));
  });

  after(async () => {
    await validator?.kill();
    await Promise.all(miners.map((m) => m.kill()));
    await chain?.close();
    await devnet?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("scores the miners and commits, then reveals, weights that pay the honest miner more than the wrong and the slow one", async () => {
    await startValidator();
    const settled = await until("revealed weights to earn incentive", 120_000, async () => {
      const m = await metagraph();
      const incentive = (name: string): number => m.neurons[uids[name]!]!.incentive;
      return incentive("honest") > 0 && incentive("slow") > 0 ? m : undefined;
    });
    const row = new Map(settled.neurons[uids.validator!]!.weights!.map(([uid, w]) => [uid, w]));
    const weight = (name: string): number => row.get(uids[name]!) ?? 0;
    const incentive = (name: string): number => settled.neurons[uids[name]!]!.incentive;
    assert.ok(weight("honest") > weight("slow") && weight("slow") > weight("wrong"), `weights honest ${weight("honest")}, slow ${weight("slow")}, wrong ${weight("wrong")}`);
    assert.equal(weight("wrong"), 0);
    assert.ok(incentive("honest") > incentive("slow") && incentive("honest") > incentive("wrong"), `incentive honest ${incentive("honest")}, slow ${incentive("slow")}, wrong ${incentive("wrong")}`);
    assert.ok((await metric(/tensornode_validator_weights_total\{[^}]*action="reveal",outcome="ok"\} (\d+)/)) >= 1);
    assert.equal(await metric(/tensornode_validator_weights_total\{[^}]*outcome="expired"\} (\d+)/), 0);
    assert.ok((await metric(/tensornode_validator_queries_total\{[^}]*outcome="answered"\} (\d+)/)) >= 3);
  });

  it("reveals, after a SIGKILL between a commit and its reveal, that very commit in its own epoch", async () => {
    // A commit of the epoch now running, with a few blocks left of it: its reveal cannot have gone out.
    const commit = await until("a commit of the running epoch", 60_000, async () => {
      const [commits, schedule, block] = await Promise.all([ops.read.weightCommits(netuid, hotkeys.validator), ops.read.epochSchedule(netuid), ops.read.blockNumber()]);
      return commits.find((c) => c.epoch === schedule.index && block + 3n < schedule.nextEpochBlock);
    });
    await validator.kill();
    const stillThere = (await ops.read.weightCommits(netuid, hotkeys.validator)).find((c) => c.hash === commit.hash);
    assert.ok(stillThere, "killed before the reveal");
    await startValidator();
    const revealed = await waitForStderr(validator, new RegExp(`"hash":"${commit.hash}"[^\\n]*"msg":"weights revealed"|"msg":"weights revealed"[^\\n]*"hash":"${commit.hash}"`), 60_000);
    assert.ok(revealed);
    const epoch = Number(/"epoch":"?(\d+)/.exec(revealed[0])?.[1]);
    const { revealPeriodEpochs } = await ops.read.epochSchedule(netuid);
    assert.equal(BigInt(epoch), commit.epoch + revealPeriodEpochs, "revealed in the commit's reveal epoch");
    assert.doesNotMatch(validator.stderr(), /expired unrevealed/);
  });

  it("survives a devnet restart under it: reconnects and goes on revealing", async () => {
    const revealsBefore = await metric(/tensornode_validator_weights_total\{[^}]*action="reveal",outcome="ok"\} (\d+)/);
    const logged = validator.stderr().length;
    await devnet.stop();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    devnet = await DevnetNode.start({ port, dataDir: join(home, "devnet"), blockTime: BLOCK_TIME, log: silentLog });
    await waitForStderr(validator, /chain connection restored/, 60_000, logged);
    await until("a reveal after the restart", 90_000, async () => ((await metric(/tensornode_validator_weights_total\{[^}]*action="reveal",outcome="ok"\} (\d+)/)) > revealsBefore ? true : undefined)).catch((error: Error) => {
      throw new Error(`${error.message}; what the validator logged since the restart:\n${validator.stderr().slice(logged).slice(-4000)}`);
    });
    assert.equal(validator.child.exitCode, null);
  });

  it("keeps the miners' signed answers: `validator receipts` verifies them, from the running daemon and from its data dir", async () => {
    const live = await runCliCaptured(["validator", "receipts", "--uid", String(uids.wrong), "--status-url", metricsUrl, "--json"], { env });
    assert.equal(live.code, 0, live.stderr);
    const rows = JSON.parse(live.stdout) as { hotkey: string; score: number; verdict: string }[];
    assert.ok(rows.length > 0);
    for (const r of rows) {
      assert.equal(r.hotkey, hotkeys.wrong);
      assert.equal(r.verdict, "valid", "a wrong answer is still the miner's, signed");
      assert.equal(r.score, 0);
    }
    assert.equal(await validator.stop(10_000), 0, `the validator did not stop within 10 s of SIGTERM (as Docker allows); the end of what it logged:\n${validator.stderr().slice(-3000)}`);
    const kept = await runCliCaptured(["validator", "receipts", "--uid", String(uids.honest), "--netuid", String(netuid), "--wallet", "ops", "--hotkey", "validator", "--data-dir", dataDir], { env });
    assert.equal(kept.code, 0, kept.stderr);
    assert.match(kept.stdout, /infer\s+\d+\.\d\s+0\.\d{4}\s+valid/);
    assert.doesNotMatch(kept.stdout, /INVALID/);
  });
});
