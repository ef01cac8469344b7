/**
 * What an image file says about itself before any decoder sees it: its format from the magic
 * bytes, its pixel size from the header (PNG: the IHDR chunk, which the format puts first; JPEG:
 * the first SOFn frame header, after whatever APPn, DQT, DHT… segments come before it), and
 * whether the file ends as a whole file does. So a decompression bomb is refused by its declared
 * size, and a truncated file (which decoders quietly fill with blank rows) by its missing end.
 * Pure: no I/O, no packages.
 */
import { CodedError } from "../../src/util/errors.js";

export type ImageFormat = "png" | "jpeg";

export interface ImageHeader {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
}

/** IMAGE_FORMAT: neither PNG nor JPEG; IMAGE_TRUNCATED: the file stops short; IMAGE_HEADER_INVALID: the header is malformed. */
export type ImageHeaderErrorCode = "IMAGE_FORMAT" | "IMAGE_TRUNCATED" | "IMAGE_HEADER_INVALID";

export class ImageHeaderError extends CodedError<ImageHeaderErrorCode> {
  constructor(code: ImageHeaderErrorCode, message: string) {
    super(code, message);
    this.name = "ImageHeaderError";
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** A PNG's last 12 bytes: the IEND chunk (length 0, type, CRC). */
const PNG_IEND = [0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];
/** Signature, IHDR's length and type, its 13 bytes of data and its CRC. */
const PNG_HEADER_BYTES = 8 + 8 + 13 + 4;
/** PNG widths and heights are at most 2^31 − 1 (PNG spec, 11.2.2). */
const PNG_MAX_DIMENSION = 2 ** 31 - 1;
/** Bit depths allowed for each PNG colour type (PNG spec, table 11.1). */
const PNG_BIT_DEPTHS: Readonly<Record<number, readonly number[]>> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

const JPEG_SOI = [0xff, 0xd8, 0xff];
const JPEG_EOI = 0xd9;
const JPEG_SOS = 0xda;

/** The format the magic bytes say, or undefined for anything else. */
export function imageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, PNG_SIGNATURE)) return "png";
  if (startsWith(bytes, JPEG_SOI)) return "jpeg";
  return undefined;
}

/** The format and pixel size the file declares; throws an ImageHeaderError naming the problem. */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  const format = imageFormat(bytes);
  if (format === "png") return readPngHeader(bytes);
  if (format === "jpeg") return readJpegHeader(bytes);
  if (bytes.length === 0) throw new ImageHeaderError("IMAGE_FORMAT", "not a PNG or JPEG file: it is empty");
  if (startsWith(PNG_SIGNATURE, bytes)) throw new ImageHeaderError("IMAGE_TRUNCATED", `the PNG is truncated: it ends at byte ${bytes.length}, inside its signature`);
  if (startsWith(JPEG_SOI, bytes)) throw new ImageHeaderError("IMAGE_TRUNCATED", `the JPEG is truncated: it ends at byte ${bytes.length}, inside its start-of-image marker`);
  throw new ImageHeaderError("IMAGE_FORMAT", `not a PNG or JPEG file (it starts with ${hex(bytes.subarray(0, 8))})`);
}

/** Throws an IMAGE_TRUNCATED ImageHeaderError unless the file ends as a whole one does (PNG: IEND; JPEG: the EOI marker). */
export function assertImageComplete(bytes: Uint8Array, format: ImageFormat): void {
  if (format === "png" && !endsWith(bytes, PNG_IEND)) throw new ImageHeaderError("IMAGE_TRUNCATED", "the PNG is truncated (or has data after its end): it does not end with its IEND chunk");
  if (format === "jpeg" && !endsWith(bytes, [0xff, JPEG_EOI])) throw new ImageHeaderError("IMAGE_TRUNCATED", "the JPEG is truncated (or has data after its end): it does not end with its end-of-image marker (FF D9)");
}

function readPngHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length < PNG_HEADER_BYTES) throw new ImageHeaderError("IMAGE_TRUNCATED", `the PNG is truncated: it ends at byte ${bytes.length}, inside its IHDR header (${PNG_HEADER_BYTES} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(8);
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (type !== "IHDR" || length !== 13) throw new ImageHeaderError("IMAGE_HEADER_INVALID", "the PNG's first chunk is not its 13-byte IHDR header");
  if (crc32(bytes.subarray(12, 29)) !== view.getUint32(29)) throw new ImageHeaderError("IMAGE_HEADER_INVALID", "the PNG's IHDR header is corrupt (its CRC does not match)");
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const bitDepth = bytes[24]!;
  const colourType = bytes[25]!;
  const [compression, filter, interlace] = [bytes[26]!, bytes[27]!, bytes[28]!];
  for (const [name, value] of [["width", width], ["height", height]] as const)
    if (value === 0 || value > PNG_MAX_DIMENSION) throw new ImageHeaderError("IMAGE_HEADER_INVALID", `the PNG's IHDR header gives a ${name} of ${value}`);
  if (!PNG_BIT_DEPTHS[colourType]?.includes(bitDepth)) throw new ImageHeaderError("IMAGE_HEADER_INVALID", `the PNG's IHDR header gives colour type ${colourType} with bit depth ${bitDepth}, which PNG does not define`);
  if (compression !== 0 || filter !== 0 || interlace > 1) throw new ImageHeaderError("IMAGE_HEADER_INVALID", "the PNG's IHDR header gives an unknown compression, filter or interlace method");
  return { format: "png", width, height };
}

/** SOFn markers (ITU T.81, table B.1): C0–CF less DHT (C4), JPG (C8) and DAC (CC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Markers with no length and no segment: TEM and RST0–7. */
function isStandalone(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);
}

function readJpegHeader(bytes: Uint8Array): ImageHeader {
  const truncated = (where: string): never => {
    throw new ImageHeaderError("IMAGE_TRUNCATED", `the JPEG is truncated: it ends at byte ${bytes.length}, ${where}`);
  };
  let at = 2; // after SOI
  for (;;) {
    if (at >= bytes.length) truncated("before its frame header (SOFn)");
    if (bytes[at] !== 0xff) throw new ImageHeaderError("IMAGE_HEADER_INVALID", `the JPEG has no marker at byte ${at}, where its next segment should start`);
    while (bytes[at] === 0xff) at += 1; // a marker may be preceded by any number of fill bytes
    if (at >= bytes.length) truncated("before its frame header (SOFn)");
    const marker = bytes[at]!;
    at += 1;
    if (isStandalone(marker)) continue;
    if (marker === JPEG_EOI || marker === JPEG_SOS || marker === 0xd8 || marker === 0x00)
      throw new ImageHeaderError("IMAGE_HEADER_INVALID", `the JPEG has ${markerName(marker)} at byte ${at - 2}, before any frame header (SOFn)`);
    if (at + 2 > bytes.length) truncated(`inside the segment at byte ${at - 2}`);
    const length = (bytes[at]! << 8) | bytes[at + 1]!;
    if (length < 2) throw new ImageHeaderError("IMAGE_HEADER_INVALID", `the JPEG's segment at byte ${at - 2} gives a length of ${length}`);
    if (isStartOfFrame(marker)) return readJpegFrame(bytes, at, length, truncated);
    at += length;
  }
}

/** The SOFn segment at `at` (its length field): precision, height, width, then 3 bytes per component. */
function readJpegFrame(bytes: Uint8Array, at: number, length: number, truncated: (where: string) => never): ImageHeader {
  if (at + 8 > bytes.length) truncated("inside its frame header (SOFn)");
  const height = (bytes[at + 3]! << 8) | bytes[at + 4]!;
  const width = (bytes[at + 5]! << 8) | bytes[at + 6]!;
  const components = bytes[at + 7]!;
  if (components < 1 || components > 4 || length !== 8 + 3 * components)
    throw new ImageHeaderError("IMAGE_HEADER_INVALID", `the JPEG's frame header is malformed (${components} components in a ${length}-byte segment)`);
  if (width === 0) throw new ImageHeaderError("IMAGE_HEADER_INVALID", "the JPEG's frame header gives a width of 0");
  // T.81 lets the height come later, in a DNL marker after the first scan; no ordinary encoder does.
  if (height === 0) throw new ImageHeaderError("IMAGE_HEADER_INVALID", "the JPEG's frame header leaves its height to a later DNL marker, which is not supported");
  return { format: "jpeg", width, height };
}

function markerName(marker: number): string {
  if (marker === JPEG_EOI) return "its end-of-image marker";
  if (marker === JPEG_SOS) return "a scan (SOS)";
  if (marker === 0xd8) return "a second start-of-image marker";
  return "a stuffed zero byte (FF 00)";
}

function startsWith(bytes: ArrayLike<number>, prefix: ArrayLike<number>): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

function endsWith(bytes: Uint8Array, suffix: readonly number[]): boolean {
  const start = bytes.length - suffix.length;
  return start >= 0 && suffix.every((b, i) => bytes[start + i] === b);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** CRC-32 (ISO 3309, as PNG uses), bit by bit: it only ever covers IHDR's 17 bytes here. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
