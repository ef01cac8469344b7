/**
 * Hotkey bindings (src/p2p/identity.ts): the signed claim that a libp2p peer speaks for a hotkey.
 * The wire layout is in docs/protocol.md; these tests pin the round trip, every refusal reason of
 * checkBinding, and that decoding hostile bytes throws nothing but a FrameError.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { FrameError } from "../../../src/p2p/protocol/bytes.js";
import {
  BINDING_DOMAIN,
  BINDING_VERSION,
  bindingSigningBytes,
  checkBinding,
  decodeBinding,
  encodeBinding,
  MAX_BINDING_ADDRESSES,
  signBinding,
  type BindingClaim,
  type HotkeyBinding,
} from "../../../src/p2p/identity.js";
import { prng } from "../../../src/util/prng.js";
import { sr25519Ready, sr25519SignerFromSeed, type Sr25519Signer } from "../../../src/util/sr25519.js";

const seed = (n: number): Uint8Array => new Uint8Array(32).fill(n);
const NOW = 1_700_000_000_000;
const GENESIS = new Uint8Array(32).fill(0xaa);
const NETUID = 7;
const PEER = "12D3KooWGzBHbTf6Gk7yd1Kp9Rj6CpUXqB1Xn3wzUMwEfD8QnX4p";
const expect = { nowMs: NOW, genesisHash: GENESIS, netuid: NETUID, peerId: PEER };

const isFrameError =
  (code?: string) =>
  (error: unknown): boolean =>
    error instanceof FrameError && (code === undefined || error.code === code);

describe("hotkey bindings", () => {
  let hotkey: Sr25519Signer;
  let other: Sr25519Signer;
  const claim = (overrides: Partial<BindingClaim> = {}): BindingClaim => ({
    peerId: PEER,
    hotkey: hotkey.publicKey,
    netuid: NETUID,
    genesisHash: GENESIS,
    addresses: ["/ip4/127.0.0.1/tcp/30333/p2p/" + PEER, "/ip6/::1/tcp/30333"],
    expiresAtMs: BigInt(NOW + 3_600_000),
    ...overrides,
  });
  const signed = (overrides: Partial<BindingClaim> = {}): HotkeyBinding => signBinding(claim(overrides), hotkey);

  before(async () => {
    await sr25519Ready();
    hotkey = sr25519SignerFromSeed(seed(1));
    other = sr25519SignerFromSeed(seed(2));
  });

  it("round-trip through encode and decode, field for field, and still verify", () => {
    const binding = signed();
    const decoded = decodeBinding(encodeBinding(binding));
    assert.deepEqual(decoded, binding);
    assert.equal(checkBinding(decoded, expect), undefined);
    const bare = signed({ addresses: [] });
    assert.deepEqual(decodeBinding(encodeBinding(bare)), bare);
  });

  it("lay out as docs/protocol.md says: version, peer id (u8 length), hotkey, netuid u16 LE, genesis, addresses (u16 length each), expiry u64 LE, signature", () => {
    const binding = signed({ peerId: "p", addresses: ["ab"], expiresAtMs: 0x0102030405060708n, netuid: 0x0201 });
    const bytes = encodeBinding(binding);
    const expected = [
      BINDING_VERSION,
      1,
      0x70, // "p"
      ...hotkey.publicKey,
      0x01,
      0x02, // netuid, little-endian
      ...GENESIS,
      1, // address count
      2,
      0, // address length, u16 little-endian (the address limit, 256 bytes, is not below 256)
      0x61,
      0x62,
      8,
      7,
      6,
      5,
      4,
      3,
      2,
      1, // expiry, little-endian
      ...binding.signature,
    ];
    assert.deepEqual([...bytes], expected);
    // What is signed: the domain tag, then the same bytes without the signature.
    assert.deepEqual([...bindingSigningBytes(binding)], [...BINDING_DOMAIN, ...expected.slice(0, -64)]);
  });

  it("check: a good binding holds, with or without a peer to match", () => {
    const binding = signed();
    assert.equal(checkBinding(binding, expect), undefined);
    assert.equal(checkBinding(binding, { nowMs: NOW, genesisHash: GENESIS, netuid: NETUID }), undefined);
  });

  it('check: "signature" for any field changed after signing', () => {
    const binding = signed();
    const altered: HotkeyBinding[] = [
      { ...binding, peerId: "12D3KooWsomeoneElse" },
      { ...binding, hotkey: other.publicKey },
      { ...binding, netuid: NETUID + 1 },
      { ...binding, genesisHash: new Uint8Array(32).fill(0xbb) },
      { ...binding, addresses: [...binding.addresses, "/ip4/6.6.6.6/tcp/1"] },
      { ...binding, addresses: binding.addresses.slice(1) },
      { ...binding, expiresAtMs: binding.expiresAtMs + 1n },
    ];
    for (const b of altered) assert.equal(checkBinding(b, expect), "signature");
    // A change that would otherwise be caught by a later check is still, first, a bad signature.
    assert.equal(checkBinding({ ...binding, expiresAtMs: 1n }, expect), "signature");
    // Flipping one bit of the encoding anywhere in the signed part is caught as well.
    const bytes = encodeBinding(binding);
    const flipped = bytes.slice();
    flipped[bytes.length - 64 - 1] = flipped[bytes.length - 64 - 1]! ^ 0x01; // the expiry's top byte
    assert.equal(checkBinding(decodeBinding(flipped), expect), "signature");
  });

  it('check: "signature" for a binding signed by another key than the hotkey it names, or an empty signature', () => {
    const binding = signed();
    const byOther = other.sign(bindingSigningBytes(binding));
    assert.equal(checkBinding({ ...binding, signature: byOther }, expect), "signature");
    assert.equal(checkBinding({ ...binding, signature: new Uint8Array(64) }, expect), "signature");
    assert.equal(checkBinding({ ...binding, signature: new Uint8Array(0) }, expect), "signature");
  });

  it("signBinding refuses a claim naming another hotkey than the signer's", () => {
    assert.throws(() => signBinding(claim({ hotkey: other.publicKey }), hotkey), isFrameError("BAD_FRAME"));
  });

  it('check: "expired" at and after the expiry, not before', () => {
    const binding = signed({ expiresAtMs: BigInt(NOW) });
    assert.equal(checkBinding(binding, expect), "expired");
    assert.equal(checkBinding(binding, { ...expect, nowMs: NOW + 1 }), "expired");
    assert.equal(checkBinding(binding, { ...expect, nowMs: NOW - 1 }), undefined);
  });

  it('check: "other chain", "other subnet", "other peer"', () => {
    const binding = signed();
    assert.equal(checkBinding(binding, { ...expect, genesisHash: new Uint8Array(32).fill(0xbb) }), "other chain");
    assert.equal(checkBinding(binding, { ...expect, netuid: NETUID + 1 }), "other subnet");
    assert.equal(checkBinding(binding, { ...expect, peerId: "12D3KooWsomeoneElse" }), "other peer");
    // Signed for another chain, subnet or peer by the right hotkey: the signature holds, the check does not.
    assert.equal(checkBinding(signed({ genesisHash: new Uint8Array(32).fill(0xcc) }), expect), "other chain");
    assert.equal(checkBinding(signed({ netuid: 0 }), expect), "other subnet");
    assert.equal(checkBinding(signed({ peerId: "12D3KooWsomeoneElse" }), expect), "other peer");
  });

  it("decode refuses truncated input, trailing bytes, too many addresses and an unsupported version, as FrameErrors", () => {
    const bytes = encodeBinding(signed());
    for (let length = 0; length < bytes.length; length++) assert.throws(() => decodeBinding(bytes.subarray(0, length)), isFrameError("BAD_FRAME"), `truncated to ${length}`);
    assert.throws(() => decodeBinding(new Uint8Array([...bytes, 0])), (e: unknown) => isFrameError("BAD_FRAME")(e) && /1 unexpected bytes/.test((e as Error).message));

    // The address count sits after version, peer id (u8 length + bytes), hotkey, netuid and genesis.
    const countAt = 1 + 1 + new TextEncoder().encode(PEER).length + 32 + 2 + 32;
    assert.equal(bytes[countAt], 2);
    const tooMany = bytes.slice();
    tooMany[countAt] = MAX_BINDING_ADDRESSES + 1;
    assert.throws(() => decodeBinding(tooMany), (e: unknown) => isFrameError("BAD_FRAME")(e) && /at most 16 addresses/.test((e as Error).message));
    const full = signed({ addresses: Array.from({ length: MAX_BINDING_ADDRESSES }, (_, i) => `/ip4/10.0.0.${i}/tcp/1`) });
    assert.deepEqual(decodeBinding(encodeBinding(full)), full);
    assert.throws(() => signBinding(claim({ addresses: Array.from({ length: MAX_BINDING_ADDRESSES + 1 }, () => "/ip4/10.0.0.1/tcp/1") }), hotkey), isFrameError("BAD_FRAME"));

    for (const version of [0, 2, 255]) {
      const future = bytes.slice();
      future[0] = version;
      assert.throws(() => decodeBinding(future), isFrameError("UNSUPPORTED_VERSION"), `version ${version}`);
    }
  });

  it("decode throws nothing but a FrameError on thousands of mutated, truncated, extended or random inputs", () => {
    const random = prng(20240611);
    const samples = [encodeBinding(signed()), encodeBinding(signed({ addresses: [] })), encodeBinding(signed({ peerId: "", addresses: ["x".repeat(256)] }))];
    const byte = (): number => Math.floor(random() * 256);
    let decoded = 0;
    for (let i = 0; i < 5000; i++) {
      const sample = samples[i % samples.length]!;
      let bytes: Uint8Array;
      switch (i % 4) {
        case 0: {
          // a few bytes changed
          bytes = sample.slice();
          const changes = 1 + Math.floor(random() * 4);
          for (let c = 0; c < changes; c++) bytes[Math.floor(random() * bytes.length)] = byte();
          break;
        }
        case 1:
          // truncated, then one byte changed
          bytes = sample.slice(0, Math.floor(random() * sample.length));
          if (bytes.length > 0) bytes[Math.floor(random() * bytes.length)] = byte();
          break;
        case 2:
          // extended with random bytes
          bytes = Uint8Array.from([...sample, ...Array.from({ length: 1 + Math.floor(random() * 32) }, byte)]);
          break;
        default:
          // random bytes that start like a binding
          bytes = Uint8Array.from({ length: Math.floor(random() * 200) }, byte);
          if (bytes.length > 0) bytes[0] = BINDING_VERSION;
      }
      try {
        const binding = decodeBinding(bytes);
        decoded += 1;
        // Whatever decodes must re-encode to a binding that decodes the same.
        assert.deepEqual(decodeBinding(encodeBinding(binding)), binding);
      } catch (error) {
        assert.ok(error instanceof FrameError, `a FrameError, got ${String(error)} for ${Buffer.from(bytes).toString("hex")}`);
      }
    }
    assert.ok(decoded > 0, "some mutations (of the signature, say) still decode");
  });
});
