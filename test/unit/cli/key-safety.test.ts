/**
 * Keys are never lost: regenerating over an existing key refuses without --overwrite, asks again
 * with both addresses on a terminal (needs --yes without one), and keeps the old file as a 0600
 * backup; `wallet create` and `new-hotkey` never replace a key, and their hints name real flags.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { mnemonicGenerate, cryptoWaitReady } from "@polkadot/util-crypto";
import { CTRL_C, runCliCaptured } from "../../helpers/cli.js";

const PASSWORD = "correct horse battery";

describe("keys are never lost", { timeout: 120_000 }, () => {
  let home: string;
  let env: Record<string, string>;
  let walletDir: string;
  let other: string;
  let oldColdkey: string;
  let oldHotkey: string;

  const cli = (argv: string[], answers?: string[], asked?: { question: string; secret: boolean }[]) => runCliCaptured(argv, { env, ...(answers ? { answers } : {}), ...(asked ? { asked } : {}) });
  const files = (dir: string): Record<string, string> => Object.fromEntries(readdirSync(dir, { recursive: true, withFileTypes: false }).map(String).filter((f) => statSync(join(dir, f)).isFile()).map((f) => [f, readFileSync(join(dir, f), "latin1")]));

  before(async () => {
    await cryptoWaitReady();
    home = mkdtempSync(join(tmpdir(), "tn-keys-"));
    env = { TENSORNODE_HOME: home, BT_WALLET_PATH: join(home, "none"), TENSORNODE_WALLET_PASSWORD: PASSWORD };
    walletDir = join(home, "wallets", "w");
    const created = await cli(["wallet", "create", "--wallet", "w", "--hotkey", "h"]);
    assert.equal(created.code, 0, created.stderr);
    oldColdkey = /coldkey of wallet "w": (\w+)/.exec(created.stdout)![1]!;
    oldHotkey = /hotkey "h": (\w+)/.exec(created.stdout)![1]!;
    other = mnemonicGenerate(12);
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  for (const kind of ["coldkey", "hotkey"] as const) {
    const argv = (...extra: string[]): string[] => [`regen-${kind}`, "--wallet", "w", ...(kind === "hotkey" ? ["--hotkey", "h"] : []), "--mnemonic", other, ...extra].flatMap((a, i) => (i === 0 ? ["wallet", a] : [a]));

    it(`regen-${kind} over an existing ${kind} refuses without --overwrite and changes nothing`, async () => {
      const before = files(walletDir);
      const run = await cli(argv());
      assert.equal(run.code, 2);
      assert.match(run.stderr, new RegExp(`^error: .*${kind === "coldkey" ? oldColdkey : oldHotkey}.*nothing was changed\\. To replace it with 5\\w+, add --overwrite \\(the old file is kept as a backup\\)\\n$`));
      assert.deepEqual(files(walletDir), before);
    });

    it(`regen-${kind} --overwrite without a terminal also needs --yes`, async () => {
      const before = files(walletDir);
      const run = await cli(argv("--overwrite"));
      assert.equal(run.code, 2);
      assert.match(run.stderr, /needs --yes without a terminal; nothing was changed\n$/);
      assert.deepEqual(files(walletDir), before);
    });

    it(`regen-${kind} --overwrite on a terminal asks again showing both addresses; no, or Ctrl-C, changes nothing`, async () => {
      const before = files(walletDir);
      const asked: { question: string; secret: boolean }[] = [];
      const no = await cli(argv("--overwrite"), ["n"], asked);
      assert.equal(no.code, 2);
      assert.equal(no.stderr, "error: cancelled; nothing was changed\n");
      const old = kind === "coldkey" ? oldColdkey : oldHotkey;
      assert.match(asked[0]!.question, new RegExp(`^replace .*\\?\\n  old ${old}\\n  new 5\\w+\\nthe old file is kept as ${kind === "coldkey" ? "coldkey" : "h"}\\.backup-<time> \\[y/N\\] $`));
      const interrupted = await cli(argv("--overwrite"), [CTRL_C]);
      assert.equal(interrupted.code, 130);
      assert.match(interrupted.stderr, /nothing was sent/);
      assert.deepEqual(files(walletDir), before);
    });

    it(`regen-${kind} --overwrite, confirmed, replaces the key and keeps the old file beside it, 0600`, async () => {
      const keyPath = kind === "coldkey" ? join(walletDir, "coldkey") : join(walletDir, "hotkeys", "h");
      const oldBytes = readFileSync(keyPath);
      const run = await cli(argv("--overwrite"), ["y"]);
      assert.equal(run.code, 0, run.stderr);
      assert.notDeepEqual(readFileSync(keyPath), oldBytes);
      const backup = /kept in (\S+)/.exec(run.stdout)![1]!;
      assert.ok(backup.startsWith(`${keyPath}.backup-`), backup);
      assert.deepEqual(readFileSync(backup), oldBytes);
      assert.equal(statSync(backup).mode & 0o777, 0o600);
      const shown = JSON.parse((await cli(["wallet", "show", "--wallet", "w", "--json"])).stdout) as { coldkey: string; hotkeys: { hotkeyName: string }[] };
      assert.deepEqual(shown.hotkeys.map((h) => h.hotkeyName), ["h"], "a backup is not listed as a hotkey");
      if (kind === "coldkey") assert.notEqual(shown.coldkey, oldColdkey);
    });
  }

  it("regenerating the same key again needs no second question (nothing would be lost), and still keeps a backup", async () => {
    const run = await cli(["wallet", "regen-hotkey", "--wallet", "w", "--hotkey", "h", "--mnemonic", other, "--overwrite"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /kept in \S+\.backup-/);
  });

  it("wallet create over an existing wallet refuses before asking for a password, naming a command that exists", async () => {
    const asked: { question: string; secret: boolean }[] = [];
    const run = await runCliCaptured(["wallet", "create", "--wallet", "w"], { env: { TENSORNODE_HOME: home, BT_WALLET_PATH: join(home, "none") }, answers: [], asked });
    assert.equal(run.code, 2);
    assert.deepEqual(asked, []);
    assert.match(run.stderr, /nothing was changed\. Choose another --wallet, or replace it from its mnemonic with `tensornode wallet regen-coldkey --wallet w --mnemonic WORDS --overwrite`\n$/);
  });

  it("new-hotkey over an existing hotkey refuses, naming regen-hotkey --overwrite", async () => {
    const run = await cli(["wallet", "new-hotkey", "--wallet", "w", "--hotkey", "h"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /`tensornode wallet regen-hotkey --wallet w --hotkey h --mnemonic WORDS --overwrite`\n$/);
  });

  it("a bad mnemonic is refused before anything else", async () => {
    const run = await cli(["wallet", "regen-coldkey", "--wallet", "w", "--mnemonic", "not a mnemonic", "--overwrite", "--yes"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /not a valid BIP-39 phrase/);
  });
});
