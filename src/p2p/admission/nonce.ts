/** Request nonces: 16 random bytes, given as bytes or hex, kept as canonical lowercase hex. */
import { ReplayCacheError } from "./errors.js";

export const NONCE_BYTES = 16;

const NONCE_HEX = /^(?:0x)?([0-9a-fA-F]{32})$/;

/** The canonical form of a nonce: 32 lowercase hex digits, no prefix. Throws BAD_NONCE otherwise. */
export function nonceToHex(nonce: Uint8Array | string): string {
  if (typeof nonce === "string") {
    const digits = NONCE_HEX.exec(nonce)?.[1];
    if (digits === undefined) throw new ReplayCacheError("BAD_NONCE", `a nonce must be ${NONCE_BYTES * 2} hex digits (optionally 0x-prefixed), got ${JSON.stringify(nonce.slice(0, 80))}`);
    return digits.toLowerCase();
  }
  if (nonce.length !== NONCE_BYTES) throw new ReplayCacheError("BAD_NONCE", `a nonce must have ${NONCE_BYTES} bytes, got ${nonce.length}`);
  return Buffer.from(nonce.buffer, nonce.byteOffset, nonce.byteLength).toString("hex");
}

/** Whether `text` is already a canonical nonce (as stored). */
export function isCanonicalNonceHex(text: string): boolean {
  return text.length === NONCE_BYTES * 2 && /^[0-9a-f]+$/.test(text);
}
