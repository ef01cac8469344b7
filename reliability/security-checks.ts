/**
 * The attacks of ../shared/design/RELIABILITY.md tried against a miner's real query server and
 * identity service (libp2p on loopback, the admission policy a miner runs with): a forged hotkey
 * binding, a replayed request, an empty signature, a request from a hotkey without stake, an
 * oversized frame, a flood from one hotkey. Each must be refused; the figure of the miner's work
 * is how many times its handler (where inference would run) was reached, and the time to refusal.
 */
import "../src/util/polyfill.js";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { encodeAddress } from "@polkadot/util-crypto";
import { lpStream } from "@libp2p/utils";
import { multiaddr } from "@multiformats/multiaddr";
import { HotkeyDirectory } from "../src/p2p/directory.js";
import { signBinding } from "../src/p2p/identity.js";
import { IdentityService } from "../src/p2p/identity-service.js";
import { createP2PNode, type P2PNode } from "../src/p2p/node.js";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { decodeFrame, encodeFrame, FrameKind, PROTOCOL_VERSION, QUERY_PROTOCOL, REFUSAL_NAMES } from "../src/p2p/protocol/frames.js";
import { hash256, signRequest } from "../src/p2p/protocol/signing.js";
import { encodeTensors } from "../src/p2p/protocol/tensors.js";
import { QueryServer, type QueryHandler } from "../src/p2p/query-server.js";
import { createLogger } from "../src/util/logger.js";
import { sr25519Ready, sr25519SignerFromSeed, type Sr25519Signer } from "../src/util/sr25519.js";
import { median } from "../bench/harness.js";
import type { CheckLine } from "./fuzz-checks.js";
import { sessionSignerOf } from "../src/p2p/session-key.js";

const TAO = 1_000_000_000n;
const log = createLogger({ level: "silent", format: "json" });

export async function securityChecks(attempts: number): Promise<CheckLine[]> {
  await sr25519Ready();
  const dir = mkdtempSync(join(tmpdir(), "tn-security-"));
  const [validator, miner, poor, attacker] = [1, 2, 3, 4].map((n) => sr25519SignerFromSeed(new Uint8Array(32).fill(n))) as [Sr25519Signer, Sr25519Signer, Sr25519Signer, Sr25519Signer];
  const genesisHash = new Uint8Array(32).fill(9);
  const netuid = 1;
  const directory = new HotkeyDirectory();
  directory.update([
    { uid: 0, hotkey: encodeAddress(validator.publicKey, 42), stake: 1000n * TAO, validatorPermit: true, axon: null },
    { uid: 1, hotkey: encodeAddress(miner.publicKey, 42), stake: 0n, validatorPermit: false, axon: null },
    { uid: 2, hotkey: encodeAddress(poor.publicKey, 42), stake: 0n, validatorPermit: false, axon: null },
  ]);
  let handled = 0;
  const handlers = new Map<string, QueryHandler>([["echo", async ({ body }) => ((handled += 1), body)]]);
  const nodes: P2PNode[] = [];
  const node = async (): Promise<P2PNode> => {
    const n = await createP2PNode({ privateKey: await generateKeyPair("Ed25519"), listen: ["/ip4/127.0.0.1/tcp/0"], gossip: false, log });
    nodes.push(n);
    return n;
  };
  const minerNode = await node();
  // The miner's defaults, with a stake floor so that a hotkey without stake is refused.
  const server = new QueryServer({ libp2p: minerNode.libp2p, hotkey: miner, netuid, genesisHash, directory, handlers, policy: { minStake: TAO }, log });
  await server.start();
  const minerIdentity = new IdentityService({ libp2p: minerNode.libp2p, genesisHash, netuid, directory, binding: () => signBinding({ peerId: minerNode.peerId, hotkey: miner.publicKey, netuid, genesisHash, addresses: minerNode.addresses(), expiresAtMs: BigInt(Date.now() + 3_600_000) }, miner), log });
  await minerIdentity.start();
  const address = multiaddr(minerNode.addresses()[0]!);
  const lines: CheckLine[] = [];

  const request = (signer: Sr25519Signer, claimed: Uint8Array, body = encodeTensors(new Map()), nonce = new Uint8Array(randomBytes(16))) => {
    const now = BigInt(Date.now());
    return { request: signRequest({ version: PROTOCOL_VERSION, netuid, genesisHash, validator: claimed, miner: miner.publicKey, nonce, timestampMs: now, deadlineMs: now + 5_000n, synapse: "echo", bodyHash: hash256(body) }, sessionSignerOf(signer)), body };
  };

  /** Sends `frames` one at a time on one stream from a fresh attacker node; the refusal reasons and times to refusal. */
  const attack = async (frames: readonly Uint8Array[]): Promise<{ reasons: string[]; ms: number[]; closed: boolean }> => {
    const attackerNode = await node();
    const stream = await attackerNode.libp2p.dialProtocol(address, QUERY_PROTOCOL);
    const lp = lpStream(stream, { maxDataLength: 1 << 24 });
    const reasons: string[] = [];
    const ms: number[] = [];
    let closed = false;
    for (const frame of frames) {
      const started = performance.now();
      try {
        await lp.write(frame);
        const reply = decodeFrame((await lp.read({ signal: AbortSignal.timeout(5_000) })).subarray());
        ms.push(performance.now() - started);
        reasons.push(reply.kind === FrameKind.Refused ? REFUSAL_NAMES[reply.code] ?? "Unknown" : `answered (${reply.kind})`);
      } catch {
        closed = true;
        break;
      }
    }
    await attackerNode.stop();
    return { reasons, ms, closed };
  };
  const tally = (name: string, rule: string, outcome: { reasons: string[]; ms: number[]; closed?: boolean }, expected: (reason: string) => boolean, handledBefore: number, extra: Record<string, number> = {}): void => {
    const refused = outcome.reasons.filter(expected).length;
    const reached = handled - handledBefore;
    lines.push({
      name: `attack: ${name}`,
      figures: { attempts: outcome.reasons.length, refused, handler_reached: reached, median_ms_to_refusal: median(outcome.ms), ...extra },
      holds: refused === outcome.reasons.length && outcome.reasons.length > 0 && reached === 0,
      rule,
    });
  };

  try {
    // A forged binding: the attacker's peer claims the validator's hotkey, signed with its own key.
    {
      const forger = await node();
      const forged = new IdentityService({ libp2p: forger.libp2p, genesisHash, netuid, directory, binding: () => signBinding({ peerId: forger.peerId, hotkey: validator.publicKey, netuid, genesisHash, addresses: forger.addresses(), expiresAtMs: BigInt(Date.now() + 3_600_000) }, attacker), log });
      let refused = 0;
      const ms: number[] = [];
      for (let i = 0; i < Math.min(attempts, 50); i++) {
        const started = performance.now();
        await forged.exchange(address, AbortSignal.timeout(5_000)).catch(() => undefined);
        ms.push(performance.now() - started);
        if (!minerIdentity.peers.has(forger.peerId)) refused += 1;
      }
      lines.push({ name: "attack: forged hotkey binding (the validator's hotkey, signed by another key)", figures: { attempts: ms.length, refused, accepted_as_validator: minerIdentity.peers.has(forger.peerId) ? 1 : 0, median_ms_to_refusal: median(ms) }, holds: refused === ms.length, rule: "every forged binding refused; the peer never listed as the validator" });
    }

    let before = handled;
    const honest = request(validator, validator.publicKey);
    const replayed = await attack([encodeFrame({ kind: FrameKind.Request, requestId: 1, ...honest }), ...Array.from({ length: attempts }, (_, i) => encodeFrame({ kind: FrameKind.Request, requestId: 2 + i, ...honest }))]);
    const first = replayed.reasons.shift();
    replayed.ms.shift();
    tally("replayed request (one honest request, then the same bytes again, back to back)", "every replay refused (as Replay, or first by the rate limits, which come before the replay cache); the handler reached once, by the original", replayed, (r) => r === "Replay" || r === "RateLimited", before + 1, {
      as_replay: replayed.reasons.filter((r) => r === "Replay").length,
      as_rate_limited: replayed.reasons.filter((r) => r === "RateLimited").length,
      original_answered: first?.startsWith("answered") ? 1 : 0,
    });

    before = handled;
    const empty = Array.from({ length: attempts }, (_, i) => {
      const r = request(validator, validator.publicKey);
      return encodeFrame({ kind: FrameKind.Request, requestId: i + 1, request: { ...r.request, signature: new Uint8Array(64) }, body: r.body });
    });
    tally("empty (all-zero) signature claiming the validator's hotkey", "every one refused as BadSignature, the handler never reached", await attack(empty), (r) => r === "BadSignature", before);

    before = handled;
    const unstaked = Array.from({ length: attempts }, (_, i) => encodeFrame({ kind: FrameKind.Request, requestId: i + 1, ...request(poor, poor.publicKey) }));
    tally("requests from a registered hotkey without stake (the miner asks 1 TAO)", "every one refused as NotPermitted, the handler never reached", await attack(unstaked), (r) => r === "NotPermitted", before);

    before = handled;
    const unknown = Array.from({ length: attempts }, (_, i) => encodeFrame({ kind: FrameKind.Request, requestId: i + 1, ...request(attacker, attacker.publicKey) }));
    tally("requests from a hotkey not on the subnet", "every one refused as NotPermitted, the handler never reached", await attack(unknown), (r) => r === "NotPermitted", before);

    before = handled;
    const huge = request(validator, validator.publicKey, new Uint8Array(32 * 1024 * 1024));
    const oversized = await attack([encodeFrame({ kind: FrameKind.Request, requestId: 1, ...huge })]);
    lines.push({
      name: "attack: oversized frame (a 32 MiB request body)",
      figures: { attempts: 1, cut_off: oversized.closed || oversized.reasons.every((r) => r !== "answered (2)") ? 1 : 0, handler_reached: handled - before },
      holds: handled === before && (oversized.closed || oversized.reasons.length === 1),
      rule: "the stream is cut off (or the request refused) before the handler",
    });

    // A flood: one hotkey, one stream, as fast as the miner answers.
    before = handled;
    const flood = Array.from({ length: attempts * 5 }, (_, i) => encodeFrame({ kind: FrameKind.Request, requestId: i + 1, ...request(validator, validator.publicKey) }));
    const flooded = await attack(flood);
    const limited = flooded.reasons.filter((r) => r === "RateLimited" || r === "Busy").length;
    const served = handled - before;
    lines.push({
      name: `attack: flood from one hotkey (${flood.length} valid signed requests back to back)`,
      figures: { attempts: flooded.reasons.length, rate_limited: limited, served, median_ms_to_reply: median(flooded.ms) },
      holds: limited > 0 && served < flood.length && served + limited === flooded.reasons.length,
      rule: "the per-hotkey and per-peer buckets cut it down: most refused as RateLimited/Busy, only the bucket's worth served",
    });
    return lines;
  } finally {
    await server.stop(1_000);
    await minerIdentity.stop();
    await Promise.all(nodes.map((n) => n.stop()));
    await replay.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
