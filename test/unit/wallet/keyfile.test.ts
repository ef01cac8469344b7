import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { loadArgon2i, type Argon2i } from "../../../src/wallet/argon2.js";
import { decryptKeyfileData, deriveKeyfileKey, encryptKeyfileData, KeyfileError, keyfileEncoding, parseKeyfileContents } from "../../../src/wallet/keyfile.js";

const REFERENCE = new URL("../../../../shared/reference/real-chain/btwallet-keyfile/", import.meta.url);
const PASSWORD = "correct horse battery staple";
const ADDRESS = "5EHgWw2Af1pnoc7f1A8bfmM97W3DAYW8xr82RfhLL9oAabAe";
const PUBLIC_KEY = "0x625e25364c7b68e0a83065ccb40afed43f8fe933e669b24f3d69a57eddb3b715";
const MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow";
/** Argon2i13(PASSWORD, NACL_SALT, opslimit 8, memlimit 512 MiB), as Debian's python3-nacl (libsodium 1.0.18) computes it. */
const PASSWORD_KEY = "1d1893e9b889a5755cc057fe77990c53dce894a982e3748505f82a44c333e57d";
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

/** An Argon2i that derives once per password, so the file pays each 512 MiB pass once per backend. */
function remembering(argon2i: Argon2i): Argon2i {
  const keys = new Map<string, Promise<Uint8Array>>();
  return {
    backend: argon2i.backend,
    derive(password, params) {
      const id = hex(password);
      if (!keys.has(id)) keys.set(id, argon2i.derive(password, params));
      return keys.get(id)!;
    },
  };
}

describe("Bittensor keyfiles (btwallet's $NACL format)", { timeout: 120_000 }, () => {
  const coldkey = new Uint8Array(readFileSync(new URL("coldkey", REFERENCE)));
  const native = remembering(loadArgon2i());
  /** What was used before, and what is used where sodium-native does not load: injected, no globals. */
  const fallback = remembering(
    loadArgon2i({
      loadSodium: () => {
        throw new Error("no prebuild for this platform");
      },
    }),
  );

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
    const plaintext = await decryptKeyfileData(coldkey, PASSWORD, "coldkey", { argon2i: native });
    const nonce = coldkey.subarray(5, 29);
    const written = await encryptKeyfileData(plaintext, PASSWORD, nonce, { argon2i: native });
    assert.equal(Buffer.compare(Buffer.from(written), Buffer.from(coldkey)), 0);
  });

  it("derives the same key with libsodium (now) and hash-wasm (before, and the fallback): the key python3-nacl derives", async () => {
    assert.equal(native.backend, "libsodium");
    assert.equal(fallback.backend, "hash-wasm");
    assert.equal(hex(await deriveKeyfileKey(PASSWORD, native)), PASSWORD_KEY);
    assert.equal(hex(await deriveKeyfileKey(PASSWORD, fallback)), PASSWORD_KEY);
  });

  it("old and new backends write the same bytes and open each other's files", async () => {
    const wasm = fallback;
    const plaintext = await decryptKeyfileData(coldkey, PASSWORD, "coldkey", { argon2i: wasm });
    const nonce = coldkey.subarray(5, 29);
    const byWasm = await encryptKeyfileData(plaintext, PASSWORD, nonce, { argon2i: wasm });
    const byNative = await encryptKeyfileData(plaintext, PASSWORD, nonce, { argon2i: native });
    assert.equal(hex(byWasm), hex(coldkey), "hash-wasm rewrites the reference file byte for byte");
    assert.equal(hex(byNative), hex(coldkey), "libsodium rewrites the reference file byte for byte");
    const fresh = await encryptKeyfileData(plaintext, PASSWORD, undefined, { argon2i: wasm });
    assert.equal(hex(await decryptKeyfileData(fresh, PASSWORD, "coldkey", { argon2i: native })), hex(plaintext), "a file written before (hash-wasm) opens now");
    const freshNative = await encryptKeyfileData(plaintext, PASSWORD, undefined, { argon2i: native });
    assert.equal(hex(await decryptKeyfileData(freshNative, PASSWORD, "coldkey", { argon2i: wasm })), hex(plaintext), "a file written now opens on the fallback");
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
