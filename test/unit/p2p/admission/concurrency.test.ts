import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StakePriorityGate, type Release } from "../../../../src/p2p/admission/concurrency.js";
import { AdmissionOptionError, BusyError, type BusyReason } from "../../../../src/p2p/admission/errors.js";

type Outcome<T> = { state: "pending" } | { state: "fulfilled"; value: T } | { state: "rejected"; reason: unknown };

/** Records how a promise settles, so a test can assert on it after `settle()`. */
function observe<T>(promise: Promise<T>): { readonly outcome: Outcome<T> } {
  const box: { outcome: Outcome<T> } = { outcome: { state: "pending" } };
  promise.then(
    (value) => void (box.outcome = { state: "fulfilled", value }),
    (reason: unknown) => void (box.outcome = { state: "rejected", reason }),
  );
  return box;
}

/** Lets every pending promise callback run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function granted(box: { readonly outcome: Outcome<Release> }): Release {
  assert.equal(box.outcome.state, "fulfilled", `expected a granted slot, got ${box.outcome.state}`);
  return (box.outcome as { value: Release }).value;
}

function busy(reason: BusyReason) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof BusyError, `expected a BusyError, got ${String(error)}`);
    assert.equal(error.code, "BUSY");
    assert.equal(error.reason, reason);
    return true;
  };
}

function assertRejectedBusy(box: { readonly outcome: Outcome<unknown> }, reason: BusyReason): void {
  assert.equal(box.outcome.state, "rejected");
  busy(reason)((box.outcome as { reason: unknown }).reason);
}

describe("StakePriorityGate", () => {
  it("runs up to maxConcurrent at once and queues the rest until a slot is released", async () => {
    const gate = new StakePriorityGate({ maxConcurrent: 2, maxQueued: 4 });
    const first = observe(gate.acquire(1n));
    const second = observe(gate.acquire(1n));
    const third = observe(gate.acquire(1n));
    await settle();
    assert.deepEqual(gate.stats(), { running: 2, queued: 1, shed: 0 });
    assert.equal(third.outcome.state, "pending");
    granted(first)();
    await settle();
    granted(third);
    assert.deepEqual(gate.stats(), { running: 2, queued: 0, shed: 0 });
    granted(second)();
    granted(third)();
    assert.deepEqual(gate.stats(), { running: 0, queued: 0, shed: 0 });
  });

  it("serves waiters by stake, highest first, and in arrival order among equal stakes", async () => {
    const gate = new StakePriorityGate({ maxConcurrent: 1, maxQueued: 10 });
    const holder = await gate.acquire(0n);
    const served: string[] = [];
    const waiters = ([["a", 10n], ["b", 30n], ["c", 10n], ["d", 30n], ["e", 20n], ["f", 10n ** 30n]] as const).map(([name, stake]) =>
      gate.acquire(stake).then((release) => {
        served.push(name);
        release();
      }),
    );
    assert.deepEqual(gate.stats(), { running: 1, queued: 6, shed: 0 });
    holder();
    await Promise.all(waiters);
    assert.deepEqual(served, ["f", "b", "d", "e", "a", "c"]);
    assert.deepEqual(gate.stats(), { running: 0, queued: 0, shed: 0 });
  });

  it("hands a released slot to the next waiter, so a newcomer cannot overtake the queue", async () => {
    const gate = new StakePriorityGate({ maxConcurrent: 1, maxQueued: 10 });
    const holder = await gate.acquire(5n);
    const waiter = observe(gate.acquire(1n));
    holder();
    const newcomer = observe(gate.acquire(1_000n));
    await settle();
    granted(waiter);
    assert.equal(newcomer.outcome.state, "pending");
    assert.deepEqual(gate.stats(), { running: 1, queued: 1, shed: 0 });
  });

  it("when the queue is full, lets a newcomer with more stake evict the lowest waiter (the latest among equals)", async () => {
    const gate = new StakePriorityGate({ maxConcurrent: 1, maxQueued: 3 });
    const holder = await gate.acquire(0n);
    const early = observe(gate.acquire(10n));
    const high = observe(gate.acquire(50n));
    const late = observe(gate.acquire(10n));
    const newcomer = observe(gate.acquire(11n));
    await settle();
    assertRejectedBusy(late, "evicted");
    assert.equal(early.outcome.state, "pending");
    assert.deepEqual(gate.stats(), { running: 1, queued: 3, shed: 1 });

    holder();
    await settle();
    granted(high)();
    await settle();
    granted(newcomer)();
    await settle();
    granted(early)();
    assert.deepEqual(gate.stats(), { running: 0, queued: 0, shed: 1 });
  });

  it("when the queue is full, refuses at once a newcomer with no more stake than the lowest waiter", async () => {
    const gate = new StakePriorityGate({ maxConcurrent: 1, maxQueued: 2 });
    await gate.acquire(0n);
    const queued = [observe(gate.acquire(10n)), observe(gate.acquire(20n))];
    await assert.rejects(gate.acquire(10n), busy("queue-full"));
    await assert.rejects(gate.acquire(9n), busy("queue-full"));
    for (const waiter of queued) assert.equal(waiter.outcome.state, "pending");
    assert.deepEqual(gate.stats(), { running: 1, queued: 2, shed: 2 });
  });

  it("with maxQueued 0, refuses everyone who cannot run at once", async () => {
    const gate = new StakePriorityGate({ maxConcurrent: 1, maxQueued: 0 });
    const holder = await gate.acquire(1n);
    await assert.rejects(gate.acquire(10n ** 20n), busy("queue-full"));
    holder();
    const next = await gate.acquire(1n);
    assert.deepEqual(gate.stats(), { running: 1, queued: 0, shed: 1 });
    next();
  });

  it("removes a waiter whose signal fires and rejects it with the signal's reason", async () => {
    const gate = new StakePriorityGate({ maxConcurrent: 1, maxQueued: 4 });
    const holder = await gate.acquire(0n);
    const deadline = new AbortController();
    const expiring = observe(gate.acquire(100n, deadline.signal));
    const patient = observe(gate.acquire(1n));
    const reason = new Error("deadline passed");
    deadline.abort(reason);
    await settle();
    assert.deepEqual(expiring.outcome, { state: "rejected", reason });
    assert.deepEqual(gate.stats(), { running: 1, queued: 1, shed: 0 }, "an aborted waiter is not counted as shed");
    holder();
    await settle();
    granted(patient);
  });

  it("rejects a caller whose signal has already fired without taking a slot, even a free one", async () => {
    const gate = new StakePriorityGate({ maxConcurrent: 1, maxQueued: 1 });
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(gate.acquire(1n, controller.signal), (error: unknown) => error === controller.signal.reason);
    assert.deepEqual(gate.stats(), { running: 0, queued: 0, shed: 0 });
  });

  it("keeps a granted slot when the caller's signal fires afterwards: the caller owns it until it releases", async () => {
    const gate = new StakePriorityGate({ maxConcurrent: 1, maxQueued: 1 });
    const holder = await gate.acquire(0n);
    const controller = new AbortController();
    const waiter = observe(gate.acquire(1n, controller.signal));
    holder();
    await settle();
    const release = granted(waiter);
    controller.abort();
    await settle();
    assert.equal(waiter.outcome.state, "fulfilled");
    assert.deepEqual(gate.stats(), { running: 1, queued: 0, shed: 0 });
    release();
    assert.deepEqual(gate.stats(), { running: 0, queued: 0, shed: 0 });
  });

  it("frees one slot per holder, however often its release is called", async () => {
    const gate = new StakePriorityGate({ maxConcurrent: 1, maxQueued: 4 });
    const holder = await gate.acquire(0n);
    const first = observe(gate.acquire(1n));
    const second = observe(gate.acquire(1n));
    holder();
    holder();
    await settle();
    granted(first);
    assert.equal(second.outcome.state, "pending");
    assert.deepEqual(gate.stats(), { running: 1, queued: 1, shed: 0 });
    const firstRelease = granted(first);
    firstRelease();
    await settle();
    const secondRelease = granted(second);
    secondRelease();
    secondRelease();
    firstRelease();
    assert.deepEqual(gate.stats(), { running: 0, queued: 0, shed: 0 });
  });

  it("refuses settings out of range", () => {
    const badOption = (error: unknown): boolean => error instanceof AdmissionOptionError && error.code === "BAD_ADMISSION_OPTION";
    assert.throws(() => new StakePriorityGate({ maxConcurrent: 0, maxQueued: 1 }), badOption);
    assert.throws(() => new StakePriorityGate({ maxConcurrent: 1.5, maxQueued: 1 }), badOption);
    assert.throws(() => new StakePriorityGate({ maxConcurrent: 1, maxQueued: -1 }), badOption);
  });
});
