/**
 * The miner's side of the query protocol. Requests from one validator arrive multiplexed on a
 * long-lived stream; each is admitted or refused *before its body is parsed*, cheapest check first:
 * frame size (by the length prefix), the sending peer's token bucket, version, target, chain and
 * subnet, time window and deadline, the synapse, the validator's stake or permit (from the
 * metagraph), the signature, the body hash, the validator's token bucket, the replay cache (after
 * the signature, so forged requests cannot fill it), and finally a place under the global
 * concurrency bound that favours higher stake (else an explicit BUSY). Admitted
 * work runs under the caller's deadline: expired work is aborted and its answer dropped.
 */
import type { Connection, Libp2p, Stream } from "@libp2p/interface";
import { lpStream } from "@libp2p/utils";
import type { Logger } from "../util/logger.js";
import type { Sr25519Signer } from "../util/sr25519.js";
import { BusyError, HotkeyRateLimiter, ReplayCache, StakePriorityGate } from "./admission/index.js";
import type { DirectoryEntry, HotkeyDirectory } from "./directory.js";
import { FrameError } from "./protocol/bytes.js";
import { decodeFrame, encodeFrame, FrameKind, PROTOCOL_VERSION, QUERY_PROTOCOL, QUERY_PROTOCOL_V1, REFUSAL_NAMES, RefusalCode, type SignedRequest } from "./protocol/frames.js";
import type { SessionSigner } from "./protocol/session.js";
import { bytesEqual, hash256, requestHash, signResponse, StreamDigest, verifyRequestSignature } from "./protocol/signing.js";
import { CachingSessionVerifier, sessionSignerOf } from "./session-key.js";
import { decodeTensors, encodeTensors, type TensorMap } from "./protocol/tensors.js";

export interface AdmissionPolicy {
  /** Largest frame accepted, bytes (the length prefix is checked before the frame is read). */
  readonly maxFrameBytes: number;
  /** How far a request's timestamp may be from the miner's clock, ms. */
  readonly timestampWindowMs: number;
  /** Least stake (rao) a validator needs, unless `acceptPermit` and it holds a validator permit. */
  readonly minStake: bigint;
  /** Whether a validator permit admits regardless of stake. */
  readonly acceptPermit: boolean;
  /** Per validator hotkey: burst and sustained requests per second. */
  readonly perHotkey: { readonly capacity: number; readonly refillPerSecond: number };
  /** Per remote peer, before any signature is checked: bounds the work a peer can cause. */
  readonly perPeer: { readonly capacity: number; readonly refillPerSecond: number };
  readonly maxConcurrent: number;
  readonly maxQueued: number;
  /** The longest a request may ask the miner to work on it (deadline − timestamp), ms. */
  readonly maxDeadlineMs: number;
}

/**
 * Room in the read buffer beyond the largest frame: at least what yamux may deliver in one go, so an
 * oversized frame is refused from its length prefix instead of overflowing the buffer (a reset).
 */
const RECEIVE_WINDOW_BYTES = 1024 * 1024;

/** Undecodable frames tolerated on one stream before the peer's connection is closed. */
export const MAX_BAD_FRAMES_PER_STREAM = 16;

export const DEFAULT_ADMISSION: AdmissionPolicy = {
  maxFrameBytes: 8 * 1024 * 1024,
  timestampWindowMs: 30_000,
  minStake: 0n,
  acceptPermit: true,
  perHotkey: { capacity: 64, refillPerSecond: 32 },
  perPeer: { capacity: 256, refillPerSecond: 128 },
  maxConcurrent: 32,
  maxQueued: 256,
  maxDeadlineMs: 5 * 60_000,
};

export interface QueryContext {
  readonly request: SignedRequest;
  readonly validator: DirectoryEntry;
  readonly body: TensorMap;
  /** Aborted at the request's deadline, on cancel, or when the server stops. */
  readonly signal: AbortSignal;
  /** Sends one chunk of a streamed answer; return nothing from the handler when streaming. */
  emit(chunk: TensorMap): Promise<void>;
}

export type QueryHandler = (ctx: QueryContext) => Promise<TensorMap | undefined>;

export interface QueryServerOptions {
  readonly libp2p: Libp2p;
  readonly hotkey: Sr25519Signer;
  readonly netuid: number;
  readonly genesisHash: Uint8Array;
  readonly directory: HotkeyDirectory;
  readonly replayCache: ReplayCache;
  readonly handlers: ReadonlyMap<string, QueryHandler>;
  readonly policy?: Partial<AdmissionPolicy>;
  readonly now?: () => number;
  readonly log: Logger;
}

/** Counters for /metrics. */
export interface QueryServerStats {
  readonly accepted: number;
  readonly answered: number;
  readonly failed: number;
  readonly expired: number;
  readonly refused: Readonly<Record<string, number>>;
  readonly badFrames: number;
  readonly running: number;
  readonly queued: number;
}

type Refusal = { code: RefusalCode; message: string; retryAfterMs?: number };

export class QueryServer {
  readonly #o: QueryServerOptions;
  readonly #policy: AdmissionPolicy;
  readonly #now: () => number;
  readonly #perHotkey: HotkeyRateLimiter;
  readonly #perPeer: HotkeyRateLimiter;
  readonly #gate: StakePriorityGate;
  readonly #signer: SessionSigner;
  readonly #verifier = new CachingSessionVerifier();
  #stopping = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #streams = new Set<Stream>();
  #counts = { accepted: 0, answered: 0, failed: 0, expired: 0, badFrames: 0 };
  readonly #refused: Record<string, number> = {};
  #draining = false;

  constructor(options: QueryServerOptions) {
    this.#o = options;
    this.#policy = { ...DEFAULT_ADMISSION, ...options.policy };
    this.#now = options.now ?? Date.now;
    const p = this.#policy;
    this.#perHotkey = new HotkeyRateLimiter({ capacity: p.perHotkey.capacity, refillPerSecond: p.perHotkey.refillPerSecond, maxKeys: 4096, now: this.#now });
    this.#perPeer = new HotkeyRateLimiter({ capacity: p.perPeer.capacity, refillPerSecond: p.perPeer.refillPerSecond, maxKeys: 4096, now: this.#now });
    this.#gate = new StakePriorityGate({ maxConcurrent: p.maxConcurrent, maxQueued: p.maxQueued });
    this.#signer = sessionSignerOf(options.hotkey, this.#now);
  }

  async start(): Promise<void> {
    this.#draining = false;
    if (this.#stopping.signal.aborted) this.#stopping = new AbortController();
    await this.#o.libp2p.handle(QUERY_PROTOCOL, (stream, connection) => this.#serve(stream, connection), { maxInboundStreams: 64, force: true });
    await this.#o.libp2p.handle(QUERY_PROTOCOL_V1, (stream) => void this.#refuseV1(stream), { maxInboundStreams: 4, force: true });
  }

  /** A validator still on protocol 1: its first request is refused with the reason, then the stream closes. */
  async #refuseV1(stream: Stream): Promise<void> {
    const lp = lpStream(stream, { maxDataLength: this.#policy.maxFrameBytes, maxBufferSize: this.#policy.maxFrameBytes + RECEIVE_WINDOW_BYTES });
    try {
      const first = (await lp.read({ signal: AbortSignal.timeout(10_000) })).subarray();
      const requestId = first.length >= 5 ? new DataView(first.buffer, first.byteOffset).getUint32(1, true) : 0;
      this.#count("BadRequest");
      const message = `this miner speaks ${QUERY_PROTOCOL} only (query protocol ${PROTOCOL_VERSION}: session-key signatures); upgrade tensornode`;
      await lp.write(encodeFrame({ kind: FrameKind.Refused, requestId, code: RefusalCode.BadRequest, retryAfterMs: 0, message }));
      await stream.close();
    } catch {
      stream.abort(new Error("protocol 1 is not served"));
    }
  }

  /** Stops taking requests; in-flight work may finish until `drainMs`, then it is aborted. */
  async stop(drainMs = 5_000): Promise<void> {
    this.#draining = true;
    await this.#o.libp2p.unhandle(QUERY_PROTOCOL).catch(() => undefined);
    await this.#o.libp2p.unhandle(QUERY_PROTOCOL_V1).catch(() => undefined);
    const drained = Promise.allSettled([...this.#inFlight]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise((resolve) => (timer = setTimeout(resolve, drainMs)))]);
    clearTimeout(timer);
    this.#stopping.abort(new Error("the miner is shutting down"));
    await drained;
    for (const stream of this.#streams) stream.abort(new Error("the miner is shutting down"));
  }

  stats(): QueryServerStats {
    const gate = this.#gate.stats();
    return { ...this.#counts, refused: { ...this.#refused }, running: gate.running, queued: gate.queued };
  }

  async #serve(stream: Stream, connection: Connection): Promise<void> {
    this.#streams.add(stream);
    const peer = connection.remotePeer.toString();
    const lp = lpStream(stream, { maxDataLength: this.#policy.maxFrameBytes, maxBufferSize: this.#policy.maxFrameBytes + RECEIVE_WINDOW_BYTES });
    const send = (frame: Parameters<typeof encodeFrame>[0]): Promise<void> => lp.write(encodeFrame(frame)).catch(() => undefined);
    const cancels = new Map<number, AbortController>();
    let junk = 0;
    try {
      for (;;) {
        let bytes: Uint8Array;
        try {
          bytes = (await lp.read({ signal: this.#stopping.signal })).subarray();
        } catch (error) {
          const name = (error as Error).name;
          if (name === "InvalidDataLengthError" || name === "InvalidDataLengthLengthError") {
            this.#count("TooLarge");
            // Unwrap the reader (its buffer would overflow and reset the stream before the refusal is
            // read) and drop the rest of the frame as it arrives, unbuffered; then say why and close.
            const bare = lp.unwrap();
            bare.addEventListener("message", () => undefined);
            await lpStream(bare)
              .write(encodeFrame({ kind: FrameKind.Refused, requestId: 0, code: RefusalCode.TooLarge, retryAfterMs: 0, message: `frames are limited to ${this.#policy.maxFrameBytes} bytes` }))
              .catch(() => undefined);
            // A peer that never closes its end is reset later.
            const reset = setTimeout(() => bare.abort(new Error("oversized frame")), 5_000);
            reset.unref();
            void bare.close().catch(() => undefined).finally(() => clearTimeout(reset));
          }
          return;
        }
        let frame;
        try {
          frame = decodeFrame(bytes);
        } catch (error) {
          this.#counts.badFrames += 1;
          this.#o.log.debug({ peer, error: (error as Error).message }, "bad frame");
          if (++junk > MAX_BAD_FRAMES_PER_STREAM) {
            // A peer that keeps sending junk is cut off: its connection is closed, not just the stream.
            this.#o.log.info({ peer, badFrames: junk }, "closing a connection that sent too many bad frames");
            await connection.close().catch(() => connection.abort(new Error("too many bad frames")));
            return;
          }
          // Junk costs the peer tokens too; answered under its request id when that much is readable.
          const requestId = bytes.length >= 5 ? new DataView(bytes.buffer, bytes.byteOffset).getUint32(1, true) : 0;
          const byPeer = this.#perPeer.tryTake(peer);
          if (!byPeer.ok) await send({ kind: FrameKind.Refused, requestId, code: RefusalCode.RateLimited, retryAfterMs: byPeer.retryAfterMs, message: "too many requests from this peer" });
          else await send({ kind: FrameKind.Refused, requestId, code: RefusalCode.BadRequest, retryAfterMs: 0, message: (error as FrameError).message.slice(0, 200) });
          continue;
        }
        if (frame.kind === FrameKind.Cancel) {
          cancels.get(frame.requestId)?.abort(new Error("cancelled by the validator"));
          continue;
        }
        if (frame.kind !== FrameKind.Request) {
          this.#counts.badFrames += 1;
          continue;
        }
        const { requestId, request, body } = frame;
        if (cancels.has(requestId)) {
          this.#count("BadRequest");
          await send({ kind: FrameKind.Refused, requestId, code: RefusalCode.BadRequest, retryAfterMs: 0, message: `request id ${requestId} is still in flight on this stream` });
          continue;
        }
        // Admission runs alongside the read loop (its replay-cache write is awaited), so one
        // validator's requests are admitted in parallel; the id is taken at once.
        const controller = new AbortController();
        cancels.set(requestId, controller);
        const work = this.#admitAndRun(peer, requestId, request, body, controller, send).finally(() => {
          cancels.delete(requestId);
          this.#inFlight.delete(work);
        });
        this.#inFlight.add(work);
      }
    } finally {
      for (const c of cancels.values()) c.abort(new Error("the stream closed"));
      this.#streams.delete(stream);
      // Stopped while this stream was open: end it, so the validator reconnects rather than waits.
      if (this.#stopping.signal.aborted) stream.abort(new Error("the miner is shutting down"));
    }
  }

  #count(name: string): void {
    this.#refused[name] = (this.#refused[name] ?? 0) + 1;
  }

  async #admitAndRun(peer: string, requestId: number, request: SignedRequest, body: Uint8Array, controller: AbortController, send: (frame: Parameters<typeof encodeFrame>[0]) => Promise<void>): Promise<void> {
    const refusal = await this.#admit(peer, request, body);
    if (refusal) {
      this.#count(REFUSAL_NAMES[refusal.code] ?? "Unknown");
      await send({ kind: FrameKind.Refused, requestId, code: refusal.code, retryAfterMs: refusal.retryAfterMs ?? 0, message: refusal.message });
      return;
    }
    await this.#run(requestId, request, body, controller, send);
  }

  /** The admission checks that need no place in the gate, cheapest first. */
  async #admit(peer: string, r: SignedRequest, body: Uint8Array): Promise<Refusal | undefined> {
    const p = this.#policy;
    const now = this.#now();
    if (this.#draining) return { code: RefusalCode.ShuttingDown, message: "the miner is shutting down" };
    const byPeer = this.#perPeer.tryTake(peer);
    if (!byPeer.ok) return { code: RefusalCode.RateLimited, message: "too many requests from this peer", retryAfterMs: byPeer.retryAfterMs };
    if (!bytesEqual(r.miner, this.#o.hotkey.publicKey)) return { code: RefusalCode.WrongTarget, message: "the request is addressed to another hotkey" };
    if (r.netuid !== this.#o.netuid || !bytesEqual(r.genesisHash, this.#o.genesisHash)) return { code: RefusalCode.WrongTarget, message: "the request is for another subnet or chain" };
    if (Math.abs(Number(r.timestampMs) - now) > p.timestampWindowMs) return { code: RefusalCode.Stale, message: `the timestamp is more than ${p.timestampWindowMs} ms from the miner's clock` };
    if (Number(r.deadlineMs) <= now) return { code: RefusalCode.DeadlinePassed, message: "the deadline has passed" };
    if (r.deadlineMs - r.timestampMs > BigInt(p.maxDeadlineMs)) return { code: RefusalCode.BadRequest, message: `the deadline is more than ${p.maxDeadlineMs} ms after the request` };
    if (!this.#o.handlers.has(r.synapse)) return { code: RefusalCode.UnknownSynapse, message: `this miner does not serve "${r.synapse}"` };
    const validator = this.#o.directory.lookup(r.validator);
    if (!validator) return { code: RefusalCode.NotPermitted, message: "the validator's hotkey is not registered on the subnet" };
    if (validator.stake < p.minStake && !(p.acceptPermit && validator.validatorPermit))
      return { code: RefusalCode.NotPermitted, message: `the validator has ${validator.stake} rao of stake, less than ${p.minStake}, and no permit` };
    if (!verifyRequestSignature(r, this.#verifier)) return { code: RefusalCode.BadSignature, message: "the signature does not verify" };
    if (!bytesEqual(hash256(body), r.bodyHash)) return { code: RefusalCode.BadSignature, message: "the body does not match its signed hash" };
    const byHotkey = this.#perHotkey.tryTake(validator.hotkey);
    if (!byHotkey.ok) return { code: RefusalCode.RateLimited, message: "too many requests from this hotkey", retryAfterMs: byHotkey.retryAfterMs };
    try {
      if (!(await this.#o.replayCache.checkAndRemember(r.nonce, Number(r.timestampMs)))) return { code: RefusalCode.Replay, message: "this request was already received" };
    } catch (error) {
      if ((error as { code?: string }).code === "OUTSIDE_WINDOW") return { code: RefusalCode.Stale, message: (error as Error).message };
      return { code: RefusalCode.Busy, message: (error as Error).message, retryAfterMs: 1000 };
    }
    return undefined;
  }

  async #run(requestId: number, request: SignedRequest, body: Uint8Array, controller: AbortController, send: (frame: Parameters<typeof encodeFrame>[0]) => Promise<void>): Promise<void> {
    const validator = this.#o.directory.lookup(request.validator)!;
    // Admission bounded the deadline (maxDeadlineMs), so the timer is always in range.
    const remaining = Math.min(Number(request.deadlineMs) - this.#now(), this.#policy.maxDeadlineMs);
    const signal = AbortSignal.any([controller.signal, this.#stopping.signal, AbortSignal.timeout(Math.max(1, remaining))]);
    let release;
    try {
      release = await this.#gate.acquire(validator.stake, signal);
    } catch (error) {
      const busy = error instanceof BusyError;
      this.#count(busy ? "Busy" : "DeadlinePassed");
      await send({ kind: FrameKind.Refused, requestId, code: busy ? RefusalCode.Busy : RefusalCode.DeadlinePassed, retryAfterMs: busy ? 250 : 0, message: busy ? "the miner is busy" : "the deadline passed while queued" });
      return;
    }
    this.#counts.accepted += 1;
    const forRequest = requestHash(request);
    const digest = new StreamDigest();
    let seq = 0;
    try {
      let tensors;
      try {
        tensors = decodeTensors(body);
      } catch (error) {
        await send({ kind: FrameKind.Refused, requestId, code: RefusalCode.BadRequest, retryAfterMs: 0, message: (error as Error).message.slice(0, 200) });
        return;
      }
      const emit = async (chunk: TensorMap): Promise<void> => {
        signal.throwIfAborted();
        const bytes = encodeTensors(chunk);
        digest.add(bytes);
        await send({ kind: FrameKind.Chunk, requestId, seq: seq++, body: bytes });
      };
      const answer = await this.#o.handlers.get(request.synapse)!({ request, validator, body: tensors, signal, emit });
      if (signal.aborted) throw signal.reason;
      const header = { version: PROTOCOL_VERSION, status: 0, miner: this.#o.hotkey.publicKey, requestHash: forRequest, timestampMs: BigInt(this.#now()) };
      if (answer === undefined) {
        const response = signResponse({ ...header, streamed: true, bodyHash: digest.digest() }, this.#signer);
        await send({ kind: FrameKind.End, requestId, response });
      } else {
        const bytes = encodeTensors(answer);
        const response = signResponse({ ...header, streamed: false, bodyHash: hash256(bytes) }, this.#signer);
        await send({ kind: FrameKind.Response, requestId, response, body: bytes });
      }
      this.#counts.answered += 1;
    } catch (error) {
      if (signal.aborted) {
        this.#counts.expired += 1;
        return;
      }
      // A handler says why it did not answer through its error's code: overloaded, or bad input.
      const code = (error as { code?: unknown }).code;
      if (code === "QUEUE_FULL" || code === "BUSY") {
        this.#count("Busy");
        await send({ kind: FrameKind.Refused, requestId, code: RefusalCode.Busy, retryAfterMs: 250, message: "the miner's inference queue is full" });
        return;
      }
      if (typeof code === "string" && (code === "BAD_INPUT" || code.endsWith("_INVALID"))) {
        this.#count("BadRequest");
        await send({ kind: FrameKind.Refused, requestId, code: RefusalCode.BadRequest, retryAfterMs: 0, message: (error as Error).message.slice(0, 400) });
        return;
      }
      this.#counts.failed += 1;
      this.#o.log.warn({ synapse: request.synapse, error: (error as Error).message }, "a query handler failed");
      await send({ kind: FrameKind.Refused, requestId, code: RefusalCode.Internal, retryAfterMs: 0, message: "the miner failed to answer" });
    } finally {
      release();
    }
  }
}
