/**
 * A user's image file (the bytes of a PNG or JPEG) → the text-line image the miner takes, and
 * back (for examples and tests). The file is untrusted: its header is read first and an image
 * over the pixel budget is refused before any decoder sees it (a 50 KB PNG can declare
 * 100000 × 100000 pixels); a truncated file is refused rather than decoded with blank rows. It is
 * then decoded with @napi-rs/canvas, laid on white (transparent pixels become background), scaled
 * down keeping its aspect when it is larger than the miner accepts (a screenshot of a line is
 * often taller than 256 pixels), and sent grey when every pixel is grey, RGB otherwise.
 */
import { createCanvas, Image, ImageData } from "@napi-rs/canvas";
import { PublicInputError } from "../../src/subnet/plugin.js";
import { assertImageComplete, ImageHeaderError, readImageHeader, type ImageFormat, type ImageHeader } from "./image-header.js";
import { IMAGE_MAX_ASPECT, IMAGE_MAX_HEIGHT, IMAGE_MAX_WIDTH, IMAGE_MIN_HEIGHT, IMAGE_MIN_WIDTH, imageProblem, type TextLineImage } from "./preprocess.js";

/**
 * The largest file accepted, by its declared size: decoding takes 4 bytes a pixel (16 MiB at the
 * budget). Wider and taller than the miner's 4096 × 256, so that a screenshot is scaled down here.
 */
export const FILE_MAX_WIDTH = 8192;
export const FILE_MAX_HEIGHT = 2048;
export const FILE_MAX_PIXELS = 4 * 1024 * 1024;

/** Whether the budget allows a file of this declared size (the gateway answers 413 when not). */
export function withinPixelBudget(width: number, height: number): boolean {
  return width <= FILE_MAX_WIDTH && height <= FILE_MAX_HEIGHT && width * height <= FILE_MAX_PIXELS;
}

/** The size the miner is sent: `width × height` scaled down (never up), keeping the aspect, to fit its 4096 × 256. */
export function lineSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, IMAGE_MAX_HEIGHT / height, IMAGE_MAX_WIDTH / width);
  if (scale === 1) return { width, height };
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** The miner's image for a PNG or JPEG file; throws a PublicInputError (tooLarge over the budget) naming the problem. */
export async function decodeImageFile(bytes: Uint8Array): Promise<TextLineImage> {
  const header = readCheckedHeader(bytes);
  const image = await decode(bytes, header);
  assertReadableLine(image.width, image.height);
  return draw(image, lineSize(image.width, image.height));
}

/** Throws unless the miner can read the image once scaled to fit it (a tall, narrow one may become too narrow). */
function assertReadableLine(width: number, height: number): void {
  const size = lineSize(width, height);
  const problem = imageProblem(size.height, size.width, 1, size.width * size.height);
  if (problem) throw new PublicInputError(`the image is ${width}×${height} pixels${size.width === width ? "" : `, ${size.width}×${size.height} once scaled to fit ${IMAGE_MAX_WIDTH}×${IMAGE_MAX_HEIGHT}`}: ${problem}`);
}

/** The header, checked against the budget and a line's shape, and the file's end: nothing here decodes. */
function readCheckedHeader(bytes: Uint8Array): ImageHeader {
  const header = asPublicInputError(() => readImageHeader(bytes));
  const { width, height } = header;
  if (!withinPixelBudget(width, height))
    throw new PublicInputError(`the image is ${width}×${height} pixels: over the limit of ${FILE_MAX_WIDTH} wide, ${FILE_MAX_HEIGHT} high and ${FILE_MAX_PIXELS} pixels in all`, true);
  if (width < IMAGE_MIN_WIDTH || height < IMAGE_MIN_HEIGHT) throw new PublicInputError(`the image is ${width}×${height} pixels: too small, a text line needs at least ${IMAGE_MIN_WIDTH}×${IMAGE_MIN_HEIGHT}`);
  // Either way round: a JPEG's EXIF orientation may turn it a quarter when decoded (checked again then).
  if (Math.max(width, height) > IMAGE_MAX_ASPECT * Math.min(width, height))
    throw new PublicInputError(`the image is ${width}×${height} pixels: ${width > height ? "wider" : "taller"} than ${IMAGE_MAX_ASPECT} times its ${width > height ? "height" : "width"}, so not one text line`);
  asPublicInputError(() => assertImageComplete(bytes, header.format));
  return header;
}

function asPublicInputError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ImageHeaderError) throw new PublicInputError(error.message);
    throw error;
  }
}

async function decode(bytes: Uint8Array, header: ImageHeader): Promise<Image> {
  const image = new Image();
  const name = header.format === "png" ? "PNG" : "JPEG";
  try {
    // Bytes only: a string src would be read as a file path or fetched as a URL.
    await new Promise<void>((resolve, reject) => {
      image.onload = resolve;
      image.onerror = reject;
      image.src = bytes;
    });
  } catch {
    throw new PublicInputError(`the ${name} could not be decoded: its data is corrupt`);
  }
  // The decoder reads the same header; a size other than it (or its turn by EXIF orientation) means the file is not what it declared.
  const same = image.width === header.width && image.height === header.height;
  const turned = image.width === header.height && image.height === header.width;
  if (!same && !turned) throw new PublicInputError(`the ${name} decoded to ${image.width}×${image.height} pixels, not the ${header.width}×${header.height} its header declares`);
  return image;
}

function draw(image: Image, { width, height }: { width: number; height: number }): TextLineImage {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, width, height);
  // Smoothing resamples even at the same size: only when scaling, so an image that fits arrives pixel for pixel.
  const scaled = width !== image.width || height !== image.height;
  ctx.imageSmoothingEnabled = scaled;
  if (scaled) ctx.imageSmoothingQuality = "high";
  ctx.drawImage(image, 0, 0, width, height);
  const rgba = ctx.getImageData(0, 0, width, height).data;
  return fromRgba(rgba, width, height);
}

/** Opaque RGBA pixels as grey when every one is grey (a third of the bytes on the wire), else RGB. */
function fromRgba(rgba: Uint8ClampedArray, width: number, height: number): TextLineImage {
  const pixels = width * height;
  let grey = true;
  for (let i = 0; i < rgba.length && grey; i += 4) grey = rgba[i] === rgba[i + 1] && rgba[i] === rgba[i + 2];
  if (grey) {
    const data = new Uint8Array(pixels);
    for (let p = 0; p < pixels; p++) data[p] = rgba[4 * p]!;
    return { height, width, channels: 1, data };
  }
  const data = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    data[3 * p] = rgba[4 * p]!;
    data[3 * p + 1] = rgba[4 * p + 1]!;
    data[3 * p + 2] = rgba[4 * p + 2]!;
  }
  return { height, width, channels: 3, data };
}

/** A text-line image as a PNG or JPEG file (`quality` 0–100, JPEG only). */
export async function encodeImageFile(image: TextLineImage, format: ImageFormat, quality = 92): Promise<Uint8Array> {
  const { width, height, channels, data } = image;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba[4 * p] = data[p * channels]!;
    rgba[4 * p + 1] = data[p * channels + (channels === 3 ? 1 : 0)]!;
    rgba[4 * p + 2] = data[p * channels + (channels === 3 ? 2 : 0)]!;
    rgba[4 * p + 3] = 255;
  }
  const canvas = createCanvas(width, height);
  canvas.getContext("2d").putImageData(new ImageData(rgba, width, height), 0, 0);
  return format === "png" ? canvas.encode("png") : canvas.encode("jpeg", quality);
}
