import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Keyring } from "@polkadot/api";
import { hexToU8a, u8aToHex } from "@polkadot/util";
import { encodeAddress } from "@polkadot/util-crypto";
import { loadMetagraph } from "../../../src/chain/metagraph.js";
import { MetagraphCache } from "../../../src/chain/metagraph-cache.js";
import { decodePlain, runtimeApiOutput } from "../../../src/chain/plain-decoder.js";
import { includeManually, startDevnet, subtensorCalls, type TestDevnet } from "../../helpers/devnet.js";

const TAO = 1_000_000_000n;

describe("the metagraph of a subnet, in one runtime-API round trip", { timeout: 90_000 }, () => {
  let net: TestDevnet;
  let netuid = 0;
  const keyring = new Keyring({ type: "sr25519" });
  const owner = keyring.addFromUri("//Alice//mg-owner");
  const validator = keyring.addFromUri("//Bob//mg-validator");
  const miner = keyring.addFromUri("//Charlie//mg-miner");
  const { tx, admin, query, ok } = subtensorCalls(() => net);

  before(async () => {
    net = await startDevnet({ blockTime: { mode: "manual" }, devRpc: true });
    const registered = await includeManually(net, tx("registerNetwork")(owner.address), net.alice);
    netuid = Number(registered.events.find(({ event }) => event.method === "NetworkAdded")!.event.data[0]!.toString());
    await ok(tx("startCall")(netuid), net.alice);
    await ok(admin("sudoSetCommitRevealWeightsEnabled")(netuid, false), net.alice);
    await ok(tx("burnedRegister")(netuid, validator.address), net.bob);
    await ok(tx("burnedRegister")(netuid, miner.address), net.charlie);
    await ok(tx("addStake")(validator.address, netuid, 50n * TAO), net.bob);
    await ok(tx("serveAxon")(netuid, 3, (127 << 24) + 2, 8091, 4, 1, 0, 0), miner);
    await net.node.newBlocks(12); // an epoch: permits
    await ok(tx("setWeights")(netuid, [2], [1], 0), validator);
    await net.node.newBlocks(12); // an epoch with weights
  });
  after(async () => {
    await net?.close();
  });

  it("types every uid's row as the chain stores it", async () => {
    const m = await loadMetagraph(net.api, netuid, { withWeights: true });
    assert.ok(m);
    assert.equal(m.ownerHotkey, owner.address);
    assert.deepEqual(m.neurons.map((n) => n.hotkey), [owner.address, validator.address, miner.address]);
    assert.deepEqual(m.neurons.map((n) => n.coldkey), [net.alice.address, net.bob.address, net.charlie.address]);
    const stakeOf = async (hk: string): Promise<bigint> => BigInt((await query("totalHotkeyAlpha")(hk, netuid)).toString());
    for (const n of m.neurons) assert.equal(n.stake, await stakeOf(n.hotkey), `stake of uid ${n.uid}`);
    assert.deepEqual(m.neurons[2]!.axon, { ip: "127.0.0.2", port: 8091, ipType: 4, protocol: 1, version: 3, block: m.neurons[2]!.axon!.block });
    assert.equal(m.neurons[0]!.axon, null);
    assert.equal(m.neurons[1]!.validatorPermit, true);
    assert.deepEqual(m.neurons[1]!.weights, [[2, 65535]]);
    assert.ok(m.neurons[2]!.incentive > 0 && m.neurons[2]!.emission > 0n, "the weighted miner earned");
    assert.deepEqual(m.neurons.map((n) => n.validatorTrust), ((await query("validatorTrust")(netuid)).toJSON() as number[]));
    assert.deepEqual(m.neurons.map((n) => n.incentive), ((await query("incentive")(netuid)).toJSON() as number[]));
  });

  it("decodes the runtime API's answer as @polkadot/types does, value for value", async () => {
    const answer = await net.api.rpc.state.call("SubnetInfoRuntimeApi_get_metagraph", u8aToHex(Uint8Array.of(netuid, 0)));
    const output = runtimeApiOutput(net.api.registry, "SubnetInfoRuntimeApi", "get_metagraph");
    assert.ok(output !== undefined);
    const plain = decodePlain(net.api.registry, output, answer.toU8a(true));
    const codec = net.api.registry.createType(net.api.registry.lookup.getTypeDef(output).type, answer.toU8a(true));
    // Both as JSON alike: account ids as addresses, wide numbers (hex in toJSON) as decimal text.
    const wide = (x: bigint): number | string => (x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x.toString());
    const same = (v: unknown): unknown => {
      if (v instanceof Uint8Array) return v.length === 32 ? encodeAddress(v, 42) : same(u8aToHex(v));
      if (typeof v === "bigint") return wide(v);
      if (typeof v === "string" && /^0x[0-9a-f]+$/.test(v) && v.length !== 66) return wide(BigInt(v));
      if (Array.isArray(v)) return v.map(same);
      if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, same(x)]));
      return v;
    };
    assert.deepEqual(same(plain), same(codec.toJSON()));
  });

  it("reads the metagraph at an earlier block as it was then, trust included", async () => {
    const hash = (await net.api.rpc.chain.getBlockHash()).toHex();
    const then = await loadMetagraph(net.api, netuid);
    await ok(tx("addStake")(validator.address, netuid, 5n * TAO), net.bob);
    await net.node.newBlocks(12); // an epoch: trust, incentive and stake move on
    const { registry } = await net.api.getBlockRegistry(hexToU8a(hash));
    const at = await loadMetagraph(net.api, netuid, { at: { hash, registry } });
    assert.deepEqual(at, then);
    assert.notDeepEqual(await loadMetagraph(net.api, netuid), then, "the chain moved on meanwhile");
  });

  it("answers undefined for a subnet that does not exist", async () => {
    assert.equal(await loadMetagraph(net.api, 99), undefined);
  });

  it("is loaded once for every daemon of a process: shared while loading, reused while young", async () => {
    let now = 1_000;
    const cache = new MetagraphCache(net.api, netuid, { maxAgeMs: 500, now: () => now });
    const [a, b, c] = await Promise.all([cache.get(), cache.get(), cache.get()]);
    assert.equal(cache.loads, 1);
    assert.ok(a && a === b && b === c);
    now += 499;
    assert.equal(await cache.get(), a);
    assert.equal(cache.loads, 1);
    now += 1;
    await net.node.newBlocks(1);
    const fresh = await cache.get();
    assert.equal(cache.loads, 2);
    assert.ok(fresh && fresh.block > a.block);
  });
});
