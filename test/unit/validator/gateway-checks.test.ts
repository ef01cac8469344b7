import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GatewayError } from "../../../src/validator/gateway/contract.js";
import { CorsPolicy } from "../../../src/validator/gateway/cors.js";
import { isLoopbackHost, isLoopbackHostHeader } from "../../../src/validator/gateway/loopback.js";
import { GatewayMetrics } from "../../../src/validator/gateway/metrics.js";
import { retryAfterSeconds } from "../../../src/validator/gateway/respond.js";
import { DEFAULT_ATTRIBUTION_WINDOW_MS, parseSince } from "../../../src/validator/gateway/since.js";
import { contentTypeOf } from "../../../src/validator/gateway/static-files.js";
import { Exposition } from "../../../src/util/status-server.js";

describe("the gateway's request checks", () => {
  describe("loopback", () => {
    it("takes localhost, 127.0.0.0/8 and ::1 as loopback listen addresses, and nothing else", () => {
      for (const host of ["localhost", "LocalHost", "localhost.", "127.0.0.1", "127.255.0.9", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"]) assert.equal(isLoopbackHost(host), true, host);
      for (const host of ["0.0.0.0", "::", "", "10.0.0.1", "128.0.0.1", "::2", "::ffff:10.0.0.1", "localhost.evil.example", "127.0.0.1.nip.io", "example.com"]) assert.equal(isLoopbackHost(host), false, host);
    });

    it("takes Host headers that name a loopback host, with any port or none", () => {
      for (const header of ["localhost", "localhost:8080", "127.0.0.1", "127.0.0.1:1", "[::1]", "[::1]:65535", "LOCALHOST:80"]) assert.equal(isLoopbackHostHeader(header), true, header);
      for (const header of [undefined, "", "evil.example", "evil.example:8080", "::1", "localhost:", "localhost:port", "localhost:80:80", "127.0.0.1@evil.example", "user@localhost", "[::1", "localhost/x"]) {
        assert.equal(isLoopbackHostHeader(header), false, String(header));
      }
    });
  });

  describe("CORS", () => {
    it("is off without origins: no headers at all", () => {
      const cors = new CorsPolicy([]);
      assert.equal(cors.enabled, false);
      assert.deepEqual(cors.responseHeaders("https://app.example"), {});
    });

    it("names an allowed origin back, never *, and only Vary: Origin for others", () => {
      const cors = new CorsPolicy(["https://app.example"]);
      assert.deepEqual(cors.responseHeaders("https://app.example"), { vary: "Origin", "access-control-allow-origin": "https://app.example", "access-control-expose-headers": "retry-after" });
      assert.deepEqual(cors.responseHeaders("https://app.example.evil"), { vary: "Origin" });
      assert.deepEqual(cors.responseHeaders("http://app.example"), { vary: "Origin" }, "the scheme is part of the origin");
      assert.deepEqual(cors.responseHeaders(undefined), { vary: "Origin" });
      assert.equal(cors.preflightHeaders("https://app.example")["access-control-allow-methods"], "GET, POST, OPTIONS");
    });

    it("refuses entries that are not an origin", () => {
      for (const origin of ["*", "null", "https://app.example/", "https://app.example/path", "app.example", "file:///x"]) {
        assert.throws(() => new CorsPolicy([origin]), { name: "UserError", code: "GATEWAY_BAD_CORS_ORIGIN" }, origin);
      }
    });
  });

  describe("since", () => {
    const now = Date.UTC(2025, 5, 1);

    it("is 24 hours before now when absent or empty", () => {
      assert.equal(parseSince(null, now), now - DEFAULT_ATTRIBUTION_WINDOW_MS);
      assert.equal(parseSince("", now), now - 86_400_000);
    });

    it("takes Unix milliseconds and ISO 8601 dates and times (UTC unless a zone is given)", () => {
      assert.equal(parseSince("0", now), 0);
      assert.equal(parseSince("1735689600000", now), 1_735_689_600_000);
      assert.equal(parseSince("2025-01-01", now), Date.UTC(2025, 0, 1));
      assert.equal(parseSince("2025-01-01T10:30", now), Date.UTC(2025, 0, 1, 10, 30));
      assert.equal(parseSince("2025-01-01T10:30:15.250Z", now), Date.UTC(2025, 0, 1, 10, 30, 15, 250));
      assert.equal(parseSince("2025-01-01T10:30:00-0130", now), Date.UTC(2025, 0, 1, 12, 0));
      assert.equal(parseSince("2025-01-01 10:30:00+01:00", now), Date.UTC(2025, 0, 1, 9, 30));
    });

    it("refuses anything else with 400 BAD_INPUT", () => {
      for (const value of ["now", "-1", "1e12", "0x10", "2025-13-01", "2025-02-29", "2025-01-01T24:00Z", "2025-01-01T10:60Z", "2025-01-01T10:30+25:00", "2025-01-01Tfoo"]) {
        assert.throws(() => parseSince(value, now), (error: unknown) => error instanceof GatewayError && error.status === 400 && error.code === "BAD_INPUT", value);
      }
    });
  });

  describe("Retry-After", () => {
    it("is whole seconds, rounded up, at least 1", () => {
      assert.deepEqual([0, 1, 999, 1_000, 1_001, 2_500].map(retryAfterSeconds), [1, 1, 1, 1, 2, 3]);
    });
  });

  describe("static content types", () => {
    it("follow the file's extension, bytes by default", () => {
      assert.equal(contentTypeOf("index.html"), "text/html; charset=utf-8");
      assert.equal(contentTypeOf("app.MJS"), "text/javascript; charset=utf-8");
      assert.equal(contentTypeOf("logo.svg"), "image/svg+xml");
      assert.equal(contentTypeOf("font.woff2"), "font/woff2");
      assert.equal(contentTypeOf("model.onnx"), "application/octet-stream");
    });
  });

  describe("metrics", () => {
    it("count requests by route, synapse and status, errors by code, answers per miner, and bucket latencies", () => {
      const metrics = new GatewayMetrics();
      metrics.record({ route: "synapse", synapse: "echo", status: 200, durationMs: 4, minerUid: 3 });
      metrics.record({ route: "synapse", synapse: "echo", status: 200, durationMs: 40, minerUid: 3 });
      metrics.record({ route: "synapse", synapse: "echo", status: 429, code: "RATE_LIMITED", durationMs: 0 });
      metrics.record({ route: "other", status: 404, code: "NOT_FOUND", durationMs: 60_000 });
      metrics.setInFlight(2);
      const text = metrics.text();
      const lines = text.split("\n");
      for (const line of [
        'tensornode_gateway_requests_total{route="synapse",synapse="echo",status="200"} 2',
        'tensornode_gateway_requests_total{route="synapse",synapse="echo",status="429"} 1',
        'tensornode_gateway_errors_total{code="RATE_LIMITED"} 1',
        'tensornode_gateway_errors_total{code="NOT_FOUND"} 1',
        'tensornode_gateway_answers_total{synapse="echo",uid="3"} 2',
        'tensornode_gateway_request_duration_seconds_bucket{route="synapse",synapse="echo",le="0.005"} 2',
        'tensornode_gateway_request_duration_seconds_bucket{route="synapse",synapse="echo",le="0.025"} 2',
        'tensornode_gateway_request_duration_seconds_bucket{route="synapse",synapse="echo",le="0.05"} 3',
        'tensornode_gateway_request_duration_seconds_bucket{route="synapse",synapse="echo",le="+Inf"} 3',
        'tensornode_gateway_request_duration_seconds_sum{route="synapse",synapse="echo"} 0.044',
        'tensornode_gateway_request_duration_seconds_count{route="synapse",synapse="echo"} 3',
        'tensornode_gateway_request_duration_seconds_bucket{route="other",synapse="",le="30"} 0',
        'tensornode_gateway_request_duration_seconds_bucket{route="other",synapse="",le="+Inf"} 1',
        "tensornode_gateway_in_flight 2",
        "# TYPE tensornode_gateway_request_duration_seconds histogram",
      ]) {
        assert.ok(lines.includes(line), `has the line ${line}`);
      }
    });

    it("render into another exposition beside its own families (the daemon's status port)", () => {
      const out = new Exposition().metric("tensornode_validator_steps_total", "counter", "steps", [[{}, 4]]);
      new GatewayMetrics().render(out);
      const text = out.text();
      assert.match(text, /^tensornode_validator_steps_total 4$/m);
      assert.match(text, /^# TYPE tensornode_gateway_requests_total counter$/m);
    });
  });
});
