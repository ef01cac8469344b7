import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GlobalFonts } from "@napi-rs/canvas";
import { createValidator, latencyWeight, normaliseText, textSimilarity } from "../../../subnets/ocr/validator.js";
import { FONT_FAMILY, randomLine, registerFont, renderLine } from "../../../subnets/ocr/render.js";
import { imageProblem } from "../../../subnets/ocr/preprocess.js";
import { WORDS } from "../../../subnets/ocr/words.js";
import { parseManifest } from "../../../src/subnet/manifest.js";
import { createLogger } from "../../../src/util/logger.js";
import { prng } from "../../../src/util/prng.js";
import manifestJson from "../../../subnets/ocr/manifest.json" with { type: "json" };

const manifest = parseManifest(manifestJson, "subnets/ocr/manifest.json");
const log = createLogger({ level: "silent", format: "json" });

describe("ocr validator side (no model)", () => {
  it("has a word list of several hundred distinct lowercase words", () => {
    assert.ok(WORDS.length >= 300, `${WORDS.length} words`);
    assert.equal(new Set(WORDS).size, WORDS.length);
    for (const word of WORDS) assert.match(word, /^[a-z]{2,11}$/);
  });

  it("draws lines of 1 to 4 words and numbers, in all three casings", () => {
    const random = prng(5);
    const seen = { lower: 0, capital: 0, upper: 0, integer: 0, decimal: 0 };
    const words = new Set(WORDS);
    for (let i = 0; i < 500; i++) {
      const tokens = randomLine(random).split(" ");
      assert.ok(tokens.length >= 1 && tokens.length <= 4);
      for (const token of tokens) {
        if (/^(0|[1-9]\d{0,5})$/.test(token)) seen.integer += 1;
        else if (/^(0|[1-9]\d{0,5})\.\d{1,2}$/.test(token)) seen.decimal += 1;
        else {
          assert.ok(words.has(token.toLowerCase()), token);
          if (token === token.toLowerCase()) seen.lower += 1;
          else if (token === token.toUpperCase() && token.length > 1) seen.upper += 1;
          else seen.capital += 1;
        }
      }
    }
    for (const [kind, count] of Object.entries(seen)) assert.ok(count > 20, `${kind}: ${count}`);
  });

  it("renders with the shipped DejaVu Sans, deterministically for a seed", () => {
    registerFont();
    assert.ok(GlobalFonts.families.some((f) => f.family === FONT_FAMILY), "the font is registered");
    const a = renderLine("Hello 2026", prng(3));
    const b = renderLine("Hello 2026", prng(3));
    assert.deepEqual([a.height, a.width, a.channels], [b.height, b.width, b.channels]);
    assert.ok(Buffer.from(a.data).equals(Buffer.from(b.data)), "same seed, same pixels");
    assert.equal(imageProblem(a.height, a.width, a.channels, a.data.length), undefined);
    let dark = 0;
    let light = 0;
    for (const v of a.data) v < 100 ? (dark += 1) : v > 180 && (light += 1);
    assert.ok(dark > 50 && light > a.data.length / 2, `text drawn on a light background (${dark} dark, ${light} light values)`);
  });

  it("makes replayable challenges: an RGB image of the expected text", async () => {
    const validator = await createValidator({ manifest, log });
    const one = await validator.challenge(prng(11));
    const two = await validator.challenge(prng(11));
    assert.equal(one.synapse, "recognize");
    assert.deepEqual(one.expected, two.expected);
    const image = one.body.get("image")!;
    assert.equal(image.dtype, "uint8");
    assert.equal(image.dims.length, 3);
    assert.equal(image.dims[2], 3);
    assert.ok(Buffer.from(image.data).equals(Buffer.from(two.body.get("image")!.data)));
    assert.notDeepEqual((await validator.challenge(prng(12))).expected, one.expected);
  });

  it("compares text after folding compatibility forms and whitespace; weighs latency 1 → 0.5", () => {
    assert.equal(normaliseText("  ＡＢＣ\u3000１２３\t x "), "ABC 123 x");
    assert.equal(textSimilarity("hello world", " hello  world "), 1);
    assert.equal(textSimilarity("hello", "hallo"), 0.8);
    assert.equal(textSimilarity("abc", ""), 0);
    assert.equal(latencyWeight(0, 3000), 1);
    assert.equal(latencyWeight(1500, 3000), 0.75);
    assert.equal(latencyWeight(9000, 3000), 0.5);
    assert.equal(latencyWeight(-5, 3000), 1);
  });
});
