/** src/web/assets.ts: where the built pages are, and a clear error when a page was not built. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { builtWebAssetsDir, packageRoot, requireWebAssetsDir, WebAssetsError, webAssetsDir } from "../../../src/web/assets.js";

describe("web assets", () => {
  const root = mkdtempSync(join(tmpdir(), "tn-assets-"));
  after(() => rmSync(root, { recursive: true, force: true }));

  it("finds the package root from the sources", () => {
    assert.equal(packageRoot(), fileURLToPath(new URL("../../..", import.meta.url)).replace(/\/$/, ""));
  });

  it("names dist/web/<page> and says whether the page was built", () => {
    assert.equal(webAssetsDir("playground", root), join(root, "dist", "web", "playground"));
    assert.equal(builtWebAssetsDir("playground", root), undefined);
    assert.throws(() => requireWebAssetsDir("playground", root), (error: unknown) => error instanceof WebAssetsError && error.code === "WEB_NOT_BUILT" && /npm run build/.test(error.message));
    mkdirSync(join(root, "dist", "web", "playground"), { recursive: true });
    writeFileSync(join(root, "dist", "web", "playground", "index.html"), "<!doctype html>");
    assert.equal(builtWebAssetsDir("playground", root), join(root, "dist", "web", "playground"));
    assert.equal(requireWebAssetsDir("playground", root), join(root, "dist", "web", "playground"));
  });
});
