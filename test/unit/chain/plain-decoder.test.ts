import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { addressBook } from "../../../src/chain/address-book.js";
import { ChainError } from "../../../src/chain/errors.js";
import { decodePlain, runtimeApiOutput } from "../../../src/chain/plain-decoder.js";
import { realRegistry } from "../../helpers/real-chain.js";

const ALICE = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

describe("SCALE answers decoded to plain values from the chain's own registry (real spec 343 metadata)", () => {
  const registry = realRegistry();
  const output = runtimeApiOutput(registry, "SubnetInfoRuntimeApi", "get_metagraph")!;
  const metagraphType = registry.lookup.getSiType(output).params[0]!.type.unwrap().toNumber();
  const encoded = registry
    .createType(registry.lookup.getTypeDef(output).type, {
      netuid: 7,
      hotkeys: [ALICE],
      alphaStake: [2n ** 40n],
      consensus: [65_535],
      active: [true],
      axons: [{ block: 9, version: 3, ip: (127 << 24) + 1, port: 8091, ipType: 4, protocol: 1 }],
      identity: { subnetName: "ocr" },
      maxDifficulty: 2n ** 62n,
    })
    .toU8a();

  it("finds a runtime API's output type in the metadata, and nothing for a method it lacks", () => {
    assert.equal(registry.lookup.getTypeDef(output).type, "Option<PalletSubtensorRpcInfoMetagraph>");
    assert.equal(runtimeApiOutput(registry, "SubnetInfoRuntimeApi", "get_nothing"), undefined);
  });

  it("gives numbers, bigints for 64-bit and wider, addresses for account ids, byte arrays, null for None, camelCase fields", () => {
    const m = decodePlain(registry, output, encoded) as Record<string, unknown>;
    assert.equal(m["netuid"], 7);
    assert.deepEqual(m["alphaStake"], [2n ** 40n]);
    assert.equal(m["maxDifficulty"], 2n ** 62n);
    assert.deepEqual(m["consensus"], [65_535]);
    assert.deepEqual(m["active"], [true]);
    assert.deepEqual(m["hotkeys"], [ALICE], "an AccountId32 as its address");
    assert.deepEqual(m["axons"], [{ block: 9n, version: 3, ip: 2_130_706_433n, port: 8091, ipType: 4, protocol: 1, placeholder1: 0, placeholder2: 0 }]);
    assert.deepEqual((m["identity"] as Record<string, Uint8Array>)["subnetName"], new TextEncoder().encode("ocr"));
    assert.equal(decodePlain(registry, output, Uint8Array.of(0)), null, "None");
  });

  it("decodes only the fields asked for, reading past the others (identity, tuples, bytes, compacts)", () => {
    const full = decodePlain(registry, output, encoded) as Record<string, unknown>;
    const fields = ["netuid", "hotkeys", "axons", "maxDifficulty", "alphaStake"];
    const some = decodePlain(registry, output, encoded, { fields }) as Record<string, unknown>;
    assert.deepEqual(some, Object.fromEntries(fields.map((f) => [f, full[f]])));
    assert.equal(decodePlain(registry, output, Uint8Array.of(0), { fields }), null, "None");
    assert.throws(() => decodePlain(registry, output, encoded.subarray(0, encoded.length - 1), { fields }), /ended early/, "a skipped field cut short is still refused");
  });

  it("copies bytes out of the answer, so a pooled buffer reused later changes nothing", () => {
    const input = Buffer.from(encoded); // a Buffer's own slice would be a view
    const m = decodePlain(registry, output, input) as { identity: { subnetName: Uint8Array } };
    input.fill(0);
    assert.deepEqual(m.identity.subnetName, new TextEncoder().encode("ocr"));
  });

  it("reads 64- and 128-bit numbers exactly on both sides of 2^53", () => {
    const primitive = (name: string): number => registry.lookup.types.find((t) => t.type.def.isPrimitive && t.type.def.asPrimitive.type === name)!.id.toNumber();
    for (const value of [0n, 1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 63n + 5n, 2n ** 64n - 1n]) {
      assert.equal(decodePlain(registry, primitive("U64"), registry.createType("u64", value).toU8a()), value);
    }
    for (const value of [7n, 2n ** 64n, 2n ** 100n + 3n, 2n ** 128n - 1n]) {
      assert.equal(decodePlain(registry, primitive("U128"), registry.createType("u128", value).toU8a()), value);
    }
  });

  it("refuses an answer cut short, one with bytes left over, an unknown variant and an impossible length", () => {
    const refused = (bytes: Uint8Array, message: RegExp): void =>
      assert.throws(() => decodePlain(registry, output, bytes), (e: unknown) => e instanceof ChainError && e.code === "CHAIN_UNDECODABLE" && /^the chain's answer does not decode with its own metadata as Option<PalletSubtensorRpcInfoMetagraph>: it /.test(e.message) && message.test(e.message));
    refused(encoded.subarray(0, encoded.length - 1), /ended early/);
    refused(Uint8Array.from([...encoded, 0]), /1 bytes more than the type holds/);
    refused(Uint8Array.of(2), /variant 2 of Option, which the metadata does not list/);
    // Some, netuid 7 (compact), then `name` claiming 2^28 items in a handful of bytes.
    refused(Uint8Array.of(1, 7 << 2, 0x02, 0, 0, 0x40), /a length \(268435456\) longer than what is left/);
    assert.equal(decodePlain(registry, metagraphType, encoded.subarray(1)) !== null, true, "the struct alone, without its Option");
  });
});

describe("an address book", () => {
  it("encodes an account id once per format and gives the same text every time", () => {
    const book = addressBook(42);
    const alice = new Uint8Array(32);
    alice.set(Buffer.from("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d", "hex"));
    assert.equal(book(alice), ALICE);
    assert.equal(book(alice.slice()), ALICE);
    assert.notEqual(addressBook(0)(alice), ALICE, "Polkadot's prefix gives another text");
    const inside = new Uint8Array(40);
    inside.set(alice, 5);
    assert.equal(book(inside, 5), ALICE, "an id inside a larger buffer, at its offset");
    assert.throws(() => book(inside, 9), RangeError, "fewer than 32 bytes left");
  });
});
