/**
 * A text-line image → the PP-OCRv4 recognition model's input, as PaddleOCR's TextRecognizer does it
 * (tools/infer/predict_rec.py, resize_norm_img with rec_image_shape 3,48,320): resize to height 48
 * keeping the aspect ratio (bilinear, as cv2.resize's INTER_LINEAR), scale each value to
 * (x / 255 − 0.5) / 0.5 ∈ [−1, 1], lay it out NCHW float32 [1, 3, 48, W] and pad the right with 0
 * up to W = max(320, the resized width rounded up to a multiple of 8). PaddleOCR reads images with
 * OpenCV, so the model was trained on BGR planes: an RGB image goes in as B, G, R; a grey one is
 * repeated on the three planes. Pure: no I/O, no packages.
 */

export const REC_HEIGHT = 48;
/** PaddleOCR's default rec width: narrower lines are padded to it. */
export const REC_MIN_WIDTH = 320;

/** Limits on the image a miner accepts (they bound the request at 256 × 4096 × 3 = 3 MiB and the model's input at 48 × 2304). */
export const IMAGE_MIN_HEIGHT = 8;
export const IMAGE_MAX_HEIGHT = 256;
export const IMAGE_MIN_WIDTH = 8;
export const IMAGE_MAX_WIDTH = 4096;
/** Widest width : height ratio accepted: one line of text, not a page. */
export const IMAGE_MAX_ASPECT = 48;

/** An 8-bit image, rows top to bottom, pixels interleaved (HWC): grey (1 channel) or RGB (3). */
export interface TextLineImage {
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
  readonly data: Uint8Array;
}

export interface RecInput {
  readonly data: Float32Array;
  /** [1, 3, 48, W] */
  readonly dims: readonly [1, 3, number, number];
  /** Columns holding the image; the rest is padding. */
  readonly resizedWidth: number;
}

/** What is wrong with an image's shape, or undefined when the miner can read it. */
export function imageProblem(height: number, width: number, channels: number, bytes: number): string | undefined {
  if (channels !== 1 && channels !== 3) return `an image has 1 (grey) or 3 (RGB) channels, not ${channels}`;
  if (!Number.isInteger(height) || height < IMAGE_MIN_HEIGHT || height > IMAGE_MAX_HEIGHT) return `the image's height must be ${IMAGE_MIN_HEIGHT}..${IMAGE_MAX_HEIGHT} pixels, not ${height}`;
  if (!Number.isInteger(width) || width < IMAGE_MIN_WIDTH || width > IMAGE_MAX_WIDTH) return `the image's width must be ${IMAGE_MIN_WIDTH}..${IMAGE_MAX_WIDTH} pixels, not ${width}`;
  if (width > IMAGE_MAX_ASPECT * height) return `the image is ${width}×${height}: wider than ${IMAGE_MAX_ASPECT} times its height, so not one text line`;
  if (bytes !== height * width * channels) return `a ${height}×${width}×${channels} image has ${height * width * channels} bytes, not ${bytes}`;
  return undefined;
}

/** The resized width PaddleOCR gives an h × w image: ceil(48 · w / h). */
export function resizedWidth(height: number, width: number): number {
  return Math.max(1, Math.ceil((REC_HEIGHT * width) / height));
}

/** Source sample positions and weights of a bilinear resize along one axis (OpenCV: pixel centres aligned, edges clamped). */
function axisTaps(from: number, to: number): { i0: Int32Array; i1: Int32Array; w1: Float32Array } {
  const i0 = new Int32Array(to);
  const i1 = new Int32Array(to);
  const w1 = new Float32Array(to);
  const scale = from / to;
  for (let d = 0; d < to; d++) {
    let s = (d + 0.5) * scale - 0.5;
    if (s < 0) s = 0;
    let a = Math.floor(s);
    if (a > from - 1) a = from - 1;
    const frac = s - a;
    i0[d] = a;
    i1[d] = Math.min(a + 1, from - 1);
    w1[d] = a + 1 > from - 1 ? 0 : frac;
  }
  return { i0, i1, w1 };
}

/** The model's input for `image` (checked first: throws a RangeError naming the problem). */
export function recInput(image: TextLineImage): RecInput {
  const { height, width, channels, data } = image;
  const problem = imageProblem(height, width, channels, data.length);
  if (problem) throw new RangeError(problem);
  const outW = resizedWidth(height, width);
  const paddedW = Math.max(REC_MIN_WIDTH, Math.ceil(outW / 8) * 8);
  const plane = REC_HEIGHT * paddedW;
  const out = new Float32Array(3 * plane); // zero = the padding value (mid grey after normalising)
  const ys = axisTaps(height, REC_HEIGHT);
  const xs = axisTaps(width, outW);
  // Planes in BGR order: source channel for plane p.
  const sourceChannel = channels === 1 ? [0, 0, 0] : [2, 1, 0];
  for (let y = 0; y < REC_HEIGHT; y++) {
    const r0 = ys.i0[y]! * width;
    const r1 = ys.i1[y]! * width;
    const wy = ys.w1[y]!;
    for (let x = 0; x < outW; x++) {
      const c0 = xs.i0[x]!;
      const c1 = xs.i1[x]!;
      const wx = xs.w1[x]!;
      for (let p = 0; p < 3; p++) {
        const ch = sourceChannel[p]!;
        const top = data[(r0 + c0) * channels + ch]! * (1 - wx) + data[(r0 + c1) * channels + ch]! * wx;
        const bottom = data[(r1 + c0) * channels + ch]! * (1 - wx) + data[(r1 + c1) * channels + ch]! * wx;
        const value = top * (1 - wy) + bottom * wy;
        out[p * plane + y * paddedW + x] = (value / 255 - 0.5) / 0.5;
      }
    }
  }
  return { data: out, dims: [1, 3, REC_HEIGHT, paddedW], resizedWidth: outW };
}
