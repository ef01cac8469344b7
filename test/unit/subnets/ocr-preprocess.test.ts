import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { imageProblem, REC_HEIGHT, recInput, resizedWidth } from "../../../subnets/ocr/preprocess.js";

const grey = (height: number, width: number, value: (y: number, x: number) => number) => ({
  height,
  width,
  channels: 1 as const,
  data: Uint8Array.from({ length: height * width }, (_, i) => value(Math.floor(i / width), i % width)),
});

describe("ocr preprocessing (PP-OCRv4 rec input)", () => {
  it("resizes to height 48 keeping the aspect ratio, pads to at least 320 and a multiple of 8", () => {
    const cases: [number, number, number, number][] = [
      // h, w → resized width, padded width
      [48, 100, 100, 320],
      [24, 400, 800, 800],
      [30, 101, 162, 320],
      [32, 301, 452, 456],
      [96, 8, 4, 320],
    ];
    for (const [h, w, resized, padded] of cases) {
      assert.equal(resizedWidth(h, w), resized, `${h}×${w}`);
      const input = recInput(grey(h, w, () => 255));
      assert.deepEqual(input.dims, [1, 3, REC_HEIGHT, padded], `${h}×${w}`);
      assert.equal(input.resizedWidth, resized);
      assert.equal(input.data.length, 3 * REC_HEIGHT * padded);
    }
  });

  it("normalises to (x/255 − 0.5)/0.5: white 1, black −1, the padding 0", () => {
    const input = recInput(grey(48, 10, (_, x) => (x < 5 ? 0 : 255)));
    const W = input.dims[3];
    for (let p = 0; p < 3; p++)
      for (let y = 0; y < 48; y++) {
        const row = input.data.subarray(p * 48 * W + y * W, p * 48 * W + (y + 1) * W);
        assert.deepEqual([...row.subarray(0, 10)], [-1, -1, -1, -1, -1, 1, 1, 1, 1, 1]);
        assert.ok(row.subarray(10).every((v) => v === 0));
      }
  });

  it("keeps a 48-high image's pixels exactly", () => {
    const image = grey(48, 37, (y, x) => (y * 7 + x * 13) % 256);
    const input = recInput(image);
    const W = input.dims[3];
    for (let y = 0; y < 48; y++) for (let x = 0; x < 37; x++) assert.equal(input.data[y * W + x], Math.fround((image.data[y * 37 + x]! / 255 - 0.5) / 0.5));
  });

  it("resizes bilinearly with OpenCV's pixel-centre alignment", () => {
    // 24 rows of 0 then 24 of 255 at height 96 → at 48, each output row averages two source rows.
    const input = recInput(grey(96, 16, (y) => (y < 48 ? 0 : 255)));
    const W = input.dims[3];
    assert.equal(input.data[23 * W], -1);
    assert.equal(input.data[24 * W], 1);
    // 24 × 8, black then white from column 4, doubled to 48 × 16: columns 6..9 are 0, 63.75, 191.25, 255.
    const up = recInput(grey(24, 8, (_, x) => (x < 4 ? 0 : 255)));
    assert.equal(up.resizedWidth, 16);
    const row = [...up.data.subarray(6, 10)].map((v) => Math.round(((v * 0.5 + 0.5) * 255) * 100) / 100);
    assert.deepEqual(row, [0, 63.75, 191.25, 255]);
  });

  it("puts an RGB image's planes in BGR order (PaddleOCR reads with OpenCV) and repeats a grey one", () => {
    const rgb = { height: 48, width: 8, channels: 3 as const, data: new Uint8Array(48 * 8 * 3) };
    for (let p = 0; p < 48 * 8; p++) rgb.data.set([255, 0, 51], p * 3);
    const input = recInput(rgb);
    const plane = 48 * input.dims[3];
    const v51 = Math.fround((51 / 255 - 0.5) / 0.5);
    assert.equal(input.data[0], v51, "plane 0 is blue");
    assert.equal(input.data[plane], -1, "plane 1 is green");
    assert.equal(input.data[2 * plane], 1, "plane 2 is red");
    const g = recInput(grey(48, 8, () => 51));
    assert.deepEqual([g.data[0], g.data[plane], g.data[2 * plane]], [v51, v51, v51]);
  });

  it("names what is wrong with an image it cannot take", () => {
    assert.equal(imageProblem(32, 100, 3, 32 * 100 * 3), undefined);
    assert.match(imageProblem(32, 100, 2, 6400)!, /1 \(grey\) or 3 \(RGB\) channels, not 2/);
    assert.match(imageProblem(7, 100, 1, 700)!, /height must be 8\.\.256 pixels, not 7/);
    assert.match(imageProblem(32, 4097, 1, 32 * 4097)!, /width must be 8\.\.4096 pixels, not 4097/);
    assert.match(imageProblem(8, 400, 1, 3200)!, /wider than 48 times its height/);
    assert.match(imageProblem(32, 100, 1, 3199)!, /has 3200 bytes, not 3199/);
    assert.throws(() => recInput({ height: 32, width: 100, channels: 1, data: new Uint8Array(10) }), RangeError);
  });
});
