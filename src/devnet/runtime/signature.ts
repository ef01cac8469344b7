/**
 * Signature checks for transactions. sr25519 in @polkadot/util-crypto 14 is pure JS (~300
 * verifies/s here); the Wasm build of schnorrkel/ed25519 in @polkadot/wasm-crypto is an order of
 * magnitude faster, so the devnet's throughput is not bounded by signature checks.
 */
import { sr25519Ready, verifyEd25519, verifySr25519 } from "../../util/sr25519.js";
import type { SignatureKind } from "./extrinsic.js";

/** Loads the Wasm verifier; call once before verifying. */
export const signaturesReady: () => Promise<void> = sr25519Ready;

export function verifySignature(kind: SignatureKind, signature: Uint8Array, message: Uint8Array, signer: Uint8Array): boolean {
  switch (kind) {
    case "sr25519":
      return verifySr25519(signature, message, signer);
    case "ed25519":
      return verifyEd25519(signature, message, signer);
    case "ecdsa":
      // ECDSA accounts are blake2(compressed key) and need key recovery: not supported by the devnet.
      return false;
  }
}
