/**
 * What the gateway's HTTP layer (http-server.ts: transport, access, limits) and the organic service
 * behind it (routing users' requests to miners, receipts, attribution) agree on.
 */
import { CodedError } from "../../util/errors.js";
import type { JsonSchema } from "../../subnet/plugin.js";

/** A synapse offered to users, as `GET /v1/synapses` lists it. */
export interface SynapseInfo {
  /** The manifest's synapse name (the path segment of `POST /v1/synapses/{name}`). */
  readonly name: string;
  readonly description: string;
  /** The miners' deadline for one answer, ms. */
  readonly timeoutMs: number;
  readonly input: JsonSchema;
  readonly output: JsonSchema;
  readonly example: unknown;
  /** The largest request body accepted, bytes. */
  readonly maxBodyBytes: number;
}

/** One miner's signed answer, as the user gets it. */
export interface AnswerReceipt {
  readonly miner: { readonly uid: number; readonly hotkey: string };
  readonly latencyMs: number;
  /** base64 of the receipt bytes (src/p2p/protocol/organic.ts). */
  readonly receipt: string;
}

/** The body of a `POST /v1/synapses/{name}` that succeeded. */
export interface GatewayAnswer extends AnswerReceipt {
  readonly output: unknown;
  /** With `"redundancy": k` > 1: every valid answer that came back, the chosen one first. */
  readonly receipts?: readonly AnswerReceipt[];
}

/** Who asked: the key's name ("local" when the gateway runs without keys). */
export interface Caller {
  readonly keyName: string;
}

export type GatewayErrorCode =
  | "BAD_REQUEST"
  | "BAD_JSON"
  | "BAD_INPUT"
  | "BAD_REDUNDANCY"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "METHOD_NOT_ALLOWED"
  | "TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "RATE_LIMITED"
  | "BUSY"
  | "NO_MINER"
  | "MINERS_FAILED"
  | "BAD_HOST"
  | "BAD_ORIGIN"
  | "REQUEST_TIMEOUT"
  | "SHUTTING_DOWN"
  | "INTERNAL";

/** An error the gateway answers with: its HTTP status and a JSON body `{error: {code, message}}`. */
export class GatewayError extends CodedError<GatewayErrorCode> {
  constructor(
    code: GatewayErrorCode,
    readonly status: number,
    message: string,
    /** Sent as Retry-After (seconds, rounded up) with 429 and 503. */
    readonly retryAfterMs?: number,
  ) {
    super(code, message);
    this.name = "GatewayError";
  }
}

/** What the HTTP layer asks of the organic service. */
export interface GatewayBackend {
  synapses(): readonly SynapseInfo[];
  /**
   * Answers one user request: `body` is the exact bytes the user sent (JSON, not yet parsed).
   * Throws GatewayError for anything the user should be told (400, 413, 503 …).
   */
  call(synapse: string, body: Uint8Array, caller: Caller, signal: AbortSignal): Promise<GatewayAnswer>;
  /** `GET /v1/miners`: who serves, with the validator's current scores (JSON). */
  miners(): unknown;
  /** `GET /v1/attribution?since=`: per miner, requests served and failed, latency percentiles (JSON). */
  attribution(sinceMs: number): Promise<unknown>;
}
