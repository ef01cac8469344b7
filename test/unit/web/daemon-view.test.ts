/**
 * A daemon's card from what its ports answered, for each kind: a miner's and a validator's status
 * port (the real expositions of src/miner/metrics.ts and src/validator/metrics.ts) and a gateway;
 * counters become rates between two reads, and a daemon that never answered says why.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderMetrics } from "../../../src/miner/metrics.js";
import type { MinerStatus } from "../../../src/miner/daemon.js";
import { renderValidatorMetrics } from "../../../src/validator/metrics.js";
import type { ValidatorStatus } from "../../../src/validator/daemon.js";
import { Exposition } from "../../../src/util/status-server.js";
import { daemonView, kindOf, type DaemonScrape } from "../../../src/web/model/daemon-view.js";
import { parsePrometheus } from "../../../src/web/model/prometheus.js";

function minerScrape(atMs: number, answered: number): DaemonScrape {
  const status: MinerStatus = { hotkey: "5Miner", registered: true, uid: 3, peerId: undefined, addresses: [], metagraphBlock: 9, serving: { accepted: answered + 3, answered, failed: 1, expired: 0, refused: { RATE_LIMITED: 2 }, badFrames: 0, running: 0, queued: 0 } };
  const samples = parsePrometheus(renderMetrics({ statuses: () => [status], inferenceQueued: () => 1, inferenceWorkers: () => 2 }));
  return { atMs, kind: kindOf(samples), health: { status: "ok", hotkeys: [{ hotkey: "5Miner", registered: true, uid: 3, peerId: null }] }, samples, attribution: null };
}

describe("daemon view", () => {
  it("a miner: its hotkeys, requests answered per second between two reads, failures by code, its queue", () => {
    const view = daemonView("http://127.0.0.1:9001", minerScrape(12_000, 60), minerScrape(10_000, 20), null);
    assert.equal(view.kind, "miner");
    assert.equal(view.up, true);
    assert.equal(view.health, "ok");
    assert.deepEqual(view.hotkeys, [{ hotkey: "5Miner", uid: 3 }]);
    assert.deepEqual(view.served, { label: "answered", total: 60, perSecond: 20 });
    assert.deepEqual(view.failures.map((f) => [f.label, f.total, f.perSecond]), [["expired", 0, 0], ["failed", 1, 0], ["refused RATE_LIMITED", 2, 0]]);
    assert.deepEqual(view.gauges.find((g) => g.label === "inference workers"), { label: "inference workers", value: 2 });
  });

  it("no rate after the first read, nor after a restart (a counter that went down)", () => {
    assert.equal(daemonView("u", minerScrape(10_000, 20), undefined, null).served?.perSecond, null);
    assert.equal(daemonView("u", minerScrape(12_000, 5), minerScrape(10_000, 20), null).served?.perSecond, null);
  });

  it("a validator: queries answered and failed by code, weight submissions by action and outcome", () => {
    const status = { hotkey: "5Val", uid: 1, permit: true, metagraphBlock: 50, steps: 12, lastStep: { ms: 830 }, queries: { answered: 40, TIMEOUT: 3, UNREACHABLE: 1 }, scored: 4, weights: { outcomes: { "commit:ok": 2, "reveal:ok": 1 }, lastIncludedBlock: 48, consecutiveFailures: 0, waiting: undefined } } as unknown as ValidatorStatus;
    const samples = parsePrometheus(renderValidatorMetrics(status));
    const view = daemonView("http://127.0.0.1:9101", { atMs: 1, kind: kindOf(samples), health: { status: "ok", hotkey: "5Val", uid: 1 }, samples, attribution: null }, undefined, null);
    assert.equal(view.kind, "validator");
    assert.deepEqual(view.hotkeys, [{ hotkey: "5Val", uid: 1 }]);
    assert.equal(view.served?.total, 40);
    assert.deepEqual(view.failures.map((f) => [f.label, f.total]), [["TIMEOUT", 3], ["UNREACHABLE", 1]]);
    assert.deepEqual(view.weights.map((w) => [w.label, w.total]), [["commit ok", 2], ["reveal ok", 1]]);
    assert.equal(view.gauges.find((g) => g.label === "last weights block")?.value, 48);
  });

  it("a gateway: synapse calls answered, errors by code, organic traffic per miner", () => {
    const samples = parsePrometheus(
      new Exposition()
        .metric("tensornode_gateway_requests_total", "counter", "", [[{ route: "synapse", synapse: "infer", status: "200" }, 9], [{ route: "synapse", synapse: "infer", status: "503" }, 2], [{ route: "metrics", synapse: "", status: "200" }, 4]])
        .metric("tensornode_gateway_errors_total", "counter", "", [[{ code: "NO_MINER" }, 2]])
        .metric("tensornode_gateway_in_flight", "gauge", "", [[{}, 1]])
        .text(),
    );
    const attribution = { since: "…", miners: [{ uid: 3, hotkey: "5Miner", served: 9, failed: 0, busy: 0, failures: {}, latencyMs: { p50: 4.5, p90: 6, p99: 7 } }] };
    const view = daemonView("http://127.0.0.1:8080", { atMs: 1, kind: kindOf(samples), health: null, samples, attribution }, undefined, null);
    assert.equal(view.kind, "gateway");
    assert.equal(view.served?.total, 9);
    assert.deepEqual(view.failures.map((f) => [f.label, f.total]), [["NO_MINER", 2]]);
    assert.deepEqual(view.attribution, [{ uid: 3, hotkey: "5Miner", served: 9, failed: 0, p50Ms: 4.5 }]);
  });

  it("a daemon that never answered: down, with the reason, nothing else made up", () => {
    const view = daemonView("http://127.0.0.1:1", undefined, undefined, "no answer: connection refused");
    assert.deepEqual([view.up, view.error, view.lastSeenMs, view.served, view.kind], [false, "no answer: connection refused", null, null, "unknown"]);
  });

  it("a daemon that stopped answering keeps its last figures and says why it is down", () => {
    const view = daemonView("u", minerScrape(10_000, 20), undefined, "no answer within 2 s");
    assert.equal(view.up, false);
    assert.equal(view.lastSeenMs, 10_000);
    assert.equal(view.served?.total, 20);
  });
});
