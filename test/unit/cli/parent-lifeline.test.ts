import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { PARENT_GONE, shutdownOrParentGone } from "../../../src/cli/parent-lifeline.js";

describe("a daemon that stops with its parent", () => {
  it("stops when its stdin ends (the parent exited) with TENSORNODE_STOP_WITH_PARENT=1", async () => {
    const stdin = new PassThrough();
    const stopped = shutdownOrParentGone(new Promise<string>(() => undefined), { TENSORNODE_STOP_WITH_PARENT: "1" }, stdin);
    stdin.end();
    assert.equal(await stopped, PARENT_GONE);
  });

  it("stops on a signal as before, and lets go of stdin (which would keep the process alive)", async () => {
    const stdin = new PassThrough();
    assert.equal(await shutdownOrParentGone(Promise.resolve("SIGTERM"), { TENSORNODE_STOP_WITH_PARENT: "1" }, stdin), "SIGTERM");
    assert.ok(stdin.destroyed);
  });

  it("does not keep the process alive by reading stdin (a daemon that fails at start still exits)", async () => {
    const stdin = Object.assign(new PassThrough(), { unrefs: 0, unref() { this.unrefs += 1; } });
    void shutdownOrParentGone(new Promise<string>(() => undefined), { TENSORNODE_STOP_WITH_PARENT: "1" }, stdin);
    assert.equal(stdin.unrefs, 1);
    stdin.destroy();
  });

  it("ignores stdin without the variable", async () => {
    const stdin = new PassThrough();
    const shutdown = Promise.resolve("SIGINT");
    assert.equal(shutdownOrParentGone(shutdown, {}, stdin), shutdown);
    assert.ok(!stdin.destroyed);
  });
});
