import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runCliCaptured } from "../../helpers/cli.js";

describe("questions on a terminal", { timeout: 60_000 }, () => {
  const home = mkdtempSync(join(tmpdir(), "tn-prompt-"));
  const env = { TENSORNODE_HOME: home, BT_WALLET_PATH: join(home, "none") };
  after(() => rmSync(home, { recursive: true, force: true }));

  it("asks for a new coldkey's password twice, hidden, and refuses two different answers without writing anything", async () => {
    const asked: { question: string; secret: boolean }[] = [];
    const differ = await runCliCaptured(["wallet", "create", "--wallet", "w"], { env, answers: ["secret-one", "secret-two"], asked });
    assert.equal(differ.code, 2);
    assert.equal(differ.stderr, "error: the two passwords differ; nothing was written\n");
    assert.deepEqual(asked, [
      { question: "password for the coldkey: ", secret: true },
      { question: "the same password again: ", secret: true },
    ]);
    assert.equal((await runCliCaptured(["wallet", "list", "--json"], { env })).stdout, "[]\n");
    const created = await runCliCaptured(["wallet", "create", "--wallet", "w"], { env, answers: ["secret-one", "secret-one"] });
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /coldkey of wallet "w": 5\w+/);
  });
});
