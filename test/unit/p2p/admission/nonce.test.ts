import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isCanonicalNonceHex, NONCE_BYTES, nonceToHex } from "../../../../src/p2p/admission/nonce.js";
import { ReplayCacheError } from "../../../../src/p2p/admission/errors.js";

const badNonce = (error: unknown): boolean => error instanceof ReplayCacheError && error.code === "BAD_NONCE";

describe("nonces", () => {
  it("are 16 bytes, and give the same canonical hex as bytes, hex, 0x-hex or upper case", () => {
    assert.equal(NONCE_BYTES, 16);
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
    const canonical = "00112233445566778899aabbccddeeff";
    assert.equal(nonceToHex(bytes), canonical);
    assert.equal(nonceToHex(canonical), canonical);
    assert.equal(nonceToHex(`0x${canonical.toUpperCase()}`), canonical);
    assert.ok(isCanonicalNonceHex(canonical));
    assert.ok(!isCanonicalNonceHex(canonical.toUpperCase()));
  });

  it("read only their own bytes out of a view into a larger buffer", () => {
    const backing = new Uint8Array(40).fill(0xee);
    backing.fill(0x01, 8, 24);
    assert.equal(nonceToHex(backing.subarray(8, 24)), "01".repeat(16));
  });

  it("refuse any other length or non-hex text", () => {
    assert.throws(() => nonceToHex(new Uint8Array(15)), badNonce);
    assert.throws(() => nonceToHex(new Uint8Array(17)), badNonce);
    assert.throws(() => nonceToHex("00".repeat(15)), badNonce);
    assert.throws(() => nonceToHex("zz".repeat(16)), badNonce);
    assert.throws(() => nonceToHex(""), badNonce);
  });
});
