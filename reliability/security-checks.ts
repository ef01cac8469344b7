/**
 * The attacks of ../shared/design/RELIABILITY.md tried against a miner's real query server and
 * identity service (libp2p on loopback, the admission policy a miner runs with): a forged hotkey
 * binding, on the identity protocol and in a query stream's HELLO; a HELLO with an all-zero
 * signature, one with a binding stolen from another peer, one for another miner; a request before
 * HELLO; a replayed request id; a stream from a hotkey without stake or not on the subnet; an
 * oversized frame; a flood from one hotkey. Each must be refused; the figure of the miner's work is
 * how many times its handler (where inference would run) was reached, and the time to refusal.
 */
import "../src/util/polyfill.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { encodeAddress } from "@polkadot/util-crypto";
import { lpStream } from "@libp2p/utils";
import { multiaddr } from "@multiformats/multiaddr";
import { HotkeyDirectory } from "../src/p2p/directory.js";
import { bindingSigningBytes, encodeBinding, signBinding, type HotkeyBinding } from "../src/p2p/identity.js";
import { IdentityService } from "../src/p2p/identity-service.js";
import { createP2PNode, type P2PNode } from "../src/p2p/node.js";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { decodeFrame, encodeFrame, FrameKind, PROTOCOL_VERSION, QUERY_PROTOCOL, REFUSAL_NAMES, type Frame } from "../src/p2p/protocol/frames.js";
import { encodeTensors } from "../src/p2p/protocol/tensors.js";
import { QueryServer, type QueryHandler } from "../src/p2p/query-server.js";
import { createLogger } from "../src/util/logger.js";
import { sr25519Ready, sr25519SignerFromSeed, type Sr25519Signer } from "../src/util/sr25519.js";
import { median } from "../bench/harness.js";
import type { CheckLine } from "./fuzz-checks.js";

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

  /** An unsigned request (protocol 3): what travels after HELLO. */
  const request = (requestId: number, body = encodeTensors(new Map())): Uint8Array => {
    const now = BigInt(Date.now());
    return encodeFrame({ kind: FrameKind.Request, requestId, timestampMs: now, deadlineMs: now + 5_000n, synapse: "echo", body });
  };
  /** `hotkey`'s claim on `peerId`, signed by `signer` (the hotkey's own key for an honest binding). */
  const claim = (signer: Sr25519Signer, hotkey: Uint8Array, peerId: string): HotkeyBinding => {
    const fields = { peerId, hotkey, netuid, genesisHash, addresses: [], expiresAtMs: BigInt(Date.now() + 3_600_000) };
    return { ...fields, signature: signer.sign(bindingSigningBytes(fields)) };
  };
  const hello = (binding: HotkeyBinding, target: Uint8Array = miner.publicKey): Uint8Array =>
    encodeFrame({ kind: FrameKind.Hello, requestId: 0, hello: { version: PROTOCOL_VERSION, netuid, genesisHash, miner: target, binding: encodeBinding(binding) } });
  const reason = (reply: Frame): string => (reply.kind === FrameKind.Refused ? (REFUSAL_NAMES[reply.code] ?? "Unknown") : `answered (${reply.kind})`);

  /**
   * From a fresh attacker node, one stream: opened with `greet(attacker)` (a HELLO that must be
   * welcomed) when given, then `frames` one at a time; the refusal reasons and times to refusal.
   */
  const attack = async (frames: readonly Uint8Array[], greet?: (attacker: P2PNode) => Uint8Array): Promise<{ reasons: string[]; ms: number[]; closed: boolean }> => {
    const attackerNode = await node();
    const stream = await attackerNode.libp2p.dialProtocol(address, QUERY_PROTOCOL);
    const lp = lpStream(stream, { maxDataLength: 1 << 24 });
    const reasons: string[] = [];
    const ms: number[] = [];
    let closed = false;
    if (greet) {
      await lp.write(greet(attackerNode));
      const welcome = decodeFrame((await lp.read({ signal: AbortSignal.timeout(5_000) })).subarray());
      if (welcome.kind !== FrameKind.Welcome) throw new Error(`the attack's honest HELLO was not welcomed: ${reason(welcome)}`);
    }
    for (const frame of frames) {
      const started = performance.now();
      try {
        await lp.write(frame);
        const reply = decodeFrame((await lp.read({ signal: AbortSignal.timeout(5_000) })).subarray());
        ms.push(performance.now() - started);
        reasons.push(reason(reply));
      } catch {
        closed = true;
        break;
      }
    }
    await attackerNode.stop();
    return { reasons, ms, closed };
  };

  /**
   * From one fresh attacker node, `count` streams, each opened with `make(attacker)` as its HELLO;
   * each refusal's reason and time, and how many streams still answered a request sent after it
   * (a refused HELLO must close the stream).
   */
  const helloAttack = async (count: number, make: (attacker: P2PNode) => Uint8Array): Promise<{ reasons: string[]; ms: number[]; served_after_refusal: number }> => {
    const attackerNode = await node();
    const reasons: string[] = [];
    const ms: number[] = [];
    let servedAfter = 0;
    try {
      for (let i = 0; i < count; i++) {
        const stream = await attackerNode.libp2p.dialProtocol(address, QUERY_PROTOCOL);
        const lp = lpStream(stream, { maxDataLength: 1 << 20 });
        const started = performance.now();
        await lp.write(make(attackerNode));
        const reply = decodeFrame((await lp.read({ signal: AbortSignal.timeout(5_000) })).subarray());
        ms.push(performance.now() - started);
        reasons.push(reason(reply));
        const after = await lp
          .write(request(1))
          .then(() => lp.read({ signal: AbortSignal.timeout(5_000) }))
          .then(
            () => true,
            () => false,
          );
        if (after) servedAfter += 1;
        await stream.close().catch(() => stream.abort(new Error("done")));
      }
    } finally {
      await attackerNode.stop();
    }
    return { reasons, ms, served_after_refusal: servedAfter };
  };
  /** One line: every attempt refused as `expected`, the handler not reached past `handledBefore`, and `alsoHolds`. */
  const tally = (name: string, rule: string, outcome: { reasons: string[]; ms: number[]; closed?: boolean }, expected: (reason: string) => boolean, handledBefore: number, extra: Record<string, number> = {}, alsoHolds = true): void => {
    const refused = outcome.reasons.filter(expected).length;
    const reached = handled - handledBefore;
    lines.push({
      name: `attack: ${name}`,
      figures: { attempts: outcome.reasons.length, refused, handler_reached: reached, median_ms_to_refusal: median(outcome.ms), ...extra },
      holds: refused === outcome.reasons.length && outcome.reasons.length > 0 && reached === 0 && alsoHolds,
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

    // The same HELLO forgery on a query stream: the validator's hotkey claimed for the attacker's peer, signed by the attacker.
    let before = handled;
    let hellos = await helloAttack(attempts, (peer) => hello(claim(attacker, validator.publicKey, peer.peerId)));
    tally("forged HELLO (the validator's hotkey claimed for the attacker's peer, signed by another key)", "every one refused as BadSignature (or first by the per-peer bucket), the stream closed, the handler never reached", hellos, (r) => r === "BadSignature" || r === "RateLimited", before, { as_bad_signature: hellos.reasons.filter((r) => r === "BadSignature").length, served_after_refusal: hellos.served_after_refusal }, hellos.served_after_refusal === 0);

    before = handled;
    hellos = await helloAttack(attempts, (peer) => hello({ ...claim(validator, validator.publicKey, peer.peerId), signature: new Uint8Array(64) }));
    tally("empty (all-zero) signature on a HELLO claiming the validator's hotkey", "every one refused as BadSignature, the stream closed, the handler never reached", hellos, (r) => r === "BadSignature", before, { served_after_refusal: hellos.served_after_refusal }, hellos.served_after_refusal === 0);

    before = handled;
    // The validator's own node: its binding is public (it says HELLO with it to every miner).
    const validatorNode = await node();
    const stolen = claim(validator, validator.publicKey, validatorNode.peerId);
    hellos = await helloAttack(attempts, () => hello(stolen));
    tally("stolen HELLO (the validator's genuine binding, of another peer than the one connected)", "every one refused as BadSignature, the stream closed, the handler never reached", hellos, (r) => r === "BadSignature", before, { served_after_refusal: hellos.served_after_refusal }, hellos.served_after_refusal === 0);

    before = handled;
    hellos = await helloAttack(attempts, (peer) => hello(claim(validator, validator.publicKey, peer.peerId), poor.publicKey));
    tally("HELLO for another miner's hotkey (an honest binding, a stream meant for someone else)", "every one refused as WrongTarget, the stream closed, the handler never reached", hellos, (r) => r === "WrongTarget", before, { served_after_refusal: hellos.served_after_refusal }, hellos.served_after_refusal === 0);

    before = handled;
    const unhelloed = await attack(Array.from({ length: attempts }, (_, i) => request(i + 1)));
    tally("requests before HELLO (no validator proven on the stream)", "every one refused as BadRequest, the handler never reached", unhelloed, (r) => r === "BadRequest", before);

    // A replay: on a stream the validator's HELLO opened, one request, then the same bytes (the same request id) again.
    before = handled;
    const honest = request(1);
    const asValidator = (peer: P2PNode): Uint8Array => hello(claim(validator, validator.publicKey, peer.peerId));
    const replayed = await attack([honest, ...Array.from({ length: attempts }, () => honest)], asValidator);
    const first = replayed.reasons.shift();
    replayed.ms.shift();
    tally("replayed request (one honest request, then the same bytes, the same request id, again on its stream, back to back)", "every replay refused (as Replay, or first by the per-peer bucket, which comes before the id check); the handler reached once, by the original", replayed, (r) => r === "Replay" || r === "RateLimited", before + 1, {
      as_replay: replayed.reasons.filter((r) => r === "Replay").length,
      as_rate_limited: replayed.reasons.filter((r) => r === "RateLimited").length,
      original_answered: first?.startsWith("answered") ? 1 : 0,
    }, first?.startsWith("answered") === true);

    before = handled;
    hellos = await helloAttack(attempts, (peer) => hello(claim(poor, poor.publicKey, peer.peerId)));
    tally("streams from a registered hotkey without stake (the miner asks 1 TAO)", "every HELLO refused as NotPermitted, the stream closed, the handler never reached", hellos, (r) => r === "NotPermitted", before, { served_after_refusal: hellos.served_after_refusal }, hellos.served_after_refusal === 0);

    before = handled;
    hellos = await helloAttack(attempts, (peer) => hello(claim(attacker, attacker.publicKey, peer.peerId)));
    tally("streams from a hotkey not on the subnet", "every HELLO refused as NotPermitted, the stream closed, the handler never reached", hellos, (r) => r === "NotPermitted", before, { served_after_refusal: hellos.served_after_refusal }, hellos.served_after_refusal === 0);

    before = handled;
    const oversized = await attack([request(1, new Uint8Array(32 * 1024 * 1024))], asValidator);
    lines.push({
      name: "attack: oversized frame (a 32 MiB request body)",
      figures: { attempts: 1, cut_off: oversized.closed || oversized.reasons.every((r) => r !== "answered (2)") ? 1 : 0, handler_reached: handled - before },
      holds: handled === before && (oversized.closed || oversized.reasons.length === 1),
      rule: "the stream is cut off (or the request refused) before the handler",
    });

    // A flood: one hotkey, one stream, as fast as the miner answers.
    before = handled;
    const flood = Array.from({ length: attempts * 5 }, (_, i) => request(i + 1));
    const flooded = await attack(flood, asValidator);
    const limited = flooded.reasons.filter((r) => r === "RateLimited" || r === "Busy").length;
    const served = handled - before;
    lines.push({
      name: `attack: flood from one hotkey (${flood.length} valid requests back to back on its stream)`,
      figures: { attempts: flooded.reasons.length, rate_limited: limited, served, median_ms_to_reply: median(flooded.ms) },
      holds: limited > 0 && served < flood.length && served + limited === flooded.reasons.length,
      rule: "the per-hotkey and per-peer buckets cut it down: most refused as RateLimited/Busy, only the bucket's worth served",
    });
    return lines;
  } finally {
    await server.stop(1_000);
    await minerIdentity.stop();
    await Promise.all(nodes.map((n) => n.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
