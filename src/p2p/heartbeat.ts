/**
 * Signed heartbeats on a per-subnet gossipsub topic: who serves (hotkey, peer, addresses — the
 * hotkey binding itself), what (subnet plugin and version, models) and how loaded (capacity, load).
 * Every message is validated before it is delivered or forwarded: unsigned, badly signed,
 * unregistered, stale, or sent on behalf of another peer → Reject, which gossipsub's peer scoring
 * turns into a penalty for the peer that forwarded it.
 */
import type { PeerId } from "@libp2p/interface";
import { createTopicScoreParams, type TopicScoreParams } from "@libp2p/gossipsub/score";
import type { Logger } from "../util/logger.js";
import { verifySr25519, type Sr25519Signer } from "../util/sr25519.js";
import type { HotkeyDirectory } from "./directory.js";
import { checkBinding, decodeBinding, encodeBinding, type HotkeyBinding } from "./identity.js";
import { ByteReader, ByteWriter, FrameError } from "./protocol/bytes.js";

export const HEARTBEAT_DOMAIN = new TextEncoder().encode("tensornode/heartbeat/v1");
const MAX_MODELS = 64;

export interface HeartbeatBody {
  readonly binding: HotkeyBinding;
  readonly plugin: string;
  readonly pluginVersion: string;
  readonly models: readonly string[];
  /** Requests the node can run at once. */
  readonly capacity: number;
  /** Requests running or queued now. */
  readonly load: number;
  readonly timestampMs: bigint;
}

export interface Heartbeat extends HeartbeatBody {
  readonly signature: Uint8Array;
}

/** `/tensornode/<first 8 bytes of the genesis hash>/subnet/<netuid>/heartbeat/1`. */
export function heartbeatTopic(genesisHash: Uint8Array, netuid: number): string {
  return `/tensornode/${Buffer.from(genesisHash.subarray(0, 8)).toString("hex")}/subnet/${netuid}/heartbeat/1`;
}

function writeBody(w: ByteWriter, h: HeartbeatBody): ByteWriter {
  const binding = encodeBinding(h.binding);
  if (h.models.length > MAX_MODELS) throw new FrameError("BAD_FRAME", `a heartbeat lists at most ${MAX_MODELS} models`);
  w.u16(binding.length).bytes(binding).text(h.plugin, 64, "plugin").text(h.pluginVersion, 32, "plugin version").u8(h.models.length);
  for (const m of h.models) w.text(m, 128, "model");
  return w.u32(h.capacity).u32(h.load).u64(h.timestampMs);
}

export function signHeartbeat(body: HeartbeatBody, hotkey: Sr25519Signer): Heartbeat {
  return { ...body, signature: hotkey.sign(writeBody(new ByteWriter(512).bytes(HEARTBEAT_DOMAIN), body).finish()) };
}

export function encodeHeartbeat(h: Heartbeat): Uint8Array {
  return writeBody(new ByteWriter(512), h).bytes(h.signature).finish();
}

export function decodeHeartbeat(bytes: Uint8Array): Heartbeat {
  const r = new ByteReader(bytes);
  const binding = decodeBinding(r.bytes(r.u16("binding length"), "binding"));
  const plugin = r.text(64, "plugin");
  const pluginVersion = r.text(32, "plugin version");
  const count = r.u8("model count");
  if (count > MAX_MODELS) throw new FrameError("BAD_FRAME", `a heartbeat lists at most ${MAX_MODELS} models`);
  const models: string[] = [];
  for (let i = 0; i < count; i++) models.push(r.text(128, "model"));
  const body = { binding, plugin, pluginVersion, models, capacity: r.u32("capacity"), load: r.u32("load"), timestampMs: r.u64("timestamp") };
  const signature = r.bytes(64, "signature").slice();
  r.end("a heartbeat");
  return { ...body, signature };
}

export type HeartbeatProblem = "malformed" | "signature" | "binding" | "unregistered" | "stale" | "other peer";

export interface HeartbeatCheck {
  readonly nowMs: number;
  readonly genesisHash: Uint8Array;
  readonly netuid: number;
  /** How old (or how far ahead) a heartbeat may be, ms. */
  readonly maxAgeMs: number;
  readonly directory: HotkeyDirectory;
}

/** Decodes and checks one gossip message from `origin`; the heartbeat, or why it is refused. */
export function checkHeartbeat(data: Uint8Array, origin: string | undefined, c: HeartbeatCheck): { heartbeat: Heartbeat } | { problem: HeartbeatProblem } {
  let heartbeat: Heartbeat;
  try {
    heartbeat = decodeHeartbeat(data);
  } catch {
    return { problem: "malformed" };
  }
  const signed = writeBody(new ByteWriter(512).bytes(HEARTBEAT_DOMAIN), heartbeat).finish();
  if (!verifySr25519(heartbeat.signature, signed, heartbeat.binding.hotkey)) return { problem: "signature" };
  const bindingProblem = checkBinding(heartbeat.binding, { nowMs: c.nowMs, genesisHash: c.genesisHash, netuid: c.netuid });
  if (bindingProblem) return { problem: "binding" };
  if (origin === undefined || heartbeat.binding.peerId !== origin) return { problem: "other peer" };
  if (!c.directory.lookup(heartbeat.binding.hotkey)) return { problem: "unregistered" };
  if (Math.abs(Number(heartbeat.timestampMs) - c.nowMs) > c.maxAgeMs) return { problem: "stale" };
  return { heartbeat };
}

/** The parts of gossipsub this module uses (libp2p.services.pubsub). */
export interface PubSubLike {
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  publish(topic: string, data: Uint8Array): Promise<unknown>;
  readonly topicValidators: Map<string, (peer: PeerId, message: { type: "signed" | "unsigned"; data: Uint8Array; from?: PeerId }) => unknown>;
  /** gossipsub's peer scoring, where the topic's penalty for invalid messages is set. */
  readonly score?: { readonly params: { readonly topics: Record<string, TopicScoreParams> } };
  getScore?(peerId: string): number;
  addEventListener(type: "message", listener: (event: CustomEvent<{ topic: string; data: Uint8Array; type: string; from?: PeerId }>) => void): void;
  removeEventListener(type: "message", listener: (event: CustomEvent<{ topic: string; data: Uint8Array; type: string; from?: PeerId }>) => void): void;
}

export interface HeartbeatServiceOptions {
  readonly pubsub: PubSubLike;
  readonly genesisHash: Uint8Array;
  readonly netuid: number;
  readonly directory: HotkeyDirectory;
  /** Messages older (or further ahead) than this are refused; default 3 × the interval. */
  readonly maxAgeMs?: number;
  /** Publishing: what to say, or nothing for a node that only listens (a validator). */
  readonly publish?: { readonly intervalMs: number; readonly make: () => Heartbeat };
  readonly now?: () => number;
  readonly log: Logger;
}

/** Publishes this node's heartbeats and keeps the latest valid heartbeat of every peer. */
export class HeartbeatService {
  readonly #o: HeartbeatServiceOptions;
  readonly topic: string;
  readonly #latest = new Map<string, Heartbeat>();
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #rejected = 0;
  readonly #onMessage = (event: CustomEvent<{ topic: string; data: Uint8Array; type: string; from?: PeerId }>): void => {
    if (event.detail.topic !== this.topic) return;
    const result = this.#check(event.detail.data, event.detail.type === "signed" ? event.detail.from?.toString() : undefined);
    if ("heartbeat" in result) this.#latest.set(result.heartbeat.binding.peerId, result.heartbeat);
  };

  constructor(options: HeartbeatServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.topic = heartbeatTopic(options.genesisHash, options.netuid);
  }

  #check(data: Uint8Array, origin: string | undefined): ReturnType<typeof checkHeartbeat> {
    const o = this.#o;
    return checkHeartbeat(data, origin, { nowMs: this.#now(), genesisHash: o.genesisHash, netuid: o.netuid, maxAgeMs: o.maxAgeMs ?? 3 * (o.publish?.intervalMs ?? 10_000), directory: o.directory });
  }

  start(): void {
    const { pubsub } = this.#o;
    pubsub.topicValidators.set(this.topic, (_peer, message) => {
      const result = this.#check(message.data, message.type === "signed" ? message.from?.toString() : undefined);
      if ("heartbeat" in result) return "accept";
      this.#rejected += 1;
      this.#o.log.debug({ problem: result.problem }, "refused a heartbeat");
      return "reject";
    });
    // A rejected heartbeat costs its sender score: enough of them and gossipsub prunes and ignores it.
    if (pubsub.score) pubsub.score.params.topics[this.topic] = createTopicScoreParams({ topicWeight: 1, invalidMessageDeliveriesWeight: -100, invalidMessageDeliveriesDecay: 0.9 });
    pubsub.addEventListener("message", this.#onMessage);
    pubsub.subscribe(this.topic);
    const publish = this.#o.publish;
    if (publish) {
      const beat = (): void => {
        void pubsub.publish(this.topic, encodeHeartbeat(publish.make())).catch((error: unknown) => this.#o.log.debug({ error: (error as Error).message }, "heartbeat not published"));
      };
      beat();
      this.#timer = setInterval(beat, publish.intervalMs);
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    const { pubsub } = this.#o;
    pubsub.removeEventListener("message", this.#onMessage);
    pubsub.topicValidators.delete(this.topic);
    try {
      pubsub.unsubscribe(this.topic);
    } catch {
      // already stopped with the node
    }
  }

  /** The latest valid heartbeat of each peer that is still fresh. */
  peers(): Heartbeat[] {
    const now = this.#now();
    const maxAge = this.#o.maxAgeMs ?? 3 * (this.#o.publish?.intervalMs ?? 10_000);
    return [...this.#latest.values()].filter((h) => now - Number(h.timestampMs) <= maxAge);
  }

  get rejected(): number {
    return this.#rejected;
  }
}
