import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TypeRegistry } from "@polkadot/types";
import { parseBlockTime } from "../../../src/devnet/chain/author.js";
import { decodeBlock, encodeBlock, hashHeader, type Block } from "../../../src/devnet/chain/block.js";
import { DEFAULT_GENESIS_JSON, GenesisError, genesisDigest, parseGenesis } from "../../../src/devnet/genesis.js";
import { eraBirth, eraDeath } from "../../../src/devnet/runtime/extrinsic.js";

describe("block time settings", () => {
  it("read intervals, instant and manual, and nothing else", () => {
    assert.deepEqual(parseBlockTime("1s"), { mode: "interval", ms: 1000 });
    assert.deepEqual(parseBlockTime("250ms"), { mode: "interval", ms: 250 });
    assert.deepEqual(parseBlockTime("instant"), { mode: "instant" });
    assert.deepEqual(parseBlockTime("manual"), { mode: "manual" });
    for (const bad of ["", "1", "5ms", "1.5s", "2h", "fast"]) assert.equal(parseBlockTime(bad), undefined, bad);
  });
});

describe("headers and blocks", () => {
  it("hash exactly as polkadot.js hashes a Substrate header, and round-trip through storage", () => {
    const header = { parentHash: new Uint8Array(32).fill(1), number: 70000, stateRoot: new Uint8Array(32).fill(2), extrinsicsRoot: new Uint8Array(32).fill(3), digest: [{ kind: 6 as const, engine: new TextEncoder().encode("aura"), data: new Uint8Array(8).fill(4) }] };
    const reference = new TypeRegistry().createType("Header", {
      parentHash: header.parentHash,
      number: header.number,
      stateRoot: header.stateRoot,
      extrinsicsRoot: header.extrinsicsRoot,
      digest: { logs: [{ PreRuntime: ["0x61757261", "0x" + Buffer.from(header.digest[0]!.data).toString("hex")] }] },
    });
    assert.equal(Buffer.from(hashHeader(header)).toString("hex"), reference.hash.toHex().slice(2));
    const block: Block = { header, hash: hashHeader(header), extrinsics: [Uint8Array.of(8, 4, 1), Uint8Array.of(4, 4)] };
    const back = decodeBlock(encodeBlock(block));
    assert.deepEqual(back, block);
  });
});

describe("mortal eras", () => {
  it("start at the last block of their phase and last one period", () => {
    const era = { immortal: false as const, period: 64, phase: 10 };
    assert.equal(eraBirth(era, 100), 74);
    assert.equal(eraDeath(era, 100), 138);
    assert.equal(eraBirth(era, 5), 10);
    assert.equal(eraBirth({ immortal: true }, 1234), 0);
  });
});

describe("the genesis file", () => {
  it("accepts the documented default and resolves dev keys to their public keys", () => {
    const genesis = parseGenesis(DEFAULT_GENESIS_JSON, "default");
    assert.equal(genesis.balances.length, 6);
    assert.equal(Buffer.from(genesis.sudo!).toString("hex"), "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
    assert.equal(genesisDigest(genesis), genesisDigest(parseGenesis(JSON.parse(JSON.stringify(DEFAULT_GENESIS_JSON)), "copy")));
  });

  it("names the JSON path of every mistake", () => {
    const bad = (json: unknown, pattern: RegExp) => assert.throws(() => parseGenesis(json, "g.json"), (e: unknown) => e instanceof GenesisError && pattern.test(e.message));
    bad([], /^g\.json: expected a JSON object/);
    bad({ chian: "x" }, /^g\.json: chian: unknown key/);
    bad({ balances: [["//Alice", "12x"]] }, /^g\.json: balances\[0\]\[1\]: expected a balance in rao/);
    bad({ balances: [["//Alice", "100"]] }, /below the existential deposit/);
    bad({ balances: [["nobody", "1000"]] }, /^g\.json: balances\[0\]\[0\]: "nobody" is not an SS58 address/);
    bad({ balances: [["//Alice", "1000"], ["//Alice", "1000"]] }, /balances\[1\]\[0\]: account listed twice/);
    bad({ balances: [["//Alice", "18446744073709551615"], ["//Bob", "1000"]] }, /total issuance exceeds u64/);
    bad({ properties: { ss58Format: -1 } }, /properties\.ss58Format: expected an integer/);
  });

  it("matches config/devnet-genesis.json, the documented example", async () => {
    const { readFile } = await import("node:fs/promises");
    const file = JSON.parse(await readFile(new URL("../../../config/devnet-genesis.json", import.meta.url), "utf8"));
    assert.equal(genesisDigest(parseGenesis(file, "config/devnet-genesis.json")), genesisDigest(parseGenesis(DEFAULT_GENESIS_JSON, "default")));
  });
});
