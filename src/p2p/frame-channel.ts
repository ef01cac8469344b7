/**
 * Length-prefixed frames over one libp2p stream (docs/protocol.md §1), both ways, built for the
 * query hot path:
 *
 * - Reading is synchronous: each arriving chunk is cut into frames in place (a view when a frame
 *   lies in one chunk), with no promise per frame. A length prefix over the limit is reported
 *   before any of that frame is buffered, and everything after it is dropped.
 * - Writing coalesces: frames sent in one turn of the event loop leave as one stream write, so one
 *   yamux frame, one Noise message and one socket write carry them all. Every layer below writes
 *   each part of what it is given as its own socket write, and a socket write costs about as much
 *   as a whole small query here, so this is where most of the time per query goes.
 */
import type { Stream } from "@libp2p/interface";

/** A varint length prefix of a frame up to 2^35 − 1 bytes: 5 bytes at most. */
const MAX_PREFIX_BYTES = 5;

export interface FrameChannelOptions {
  /** The largest frame read, bytes. */
  readonly maxFrameBytes: number;
  readonly onFrame: (frame: Uint8Array) => void;
  /** A length prefix over `maxFrameBytes` (or unreadable): nothing more is read from the stream. */
  readonly onTooLarge: (length: number) => void;
  /** The stream ended or failed, for reading and writing; called once. */
  readonly onEnd: (error?: Error) => void;
}

export class FrameChannel {
  readonly stream: Stream;
  readonly #o: FrameChannelOptions;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  /** The length of the frame being read, once its prefix is complete. */
  #need = -1;
  #prefix = 0;
  #discarding = false;
  #outgoing: Uint8Array[] = [];
  #outgoingBytes = 0;
  #flushScheduled = false;
  #waitingForDrain = false;
  #ended = false;

  constructor(stream: Stream, options: FrameChannelOptions) {
    this.stream = stream;
    this.#o = options;
    stream.addEventListener("message", (event) => {
      const data = event.data;
      if (data instanceof Uint8Array) this.#onData(data);
      else for (const part of data) this.#onData(part);
    });
    stream.addEventListener("close", (event) => this.#end((event as { error?: Error }).error));
    stream.addEventListener("remoteCloseWrite", () => this.#end());
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Queues a frame; it leaves with the others sent in this turn of the event loop. */
  send(frame: Uint8Array): void {
    if (this.#ended) return;
    this.#outgoing.push(frame);
    this.#outgoingBytes += frame.length + varintLength(frame.length);
    if (this.#flushScheduled || this.#waitingForDrain) return;
    this.#flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  /** Writes what is queued now. */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#ended || this.#waitingForDrain || this.#outgoing.length === 0) return;
    const out = new Uint8Array(this.#outgoingBytes);
    let at = 0;
    for (const frame of this.#outgoing) {
      at = writeVarint(out, at, frame.length);
      out.set(frame, at);
      at += frame.length;
    }
    this.#outgoing = [];
    this.#outgoingBytes = 0;
    let more: boolean;
    try {
      more = this.stream.send(out);
    } catch (error) {
      this.#end(error as Error);
      return;
    }
    if (!more) {
      this.#waitingForDrain = true;
      this.stream.onDrain().then(
        () => {
          this.#waitingForDrain = false;
          this.flush();
        },
        (error: unknown) => this.#end(error as Error),
      );
    }
  }

  /** Writes what is queued, then closes the stream (aborted after `timeoutMs` if the peer does not close). */
  async close(timeoutMs = 500): Promise<void> {
    this.flush();
    this.#discarding = true;
    await this.stream.close({ signal: AbortSignal.timeout(timeoutMs) }).catch(() => this.stream.abort(new Error("the stream did not close in time")));
  }

  abort(error: Error): void {
    this.#discarding = true;
    this.stream.abort(error);
  }

  #end(error?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#outgoing = [];
    this.#chunks = [];
    this.#o.onEnd(error);
  }

  #onData(data: Uint8Array): void {
    if (this.#discarding || this.#ended || data.length === 0) return;
    this.#chunks.push(data);
    this.#buffered += data.length;
    for (;;) {
      if (this.#need < 0 && !this.#readPrefix()) return;
      if (this.#buffered < this.#prefix + this.#need) return;
      const frame = this.#take(this.#prefix, this.#need);
      this.#need = -1;
      this.#o.onFrame(frame);
      if (this.#discarding || this.#ended) return;
    }
  }

  /** Reads the varint prefix when it is all here; false when more bytes are needed. */
  #readPrefix(): boolean {
    let value = 0;
    let at = 0;
    for (const chunk of this.#chunks) {
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i]!;
        value += (byte & 0x7f) * 2 ** (7 * at);
        at++;
        if ((byte & 0x80) === 0) {
          if (value > this.#o.maxFrameBytes) return this.#tooLarge(value);
          this.#need = value;
          this.#prefix = at;
          return true;
        }
        if (at >= MAX_PREFIX_BYTES) return this.#tooLarge(value);
      }
    }
    return false;
  }

  #tooLarge(length: number): false {
    this.#discarding = true;
    this.#chunks = [];
    this.#buffered = 0;
    this.#o.onTooLarge(length);
    return false;
  }

  /** Drops `skip` bytes and returns the next `length`, a view when they lie in one chunk. */
  #take(skip: number, length: number): Uint8Array {
    this.#buffered -= skip + length;
    while (skip > 0) {
      const first = this.#chunks[0]!;
      if (skip >= first.length) {
        skip -= first.length;
        this.#chunks.shift();
      } else {
        this.#chunks[0] = first.subarray(skip);
        skip = 0;
      }
    }
    if (length === 0) return new Uint8Array(0);
    const first = this.#chunks[0]!;
    if (first.length >= length) {
      if (first.length === length) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(length);
      return first.subarray(0, length);
    }
    const frame = new Uint8Array(length);
    let at = 0;
    while (at < length) {
      const chunk = this.#chunks[0]!;
      const n = Math.min(chunk.length, length - at);
      frame.set(chunk.subarray(0, n), at);
      at += n;
      if (n === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(n);
    }
    return frame;
  }
}

function varintLength(n: number): number {
  let bytes = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    bytes++;
  }
  return bytes;
}

function writeVarint(out: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[at++] = n;
  return at;
}
