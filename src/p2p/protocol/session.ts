/**
 * Session keys (docs/protocol.md §2.1), pure: a hotkey's sr25519-signed statement that an Ed25519
 * key speaks for it until a time. Miners sign their answers with such a key (an order of magnitude
 * cheaper than sr25519), send the binding once per stream and receipts keep it, so a receipt still
 * verifies from the miner's hotkey alone: the binding under the hotkey, the answer under the key it
 * binds.
 */
import { verifyEd25519, verifySr25519 } from "../../util/sr25519.js";
import { ByteReader, ByteWriter, FrameError } from "./bytes.js";

export const SESSION_DOMAIN = new TextEncoder().encode("tensornode/session/v1");
export const SESSION_BINDING_VERSION = 1;
/** version u8, hotkey, session key, expiresAtMs u64, signature. */
export const SESSION_BINDING_BYTES = 1 + 32 + 32 + 8 + 64;

export interface SessionBinding {
  /** The sr25519 hotkey that signs the binding. */
  readonly hotkey: Uint8Array;
  /** The Ed25519 public key the hotkey vouches for. */
  readonly sessionKey: Uint8Array;
  /** Unix ms; a message timestamped at or after it is not covered. */
  readonly expiresAtMs: bigint;
  readonly signature: Uint8Array;
}

/** What signs messages: a session key, with its hotkey's binding travelling alongside. */
export interface SessionSigner {
  /** The binding in force now (renewed before it expires). */
  readonly binding: SessionBinding;
  /** An Ed25519 signature by the binding's session key. */
  sign(message: Uint8Array): Uint8Array;
}

/**
 * How signatures are verified. The pure default (Wasm) serves offline checks and the browser; the
 * query hot paths pass a node:crypto one that also remembers bindings it has verified.
 */
export interface SessionVerifier {
  ed25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  binding(binding: SessionBinding): boolean;
}

function checkLength(value: Uint8Array, n: number, what: string): void {
  if (value.length !== n) throw new FrameError("BAD_FRAME", `${what} must have ${n} bytes, has ${value.length}`);
}

function writeSignedFields(w: ByteWriter, b: Omit<SessionBinding, "signature">): ByteWriter {
  checkLength(b.hotkey, 32, "binding hotkey");
  checkLength(b.sessionKey, 32, "session key");
  return w.u8(SESSION_BINDING_VERSION).bytes(b.hotkey).bytes(b.sessionKey).u64(b.expiresAtMs);
}

export function sessionBindingSigningBytes(b: Omit<SessionBinding, "signature">): Uint8Array {
  return writeSignedFields(new ByteWriter(SESSION_DOMAIN.length + SESSION_BINDING_BYTES).bytes(SESSION_DOMAIN), b).finish();
}

export function writeSessionBinding(w: ByteWriter, b: SessionBinding): ByteWriter {
  checkLength(b.signature, 64, "binding signature");
  return writeSignedFields(w, b).bytes(b.signature);
}

export function readSessionBinding(r: ByteReader): SessionBinding {
  const version = r.u8("session binding version");
  if (version !== SESSION_BINDING_VERSION) throw new FrameError("UNSUPPORTED_VERSION", `session binding version ${version}; this node reads version ${SESSION_BINDING_VERSION}`);
  return { hotkey: r.bytes(32, "binding hotkey").slice(), sessionKey: r.bytes(32, "session key").slice(), expiresAtMs: r.u64("binding expiry"), signature: r.bytes(64, "binding signature").slice() };
}

/** Whether the hotkey signed this binding (sr25519); expiry is the caller's to judge against a message's time. */
export function verifySessionBinding(b: SessionBinding): boolean {
  return verifySr25519(b.signature, sessionBindingSigningBytes(b), b.hotkey);
}

export function sameBinding(a: SessionBinding, b: SessionBinding): boolean {
  return a.expiresAtMs === b.expiresAtMs && equal(a.signature, b.signature) && equal(a.sessionKey, b.sessionKey) && equal(a.hotkey, b.hotkey);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The whole check of a message signed under a session, offline: the binding names `hotkey`, the
 * hotkey signed it, it had not expired at the message's own time, and the session key signed the
 * message.
 */
export function verifySessionSigned(signature: Uint8Array, message: Uint8Array, binding: SessionBinding, hotkey: Uint8Array, atMs: bigint, verifier: SessionVerifier = PURE_VERIFIER): boolean {
  return equal(binding.hotkey, hotkey) && atMs < binding.expiresAtMs && verifier.binding(binding) && verifier.ed25519(signature, message, binding.sessionKey);
}

export const PURE_VERIFIER: SessionVerifier = { ed25519: verifyEd25519, binding: verifySessionBinding };
