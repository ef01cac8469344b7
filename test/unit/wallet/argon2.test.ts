import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Argon2Error, hashWasmArgon2i, libsodiumArgon2i, loadArgon2i, type SodiumPwhash } from "../../../src/wallet/argon2.js";

const SMALL = { salt: new Uint8Array(16).fill(7), opslimit: 3, memlimitBytes: 64 * 1024, length: 32 };
const PASSWORD = new TextEncoder().encode("password");
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

describe("Argon2i backends", { timeout: 60_000 }, () => {
  it("loads libsodium's Argon2i from sodium-native's prebuilt binary", () => {
    const argon2i = loadArgon2i();
    assert.equal(argon2i.backend, "libsodium", argon2i.fallbackReason);
    assert.equal(argon2i.fallbackReason, undefined);
  });

  it("falls back to hash-wasm, saying why, when sodium-native does not load", () => {
    const missing = loadArgon2i({
      loadSodium: () => {
        throw new Error("No addon found for linux-riscv64\nsearched: …");
      },
    });
    assert.equal(missing.backend, "hash-wasm");
    assert.equal(missing.fallbackReason, "sodium-native did not load: No addon found for linux-riscv64");
    const odd = loadArgon2i({ loadSodium: () => ({}) });
    assert.equal(odd.backend, "hash-wasm");
    assert.equal(odd.fallbackReason, "sodium-native has no crypto_pwhash_async");
  });

  it("gives the same bytes from libsodium and hash-wasm (small limits; the keyfile's own are in keyfile.test.ts)", async () => {
    const native = await loadArgon2i().derive(PASSWORD, SMALL);
    const wasm = await hashWasmArgon2i().derive(PASSWORD, SMALL);
    assert.equal(native.length, 32);
    assert.equal(hex(native), hex(wasm));
    assert.notEqual(hex(await loadArgon2i().derive(new TextEncoder().encode("passwore"), SMALL)), hex(native));
  });

  it("reports a failed derivation as a coded Argon2Error", async () => {
    const failing: SodiumPwhash = { crypto_pwhash_async: () => Promise.reject(new Error("out of memory")) };
    await assert.rejects(libsodiumArgon2i(failing).derive(PASSWORD, SMALL), (e: unknown) => e instanceof Argon2Error && e.code === "ARGON2_FAILED" && e.message === "Argon2i (libsodium) failed: out of memory");
  });
});
