import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HotkeyRateLimiter, type HotkeyRateLimiterOptions } from "../../../../src/p2p/admission/token-bucket.js";
import { AdmissionOptionError } from "../../../../src/p2p/admission/errors.js";
import { prng } from "../../../../src/util/prng.js";

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let time = start;
  return { now: () => time, advance: (ms: number) => void (time += ms), set: (ms: number) => void (time = ms) };
}

function limiter(options: Partial<HotkeyRateLimiterOptions> & { now: () => number }): HotkeyRateLimiter {
  return new HotkeyRateLimiter({ capacity: 3, refillPerSecond: 2, maxKeys: 100, ...options });
}

/** Takes until refused; returns how many were admitted (capped, so a broken limiter fails rather than hangs). */
function drain(l: HotkeyRateLimiter, key: string, cost = 1): number {
  let admitted = 0;
  while (l.tryTake(key, cost).ok && admitted < 1000) admitted++;
  return admitted;
}

function badOption(error: unknown): boolean {
  assert.ok(error instanceof AdmissionOptionError, `expected an AdmissionOptionError, got ${String(error)}`);
  assert.equal(error.code, "BAD_ADMISSION_OPTION");
  return true;
}

describe("HotkeyRateLimiter", () => {
  it("lets a new key burst up to capacity, then refuses it with the time until one token is back", () => {
    const clock = manualClock();
    const l = limiter({ now: clock.now });
    assert.deepEqual([l.tryTake("alice"), l.tryTake("alice"), l.tryTake("alice")], [{ ok: true }, { ok: true }, { ok: true }]);
    assert.deepEqual(l.tryTake("alice"), { ok: false, retryAfterMs: 500 });
  });

  it("refills at refillPerSecond, continuously", () => {
    const clock = manualClock();
    const l = limiter({ now: clock.now });
    assert.equal(drain(l, "alice"), 3);
    clock.advance(250);
    assert.deepEqual(l.tryTake("alice"), { ok: false, retryAfterMs: 250 }, "half a token after 250 ms at 2/s");
    clock.advance(250);
    assert.equal(drain(l, "alice"), 1);
    clock.advance(1000);
    assert.equal(drain(l, "alice"), 2);
  });

  it("never holds more than capacity, however long a key stays idle", () => {
    const clock = manualClock();
    const l = limiter({ now: clock.now });
    assert.equal(drain(l, "alice"), 3);
    clock.advance(3_600_000);
    assert.equal(drain(l, "alice"), 3);
  });

  it("keeps one bucket per key", () => {
    const clock = manualClock();
    const l = limiter({ now: clock.now });
    assert.equal(drain(l, "alice"), 3);
    assert.equal(drain(l, "bob"), 3);
    assert.equal(l.tryTake("alice").ok, false);
  });

  it("charges a request's cost, and takes nothing when it refuses", () => {
    const clock = manualClock();
    const l = limiter({ now: clock.now });
    assert.deepEqual(l.tryTake("alice", 2), { ok: true });
    assert.deepEqual(l.tryTake("alice", 2), { ok: false, retryAfterMs: 500 }, "1 token held, 2 needed");
    assert.deepEqual(l.tryTake("alice", 1), { ok: true }, "the refused request took nothing");
    assert.deepEqual(l.tryTake("alice", 3), { ok: false, retryAfterMs: 1500 });
  });

  it("admits a caller who waits exactly retryAfterMs, and not one who waits a millisecond less", () => {
    const random = prng(42);
    for (let trial = 0; trial < 2000; trial++) {
      const capacity = 1 + Math.floor(random() * 20) + (random() < 0.5 ? random() : 0);
      const refillPerSecond = 0.1 + random() * 50;
      const cost = Math.min(capacity, 0.1 + random() * capacity);
      const clock = manualClock();
      const l = new HotkeyRateLimiter({ capacity, refillPerSecond, maxKeys: 1, now: clock.now });
      clock.advance(Math.floor(random() * 100));
      drain(l, "k", cost);
      const refused = l.tryTake("k", cost);
      assert.equal(refused.ok, false);
      if (refused.ok) continue;
      assert.ok(refused.retryAfterMs >= 1);
      // A twin with the same history probes one millisecond early without spending the original's tokens.
      const twinClock = manualClock(clock.now());
      const twin = new HotkeyRateLimiter({ capacity, refillPerSecond, maxKeys: 1, now: twinClock.now });
      drain(twin, "k", cost);
      twinClock.advance(refused.retryAfterMs - 1);
      assert.equal(twin.tryTake("k", cost).ok, false, `trial ${trial}: admitted 1 ms early`);
      clock.advance(refused.retryAfterMs);
      assert.equal(l.tryTake("k", cost).ok, true, `trial ${trial}: refused after waiting retryAfterMs`);
    }
  });

  it("rounds retryAfterMs up past floating-point error (0.9 tokens at 22.5/s: 40 ms computes a hair short)", () => {
    const clock = manualClock(0);
    const l = new HotkeyRateLimiter({ capacity: 0.9, refillPerSecond: 22.5, maxKeys: 1, now: clock.now });
    assert.equal(l.tryTake("k", 0.9).ok, true);
    const refused = l.tryTake("k", 0.9);
    assert.equal(refused.ok, false);
    clock.advance(refused.ok ? 0 : refused.retryAfterMs);
    assert.equal(l.tryTake("k", 0.9).ok, true);
  });

  it("credits nothing when the clock steps back, and does not credit that interval twice", () => {
    const clock = manualClock(10_000);
    const l = limiter({ now: clock.now });
    assert.equal(drain(l, "alice"), 3);
    clock.set(5_000);
    assert.equal(l.tryTake("alice").ok, false);
    clock.set(10_500);
    assert.equal(drain(l, "alice"), 1, "500 ms after the last real update: one token, not the 5.5 s since the step back");
  });

  it("keeps at most maxKeys buckets, evicting the least recently used", () => {
    const clock = manualClock();
    const l = limiter({ maxKeys: 2, now: clock.now });
    assert.equal(drain(l, "alice"), 3);
    assert.equal(drain(l, "bob"), 3);
    assert.equal(l.tryTake("alice").ok, false, "touches alice: bob is now the least recently used");
    assert.equal(drain(l, "carol"), 3);
    assert.equal(l.size, 2);
    assert.equal(l.tryTake("alice").ok, false, "alice was kept, still empty");
    assert.equal(drain(l, "bob"), 3, "bob was evicted and comes back with a full bucket");
    assert.equal(l.size, 2);
  });

  it("refuses settings and costs out of range", () => {
    const now = () => 0;
    assert.throws(() => new HotkeyRateLimiter({ capacity: 0, refillPerSecond: 1, maxKeys: 1, now }), badOption);
    assert.throws(() => new HotkeyRateLimiter({ capacity: 1, refillPerSecond: Number.NaN, maxKeys: 1, now }), badOption);
    assert.throws(() => new HotkeyRateLimiter({ capacity: 1, refillPerSecond: 1, maxKeys: 0, now }), badOption);
    assert.throws(() => new HotkeyRateLimiter({ capacity: 1, refillPerSecond: 1, maxKeys: 1.5, now }), badOption);
    const l = new HotkeyRateLimiter({ capacity: 2, refillPerSecond: 1, maxKeys: 1, now });
    assert.throws(() => l.tryTake("alice", 3), badOption, "a cost above capacity could never be admitted");
    assert.throws(() => l.tryTake("alice", 0), badOption);
    assert.throws(() => l.tryTake("alice", -1), badOption);
  });
});
