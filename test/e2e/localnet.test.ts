/**
 * `tensornode localnet --epochs N --json`, as a newcomer runs it: the devnet, the owner, two
 * validators and four miners (honest, noisy, slow, offline) as child processes of the built
 * binary. Commit-reveal is on; by the last epoch the revealed weights have been paid out.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parseLosslessJson } from "../../src/util/lossless-json.js";
import { startProcess } from "../helpers/process.js";

interface Row {
  uid: bigint;
  role: string;
  name: string;
  stake: bigint;
  incentive: number;
  dividends: number;
  emission: bigint;
  running: boolean | null;
}

describe("tensornode localnet", { timeout: 300_000 }, () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), "tn-localnet-")), "net");
  after(() => rmSync(join(dataDir, ".."), { recursive: true, force: true }));

  it("runs a whole subnet for 8 epochs: incentive honest > noisy > slow > offline, dividends to the validators, the owner cut to the owner", async () => {
    const started = Date.now();
    const run = startProcess(["localnet", "--epochs", "8", "--json", "--data-dir", dataDir], { TENSORNODE_HOME: join(dataDir, "..", "home") });
    const code = await run.exited;
    assert.equal(code, 0, run.stderr().slice(-3000));
    assert.ok(Date.now() - started < 5 * 60_000);
    const summary = parseLosslessJson(run.stdout()) as unknown as { epochs: bigint; ownerGain: bigint; logs: string; neurons: Row[] };
    assert.equal(summary.epochs, 8n);
    const byRole = (role: string): Row[] => summary.neurons.filter((n) => n.role === role);
    const [honest, noisy, slow, offline] = ["honest", "noisy", "slow", "offline"].map((b) => byRole(`miner (${b})`)[0]!);
    assert.ok(honest!.incentive > noisy!.incentive && noisy!.incentive > slow!.incentive && slow!.incentive > offline!.incentive, `incentive honest ${honest!.incentive}, noisy ${noisy!.incentive}, slow ${slow!.incentive}, offline ${offline!.incentive}`);
    assert.ok(honest!.stake > 0n, "a miner's incentive is paid to it as stake");
    assert.equal(offline!.running, false);
    const validators = byRole("validator");
    assert.equal(validators.length, 2);
    for (const v of validators) {
      assert.ok(v.dividends > 0 && v.emission > 0n, `${v.name} earns dividends`);
      assert.equal(v.running, true);
    }
    assert.ok(summary.ownerGain > 0n, "the owner cut is paid to the owner's hotkey");
    assert.ok(byRole("owner")[0]!.stake >= summary.ownerGain);
    // Every process logged to the data dir.
    assert.deepEqual(readdirSync(summary.logs).sort(), ["devnet.log", "miner1.log", "miner2.log", "miner3.log", "miner4.log", "validator1.log", "validator2.log"]);
    assert.match(run.stderr(), /miner4 goes offline \(epoch \d+\), as planned/);
    assert.ok(existsSync(join(dataDir, "devnet")));
  });
});
