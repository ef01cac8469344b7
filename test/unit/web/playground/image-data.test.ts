import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeImageFile } from "../../../../subnets/ocr/image-file.js";
import { renderLine } from "../../../../subnets/ocr/render.js";
import { prng } from "../../../../src/util/prng.js";
import { base64OfDataUrl, imageTypeOf } from "../../../../src/web/playground/image-data.js";

describe("image files in the page", () => {
  it("a data: URL as FileReader gives it is sent as the base64 after its comma", () => {
    assert.equal(base64OfDataUrl("data:image/png;base64,iVBORw0KGgo="), "iVBORw0KGgo=");
    assert.equal(base64OfDataUrl("data:;base64,AAAA"), "AAAA");
    assert.throws(() => base64OfDataUrl("data:text/plain,hello"), /not read as base64/);
  });

  it("PNG and JPEG are told from their first bytes, anything else is neither", async () => {
    const line = renderLine("tensor", prng(1));
    assert.equal(imageTypeOf(await encodeImageFile(line, "png")), "image/png");
    assert.equal(imageTypeOf(await encodeImageFile(line, "jpeg")), "image/jpeg");
    assert.equal(imageTypeOf(new TextEncoder().encode("GIF89a......")), undefined);
    assert.equal(imageTypeOf(new Uint8Array()), undefined);
  });
});
