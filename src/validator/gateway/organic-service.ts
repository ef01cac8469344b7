/**
 * The organic service: a user's request, checked, sent to miners chosen among the best by the
 * validator's own scores, and the first valid answer returned with the miner's signed receipt.
 *
 * Within the synapse's deadline: a miner that fails is replaced at once by another; one that is
 * late (past twice the recent 90th percentile) gets a second miner racing it, and the loser is
 * cancelled. `redundancy` k asks k miners at once. Miners that time out, fail, or answer with an
 * invalid signature or form lose score as on challenges and rest a while; refusals for load (Busy,
 * RateLimited) only send the request elsewhere. The content of an answer is never judged and an
 * answer never raises a score: users choose their inputs, and could choose them to sink a miner.
 */
import { CodedError } from "../../util/errors.js";
import type { Logger } from "../../util/logger.js";
import { encodeOrganicReceipt, organicRequestBody, readOrganicAnswer } from "../../p2p/protocol/organic.js";
import { hash256 } from "../../p2p/protocol/signing.js";
import type { TensorMap } from "../../p2p/protocol/tensors.js";
import { QueryError, type QueryAnswer, type QueryOptions, type QueryTarget } from "../../p2p/query-client.js";
import { PublicInputError } from "../../subnet/plugin.js";
import type { PublicEndpoint, PublicInterface } from "../../subnet/public-api.js";
import type { ScoreEntry } from "../scores.js";
import type { OrganicLedger, OrganicRecord } from "../organic-ledger.js";
import { attributionTable } from "./attribution.js";
import { GatewayError, type AnswerReceipt, type Caller, type GatewayAnswer, type GatewayBackend, type SynapseInfo } from "./contract.js";
import { LatencyWindow } from "./latency-window.js";
import { chooseMiners, type Candidate } from "./miner-choice.js";

export interface ServingMiner {
  readonly uid: number;
  readonly hotkey: string;
  readonly target: QueryTarget;
}

export interface OrganicServiceOptions {
  readonly api: PublicInterface;
  /** The miners serving now (registered, with an axon), the validator itself excepted. */
  readonly serving: () => readonly ServingMiner[];
  /** The validator's current opinion of a uid. */
  readonly score: (uid: number) => ScoreEntry | undefined;
  readonly query: (target: QueryTarget, synapse: string, body: TensorMap, options: QueryOptions) => Promise<QueryAnswer>;
  readonly ledger: OrganicLedger;
  /** A failure held against a miner: the daemon folds a 0 into its score. */
  readonly penalize: (uid: number, hotkey: string) => void;
  /** How long a miner that failed is asked only when nobody else can be, ms (default 30 s). */
  readonly restMs?: number;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly log: Logger;
}

/** Miners asked for one request at most: the redundancy asked plus this many replacements. */
const SPARE_ATTEMPTS = 2;
/** No attempt is started with less time than this before the deadline, ms. */
const MIN_ATTEMPT_MS = 50;
const LATENCY_WINDOW = 256;

class AnswerProblem extends CodedError<"BAD_OUTPUT"> {}

interface MinerCounts {
  served: number;
  failed: number;
  busy: number;
}

export class OrganicService implements GatewayBackend {
  readonly #o: OrganicServiceOptions;
  readonly #now: () => number;
  readonly #random: () => number;
  /** uid → when its rest ends (Unix ms). */
  readonly #resting = new Map<number, number>();
  /** Recent latencies of served answers per synapse, for the hedging delay. */
  readonly #latencies = new Map<string, LatencyWindow>();
  readonly #counts = new Map<string, MinerCounts>();

  constructor(options: OrganicServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  synapses(): SynapseInfo[] {
    return [...this.#o.api.endpoints.values()].map((e) => ({ name: e.name, description: e.description, timeoutMs: e.timeoutMs, input: e.spec.input, output: e.spec.output, example: e.spec.example, maxBodyBytes: e.spec.maxBodyBytes }));
  }

  async call(synapse: string, body: Uint8Array, caller: Caller, signal: AbortSignal): Promise<GatewayAnswer> {
    const endpoint = this.#o.api.get(synapse);
    if (!endpoint) throw new GatewayError("NOT_FOUND", 404, `this subnet offers no synapse "${synapse}" to users (GET /v1/synapses lists those it does)`);
    let redundancy: number;
    try {
      const request = endpoint.readRequest(body);
      redundancy = request.redundancy;
      // Converted here only to refuse bad input at once; the miner converts the user's own bytes.
      await endpoint.spec.toTensors(request.input);
    } catch (error) {
      if (error instanceof PublicInputError) {
        if (error.tooLarge) throw new GatewayError("TOO_LARGE", 413, error.message);
        throw new GatewayError(error.problem === "json" ? "BAD_JSON" : error.problem === "redundancy" ? "BAD_REDUNDANCY" : "BAD_INPUT", 400, error.message);
      }
      throw error;
    }
    if (this.#o.serving().length === 0) throw new GatewayError("NO_MINER", 503, "no miner serves this subnet right now; try again shortly", 5_000);
    return this.#route(endpoint, body, redundancy, caller, signal);
  }

  #candidates(): Map<number, ServingMiner & Candidate> {
    return new Map(this.#o.serving().map((m) => [m.uid, { ...m, score: this.#scoreOf(m) }]));
  }

  #scoreOf(m: { uid: number; hotkey: string }): number | undefined {
    const entry = this.#o.score(m.uid);
    return entry && entry.hotkey === m.hotkey ? entry.ema : undefined;
  }

  #hedgeAfterMs(endpoint: PublicEndpoint): number {
    const recent = this.#latencies.get(endpoint.name);
    const half = endpoint.timeoutMs / 2;
    if (!recent || recent.size < 8) return half;
    return Math.min(half, Math.max(MIN_ATTEMPT_MS, 2 * recent.quantile(0.9)));
  }

  #route(endpoint: PublicEndpoint, userBody: Uint8Array, want: number, caller: Caller, outer: AbortSignal): Promise<GatewayAnswer> {
    const deadline = this.#now() + endpoint.timeoutMs;
    const requestBody = organicRequestBody(userBody);
    const candidates = this.#candidates();
    const tried = new Set<number>();
    const answers: (AnswerReceipt & { output: unknown })[] = [];
    const failures: string[] = [];
    const cancel = new AbortController();
    const onOuterAbort = (): void => cancel.abort(outer.reason);
    outer.addEventListener("abort", onOuterAbort, { once: true });
    let inflight = 0;
    let hedge: NodeJS.Timeout | undefined;

    return new Promise<GatewayAnswer>((resolve, reject) => {
      let settled = false;
      const settle = (): void => {
        settled = true;
        clearTimeout(hedge);
        outer.removeEventListener("abort", onOuterAbort);
        // Only attempts still running need cancelling (an Error and an abort event per request are not free).
        if (inflight > 0) cancel.abort(new Error("answered"));
        if (answers.length > 0) {
          const [first, ...rest] = answers;
          resolve({ ...first!, ...(want > 1 ? { receipts: [first!, ...rest].map(({ output: _output, ...r }) => r) } : {}) });
        } else if (outer.aborted) {
          reject(outer.reason instanceof Error ? outer.reason : new Error("the request was abandoned"));
        } else {
          reject(new GatewayError("MINERS_FAILED", 503, `no miner answered in time (${[...new Set(failures)].join(", ") || "none could be asked"}); try again`, 1_000));
        }
      };
      const launch = (count: number): number => {
        if (outer.aborted || deadline - this.#now() < MIN_ATTEMPT_MS || tried.size >= want + SPARE_ATTEMPTS) return 0;
        const picks = chooseMiners([...candidates.values()], Math.min(count, want + SPARE_ATTEMPTS - tried.size), this.#random, tried, this.#restingNow());
        for (const pick of picks) void attempt(candidates.get(pick.uid)!);
        return picks.length;
      };
      const after = (): void => {
        if (settled) return;
        if (answers.length >= want) return settle();
        if (answers.length + inflight < want) launch(want - answers.length - inflight);
        if (inflight === 0) settle();
      };
      const attempt = async (miner: ServingMiner): Promise<void> => {
        tried.add(miner.uid);
        inflight += 1;
        const started = this.#now();
        try {
          const timeoutMs = Math.max(1, Math.floor(deadline - started));
          // The receipt goes to the user: its signature is checked before the answer comes back.
          const answer = await this.#o.query(miner.target, endpoint.name, requestBody, { timeoutMs, signal: cancel.signal, checkBeforeReturn: true });
          await answer.checked;
          const json = readOrganicAnswer(answer.body);
          if (json === undefined) throw new AnswerProblem("BAD_OUTPUT", "the answer is not an organic answer (one JSON output tensor)");
          const read = endpoint.readOutput(json);
          if ("problem" in read) throw new AnswerProblem("BAD_OUTPUT", read.problem);
          const receipt = encodeOrganicReceipt({ request: answer.receipt.request, response: answer.receipt.response, answer: answer.receipt.body as Uint8Array });
          this.#served(endpoint.name, answer.latencyMs);
          this.#record({ atMs: this.#now(), key: caller.keyName, synapse: endpoint.name, uid: miner.uid, hotkey: miner.hotkey, latencyMs: answer.latencyMs, outcome: "served", receiptHash: Buffer.from(hash256(receipt)).toString("hex") });
          if (!settled) answers.push({ output: read.output, miner: { uid: miner.uid, hotkey: miner.hotkey }, latencyMs: Math.round(answer.latencyMs * 10) / 10, receipt: Buffer.from(receipt).toString("base64") });
        } catch (error) {
          // Cancelled by us (another miner answered first, or the user left): says nothing of this miner.
          if (!cancel.signal.aborted) this.#failed(miner, endpoint.name, caller, error as Error, this.#now() - started, failures);
        } finally {
          inflight -= 1;
          after();
        }
      };
      if (launch(want) === 0) {
        failures.push("every serving miner was already asked");
        return settle();
      }
      if (want === 1)
        hedge = setTimeout(() => {
          if (!settled && answers.length === 0 && inflight === 1) launch(1);
        }, this.#hedgeAfterMs(endpoint));
    });
  }

  #restingNow(): Set<number> {
    const now = this.#now();
    for (const [uid, until] of this.#resting) if (until <= now) this.#resting.delete(uid);
    return new Set(this.#resting.keys());
  }

  #served(synapse: string, latencyMs: number): void {
    let recent = this.#latencies.get(synapse);
    if (!recent) this.#latencies.set(synapse, (recent = new LatencyWindow(LATENCY_WINDOW)));
    recent.add(latencyMs);
  }

  #failed(miner: ServingMiner, synapse: string, caller: Caller, error: Error, latencyMs: number, failures: string[]): void {
    const refusal = error instanceof QueryError ? error.refusal : undefined;
    const forLoad = refusal === "Busy" || refusal === "RateLimited" || refusal === "ShuttingDown";
    const code = error instanceof QueryError ? (refusal ?? error.code) : error instanceof AnswerProblem ? error.code : "ERROR";
    failures.push(`uid ${miner.uid}: ${code}`);
    const restMs = forLoad ? Math.max(250, (error as QueryError).retryAfterMs ?? 1_000) : (this.#o.restMs ?? 30_000);
    this.#resting.set(miner.uid, this.#now() + restMs);
    this.#record({ atMs: this.#now(), key: caller.keyName, synapse, uid: miner.uid, hotkey: miner.hotkey, latencyMs, outcome: forLoad ? "refused-busy" : "failed", code });
    if (!forLoad) this.#o.penalize(miner.uid, miner.hotkey);
    this.#o.log.debug({ uid: miner.uid, code, error: error.message }, "an organic request failed at a miner");
  }

  #record(r: OrganicRecord): void {
    const id = `${r.uid}/${r.hotkey}`;
    const counts = this.#counts.get(id) ?? { served: 0, failed: 0, busy: 0 };
    if (r.outcome === "served") counts.served += 1;
    else if (r.outcome === "failed") counts.failed += 1;
    else counts.busy += 1;
    this.#counts.set(id, counts);
    this.#o.ledger.record(r);
  }

  /** Organic outcomes per miner since the start (for /metrics). */
  minerCounts(): { uid: number; hotkey: string; served: number; failed: number; busy: number }[] {
    return [...this.#counts].map(([id, c]) => {
      const [uid, hotkey] = id.split("/") as [string, string];
      return { uid: Number(uid), hotkey, ...c };
    });
  }

  miners(): unknown {
    const resting = this.#restingNow();
    return {
      miners: this.#o.serving().map((m) => {
        const entry = this.#o.score(m.uid);
        const mine = entry && entry.hotkey === m.hotkey ? entry : undefined;
        const counts = this.#counts.get(`${m.uid}/${m.hotkey}`) ?? { served: 0, failed: 0, busy: 0 };
        return { uid: m.uid, hotkey: m.hotkey, score: mine?.ema ?? null, samples: mine?.samples ?? 0, lastScoredAt: mine ? new Date(mine.lastScoredMs).toISOString() : null, resting: resting.has(m.uid), organic: counts };
      }),
    };
  }

  async attribution(sinceMs: number): Promise<unknown> {
    return { since: new Date(sinceMs).toISOString(), miners: attributionTable(await this.#o.ledger.since(sinceMs)) };
  }
}
