/**
 * The OCR subnet's public interface against the real PP-OCRv4 model: lines rendered by the
 * plugin's own renderer, sent as a user would (the base64 of a PNG or JPEG in a JSON body), checked
 * by the input schema, converted, read by the plugin's miner side on real onnxruntime workers,
 * converted back and checked by the output schema, give back their text.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createCanvas } from "@napi-rs/canvas";
import { InferencePool } from "../../../src/miner/inference/pool.js";
import { compileJsonSchema, type JsonChecker } from "../../../src/subnet/json-schema.js";
import { loadPlugin, pluginRoots } from "../../../src/subnet/loader.js";
import type { MinerSide, PublicSynapse } from "../../../src/subnet/plugin.js";
import { prng } from "../../../src/util/prng.js";
import { EXAMPLE_TEXT } from "../../../subnets/ocr/api.js";
import { encodeImageFile } from "../../../subnets/ocr/image-file.js";
import type { TextLineImage } from "../../../subnets/ocr/preprocess.js";
import { FONT_FAMILY, randomLine, registerFont, renderLine } from "../../../subnets/ocr/render.js";
import { textSimilarity } from "../../../subnets/ocr/validator.js";
import { silentLog } from "../../helpers/devnet.js";
import { enlarged, greyed, turnedCounterClockwise, withExifOrientation } from "../../helpers/image-files.js";

const LINES = 40;
const SEED = 20_260_317;

describe("the OCR subnet's public interface on the real model", { timeout: 120_000 }, () => {
  let pool: InferencePool;
  let miner: MinerSide;
  let recognize: PublicSynapse;
  let checkInput: JsonChecker;
  let checkOutput: JsonChecker;

  before(async () => {
    const plugin = await loadPlugin("ocr", { roots: pluginRoots({}) });
    pool = new InferencePool({ workers: 2, device: "cpu", log: silentLog });
    for (const [name, path] of plugin.modelFiles) if (plugin.manifest.models[name]?.kind === "onnx") pool.register(name, path);
    miner = await (await plugin.loadMiner()).createMiner({ manifest: plugin.manifest, models: pool, modelFiles: plugin.modelFiles, log: silentLog });
    const api = await plugin.loadApi();
    assert.ok(api, "the manifest declares its api module");
    recognize = (await api.createPublicApi({ manifest: plugin.manifest, log: silentLog })).recognize!;
    checkInput = compileJsonSchema(recognize.input, "ocr api: recognize.input");
    checkOutput = compileJsonSchema(recognize.output, "ocr api: recognize.output");
  });
  after(async () => {
    await pool?.close();
  });

  /** A user's request body through the whole path: parse, check, convert, the miner, convert back, check. */
  async function read(file: Uint8Array): Promise<string> {
    const body = JSON.stringify({ image: Buffer.from(file).toString("base64") });
    assert.ok(Buffer.byteLength(body) <= recognize.maxBodyBytes);
    const input: unknown = JSON.parse(body);
    assert.equal(checkInput(input), undefined);
    const answer = await miner.answer({ synapse: "recognize", body: await recognize.toTensors(input), signal: new AbortController().signal, emit: async () => undefined });
    assert.ok(answer, "an answer, not a stream");
    const output = recognize.fromTensors(answer);
    assert.equal(checkOutput(output), undefined);
    return (output as { text: string }).text;
  }

  it(`reads back the example: a PNG of "${EXAMPLE_TEXT}"`, async () => {
    assert.equal(await read(Buffer.from((recognize.example as { image: string }).image, "base64")), EXAMPLE_TEXT);
  });

  it(`reads ${LINES} seeded rendered lines sent as PNG and as JPEG`, async (t) => {
    const random = prng(SEED);
    const mistakes: string[] = [];
    let exact = 0;
    for (let i = 0; i < LINES; i++) {
      const text = randomLine(random);
      const image = renderLine(text, random);
      for (const format of ["png", "jpeg"] as const) {
        const got = await read(await encodeImageFile(image, format, 90));
        const similarity = textSimilarity(text, got);
        if (got === text) exact += 1;
        else mistakes.push(`#${i} ${format} ${JSON.stringify(text)} → ${JSON.stringify(got)}`);
        assert.ok(similarity >= 0.8, `line ${i} as ${format}: ${JSON.stringify(text)} read as ${JSON.stringify(got)}`);
      }
    }
    t.diagnostic(`exact: ${exact}/${2 * LINES}`);
    for (const mistake of mistakes) t.diagnostic(`mistake ${mistake}`);
    assert.ok(exact >= 0.95 * 2 * LINES, `only ${exact}/${2 * LINES} exactly right:\n${mistakes.join("\n")}`);
  });

  it("reads a grey PNG, a screenshot taller than the miner takes (scaled down), and a JPEG turned upright by its EXIF orientation", async () => {
    const text = "Hello world 2026";
    const image = renderLine(text, prng(3));
    assert.equal(await read(await encodeImageFile(greyed(image), "png")), text);
    const zoomed: TextLineImage = enlarged(image, 6);
    assert.ok(zoomed.height > 256, `${zoomed.width}×${zoomed.height}`);
    assert.equal(await read(await encodeImageFile(zoomed, "png")), text);
    assert.equal(await read(withExifOrientation(await encodeImageFile(turnedCounterClockwise(image), "jpeg", 95), 6)), text);
  });

  it("reads dark text drawn on a transparent background", async () => {
    registerFont();
    const canvas = createCanvas(260, 48);
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#202020";
    ctx.font = `30px ${FONT_FAMILY}`;
    ctx.textBaseline = "middle";
    ctx.fillText("transparent", 8, 24);
    assert.equal(await read(canvas.toBuffer("image/png")), "transparent");
  });
});
