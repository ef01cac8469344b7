import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TypeRegistry } from "@polkadot/types";
import { u8aToHex } from "@polkadot/util";
import { ScaleDecodeError, ScaleReader, ScaleWriter } from "../../../src/devnet/codec/scale.js";
import { prng } from "../../../src/util/prng.js";

const registry = new TypeRegistry();

describe("SCALE writer and reader", () => {
  it("encode compact integers exactly as @polkadot/types does, at every width boundary", () => {
    const values = [0n, 1n, 63n, 64n, 16383n, 16384n, (1n << 30n) - 1n, 1n << 30n, (1n << 32n) - 1n, 1n << 32n, (1n << 64n) - 1n, (1n << 128n) - 1n];
    const random = prng(5);
    for (let i = 0; i < 200; i++) values.push(BigInt(Math.floor(random() * 2 ** 52)) << BigInt(Math.floor(random() * 70)));
    for (const v of values) {
      const ours = new ScaleWriter().compact(v).finish();
      assert.equal(u8aToHex(ours), u8aToHex(registry.createType("Compact<u128>", v).toU8a()), `compact ${v}`);
      assert.equal(new ScaleReader(ours).compact(), v);
    }
  });

  it("round-trips fixed-width integers, bools, bytes, vectors and options", () => {
    const w = new ScaleWriter(1)
      .u8(255)
      .u16(65535)
      .u32(4294967295)
      .u64((1n << 64n) - 1n)
      .u128((1n << 128n) - 2n)
      .i64(-5n)
      .bool(true)
      .bytes(Uint8Array.of(1, 2, 3))
      .vec([7, 8], (w, x) => w.u16(x))
      .option(undefined, (w, x: number) => w.u8(x))
      .option(9, (w, x) => w.u8(x));
    const r = new ScaleReader(w.finish());
    assert.equal(r.u8(), 255);
    assert.equal(r.u16(), 65535);
    assert.equal(r.u32(), 4294967295);
    assert.equal(r.u64(), (1n << 64n) - 1n);
    assert.equal(r.u128(), (1n << 128n) - 2n);
    assert.equal(r.i64(), -5n);
    assert.equal(r.bool(), true);
    assert.deepEqual([...r.bytes()], [1, 2, 3]);
    assert.equal(r.compactNumber(), 2);
    assert.deepEqual([r.u16(), r.u16()], [7, 8]);
    assert.equal(r.u8(), 0);
    assert.deepEqual([r.u8(), r.u8()], [1, 9]);
    assert.equal(r.remaining, 0);
  });

  it("names what it was reading when the input ends early, and refuses invalid bools", () => {
    assert.throws(() => new ScaleReader(Uint8Array.of(1, 2)).u32(), (e: unknown) => e instanceof ScaleDecodeError && /reading u32 at byte 0/.test(e.message));
    assert.throws(() => new ScaleReader(Uint8Array.of(0x10)).bytes(), ScaleDecodeError);
    assert.throws(() => new ScaleReader(Uint8Array.of(2)).bool(), /invalid bool/);
    assert.throws(() => new ScaleReader(new Uint8Array()).compact(), ScaleDecodeError);
  });
});
