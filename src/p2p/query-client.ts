/**
 * The validator's side of the query protocol: one long-lived stream per miner carries every query
 * to it, multiplexed by request id (no stream per request on the hot path). Each query is signed by
 * the validator's hotkey and bound to its target, body, time and deadline; each answer is checked —
 * signature, the request it names, its body hash — before it is returned, as a receipt.
 */
import { randomBytes } from "node:crypto";
import type { Libp2p, PeerId, Stream } from "@libp2p/interface";
import { lpStream, type LengthPrefixedStream } from "@libp2p/utils";
import type { Multiaddr } from "@multiformats/multiaddr";
import { CodedError } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import type { Sr25519Signer } from "../util/sr25519.js";
import { decodeFrame, encodeFrame, FrameKind, PROTOCOL_VERSION, QUERY_PROTOCOL, REFUSAL_NAMES, type Frame, type SignedRequest, type SignedResponse } from "./protocol/frames.js";
import type { SessionSigner } from "./protocol/session.js";
import { bytesEqual, hash256, requestHash, signRequest, StreamDigest, verifyResponseSignature, type Receipt } from "./protocol/signing.js";
import { CachingSessionVerifier, sessionSignerOf } from "./session-key.js";
import { decodeTensors, encodeTensors, type TensorMap } from "./protocol/tensors.js";

/** The longest deadline a query may have (miners refuse longer ones; timers cap at 2^31 − 1 ms anyway). */
export const MAX_TIMEOUT_MS = 5 * 60_000;
/** Chunks one streamed answer may have before the client gives up on it. */
export const MAX_CHUNKS = 65_536;

export type QueryErrorCode = "REFUSED" | "TIMEOUT" | "BAD_RESPONSE" | "UNREACHABLE" | "CLOSED";

export class QueryError extends CodedError<QueryErrorCode> {
  /** For REFUSED: the miner's reason (Busy, RateLimited, …) and when to retry. */
  readonly refusal?: string;
  readonly retryAfterMs?: number;
  constructor(code: QueryErrorCode, message: string, extra: { refusal?: string; retryAfterMs?: number } = {}) {
    super(code, message);
    this.name = "QueryError";
    if (extra.refusal !== undefined) this.refusal = extra.refusal;
    if (extra.retryAfterMs !== undefined) this.retryAfterMs = extra.retryAfterMs;
  }
}

export interface QueryTarget {
  /** Where to reach the miner: its peer id (known to the peer store) or an address. */
  readonly peer: PeerId | Multiaddr;
  /** The miner's hotkey (32-byte public key): the request is bound to it. */
  readonly hotkey: Uint8Array;
}

export interface QueryOptions {
  /** The deadline, from now (default 12 s); the miner drops the work once it passes. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Called with each chunk of a streamed answer as it arrives. */
  readonly onChunk?: (chunk: TensorMap) => void;
}

export interface QueryAnswer {
  /** The answer (for a streamed one: the last chunk; all are in `chunks`). */
  readonly body: TensorMap;
  readonly chunks: readonly TensorMap[];
  readonly receipt: Receipt;
  readonly latencyMs: number;
}

export interface QueryClientOptions {
  readonly libp2p: Libp2p;
  readonly hotkey: Sr25519Signer;
  readonly netuid: number;
  readonly genesisHash: Uint8Array;
  readonly maxFrameBytes?: number;
  readonly now?: () => number;
  readonly log: Logger;
}

interface Pending {
  readonly request: SignedRequest;
  readonly chunks: Uint8Array[];
  readonly decoded: TensorMap[];
  readonly onChunk: ((chunk: TensorMap) => void) | undefined;
  readonly started: number;
  resolve(answer: QueryAnswer): void;
  reject(error: Error): void;
}

/** One miner's stream and its queries in flight. */
class Session {
  readonly pending = new Map<number, Pending>();
  #nextId = 1;
  constructor(
    readonly stream: Stream,
    readonly lp: LengthPrefixedStream<Stream>,
  ) {}

  nextId(): number {
    const id = this.#nextId;
    this.#nextId = this.#nextId >= 0xffffffff ? 1 : this.#nextId + 1;
    return id;
  }
}

export class QueryClient {
  readonly #o: QueryClientOptions;
  readonly #now: () => number;
  readonly #sessions = new Map<string, Promise<Session>>();
  readonly #signer: SessionSigner;
  readonly #verifier = new CachingSessionVerifier();
  #closed = false;

  constructor(options: QueryClientOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#signer = sessionSignerOf(options.hotkey, this.#now);
  }

  async query(target: QueryTarget, synapse: string, body: TensorMap, options: QueryOptions = {}): Promise<QueryAnswer> {
    if (this.#closed) throw new QueryError("CLOSED", "the query client is closed");
    const timeoutMs = options.timeoutMs ?? 12_000;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) throw new RangeError(`timeoutMs must be an integer in 1..${MAX_TIMEOUT_MS}, got ${timeoutMs}`);
    const started = this.#now();
    const bytes = encodeTensors(body);
    const request = signRequest(
      {
        version: PROTOCOL_VERSION,
        netuid: this.#o.netuid,
        genesisHash: this.#o.genesisHash,
        validator: this.#o.hotkey.publicKey,
        miner: target.hotkey,
        nonce: new Uint8Array(randomBytes(16)),
        timestampMs: BigInt(started),
        deadlineMs: BigInt(started + timeoutMs),
        synapse,
        bodyHash: hash256(bytes),
      },
      this.#signer,
    );
    const session = await this.#session(target.peer, options.signal);
    const requestId = session.nextId();
    return new Promise<QueryAnswer>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        session.pending.delete(requestId);
      };
      const cancel = (error: QueryError): void => {
        if (!session.pending.has(requestId)) return;
        finish();
        void session.lp.write(encodeFrame({ kind: FrameKind.Cancel, requestId })).catch(() => undefined);
        reject(error);
      };
      const onAbort = (): void => cancel(new QueryError("TIMEOUT", "the query was aborted"));
      timer = setTimeout(() => cancel(new QueryError("TIMEOUT", `no answer within ${timeoutMs} ms`)), timeoutMs);
      options.signal?.addEventListener("abort", onAbort, { once: true });
      session.pending.set(requestId, {
        request,
        chunks: [],
        decoded: [],
        onChunk: options.onChunk,
        started,
        resolve: (answer) => {
          finish();
          resolve(answer);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      });
      session.lp.write(encodeFrame({ kind: FrameKind.Request, requestId, request, body: bytes })).catch((error: unknown) => {
        session.pending.get(requestId)?.reject(new QueryError("UNREACHABLE", `sending failed: ${(error as Error).message}`));
      });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const sessions = await Promise.allSettled([...this.#sessions.values()]);
    this.#sessions.clear();
    // Every stream at once, each given half a second to close cleanly before it is aborted: a miner
    // that does not answer the close must not hold the stop of a validator asking hundreds.
    await Promise.all(
      sessions.map(async (s) => {
        if (s.status !== "fulfilled") return;
        for (const p of s.value.pending.values()) p.reject(new QueryError("CLOSED", "the query client closed"));
        await s.value.stream.close({ signal: AbortSignal.timeout(500) }).catch(() => s.value.stream.abort(new Error("the query client closed")));
      }),
    );
  }

  /** The open session to a miner, or a new stream to it. */
  #session(peer: PeerId | Multiaddr, signal?: AbortSignal): Promise<Session> {
    const key = peer.toString();
    const existing = this.#sessions.get(key);
    if (existing) return existing;
    const opening = (async () => {
      let stream: Stream;
      try {
        stream = await this.#o.libp2p.dialProtocol(peer, QUERY_PROTOCOL, signal ? { signal } : {});
      } catch (error) {
        throw new QueryError("UNREACHABLE", `cannot open a query stream to ${key}: ${(error as Error).message}`);
      }
      const max = this.#o.maxFrameBytes ?? 8 * 1024 * 1024;
      const session = new Session(stream, lpStream(stream, { maxDataLength: max, maxBufferSize: max + 1024 * 1024 }));
      void this.#readLoop(key, session);
      return session;
    })();
    this.#sessions.set(key, opening);
    opening.catch(() => this.#sessions.delete(key));
    return opening;
  }

  async #readLoop(key: string, session: Session): Promise<void> {
    try {
      for (;;) {
        const bytes = (await session.lp.read()).subarray();
        let frame: Frame;
        try {
          frame = decodeFrame(bytes);
        } catch (error) {
          this.#o.log.debug({ peer: key, error: (error as Error).message }, "a bad frame from a miner");
          continue;
        }
        this.#onFrame(session, frame);
      }
    } catch {
      // The stream ended: every query on it fails, and the next query opens a new one.
    } finally {
      if ((await this.#sessions.get(key)?.catch(() => undefined)) === session) this.#sessions.delete(key);
      for (const p of [...session.pending.values()]) p.reject(new QueryError("UNREACHABLE", "the miner closed the stream"));
    }
  }

  #onFrame(session: Session, frame: Frame): void {
    const pending = session.pending.get(frame.requestId);
    if (!pending) return;
    switch (frame.kind) {
      case FrameKind.Refused:
        pending.reject(
          new QueryError("REFUSED", `the miner refused: ${REFUSAL_NAMES[frame.code]}: ${frame.message}`, { refusal: REFUSAL_NAMES[frame.code]!, retryAfterMs: frame.retryAfterMs }),
        );
        return;
      case FrameKind.Chunk: {
        if (pending.chunks.length >= MAX_CHUNKS) {
          pending.reject(new QueryError("BAD_RESPONSE", `more than ${MAX_CHUNKS} chunks`));
          return;
        }
        if (frame.seq !== pending.chunks.length) {
          pending.reject(new QueryError("BAD_RESPONSE", `chunk ${frame.seq} arrived out of order`));
          return;
        }
        try {
          const chunk = decodeTensors(frame.body);
          pending.chunks.push(new Uint8Array(frame.body));
          pending.decoded.push(chunk);
          pending.onChunk?.(chunk);
        } catch (error) {
          pending.reject(new QueryError("BAD_RESPONSE", `a bad chunk: ${(error as Error).message}`));
        }
        return;
      }
      case FrameKind.Response:
      case FrameKind.End: {
        const problem = this.#checkResponse(pending.request, frame.response);
        if (problem) {
          pending.reject(new QueryError("BAD_RESPONSE", problem));
          return;
        }
        const bodyBytes = frame.kind === FrameKind.Response ? new Uint8Array(frame.body) : undefined;
        const digest = new StreamDigest();
        for (const c of pending.chunks) digest.add(c);
        const expected = bodyBytes ? hash256(bodyBytes) : digest.digest();
        if (!bytesEqual(expected, frame.response.bodyHash)) {
          pending.reject(new QueryError("BAD_RESPONSE", "the answer does not match its signed hash"));
          return;
        }
        try {
          const body = bodyBytes ? decodeTensors(bodyBytes) : (pending.decoded.at(-1) ?? new Map());
          const receipt: Receipt = { request: pending.request, response: frame.response, body: bodyBytes ?? pending.chunks };
          pending.resolve({ body, chunks: bodyBytes ? [body] : pending.decoded, receipt, latencyMs: this.#now() - pending.started });
        } catch (error) {
          pending.reject(new QueryError("BAD_RESPONSE", `a bad answer: ${(error as Error).message}`));
        }
        return;
      }
      default:
        return;
    }
  }

  #checkResponse(request: SignedRequest, response: SignedResponse): string | undefined {
    if (!bytesEqual(response.miner, request.miner)) return "the answer is signed by another hotkey than the one asked";
    if (!bytesEqual(response.requestHash, requestHash(request))) return "the answer names another request";
    if (!verifyResponseSignature(response, this.#verifier)) return "the answer's signature does not verify";
    return undefined;
  }
}
