import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { crc32 as zlibCrc32 } from "node:zlib";
import { createCanvas } from "@napi-rs/canvas";
import { prng } from "../../../src/util/prng.js";
import { assertImageComplete, crc32, imageFormat, ImageHeaderError, readImageHeader, type ImageHeaderErrorCode } from "../../../subnets/ocr/image-header.js";

/** A real file of `width × height`, encoded by the canvas library. */
function encoded(format: "png" | "jpeg", width: number, height: number): Uint8Array {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#f0f0f0";
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = "#101010";
  ctx.fillText("line", 2, height / 2);
  return format === "png" ? canvas.toBuffer("image/png") : canvas.toBuffer("image/jpeg", 90);
}

const u32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

/** A PNG signature and IHDR chunk declaring `width × height` (8-bit RGB unless told), with its CRC as zlib computes it. */
function pngHeader(width: number, height: number, { bitDepth = 8, colourType = 2, interlace = 0, length = 13, type = "IHDR" } = {}): Uint8Array {
  const body = Uint8Array.from([...Buffer.from(type, "latin1"), ...u32(width), ...u32(height), bitDepth, colourType, 0, 0, interlace]);
  return Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...u32(length), ...body, ...u32(zlibCrc32(body))]);
}

/** A JPEG's first bytes: SOI, an APP0 segment, then a frame header (SOFn) declaring `width × height`. */
function jpegHeader(width: number, height: number, { sof = 0xc0, components = 3 } = {}): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, ...Buffer.from("JFIF\0", "latin1"), 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const frame = [0xff, sof, 0, 8 + 3 * components, 8, height >> 8, height & 255, width >> 8, width & 255, components, ...Array.from({ length: components }, (_, i) => [i + 1, 0x11, 0]).flat()];
  return Uint8Array.from([0xff, 0xd8, ...app0, ...frame]);
}

function refused(bytes: Uint8Array, code: ImageHeaderErrorCode, message: RegExp): void {
  assert.throws(
    () => readImageHeader(bytes),
    (error: unknown) => {
      assert.ok(error instanceof ImageHeaderError, `an ImageHeaderError, got ${String(error)}`);
      assert.equal(error.code, code);
      assert.match(error.message, message);
      return true;
    },
  );
}

describe("image headers", () => {
  it("tells PNG and JPEG by their magic bytes, and nothing else", () => {
    assert.equal(imageFormat(encoded("png", 20, 10)), "png");
    assert.equal(imageFormat(encoded("jpeg", 20, 10)), "jpeg");
    for (const other of ["hello, world", "GIF89a", "<svg xmlns='http://www.w3.org/2000/svg'/>", "RIFF\0\0\0\0WEBP", ""]) assert.equal(imageFormat(Buffer.from(other)), undefined, other);
  });

  it("reads the size of PNG and JPEG files the canvas library writes", () => {
    for (const [width, height] of [[8, 8], [123, 45], [1000, 30], [4096, 256]] as const) {
      assert.deepEqual(readImageHeader(encoded("png", width, height)), { format: "png", width, height });
      assert.deepEqual(readImageHeader(encoded("jpeg", width, height)), { format: "jpeg", width, height });
    }
  });

  it("reports the size a header declares, however large: a 100000×100000 PNG or a 65535×65535 JPEG is read from 33 bytes", () => {
    assert.deepEqual(readImageHeader(pngHeader(100_000, 100_000)), { format: "png", width: 100_000, height: 100_000 });
    assert.deepEqual(readImageHeader(jpegHeader(65_535, 65_535)), { format: "jpeg", width: 65_535, height: 65_535 });
  });

  it("finds a JPEG's frame header after fill bytes and other segments, whichever SOFn it is (baseline, progressive, lossless…)", () => {
    const withFill = Uint8Array.from([0xff, 0xd8, 0xff, 0xff, 0xff, 0xfe, 0x00, 0x04, 0x68, 0x69, ...jpegHeader(300, 40).subarray(2)]);
    assert.deepEqual(readImageHeader(withFill), { format: "jpeg", width: 300, height: 40 });
    for (const sof of [0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]) assert.equal(readImageHeader(jpegHeader(50, 20, { sof })).width, 50, `SOF ${sof.toString(16)}`);
    assert.equal(readImageHeader(jpegHeader(50, 20, { components: 1 })).height, 20, "grey");
  });

  it("refuses a file that is neither PNG nor JPEG, saying how it starts", () => {
    refused(Buffer.from("hello, world"), "IMAGE_FORMAT", /^not a PNG or JPEG file \(it starts with 68 65 6c 6c 6f 2c 20 77\)$/);
    refused(new Uint8Array(0), "IMAGE_FORMAT", /^not a PNG or JPEG file: it is empty$/);
  });

  it("refuses a PNG or JPEG cut anywhere inside its header as truncated", () => {
    const png = encoded("png", 40, 20);
    for (let length = 1; length < 8; length++) refused(png.subarray(0, length), "IMAGE_TRUNCATED", /^the PNG is truncated: it ends at byte \d, inside its signature$/);
    for (let length = 8; length < 33; length++) refused(png.subarray(0, length), "IMAGE_TRUNCATED", /^the PNG is truncated: it ends at byte \d+, inside its IHDR header/);
    const jpeg = jpegHeader(40, 20);
    for (const length of [1, 2]) refused(jpeg.subarray(0, length), "IMAGE_TRUNCATED", /^the JPEG is truncated: it ends at byte \d, inside its start-of-image marker$/);
    for (let length = 3; length < jpeg.length - 9; length++) refused(jpeg.subarray(0, length), "IMAGE_TRUNCATED", /^the JPEG is truncated: it ends at byte \d+/);
  });

  it("refuses a malformed PNG header: a corrupt CRC, another first chunk, a zero or oversized dimension, an undefined bit depth", () => {
    const corrupt = pngHeader(100, 30);
    corrupt[20] = 0xff; // the height changed after the CRC was computed
    refused(corrupt, "IMAGE_HEADER_INVALID", /IHDR header is corrupt \(its CRC does not match\)/);
    refused(pngHeader(100, 30, { type: "tEXt" }), "IMAGE_HEADER_INVALID", /first chunk is not its 13-byte IHDR header/);
    refused(pngHeader(100, 30, { length: 12 }), "IMAGE_HEADER_INVALID", /first chunk is not its 13-byte IHDR header/);
    refused(pngHeader(0, 30), "IMAGE_HEADER_INVALID", /gives a width of 0/);
    refused(pngHeader(100, 2 ** 31), "IMAGE_HEADER_INVALID", /gives a height of 2147483648/);
    refused(pngHeader(100, 30, { colourType: 2, bitDepth: 4 }), "IMAGE_HEADER_INVALID", /colour type 2 with bit depth 4, which PNG does not define/);
    refused(pngHeader(100, 30, { colourType: 5 }), "IMAGE_HEADER_INVALID", /colour type 5/);
    refused(pngHeader(100, 30, { interlace: 2 }), "IMAGE_HEADER_INVALID", /unknown compression, filter or interlace method/);
  });

  it("refuses a malformed JPEG header: no marker where one is due, a scan or the end before the frame, a zero width, a height left to DNL", () => {
    refused(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0x12]), "IMAGE_HEADER_INVALID", /no marker at byte 8/);
    refused(Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x08]), "IMAGE_HEADER_INVALID", /a scan \(SOS\) at byte 2, before any frame header/);
    refused(Uint8Array.from([0xff, 0xd8, 0xff, 0xd9]), "IMAGE_HEADER_INVALID", /its end-of-image marker at byte 2/);
    refused(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01]), "IMAGE_HEADER_INVALID", /segment at byte 2 gives a length of 1/);
    refused(jpegHeader(0, 20), "IMAGE_HEADER_INVALID", /gives a width of 0/);
    refused(jpegHeader(40, 0), "IMAGE_HEADER_INVALID", /leaves its height to a later DNL marker/);
    const lying = jpegHeader(40, 20);
    lying[lying.length - 10] = 5; // 5 components in a segment sized for 3
    refused(lying, "IMAGE_HEADER_INVALID", /frame header is malformed \(5 components in a 17-byte segment\)/);
  });

  it("knows a whole file from a truncated one, or one with data after its end", () => {
    for (const format of ["png", "jpeg"] as const) {
      const file = encoded(format, 60, 20);
      assertImageComplete(file, format);
      for (const cut of [1, 2, 12, Math.floor(file.length / 2)])
        assert.throws(() => assertImageComplete(file.subarray(0, file.length - cut), format), { name: "ImageHeaderError", code: "IMAGE_TRUNCATED" }, `${format} less ${cut} bytes`);
      assert.throws(() => assertImageComplete(Uint8Array.from([...file, 0]), format), /has data after its end/);
    }
  });

  it("computes PNG's CRC-32 as zlib does", () => {
    const random = prng(5);
    for (const length of [0, 1, 17, 100]) {
      const bytes = Uint8Array.from({ length }, () => Math.floor(random() * 256));
      assert.equal(crc32(bytes), zlibCrc32(bytes), `${length} bytes`);
    }
  });
});
