import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Bucket, Store, StoreError } from "../../../src/db/store.js";

describe("the daemon state store (level)", () => {
  const dir = mkdtempSync(join(tmpdir(), "tn-store-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps records per bucket, exact bigints and bytes included, across a reopen", async () => {
    const path = join(dir, "a");
    const store = await Store.open(path);
    await store.write([
      { type: "put", bucket: Bucket.Scores, id: "uid-1", value: { ema: 0.5, stake: 123456789012345678901n, key: new Uint8Array([0, 1, 254, 255]), view: new Uint8Array([9, 8, 7, 6]).subarray(1, 3) } },
      { type: "put", bucket: Bucket.PendingCommits, id: "uid-1", value: { salt: [1, 2] } },
    ]);
    await store.close();
    const again = await Store.open(path);
    assert.deepEqual(await again.get(Bucket.Scores, "uid-1"), { ema: 0.5, stake: 123456789012345678901n, key: new Uint8Array([0, 1, 254, 255]), view: new Uint8Array([8, 7]) });
    assert.deepEqual(await again.list(Bucket.PendingCommits), [["uid-1", { salt: [1, 2] }]]);
    assert.deepEqual(await again.list(Bucket.Receipts), []);
    await again.delete(Bucket.Scores, "uid-1");
    assert.equal(await again.get(Bucket.Scores, "uid-1"), undefined);
    await again.close();
    await assert.rejects(again.get(Bucket.Scores, "x"), (e: unknown) => e instanceof StoreError && e.code === "STORE_CLOSED");
  });

  it("refuses a second process on the same data dir with a clear error", async () => {
    const path = join(dir, "b");
    const store = await Store.open(path);
    try {
      await assert.rejects(Store.open(path), (e: unknown) => e instanceof StoreError && /cannot open the state database at .*another process/.test(e.message));
    } finally {
      await store.close();
    }
  });

  it("keeps a write that resolved when the process is killed right after", async () => {
    const path = join(dir, "c");
    const script = `import { Store, Bucket } from ${JSON.stringify(fileURLToPath(new URL("../../../src/db/store.ts", import.meta.url)))};
const s = await Store.open(${JSON.stringify(path)});
await s.write([{ type: "put", bucket: Bucket.PendingCommits, id: "c", value: { epoch: 7 } }, { type: "put", bucket: Bucket.Scores, id: "s", value: 1 }]);
process.kill(process.pid, "SIGKILL");`;
    const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
    assert.equal(run.signal, "SIGKILL", run.stderr);
    const store = await Store.open(path);
    assert.deepEqual(await store.get(Bucket.PendingCommits, "c"), { epoch: 7 });
    assert.equal(await store.get(Bucket.Scores, "s"), 1);
    await store.close();
  });
});
