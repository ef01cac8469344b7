/**
 * Metagraph's identity fields, which no devnet call can write yet: with a SubnetIdentitiesV3 and an
 * IdentitiesV2 entry put straight into state, the subnet's name is the identity's subnet_name and
 * both identities are copied as stored — read back with the real spec-343 Metagraph type.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StateReader } from "../../../src/devnet/state/overlay.js";
import { METAGRAPH, readMetagraph } from "../../../src/devnet/runtime/pallets/subtensor/rpc-info/metagraph.js";
import { encodeOption } from "../../../src/devnet/runtime/pallets/subtensor/rpc-info/struct.js";
import type { ValueCodec } from "../../../src/devnet/runtime/pallets/subtensor/codecs.js";
import { byAccount, byNetuid, S } from "../../../src/devnet/runtime/pallets/subtensor/storage.js";
import { realChain } from "../../helpers/runtime-apis.js";

class MapState implements StateReader {
  readonly #entries = new Map<string, Uint8Array>();
  get(key: string): Uint8Array | undefined {
    return this.#entries.get(key);
  }
  set(key: string, value: Uint8Array): void {
    this.#entries.set(key, value);
  }
  delete(key: string): void {
    this.#entries.delete(key);
  }
  *keysWithPrefix(prefix: string): Iterable<string> {
    for (const key of this.#entries.keys()) if (key.startsWith(prefix)) yield key;
  }
}

const encoded: ValueCodec<Uint8Array> = { encode: (v) => v, decode: (b) => b };

describe("Metagraph identities", () => {
  const real = realChain();
  const netuid = 5;
  const hotkey = new Uint8Array(32).fill(1);
  const coldkey = new Uint8Array(32).fill(2);

  const stateWith = (subnetName: string): MapState => {
    const state = new MapState();
    S.NetworksAdded.set(state, netuid, true);
    S.SubnetworkN.set(state, netuid, 1);
    S.Keys.set(state, netuid, 0, hotkey);
    S.Owner.set(state, hotkey, coldkey);
    const subnetIdentity = real.registry.createType("PalletSubtensorSubnetIdentityV3", { subnetName, githubRepo: "https://github.com/x/y", logoUrl: "l" });
    byNetuid("SubnetIdentitiesV3", encoded).set(state, netuid, subnetIdentity.toU8a());
    const chainIdentity = real.registry.createType("PalletSubtensorChainIdentityV2", { name: "bob", url: "u", description: "d" });
    byAccount("IdentitiesV2", encoded).set(state, coldkey, chainIdentity.toU8a());
    return state;
  };
  const decode343 = (state: StateReader): Record<string, unknown> => {
    const bytes = encodeOption(METAGRAPH, readMetagraph(state, netuid));
    const decoded = real.registry.createType(real.outputOf("SubnetInfoRuntimeApi", "get_metagraph"), bytes);
    assert.equal(decoded.encodedLength, bytes.length);
    return decoded.toJSON() as Record<string, unknown>;
  };
  const text = (value: unknown): string => new TextDecoder().decode(Uint8Array.from(value as number[]));

  it("names the subnet after its identity and copies both identities as stored", () => {
    const m = decode343(stateWith("my subnet"));
    assert.equal(text(m.name), "my subnet");
    assert.deepEqual(
      [(m.identity as Record<string, string>).subnetName, (m.identity as Record<string, string>).githubRepo],
      [`0x${Buffer.from("my subnet").toString("hex")}`, `0x${Buffer.from("https://github.com/x/y").toString("hex")}`],
    );
    const [identity] = m.identities as Record<string, string>[];
    assert.equal(identity!.name, `0x${Buffer.from("bob").toString("hex")}`);
  });

  it("falls back to the devnet's name for the netuid (subnet-<netuid>) when the identity's name is empty, and None without identities", () => {
    assert.equal(text(decode343(stateWith("")).name), `subnet-${netuid}`);
    const bare = new MapState();
    S.NetworksAdded.set(bare, netuid, true);
    const m = decode343(bare);
    assert.equal(text(m.name), `subnet-${netuid}`);
    assert.equal(m.identity, null);
    assert.deepEqual(m.identities, []);
  });
});
