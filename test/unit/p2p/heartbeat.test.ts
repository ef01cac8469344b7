/**
 * Heartbeat validation (src/p2p/heartbeat.ts): what a node's gossipsub topic validator accepts, and
 * the one reason it gives for each heartbeat it rejects (a rejection costs the forwarding peer
 * gossipsub score). The wire layout is in docs/protocol.md.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { encodeAddress } from "@polkadot/util-crypto";
import { HotkeyDirectory } from "../../../src/p2p/directory.js";
import { checkHeartbeat, decodeHeartbeat, encodeHeartbeat, HEARTBEAT_DOMAIN, heartbeatTopic, signHeartbeat, type Heartbeat, type HeartbeatBody, type HeartbeatCheck } from "../../../src/p2p/heartbeat.js";
import { encodeBinding, signBinding, type BindingClaim, type HotkeyBinding } from "../../../src/p2p/identity.js";
import { sr25519Ready, sr25519SignerFromSeed, verifySr25519, type Sr25519Signer } from "../../../src/util/sr25519.js";

const seed = (n: number): Uint8Array => new Uint8Array(32).fill(n);
const NOW = 1_700_000_000_000;
const GENESIS = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
const NETUID = 3;
const PEER = "12D3KooWGzBHbTf6Gk7yd1Kp9Rj6CpUXqB1Xn3wzUMwEfD8QnX4p";
const OTHER_PEER = "12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE";
const MAX_AGE = 30_000;

describe("heartbeats", () => {
  let hotkey: Sr25519Signer;
  let stranger: Sr25519Signer;
  const directory = new HotkeyDirectory();
  const check = (overrides: Partial<HeartbeatCheck> = {}): HeartbeatCheck => ({ nowMs: NOW, genesisHash: GENESIS, netuid: NETUID, maxAgeMs: MAX_AGE, directory, ...overrides });

  const binding = (key: Sr25519Signer, overrides: Partial<BindingClaim> = {}): HotkeyBinding =>
    signBinding({ peerId: PEER, hotkey: key.publicKey, netuid: NETUID, genesisHash: GENESIS, addresses: ["/ip4/127.0.0.1/tcp/30333"], expiresAtMs: BigInt(NOW + 3_600_000), ...overrides }, key);
  const body = (key: Sr25519Signer, overrides: Partial<HeartbeatBody> = {}): HeartbeatBody => ({
    binding: binding(key),
    plugin: "tiny",
    pluginVersion: "1.0.0",
    models: ["tiny-mlp", "ocr-small"],
    capacity: 8,
    load: 1,
    timestampMs: BigInt(NOW),
    ...overrides,
  });
  const beat = (key: Sr25519Signer, overrides: Partial<HeartbeatBody> = {}): Heartbeat => signHeartbeat(body(key, overrides), key);
  const problem = (data: Uint8Array, origin: string | undefined, overrides: Partial<HeartbeatCheck> = {}): string | undefined => {
    const result = checkHeartbeat(data, origin, check(overrides));
    return "problem" in result ? result.problem : undefined;
  };

  before(async () => {
    await sr25519Ready();
    hotkey = sr25519SignerFromSeed(seed(1));
    stranger = sr25519SignerFromSeed(seed(2));
    directory.update([{ uid: 0, hotkey: encodeAddress(hotkey.publicKey, 42), stake: 1_000_000_000n, validatorPermit: false, axon: null }]);
  });

  it("go on a per-chain, per-subnet topic: /tensornode/<first 8 genesis bytes, hex>/subnet/<netuid>/heartbeat/1", () => {
    assert.equal(heartbeatTopic(GENESIS, NETUID), "/tensornode/01080f161d242b32/subnet/3/heartbeat/1");
    assert.equal(heartbeatTopic(new Uint8Array(32).fill(0xff), 65535), "/tensornode/ffffffffffffffff/subnet/65535/heartbeat/1");
    assert.notEqual(heartbeatTopic(GENESIS, 1), heartbeatTopic(GENESIS, 2));
  });

  it("round-trip through the wire format, laid out as docs/protocol.md says, signed over the domain tag and the body", () => {
    const heartbeat = beat(hotkey);
    const bytes = encodeHeartbeat(heartbeat);
    assert.deepEqual(decodeHeartbeat(bytes), heartbeat);
    const b = encodeBinding(heartbeat.binding);
    const text = (s: string): number[] => [s.length, ...new TextEncoder().encode(s)];
    const expected = [
      b.length & 0xff,
      b.length >> 8, // u16 LE
      ...b,
      ...text("tiny"),
      ...text("1.0.0"),
      2,
      ...text("tiny-mlp"),
      ...text("ocr-small"),
      8,
      0,
      0,
      0, // capacity u32 LE
      1,
      0,
      0,
      0, // load u32 LE
      ...new Uint8Array(new BigUint64Array([BigInt(NOW)]).buffer), // timestamp u64 LE (this machine is little-endian)
      ...heartbeat.signature,
    ];
    assert.deepEqual([...bytes], expected);
    assert.ok(verifySr25519(heartbeat.signature, Uint8Array.from([...HEARTBEAT_DOMAIN, ...expected.slice(0, -64)]), hotkey.publicKey));
  });

  it("accept a good heartbeat from its own peer and a registered hotkey", () => {
    const heartbeat = beat(hotkey);
    const result = checkHeartbeat(encodeHeartbeat(heartbeat), PEER, check());
    assert.ok("heartbeat" in result, "problem" in result ? result.problem : "");
    assert.deepEqual(result.heartbeat, heartbeat);
    // At the edges of the freshness window, both ways.
    assert.equal(problem(encodeHeartbeat(beat(hotkey, { timestampMs: BigInt(NOW - MAX_AGE) })), PEER), undefined);
    assert.equal(problem(encodeHeartbeat(beat(hotkey, { timestampMs: BigInt(NOW + MAX_AGE) })), PEER), undefined);
  });

  it('"malformed": garbage, truncated, trailing bytes, a broken binding inside', () => {
    const bytes = encodeHeartbeat(beat(hotkey));
    assert.equal(problem(new Uint8Array(0), PEER), "malformed");
    assert.equal(problem(new Uint8Array([1, 2, 3, 4, 5]), PEER), "malformed");
    assert.equal(problem(bytes.subarray(0, bytes.length - 1), PEER), "malformed");
    assert.equal(problem(new Uint8Array([...bytes, 0]), PEER), "malformed");
    const badBindingVersion = bytes.slice();
    badBindingVersion[2] = 9; // the binding's version byte, after the u16 binding length
    assert.equal(problem(badBindingVersion, PEER), "malformed");
  });

  it('"signature": a field changed after signing, or signed by another key than the binding\'s hotkey', () => {
    const heartbeat = beat(hotkey);
    for (const altered of [{ ...heartbeat, load: 0 }, { ...heartbeat, capacity: 1000 }, { ...heartbeat, models: [] }, { ...heartbeat, timestampMs: heartbeat.timestampMs + 1n }, { ...heartbeat, plugin: "evil" }])
      assert.equal(problem(encodeHeartbeat(altered), PEER), "signature");
    // Another (registered) hotkey's valid binding, carried in a heartbeat the stranger signs.
    assert.equal(problem(encodeHeartbeat(signHeartbeat(body(hotkey), stranger)), PEER), "signature");
    assert.equal(problem(encodeHeartbeat({ ...heartbeat, signature: new Uint8Array(64) }), PEER), "signature");
    // The binding swapped for another one after signing (same hotkey, other addresses).
    const swapped = { ...heartbeat, binding: binding(hotkey, { addresses: ["/ip4/6.6.6.6/tcp/1"] }) };
    assert.equal(problem(encodeHeartbeat(swapped), PEER), "signature");
  });

  it('"binding": a heartbeat signed by its hotkey over a binding that does not hold (expired, other chain, other subnet, forged)', () => {
    const cases: HotkeyBinding[] = [
      binding(hotkey, { expiresAtMs: BigInt(NOW) }),
      binding(hotkey, { genesisHash: new Uint8Array(32) }),
      binding(hotkey, { netuid: NETUID + 1 }),
      { ...binding(hotkey), signature: binding(stranger).signature },
      { ...binding(hotkey), addresses: ["/ip4/6.6.6.6/tcp/1"] },
    ];
    for (const b of cases) assert.equal(problem(encodeHeartbeat(signHeartbeat(body(hotkey, { binding: b }), hotkey)), PEER), "binding");
  });

  it('"other peer": relayed on behalf of another peer than the binding names, or unsigned (no origin)', () => {
    const bytes = encodeHeartbeat(beat(hotkey));
    assert.equal(problem(bytes, OTHER_PEER), "other peer");
    assert.equal(problem(bytes, undefined), "other peer");
    // The binding names another peer than the one that published it.
    assert.equal(problem(encodeHeartbeat(beat(hotkey, { binding: binding(hotkey, { peerId: OTHER_PEER }) })), PEER), "other peer");
  });

  it('"unregistered": a well-signed heartbeat from a hotkey the metagraph does not hold', () => {
    assert.equal(problem(encodeHeartbeat(beat(stranger)), PEER), "unregistered");
    // And one that was registered, once the directory is refreshed without it.
    const empty = new HotkeyDirectory();
    assert.equal(problem(encodeHeartbeat(beat(hotkey)), PEER, { directory: empty }), "unregistered");
  });

  it('"stale": too old, or too far in the future', () => {
    assert.equal(problem(encodeHeartbeat(beat(hotkey, { timestampMs: BigInt(NOW - MAX_AGE - 1) })), PEER), "stale");
    assert.equal(problem(encodeHeartbeat(beat(hotkey, { timestampMs: BigInt(NOW + MAX_AGE + 1) })), PEER), "stale");
    assert.equal(problem(encodeHeartbeat(beat(hotkey, { timestampMs: 0n })), PEER), "stale");
    assert.equal(problem(encodeHeartbeat(beat(hotkey, { timestampMs: 0xffff_ffff_ffff_ffffn })), PEER), "stale");
    // The same heartbeat, fresh to a node whose clock is close to it.
    const old = encodeHeartbeat(beat(hotkey, { timestampMs: BigInt(NOW - 60_000) }));
    assert.equal(problem(old, PEER), "stale");
    assert.equal(problem(old, PEER, { nowMs: NOW - 60_000 }), undefined);
  });
});
