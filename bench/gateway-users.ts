/**
 * The users of the `gateway` benchmark: HTTP/1.1 keep-alive clients (node:http, one Agent with a
 * socket per concurrent user) in a worker thread of their own, so that their requests and answers
 * are parsed on another event loop than the gateway's, as they would be on users' machines. Each
 * run: `concurrency` loops POST the next body (round robin over the bodies) until the time is up,
 * each round trip timed; answers other than 200 are counted apart, by status and error code.
 */
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";

const USERS_WORKER = `
const { parentPort } = require("node:worker_threads");
const http = require("node:http");
const { performance } = require("node:perf_hooks");
let agent, port, path, bodies = [];
function post(body) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: "127.0.0.1", port, path, method: "POST", agent, headers: { "content-type": "application/json", "content-length": body.length } },
      (response) => {
        const chunks = [];
        response.on("data", (chunk) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString("utf8"), reused: request.reusedSocket }));
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}
parentPort.on("message", async (m) => {
  try {
    if (m.type === "setup") {
      agent?.destroy();
      agent = new http.Agent({ keepAlive: true, maxSockets: m.sockets });
      ({ port, path } = m);
      bodies = m.bodies.map((b) => Buffer.from(b));
      return parentPort.postMessage({ type: "ready" });
    }
    if (m.type === "close") {
      agent?.destroy();
      return parentPort.postMessage({ type: "closed" });
    }
    const latencies = [];
    const samples = {};
    const failures = {};
    let next = 0, firstFailure, connections = 0;
    const started = performance.now();
    const deadline = started + m.ms;
    await Promise.all(Array.from({ length: m.concurrency }, async () => {
      for (let mine = 0; mine < m.minEach || performance.now() < deadline; mine++) {
        const index = next++ % bodies.length;
        const t0 = performance.now();
        const answer = await post(bodies[index]);
        const ms = performance.now() - t0;
        if (!answer.reused) connections += 1;
        if (answer.status !== 200) {
          let code = "";
          try { code = JSON.parse(answer.text).error.code; } catch {}
          const kind = answer.status + " " + code;
          failures[kind] = (failures[kind] ?? 0) + 1;
          firstFailure ??= answer.status + " " + answer.text.slice(0, 500);
          continue;
        }
        latencies.push(ms);
        if (m.keepSamples && samples[index] === undefined) samples[index] = answer.text;
      }
    }));
    const elapsedMs = performance.now() - started;
    const buffer = Float64Array.from(latencies).buffer;
    parentPort.postMessage({ type: "ran", elapsedMs, latencies: buffer, failures, firstFailure, samples, connections }, [buffer]);
  } catch (error) {
    parentPort.postMessage({ type: "failed", message: String(error && error.stack || error) });
  }
});
`;

/** Calls timed: how many, over how long, and each one's round trip. */
export interface Timed {
  readonly count: number;
  readonly elapsedMs: number;
  /** Every round trip, ms. */
  readonly latencies: Float64Array;
}

export interface UsersRun extends Timed {
  /** The first 200 answer's text for each body index (when asked for). */
  readonly samples: ReadonlyMap<number, string>;
  /** Connections opened during the run (0 once the users' keep-alive connections are open). */
  readonly connections: number;
  /** Answers other than 200 (not in `count` nor `latencies`), by status and error code, e.g. "503 MINERS_FAILED". */
  readonly failures: ReadonlyMap<string, number>;
  readonly firstFailure: string | undefined;
}

type FromWorker =
  | { type: "ready" | "closed" }
  | { type: "ran"; elapsedMs: number; latencies: ArrayBuffer; failures: Record<string, number>; firstFailure?: string; samples: Record<string, string>; connections: number }
  | { type: "failed"; message: string };

export class HttpUsers {
  readonly #worker = new Worker(USERS_WORKER, { eval: true });

  #ask(message: object): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: FromWorker): void => {
        done();
        if (reply.type === "failed") reject(new Error(`the users' worker failed: ${reply.message}`));
        else resolve(reply);
      };
      const onError = (error: Error): void => {
        done();
        reject(error);
      };
      const done = (): void => {
        this.#worker.off("message", onMessage);
        this.#worker.off("error", onError);
      };
      this.#worker.once("message", onMessage);
      this.#worker.once("error", onError);
      this.#worker.postMessage(message);
    });
  }

  /** Users of `http://127.0.0.1:port{path}` with these bodies, over at most `sockets` keep-alive connections (new ones). */
  async setup(port: number, path: string, bodies: readonly Uint8Array[], sockets: number): Promise<void> {
    await this.#ask({ type: "setup", port, path, bodies: bodies.map((b) => new Uint8Array(b)), sockets });
  }

  /** `concurrency` users for `ms` (and at least `minEach` requests each); `count` and `latencies` are the 200 answers'. */
  async run(concurrency: number, ms: number, { minEach = 0, keepSamples = false }: { minEach?: number; keepSamples?: boolean } = {}): Promise<UsersRun> {
    const reply = await this.#ask({ type: "run", concurrency, ms, minEach, keepSamples });
    if (reply.type !== "ran") throw new Error(`the users' worker answered ${reply.type}`);
    const latencies = new Float64Array(reply.latencies);
    return {
      count: latencies.length,
      elapsedMs: reply.elapsedMs,
      latencies,
      samples: new Map(Object.entries(reply.samples).map(([i, text]) => [Number(i), text])),
      connections: reply.connections,
      failures: new Map(Object.entries(reply.failures)),
      firstFailure: reply.firstFailure,
    };
  }

  async close(): Promise<void> {
    await this.#ask({ type: "close" }).catch(() => undefined);
    await this.#worker.terminate();
  }
}

/**
 * The same loop shape as the users', in this thread: `concurrency` loops call `call(index)` over
 * `bodies` indices until `ms` is up (and at least `minEach` calls each), each call timed.
 */
export async function driveInProcess(call: (index: number) => Promise<unknown>, bodies: number, concurrency: number, ms: number, minEach = 0): Promise<Timed> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let mine = 0; mine < minEach || performance.now() < deadline; mine++) {
        const index = next++ % bodies;
        const t0 = performance.now();
        await call(index);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { count: latencies.length, elapsedMs: performance.now() - started, latencies: Float64Array.from(latencies) };
}
