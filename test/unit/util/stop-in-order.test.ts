/** A daemon's stop: its parts in order, each within what is left of one budget, none holding the others. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stopInOrder } from "../../../src/util/stop-in-order.js";

function recordingLog(): { warn: (fields: object, message: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (_fields, message) => void lines.push(message) };
}

const never = (): Promise<never> => new Promise(() => undefined);

describe("stopInOrder", () => {
  it("stops every part, in the order given", async () => {
    const order: string[] = [];
    const log = recordingLog();
    const report = await stopInOrder(
      ["gateway", "loops", "store"].map((name) => ({ name, run: async () => void order.push(name) })),
      { budgetMs: 1_000, log },
    );
    assert.deepEqual(order, ["gateway", "loops", "store"]);
    assert.deepEqual(report.abandoned, []);
    assert.deepEqual(report.failed, []);
    assert.deepEqual(log.lines, []);
  });

  it("leaves a part that hangs once the budget is spent, says so, and still stops the parts after it", async () => {
    const log = recordingLog();
    let storeClosed = false;
    const started = performance.now();
    const report = await stopInOrder(
      [
        { name: "the p2p node", run: never },
        { name: "the state store", run: async () => void (storeClosed = true) },
      ],
      { budgetMs: 200, floorMs: 10, log },
    );
    assert.ok(performance.now() - started < 2_000, "bounded by the budget, not by the part that hangs");
    assert.deepEqual(report.abandoned, ["the p2p node"]);
    assert.ok(storeClosed, "the store is closed all the same");
    assert.match(log.lines.join("\n"), /the p2p node did not stop in time; going on without it/);
  });

  it("gives a part after a slow one at least the floor, so a quick close still runs", async () => {
    const log = recordingLog();
    let closed = false;
    const report = await stopInOrder(
      [
        { name: "slow", run: never },
        { name: "quick", run: () => new Promise<void>((resolve) => setTimeout(() => ((closed = true), resolve()), 5)) },
      ],
      { budgetMs: 50, floorMs: 500, log },
    );
    assert.ok(closed);
    assert.deepEqual(report.abandoned, ["slow"]);
  });

  it("logs a part that fails (thrown or rejected) and goes on", async () => {
    const log = recordingLog();
    const ran: string[] = [];
    const report = await stopInOrder(
      [
        { name: "throws", run: () => { throw new Error("boom"); } },
        { name: "rejects", run: () => Promise.reject(new Error("bang")) },
        { name: "last", run: async () => void ran.push("last") },
      ],
      { budgetMs: 1_000, log },
    );
    assert.deepEqual(report.failed, ["throws", "rejects"]);
    assert.deepEqual(ran, ["last"]);
    assert.equal(log.lines.length, 2);
  });
});
