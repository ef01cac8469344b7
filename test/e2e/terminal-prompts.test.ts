/**
 * Ctrl-C at any prompt, on a real terminal, exits at once with 130 and says nothing was sent:
 * the password prompt of `wallet create`, the [y/N] of a regeneration, and the [y/N] and password
 * prompts of a transfer against a real devnet — and nothing is written or sent.
 */
import "../../src/util/polyfill.js";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { mnemonicGenerate } from "@polkadot/util-crypto";
import { runCliCaptured } from "../helpers/cli.js";
import { startDevnet, type TestDevnet } from "../helpers/devnet.js";
import { runOnTerminal } from "../helpers/pty.js";

const CTRL_C = "\u0003";
const BOB = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";

describe("Ctrl-C at a prompt on a real terminal", { timeout: 180_000 }, () => {
  let home: string;
  let env: Record<string, string>;
  let devnet: TestDevnet;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), "tn-tty-"));
    env = { TENSORNODE_HOME: home, BT_WALLET_PATH: join(home, "none") };
    devnet = await startDevnet();
    const created = await runCliCaptured(["wallet", "create", "--wallet", "funded"], { env: { ...env, TENSORNODE_WALLET_PASSWORD: "correct horse battery" } });
    assert.equal(created.code, 0, created.stderr);
    const faucet = await runCliCaptured(["wallet", "faucet", "--wallet", "funded", "--amount", "100", "--chain", devnet.node.endpoint.wsUrl], { env });
    assert.equal(faucet.code, 0, faucet.stderr);
  });
  after(async () => {
    await devnet?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it("at the password prompt of wallet create: exit 130, nothing written", async () => {
    const run = runOnTerminal(["wallet", "create", "--wallet", "fresh"], env);
    await run.waitFor(/password for the coldkey: $/);
    run.type("half a passw");
    run.type(CTRL_C);
    assert.equal(await run.exited, 130);
    assert.match(run.screen(), /interrupted at the prompt; nothing was sent/);
    assert.equal(existsSync(join(home, "wallets", "fresh", "coldkey")), false);
  });

  it("at the [y/N] of a regeneration: exit 130, the old key untouched", async () => {
    const before = readFileSync(join(home, "wallets", "funded", "coldkey"));
    const run = runOnTerminal(["wallet", "regen-coldkey", "--wallet", "funded", "--mnemonic", mnemonicGenerate(12), "--overwrite"], env);
    await run.waitFor(/\[y\/N\] $/);
    assert.match(run.screen(), /old 5\w+\r?\n {2}new 5\w+/);
    run.type(CTRL_C);
    assert.equal(await run.exited, 130);
    assert.deepEqual(readFileSync(join(home, "wallets", "funded", "coldkey")), before);
  });

  for (const [prompt, answers] of [["[y/N]", []], ["password", ["y\r"]]] as const) {
    it(`at the ${prompt} prompt of a transfer: exit 130, nothing sent`, async () => {
      const balance = async (): Promise<bigint> => (await devnet.api.query.system.account(BOB)).data.free.toBigInt();
      const before = await balance();
      const run = runOnTerminal(["wallet", "transfer", "--wallet", "funded", "--dest", BOB, "--amount", "1", "--chain", devnet.node.endpoint.wsUrl], env);
      await run.waitFor(/\[y\/N\] $/);
      for (const answer of answers) run.type(answer);
      if (prompt === "password") await run.waitFor(/password for the coldkey of wallet "funded": $/);
      run.type(CTRL_C);
      assert.equal(await run.exited, 130);
      assert.match(run.screen(), /interrupted at the prompt; nothing was sent/);
      assert.deepEqual((await devnet.api.rpc.author.pendingExtrinsics()).length, 0);
      assert.equal(await balance(), before);
    });
  }
});
