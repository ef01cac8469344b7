/**
 * Reads the daemons' HTTP ports the dashboard was given — and only those: a miner's or validator's
 * status port (/healthz, /metrics) or a validator's gateway (/metrics, /v1/attribution, with the
 * API key when one was given) — every `intervalMs`, one read in flight per daemon, each bounded by
 * `timeoutMs`. What kind of port a URL is, is found out from what it answers.
 */
import type { DaemonKind, DaemonView } from "../model/api.js";
import { daemonView, kindOf, type DaemonScrape } from "../model/daemon-view.js";
import { parsePrometheus } from "../model/prometheus.js";

type Fetch = (url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => Promise<{ status: number; text(): Promise<string> }>;

export interface DaemonMonitorOptions {
  readonly urls: readonly string[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Sent (as a bearer token) to gateways only. */
  readonly apiKey?: string | undefined;
  /** Attribution from this long ago. */
  readonly attributionWindowMs?: number;
}

export interface DaemonMonitorModules {
  readonly fetch?: Fetch;
  readonly now?: () => number;
  /** Told after each round of reads. */
  readonly onUpdate?: (views: DaemonView[]) => void;
}

interface Target {
  readonly url: string;
  kind: DaemonKind;
  latest: DaemonScrape | undefined;
  previous: DaemonScrape | undefined;
  error: string | null;
}

class ReadError extends Error {}

/** A URL the dashboard may read: http(s), nothing but its origin is used. */
export function daemonOrigin(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RangeError(`"${text}" is not a URL (e.g. http://127.0.0.1:9101)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new RangeError(`"${text}" is not an http:// or https:// URL`);
  return url.origin;
}

export class DaemonMonitor {
  readonly #o: DaemonMonitorOptions;
  readonly #fetch: Fetch;
  readonly #now: () => number;
  readonly #onUpdate: (views: DaemonView[]) => void;
  readonly #targets: Target[];
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #stopped = false;

  constructor(options: DaemonMonitorOptions, modules: DaemonMonitorModules = {}) {
    this.#o = options;
    this.#fetch = modules.fetch ?? (fetch as unknown as Fetch);
    this.#now = modules.now ?? Date.now;
    this.#onUpdate = modules.onUpdate ?? (() => undefined);
    this.#targets = options.urls.map((url) => ({ url: daemonOrigin(url), kind: "unknown", latest: undefined, previous: undefined, error: "not read yet" }));
  }

  get size(): number {
    return this.#targets.length;
  }

  views(): DaemonView[] {
    return this.#targets.map((t) => daemonView(t.url, t.latest, t.previous, t.error, t.kind));
  }

  /** Reads every daemon now, then every interval. */
  start(): void {
    if (this.#targets.length === 0) return;
    const loop = (): void => {
      this.#round = this.readAll().finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(loop, this.#o.intervalMs);
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#round;
  }

  /** One round: every daemon read at once. */
  async readAll(): Promise<void> {
    await Promise.all(this.#targets.map((t) => this.#read(t)));
    this.#onUpdate(this.views());
  }

  async #read(target: Target): Promise<void> {
    try {
      const scrape = await this.#scrape(target);
      target.previous = target.latest?.kind === scrape.kind ? target.latest : undefined;
      target.latest = scrape;
      target.kind = scrape.kind;
      target.error = null;
    } catch (error) {
      target.error = error instanceof ReadError ? error.message : `no answer: ${(error as Error).message}`;
    }
  }

  async #get(target: Target, path: string, keyed: boolean): Promise<{ status: number; body: string }> {
    const url = `${target.url}${path}`;
    const headers: Record<string, string> = keyed && this.#o.apiKey ? { authorization: `Bearer ${this.#o.apiKey}` } : {};
    try {
      const response = await this.#fetch(url, { headers, signal: AbortSignal.timeout(this.#o.timeoutMs) });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      const e = error as Error & { cause?: { code?: string; message?: string } };
      if (e.name === "TimeoutError" || e.name === "AbortError") throw new ReadError(`no answer within ${this.#o.timeoutMs / 1000} s from ${url}`);
      throw new ReadError(`no answer from ${url} (${e.cause?.code ?? e.cause?.message ?? e.message})`);
    }
  }

  async #scrape(target: Target): Promise<DaemonScrape> {
    // A gateway is asked first for its public list of synapses (a status port has no such route
    // and counts nothing; a gateway would count a probe of /healthz as an error).
    if (target.kind === "unknown") {
      const synapses = await this.#get(target, "/v1/synapses", false);
      if (synapses.status === 200) target.kind = "gateway";
    }
    if (target.kind !== "gateway") {
      const health = await this.#get(target, "/healthz", false);
      if (health.status !== 200 && health.status !== 503) throw new ReadError(`${target.url} is neither a status port (/healthz answered HTTP ${health.status}) nor a gateway (/v1/synapses)`);
      const metrics = await this.#get(target, "/metrics", false);
      if (metrics.status !== 200) throw new ReadError(`${target.url}/metrics answered HTTP ${metrics.status}`);
      const samples = parsePrometheus(metrics.body);
      return { atMs: this.#now(), kind: kindOf(samples), health: parseJson(health.body), samples, attribution: null };
    }
    const since = this.#now() - (this.#o.attributionWindowMs ?? 3600_000);
    const [metrics, attribution] = await Promise.all([this.#get(target, "/metrics", true), this.#get(target, `/v1/attribution?since=${since}`, true)]);
    if (metrics.status === 401 || attribution.status === 401) throw new ReadError(`the gateway at ${target.url} wants an API key${this.#o.apiKey ? " and refused the one given (--api-key-file)" : ": give one with --api-key-file"}`);
    if (metrics.status !== 200) throw new ReadError(`${target.url}/metrics answered HTTP ${metrics.status}`);
    return { atMs: this.#now(), kind: "gateway", health: null, samples: parsePrometheus(metrics.body), attribution: attribution.status === 200 ? parseJson(attribution.body) : null };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
