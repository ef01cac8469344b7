/**
 * `npm run reliability -- fuzz-gateway`: the validator gateway's HTTP API under abuse
 * (../shared/design/RELIABILITY.md, "Gateway"), with the real stack behind it (gateway-fixture.ts):
 * seeded malformed and hostile requests (gateway-cases.ts) over raw HTTP/1.1, slow clients beside a
 * well-behaved one, floods beyond the cap on requests in flight and beyond a key's rate; then valid
 * requests must still be answered with receipts that verify, the heap must be back near where it
 * was, and nothing may have been thrown past the gateway (uncaught, unhandled, or logged as an error).
 */
import { performance } from "node:perf_hooks";
import { prng } from "../src/util/prng.js";
import { createLogger } from "../src/util/logger.js";
import { checkAnswer } from "../src/p2p/protocol/answer-check.js";
import type { GatewayLimits } from "../src/validator/gateway/http-server.js";
import type { CheckLine } from "./fuzz-checks.js";
import { gatewayCases, validBody, type GatewayCase, type GatewayTarget } from "./gateway-cases.js";
import { startGatewayFixture, type GatewayFixture } from "./gateway-fixture.js";
import { byteByByte, exchange, rawRequest, type RawAnswer, type RawOutcome } from "./raw-http.js";

/** Short header and body times, so that a run waits seconds on slow clients, not the defaults' 10–15 s; a small cap, so that floods pass it. */
const LIMITS: Partial<GatewayLimits> = { maxInFlight: 32, headersTimeoutMs: 2_000, bodyTimeoutMs: 2_000 };
/** No answer (nor a close) within this is a hang. */
const EXCHANGE_TIMEOUT_MS = 10_000;
const FUZZ_CONCURRENCY = 8;
const SLOW_CLIENTS = 64;
const SLOW_BYTE_INTERVAL_MS = 100;
/** A well-behaved request among slow clients is answered within this. */
const WELL_BEHAVED_BOUND_MS = 1_000;
const FLOOD = 256;
const FLOOD_MINER_DELAY_MS = 100;
const HEAP_GROWTH_BOUND_MB = 20;

/** The statuses of docs/gateway.md and the codes each may carry. */
const DOCUMENTED: Readonly<Record<number, readonly string[]>> = {
  400: ["BAD_JSON", "BAD_INPUT", "BAD_REDUNDANCY", "BAD_REQUEST"],
  401: ["UNAUTHORIZED"],
  403: ["FORBIDDEN", "BAD_HOST", "BAD_ORIGIN"],
  404: ["NOT_FOUND"],
  405: ["METHOD_NOT_ALLOWED"],
  408: ["REQUEST_TIMEOUT"],
  413: ["TOO_LARGE"],
  415: ["UNSUPPORTED_MEDIA_TYPE"],
  429: ["RATE_LIMITED"],
  431: ["TOO_LARGE"],
  500: ["INTERNAL"],
  503: ["BUSY", "NO_MINER", "MINERS_FAILED", "SHUTTING_DOWN"],
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number): number => bytes / 2 ** 20;
const gcMemory = async (): Promise<NodeJS.MemoryUsage> => {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await sleep(50);
  }
  return process.memoryUsage();
};

/**
 * What an answer is, as the cases write their expectations: `200` (with its receipts checked when
 * the case sent a body: `200 BAD_RECEIPT` when they do not verify), `STATUS CODE` for an error with
 * the documented JSON body, `STATUS` for a HEAD answer, or `STATUS (why it is not a documented answer)`.
 */
function answerLabel(answer: RawAnswer, options: { head?: boolean; body?: Uint8Array }): string {
  if (options.head) return String(answer.status);
  const json = /^application\/json\b/i.test(answer.headers.get("content-type") ?? "");
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body.toString("utf8"));
  } catch {
    parsed = undefined;
  }
  if (answer.status === 200) {
    if (options.body === undefined) return "200";
    return json && checkAnswer(parsed, options.body).valid ? "200" : "200 BAD_RECEIPT";
  }
  const codes = DOCUMENTED[answer.status];
  if (!codes) return `${answer.status} (undocumented status)`;
  const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (!json || typeof error?.code !== "string" || typeof error.message !== "string") return `${answer.status} (no JSON error body)`;
  if (!codes.includes(error.code)) return `${answer.status} ${error.code} (undocumented code)`;
  return `${answer.status} ${error.code}`;
}

interface Tally {
  requests: number;
  unexpected: number;
  readonly labels: Map<string, number>;
}

/** The outcomes of many exchanges, by category. */
class Outcomes {
  readonly byCategory = new Map<string, Tally>();
  readonly examples: string[] = [];
  noAnswer = 0;
  hung = 0;
  verified = 0;

  /** Records `outcome` for `c`; whether it was one the case allows. */
  add(c: Pick<GatewayCase, "category" | "label" | "expect" | "answers" | "head" | "body">, outcome: RawOutcome): boolean {
    const tally = this.byCategory.get(c.category) ?? { requests: 0, unexpected: 0, labels: new Map<string, number>() };
    this.byCategory.set(c.category, tally);
    tally.requests += 1;
    const labels = outcome.answers.map((a) => answerLabel(a, { ...(c.head ? { head: true } : {}), ...(c.body ? { body: c.body } : {}) }));
    for (const label of labels) tally.labels.set(label, (tally.labels.get(label) ?? 0) + 1);
    if (c.body !== undefined) this.verified += labels.filter((l) => l === "200").length;
    const complete = outcome.answers.length === (c.answers ?? 1);
    if (!complete) {
      const why = outcome.timedOut ? "no answer (hung)" : outcome.garbage ? `a malformed answer: ${outcome.garbage}` : "closed without an answer";
      tally.labels.set(why, (tally.labels.get(why) ?? 0) + 1);
      if (outcome.timedOut) this.hung += 1;
      else this.noAnswer += 1;
    }
    const ok = complete && labels.every((l) => c.expect.includes(l));
    if (!ok) {
      tally.unexpected += 1;
      if (this.examples.length < 12) this.examples.push(`${c.category}: ${c.label} → ${[...labels, ...(complete ? [] : [outcome.timedOut ? "hung" : "closed"])].join(", ")} (expected ${c.expect.join(" | ")})`);
    }
    return ok;
  }

  total(field: "requests" | "unexpected"): number {
    return [...this.byCategory.values()].reduce((sum, t) => sum + t[field], 0);
  }

  /** How many answers had this status. */
  status(prefix: string): number {
    let n = 0;
    for (const t of this.byCategory.values()) for (const [label, count] of t.labels) if (label.startsWith(prefix)) n += count;
    return n;
  }

  summary(): string[] {
    return [...this.byCategory].map(
      ([category, t]) =>
        `${category}: ${t.requests} requests, ${t.unexpected} unexpected — ${[...t.labels]
          .sort((a, b) => b[1] - a[1])
          .map(([label, n]) => `${label} ×${n}`)
          .join(", ")}`,
    );
  }
}

async function inPool<T>(items: readonly T[], concurrency: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

function portOf(f: GatewayFixture, target: GatewayTarget): number {
  return (target === "keyed" ? f.keyed : f.keyless).address.port;
}

/** A valid synapse call's bytes on `target`, and the body its receipts must verify against. */
function validCall(f: GatewayFixture, target: GatewayTarget, body: Buffer, key = f.keys.open): Buffer {
  return rawRequest(`POST /v1/synapses/${f.synapse} HTTP/1.1`, [["Host", "localhost"], ["Content-Type", "application/json"], ["Content-Length", String(body.length)], ...(target === "keyed" ? ([["Authorization", `Bearer ${key}`]] as const) : [])], body);
}

const percentile = (sorted: readonly number[], p: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);

/** Slow clients (heads and bodies byte by byte, reconnecting when cut off) on both gateways, while one client sends valid requests one after another. */
async function slowClients(f: GatewayFixture, seconds: number): Promise<CheckLine> {
  const random = prng(7_202);
  const until = performance.now() + seconds * 1000;
  let opened = 0;
  let cutWith408 = 0;
  let cutOtherwise = 0;
  const otherCuts = new Map<string, number>();
  const slow = async (i: number): Promise<void> => {
    const target: GatewayTarget = i % 2 === 0 ? "keyless" : "keyed";
    const headOnly = i % 4 < 2;
    while (performance.now() < until) {
      const full = validCall(f, target, validBody(random));
      const headEnd = full.indexOf("\r\n\r\n") + 4;
      const script = headOnly ? byteByByte(full.subarray(0, headEnd - 2), SLOW_BYTE_INTERVAL_MS) : [full.subarray(0, headEnd), ...byteByByte(full.subarray(headEnd), SLOW_BYTE_INTERVAL_MS)];
      opened += 1;
      const outcome = await exchange(portOf(f, target), { script, timeoutMs: EXCHANGE_TIMEOUT_MS });
      const label = outcome.answers[0] ? answerLabel(outcome.answers[0], {}) : outcome.timedOut ? "hung" : "closed";
      if (label === "408 REQUEST_TIMEOUT") cutWith408 += 1;
      else {
        cutOtherwise += 1;
        otherCuts.set(label, (otherCuts.get(label) ?? 0) + 1);
      }
    }
  };
  const latencies: number[] = [];
  const wellBehaved = new Outcomes();
  const client = async (): Promise<void> => {
    await sleep(500); // the slow clients are all connected
    for (let i = 0; performance.now() < until; i++) {
      const target: GatewayTarget = i % 2 === 0 ? "keyless" : "keyed";
      const body = validBody(random);
      const started = performance.now();
      const outcome = await exchange(portOf(f, target), { script: [validCall(f, target, body)], timeoutMs: EXCHANGE_TIMEOUT_MS });
      latencies.push(performance.now() - started);
      wellBehaved.add({ category: "well-behaved", label: "a valid request among slow clients", expect: ["200"], body }, outcome);
      await sleep(20);
    }
  };
  await Promise.all([...Array.from({ length: SLOW_CLIENTS * 2 }, (_, i) => slow(i)), client()]);
  const sorted = [...latencies].sort((a, b) => a - b);
  const served = wellBehaved.total("requests") - wellBehaved.total("unexpected");
  return {
    name: `fuzz gateway, slow clients: ${SLOW_CLIENTS} sending request heads and ${SLOW_CLIENTS} sending bodies one byte every ${SLOW_BYTE_INTERVAL_MS} ms (reconnecting when cut off) for ${seconds} s, half on each gateway, beside one client sending valid requests (header and body times ${LIMITS.headersTimeoutMs} ms, ${LIMITS.maxInFlight} requests in flight)`,
    figures: {
      slow_connections: opened,
      cut_with_408: cutWith408,
      cut_otherwise: cutOtherwise,
      well_behaved_requests: latencies.length,
      well_behaved_served: served,
      well_behaved_p50_ms: percentile(sorted, 0.5),
      well_behaved_slowest_ms: sorted[sorted.length - 1] ?? 0,
    },
    holds: latencies.length > 0 && served === latencies.length && (sorted[sorted.length - 1] ?? Infinity) <= WELL_BEHAVED_BOUND_MS && cutOtherwise === 0,
    rule: `every well-behaved request served (200, receipts verified) within ${WELL_BEHAVED_BOUND_MS} ms; every slow client cut off with 408 REQUEST_TIMEOUT`,
    notes: [...wellBehaved.examples, ...[...otherCuts].map(([label, n]) => `slow clients cut off otherwise: ${label} ×${n}`)],
  };
}

/** Valid requests all at once: beyond the cap on requests in flight on both gateways, and beyond a key's rate. */
async function floods(f: GatewayFixture): Promise<CheckLine> {
  const random = prng(7_303);
  const outcomes = new Outcomes();
  let withRetryAfter = 0;
  const flood = async (category: string, target: GatewayTarget, count: number, expect: readonly string[], key?: string): Promise<void> => {
    const calls = Array.from({ length: count }, () => validBody(random));
    // Every connection is opened first, then every request written at once: a burst, not a trickle.
    let connected = 0;
    let release!: () => void;
    const allConnected = new Promise<void>((resolve) => (release = resolve));
    const fallback = setTimeout(release, 5_000);
    const onConnect = (): void => void (++connected === count && release());
    await Promise.all(
      calls.map(async (body) => {
        const outcome = await exchange(portOf(f, target), { script: [validCall(f, target, body, key)], timeoutMs: EXCHANGE_TIMEOUT_MS, onConnect, startWhen: allConnected });
        outcomes.add({ category, label: "a valid request in a flood", expect, body }, outcome);
        const status = outcome.answers[0]?.status;
        if ((status === 503 || status === 429) && /^\d+$/.test(outcome.answers[0]!.headers.get("retry-after") ?? "")) withRetryAfter += 1;
      }),
    );
    clearTimeout(fallback);
  };
  // The tiny model answers in microseconds: with a real model's time per answer, requests stay in flight.
  f.setMinerDelay(FLOOD_MINER_DELAY_MS);
  try {
    for (let wave = 0; wave < 2; wave++) {
      await flood("flood, keyless", "keyless", FLOOD, ["200", "503 BUSY"]);
      await flood("flood, keyed", "keyed", FLOOD, ["200", "503 BUSY"]);
    }
  } finally {
    f.setMinerDelay(0);
  }
  await flood("flood from a key of rate 1/s, burst 2", "keyed", 64, ["200", "429 RATE_LIMITED"], f.keys.slow);
  const busy = outcomes.status("503 BUSY");
  const limited = outcomes.status("429 RATE_LIMITED");
  return {
    name: `fuzz gateway, floods: 2 waves of ${FLOOD} valid requests at once on each gateway (cap ${LIMITS.maxInFlight} in flight; the miner taking ${FLOOD_MINER_DELAY_MS} ms an answer), then 64 at once from one key of rate 1/s, burst 2`,
    figures: { requests: outcomes.total("requests"), served_200: outcomes.status("200"), receipts_verified: outcomes.verified, busy_503: busy, rate_limited_429: limited, with_retry_after: withRetryAfter, unexpected: outcomes.total("unexpected"), no_answer: outcomes.noAnswer + outcomes.hung },
    holds: outcomes.total("unexpected") === 0 && busy > 0 && limited > 0 && withRetryAfter === busy + limited && outcomes.verified === outcomes.status("200"),
    rule: "every answer 200 (receipts verified), 503 BUSY or (the key over its rate) 429 RATE_LIMITED, each refusal with Retry-After; some refused",
    notes: [...outcomes.summary(), ...outcomes.examples],
  };
}

/** Valid requests on both gateways (redundancy 1 to 3): each must be 200 with receipts that verify. */
async function stillServing(f: GatewayFixture, perGateway: number, random: () => number): Promise<{ requests: number; served: number }> {
  let served = 0;
  for (const target of ["keyless", "keyed"] as const) {
    for (let i = 0; i < perGateway; i++) {
      const body = validBody(random, i % 3 === 0 ? {} : { redundancy: 1 + (i % 3) });
      const outcome = await exchange(portOf(f, target), { script: [validCall(f, target, body)], timeoutMs: EXCHANGE_TIMEOUT_MS });
      if (outcome.answers.length === 1 && answerLabel(outcome.answers[0]!, { body }) === "200") served += 1;
    }
  }
  return { requests: 2 * perGateway, served };
}

export async function fuzzGateway(options: { slowSeconds: number }): Promise<CheckLine[]> {
  const uncaught: string[] = [];
  const unhandled: string[] = [];
  const onUncaught = (error: Error): void => void uncaught.push(`${error.name}: ${error.message}`);
  const onUnhandled = (reason: unknown): void => void unhandled.push(String(reason instanceof Error ? `${reason.name}: ${reason.message}` : reason));
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUnhandled);
  const gatewayErrors: string[] = [];
  const log = createLogger({ level: "silent", format: "json" });
  const gatewayLog = createLogger({ level: "error", format: "json", write: (line) => void gatewayErrors.push(line.trim().slice(0, 300)) });
  const f = await startGatewayFixture({ limits: LIMITS, gatewayLog, log });
  try {
    const random = prng(7_101);
    const cases = gatewayCases(random, { synapse: f.synapse, maxBodyBytes: f.maxBodyBytes, keys: f.keys });
    const run = async (c: GatewayCase, outcomes: Outcomes): Promise<void> => {
      outcomes.add(c, await exchange(portOf(f, c.target), { script: c.script, timeoutMs: EXCHANGE_TIMEOUT_MS, ...(c.answers ? { answers: c.answers } : {}), ...(c.head ? { head: true } : {}) }));
    };

    // The baseline: everything the fuzzing touches has been used once (schemas compiled, workers and streams up).
    const warmUp = new Outcomes();
    await inPool(cases.filter((_, i) => i % 50 === 0 && !cases[i]!.slow), FUZZ_CONCURRENCY, (c) => run(c, warmUp));
    await stillServing(f, 10, random);
    const before = await gcMemory();

    const outcomes = new Outcomes();
    const minerBefore = f.minerAnswered();
    const started = performance.now();
    // The cases that wait on the body timeout run apart, all at once: each holds a request in flight.
    await inPool(cases.filter((c) => !c.slow), FUZZ_CONCURRENCY, (c) => run(c, outcomes));
    await Promise.all(cases.filter((c) => c.slow).map((c) => run(c, outcomes)));
    const fuzzSeconds = (performance.now() - started) / 1000;
    const reachedMiner = f.minerAnswered() - minerBefore;
    const fuzzLine: CheckLine = {
      name: `fuzz gateway: ${outcomes.total("requests")} seeded abusive requests over raw HTTP/1.1 (${[...outcomes.byCategory.keys()].join(", ")}) on two gateways (loopback without keys; with an API keys file), a real tiny-subnet miner behind them`,
      figures: {
        requests: outcomes.total("requests"),
        unexpected: outcomes.total("unexpected"),
        answered_200: outcomes.status("200"),
        receipts_verified: outcomes.verified,
        answered_4xx: outcomes.status("4"),
        answered_5xx: outcomes.status("5"),
        internal_500: outcomes.status("500"),
        no_answer: outcomes.noAnswer,
        hung: outcomes.hung,
        reached_miner: reachedMiner,
        requests_per_s: outcomes.total("requests") / fuzzSeconds,
      },
      holds: outcomes.total("unexpected") === 0 && outcomes.hung === 0 && outcomes.status("500") === 0,
      rule: "every answer one its case allows: a documented status with a JSON error body {error: {code, message}}, or 200 with receipts that verify; no hang, no 500",
      notes: [...outcomes.summary(), ...outcomes.examples],
    };

    const slowLine = await slowClients(f, options.slowSeconds);
    const floodLine = await floods(f);

    const after = await stillServing(f, 15, random);
    await sleep(500); // sockets of the last exchanges closed on both sides
    const end = await gcMemory();
    const growth = mb(end.heapUsed - before.heapUsed);
    const crashes = uncaught.length + unhandled.length;
    const afterLine: CheckLine = {
      name: "fuzz gateway, afterwards: valid requests on both gateways (redundancy 1–3), the heap after a GC against the baseline taken before the fuzzing, nothing thrown past the gateway",
      figures: {
        valid_requests: after.requests,
        served_with_valid_receipts: after.served,
        heap_before_mb: mb(before.heapUsed),
        heap_after_mb: mb(end.heapUsed),
        heap_growth_mb: growth,
        rss_before_mb: mb(before.rss),
        rss_after_mb: mb(end.rss),
        uncaught_exceptions: uncaught.length,
        unhandled_rejections: unhandled.length,
        gateway_errors_logged: gatewayErrors.length,
      },
      holds: after.served === after.requests && growth <= HEAP_GROWTH_BOUND_MB && crashes === 0 && gatewayErrors.length === 0,
      rule: `every valid request 200 with receipts that verify; heap growth ≤ ${HEAP_GROWTH_BOUND_MB} MB; no uncaught exception, unhandled rejection or error logged by the gateway`,
      notes: [...uncaught, ...unhandled, ...gatewayErrors].slice(0, 6),
    };
    return [fuzzLine, slowLine, floodLine, afterLine];
  } finally {
    await f.close();
    process.off("uncaughtException", onUncaught);
    process.off("unhandledRejection", onUnhandled);
  }
}
