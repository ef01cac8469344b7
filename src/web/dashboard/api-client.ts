/** The dashboard server's API from the page: JSON reads that say what went wrong, and the live event stream. */
import type { ApiError, LiveEvents } from "../model/api.js";

/** A read that failed: the server's code and sentence, or why the server did not answer. */
export class ApiReadError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ApiReadError";
    this.status = status;
    this.code = code;
  }
}

/** GETs `path` as JSON; rejects with an ApiReadError (never a bare network error). */
export async function getJson<T>(path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: "application/json" } });
  } catch (error) {
    throw new ApiReadError(0, "SERVER_UNREACHABLE", `the dashboard server did not answer (${(error as Error).message}); is \`tensornode dashboard\` still running?`);
  }
  const body = (await response.json().catch(() => undefined)) as (T & Partial<ApiError>) | undefined;
  if (!response.ok || body === undefined) {
    const error = body?.error;
    throw new ApiReadError(response.status, error?.code ?? "BAD_ANSWER", error?.message ?? `the dashboard server answered HTTP ${response.status} to ${path}`);
  }
  return body;
}

type Handlers = { readonly [K in keyof LiveEvents]?: (data: LiveEvents[K]) => void };

/**
 * The server's events for `topics`, delivered to `handlers`; `onConnection` is told when the stream
 * drops (the browser reconnects by itself) and comes back. Returns a function that closes it.
 */
export function liveEvents(topics: readonly string[], handlers: Handlers, onConnection: (open: boolean) => void): () => void {
  const source = new EventSource(`/api/events?topics=${encodeURIComponent(topics.join(","))}`);
  for (const [name, handler] of Object.entries(handlers) as [keyof LiveEvents, (data: unknown) => void][]) {
    source.addEventListener(name, (event) => {
      let data: unknown;
      try {
        data = JSON.parse((event as MessageEvent<string>).data);
      } catch {
        return;
      }
      handler(data);
    });
  }
  source.addEventListener("open", () => onConnection(true));
  source.addEventListener("error", () => onConnection(false));
  return () => source.close();
}
