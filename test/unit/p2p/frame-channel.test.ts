/**
 * FrameChannel over a scripted stream: length-prefixed frames cut out of whatever chunks arrive
 * (split anywhere, several in one), a length over the limit reported once and nothing read after
 * it, and every frame sent in one turn of the event loop leaving in one stream write.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Stream } from "@libp2p/interface";
import { FrameChannel } from "../../../src/p2p/frame-channel.js";
import { prng } from "../../../src/util/prng.js";

/**
 * The part of a libp2p stream FrameChannel uses: its events, send (with backpressure), close, abort.
 * Listeners are called directly, so what one throws reaches the test rather than the process.
 */
class FakeStream {
  readonly #listeners = new Map<string, ((event: Event) => void)[]>();
  readonly writes: Uint8Array[] = [];
  /** What send() answers: false says "wait for drain". */
  accepting = true;
  #drained: (() => void) | undefined;
  closed = false;
  aborted: Error | undefined;

  addEventListener(type: string, listener: (event: Event) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  dispatchEvent(event: Event): void {
    for (const listener of this.#listeners.get(event.type) ?? [])
      listener(event);
  }

  send(data: Uint8Array): boolean {
    this.writes.push(data.slice());
    return this.accepting;
  }

  onDrain(): Promise<void> {
    return new Promise((resolve) => (this.#drained = resolve));
  }

  drain(): void {
    this.accepting = true;
    this.#drained?.();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  abort(error: Error): void {
    this.aborted = error;
  }

  /** Bytes from the peer: one chunk, or a list of chunks in one event (as a Uint8ArrayList is). */
  receive(data: Uint8Array | Uint8Array[]): void {
    this.dispatchEvent(Object.assign(new Event("message"), { data }));
  }
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** Frames as they travel: each one's varint length, then its bytes. */
function wire(...frames: Uint8Array[]): Uint8Array {
  return Uint8Array.from(frames.flatMap((f) => [...varint(f.length), ...f]));
}

const frameOf = (length: number, fill: number): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (fill + i) & 0xff);
const turn = (): Promise<void> =>
  new Promise((resolve) => setImmediate(resolve));

function open(maxFrameBytes = 1 << 20) {
  const stream = new FakeStream();
  const frames: Uint8Array[] = [];
  const tooLarge: number[] = [];
  const ends: (Error | undefined)[] = [];
  const channel = new FrameChannel(stream as unknown as Stream, {
    maxFrameBytes,
    onFrame: (frame) => void frames.push(frame.slice()),
    onTooLarge: (length) => void tooLarge.push(length),
    onEnd: (error) => void ends.push(error),
  });
  return { stream, channel, frames, tooLarge, ends };
}

describe("a frame channel reads length-prefixed frames", () => {
  // One-byte, two-byte and three-byte length prefixes; the last frame is larger than most chunks.
  const sent = [
    frameOf(3, 1),
    frameOf(200, 7),
    frameOf(1, 9),
    frameOf(20_000, 3),
  ];

  it("cuts frames split across chunks, wherever the cuts fall, prefixes included", () => {
    const bytes = wire(...sent);
    // One byte at a time: every prefix and every frame split at every place.
    const single = open();
    for (const byte of bytes) single.stream.receive(Uint8Array.of(byte));
    assert.deepEqual(single.frames, sent);
    // Random cuts, many times over.
    const random = prng(3);
    for (let round = 0; round < 200; round++) {
      const { stream, frames } = open();
      let at = 0;
      while (at < bytes.length) {
        const n = 1 + Math.floor(random() * 400);
        stream.receive(bytes.subarray(at, at + n));
        at += n;
      }
      assert.deepEqual(frames, sent, `round ${round}`);
    }
  });

  it("delivers an empty frame (a zero length prefix) mid-chunk, and keeps reading", () => {
    const { stream, frames } = open();
    stream.receive(wire(frameOf(2, 1), frameOf(0, 0), frameOf(2, 2)));
    assert.deepEqual(frames, [frameOf(2, 1), frameOf(0, 0), frameOf(2, 2)]);
  });

  it("delivers an empty frame whose zero prefix is the last byte of a chunk, and keeps reading", () => {
    const { stream, frames } = open();
    stream.receive(Uint8Array.of(0));
    stream.receive(wire(frameOf(2, 2)));
    assert.deepEqual(frames, [frameOf(0, 0), frameOf(2, 2)]);
  });

  it("delivers nothing of a frame until all of it has come", () => {
    const { stream, frames } = open();
    const bytes = wire(frameOf(200, 1));
    stream.receive(bytes.subarray(0, 1)); // half the two-byte prefix
    stream.receive(bytes.subarray(1, 100));
    assert.equal(frames.length, 0);
    stream.receive(bytes.subarray(100));
    assert.deepEqual(frames, [frameOf(200, 1)]);
  });

  it("cuts several frames out of one chunk, and out of one event carrying a list of chunks", () => {
    const one = open();
    one.stream.receive(wire(...sent));
    assert.deepEqual(one.frames, sent);
    const list = open();
    const bytes = wire(...sent);
    list.stream.receive([
      bytes.subarray(0, 2),
      bytes.subarray(2, 210),
      bytes.subarray(210),
    ]);
    assert.deepEqual(list.frames, sent);
  });

  it("reads a frame exactly at the limit", () => {
    const { stream, frames, tooLarge } = open(200);
    stream.receive(wire(frameOf(200, 4)));
    assert.deepEqual(frames, [frameOf(200, 4)]);
    assert.deepEqual(tooLarge, []);
  });

  it("reports a length prefix over the limit once, before buffering the frame, and reads nothing after it", () => {
    const { stream, frames, tooLarge } = open(100);
    stream.receive(wire(frameOf(3, 1)));
    // The prefix alone (101 > 100) is enough to refuse; the frame's bytes and a good frame after it are dropped.
    stream.receive(Uint8Array.from(varint(101)));
    assert.deepEqual(tooLarge, [101]);
    stream.receive(frameOf(101, 0));
    stream.receive(wire(frameOf(3, 2)));
    assert.deepEqual(
      frames,
      [frameOf(3, 1)],
      "only the frame before the oversized one",
    );
    assert.deepEqual(tooLarge, [101], "reported once");
  });

  it("drops the frames after an oversized prefix in the same chunk", () => {
    const { stream, frames, tooLarge } = open(100);
    stream.receive(
      Uint8Array.from([
        ...wire(frameOf(2, 1)),
        ...varint(1 << 30),
        ...wire(frameOf(2, 2)),
      ]),
    );
    assert.deepEqual(frames, [frameOf(2, 1)]);
    assert.deepEqual(tooLarge, [1 << 30]);
  });

  it("reports a prefix too long to read (five continuation bytes) as over the limit", () => {
    const { stream, frames, tooLarge } = open(1 << 20);
    stream.receive(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x05]));
    assert.equal(tooLarge.length, 1);
    stream.receive(wire(frameOf(1, 1)));
    assert.deepEqual(frames, []);
  });

  it("ends once, whether the stream closes or the peer closes its side, and reads nothing after", () => {
    const a = open();
    a.stream.dispatchEvent(new Event("remoteCloseWrite"));
    a.stream.dispatchEvent(new Event("close"));
    assert.deepEqual(a.ends, [undefined]);
    assert.equal(a.channel.ended, true);
    a.stream.receive(wire(frameOf(1, 1)));
    assert.deepEqual(a.frames, []);
    const b = open();
    const error = new Error("reset");
    b.stream.dispatchEvent(Object.assign(new Event("close"), { error }));
    assert.deepEqual(b.ends, [error]);
  });
});

describe("a frame channel writes", () => {
  it("coalesces the frames sent in one turn into one stream write, each length-prefixed", async () => {
    const { stream, channel } = open();
    const frames = [
      frameOf(3, 1),
      frameOf(200, 2),
      frameOf(0, 0),
      frameOf(1, 3),
    ];
    // (an empty frame among them: it is written, and read, like any other)
    for (const f of frames) channel.send(f);
    assert.equal(
      stream.writes.length,
      0,
      "nothing leaves before the turn ends",
    );
    await turn();
    assert.equal(stream.writes.length, 1);
    assert.deepEqual(stream.writes[0], wire(...frames));
    // A later turn's frames leave in a write of their own.
    channel.send(frameOf(2, 5));
    channel.send(frameOf(2, 6));
    await turn();
    assert.equal(stream.writes.length, 2);
    assert.deepEqual(stream.writes[1], wire(frameOf(2, 5), frameOf(2, 6)));
  });

  it("what it writes, another channel reads back as the same frames", async () => {
    const writer = open();
    const frames = [frameOf(130, 1), frameOf(1, 2), frameOf(70_000, 3)];
    for (const f of frames) writer.channel.send(f);
    await turn();
    const reader = open();
    for (const w of writer.stream.writes) reader.stream.receive(w);
    assert.deepEqual(reader.frames, frames);
  });

  it("holds frames while the stream is full, then writes them all at once when it drains", async () => {
    const { stream, channel } = open();
    stream.accepting = false;
    channel.send(frameOf(2, 1));
    await turn();
    assert.equal(stream.writes.length, 1);
    channel.send(frameOf(2, 2));
    channel.send(frameOf(2, 3));
    await turn();
    assert.equal(stream.writes.length, 1, "nothing more while full");
    stream.drain();
    await turn();
    assert.equal(stream.writes.length, 2);
    assert.deepEqual(stream.writes[1], wire(frameOf(2, 2), frameOf(2, 3)));
  });

  it("writes what is queued when closing, and nothing once ended", async () => {
    const { stream, channel } = open();
    channel.send(frameOf(4, 1));
    await channel.close();
    assert.equal(stream.closed, true);
    assert.deepEqual(stream.writes, [wire(frameOf(4, 1))]);
    stream.dispatchEvent(new Event("close"));
    channel.send(frameOf(4, 2));
    await turn();
    assert.equal(stream.writes.length, 1);
  });
});
