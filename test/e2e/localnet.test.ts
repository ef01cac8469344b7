/**
 * `tensornode localnet` as a newcomer runs it: the devnet, the owner, two validators and four
 * miners (honest, noisy, slow, offline) as child processes of the built binary, commit-reveal on.
 * On a fixed seed the incentive of epoch 4 orders the miners honest > noisy > slow > offline; a
 * second run in the same data dir is refused in one line (or started over with --fresh, its
 * validators running); a bad --subnet, a child that cannot start and a SIGKILLed localnet leave no
 * temporary folder and no process behind.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadPlugin } from "../../src/subnet/loader.js";
import { writeMinerVariant } from "../../src/localnet/variants.js";
import { parseLosslessJson } from "../../src/util/lossless-json.js";
import { startProcess, waitForStderr } from "../helpers/process.js";
import { noProcessLeft, processesMentioning } from "../helpers/processes.js";

interface Row {
  uid: bigint;
  role: string;
  name: string;
  stake: bigint;
  earnedSinceStart: bigint;
  lastEpoch: { incentive: number; dividends: number; emission: bigint; validatorTrust: number };
  blocksSinceUpdate: bigint;
  running: boolean | null;
  serving: boolean | null;
}

interface Summary {
  epochs: bigint;
  seed: bigint;
  ownerCutSinceStart: bigint;
  logs: string;
  neurons: Row[];
}

describe("tensornode localnet", { timeout: 600_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), "tn-localnet-"));
  const tmp = join(root, "tmp");
  mkdirSync(tmp);
  // Every run gets this as its TMPDIR: what the local network leaves in os.tmpdir() is counted here.
  const env = { TMPDIR: tmp, TENSORNODE_HOME: join(root, "home") };
  const dataDir = join(root, "net");
  after(() => {
    for (const pid of processesMentioning(root)) process.kill(pid, "SIGKILL");
    rmSync(root, { recursive: true, force: true });
  });

  it("runs a whole subnet on a fixed seed: by epoch 4 incentive honest > noisy > slow > offline, dividends to the validators, the owner cut to the owner", async () => {
    const started = Date.now();
    const run = startProcess(["localnet", "--epochs", "4", "--json", "--seed", "7", "--without-dashboard", "--data-dir", dataDir], env);
    const code = await run.exited;
    assert.equal(code, 0, run.stderr().slice(-3000));
    assert.ok(Date.now() - started < 4 * 60_000);
    const summary = parseLosslessJson(run.stdout()) as unknown as Summary;
    assert.equal(summary.epochs, 4n);
    assert.equal(summary.seed, 7n);
    const byRole = (role: string): Row[] => summary.neurons.filter((n) => n.role === role);
    const [honest, noisy, slow, offline] = ["honest", "noisy", "slow", "offline"].map((b) => byRole(`miner (${b})`)[0]!);
    const incentive = [honest!, noisy!, slow!, offline!].map((r) => r.lastEpoch.incentive);
    assert.ok(incentive[0]! > incentive[1]! && incentive[1]! > incentive[2]! && incentive[2]! > incentive[3]!, `incentive honest, noisy, slow, offline: ${incentive.join(", ")}`);
    assert.ok(honest!.earnedSinceStart > 0n && honest!.stake === honest!.earnedSinceStart, "a miner's incentive is paid to it as stake");
    assert.equal(offline!.running, false);
    assert.equal(offline!.serving, false);
    assert.equal(honest!.serving, true);
    const validators = byRole("validator");
    assert.equal(validators.length, 2);
    for (const v of validators) {
      assert.ok(v.lastEpoch.dividends > 0 && v.lastEpoch.emission > 0n && v.earnedSinceStart > 0n, `${v.name} earns dividends`);
      assert.equal(v.running, true);
      assert.ok(v.blocksSinceUpdate < 40n, `${v.name} set weights within two epochs`);
    }
    assert.ok(summary.ownerCutSinceStart > 0n, "the owner cut is paid to the owner's hotkey");
    assert.deepEqual(readdirSync(summary.logs).sort(), ["devnet.log", "miner1.log", "miner2.log", "miner3.log", "miner4.log", "validator1.log", "validator2.log"]);
    assert.match(run.stderr(), /miner4 goes offline \(epoch 0\), as planned/);
    assert.doesNotMatch(run.stderr(), /exited \(/);
    assert.deepEqual(readdirSync(tmp), [], "nothing left in the temporary folder");
  });

  it("refuses a second run in the same data dir in one line (exit 2), and starts over there with --fresh, its validators running", async () => {
    const again = startProcess(["localnet", "--epochs", "1", "--data-dir", dataDir], env);
    assert.equal(await again.exited, 2);
    assert.match(again.stderr(), /^error: .* holds the local network of an earlier run; add --fresh to start it over .*\n$/);
    assert.equal(again.stderr().trim().split("\n").length, 1);
    assert.ok(existsSync(join(dataDir, "devnet", "chain")), "the earlier network is kept");

    const fresh = startProcess(["localnet", "--epochs", "1", "--json", "--fresh", "--data-dir", dataDir], env);
    assert.equal(await fresh.exited, 0, fresh.stderr().slice(-3000));
    const summary = parseLosslessJson(fresh.stdout()) as unknown as Summary;
    for (const v of summary.neurons.filter((n) => n.role === "validator")) assert.equal(v.running, true, `${v.name} runs`);
    assert.doesNotMatch(fresh.stderr(), /exited \(/);
    assert.ok(!existsSync(join(dataDir, "localnet.pid")));
  });

  it("leaves no temporary folder behind on a bad --subnet (one line, exit 2) or a child that cannot start", async () => {
    const bad = startProcess(["localnet", "--subnet", "nosuch"], env);
    assert.equal(await bad.exited, 2);
    assert.equal(bad.stderr().trim().split("\n").length, 1, bad.stderr());
    assert.ok(!existsSync(join(env.TENSORNODE_HOME, "localnet")), "nothing written for a bad --subnet");

    // A subnet whose miner throws at start: the localnet says which and where its log is, and stops everything.
    const broken = join(root, "broken-subnet");
    writeMinerVariant(broken, await loadPlugin("tiny", { roots: [join(process.cwd(), "subnets")], cwd: process.cwd() }), { kind: "slow", delayMs: 0 });
    writeFileSync(join(broken, "miner.js"), 'export async function createMiner() { throw new Error("this miner cannot start"); }\n');
    const crash = startProcess(["localnet", "--miners", "1", "--validators", "1", "--subnet", broken, "--data-dir", join(root, "crash")], env);
    assert.equal(await crash.exited, 2, crash.stderr().slice(-2000));
    assert.match(crash.stderr(), /error: miner1 exited before serving; see .*miner1\.log\n$/);
    assert.deepEqual(await noProcessLeft(join(root, "crash"), 30_000), []);
    assert.deepEqual(readdirSync(tmp), []);
  });

  it("SIGKILLed, leaves no temporary folder and no daemon running (they stop with it)", async () => {
    const dir = join(root, "killed");
    const run = startProcess(["localnet", "--data-dir", dir], env);
    await waitForStderr(run, /every daemon is up/, 120_000);
    const daemons = processesMentioning(dir);
    assert.ok(daemons.length >= 6, `daemons running: ${daemons.length}`);
    await run.kill();
    assert.deepEqual(await noProcessLeft(dir, 30_000), [], "every daemon stopped");
    assert.deepEqual(readdirSync(tmp), []);
  });
});
