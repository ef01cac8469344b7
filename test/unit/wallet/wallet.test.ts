import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { headlessPassword, WalletError, WalletStore, walletRoots } from "../../../src/wallet/wallet.js";

const REFERENCE = new URL("../../../../shared/reference/real-chain/btwallet-keyfile/", import.meta.url);
const MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow";
const ADDRESS = "5EHgWw2Af1pnoc7f1A8bfmM97W3DAYW8xr82RfhLL9oAabAe";

describe("wallets in Bittensor's layout", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "tensornode-wallets-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const roots = walletRoots({ TENSORNODE_HOME: join(dir, "home"), BT_WALLET_PATH: join(dir, "bittensor") });
  const store = new WalletStore(roots);

  it("creates a coldkey (encrypted) and hotkeys (plain) as btwallet lays them out, files 0600, and opens them again", async () => {
    const created = await store.createColdkey("owner", "hunter2!", { mnemonic: MNEMONIC });
    assert.equal(created.address, ADDRESS, "the same mnemonic gives btwallet's account");
    const mode = (file: string): number => statSync(join(created.path, file)).mode & 0o777;
    assert.equal(mode("coldkey"), 0o600);
    assert.equal(mode("coldkeypub.txt"), 0o600);
    assert.equal(readFileSync(join(created.path, "coldkey")).subarray(0, 5).toString(), "$NACL");
    assert.equal(JSON.parse(readFileSync(join(created.path, "coldkeypub.txt"), "utf8")).ss58Address, ADDRESS);
    const hotkey = await store.createHotkey("owner", "miner-1");
    assert.equal(mode("hotkeys/miner-1"), 0o600);
    assert.equal((await store.loadHotkey("owner", "miner-1")).address, hotkey.address);
    const regenerated = await store.createHotkey("owner", "miner-1", { mnemonic: hotkey.mnemonic, overwrite: true });
    assert.equal(regenerated.address, hotkey.address);
    assert.equal((await store.unlockColdkey("owner", "hunter2!")).address, ADDRESS);
    assert.deepEqual((await store.list()).map((w) => [w.name, w.coldkeyAddress, w.hotkeys]), [["owner", ADDRESS, ["miner-1"]]]);
  });

  it("opens a wallet btwallet made in ~/.bittensor/wallets", async () => {
    const wallet = join(roots[1]!, "btcli-made");
    mkdirSync(wallet, { recursive: true });
    copyFileSync(new URL("coldkey", REFERENCE), join(wallet, "coldkey"));
    copyFileSync(new URL("coldkeypub.txt", REFERENCE), join(wallet, "coldkeypub.txt"));
    assert.equal(await store.coldkeyAddress("btcli-made"), ADDRESS, "read from coldkeypub.txt without a password");
    assert.equal((await store.unlockColdkey("btcli-made", "correct horse battery staple")).address, ADDRESS);
  });

  it("explains every refusal in one line", async () => {
    const refusal = async (promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> =>
      assert.rejects(promise, (e: unknown) => e instanceof WalletError && e.code === code && pattern.test(e.message) && !e.message.includes("\n"));
    await refusal(store.unlockColdkey("nobody", "x"), "WALLET_NOT_FOUND", /^no wallet "nobody" in .*; create one with `tensornode wallet create --wallet nobody`$/);
    await refusal(store.loadHotkey("owner", "ghost"), "HOTKEY_NOT_FOUND", /has no hotkey "ghost"/);
    await refusal(store.createColdkey("weak", "12345"), "WEAK_PASSWORD", /at least 6 characters/);
    await refusal(store.createHotkey("owner", "bad", { mnemonic: "not a mnemonic at all" }), "BAD_MNEMONIC", /not a valid BIP-39 phrase/);
    await refusal(store.createHotkey("owner", "miner-1"), "KEY_EXISTS", /already exists \(5\w+\); nothing was changed$/);
    await refusal(store.unlockColdkey("owner", undefined), "NO_PASSWORD", /is encrypted: give its password/);
    await refusal(store.find("../escape"), "BAD_NAME", /may only use letters/);
  });

  it("takes a headless password from the environment or from a file only its owner can read", async () => {
    assert.equal(await headlessPassword({ TENSORNODE_WALLET_PASSWORD: "from-env" }), "from-env");
    const file = join(dir, "password");
    writeFileSync(file, "from-file\n", { mode: 0o600 });
    assert.equal(await headlessPassword({}, file), "from-file");
    writeFileSync(join(dir, "open"), "x", { mode: 0o644 });
    await assert.rejects(headlessPassword({}, join(dir, "open")), /readable by others; chmod 600 it/);
  });
});
