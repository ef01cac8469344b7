/**
 * sr25519 and ed25519 with the Wasm build of schnorrkel in @polkadot/wasm-crypto: an order of
 * magnitude faster than @polkadot/util-crypto 14's pure-JS sr25519 (~300 verifies/s here), so
 * neither the devnet's transaction checks nor a miner's request checks are bounded by it.
 */
import { ed25519Verify, sr25519KeypairFromSeed, sr25519Sign, sr25519Verify, waitReady } from "@polkadot/wasm-crypto";

/** Loads the Wasm module; call (and await) once before signing or verifying. */
export async function sr25519Ready(): Promise<void> {
  if (!(await waitReady())) throw new Error("@polkadot/wasm-crypto failed to initialise");
}

export function verifySr25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  return sr25519Verify(signature, message, publicKey);
}

export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  return ed25519Verify(signature, message, publicKey);
}

/** Something that signs as a hotkey: its 32-byte public key and an sr25519 signature over a message. */
export interface Sr25519Signer {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

/**
 * A signer from a 32-byte mini-secret (what a mnemonic or a `secretSeed` gives, as in
 * `mnemonicToMiniSecret`); the key pair is the one Substrate and Bittensor derive from it.
 */
export function sr25519SignerFromSeed(seed: Uint8Array): Sr25519Signer {
  if (seed.length !== 32) throw new Error("an sr25519 seed has 32 bytes");
  const pair = sr25519KeypairFromSeed(seed);
  const secretKey = pair.slice(0, 64);
  const publicKey = pair.slice(64, 96);
  return { publicKey, sign: (message) => sr25519Sign(publicKey, secretKey, message) };
}
