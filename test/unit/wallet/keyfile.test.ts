import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { decryptKeyfileData, encryptKeyfileData, KeyfileError, keyfileEncoding, parseKeyfileContents } from "../../../src/wallet/keyfile.js";

const REFERENCE = new URL("../../../../shared/reference/real-chain/btwallet-keyfile/", import.meta.url);
const PASSWORD = "correct horse battery staple";
const ADDRESS = "5EHgWw2Af1pnoc7f1A8bfmM97W3DAYW8xr82RfhLL9oAabAe";
const PUBLIC_KEY = "0x625e25364c7b68e0a83065ccb40afed43f8fe933e669b24f3d69a57eddb3b715";
const MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow";

describe("Bittensor keyfiles (btwallet's $NACL format)", { timeout: 120_000 }, () => {
  const coldkey = new Uint8Array(readFileSync(new URL("coldkey", REFERENCE)));

  it("opens a coldkey btwallet's format wrote with libsodium, independently of this project", async () => {
    assert.equal(keyfileEncoding(coldkey), "nacl");
    const contents = parseKeyfileContents(await decryptKeyfileData(coldkey, PASSWORD), "coldkey");
    assert.equal(contents.ss58Address, ADDRESS);
    assert.equal(contents.publicKey, PUBLIC_KEY);
    assert.equal(contents.secretPhrase, MNEMONIC);
    await cryptoWaitReady();
    assert.equal(new Keyring({ type: "sr25519", ss58Format: 42 }).addFromMnemonic(contents.secretPhrase!).address, ADDRESS, "the mnemonic inside gives the same account");
    assert.equal(readFileSync(new URL("coldkeypub.txt", REFERENCE), "utf8").includes(ADDRESS), true);
  });

  it("writes byte for byte what libsodium wrote, given the same nonce", async () => {
    const plaintext = await decryptKeyfileData(coldkey, PASSWORD);
    const nonce = coldkey.subarray(5, 29);
    const written = await encryptKeyfileData(plaintext, PASSWORD, nonce);
    assert.equal(Buffer.compare(Buffer.from(written), Buffer.from(coldkey)), 0);
  });

  it("refuses a wrong password in one line, and says which formats it cannot open", async () => {
    await assert.rejects(decryptKeyfileData(coldkey, "wrong", "coldkey"), (e: unknown) => e instanceof KeyfileError && e.code === "KEYFILE_WRONG_PASSWORD" && e.message === "coldkey: wrong password (the keyfile did not decrypt)");
    await assert.rejects(decryptKeyfileData(new TextEncoder().encode("gAAAAABxyz"), "x", "old"), (e: unknown) => e instanceof KeyfileError && e.code === "KEYFILE_LEGACY_FORMAT" && /legacy fernet encryption/.test(e.message));
    await assert.rejects(decryptKeyfileData(new TextEncoder().encode("$ANSIBLE_VAULT;1.1"), "x"), (e: unknown) => e instanceof KeyfileError && e.code === "KEYFILE_LEGACY_FORMAT");
    await assert.rejects(decryptKeyfileData(Uint8Array.of(1, 2, 3), "x"), (e: unknown) => e instanceof KeyfileError && e.code === "KEYFILE_UNKNOWN_FORMAT");
    assert.throws(() => parseKeyfileContents(new TextEncoder().encode("{\"publicKey\": 5}")), (e: unknown) => e instanceof KeyfileError && e.code === "KEYFILE_BAD_CONTENTS");
    const plain = new TextEncoder().encode(JSON.stringify({ publicKey: PUBLIC_KEY, ss58Address: ADDRESS }));
    assert.equal(keyfileEncoding(plain), "json");
    assert.equal(parseKeyfileContents(await decryptKeyfileData(plain, "")).accountId, PUBLIC_KEY, "hotkeys and coldkeypub files are plain JSON");
  });
});
