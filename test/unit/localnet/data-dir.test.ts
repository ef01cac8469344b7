import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { claimDataDir } from "../../../src/localnet/data-dir.js";

describe("the local network's data dir", () => {
  const root = mkdtempSync(join(tmpdir(), "tn-ln-dir-"));
  after(() => rmSync(root, { recursive: true, force: true }));
  const description = { subnet: "tiny" };

  it("is claimed when new (created), and marked until released", () => {
    const dir = join(root, "new");
    const claim = claimDataDir(dir, { fresh: false, description, pid: 1234 });
    assert.deepEqual(readdirSync(dir).sort(), ["localnet.json", "localnet.pid"]);
    claim.release();
    claim.release();
    assert.deepEqual(readdirSync(dir), ["localnet.json"]);
  });

  it("refuses, in one line with what to do, a dir that holds an earlier network; --fresh removes only what a localnet wrote", () => {
    const dir = join(root, "earlier");
    for (const sub of ["devnet/chain", "wallets/localnet", "logs", "validator1/state", "miners"]) mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, "notes.txt"), "mine");
    assert.throws(
      () => claimDataDir(dir, { fresh: false, description, pid: 1234 }),
      (error: Error & { code?: string }) => error.name === "UserError" && error.code === "DATA_DIR_HOLDS_NETWORK" && !error.message.includes("\n") && /--fresh/.test(error.message) && /--data-dir/.test(error.message),
    );
    assert.ok(existsSync(join(dir, "devnet", "chain")), "nothing removed when refused");
    claimDataDir(dir, { fresh: true, description, pid: 1234 }).release();
    assert.deepEqual(readdirSync(dir).sort(), ["localnet.json", "notes.txt"]);
  });

  it("refuses a dir another live localnet runs in, and takes over one whose localnet died", () => {
    const dir = join(root, "busy");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "localnet.pid"), "4321\n");
    assert.throws(() => claimDataDir(dir, { fresh: true, description, pid: 1234, isAlive: () => true }), (error: Error & { code?: string }) => error.code === "DATA_DIR_IN_USE" && /pid 4321/.test(error.message));
    claimDataDir(dir, { fresh: true, description, pid: 1234, isAlive: () => false }).release();
    assert.ok(!existsSync(join(dir, "localnet.pid")));
  });
});
