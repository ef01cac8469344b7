/**
 * Binding a libp2p peer to a hotkey: only the hotkey's own signature over {peer id, hotkey, subnet,
 * chain, addresses, expiry} makes the binding, so no peer can claim another's hotkey. Bindings are
 * exchanged when peers connect (the identity protocol) and carried in heartbeats; a binding is only
 * as good as the hotkey's registration, which the caller checks against the metagraph.
 */
import type { Sr25519Signer } from "../util/sr25519.js";
import { verifySr25519 } from "../util/sr25519.js";
import { ByteReader, ByteWriter, FrameError } from "./protocol/bytes.js";
import { bytesEqual } from "./protocol/signing.js";

export const BINDING_VERSION = 1;
export const BINDING_DOMAIN = new TextEncoder().encode("tensornode/binding/v1");
export const MAX_BINDING_ADDRESSES = 16;
const MAX_ADDRESS_BYTES = 256;
const MAX_PEER_ID_BYTES = 128;

export interface BindingClaim {
  readonly peerId: string;
  readonly hotkey: Uint8Array;
  readonly netuid: number;
  readonly genesisHash: Uint8Array;
  readonly addresses: readonly string[];
  readonly expiresAtMs: bigint;
}

export interface HotkeyBinding extends BindingClaim {
  readonly signature: Uint8Array;
}

function writeClaim(w: ByteWriter, c: BindingClaim): ByteWriter {
  if (c.hotkey.length !== 32 || c.genesisHash.length !== 32) throw new FrameError("BAD_FRAME", "a binding's hotkey and genesis hash have 32 bytes");
  if (c.addresses.length > MAX_BINDING_ADDRESSES) throw new FrameError("BAD_FRAME", `a binding carries at most ${MAX_BINDING_ADDRESSES} addresses`);
  w.u8(BINDING_VERSION).text(c.peerId, MAX_PEER_ID_BYTES, "peer id").bytes(c.hotkey).u16(c.netuid).bytes(c.genesisHash).u8(c.addresses.length);
  for (const a of c.addresses) w.text(a, MAX_ADDRESS_BYTES, "address");
  return w.u64(c.expiresAtMs);
}

function readClaim(r: ByteReader): BindingClaim {
  const version = r.u8("binding version");
  if (version !== BINDING_VERSION) throw new FrameError("UNSUPPORTED_VERSION", `binding version ${version}; this node speaks ${BINDING_VERSION}`);
  const peerId = r.text(MAX_PEER_ID_BYTES, "peer id");
  const hotkey = r.bytes(32, "hotkey").slice();
  const netuid = r.u16("netuid");
  const genesisHash = r.bytes(32, "genesis hash").slice();
  const count = r.u8("address count");
  if (count > MAX_BINDING_ADDRESSES) throw new FrameError("BAD_FRAME", `a binding carries at most ${MAX_BINDING_ADDRESSES} addresses`);
  const addresses: string[] = [];
  for (let i = 0; i < count; i++) addresses.push(r.text(MAX_ADDRESS_BYTES, "address"));
  return { peerId, hotkey, netuid, genesisHash, addresses, expiresAtMs: r.u64("expiry") };
}

export function bindingSigningBytes(claim: BindingClaim): Uint8Array {
  return writeClaim(new ByteWriter(256).bytes(BINDING_DOMAIN), claim).finish();
}

export function signBinding(claim: BindingClaim, hotkey: Sr25519Signer): HotkeyBinding {
  if (!bytesEqual(claim.hotkey, hotkey.publicKey)) throw new FrameError("BAD_FRAME", "a binding is signed by the hotkey it names");
  return { ...claim, signature: hotkey.sign(bindingSigningBytes(claim)) };
}

export function encodeBinding(b: HotkeyBinding): Uint8Array {
  return writeClaim(new ByteWriter(256), b).bytes(b.signature).finish();
}

export function decodeBinding(bytes: Uint8Array): HotkeyBinding {
  const r = new ByteReader(bytes);
  const claim = readClaim(r);
  const signature = r.bytes(64, "binding signature").slice();
  r.end("a binding");
  return { ...claim, signature };
}

export type BindingProblem = "signature" | "expired" | "other chain" | "other subnet" | "other peer";

export interface BindingExpectations {
  readonly nowMs: number;
  readonly genesisHash: Uint8Array;
  readonly netuid: number;
  /** The peer the binding arrived from (the noise-authenticated remote peer, or a gossip message's origin). */
  readonly peerId?: string;
}

/** The first reason to refuse a binding, or undefined when it holds (registration is the caller's check). */
export function checkBinding(b: HotkeyBinding, expect: BindingExpectations): BindingProblem | undefined {
  if (!verifySr25519(b.signature, bindingSigningBytes(b), b.hotkey)) return "signature";
  if (b.expiresAtMs <= BigInt(expect.nowMs)) return "expired";
  if (!bytesEqual(b.genesisHash, expect.genesisHash)) return "other chain";
  if (b.netuid !== expect.netuid) return "other subnet";
  if (expect.peerId !== undefined && b.peerId !== expect.peerId) return "other peer";
  return undefined;
}
