/**
 * What daemons share for their status port: Prometheus text exposition and a small HTTP server of
 * fixed routes (/metrics, /healthz, …), loopback by default.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";

export type Sample = [labels: Record<string, string>, value: number];

/** One histogram series: counts per upper bound (not cumulative; +Inf implied), their sum and count. */
export interface HistogramSeries {
  readonly labels: Record<string, string>;
  /** Upper bounds, ascending; `counts[i]` observations fell in (bounds[i-1], bounds[i]]. */
  readonly bounds: readonly number[];
  /** One count per bound, then the count above the last bound. */
  readonly counts: readonly number[];
  readonly sum: number;
}

const escape = (value: string): string => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/** Builds a Prometheus text exposition, one metric family at a time. */
export class Exposition {
  readonly #lines: string[] = [];

  metric(name: string, type: "gauge" | "counter", help: string, samples: readonly Sample[]): this {
    this.#lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) this.#sample(name, labels, value);
    return this;
  }

  /** A histogram family: `name_bucket{le}` (cumulative, +Inf last), `name_sum`, `name_count` per series. */
  histogram(name: string, help: string, series: readonly HistogramSeries[]): this {
    this.#lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    for (const { labels, bounds, counts, sum } of series) {
      let cumulative = 0;
      bounds.forEach((bound, i) => {
        cumulative += counts[i] ?? 0;
        this.#sample(`${name}_bucket`, { ...labels, le: String(bound) }, cumulative);
      });
      cumulative += counts[bounds.length] ?? 0;
      this.#sample(`${name}_bucket`, { ...labels, le: "+Inf" }, cumulative);
      this.#sample(`${name}_sum`, labels, sum);
      this.#sample(`${name}_count`, labels, cumulative);
    }
    return this;
  }

  #sample(name: string, labels: Record<string, string>, value: number): void {
    const text = Object.entries(labels)
      .map(([k, v]) => `${k}="${escape(v)}"`)
      .join(",");
    this.#lines.push(`${name}${text ? `{${text}}` : ""} ${value}`);
  }

  text(): string {
    return `${this.#lines.join("\n")}\n`;
  }
}

export interface RouteAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** A route: the request's path (query string apart) → its answer; undefined → 404. */
export type Routes = (path: string, query: URLSearchParams, request: IncomingMessage) => RouteAnswer | undefined | Promise<RouteAnswer | undefined>;

export const json = (status: number, value: unknown): RouteAnswer => ({ status, contentType: "application/json", body: JSON.stringify(value) });
export const prometheus = (text: string): RouteAnswer => ({ status: 200, contentType: "text/plain; version=0.0.4", body: text });

/** Serves `routes`; resolves with the server once listening. */
export async function startStatusServer(routes: Routes, host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://status");
    Promise.resolve()
      .then(() => routes(url.pathname, url.searchParams, request))
      .then(
        (answer) => {
          if (!answer) response.writeHead(404).end();
          else response.writeHead(answer.status, { "content-type": answer.contentType }).end(answer.body);
        },
        (error: unknown) => response.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: (error as Error).message })),
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

export async function closeServer(server: Server | undefined): Promise<void> {
  if (!server) return;
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
