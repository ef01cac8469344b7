import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runCliCaptured } from "../../helpers/cli.js";

describe("tensornode wallet", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "tensornode-wallet-cli-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { TENSORNODE_HOME: join(dir, "home"), BT_WALLET_PATH: join(dir, "bittensor"), TENSORNODE_WALLET_PASSWORD: "a good password" };

  it("creates a wallet, shows its mnemonics once, and lists and shows it", async () => {
    const created = await runCliCaptured(["wallet", "create", "--wallet", "owner", "--hotkey", "validator"], { env });
    assert.equal(created.code, 0, created.stderr);
    const addresses = [...created.stdout.matchAll(/: (5[1-9A-HJ-NP-Za-km-z]{47})\n  mnemonic \(write it down, it is shown only now\): ((?:[a-z]+ ){11}[a-z]+)\n/g)];
    assert.equal(addresses.length, 2, created.stdout);
    const listed = await runCliCaptured(["wallet", "list", "--json"], { env });
    assert.deepEqual((JSON.parse(listed.stdout) as { wallet: string; coldkey: string; hotkeyNames: string[] }[]).map((w) => [w.wallet, w.coldkey, w.hotkeyNames]), [["owner", addresses[0]![1], ["validator"]]]);
    const shown = JSON.parse((await runCliCaptured(["wallet", "show", "--wallet", "owner", "--json"], { env })).stdout) as { coldkey: string; hotkeys: { hotkeyName: string; hotkey: string }[] };
    assert.equal(shown.coldkey, addresses[0]![1]);
    assert.deepEqual(shown.hotkeys, [{ hotkeyName: "validator", hotkey: addresses[1]![1] }]);
    const regen = await runCliCaptured(["wallet", "regen-hotkey", "--wallet", "owner", "--hotkey", "again", "--mnemonic", addresses[1]![2]!], { env });
    assert.equal(regen.stdout, `hotkey "again" of wallet "owner": ${addresses[1]![1]}\n`);
  });

  it("answers every mistake with one line and exit 2", async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [["wallet", "create", "--wallet", "owner"], env, /^error: wallet "owner" already has a coldkey \(5\w+\); nothing was changed\. Choose another --wallet, or replace it from its mnemonic with `tensornode wallet regen-coldkey --wallet owner --mnemonic WORDS --overwrite`\n$/],
      [["wallet", "create", "--wallet", "nopass"], { ...env, TENSORNODE_WALLET_PASSWORD: "" }, /^error: no coldkey password: set TENSORNODE_WALLET_PASSWORD or pass --password-file FILE/],
      [["wallet", "show", "--wallet", "ghost"], env, /^error: no wallet "ghost" in .*; create one with `tensornode wallet create --wallet ghost`\n$/],
      [["wallet", "new-hotkey", "--wallet", "ghost"], env, /^error: no wallet "ghost"/],
      [["wallet", "regen-hotkey", "--wallet", "owner", "--hotkey", "x", "--mnemonic", "one two three"], env, /^error: the mnemonic is not a valid BIP-39 phrase/],
      [["wallet", "create", "--wallet", "weak"], { ...env, TENSORNODE_WALLET_PASSWORD: "123" }, /^error: the password must have at least 6 characters\n$/],
    ];
    for (const [argv, caseEnv, pattern] of cases) {
      const run = await runCliCaptured(argv, { env: caseEnv });
      assert.equal(run.code, 2, argv.join(" "));
      assert.match(run.stderr, pattern);
      assert.equal(run.stderr.split("\n").length, 2, "one line");
    }
  });
});
