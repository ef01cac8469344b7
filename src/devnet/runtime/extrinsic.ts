/**
 * The v4 unchecked extrinsic of subtensor HEAD: `compact(len) ‖ version ‖ [address ‖ signature ‖
 * explicit extensions] ‖ call`, and the payload its signature covers. Decoded by hand: the call
 * runs to the end of the extrinsic, so the signature can be checked without decoding the call.
 */
import { blake2_256 } from "../codec/hashing.js";
import { ScaleDecodeError, ScaleReader, ScaleWriter, concatBytes } from "../codec/scale.js";

export type SignatureKind = "ed25519" | "sr25519" | "ecdsa";

export type Era = { readonly immortal: true } | { readonly immortal: false; readonly period: number; readonly phase: number };

export interface SignedPart {
  readonly signer: Uint8Array;
  readonly signatureKind: SignatureKind;
  readonly signature: Uint8Array;
  readonly era: Era;
  readonly nonce: number;
  readonly tip: bigint;
  readonly metadataHashMode: number;
  /** The explicit extension bytes exactly as they appear in the extrinsic. */
  readonly explicit: Uint8Array;
}

export interface UncheckedExtrinsic {
  /** The whole extrinsic as submitted, with its length prefix. */
  readonly bytes: Uint8Array;
  readonly hash: Uint8Array;
  readonly signed?: SignedPart;
  readonly callBytes: Uint8Array;
}

const SIGNED_V4 = 0x84;
const BARE_V4 = 0x04;
const MAX_NONCE = 0xffffffff;

/** What an extrinsic failed to be: the substrate error for badly formed transactions. */
export class ExtrinsicFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExtrinsicFormatError";
  }
}

function decodeEra(r: ScaleReader): Era {
  const first = r.u8();
  if (first === 0) return { immortal: true };
  const encoded = first | (r.u8() << 8);
  const period = 2 << encoded % (1 << 4);
  const quantizeFactor = Math.max(period >> 12, 1);
  const phase = (encoded >> 4) * quantizeFactor;
  if (period < 4 || phase >= period) throw new ExtrinsicFormatError("invalid mortal era");
  return { immortal: false, period, phase };
}

/** The block an era's validity window starts at, seen from block `current`. */
export function eraBirth(era: Era, current: number): number {
  if (era.immortal) return 0;
  return Math.floor((Math.max(current, era.phase) - era.phase) / era.period) * era.period + era.phase;
}

export function eraDeath(era: Era, current: number): number {
  if (era.immortal) return Number.MAX_SAFE_INTEGER;
  return eraBirth(era, current) + era.period;
}

/**
 * `withTip: false` reads the layout a client produces when it does not know subtensor's
 * ChargeTransactionPaymentWrapper extension (it encodes it as empty): used only to explain
 * such a rejection.
 */
export function decodeExtrinsic(bytes: Uint8Array, withTip = true): UncheckedExtrinsic {
  try {
    const r = new ScaleReader(bytes);
    const length = r.compactNumber();
    if (length !== r.remaining) throw new ExtrinsicFormatError(`length prefix says ${length} bytes, ${r.remaining} follow`);
    const version = r.u8();
    if (version === BARE_V4) return { bytes, hash: blake2_256(bytes), callBytes: r.rest() };
    if (version !== SIGNED_V4) throw new ExtrinsicFormatError(`unsupported extrinsic version byte 0x${version.toString(16)} (expected 0x84 or 0x04)`);
    const addressKind = r.u8();
    if (addressKind !== 0 && addressKind !== 3) throw new ExtrinsicFormatError("the signer must be a MultiAddress::Id (or Address32)");
    const signer = r.raw(32);
    const kindByte = r.u8();
    const signatureKind: SignatureKind | undefined = (["ed25519", "sr25519", "ecdsa"] as const)[kindByte];
    if (!signatureKind) throw new ExtrinsicFormatError(`unknown MultiSignature variant ${kindByte}`);
    const signature = r.raw(signatureKind === "ecdsa" ? 65 : 64);
    const explicitStart = r.offset;
    const era = decodeEra(r);
    const nonce = r.compact();
    if (nonce > BigInt(MAX_NONCE)) throw new ExtrinsicFormatError("nonce larger than u32");
    const tip = withTip ? r.compact() : 0n;
    if (tip >= 1n << 64n) throw new ExtrinsicFormatError("tip larger than u64");
    const metadataHashMode = r.u8();
    if (metadataHashMode > 1) throw new ExtrinsicFormatError("invalid CheckMetadataHash mode");
    const explicit = bytes.subarray(explicitStart, r.offset);
    return {
      bytes,
      hash: blake2_256(bytes),
      signed: { signer, signatureKind, signature, era, nonce: Number(nonce), tip, metadataHashMode, explicit },
      callBytes: r.rest(),
    };
  } catch (error) {
    if (error instanceof ScaleDecodeError) throw new ExtrinsicFormatError(error.message);
    throw error;
  }
}

export interface ImplicitData {
  readonly specVersion: number;
  readonly transactionVersion: number;
  readonly genesisHash: Uint8Array;
  /** The hash of the era's birth block (the genesis hash for immortal transactions). */
  readonly eraBlockHash: Uint8Array;
}

/** The bytes the signer signed (hashed with blake2-256 when longer than 256 bytes). */
export function signingPayload(callBytes: Uint8Array, explicit: Uint8Array, implicit: ImplicitData): Uint8Array {
  const implicitBytes = new ScaleWriter(80).u32(implicit.specVersion).u32(implicit.transactionVersion).raw(implicit.genesisHash).raw(implicit.eraBlockHash).u8(0).finish();
  const payload = concatBytes(callBytes, explicit, implicitBytes);
  return payload.length > 256 ? blake2_256(payload) : payload;
}

/** A bare (unsigned) extrinsic around `callBytes`, as inherents are. */
export function encodeBareExtrinsic(callBytes: Uint8Array): Uint8Array {
  return new ScaleWriter(callBytes.length + 8).compact(callBytes.length + 1).u8(BARE_V4).raw(callBytes).finish();
}
