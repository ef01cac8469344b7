/** Hex strings as JSON-RPC carries them ("0x…"), with errors that name what was wrong. */
import { CodedError } from "../../util/errors.js";

export class HexError extends CodedError<"BAD_HEX"> {
  constructor(message: string) {
    super("BAD_HEX", message);
  }
}

const HEX_RE = /^0x([0-9a-fA-F]{2})*$/;

export function toHex(bytes: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}

export function fromHex(value: unknown, what = "value"): Uint8Array {
  if (typeof value !== "string" || !HEX_RE.test(value)) throw new HexError(`${what}: expected a 0x-prefixed hex string of whole bytes`);
  return new Uint8Array(Buffer.from(value.slice(2), "hex"));
}

export function isHex(value: unknown): value is string {
  return typeof value === "string" && HEX_RE.test(value);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
