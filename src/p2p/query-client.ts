/**
 * The validator's side of the query protocol (docs/protocol.md §5): one long-lived stream per miner
 * carries every query to it, multiplexed by request id. The stream opens with HELLO (the
 * validator's hotkey binding of its libp2p peer, checked once by the miner) and the miner's WELCOME
 * (the salt of the stream's nonces, its hotkey's binding of the peer Noise authenticated and of its
 * session key, each checked once here). A request then carries only its id, times, synapse and
 * body. Each answer comes with its receipt: the miner's session signature over a header naming
 * this request in full and the answer's body — checked before the answer is returned, or, for a
 * caller that asks, on a worker thread while it goes on (`answer.checked`).
 */
import type { Libp2p, PeerId } from "@libp2p/interface";
import type { Multiaddr } from "@multiformats/multiaddr";
import { CodedError } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import type { Sr25519Signer } from "../util/sr25519.js";
import { FrameChannel } from "./frame-channel.js";
import { decodeBinding } from "./identity.js";
import { OwnBinding } from "./own-binding.js";
import { WorkerSignatureChecker, type BatchPolicy, type SignatureChecker } from "./signature-checker.js";
import {
  decodeFrame,
  encodeFrame,
  FrameKind,
  MAX_WELCOME_BYTES,
  PROTOCOL_VERSION,
  QUERY_PROTOCOL,
  REFUSAL_NAMES,
  requestNonce,
  type Frame,
  type RequestHeader,
  type ResponseHeader,
  type Welcome,
} from "./protocol/frames.js";
import { bytesEqual, hash256, requestHash, responseSigningBytes, StreamDigest, type Receipt } from "./protocol/signing.js";
import { CachingSessionVerifier } from "./session-key.js";
import { VerifiedBindings } from "./verified-bindings.js";
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
  /** Check this answer's signature before returning it, whatever the client's `checkAnswers` (a receipt going to a user at once). */
  readonly checkBeforeReturn?: boolean;
}

export interface QueryAnswer {
  /** The answer (for a streamed one: the last chunk; all are in `chunks`). */
  readonly body: TensorMap;
  readonly chunks: readonly TensorMap[];
  readonly receipt: Receipt;
  readonly latencyMs: number;
  /**
   * Settles once the miner's signature over this answer is checked: resolves when it verifies,
   * rejects (BAD_RESPONSE) when not. Already resolved when the client checks answers before
   * returning them; with `checkAnswers: "in-background"`, await it before using the receipt.
   */
  readonly checked: Promise<void>;
}

export interface QueryClientOptions {
  readonly libp2p: Libp2p;
  readonly hotkey: Sr25519Signer;
  readonly netuid: number;
  readonly genesisHash: Uint8Array;
  readonly maxFrameBytes?: number;
  /**
   * "before-return" (the default): `query` returns an answer once its signature verified.
   * "in-background": it returns the answer as soon as it arrives on the miner's stream (which
   * WELCOME proved is the miner's), and checks the signature on a worker thread (`answer.checked`),
   * in batches of up to 64 sent within 5 ms. "after-flush": likewise, but the checks wait for
   * `flushChecks()` (or 4096 of them, or a second): a validator's step waits for its answers, then
   * has them checked, so the checks take no CPU from the step, nor from miners sharing its machine.
   */
  readonly checkAnswers?: "before-return" | "in-background" | "after-flush";
  /** Requests one stream carries before the next query opens another (ids are u32: at most, and by default, 2^32 − 1). */
  readonly maxRequestsPerStream?: number;
  readonly now?: () => number;
  readonly log: Logger;
}

interface Pending {
  readonly request: RequestHeader;
  readonly requestHash: Uint8Array;
  readonly chunks: Uint8Array[];
  readonly decoded: TensorMap[];
  readonly onChunk: ((chunk: TensorMap) => void) | undefined;
  readonly checkBeforeReturn: boolean;
  readonly started: number;
  resolve(answer: QueryAnswer): void;
  reject(error: Error): void;
}

const BACKGROUND_CHECKS: Readonly<Record<NonNullable<QueryClientOptions["checkAnswers"]>, BatchPolicy | undefined>> = {
  "before-return": undefined,
  "in-background": { maxJobs: 64, maxWaitMs: 5 },
  "after-flush": { maxJobs: 4096, maxWaitMs: 1000 },
};
const BAD_SIGNATURE = "the answer's signature does not verify (over this request and this body)";
const CHECKED = Promise.resolve();

/** The largest request id; a stream that used them all is retired and the next query opens another. */
const LAST_REQUEST_ID = 0xffffffff;
/** How long a miner has to answer HELLO. */
const WELCOME_TIMEOUT_MS = 10_000;

/** One miner's stream, once WELCOME has come, and its queries in flight. */
class Session {
  readonly pending = new Map<number, Pending>();
  #lastId = 0;
  retired = false;
  constructor(
    readonly channel: FrameChannel,
    readonly miner: Uint8Array,
    readonly welcome: Welcome,
  ) {}

  /** The next request id (strictly increasing on a stream); undefined once `lastId` is used. */
  nextId(lastId: number): number | undefined {
    if (this.#lastId >= lastId) return undefined;
    return ++this.#lastId;
  }
}

export class QueryClient {
  readonly #o: QueryClientOptions;
  readonly #now: () => number;
  readonly #sessions = new Map<string, Promise<Session>>();
  /** The sessions of `#sessions` that are open, for the hot path to find without a wait. */
  readonly #open = new Map<string, Session>();
  readonly #verifier = new CachingSessionVerifier();
  readonly #checker: SignatureChecker | undefined;
  readonly #ownBinding: OwnBinding;
  readonly #verifiedPeerBindings = new VerifiedBindings();
  readonly #lastRequestId: number;
  #closed = false;

  constructor(options: QueryClientOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    const perStream = options.maxRequestsPerStream ?? LAST_REQUEST_ID;
    if (!Number.isInteger(perStream) || perStream < 1 || perStream > LAST_REQUEST_ID) throw new RangeError(`maxRequestsPerStream must be an integer in 1..${LAST_REQUEST_ID}, got ${perStream}`);
    this.#lastRequestId = perStream;
    const policy = BACKGROUND_CHECKS[options.checkAnswers ?? "before-return"];
    this.#checker = policy ? new WorkerSignatureChecker(policy) : undefined;
    this.#ownBinding = new OwnBinding({ hotkey: options.hotkey, peerId: options.libp2p.peerId.toString(), netuid: options.netuid, genesisHash: options.genesisHash, now: this.#now });
  }

  async query(target: QueryTarget, synapse: string, body: TensorMap, options: QueryOptions = {}): Promise<QueryAnswer> {
    if (this.#closed) throw new QueryError("CLOSED", "the query client is closed");
    const timeoutMs = options.timeoutMs ?? 12_000;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) throw new RangeError(`timeoutMs must be an integer in 1..${MAX_TIMEOUT_MS}, got ${timeoutMs}`);
    const started = this.#now();
    const bytes = encodeTensors(body);
    let session = this.#open.get(sessionKey(target)) ?? (await this.#session(target, options.signal));
    let requestId = session.nextId(this.#lastRequestId);
    if (requestId === undefined) {
      this.#retire(target, session);
      session = await this.#session(target, options.signal);
      requestId = session.nextId(this.#lastRequestId)!;
    }
    const id = requestId;
    const request: RequestHeader = {
      version: PROTOCOL_VERSION,
      netuid: this.#o.netuid,
      genesisHash: this.#o.genesisHash,
      validator: this.#o.hotkey.publicKey,
      miner: target.hotkey,
      nonce: requestNonce(session.welcome.salt, id),
      timestampMs: BigInt(started),
      deadlineMs: BigInt(started + timeoutMs),
      synapse,
      bodyHash: hash256(bytes),
    };
    return new Promise<QueryAnswer>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        session.pending.delete(id);
        if (session.retired && session.pending.size === 0) void session.channel.close();
      };
      const cancel = (error: QueryError): void => {
        if (!session.pending.has(id)) return;
        finish();
        session.channel.send(encodeFrame({ kind: FrameKind.Cancel, requestId: id }));
        reject(error);
      };
      const onAbort = (): void => cancel(new QueryError("TIMEOUT", "the query was aborted"));
      const timer = setTimeout(() => cancel(new QueryError("TIMEOUT", `no answer within ${timeoutMs} ms`)), timeoutMs);
      options.signal?.addEventListener("abort", onAbort, { once: true });
      session.pending.set(id, {
        request,
        requestHash: requestHash(request),
        chunks: [],
        decoded: [],
        onChunk: options.onChunk,
        checkBeforeReturn: options.checkBeforeReturn === true,
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
      session.channel.send(encodeFrame({ kind: FrameKind.Request, requestId: id, timestampMs: request.timestampMs, deadlineMs: request.deadlineMs, synapse, body: bytes }));
    });
  }

  /** Starts now the background checks of the answers returned so far (`checkAnswers: "in-background"`), rather than when their batch is due. */
  flushChecks(): void {
    this.#checker?.flush();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#open.clear();
    const sessions = await Promise.allSettled([...this.#sessions.values()]);
    this.#sessions.clear();
    // Every stream at once, each given half a second to close cleanly before it is aborted: a miner
    // that does not answer the close must not hold the stop of a validator asking hundreds.
    await Promise.all(
      sessions.map(async (s) => {
        if (s.status !== "fulfilled") return;
        for (const p of [...s.value.pending.values()]) p.reject(new QueryError("CLOSED", "the query client closed"));
        await s.value.channel.close(500);
      }),
    );
    await this.#checker?.close();
  }

  /** A stream whose request ids are used up: the next query opens another; it closes once its queries in flight are done. */
  #retire(target: QueryTarget, session: Session): void {
    session.retired = true;
    this.#forget(sessionKey(target), session);
    if (session.pending.size === 0) void session.channel.close();
  }

  /** Takes an open session out of the maps, so the next query to its miner opens a new stream. */
  #forget(key: string, session: Session): void {
    if (this.#open.get(key) !== session) return;
    this.#open.delete(key);
    this.#sessions.delete(key);
  }

  /** The open session to a miner, or a new stream to it, once the miner has said WELCOME. */
  #session(target: QueryTarget, signal?: AbortSignal): Promise<Session> {
    const key = sessionKey(target);
    const existing = this.#sessions.get(key);
    if (existing) return existing;
    const opening = this.#connect(key, target, signal);
    this.#sessions.set(key, opening);
    opening.catch(() => {
      if (this.#sessions.get(key) === opening) this.#sessions.delete(key);
    });
    return opening;
  }

  async #connect(key: string, target: QueryTarget, signal?: AbortSignal): Promise<Session> {
    let stream;
    let remotePeer: string;
    try {
      const connection = await this.#o.libp2p.dial(target.peer, signal ? { signal } : {});
      remotePeer = connection.remotePeer.toString();
      stream = await connection.newStream(QUERY_PROTOCOL, signal ? { signal } : {});
    } catch (error) {
      throw new QueryError("UNREACHABLE", `cannot open a query stream to ${key}: ${(error as Error).message}`);
    }
    const max = this.#o.maxFrameBytes ?? 8 * 1024 * 1024;
    let session: Session | undefined;
    let greeted!: (welcome: Welcome) => void;
    let refused!: (error: QueryError) => void;
    const welcomed = new Promise<Welcome>((resolve, reject) => {
      greeted = resolve;
      refused = reject;
    });
    const channel = new FrameChannel(stream, {
      maxFrameBytes: Math.max(max, MAX_WELCOME_BYTES),
      onFrame: (bytes) => {
        let frame: Frame;
        try {
          frame = decodeFrame(bytes);
        } catch (error) {
          this.#o.log.debug({ peer: key, error: (error as Error).message }, "a bad frame from a miner");
          return;
        }
        if (session) this.#onFrame(session, frame);
        else if (frame.kind === FrameKind.Welcome) greeted(frame.welcome);
        else if (frame.kind === FrameKind.Refused && frame.requestId === 0)
          refused(new QueryError("REFUSED", `the miner refused the stream: ${REFUSAL_NAMES[frame.code]}: ${frame.message}`, { refusal: REFUSAL_NAMES[frame.code]!, retryAfterMs: frame.retryAfterMs }));
      },
      onTooLarge: (length) => {
        this.#o.log.debug({ peer: key, length }, "a frame from a miner over the limit");
        channel.abort(new Error("a frame over the limit"));
      },
      onEnd: () => {
        refused(new QueryError("UNREACHABLE", "the miner closed the stream"));
        if (!session) return;
        this.#forget(key, session);
        for (const p of [...session.pending.values()]) p.reject(new QueryError("UNREACHABLE", "the miner closed the stream"));
      },
    });
    channel.send(encodeFrame({ kind: FrameKind.Hello, requestId: 0, hello: { version: PROTOCOL_VERSION, netuid: this.#o.netuid, genesisHash: this.#o.genesisHash, miner: target.hotkey, binding: this.#ownBinding.encoded() } }));
    const timeout = AbortSignal.timeout(WELCOME_TIMEOUT_MS);
    const giveUp = (): void => refused(new QueryError("UNREACHABLE", signal?.aborted ? "the query was aborted" : `no WELCOME from the miner within ${WELCOME_TIMEOUT_MS} ms`));
    timeout.addEventListener("abort", giveUp, { once: true });
    signal?.addEventListener("abort", giveUp, { once: true });
    try {
      const welcome = await welcomed;
      const problem = this.#checkWelcome(welcome, target.hotkey, remotePeer);
      if (problem) throw new QueryError("BAD_RESPONSE", `the miner's WELCOME: ${problem}`);
      // Ended between WELCOME and now: no session to keep (the opening fails, and is forgotten).
      if (channel.ended) throw new QueryError("UNREACHABLE", "the miner closed the stream");
      session = new Session(channel, target.hotkey, welcome);
      this.#open.set(key, session);
      return session;
    } catch (error) {
      void channel.close();
      throw error;
    } finally {
      timeout.removeEventListener("abort", giveUp);
      signal?.removeEventListener("abort", giveUp);
    }
  }

  /** What is wrong with a WELCOME: the miner's binding of the peer Noise authenticated, and of its session key. */
  #checkWelcome(welcome: Welcome, hotkey: Uint8Array, remotePeer: string): string | undefined {
    const now = this.#now();
    let peerBinding;
    try {
      peerBinding = decodeBinding(welcome.peerBinding);
    } catch (error) {
      return `its peer binding: ${(error as Error).message}`;
    }
    if (!bytesEqual(peerBinding.hotkey, hotkey)) return "its peer is bound by another hotkey than the one asked";
    if (peerBinding.peerId !== remotePeer) return "its peer binding is for another peer than the one connected";
    const problem = this.#verifiedPeerBindings.check(welcome.peerBinding, peerBinding, { nowMs: now, genesisHash: this.#o.genesisHash, netuid: this.#o.netuid, peerId: remotePeer });
    if (problem === "expired") return "its peer binding has expired";
    if (problem) return `its peer binding: ${problem}`;
    const session = welcome.binding;
    if (!bytesEqual(session.hotkey, hotkey)) return "its session key is bound by another hotkey than the one asked";
    if (session.expiresAtMs <= BigInt(now)) return "its session binding has expired";
    if (!this.#verifier.binding(session)) return "its session binding does not verify";
    return undefined;
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
        const bodyBytes = frame.kind === FrameKind.Response ? frame.body : undefined;
        let bodyHash: Uint8Array;
        if (bodyBytes) bodyHash = hash256(bodyBytes);
        else {
          const digest = new StreamDigest();
          for (const c of pending.chunks) digest.add(c);
          bodyHash = digest.digest();
        }
        const header: ResponseHeader = { version: PROTOCOL_VERSION, status: frame.status, streamed: !bodyBytes, miner: session.miner, requestHash: pending.requestHash, timestampMs: frame.timestampMs, bodyHash };
        const binding = session.welcome.binding;
        // The binding was verified at WELCOME; the answer's own time must fall inside it.
        if (frame.timestampMs >= binding.expiresAtMs) {
          pending.reject(new QueryError("BAD_RESPONSE", "the answer is dated after the miner's session binding expired"));
          return;
        }
        const signed = responseSigningBytes(header);
        let checked: Promise<void>;
        if (this.#checker && !pending.checkBeforeReturn) {
          checked = this.#checker.check(frame.signature, signed, binding.sessionKey).then((ok) => {
            if (!ok) throw new QueryError("BAD_RESPONSE", BAD_SIGNATURE);
          });
          checked.catch(() => undefined);
        } else if (this.#verifier.ed25519(frame.signature, signed, binding.sessionKey)) checked = CHECKED;
        else {
          pending.reject(new QueryError("BAD_RESPONSE", BAD_SIGNATURE));
          return;
        }
        try {
          const kept = bodyBytes ? new Uint8Array(bodyBytes) : undefined;
          const body = kept ? decodeTensors(kept) : (pending.decoded.at(-1) ?? new Map());
          const receipt: Receipt = { request: pending.request, response: { ...header, binding, signature: frame.signature }, body: kept ?? pending.chunks };
          pending.resolve({ body, chunks: kept ? [body] : pending.decoded, receipt, latencyMs: this.#now() - pending.started, checked });
        } catch (error) {
          pending.reject(new QueryError("BAD_RESPONSE", `a bad answer: ${(error as Error).message}`));
        }
        return;
      }
      default:
        return;
    }
  }
}

/** Sessions are per miner peer and hotkey: a HELLO names the hotkey it means to reach. */
function sessionKey(target: QueryTarget): string {
  return `${target.peer.toString()}/${Buffer.from(target.hotkey).toString("hex")}`;
}
