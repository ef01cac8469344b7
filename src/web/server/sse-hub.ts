/**
 * Server-sent events to the pages: each client subscribes to topics (status, subnets, subnet:N,
 * daemons) and gets each event once, framed as `event:`/`data:` lines. A client that does not read
 * (its socket's buffer over `maxBufferedBytes`) is dropped, so no page can make the server hold
 * memory; a comment line every `heartbeatMs` keeps proxies from closing idle streams.
 */
import type { ServerResponse } from "node:http";

export interface SseClient {
  readonly topics: ReadonlySet<string>;
  readonly response: ServerResponse;
}

export interface SseHubOptions {
  readonly maxClients: number;
  readonly maxBufferedBytes: number;
  readonly heartbeatMs: number;
}

/** One SSE frame; `data` is already JSON (made once, sent to every client). */
export function sseFrame(event: string, data: string): string {
  return `event: ${event}\ndata: ${data}\n\n`;
}

export class SseHub {
  readonly #o: SseHubOptions;
  readonly #clients = new Set<SseClient>();
  readonly #timer: NodeJS.Timeout;
  readonly #onChange: () => void;

  /** `onChange` is told when clients come or go (the subnets watched follow the pages open). */
  constructor(options: SseHubOptions, onChange: () => void = () => undefined) {
    this.#o = options;
    this.#onChange = onChange;
    this.#timer = setInterval(() => this.#broadcast(`: keep-alive\n\n`, () => true), options.heartbeatMs);
    this.#timer.unref();
  }

  get size(): number {
    return this.#clients.size;
  }

  /** Whether another client may join. */
  get full(): boolean {
    return this.#clients.size >= this.#o.maxClients;
  }

  /** Starts the stream on `response`, sends `initial` frames at once, and keeps the client until it leaves. */
  add(response: ServerResponse, topics: ReadonlySet<string>, initial: readonly string[]): void {
    response.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive", "x-accel-buffering": "no" });
    // A reconnecting EventSource waits this long (ms) before trying again.
    response.write("retry: 2000\n\n");
    for (const frame of initial) response.write(frame);
    const client: SseClient = { topics, response };
    this.#clients.add(client);
    response.once("close", () => {
      this.#clients.delete(client);
      this.#onChange();
    });
    this.#onChange();
  }

  /** The topics some client listens to. */
  topics(): Set<string> {
    const out = new Set<string>();
    for (const c of this.#clients) for (const t of c.topics) out.add(t);
    return out;
  }

  /** Sends an event to the clients of `topic`. */
  publish(topic: string, event: string, data: string): void {
    const frame = sseFrame(event, data);
    this.#broadcast(frame, (c) => c.topics.has(topic));
  }

  #broadcast(frame: string, to: (client: SseClient) => boolean): void {
    for (const client of this.#clients) {
      if (!to(client)) continue;
      if (client.response.writableLength > this.#o.maxBufferedBytes) {
        client.response.destroy();
        continue;
      }
      client.response.write(frame);
    }
  }

  /** Ends every stream. */
  close(): void {
    clearInterval(this.#timer);
    for (const client of this.#clients) client.response.end();
    this.#clients.clear();
  }
}
