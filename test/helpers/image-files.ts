/** Image files for the OCR public interface's tests: hand-built PNGs (bombs, lying headers) and JPEGs turned by EXIF orientation. */
import { crc32, deflateSync } from "node:zlib";
import type { TextLineImage } from "../../subnets/ocr/preprocess.js";

const u32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

function chunk(type: string, data: Uint8Array): Uint8Array {
  const body = Uint8Array.from([...Buffer.from(type, "latin1"), ...data]);
  return Uint8Array.from([...u32(data.length), ...body, ...u32(crc32(body))]);
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A PNG's signature and IHDR chunk (a valid CRC) declaring `width × height`, 8-bit RGB, and nothing after it. */
export function pngHeaderOnly(width: number, height: number): Uint8Array {
  return Uint8Array.from([...PNG_SIGNATURE, ...chunk("IHDR", Uint8Array.from([...u32(width), ...u32(height), 8, 2, 0, 0, 0]))]);
}

/**
 * A valid 1-bit grey PNG of `width × height` pixels, all black: a decompression bomb (5000 × 5000
 * is a 25 KB file that decodes to 100 MB of RGBA).
 */
export function blackPng(width: number, height: number): Uint8Array {
  const rowBytes = 1 + Math.ceil(width / 8); // filter byte, then the row's bits
  const ihdr = Uint8Array.from([...u32(width), ...u32(height), 1, 0, 0, 0, 0]);
  const idat = deflateSync(new Uint8Array(rowBytes * height), { level: 9 });
  return Uint8Array.from([...PNG_SIGNATURE, ...chunk("IHDR", ihdr), ...chunk("IDAT", idat), ...chunk("IEND", new Uint8Array(0))]);
}

/** `jpeg` with an EXIF APP1 segment saying its stored pixels are to be shown turned (orientation 6: a quarter turn clockwise). */
export function withExifOrientation(jpeg: Uint8Array, orientation: number): Uint8Array {
  // A big-endian TIFF header and one IFD entry: tag 0x0112 (Orientation), SHORT, count 1.
  const tiff = [0x4d, 0x4d, 0x00, 0x2a, ...u32(8), 0x00, 0x01, 0x01, 0x12, 0x00, 0x03, ...u32(1), 0x00, orientation, 0x00, 0x00, ...u32(0)];
  const payload = [...Buffer.from("Exif\0\0", "latin1"), ...tiff];
  const app1 = [0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 255, ...payload];
  return Uint8Array.from([...jpeg.subarray(0, 2), ...app1, ...jpeg.subarray(2)]);
}

/** `image` turned a quarter counter-clockwise: what a camera stores for an upright picture with EXIF orientation 6. */
export function turnedCounterClockwise(image: TextLineImage): TextLineImage {
  const { width, height, channels, data } = image;
  const out = new Uint8Array(data.length);
  // The turned image is `height` wide and `width` high; its pixel (x, y) is the original's (width − 1 − y, x).
  for (let y = 0; y < width; y++)
    for (let x = 0; x < height; x++)
      for (let c = 0; c < channels; c++) out[(y * height + x) * channels + c] = data[(x * width + (width - 1 - y)) * channels + c]!;
  return { width: height, height: width, channels, data: out };
}

/** `image` scaled by a whole factor (each pixel a `factor × factor` block): a larger picture of the same line. */
export function enlarged(image: TextLineImage, factor: number): TextLineImage {
  const { width, height, channels, data } = image;
  const out = new Uint8Array(data.length * factor * factor);
  for (let y = 0; y < height * factor; y++)
    for (let x = 0; x < width * factor; x++)
      for (let c = 0; c < channels; c++) out[(y * width * factor + x) * channels + c] = data[(Math.floor(y / factor) * width + Math.floor(x / factor)) * channels + c]!;
  return { width: width * factor, height: height * factor, channels, data: out };
}

/** A grey copy of an RGB image (ITU-R 601 luma). */
export function greyed(image: TextLineImage): TextLineImage {
  if (image.channels === 1) return image;
  const pixels = image.width * image.height;
  const data = new Uint8Array(pixels);
  for (let p = 0; p < pixels; p++) data[p] = Math.round(0.299 * image.data[3 * p]! + 0.587 * image.data[3 * p + 1]! + 0.114 * image.data[3 * p + 2]!);
  return { ...image, channels: 1, data };
}
