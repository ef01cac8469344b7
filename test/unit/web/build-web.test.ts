/**
 * scripts/build-web.ts: every src/web/<page>/ with index.html and main.ts is bundled into its own
 * folder (script, stylesheet, public files), nothing else is taken for a page, and an index.html
 * that a strict Content-Security-Policy would break is refused at build time.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { buildWebPages, findPages, inlineContent, WebBuildError } from "../../../scripts/build-web.js";

const PAGE_HTML = '<!doctype html><html><head><link rel="stylesheet" href="main.css"><script type="module" src="main.js"></script></head><body></body></html>';

describe("build-web", () => {
  const root = mkdtempSync(join(tmpdir(), "tn-build-web-"));
  after(() => rmSync(root, { recursive: true, force: true }));

  function page(web: string, name: string, files: Record<string, string>): void {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(web, name, path, ".."), { recursive: true });
      writeFileSync(join(web, name, path), text);
    }
  }

  it("finds the folders that hold both index.html and main.ts, and only those", () => {
    const web = join(root, "find");
    page(web, "alpha", { "index.html": PAGE_HTML, "main.ts": "" });
    page(web, "server", { "http.ts": "" });
    page(web, "half", { "main.ts": "" });
    assert.deepEqual(findPages(web).map((p) => p.name), ["alpha"]);
    assert.deepEqual(findPages(join(root, "missing")), []);
  });

  it("bundles a page's script with its imports, its CSS beside it, and its public files as they are", async () => {
    const web = join(root, "web");
    page(web, "demo", {
      "index.html": PAGE_HTML,
      "main.ts": 'import "./style.css";\nimport { greet } from "./greet.js";\ndocument.title = greet("chain");\n',
      "greet.ts": "export const greet = (who: string): string => `hello ${who}`;\n",
      "style.css": "body { color: rebeccapurple; }\n",
      "public/example.txt": "kept as is\n",
    });
    const out = join(root, "dist");
    mkdirSync(join(out, "gone"), { recursive: true });
    const built = await buildWebPages(web, out);
    assert.deepEqual(built.map((b) => b.name), ["demo"]);
    const dir = join(out, "demo");
    assert.match(readFileSync(join(dir, "main.js"), "utf8"), /hello /, "the import is bundled in");
    assert.doesNotMatch(readFileSync(join(dir, "main.js"), "utf8"), /from\s*["']\.\/greet/);
    assert.match(readFileSync(join(dir, "main.css"), "utf8"), /rebeccapurple|#639/);
    assert.equal(readFileSync(join(dir, "index.html"), "utf8"), PAGE_HTML);
    assert.equal(readFileSync(join(dir, "example.txt"), "utf8"), "kept as is\n");
    assert.ok(existsSync(join(dir, "main.js.map")));
    assert.ok(!existsSync(join(out, "gone")), "a page no longer in src/web leaves nothing in dist/web");
  });

  it("refuses what a strict CSP would block: inline script, style element or attribute, handlers, other origins", () => {
    assert.deepEqual(inlineContent(PAGE_HTML), []);
    assert.deepEqual(inlineContent('<script>alert(1)</script>'), ["an inline <script>"]);
    assert.deepEqual(inlineContent('<script src="main.js">x()</script>'), ["an inline <script>"]);
    assert.deepEqual(inlineContent("<style>p{}</style>"), ["a <style> element"]);
    assert.deepEqual(inlineContent('<p style="color:red">x</p>'), ["a style attribute"]);
    assert.deepEqual(inlineContent('<button onclick="go()">x</button>'), ["an event-handler attribute (onclick)"]);
    assert.deepEqual(inlineContent('<script src="https://cdn.example/x.js"></script>'), ["a resource from another origin"]);
    assert.deepEqual(inlineContent('<link rel="stylesheet" href="//cdn.example/x.css">'), ["a resource from another origin"]);
    assert.deepEqual(inlineContent('<a href="https://docs.example">docs</a>'), [], "a link to follow is no resource");
  });

  it("refuses to build such a page, naming the file and the problem", async () => {
    const web = join(root, "bad");
    page(web, "inline", { "index.html": '<script type="module" src="main.js"></script><p style="x">', "main.ts": "" });
    await assert.rejects(buildWebPages(web, join(root, "bad-out")), (error: unknown) => error instanceof WebBuildError && error.code === "INLINE_CONTENT" && /src\/web\/inline\/index\.html: a style attribute/.test(error.message));
    const missing = join(root, "no-script");
    page(missing, "page", { "index.html": "<p>no script</p>", "main.ts": "" });
    await assert.rejects(buildWebPages(missing, join(root, "no-script-out")), (error: unknown) => error instanceof WebBuildError && error.code === "NO_ASSET_LINK");
  });
});
