/**
 * The Dockerfile's steps, run without Docker (there is no Docker engine here) by
 * scripts/dockerfile-steps.ts: a clean `npm ci` and the build in a copy of what the image copies,
 * the runtime stage assembled from the build stage, and the entrypoint run from it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

describe("the Dockerfile", { timeout: 600_000 }, () => {
  it("builds (its steps, without Docker) into an image whose entrypoint runs", () => {
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/dockerfile-steps.ts"], { cwd: root, encoding: "utf8", timeout: 590_000 });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`.slice(-4000));
    assert.match(run.stdout, /RUN npm ci --no-audit --no-fund && npm prune --omit=dev/);
    assert.match(run.stdout, /RUN useradd .* skipped/);
    assert.match(run.stdout, /ENTRYPOINT bin\/tensornode\.js --help: ok/);
    assert.match(run.stdout, /ENTRYPOINT bin\/tensornode\.js sim epoch config\/examples\/epoch-example\.json: ok/);
    assert.match(run.stdout, /the Dockerfile's steps work/);
  });
});
