import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TypeRegistry } from "@polkadot/types";
import { blake2AsHex } from "@polkadot/util-crypto";
import { commitHash, randomSalt, toU16Weights } from "../../../src/chain/weights.js";
import { formatTao, parseTao } from "../../../src/chain/units.js";
import { encodeIp } from "../../../src/chain/operations.js";
import { blocksLeft } from "../../../src/chain/reads.js";

describe("weights as subtensor takes them", () => {
  it("max-upscales to u16 so the largest weight is 65535, rounding, and leaves zeros out", () => {
    assert.deepEqual(toU16Weights([0, 1, 2, 3], [0.5, 0.25, 0, 1e-9]), { uids: [0, 1], values: [65535, 32768] });
    assert.deepEqual(toU16Weights([7], [3]), { uids: [7], values: [65535] });
  });

  it("refuses what the chain would refuse or store as nothing", () => {
    const message = (f: () => unknown): string => {
      try {
        f();
      } catch (error) {
        return (error as Error).message;
      }
      return "no error";
    };
    assert.equal(message(() => toU16Weights([0, 1], [1])), "2 uids but 1 weights: give one weight per uid");
    assert.equal(message(() => toU16Weights([1, 1], [1, 2])), "uid 1 is given twice");
    assert.equal(message(() => toU16Weights([0], [-1])), "weight -1 is not a finite number ≥ 0");
    assert.equal(message(() => toU16Weights([0, 1], [0, 0])), "every weight is 0; give at least one positive weight");
    assert.equal(message(() => toU16Weights([70000], [1])), "uid 70000 is not an integer in 0..65535");
  });

  it("hashes a commit exactly as SCALE (AccountId32, u16, Vec<u16>, Vec<u16>, Vec<u16>, u64) under blake2b-256", () => {
    const hotkey = new Uint8Array(32).map((_, i) => i + 1);
    const weights = { uids: [1, 2, 300], values: [65535, 21845, 7] };
    const salt = [9, 8, 7, 6, 5, 4, 3, 2];
    const reference = new TypeRegistry().createType("(AccountId32, u16, Vec<u16>, Vec<u16>, Vec<u16>, u64)", [hotkey, 3, weights.uids, weights.values, salt, 10002000n]).toU8a();
    assert.equal(commitHash(hotkey, 3, weights, salt, 10002000n), blake2AsHex(reference, 256));
  });

  it("draws a fresh salt of u16 values each time", () => {
    const [a, b] = [randomSalt(), randomSalt()];
    assert.equal(a.length, 8);
    assert.ok(a.every((v) => Number.isInteger(v) && v >= 0 && v <= 65535));
    assert.notDeepEqual(a, b);
  });
});

describe("TAO amounts", () => {
  it("parse exactly, with at most 9 decimals", () => {
    assert.equal(parseTao("1.5"), 1_500_000_000n);
    assert.equal(parseTao("0.000000001"), 1n);
    assert.equal(parseTao("21000000"), 21_000_000_000_000_000n);
    for (const bad of ["-1", "1.2.3", "1e3", "", "0.0000000001", "abc"]) assert.throws(() => parseTao(bad, "--amount"), /--amount: ".*" is not an amount of TAO/);
  });

  it("format exactly, trailing zeros dropped, optionally cut to fewer decimals", () => {
    assert.equal(formatTao(1_500_000_000n), "1.5");
    assert.equal(formatTao(1n), "0.000000001");
    assert.equal(formatTao(1_240_712_345n, 4), "1.2407");
    assert.equal(formatTao(1000n * 1_000_000_000n), "1000");
  });
});

describe("axon addresses", () => {
  it("encode IPv4 and IPv6 as serve_axon takes them", () => {
    assert.deepEqual(encodeIp("127.0.0.2"), { ip: 0x7f000002n, ipType: 4 });
    assert.deepEqual(encodeIp("10.1.2.3"), { ip: (10n << 24n) | (1n << 16n) | (2n << 8n) | 3n, ipType: 4 });
    assert.deepEqual(encodeIp("2001:db8::1"), { ip: (0x2001n << 112n) | (0xdb8n << 96n) | 1n, ipType: 6 });
  });

  it("refuse what HEAD refuses, saying what to use instead", () => {
    assert.throws(() => encodeIp("127.0.0.1"), /refuses 127\.0\.0\.1 .* use 127\.0\.0\.2 and up/);
    assert.throws(() => encodeIp("::1"), /refuses ::1/);
    assert.throws(() => encodeIp("300.1.1.1"), /not an IPv4 address/);
    assert.throws(() => encodeIp("localhost"), /not an IPv4 or IPv6 address/);
  });
});

describe("rate limits counted in blocks", () => {
  it("hold for `limit` blocks after the last use, and never before the first", () => {
    assert.equal(blocksLeft(0n, 100n, 5n), 0n);
    assert.equal(blocksLeft(10n, 100n, 11n), 99n);
    assert.equal(blocksLeft(10n, 100n, 110n), 0n);
    assert.equal(blocksLeft(10n, 0n, 11n), 0n);
  });
});
