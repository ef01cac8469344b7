import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { quantile } from "../../../src/validator/gateway/attribution.js";
import { LatencyWindow } from "../../../src/validator/gateway/latency-window.js";
import { prng } from "../../../src/util/prng.js";

describe("the gateway's latency window", () => {
  it("gives the quantiles of its last `capacity` values, as sorting a copy of them does", () => {
    const random = prng(11);
    for (const capacity of [1, 8, 256]) {
      const window = new LatencyWindow(capacity);
      const recent: number[] = [];
      for (let i = 0; i < 3000; i++) {
        // Repeated values too: the oldest must leave once, whichever of its equals is removed.
        const ms = random() < 0.3 ? Math.floor(random() * 4) : Math.round(random() * 1000) / 10;
        window.add(ms);
        recent.push(ms);
        if (recent.length > capacity) recent.shift();
        assert.equal(window.size, recent.length);
        const sorted = [...recent].sort((a, b) => a - b);
        for (const q of [0, 0.5, 0.9, 1]) assert.equal(window.quantile(q), quantile(sorted, q), `capacity ${capacity}, value ${i}, q ${q}`);
      }
    }
  });

  it("is NaN when empty", () => {
    assert.ok(Number.isNaN(new LatencyWindow(4).quantile(0.9)));
  });
});
