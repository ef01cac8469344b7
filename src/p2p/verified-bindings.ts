/**
 * Hotkey bindings (identity.ts) checked as query streams open them, the verified ones remembered by
 * their encoded bytes: a peer that opens stream after stream with the same binding costs one sr25519
 * verify, not one per stream. A remembered binding is still held to its expiry and to the peer.
 */
import { checkBinding, type BindingExpectations, type BindingProblem, type HotkeyBinding } from "./identity.js";

const MAX_REMEMBERED = 4096;

export class VerifiedBindings {
  readonly #verified = new Set<string>();

  /** checkBinding's verdict on `binding`, decoded from `encoded`; bounded: it starts over when full. */
  check(encoded: Uint8Array, binding: HotkeyBinding, expect: BindingExpectations): BindingProblem | undefined {
    const key = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength).toString("latin1");
    if (this.#verified.has(key)) {
      // Signature, chain and subnet held when it was verified, under the same expectations.
      if (binding.expiresAtMs <= BigInt(expect.nowMs)) return "expired";
      if (expect.peerId !== undefined && binding.peerId !== expect.peerId) return "other peer";
      return undefined;
    }
    const problem = checkBinding(binding, expect);
    if (problem === undefined) {
      if (this.#verified.size >= MAX_REMEMBERED) this.#verified.clear();
      this.#verified.add(key);
    }
    return problem;
  }
}
