import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runCliCaptured } from "../../helpers/cli.js";

describe("tensornode devnet", () => {
  const dir = mkdtempSync(join(tmpdir(), "tensornode-devnet-cli-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("starts, prints its endpoint and genesis, and stops cleanly when asked to", async () => {
    const run = await runCliCaptured(["devnet", "--port", "0", "--data-dir", join(dir, "a"), "--log-level", "silent"], { shutdown: Promise.resolve("SIGTERM") });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^devnet "tensornode devnet" at ws:\/\/127\.0\.0\.1:\d+ \(HTTP on the same port\), genesis 0x[0-9a-f]{64}, head #0, data .*\n$/);
  });

  it("refuses a bad block time, a bad genesis file and a busy port in one line each (exit 2)", async () => {
    const badTime = await runCliCaptured(["devnet", "--block-time", "soon"]);
    assert.equal(badTime.code, 2);
    assert.equal(badTime.stderr, 'error: --block-time: "soon" is not an interval (1s, 250ms: 10ms..1h), instant or manual\n');

    const genesis = join(dir, "genesis.json");
    writeFileSync(genesis, JSON.stringify({ balances: [["//Alice", "-5"]] }));
    const badGenesis = await runCliCaptured(["devnet", "--genesis", genesis, "--data-dir", join(dir, "b")]);
    assert.equal(badGenesis.code, 2);
    assert.match(badGenesis.stderr, /^error: .*genesis\.json: balances\[0\]\[1\]: expected a balance in rao/);
    assert.equal(badGenesis.stderr.split("\n").length, 2);

    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const busy = await runCliCaptured(["devnet", "--port", String(port), "--data-dir", join(dir, "c"), "--log-level", "silent"], { shutdown: new Promise(() => undefined) });
      assert.equal(busy.code, 2);
      assert.equal(busy.stderr, `error: port ${port} on 127.0.0.1 is already in use (another devnet?); choose another with --port\n`);
    } finally {
      server.close();
    }
  });

  it("refuses a data dir made from another genesis, and --fresh starts over", async () => {
    const dataDir = join(dir, "d");
    const first = await runCliCaptured(["devnet", "--port", "0", "--data-dir", dataDir, "--log-level", "silent"]);
    assert.equal(first.code, 0, first.stderr);
    const genesis = join(dir, "other.json");
    writeFileSync(genesis, JSON.stringify({ chain: "other", balances: [["//Alice", "1000000000"]] }));
    const mismatch = await runCliCaptured(["devnet", "--port", "0", "--data-dir", dataDir, "--genesis", genesis, "--log-level", "silent"]);
    assert.equal(mismatch.code, 2);
    assert.match(mismatch.stderr, /^error: the data dir holds a chain made from another genesis; start with --fresh/);
    const fresh = await runCliCaptured(["devnet", "--port", "0", "--data-dir", dataDir, "--genesis", genesis, "--fresh", "--log-level", "silent"]);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.match(fresh.stdout, /^devnet "other"/);
  });
});
