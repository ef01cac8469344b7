/**
 * The gateway's Prometheus metrics: requests by route, synapse and status, errors by code, a latency
 * histogram, answers per miner, requests in flight. The HTTP server records into it; `render` adds
 * its families to an exposition (the gateway's /metrics, or the daemon's status port).
 */
import { Exposition, type HistogramSeries, type Sample } from "../../util/status-server.js";

/** Upper bounds of the latency histogram, seconds. */
export const LATENCY_BUCKETS_S: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** What a request is, for metrics: a bounded set, whatever paths clients send. */
export type GatewayRoute = "synapse" | "synapses" | "openapi" | "miners" | "attribution" | "metrics" | "static" | "preflight" | "other";

export interface RequestRecord {
  readonly route: GatewayRoute;
  /** Only for a synapse the gateway offers (never a name a client made up). */
  readonly synapse?: string;
  readonly status: number;
  /** The error code of an error answer. */
  readonly code?: string;
  readonly durationMs: number;
  /** The miner that answered a synapse call. */
  readonly minerUid?: number;
}

interface Histogram {
  readonly counts: number[];
  sum: number;
}

export class GatewayMetrics {
  readonly #requests = new Map<string, number>();
  readonly #errors = new Map<string, number>();
  readonly #latency = new Map<string, Histogram>();
  readonly #answers = new Map<string, number>();
  #inFlight = 0;

  record(r: RequestRecord): void {
    const synapse = r.synapse ?? "";
    increment(this.#requests, JSON.stringify([r.route, synapse, String(r.status)]));
    if (r.code !== undefined) increment(this.#errors, r.code);
    if (r.minerUid !== undefined) increment(this.#answers, JSON.stringify([synapse, String(r.minerUid)]));
    const key = JSON.stringify([r.route, synapse]);
    let histogram = this.#latency.get(key);
    if (!histogram) this.#latency.set(key, (histogram = { counts: new Array<number>(LATENCY_BUCKETS_S.length + 1).fill(0), sum: 0 }));
    const seconds = r.durationMs / 1000;
    const bucket = LATENCY_BUCKETS_S.findIndex((bound) => seconds <= bound);
    histogram.counts[bucket === -1 ? LATENCY_BUCKETS_S.length : bucket]!++;
    histogram.sum += seconds;
  }

  setInFlight(n: number): void {
    this.#inFlight = n;
  }

  render(out: Exposition): Exposition {
    out.metric("tensornode_gateway_requests_total", "counter", "gateway HTTP requests by route, synapse and status", entries(this.#requests, ["route", "synapse", "status"]));
    out.metric("tensornode_gateway_errors_total", "counter", "gateway error answers by code", [...this.#errors].map(([code, n]): Sample => [{ code }, n]));
    out.histogram(
      "tensornode_gateway_request_duration_seconds",
      "time from a request's arrival to its answer, by route and synapse",
      [...this.#latency].map(([key, h]): HistogramSeries => {
        const [route, synapse] = JSON.parse(key) as [string, string];
        return { labels: { route, synapse }, bounds: LATENCY_BUCKETS_S, counts: h.counts, sum: h.sum };
      }),
    );
    out.metric("tensornode_gateway_answers_total", "counter", "synapse calls answered, by synapse and miner uid", entries(this.#answers, ["synapse", "uid"]));
    out.metric("tensornode_gateway_in_flight", "gauge", "requests being answered now", [[{}, this.#inFlight]]);
    return out;
  }

  text(): string {
    return this.render(new Exposition()).text();
  }
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function entries(map: ReadonlyMap<string, number>, names: readonly string[]): Sample[] {
  return [...map].map(([key, n]): Sample => {
    const values = JSON.parse(key) as string[];
    return [Object.fromEntries(names.map((name, i) => [name, values[i]!])), n];
  });
}
