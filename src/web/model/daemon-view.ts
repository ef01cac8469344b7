/**
 * A daemon's card on the dashboard from what its HTTP ports answered: a miner's or a validator's
 * status port (/healthz, /metrics: src/miner/metrics.ts, src/validator/metrics.ts) or a validator's
 * gateway (/metrics, /v1/attribution: docs/gateway.md). Counters become rates between two reads.
 * Pure: the reads are made by src/web/server/daemon-monitor.ts.
 */
import type { DaemonCount, DaemonKind, DaemonView } from "./api.js";
import { sumOf, type MetricSample } from "./prometheus.js";

/** One successful read of a daemon's ports. */
export interface DaemonScrape {
  readonly atMs: number;
  readonly kind: DaemonKind;
  /** /healthz's JSON (miners, validators). */
  readonly health: unknown;
  readonly samples: readonly MetricSample[];
  /** /v1/attribution's JSON (gateways). */
  readonly attribution: unknown;
}

/** Which kind of daemon serves these metrics. */
export function kindOf(samples: readonly MetricSample[]): DaemonKind {
  if (samples.some((s) => s.name.startsWith("tensornode_validator_"))) return "validator";
  if (samples.some((s) => s.name.startsWith("tensornode_miner_"))) return "miner";
  if (samples.some((s) => s.name.startsWith("tensornode_gateway_"))) return "gateway";
  return "unknown";
}

/** Counters summed by a key made from their labels (e.g. the outcome). */
function countersBy(samples: readonly MetricSample[], name: string, keyOf: (labels: Readonly<Record<string, string>>) => string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    if (s.name !== name) continue;
    const key = keyOf(s.labels);
    if (key !== undefined) out.set(key, (out.get(key) ?? 0) + s.value);
  }
  return out;
}

function counts(now: Map<string, number>, before: Map<string, number> | undefined, seconds: number | undefined): DaemonCount[] {
  return [...now]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, total]) => ({ label, total, perSecond: rate(total, before?.get(label) ?? (before ? 0 : undefined), seconds) }));
}

/** Per second between two reads of a counter; null without an earlier read, or after a restart (the counter went down). */
function rate(now: number, before: number | undefined, seconds: number | undefined): number | null {
  if (before === undefined || seconds === undefined || seconds <= 0 || now < before) return null;
  return (now - before) / seconds;
}

const objectOf = (value: unknown): Record<string, unknown> => (typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const stringOr = (value: unknown, fallback: string | null): string | null => (typeof value === "string" ? value : fallback);
const numberOr = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);

interface Counters {
  readonly served: Map<string, number>;
  readonly failures: Map<string, number>;
  readonly weights: Map<string, number>;
}

function countersOf(scrape: DaemonScrape): Counters {
  const s = scrape.samples;
  switch (scrape.kind) {
    case "miner": {
      const failures = countersBy(s, "tensornode_miner_requests_total", (l) => (l.outcome === "answered" ? undefined : l.outcome));
      for (const [reason, n] of countersBy(s, "tensornode_miner_refused_total", (l) => `refused ${l.reason ?? "?"}`)) failures.set(reason, n);
      const badFrames = sumOf(s, "tensornode_miner_bad_frames_total");
      if (badFrames > 0) failures.set("bad frames", badFrames);
      return { served: new Map([["answered", sumOf(s, "tensornode_miner_requests_total", { outcome: "answered" })]]), failures, weights: new Map() };
    }
    case "validator":
      return {
        served: new Map([["answered", sumOf(s, "tensornode_validator_queries_total", { outcome: "answered" })]]),
        failures: countersBy(s, "tensornode_validator_queries_total", (l) => (l.outcome === "answered" ? undefined : l.outcome)),
        weights: countersBy(s, "tensornode_validator_weights_total", (l) => `${l.action ?? "?"} ${l.outcome ?? "?"}`),
      };
    case "gateway":
      return {
        served: new Map([["answered", sumOf(s, "tensornode_gateway_requests_total", { route: "synapse", status: "200" })]]),
        failures: countersBy(s, "tensornode_gateway_errors_total", (l) => l.code),
        weights: new Map(),
      };
    default:
      return { served: new Map(), failures: new Map(), weights: new Map() };
  }
}

function gaugesOf(scrape: DaemonScrape): { label: string; value: number }[] {
  const s = scrape.samples;
  // Whole numbers, or two decimals (a step's duration in ms).
  const pick = (label: string, name: string): { label: string; value: number }[] => (s.some((x) => x.name === name) ? [{ label, value: Math.round(sumOf(s, name) * 100) / 100 }] : []);
  switch (scrape.kind) {
    case "miner":
      return [...pick("inference queued", "tensornode_inference_queued"), ...pick("inference workers", "tensornode_inference_workers"), ...pick("requests running", "tensornode_miner_running")];
    case "validator":
      return [
        ...pick("scoring steps", "tensornode_validator_steps_total"),
        ...pick("last step ms", "tensornode_validator_step_ms"),
        ...pick("miners scored", "tensornode_validator_scored_miners"),
        ...pick("last weights block", "tensornode_validator_weights_last_block"),
        ...pick("weights failures in a row", "tensornode_validator_weights_failures"),
      ];
    case "gateway":
      return pick("requests in flight", "tensornode_gateway_in_flight");
    default:
      return [];
  }
}

function hotkeysOf(scrape: DaemonScrape): { hotkey: string; uid: number | null }[] {
  const health = objectOf(scrape.health);
  if (Array.isArray(health.hotkeys)) return health.hotkeys.map(objectOf).filter((h) => typeof h.hotkey === "string").map((h) => ({ hotkey: h.hotkey as string, uid: numberOr(h.uid) }));
  return typeof health.hotkey === "string" ? [{ hotkey: health.hotkey, uid: numberOr(health.uid) }] : [];
}

function attributionOf(scrape: DaemonScrape): DaemonView["attribution"] {
  if (scrape.kind !== "gateway") return null;
  const miners = objectOf(scrape.attribution).miners;
  if (!Array.isArray(miners)) return null;
  return miners.map(objectOf).map((m) => ({
    uid: numberOr(m.uid) ?? -1,
    hotkey: stringOr(m.hotkey, "") ?? "",
    served: numberOr(m.served) ?? 0,
    failed: numberOr(m.failed) ?? 0,
    p50Ms: numberOr(objectOf(m.latencyMs).p50),
  }));
}

/** The card: from the latest successful read and the one before it (for rates), and the last error. */
export function daemonView(url: string, latest: DaemonScrape | undefined, previous: DaemonScrape | undefined, error: string | null, kindGuess: DaemonKind = "unknown"): DaemonView {
  if (!latest) return { url, kind: kindGuess, up: false, error, lastSeenMs: null, health: null, hotkeys: [], served: null, failures: [], weights: [], gauges: [], attribution: null };
  const seconds = previous ? (latest.atMs - previous.atMs) / 1000 : undefined;
  const now = countersOf(latest);
  const before = previous ? countersOf(previous) : undefined;
  const served = counts(now.served, before?.served, seconds)[0] ?? null;
  return {
    url,
    kind: latest.kind,
    up: error === null,
    error,
    lastSeenMs: latest.atMs,
    health: stringOr(objectOf(latest.health).status, null),
    hotkeys: hotkeysOf(latest),
    served,
    failures: counts(now.failures, before?.failures, seconds),
    weights: counts(now.weights, before?.weights, seconds),
    gauges: gaugesOf(latest),
    attribution: attributionOf(latest),
  };
}
