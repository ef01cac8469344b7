/**
 * The page's calls to the gateway it was served from: the synapses offered, and one synapse call
 * with the exact bytes given. Every failure comes back as one sentence to show — the gateway's own
 * message for its JSON errors, and a plain one when it cannot be reached or answers something
 * else — never as an exception. `fetch` is passed in, so this runs and is tested anywhere.
 */

/** A synapse as `GET /v1/synapses` lists it (docs/gateway.md). */
export interface Synapse {
  readonly name: string;
  readonly description: string;
  readonly timeoutMs: number;
  readonly input: unknown;
  readonly output: unknown;
  readonly example: unknown;
  readonly maxBodyBytes: number;
}

export interface GatewayFailure {
  /** The HTTP status; 0 when no answer came. */
  readonly status: number;
  /** The gateway's error code (RATE_LIMITED, BAD_INPUT, …), or UNREACHABLE / BAD_ANSWER from the page. */
  readonly code: string;
  readonly message: string;
}

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: GatewayFailure };

export interface SynapseAnswer {
  /** The answer's JSON as the gateway sent it (checkAnswer reads it whole). */
  readonly answer: unknown;
  readonly output: unknown;
  readonly miner: { readonly uid: number; readonly hotkey: string };
  readonly latencyMs: number;
  /** From sending the request until its answer was read, as the page measured it. */
  readonly roundTripMs: number;
}

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The failure a non-2xx answer stands for: the gateway's `{"error": {code, message}}`, or what came instead. */
export function failureOf(status: number, bodyText: string): GatewayFailure {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    json = undefined;
  }
  const error = isRecord(json) && isRecord(json.error) ? json.error : undefined;
  if (error && typeof error.code === "string" && typeof error.message === "string") return { status, code: error.code, message: error.message };
  return { status, code: "BAD_ANSWER", message: `the gateway answered HTTP ${status} without an error message` };
}

function unreachable(error: unknown): GatewayFailure {
  return { status: 0, code: "UNREACHABLE", message: `the gateway could not be reached (${error instanceof Error ? error.message : String(error)})` };
}

function badAnswer(status: number, what: string): GatewayFailure {
  return { status, code: "BAD_ANSWER", message: `the gateway's answer is not ${what}` };
}

function parseSynapse(value: unknown): Synapse | undefined {
  if (!isRecord(value)) return undefined;
  const { name, description, timeoutMs, input, output, example, maxBodyBytes } = value;
  if (typeof name !== "string" || name === "" || typeof timeoutMs !== "number" || typeof maxBodyBytes !== "number") return undefined;
  return { name, description: typeof description === "string" ? description : "", timeoutMs, input, output, example, maxBodyBytes };
}

/** The synapses the gateway offers, from its `GET /v1/synapses`. */
export async function fetchSynapses(fetchFn: FetchLike, baseUrl: string): Promise<Outcome<readonly Synapse[]>> {
  let response: Response;
  let text: string;
  try {
    response = await fetchFn(`${baseUrl}/v1/synapses`, { headers: { accept: "application/json" } });
    text = await response.text();
  } catch (error) {
    return { ok: false, failure: unreachable(error) };
  }
  if (!response.ok) return { ok: false, failure: failureOf(response.status, text) };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, failure: badAnswer(response.status, "JSON") };
  }
  const listed = isRecord(json) && Array.isArray(json.synapses) ? json.synapses.map(parseSynapse) : undefined;
  if (!listed || listed.some((s) => s === undefined)) return { ok: false, failure: badAnswer(response.status, "a list of synapses") };
  return { ok: true, value: listed as Synapse[] };
}

/** `POST /v1/synapses/{name}` with `body` exactly; with `apiKey` as a bearer key when there is one. */
export async function callSynapse(fetchFn: FetchLike, baseUrl: string, name: string, body: Uint8Array, apiKey: string, now: () => number): Promise<Outcome<SynapseAnswer>> {
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (apiKey !== "") headers.authorization = `Bearer ${apiKey}`;
  const started = now();
  let response: Response;
  let text: string;
  try {
    response = await fetchFn(`${baseUrl}/v1/synapses/${encodeURIComponent(name)}`, { method: "POST", headers, body: body as Uint8Array<ArrayBuffer> });
    text = await response.text();
  } catch (error) {
    return { ok: false, failure: unreachable(error) };
  }
  const roundTripMs = now() - started;
  if (!response.ok) return { ok: false, failure: failureOf(response.status, text) };
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    return { ok: false, failure: badAnswer(response.status, "JSON") };
  }
  const miner = isRecord(answer) && isRecord(answer.miner) ? answer.miner : undefined;
  if (!isRecord(answer) || !miner || typeof miner.uid !== "number" || typeof miner.hotkey !== "string" || typeof answer.latencyMs !== "number" || !("output" in answer))
    return { ok: false, failure: badAnswer(response.status, "an answer with an output, a miner and a latency") };
  return { ok: true, value: { answer, output: answer.output, miner: { uid: miner.uid, hotkey: miner.hotkey }, latencyMs: answer.latencyMs, roundTripMs } };
}
