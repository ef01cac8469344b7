/**
 * The miner's side of the query protocol (docs/protocol.md §5). A validator opens one long-lived
 * stream and says HELLO once: its hotkey's binding of the libp2p peer that the Noise handshake
 * authenticated, checked once, so every request on the stream is the validator's without a
 * signature of its own. The miner answers WELCOME: a fresh salt, which with the request id (strictly
 * increasing on a stream) makes every request's nonce, and its session key's binding. Each request
 * is then admitted or refused *before its body is parsed*, cheapest check first: frame size (by the
 * length prefix), the sending peer's token bucket, the id (a replay), time window and deadline, the
 * synapse, the validator's stake or permit (from the metagraph), the validator's token bucket, and
 * a place under the global concurrency bound that favours higher stake (else an explicit BUSY).
 * Admitted work runs under the caller's deadline: expired work is aborted and its answer dropped.
 * Every answer is signed by the session key, over a header that names the request in full by hash.
 */
import { randomBytes } from "node:crypto";
import type { Connection, Libp2p, Stream } from "@libp2p/interface";
import { lpStream } from "@libp2p/utils";
import type { Logger } from "../util/logger.js";
import type { Sr25519Signer } from "../util/sr25519.js";
import { BusyError, HotkeyRateLimiter, StakePriorityGate } from "./admission/index.js";
import type { DirectoryEntry, HotkeyDirectory } from "./directory.js";
import { FrameChannel } from "./frame-channel.js";
import { decodeBinding, type HotkeyBinding } from "./identity.js";
import { OwnBinding } from "./own-binding.js";
import { FrameError } from "./protocol/bytes.js";
import {
  decodeFrame,
  encodeFrame,
  FrameKind,
  OLD_QUERY_PROTOCOLS,
  PROTOCOL_VERSION,
  QUERY_PROTOCOL,
  REFUSAL_NAMES,
  RefusalCode,
  requestNonce,
  SALT_BYTES,
  type Frame,
  type Hello,
  type RequestHeader,
} from "./protocol/frames.js";
import type { SessionSigner } from "./protocol/session.js";
import { bytesEqual, hash256, requestHash, signResponse, StreamDigest } from "./protocol/signing.js";
import { sessionSignerOf } from "./session-key.js";
import { VerifiedBindings } from "./verified-bindings.js";
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
  readonly request: RequestHeader;
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
  readonly handlers: ReadonlyMap<string, QueryHandler>;
  readonly policy?: Partial<AdmissionPolicy>;
  /** The miner's binding of its peer, sent in WELCOME (the daemon's, with its addresses); else one is signed here. */
  readonly binding?: () => HotkeyBinding;
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

/** A validator proven by its HELLO: the stream's fixed request fields. */
interface Greeted {
  readonly validator: Uint8Array;
  readonly salt: Uint8Array;
}

/** One validator's stream. */
interface Session {
  readonly peer: string;
  readonly connection: Connection;
  readonly channel: FrameChannel;
  greeted: Greeted | undefined;
  /** Request ids strictly increase on a stream: one not above this is a replay. */
  lastId: number;
  readonly running: Map<number, AbortController>;
  junk: number;
}

export class QueryServer {
  readonly #o: QueryServerOptions;
  readonly #policy: AdmissionPolicy;
  readonly #now: () => number;
  readonly #perHotkey: HotkeyRateLimiter;
  readonly #perPeer: HotkeyRateLimiter;
  readonly #gate: StakePriorityGate;
  readonly #signer: SessionSigner;
  readonly #ownBinding: OwnBinding;
  readonly #verifiedBindings = new VerifiedBindings();
  #stopping = false;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #sessions = new Set<Session>();
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
    this.#ownBinding = new OwnBinding({ hotkey: options.hotkey, peerId: options.libp2p.peerId.toString(), netuid: options.netuid, genesisHash: options.genesisHash, now: this.#now, ...(options.binding ? { binding: options.binding } : {}) });
  }

  async start(): Promise<void> {
    this.#draining = false;
    this.#stopping = false;
    await this.#o.libp2p.handle(QUERY_PROTOCOL, (stream, connection) => this.#serve(stream, connection), { maxInboundStreams: 64, force: true });
    for (const old of OLD_QUERY_PROTOCOLS) await this.#o.libp2p.handle(old, (stream) => void this.#refuseOld(stream), { maxInboundStreams: 4, force: true });
  }

  /** A validator on an earlier protocol: its first frame is refused with the reason, then the stream closes. */
  async #refuseOld(stream: Stream): Promise<void> {
    const lp = lpStream(stream, { maxDataLength: this.#policy.maxFrameBytes, maxBufferSize: this.#policy.maxFrameBytes + RECEIVE_WINDOW_BYTES });
    try {
      const first = (await lp.read({ signal: AbortSignal.timeout(10_000) })).subarray();
      const requestId = first.length >= 5 ? new DataView(first.buffer, first.byteOffset).getUint32(1, true) : 0;
      this.#count("BadRequest");
      const message = `this miner speaks ${QUERY_PROTOCOL} only (query protocol ${PROTOCOL_VERSION}: a HELLO per stream, signed answers); upgrade tensornode`;
      await lp.write(encodeFrame({ kind: FrameKind.Refused, requestId, code: RefusalCode.BadRequest, retryAfterMs: 0, message }));
      await stream.close();
    } catch {
      stream.abort(new Error("this protocol version is not served"));
    }
  }

  /** Stops taking requests; in-flight work may finish until `drainMs`, then it is aborted. */
  async stop(drainMs = 5_000): Promise<void> {
    this.#draining = true;
    await this.#o.libp2p.unhandle(QUERY_PROTOCOL).catch(() => undefined);
    for (const old of OLD_QUERY_PROTOCOLS) await this.#o.libp2p.unhandle(old).catch(() => undefined);
    const drained = Promise.allSettled([...this.#inFlight]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise((resolve) => (timer = setTimeout(resolve, drainMs)))]);
    clearTimeout(timer);
    this.#stopping = true;
    const shutdown = new Error("the miner is shutting down");
    for (const session of this.#sessions) for (const work of session.running.values()) work.abort(shutdown);
    await drained;
    // End the open streams, so validators reconnect rather than wait.
    for (const session of this.#sessions) session.channel.abort(shutdown);
  }

  stats(): QueryServerStats {
    const gate = this.#gate.stats();
    return { ...this.#counts, refused: { ...this.#refused }, running: gate.running, queued: gate.queued };
  }

  #serve(stream: Stream, connection: Connection): void {
    const session: Session = {
      peer: connection.remotePeer.toString(),
      connection,
      channel: new FrameChannel(stream, {
        maxFrameBytes: this.#policy.maxFrameBytes,
        onFrame: (bytes) => this.#onFrame(session, bytes),
        onTooLarge: () => this.#onTooLarge(session),
        onEnd: () => {
          for (const work of session.running.values()) work.abort(new Error("the stream closed"));
          this.#sessions.delete(session);
          void stream.close().catch(() => stream.abort(new Error("the stream closed")));
        },
      }),
      greeted: undefined,
      lastId: 0,
      running: new Map(),
      junk: 0,
    };
    this.#sessions.add(session);
  }

  #refuse(session: Session, requestId: number, refusal: Refusal): void {
    this.#count(REFUSAL_NAMES[refusal.code] ?? "Unknown");
    session.channel.send(encodeFrame({ kind: FrameKind.Refused, requestId, code: refusal.code, retryAfterMs: refusal.retryAfterMs ?? 0, message: refusal.message }));
  }

  /** Says why and closes the stream; the rest of the oversized frame is dropped unread. */
  #onTooLarge(session: Session): void {
    this.#refuse(session, 0, { code: RefusalCode.TooLarge, message: `frames are limited to ${this.#policy.maxFrameBytes} bytes` });
    // A peer that never closes its end is reset later.
    void session.channel.close(5_000);
  }

  #onFrame(session: Session, bytes: Uint8Array): void {
    let frame: Frame;
    try {
      frame = decodeFrame(bytes);
    } catch (error) {
      this.#onBadFrame(session, bytes, error as FrameError);
      return;
    }
    switch (frame.kind) {
      case FrameKind.Request:
        this.#onRequest(session, frame);
        return;
      case FrameKind.Cancel:
        session.running.get(frame.requestId)?.abort(new Error("cancelled by the validator"));
        return;
      case FrameKind.Hello:
        this.#onHello(session, frame.hello);
        return;
      default:
        this.#counts.badFrames += 1;
    }
  }

  #onBadFrame(session: Session, bytes: Uint8Array, error: FrameError): void {
    this.#counts.badFrames += 1;
    this.#o.log.debug({ peer: session.peer, error: error.message }, "bad frame");
    if (++session.junk > MAX_BAD_FRAMES_PER_STREAM) {
      // A peer that keeps sending junk is cut off: its connection is closed, not just the stream.
      this.#o.log.info({ peer: session.peer, badFrames: session.junk }, "closing a connection that sent too many bad frames");
      void session.connection.close().catch(() => session.connection.abort(new Error("too many bad frames")));
      return;
    }
    // Junk costs the peer tokens too; answered under its request id when that much is readable.
    const requestId = bytes.length >= 5 ? new DataView(bytes.buffer, bytes.byteOffset).getUint32(1, true) : 0;
    this.#refuse(session, requestId, this.#takePeerToken(session) ?? { code: RefusalCode.BadRequest, message: error.message.slice(0, 200) });
  }

  /** HELLO: the validator proves its hotkey once for the stream; refused, the stream closes. */
  #onHello(session: Session, hello: Hello): void {
    const checked = this.#checkHello(session, hello);
    if ("code" in checked) {
      this.#refuse(session, 0, checked);
      void session.channel.close(5_000);
      return;
    }
    const salt = new Uint8Array(randomBytes(SALT_BYTES));
    session.greeted = { validator: checked, salt };
    session.channel.send(encodeFrame({ kind: FrameKind.Welcome, requestId: 0, welcome: { version: PROTOCOL_VERSION, salt, binding: this.#signer.binding, peerBinding: this.#ownBinding.encoded() } }));
  }

  /** The validator's hotkey when HELLO holds, else why not. */
  #checkHello(session: Session, hello: Hello): Uint8Array | Refusal {
    if (this.#draining) return { code: RefusalCode.ShuttingDown, message: "the miner is shutting down" };
    if (session.greeted) return { code: RefusalCode.BadRequest, message: "this stream has already said HELLO" };
    const rateLimited = this.#takePeerToken(session);
    if (rateLimited) return rateLimited;
    if (!bytesEqual(hello.miner, this.#o.hotkey.publicKey)) return { code: RefusalCode.WrongTarget, message: "the stream is for another hotkey" };
    if (hello.netuid !== this.#o.netuid || !bytesEqual(hello.genesisHash, this.#o.genesisHash)) return { code: RefusalCode.WrongTarget, message: "the stream is for another subnet or chain" };
    let binding;
    try {
      binding = decodeBinding(hello.binding);
    } catch (error) {
      return { code: RefusalCode.BadRequest, message: `the HELLO's binding: ${(error as Error).message}`.slice(0, 200) };
    }
    const problem = this.#verifiedBindings.check(hello.binding, binding, { nowMs: this.#now(), genesisHash: this.#o.genesisHash, netuid: this.#o.netuid, peerId: session.peer });
    if (problem === "expired") return { code: RefusalCode.Stale, message: "the HELLO's binding has expired" };
    if (problem === "other chain" || problem === "other subnet") return { code: RefusalCode.WrongTarget, message: `the HELLO's binding is for another ${problem === "other chain" ? "chain" : "subnet"}` };
    if (problem === "other peer") return { code: RefusalCode.BadSignature, message: "the HELLO's binding is for another peer than the one connected" };
    if (problem) return { code: RefusalCode.BadSignature, message: "the HELLO's binding does not verify" };
    const permitted = this.#permitted(binding.hotkey);
    return "code" in permitted ? permitted : binding.hotkey;
  }

  /** The validator's metagraph entry when it may ask, else why not. */
  #permitted(hotkey: Uint8Array): DirectoryEntry | Refusal {
    const p = this.#policy;
    const validator = this.#o.directory.lookup(hotkey);
    if (!validator) return { code: RefusalCode.NotPermitted, message: "the validator's hotkey is not registered on the subnet" };
    if (validator.stake < p.minStake && !(p.acceptPermit && validator.validatorPermit))
      return { code: RefusalCode.NotPermitted, message: `the validator has ${validator.stake} rao of stake, less than ${p.minStake}, and no permit` };
    return validator;
  }

  /** A token of the peer's bucket, taken before any other work a frame asks for; RateLimited when it is empty. */
  #takePeerToken(session: Session): Refusal | undefined {
    const byPeer = this.#perPeer.tryTake(session.peer);
    return byPeer.ok ? undefined : { code: RefusalCode.RateLimited, message: "too many requests from this peer", retryAfterMs: byPeer.retryAfterMs };
  }

  #count(name: string): void {
    this.#refused[name] = (this.#refused[name] ?? 0) + 1;
  }

  #onRequest(session: Session, frame: Extract<Frame, { kind: typeof FrameKind.Request }>): void {
    const admitted = this.#admit(session, frame);
    if ("code" in admitted) {
      this.#refuse(session, frame.requestId, admitted);
      return;
    }
    const controller = new AbortController();
    session.running.set(frame.requestId, controller);
    const work = this.#run(session, frame, admitted, controller).finally(() => {
      session.running.delete(frame.requestId);
      this.#inFlight.delete(work);
    });
    this.#inFlight.add(work);
  }

  /** The admission checks that need no place in the gate, cheapest first. */
  #admit(session: Session, r: Extract<Frame, { kind: typeof FrameKind.Request }>): DirectoryEntry | Refusal {
    const p = this.#policy;
    if (this.#draining) return { code: RefusalCode.ShuttingDown, message: "the miner is shutting down" };
    const rateLimited = this.#takePeerToken(session);
    if (rateLimited) return rateLimited;
    const greeted = session.greeted;
    if (!greeted) return { code: RefusalCode.BadRequest, message: "say HELLO first: this stream has no proven validator" };
    if (r.requestId <= session.lastId) return { code: RefusalCode.Replay, message: `request id ${r.requestId} is not above the stream's last (${session.lastId})` };
    session.lastId = r.requestId;
    const now = this.#now();
    const timestampMs = Number(r.timestampMs);
    const deadlineMs = Number(r.deadlineMs);
    if (Math.abs(timestampMs - now) > p.timestampWindowMs) return { code: RefusalCode.Stale, message: `the timestamp is more than ${p.timestampWindowMs} ms from the miner's clock` };
    if (deadlineMs <= now) return { code: RefusalCode.DeadlinePassed, message: "the deadline has passed" };
    if (deadlineMs - timestampMs > p.maxDeadlineMs) return { code: RefusalCode.BadRequest, message: `the deadline is more than ${p.maxDeadlineMs} ms after the request` };
    if (!this.#o.handlers.has(r.synapse)) return { code: RefusalCode.UnknownSynapse, message: `this miner does not serve "${r.synapse}"` };
    const validator = this.#permitted(greeted.validator);
    if ("code" in validator) return validator;
    const byHotkey = this.#perHotkey.tryTake(validator.hotkey);
    if (!byHotkey.ok) return { code: RefusalCode.RateLimited, message: "too many requests from this hotkey", retryAfterMs: byHotkey.retryAfterMs };
    return validator;
  }

  async #run(session: Session, frame: Extract<Frame, { kind: typeof FrameKind.Request }>, validator: DirectoryEntry, controller: AbortController): Promise<void> {
    const { requestId, body } = frame;
    const send = (f: Frame): void => session.channel.send(encodeFrame(f));
    // Admission bounded the deadline (maxDeadlineMs), so the timer is always in range.
    const remaining = Math.min(Number(frame.deadlineMs) - this.#now(), this.#policy.maxDeadlineMs);
    const deadline = setTimeout(() => controller.abort(new Error("the deadline passed")), Math.max(1, remaining));
    const signal = controller.signal;
    if (this.#stopping) controller.abort(new Error("the miner is shutting down"));
    let release;
    try {
      release = await this.#gate.acquire(validator.stake, signal);
    } catch (error) {
      clearTimeout(deadline);
      const busy = error instanceof BusyError;
      this.#refuse(session, requestId, busy ? { code: RefusalCode.Busy, retryAfterMs: 250, message: "the miner is busy" } : { code: RefusalCode.DeadlinePassed, message: "the deadline passed while queued" });
      return;
    }
    this.#counts.accepted += 1;
    const greeted = session.greeted!;
    const request: RequestHeader = {
      version: PROTOCOL_VERSION,
      netuid: this.#o.netuid,
      genesisHash: this.#o.genesisHash,
      validator: greeted.validator,
      miner: this.#o.hotkey.publicKey,
      nonce: requestNonce(greeted.salt, requestId),
      timestampMs: frame.timestampMs,
      deadlineMs: frame.deadlineMs,
      synapse: frame.synapse,
      bodyHash: hash256(body),
    };
    const digest = new StreamDigest();
    let seq = 0;
    try {
      let tensors;
      try {
        tensors = decodeTensors(body);
      } catch (error) {
        this.#refuse(session, requestId, { code: RefusalCode.BadRequest, message: (error as Error).message.slice(0, 200) });
        return;
      }
      const emit = async (chunk: TensorMap): Promise<void> => {
        signal.throwIfAborted();
        const bytes = encodeTensors(chunk);
        digest.add(bytes);
        send({ kind: FrameKind.Chunk, requestId, seq: seq++, body: bytes });
      };
      const answer = await this.#o.handlers.get(frame.synapse)!({ request, validator, body: tensors, signal, emit });
      if (signal.aborted) throw signal.reason;
      const timestampMs = BigInt(this.#now());
      const header = { version: PROTOCOL_VERSION, status: 0, miner: this.#o.hotkey.publicKey, requestHash: requestHash(request), timestampMs };
      if (answer === undefined) {
        const response = signResponse({ ...header, streamed: true, bodyHash: digest.digest() }, this.#signer);
        send({ kind: FrameKind.End, requestId, status: 0, timestampMs, signature: response.signature });
      } else {
        const bytes = encodeTensors(answer);
        const response = signResponse({ ...header, streamed: false, bodyHash: hash256(bytes) }, this.#signer);
        send({ kind: FrameKind.Response, requestId, status: 0, timestampMs, signature: response.signature, body: bytes });
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
        this.#refuse(session, requestId, { code: RefusalCode.Busy, retryAfterMs: 250, message: "the miner's inference queue is full" });
        return;
      }
      if (typeof code === "string" && (code === "BAD_INPUT" || code.endsWith("_INVALID"))) {
        this.#refuse(session, requestId, { code: RefusalCode.BadRequest, message: (error as Error).message.slice(0, 400) });
        return;
      }
      this.#counts.failed += 1;
      this.#o.log.warn({ synapse: frame.synapse, error: (error as Error).message }, "a query handler failed");
      session.channel.send(encodeFrame({ kind: FrameKind.Refused, requestId, code: RefusalCode.Internal, retryAfterMs: 0, message: "the miner failed to answer" }));
    } finally {
      clearTimeout(deadline);
      release();
    }
  }
}
