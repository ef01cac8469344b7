/**
 * Signature checks for transactions. sr25519 in @polkadot/util-crypto 14 is pure JS (~300
 * verifies/s here); the Wasm build of schnorrkel/ed25519 in @polkadot/wasm-crypto is an order of
 * magnitude faster, so the devnet's throughput is not bounded by signature checks.
 */
import { ed25519Verify, sr25519Verify, waitReady } from "@polkadot/wasm-crypto";
import type { SignatureKind } from "./extrinsic.js";

/** Loads the Wasm verifier; call once before verifying. */
export async function signaturesReady(): Promise<void> {
  if (!(await waitReady())) throw new Error("@polkadot/wasm-crypto failed to initialise");
}

export function verifySignature(kind: SignatureKind, signature: Uint8Array, message: Uint8Array, signer: Uint8Array): boolean {
  switch (kind) {
    case "sr25519":
      return sr25519Verify(signature, message, signer);
    case "ed25519":
      return ed25519Verify(signature, message, signer);
    case "ecdsa":
      // ECDSA accounts are blake2(compressed key) and need key recovery: not supported by the devnet.
      return false;
  }
}
