/**
 * The OCR subnet's public interface without the model: its schemas, and the conversion of a user's
 * base64 PNG or JPEG into the miner's image tensor with the real canvas library (every refusal and
 * its reason; the pixel budget enforced from the header, before decoding). The model's side is in
 * test/integration/subnets/ocr-api.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createCanvas } from "@napi-rs/canvas";
import { compileJsonSchema } from "../../../src/subnet/json-schema.js";
import { parseManifest } from "../../../src/subnet/manifest.js";
import { PublicInputError, type Tensor, type TensorMap } from "../../../src/subnet/plugin.js";
import { createLogger } from "../../../src/util/logger.js";
import { prng } from "../../../src/util/prng.js";
import { createPublicApi, OcrAnswerError, RECOGNIZE_INPUT, RECOGNIZE_MAX_BODY_BYTES, RECOGNIZE_OUTPUT, recognizeFromTensors, recognizeToTensors } from "../../../subnets/ocr/api.js";
import { readImageTensor, textTensor } from "../../../subnets/ocr/image.js";
import { encodeImageFile, FILE_MAX_PIXELS, lineSize } from "../../../subnets/ocr/image-file.js";
import type { TextLineImage } from "../../../subnets/ocr/preprocess.js";
import { renderLine } from "../../../subnets/ocr/render.js";
import manifestJson from "../../../subnets/ocr/manifest.json" with { type: "json" };
import { blackPng, enlarged, greyed, pngHeaderOnly, turnedCounterClockwise, withExifOrientation } from "../../helpers/image-files.js";

const checkInput = compileJsonSchema(RECOGNIZE_INPUT, "ocr api: recognize.input");
const checkOutput = compileJsonSchema(RECOGNIZE_OUTPUT, "ocr api: recognize.output");
const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");
const line = (text: string, seed = 1): TextLineImage => renderLine(text, prng(seed));

/** The miner's image from `{image}` (checked by the miner's own reader). */
async function converted(image: string): Promise<TextLineImage> {
  const body = await recognizeToTensors({ image });
  assert.deepEqual([...body.keys()], ["image"]);
  return readImageTensor(body);
}

/** The PublicInputError `input` is refused with. */
async function refusal(input: unknown): Promise<PublicInputError> {
  try {
    await recognizeToTensors(input);
  } catch (error) {
    assert.ok(error instanceof PublicInputError, `a PublicInputError, got ${String(error)}`);
    return error;
  }
  throw new Error(`expected ${JSON.stringify(input).slice(0, 80)} to be refused`);
}

async function refusedWith(image: string | Uint8Array, message: RegExp, tooLarge = false): Promise<void> {
  const error = await refusal({ image: typeof image === "string" ? image : base64(image) });
  assert.match(error.message, message);
  assert.equal(error.tooLarge, tooLarge, `tooLarge for ${error.message}`);
}

/** A canvas drawing as a PNG: `draw` paints on a transparent `width × height`. */
function drawnPng(width: number, height: number, draw: (ctx: ReturnType<ReturnType<typeof createCanvas>["getContext"]>) => void): Uint8Array {
  const canvas = createCanvas(width, height);
  draw(canvas.getContext("2d"));
  return canvas.toBuffer("image/png");
}

describe("the OCR subnet's public interface", () => {
  it("offers recognize with strict schemas, an 8 MiB body limit and a real PNG example of a short word", async () => {
    const manifest = parseManifest(manifestJson, "subnets/ocr/manifest.json");
    assert.equal(manifest.api, "./api");
    const api = await createPublicApi({ manifest, log: createLogger({ level: "silent", format: "json" }) });
    assert.deepEqual(Object.keys(api), ["recognize"]);
    const recognize = api.recognize!;
    assert.equal(recognize.maxBodyBytes, RECOGNIZE_MAX_BODY_BYTES);
    assert.equal(RECOGNIZE_MAX_BODY_BYTES, 8 * 1024 * 1024);
    assert.equal(checkInput(recognize.example), undefined);
    const { image } = recognize.example as { image: string };
    assert.ok(image.startsWith("iVBORw0KGgo"), "the base64 of a PNG");
    assert.ok(image.length < 8000, `a small example: ${image.length} characters`);
    const tensor = readImageTensor(await recognize.toTensors(recognize.example));
    assert.ok(tensor.width > tensor.height && tensor.height >= 8);
    const again = await createPublicApi({ manifest, log: createLogger({ level: "silent", format: "json" }) });
    assert.deepEqual(again.recognize!.example, recognize.example, "the same example every time");
  });

  it("has schemas that describe the image field and refuse other forms", () => {
    const image = (RECOGNIZE_INPUT.properties as Record<string, Record<string, unknown>>).image!;
    assert.equal(image.contentEncoding, "base64");
    assert.equal(image.contentMediaType, "image/*");
    assert.match(String(image.description), /PNG or JPEG/);
    assert.equal(checkInput({}), 'must have the property "image"');
    assert.equal(checkInput({ image: 5 }), "image: must be a string, not 5");
    assert.equal(checkInput({ image: "", lang: "en" }), 'must not have the property "lang"');
    assert.equal(checkOutput({ text: "hello" }), undefined);
    assert.equal(checkOutput({ text: "x".repeat(1025) }), "text: must have at most 1024 characters");
    assert.equal(checkOutput({ text: 1 }), "text: must be a string, not 1");
  });

  it("turns a PNG of a rendered line into the miner's RGB tensor, pixel for pixel; a grey one into a grey tensor", async () => {
    const rgb = line("hello world");
    assert.deepEqual(await converted(base64(await encodeImageFile(rgb, "png"))), rgb);
    const grey = greyed(line("Grey 42", 2));
    assert.deepEqual(await converted(base64(await encodeImageFile(grey, "png"))), grey);
  });

  it("turns a JPEG into the miner's tensor of the same size (JPEG is lossy: close, not equal)", async () => {
    const rgb = line("jpeg line", 3);
    const image = await converted(base64(await encodeImageFile(rgb, "jpeg", 95)));
    assert.deepEqual([image.width, image.height, image.channels], [rgb.width, rgb.height, 3]);
    let error = 0;
    for (let i = 0; i < rgb.data.length; i++) error += Math.abs(image.data[i]! - rgb.data[i]!);
    assert.ok(error / rgb.data.length < 4, `mean error ${error / rgb.data.length}`);
  });

  it("accepts unpadded base64 and a data:image/png or data:image/jpeg URL, as a browser gives them", async () => {
    const rgb = line("data url", 4);
    const png = base64(await encodeImageFile(rgb, "png"));
    const jpeg = base64(await encodeImageFile(rgb, "jpeg"));
    assert.deepEqual(await converted(`data:image/png;base64,${png}`), rgb);
    assert.deepEqual(await converted(`DATA:IMAGE/PNG;BASE64,${png}`), rgb);
    assert.equal((await converted(`data:image/jpeg;base64,${jpeg}`)).width, rgb.width);
    assert.deepEqual(await converted(png.replace(/=+$/, "")), rgb);
  });

  it("lays a transparent image on white: dark text on a transparent background stays dark on light", async () => {
    const png = drawnPng(120, 40, (ctx) => {
      ctx.fillStyle = "#000000";
      ctx.fillRect(10, 10, 50, 20);
    });
    const image = await converted(base64(png));
    assert.equal(image.channels, 1, "black and white is grey");
    assert.equal(image.data[0], 255, "the transparent corner is white");
    assert.equal(image.data[20 * 120 + 30], 0, "the drawn box is black");
  });

  it("scales an image larger than the miner takes down to fit 4096×256, keeping its aspect", async () => {
    const tall = enlarged(line("big", 5), 6); // a screenshot at 6× zoom: taller than 256
    assert.ok(tall.height > 256);
    const image = await converted(base64(await encodeImageFile(tall, "png")));
    assert.deepEqual([image.width, image.height], [lineSize(tall.width, tall.height).width, 256]);
    assert.ok(Math.abs(image.width / image.height - tall.width / tall.height) < 0.02, "the aspect is kept");
    const wide = await converted(base64(drawnPng(6000, 300, (ctx) => ctx.fillRect(0, 0, 10, 10))));
    assert.deepEqual([wide.width, wide.height], [4096, 205], "6000×300 × 4096/6000");
  });

  it("reads a JPEG upright when its EXIF orientation turns it", async () => {
    const upright = line("turned", 6);
    const stored = await encodeImageFile(turnedCounterClockwise(upright), "jpeg", 95);
    const image = await converted(base64(withExifOrientation(stored, 6)));
    assert.deepEqual([image.width, image.height], [upright.width, upright.height]);
  });

  it("refuses what is not an object with one string image", async () => {
    assert.equal((await refusal(null)).message, 'must be an object with the property "image"');
    assert.equal((await refusal(["x"])).message, 'must be an object with the property "image"');
    assert.equal((await refusal({})).message, 'must have the property "image"');
    assert.equal((await refusal({ image: "", lang: "en" })).message, 'must not have the property "lang"');
    assert.equal((await refusal({ image: 12 })).message, "image: must be a string (the base64 of a PNG or JPEG file), not number");
    assert.equal((await refusal({ image: null })).message, "image: must be a string (the base64 of a PNG or JPEG file), not null");
  });

  it("refuses what is not strict base64, saying where and why", async () => {
    const png = base64(await encodeImageFile(line("b64", 7), "png"));
    await refusedWith("", /^image: is empty; expected the base64 of a PNG or JPEG file$/);
    await refusedWith(`${png.slice(0, 76)}\n${png.slice(76)}`, /^image: is not base64: it has a space or line break at character 77 \(send it on one line, e\.g\. base64 -w0\)$/);
    await refusedWith(`${png.slice(0, 10)}-${png.slice(11)}`, /^image: is not base64: it has - at character 11: that is base64url; use the standard alphabet, with \+ and \/$/);
    await refusedWith(`${png.slice(0, 5)}*${png.slice(6)}`, /^image: is not base64: it has "\*" at character 6, outside the base64 alphabet/);
    await refusedWith(`${png.slice(0, 8)}=${png.slice(8)}`, /^image: is not base64: it has = at character 9: = is only padding, at the end$/);
    await refusedWith("iVBORw0KG", /^image: is not base64: 9 characters cannot be whole bytes \(is it cut short\?\)$/);
    await refusedWith("iVBORw0=", /^image: the PNG is truncated: it ends at byte 5, inside its signature$/);
    await refusedWith("iVBORw0KG==", /^image: is not base64: 11 characters with padding is not a multiple of 4/);
    await refusedWith(`data:image/gif;base64,${png}`, /^image: a data URL must start data:image\/png;base64, or data:image\/jpeg;base64,$/);
    await refusedWith(`data:image/png,${png}`, /^image: a data URL must start/);
  });

  it("refuses a file that is not a PNG or JPEG: a text file, an SVG, a GIF", async () => {
    await refusedWith(Buffer.from("hello, this is a text file\n"), /^image: not a PNG or JPEG file \(it starts with 68 65 6c 6c 6f 2c 20 74\)$/);
    await refusedWith(Buffer.from("<svg xmlns='http://www.w3.org/2000/svg' width='100' height='30'/>"), /^image: not a PNG or JPEG file/);
    await refusedWith(Buffer.from("GIF89a\x10\x00\x10\x00"), /^image: not a PNG or JPEG file/);
  });

  it("refuses a truncated or corrupt file rather than decode what is left", async () => {
    const png = await encodeImageFile(line("truncated", 8), "png");
    const jpeg = await encodeImageFile(line("truncated", 8), "jpeg");
    await refusedWith(png.subarray(0, 20), /^image: the PNG is truncated: it ends at byte 20, inside its IHDR header/);
    await refusedWith(png.subarray(0, Math.floor(png.length * 0.7)), /^image: the PNG is truncated \(or has data after its end\): it does not end with its IEND chunk$/);
    await refusedWith(jpeg.subarray(0, Math.floor(jpeg.length * 0.9)), /^image: the JPEG is truncated \(or has data after its end\): it does not end with its end-of-image marker/);
    const corrupt = Uint8Array.from(png);
    for (let i = 45; i < corrupt.length - 20; i++) corrupt[i] = (i * 7919) & 255; // IDAT's data scrambled, header and IEND intact
    await refusedWith(corrupt, /^image: the PNG could not be decoded: its data is corrupt$/);
  });

  it("refuses an image over the pixel budget as too large (413) from its header, before decoding", async (t) => {
    // 33 bytes claiming 100000×100000: decoding would first say the data is missing, so this refusal comes from the header alone.
    const started = performance.now();
    await refusedWith(pngHeaderOnly(100_000, 100_000), /^image: the image is 100000×100000 pixels: over the limit of 8192 wide, 2048 high and 4194304 pixels in all$/, true);
    t.diagnostic(`a 100000×100000 header refused in ${(performance.now() - started).toFixed(2)} ms`);
    // A real bomb: a valid 3 KB PNG that decodes to 25 M pixels (100 MB of RGBA).
    const bomb = blackPng(5000, 5000);
    assert.ok(bomb.length < 4000);
    const bombStarted = performance.now();
    await refusedWith(bomb, /^image: the image is 5000×5000 pixels: over the limit/, true);
    t.diagnostic(`a 5000×5000 PNG bomb (${bomb.length} bytes) refused in ${(performance.now() - bombStarted).toFixed(2)} ms`);
    await refusedWith(pngHeaderOnly(8193, 100), /8193×100 pixels: over the limit/, true);
    await refusedWith(pngHeaderOnly(2048, 2049), /2048×2049 pixels: over the limit/, true);
    assert.ok(2100 * 2000 > FILE_MAX_PIXELS);
    await refusedWith(pngHeaderOnly(2100, 2000), /2100×2000 pixels: over the limit/, true);
  });

  it("refuses an image too small or not shaped like one line of text (400, not 413)", async () => {
    const onePixel = drawnPng(1, 1, (ctx) => ctx.fillRect(0, 0, 1, 1));
    await refusedWith(onePixel, /^image: the image is 1×1 pixels: too small, a text line needs at least 8×8$/);
    await refusedWith(drawnPng(100, 7, () => undefined), /100×7 pixels: too small/);
    await refusedWith(drawnPng(5000, 50, () => undefined), /^image: the image is 5000×50 pixels: wider than 48 times its height, so not one text line$/);
    await refusedWith(drawnPng(20, 1000, () => undefined), /^image: the image is 20×1000 pixels: taller than 48 times its width, so not one text line$/);
    await refusedWith(drawnPng(20, 900, () => undefined), /^image: the image is 20×900 pixels, 6×256 once scaled to fit 4096×256: the image's width must be 8\.\.4096 pixels, not 6$/);
  });

  it("turns the miner's text tensor into {text}, which the output schema accepts", () => {
    const answer = recognizeFromTensors(new Map([["text", textTensor("Hello 42")]]));
    assert.deepEqual(answer, { text: "Hello 42" });
    assert.equal(checkOutput(answer), undefined);
    assert.deepEqual(recognizeFromTensors(new Map([["text", textTensor("")]])), { text: "" }, "a blank line reads as nothing");
    assert.deepEqual(recognizeFromTensors(new Map([["text", textTensor("字".repeat(1024))]])), { text: "字".repeat(1024) });
  });

  it("refuses an answer of another form: missing or extra tensors, not a UTF-8 string scalar, over 1024 characters", () => {
    const text = (overrides: Partial<Tensor>): TensorMap => new Map([["text", { ...textTensor("abc"), ...overrides }]]);
    const cases: [TensorMap, RegExp][] = [
      [new Map(), /the answer has the tensors \[\]; expected only text/],
      [new Map([["text", textTensor("a")], ["score", textTensor("b")]]), /the answer has the tensors \[text, score\]; expected only text/],
      [text({ dtype: "bytes" }), /text is bytes \[\]; expected a UTF-8 string, dims \[\]/],
      [text({ dims: [1] }), /text is string \[1\]; expected a UTF-8 string, dims \[\]/],
      [text({ data: Uint8Array.of(0x61, 0xff) }), /text is string \[\]; expected a UTF-8 string/],
      [new Map([["text", textTensor("x".repeat(1025))]]), /text has 1025 characters; at most 1024 are expected/],
      [new Map([["text", textTensor("x".repeat(5000))]]), /text has 5000 bytes; at most 1024 characters are expected/],
    ];
    for (const [answer, message] of cases)
      assert.throws(() => recognizeFromTensors(answer), (error: unknown) => error instanceof OcrAnswerError && error.code === "OCR_ANSWER_INVALID" && message.test(error.message), String(message));
  });
});
