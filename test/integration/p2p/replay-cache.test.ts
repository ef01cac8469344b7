import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, afterEach, beforeEach, describe, it } from "node:test";
import { Level } from "level";
import { ReplayCache, type ReplayCacheOptions } from "../../../src/p2p/admission/index.js";
import { ReplayCacheError, type ReplayCacheErrorCode } from "../../../src/p2p/admission/errors.js";
import { FORGOTTEN_THROUGH_KEY, NONCE_KEY_PREFIX } from "../../../src/p2p/admission/replay-cache.js";

const T0 = 1_700_000_000_000;
const WINDOW_MS = 1_000;

function manualClock(start = T0) {
  let time = start;
  return { now: () => time, advance: (ms: number) => void (time += ms), set: (ms: number) => void (time = ms) };
}

/** The n-th test nonce, as 16 bytes. */
function nonce(n: number): Uint8Array {
  const bytes = new Uint8Array(16);
  new DataView(bytes.buffer).setUint32(12, n);
  bytes[0] = 0xab;
  return bytes;
}
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

function replayError(code: ReplayCacheErrorCode) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof ReplayCacheError, `expected a ReplayCacheError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  };
}

/** Every key of the database at `path` (which must be closed), with its value. */
async function storedEntries(path: string): Promise<Map<string, string>> {
  const db = new Level<string, string>(path, { keyEncoding: "utf8", valueEncoding: "utf8" });
  try {
    return new Map(await db.iterator().all());
  } finally {
    await db.close();
  }
}

async function storedNonces(path: string): Promise<string[]> {
  return [...(await storedEntries(path)).keys()].filter((key) => key.startsWith(NONCE_KEY_PREFIX)).map((key) => key.slice(NONCE_KEY_PREFIX.length));
}

describe("ReplayCache", () => {
  const roots: string[] = [];
  let path = "";
  let clock = manualClock();
  const open: ReplayCache[] = [];

  async function openCache(overrides: Partial<ReplayCacheOptions> = {}): Promise<ReplayCache> {
    const cache = await ReplayCache.open(path, { windowMs: WINDOW_MS, maxEntries: 100, now: clock.now, ...overrides });
    open.push(cache);
    return cache;
  }

  beforeEach(async () => {
    const root = await mkdtemp(join(tmpdir(), "tensornode-replay-cache-"));
    roots.push(root);
    path = join(root, "db");
    clock = manualClock();
  });

  afterEach(async () => {
    for (const cache of open.splice(0)) await cache.close();
  });

  after(async () => {
    for (const root of roots) await rm(root, { recursive: true, force: true });
  });

  it("answers true for a fresh nonce and false for its replay, in bytes or hex", async () => {
    const cache = await openCache();
    assert.equal(await cache.checkAndRemember(nonce(1), T0), true);
    assert.equal(await cache.checkAndRemember(nonce(1), T0), false);
    assert.equal(await cache.checkAndRemember(`0x${hex(nonce(1)).toUpperCase()}`, T0 - 5), false, "same nonce, other form and timestamp");
    assert.equal(await cache.checkAndRemember(hex(nonce(2)), T0), true);
    assert.equal(cache.size, 2);
  });

  it("lets exactly one of many concurrent calls with the same nonce win", async () => {
    const cache = await openCache();
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => cache.checkAndRemember(i % 2 ? nonce(7) : hex(nonce(7)), T0)));
    assert.equal(answers.filter((fresh) => fresh).length, 1);
    assert.equal(answers.length, 25);
    const distinct = await Promise.all(Array.from({ length: 25 }, (_, i) => cache.checkAndRemember(nonce(100 + i), T0)));
    assert.ok(distinct.every((fresh) => fresh), "distinct nonces do not interfere");
  });

  it("still refuses a nonce after close and reopen", async () => {
    const first = await openCache();
    assert.equal(await first.checkAndRemember(nonce(1), T0), true);
    await first.close();
    clock.advance(WINDOW_MS / 2);
    const second = await openCache();
    assert.equal(second.size, 1);
    assert.equal(await second.checkAndRemember(nonce(1), T0), false);
    assert.equal(await second.checkAndRemember(nonce(2), T0), true);
  });

  it("still refuses a nonce after the process is killed right after it was accepted", async () => {
    const moduleUrl = pathToFileURL(join(import.meta.dirname, "../../../src/p2p/admission/replay-cache.ts")).href;
    const child = `
      import { writeSync } from "node:fs";
      import { ReplayCache } from ${JSON.stringify(moduleUrl)};
      const cache = await ReplayCache.open(${JSON.stringify(path)}, { windowMs: ${WINDOW_MS}, maxEntries: 100, now: () => ${T0} });
      const fresh = await cache.checkAndRemember(${JSON.stringify(hex(nonce(9)))}, ${T0});
      writeSync(1, String(fresh));
      process.kill(process.pid, "SIGKILL");
    `;
    const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", child], { encoding: "utf8", timeout: 60_000 });
    assert.equal(run.signal, "SIGKILL", `the child must die by SIGKILL, not close the cache: ${run.stderr}`);
    assert.equal(run.stdout, "true", "the child accepted the nonce as fresh");
    const cache = await openCache();
    assert.equal(await cache.checkAndRemember(nonce(9), T0), false);
  });

  it("keeps a nonce until its timestamp is exactly windowMs old, and forgets it from memory and disk after", async () => {
    const cache = await openCache();
    assert.equal(await cache.checkAndRemember(nonce(1), T0), true);
    assert.equal(await cache.checkAndRemember(nonce(2), T0 + 500), true);
    clock.set(T0 + WINDOW_MS);
    assert.equal(await cache.prune(), 0);
    assert.equal(await cache.checkAndRemember(nonce(1), T0), false, "at the window's edge the request is still acceptable, so still a replay");
    clock.set(T0 + WINDOW_MS + 1);
    assert.equal(await cache.prune(), 1);
    assert.equal(cache.size, 1);
    await assert.rejects(cache.checkAndRemember(nonce(1), T0), replayError("OUTSIDE_WINDOW"), "the window now refuses the replay by itself");
    await cache.close();
    assert.deepEqual(await storedNonces(path), [hex(nonce(2))]);
  });

  it("prunes expired nonces as new ones arrive, without being asked", async () => {
    const cache = await openCache();
    for (let i = 0; i < 10; i++) assert.equal(await cache.checkAndRemember(nonce(i), T0 + i), true);
    clock.set(T0 + 5 + WINDOW_MS + 1);
    assert.equal(await cache.checkAndRemember(nonce(50), clock.now()), true);
    assert.equal(cache.size, 5, "nonces 0..5 expired, 6..9 and 50 remain");
    await cache.close();
    assert.deepEqual((await storedNonces(path)).sort(), [6, 7, 8, 9, 50].map((n) => hex(nonce(n))).sort());
  });

  it("deletes on open what expired while it was closed, and leaves other keys of a shared database alone", async () => {
    const first = await openCache();
    assert.equal(await first.checkAndRemember(nonce(1), T0), true);
    assert.equal(await first.checkAndRemember(nonce(2), T0 + 800), true);
    await first.close();
    const shared = new Level<string, string>(path, { keyEncoding: "utf8", valueEncoding: "utf8" });
    await shared.put("scores:alice", "0.5");
    await shared.close();
    clock.set(T0 + WINDOW_MS + 1);
    const second = await openCache();
    assert.equal(second.size, 1);
    await second.close();
    const stored = await storedEntries(path);
    assert.deepEqual(await storedNonces(path), [hex(nonce(2))]);
    assert.equal(stored.get("scores:alice"), "0.5");
  });

  it("refuses a new nonce with REPLAY_CACHE_FULL once maxEntries live nonces are held, and accepts again once some expire", async () => {
    const cache = await openCache({ maxEntries: 3 });
    for (let i = 0; i < 3; i++) assert.equal(await cache.checkAndRemember(nonce(i), T0 + i * 100), true);
    await assert.rejects(cache.checkAndRemember(nonce(3), T0), replayError("REPLAY_CACHE_FULL"));
    assert.equal(await cache.checkAndRemember(nonce(0), T0), false, "a replay is still called a replay when full");
    assert.equal(cache.size, 3);
    clock.set(T0 + WINDOW_MS + 1);
    assert.equal(await cache.checkAndRemember(nonce(3), clock.now()), true, "nonce 0 expired and made room");
    await assert.rejects(cache.checkAndRemember(nonce(4), clock.now()), replayError("REPLAY_CACHE_FULL"));
    assert.equal(await cache.checkAndRemember(nonce(1), T0 + 100), false, "the live nonces were not forgotten to make room");
  });

  it("admits no more than maxEntries among concurrent calls", async () => {
    const cache = await openCache({ maxEntries: 4 });
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => cache.checkAndRemember(nonce(i), T0)));
    assert.equal(results.filter((r) => r.status === "fulfilled" && r.value === true).length, 4);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    assert.equal(refused.length, 8);
    for (const r of refused) replayError("REPLAY_CACHE_FULL")(r.reason);
  });

  it("keeps every live nonce on reopen even beyond a lowered maxEntries, and refuses new ones until they expire", async () => {
    const first = await openCache({ maxEntries: 5 });
    for (let i = 0; i < 5; i++) assert.equal(await first.checkAndRemember(nonce(i), T0), true);
    await first.close();
    const second = await openCache({ maxEntries: 2 });
    assert.equal(second.size, 5);
    for (let i = 0; i < 5; i++) assert.equal(await second.checkAndRemember(nonce(i), T0), false);
    await assert.rejects(second.checkAndRemember(nonce(5), T0), replayError("REPLAY_CACHE_FULL"));
  });

  it("refuses timestamps outside the window, and remembers a future one until it leaves the window", async () => {
    const cache = await openCache();
    await assert.rejects(cache.checkAndRemember(nonce(1), T0 - WINDOW_MS - 1), replayError("OUTSIDE_WINDOW"));
    await assert.rejects(cache.checkAndRemember(nonce(1), T0 + WINDOW_MS + 1), replayError("OUTSIDE_WINDOW"));
    assert.equal(cache.size, 0);
    assert.equal(await cache.checkAndRemember(nonce(1), T0 + WINDOW_MS), true);
    clock.set(T0 + 2 * WINDOW_MS);
    assert.equal(await cache.prune(), 0);
    assert.equal(await cache.checkAndRemember(nonce(1), T0 + WINDOW_MS), false);
  });

  it("refuses what it may have forgotten when the clock steps back, also after reopen", async () => {
    const first = await openCache();
    assert.equal(await first.checkAndRemember(nonce(1), T0), true);
    clock.set(T0 + WINDOW_MS + 1);
    assert.equal(await first.prune(), 1);
    clock.set(T0 + WINDOW_MS - 100);
    await assert.rejects(first.checkAndRemember(nonce(1), T0), replayError("OUTSIDE_WINDOW"), "inside the stepped-back window, but forgotten");
    assert.equal(await first.checkAndRemember(nonce(2), T0 + 1), true, "later timestamps are fine");
    await first.close();
    assert.equal((await storedEntries(path)).get(FORGOTTEN_THROUGH_KEY), String(T0));
    const second = await openCache();
    await assert.rejects(second.checkAndRemember(nonce(1), T0), replayError("OUTSIDE_WINDOW"));
  });

  it("keeps a nonce whose stored timestamp cannot be read for one more window from open", async () => {
    const db = new Level<string, string>(path, { keyEncoding: "utf8", valueEncoding: "utf8" });
    await db.put(NONCE_KEY_PREFIX + hex(nonce(1)), "not a number");
    await db.close();
    const cache = await openCache();
    assert.equal(await cache.checkAndRemember(nonce(1), T0), false);
    clock.advance(WINDOW_MS + 1);
    assert.equal(await cache.prune(), 1);
    await cache.close();
    assert.deepEqual(await storedNonces(path), []);
  });

  it("finishes the writes under way when closed, then refuses calls", async () => {
    const cache = await openCache();
    const pending = cache.checkAndRemember(nonce(1), T0);
    await cache.close();
    assert.equal(await pending, true);
    await cache.close();
    await assert.rejects(cache.checkAndRemember(nonce(2), T0), replayError("REPLAY_CACHE_CLOSED"));
    await assert.rejects(cache.prune(), replayError("REPLAY_CACHE_CLOSED"));
    assert.deepEqual(await storedNonces(path), [hex(nonce(1))]);
  });

  it("refuses malformed nonces and timestamps without remembering anything", async () => {
    const cache = await openCache({ sync: true });
    await assert.rejects(cache.checkAndRemember(new Uint8Array(8), T0), replayError("BAD_NONCE"));
    await assert.rejects(cache.checkAndRemember("xyz", T0), replayError("BAD_NONCE"));
    await assert.rejects(cache.checkAndRemember(nonce(1), T0 + 0.5), replayError("BAD_TIMESTAMP"));
    await assert.rejects(cache.checkAndRemember(nonce(1), Number.NaN), replayError("BAD_TIMESTAMP"));
    assert.equal(cache.size, 0);
    assert.equal(await cache.checkAndRemember(nonce(1), T0), true, "with sync writes too");
  });

  it("refuses settings out of range", async () => {
    const badOption = (error: unknown): boolean => (error as { code?: unknown }).code === "BAD_ADMISSION_OPTION";
    await assert.rejects(ReplayCache.open(path, { windowMs: 0, maxEntries: 1, now: clock.now }), badOption);
    await assert.rejects(ReplayCache.open(path, { windowMs: 1, maxEntries: 0, now: clock.now }), badOption);
  });
});
