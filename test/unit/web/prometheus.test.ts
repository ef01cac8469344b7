/** Reading the daemons' /metrics: the text exposition the miner, validator and gateway write. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderMetrics } from "../../../src/miner/metrics.js";
import { parsePrometheus, sumOf } from "../../../src/web/model/prometheus.js";
import { Exposition } from "../../../src/util/status-server.js";

describe("prometheus text", () => {
  it("reads samples with labels (escapes included), skipping comments and garbage", () => {
    const text = ['# HELP x a thing', '# TYPE x counter', 'x{a="1",b="q\\"uote"} 3', "y 2.5 1700000000000", "not a sample", 'z{broken="1} 4', "inf +Inf", ""].join("\n");
    assert.deepEqual(parsePrometheus(text), [
      { name: "x", labels: { a: "1", b: 'q"uote' }, value: 3 },
      { name: "y", labels: {}, value: 2.5 },
      { name: "inf", labels: {}, value: Number.POSITIVE_INFINITY },
    ]);
  });

  it("reads back what our Exposition writes, histograms included", () => {
    const text = new Exposition()
      .metric("tensornode_gateway_errors_total", "counter", "errors", [[{ code: "BUSY" }, 2], [{ code: "NO_MINER" }, 5]])
      .histogram("lat", "latency", [{ labels: { route: "synapse" }, bounds: [0.1, 1], counts: [1, 2, 3], sum: 4 }])
      .text();
    const samples = parsePrometheus(text);
    assert.equal(sumOf(samples, "tensornode_gateway_errors_total"), 7);
    assert.equal(sumOf(samples, "tensornode_gateway_errors_total", { code: "BUSY" }), 2);
    assert.equal(sumOf(samples, "lat_bucket", { le: "+Inf" }), 6);
  });

  it("reads a miner's real exposition", () => {
    const text = renderMetrics({
      statuses: () => [{ hotkey: "5Miner", registered: true, uid: 3, peerId: undefined, addresses: [], metagraphBlock: 9, serving: { accepted: 17, answered: 10, failed: 1, expired: 2, refused: { RATE_LIMITED: 4 }, badFrames: 0, running: 1, queued: 0 } }],
      inferenceQueued: () => 0,
      inferenceWorkers: () => 1,
    });
    const samples = parsePrometheus(text);
    assert.equal(sumOf(samples, "tensornode_miner_requests_total", { outcome: "answered" }), 10);
    assert.equal(sumOf(samples, "tensornode_miner_refused_total", { reason: "RATE_LIMITED" }), 4);
  });
});
