/** The devnet's own Blake2 path (straight into the Wasm build) hashes exactly as @polkadot/util-crypto does, at every length, before and after the Wasm is loaded. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { blake2AsU8a, cryptoWaitReady } from "@polkadot/util-crypto";
import { prng } from "../../../src/util/prng.js";
import { blake2_256, hashedKeyHex, keyValueDigest } from "../../../src/devnet/codec/hashing.js";

const hex = (u: Uint8Array): string => Buffer.from(u).toString("hex");

describe("devnet hashing", () => {
  it("blake2_256 and Blake2_128Concat keys equal util-crypto's, across lengths and many calls", async () => {
    await cryptoWaitReady();
    const random = prng(17);
    for (const length of [0, 1, 31, 32, 127, 128, 129, 255, 256, 1000, 8192, 70_000]) {
      const data = Uint8Array.from({ length }, () => Math.floor(random() * 256));
      assert.equal(hex(blake2_256(data)), hex(blake2AsU8a(data, 256)), `length ${length}`);
    }
    for (let k = 0; k < 3000; k++) {
      const data = Uint8Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256));
      assert.equal(hex(blake2_256(data)), hex(blake2AsU8a(data, 256)));
      const account = data.subarray(0, Math.min(32, data.length));
      assert.equal(hashedKeyHex("Blake2_128Concat", account), hex(blake2AsU8a(account, 128)) + hex(account));
      // A state entry's digest: blake2_256(key ‖ value), as 16 big-endian two-byte units.
      const key = `0x${hex(data.subarray(0, Math.min(80, data.length)))}`;
      const value = data.subarray(Math.min(80, data.length));
      const units = keyValueDigest(key, value);
      const digest = blake2AsU8a(new Uint8Array([...Buffer.from(key.slice(2), "hex"), ...value]), 256);
      assert.equal(units.length, 16);
      assert.equal(hex(Uint8Array.from({ length: 32 }, (_, i) => (units.charCodeAt(i >> 1) >> (i % 2 === 0 ? 8 : 0)) & 0xff)), hex(digest));
    }
  });
});
