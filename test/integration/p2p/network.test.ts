/**
 * The network layer against a real chain: a miner and a validator registered on an in-process
 * devnet, each with a libp2p node on loopback. The validator finds the miner from the chain alone
 * (its axon), proves who is behind it, queries it over one multiplexed stream and keeps receipts;
 * the miner refuses every abusive request before parsing its body; heartbeats flow and forged ones
 * are rejected and cost their sender score.
 */
import "../../../src/util/polyfill.js";
import "@polkadot/api-augment";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Keyring } from "@polkadot/api";
import { encodeAddress } from "@polkadot/util-crypto";
import { hexToU8a } from "@polkadot/util";
import { lpStream } from "@libp2p/utils";
import { multiaddr } from "@multiformats/multiaddr";
import { connectChain, type ChainConnection } from "../../../src/chain/connection.js";
import { loadMetagraph } from "../../../src/chain/metagraph.js";
import { SubtensorOperations } from "../../../src/chain/operations.js";
import { DevnetNode } from "../../../src/devnet/node.js";
import { ReplayCache } from "../../../src/p2p/admission/index.js";
import { HotkeyDirectory } from "../../../src/p2p/directory.js";
import { discoverFromAxons } from "../../../src/p2p/discovery.js";
import { HeartbeatService, signHeartbeat, type PubSubLike } from "../../../src/p2p/heartbeat.js";
import { bindingSigningBytes, signBinding, type HotkeyBinding } from "../../../src/p2p/identity.js";
import { IdentityService } from "../../../src/p2p/identity-service.js";
import { createP2PNode, type P2PNode } from "../../../src/p2p/node.js";
import { loadOrCreatePeerKey } from "../../../src/p2p/peer-key.js";
import { QueryClient, QueryError } from "../../../src/p2p/query-client.js";
import { MAX_BAD_FRAMES_PER_STREAM, QueryServer, type AdmissionPolicy, type QueryHandler } from "../../../src/p2p/query-server.js";
import { decodeFrame, encodeFrame, FrameKind, PROTOCOL_VERSION, QUERY_PROTOCOL, QUERY_PROTOCOL_V1, RefusalCode, REFUSAL_NAMES, type Frame } from "../../../src/p2p/protocol/frames.js";
import { checkReceipt, hash256, signRequest } from "../../../src/p2p/protocol/signing.js";
import { encodeTensors, readString, stringTensor } from "../../../src/p2p/protocol/tensors.js";
import { sr25519Ready, sr25519SignerFromSeed, type Sr25519Signer } from "../../../src/util/sr25519.js";
import { silentLog } from "../../helpers/devnet.js";
import { sessionSignerOf } from "../../../src/p2p/session-key.js";

const TAO = 1_000_000_000n;
const seed = (n: number): Uint8Array => new Uint8Array(32).fill(n);
const ss58 = (key: Uint8Array): string => encodeAddress(key, 42);
const tcpPort = (address: string): number => Number(/\/tcp\/(\d+)/.exec(address)![1]);

describe("the p2p network on a devnet subnet", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "tn-p2p-"));
  let devnet: DevnetNode;
  let chain: ChainConnection;
  let netuid: number;
  let genesisHash: Uint8Array;
  let validatorKey: Sr25519Signer;
  let minerKey: Sr25519Signer;
  let poorKey: Sr25519Signer;
  let strangerKey: Sr25519Signer;
  let minerNode: P2PNode;
  let validatorNode: P2PNode;
  let strangerNode: P2PNode;
  const minerDirectory = new HotkeyDirectory();
  const validatorDirectory = new HotkeyDirectory();
  let replay: ReplayCache;
  let server: QueryServer;
  let client: QueryClient;
  let minerIdentity: IdentityService;
  let validatorIdentity: IdentityService;
  let minerPeerId: string;

  const binding = (key: Sr25519Signer, node: P2PNode): HotkeyBinding =>
    signBinding({ peerId: node.peerId, hotkey: key.publicKey, netuid, genesisHash, addresses: node.addresses(), expiresAtMs: BigInt(Date.now() + 3_600_000) }, key);

  const handlers = new Map<string, QueryHandler>([
    ["echo", async ({ body }) => body],
    [
      "count",
      async ({ emit }) => {
        for (const word of ["one", "two", "three"]) await emit(new Map([["token", stringTensor(word)]]));
        return undefined;
      },
    ],
    [
      "slow",
      ({ signal }) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => resolve(new Map([["done", stringTensor("yes")]])), 400);
          signal.addEventListener("abort", () => {
            clearTimeout(timer);
            reject(signal.reason as Error);
          });
        }),
    ],
  ]);

  /** The miner's query server with `policy` on top of: 1 TAO of stake needed, permits not enough. */
  const minerServer = (policy: Partial<AdmissionPolicy>): QueryServer =>
    new QueryServer({
      libp2p: minerNode.libp2p,
      hotkey: minerKey,
      netuid,
      genesisHash,
      directory: minerDirectory,
      replayCache: replay,
      handlers,
      policy: { minStake: TAO, acceptPermit: false, ...policy },
      log: silentLog,
    });

  before(async () => {
    await sr25519Ready();
    devnet = await DevnetNode.start({ port: 0, blockTime: { mode: "instant" }, log: silentLog });
    chain = await connectChain(devnet.endpoint.wsUrl);
    genesisHash = chain.api.genesisHash.toU8a();
    const ops = new SubtensorOperations(chain);
    const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
    const alice = keyring.addFromUri("//Alice");
    [validatorKey, minerKey, poorKey, strangerKey] = [1, 2, 3, 4].map((n) => sr25519SignerFromSeed(seed(n))) as [Sr25519Signer, Sr25519Signer, Sr25519Signer, Sr25519Signer];
    ({ netuid } = await ops.registerNetwork(alice, ss58(validatorKey.publicKey)));
    await ops.startSubnet(alice, netuid);
    await ops.registerNeuron(alice, netuid, ss58(minerKey.publicKey));
    await ops.registerNeuron(alice, netuid, ss58(poorKey.publicKey));
    await ops.addStake(alice, ss58(validatorKey.publicKey), netuid, 100n * TAO);

    minerNode = await createP2PNode({ privateKey: await loadOrCreatePeerKey(join(dir, "miner")), listen: ["/ip4/127.0.0.2/tcp/0"], log: silentLog });
    validatorNode = await createP2PNode({ privateKey: await loadOrCreatePeerKey(join(dir, "validator")), listen: ["/ip4/127.0.0.1/tcp/0"], log: silentLog });
    strangerNode = await createP2PNode({ privateKey: await loadOrCreatePeerKey(join(dir, "stranger")), listen: ["/ip4/127.0.0.1/tcp/0"], log: silentLog });
    minerPeerId = minerNode.peerId;
    const port = tcpPort(minerNode.addresses()[0]!);
    await ops.serveAxon(keyring.addFromSeed(seed(2)), netuid, { ip: "127.0.0.2", port });

    const metagraph = (await loadMetagraph(chain.api, netuid))!;
    minerDirectory.update(metagraph.neurons, metagraph.block);
    validatorDirectory.update(metagraph.neurons, metagraph.block);

    minerIdentity = new IdentityService({ libp2p: minerNode.libp2p, genesisHash, netuid, directory: minerDirectory, binding: () => binding(minerKey, minerNode), log: silentLog });
    validatorIdentity = new IdentityService({ libp2p: validatorNode.libp2p, genesisHash, netuid, directory: validatorDirectory, binding: () => binding(validatorKey, validatorNode), log: silentLog });
    await minerIdentity.start();
    await validatorIdentity.start();
    replay = await ReplayCache.open(join(dir, "replay"), { windowMs: 30_000, maxEntries: 100_000, now: Date.now });
    server = minerServer({ maxFrameBytes: 64 * 1024, perHotkey: { capacity: 400, refillPerSecond: 100 }, maxConcurrent: 8, maxQueued: 64 });
    await server.start();
    client = new QueryClient({ libp2p: validatorNode.libp2p, hotkey: validatorKey, netuid, genesisHash, log: silentLog });
  });

  after(async () => {
    await client?.close();
    await server?.stop(100);
    await replay?.close();
    for (const node of [minerNode, validatorNode, strangerNode]) await node?.stop();
    await chain?.close();
    await devnet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const minerTarget = (): { peer: ReturnType<typeof multiaddr>; hotkey: Uint8Array } => ({ peer: multiaddr(`/ip4/127.0.0.2/tcp/${tcpPort(minerNode.addresses()[0]!)}/p2p/${minerPeerId}`), hotkey: minerKey.publicKey });

  it("finds the miner from the chain alone: its axon, dialled, proves the miner's hotkey", async () => {
    const { found, failed } = await discoverFromAxons({ directory: validatorDirectory, identity: validatorIdentity, self: validatorKey.publicKey, log: silentLog });
    assert.deepEqual(failed, []);
    assert.equal(found.length, 1);
    assert.equal(found[0]!.neuron.hotkey, ss58(minerKey.publicKey));
    assert.equal(found[0]!.peer.peerId, minerPeerId);
    // And the miner learned the validator's binding in the same exchange.
    assert.equal(minerIdentity.peers.get(validatorNode.peerId)?.neuron.hotkey, ss58(validatorKey.publicKey));
  });

  it("refuses a peer whose binding is unregistered, forged, someone else's, or expired", async () => {
    const claim = (hotkey: Uint8Array, peerId: string, expiresAtMs = BigInt(Date.now() + 60_000)) => ({ peerId, hotkey, netuid, genesisHash, addresses: strangerNode.addresses(), expiresAtMs });
    const cases: [string, () => HotkeyBinding, RegExp][] = [
      ["unregistered", () => signBinding(claim(strangerKey.publicKey, strangerNode.peerId), strangerKey), /is not registered on subnet/],
      ["forged", () => ({ ...claim(minerKey.publicKey, strangerNode.peerId), signature: strangerKey.sign(bindingSigningBytes(claim(minerKey.publicKey, strangerNode.peerId))) }), /refused: signature/],
      ["someone else's", () => binding(minerKey, minerNode), /refused: other peer/],
      ["expired", () => signBinding(claim(poorKey.publicKey, strangerNode.peerId, BigInt(Date.now() - 1)), poorKey), /refused: expired/],
    ];
    for (const [what, make, expected] of cases) {
      const stranger = new IdentityService({ libp2p: strangerNode.libp2p, genesisHash, netuid, directory: new HotkeyDirectory(), binding: make, log: silentLog });
      await stranger.start();
      try {
        await assert.rejects(validatorIdentity.exchange(multiaddr(strangerNode.addresses()[0]!)), (e: unknown) => e instanceof Error && expected.test(e.message), what);
        assert.equal(validatorIdentity.peers.has(strangerNode.peerId), false, what);
      } finally {
        await stranger.stop();
      }
    }
  });

  it("answers a signed query with a signed answer that is a receipt anyone can check", async () => {
    const answer = await client.query(minerTarget(), "echo", new Map([["text", stringTensor("hello miner")]]));
    assert.equal(readString(answer.body, "text"), "hello miner");
    assert.equal(checkReceipt(answer.receipt), undefined);
    assert.ok(answer.latencyMs >= 0);
  });

  it("multiplexes concurrent queries over one long-lived stream", async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => client.query(minerTarget(), "echo", new Map([["i", stringTensor(String(i))]]))));
    assert.deepEqual(answers.map((a) => readString(a.body, "i")), Array.from({ length: 40 }, (_, i) => String(i)));
    const streams = validatorNode.libp2p.getConnections().flatMap((c) => c.streams.filter((s) => s.protocol === QUERY_PROTOCOL));
    assert.equal(streams.length, 1);
  });

  it("streams token-by-token answers, the signed end covering every chunk in order", async () => {
    const seen: string[] = [];
    const answer = await client.query(minerTarget(), "count", new Map(), { onChunk: (c) => seen.push(readString(c, "token")) });
    assert.deepEqual(seen, ["one", "two", "three"]);
    assert.equal(answer.chunks.length, 3);
    assert.equal(checkReceipt(answer.receipt), undefined);
  });

  it("drops work whose deadline passes, and the validator's query times out", async () => {
    await assert.rejects(client.query(minerTarget(), "slow", new Map(), { timeoutMs: 100 }), (e: unknown) => e instanceof QueryError && e.code === "TIMEOUT");
    const deadline = Date.now() + 2_000;
    while (server.stats().expired < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(server.stats().expired, 1);
  });

  it("drains on stop: work in flight finishes, new requests are refused as ShuttingDown", async () => {
    const slow = client.query(minerTarget(), "slow", new Map(), { timeoutMs: 5_000 });
    await new Promise((r) => setTimeout(r, 100));
    const stopping = server.stop(3_000);
    await assert.rejects(client.query(minerTarget(), "echo", new Map()), (e: unknown) => e instanceof QueryError && e.refusal === "ShuttingDown");
    assert.equal(readString((await slow).body, "done"), "yes");
    await stopping;
    await server.start();
    assert.equal(readString((await client.query(minerTarget(), "echo", new Map([["x", stringTensor("back")]]))).body, "x"), "back");
  });

  describe("admission: abusive requests are refused before their body is parsed", () => {
    /** A raw stream to the miner, to send what an honest client never would. */
    const raw = async (): Promise<{ send(frame: Frame | Uint8Array): Promise<void>; next(): Promise<Frame>; close(): Promise<void> }> => {
      const stream = await strangerNode.libp2p.dialProtocol(minerTarget().peer, QUERY_PROTOCOL);
      const lp = lpStream(stream, { maxDataLength: 1024 * 1024 });
      return {
        send: (frame) => lp.write(frame instanceof Uint8Array ? frame : encodeFrame(frame)),
        next: async () => decodeFrame((await lp.read({ signal: AbortSignal.timeout(5_000) })).subarray()),
        close: () => stream.close(),
      };
    };
    const request = (signer: Sr25519Signer, claimed: Uint8Array, overrides: Partial<{ timestampMs: bigint; deadlineMs: bigint; nonce: Uint8Array; body: Uint8Array; synapse: string }> = {}) => {
      const body = overrides.body ?? encodeTensors(new Map([["x", stringTensor("y")]]));
      const now = BigInt(Date.now());
      const header = {
        version: PROTOCOL_VERSION,
        netuid,
        genesisHash,
        validator: claimed,
        miner: minerKey.publicKey,
        nonce: overrides.nonce ?? new Uint8Array(randomBytes(16)),
        timestampMs: overrides.timestampMs ?? now,
        deadlineMs: overrides.deadlineMs ?? now + 5_000n,
        synapse: overrides.synapse ?? "echo",
        bodyHash: hash256(body),
      };
      return { request: signRequest(header, sessionSignerOf(signer)), body };
    };
    const refusal = (frame: Frame): string => {
      assert.equal(frame.kind, FrameKind.Refused, `a refusal, got kind ${frame.kind}`);
      return REFUSAL_NAMES[(frame as { code: number }).code]!;
    };

    it("a request signed by another key than the hotkey it claims (a forged identity)", async () => {
      const s = await raw();
      const forged = request(strangerKey, validatorKey.publicKey);
      await s.send({ kind: FrameKind.Request, requestId: 1, ...forged });
      assert.equal(refusal(await s.next()), "BadSignature");
      await s.close();
    });

    it("a validator still on protocol 1 is told to upgrade, under its request id, and the stream is closed", async () => {
      const stream = await strangerNode.libp2p.dialProtocol(minerTarget().peer, QUERY_PROTOCOL_V1);
      const lp = lpStream(stream, { maxDataLength: 1024 * 1024 });
      // A protocol-1 request: kind, request id 7, then a header whose version is 1.
      await lp.write(new Uint8Array([FrameKind.Request, 7, 0, 0, 0, 1, ...new Uint8Array(200)]));
      const frame = decodeFrame((await lp.read({ signal: AbortSignal.timeout(5_000) })).subarray());
      assert.equal(refusal(frame), "BadRequest");
      assert.equal(frame.requestId, 7);
      assert.match((frame as { message: string }).message, /speaks \/tensornode\/query\/2\.0\.0 only .* upgrade/);
      await assert.rejects(lp.read({ signal: AbortSignal.timeout(5_000) }));
    });

    it("an empty signature", async () => {
      const s = await raw();
      const { request: r, body } = request(validatorKey, validatorKey.publicKey);
      await s.send({ kind: FrameKind.Request, requestId: 1, request: { ...r, signature: new Uint8Array(64) }, body });
      assert.equal(refusal(await s.next()), "BadSignature");
      await s.close();
    });

    it("a replayed request, even on a new stream", async () => {
      const signed = request(validatorKey, validatorKey.publicKey);
      const s = await raw();
      await s.send({ kind: FrameKind.Request, requestId: 1, ...signed });
      assert.equal((await s.next()).kind, FrameKind.Response);
      await s.close();
      const again = await raw();
      await again.send({ kind: FrameKind.Request, requestId: 2, ...signed });
      assert.equal(refusal(await again.next()), "Replay");
      await again.close();
    });

    it("a registered hotkey without enough stake, and an unregistered one", async () => {
      const s = await raw();
      await s.send({ kind: FrameKind.Request, requestId: 1, ...request(poorKey, poorKey.publicKey) });
      const first = await s.next();
      assert.equal(refusal(first), "NotPermitted");
      assert.match((first as { message: string }).message, /less than 1000000000, and no permit/);
      await s.send({ kind: FrameKind.Request, requestId: 2, ...request(strangerKey, strangerKey.publicKey) });
      assert.equal(refusal(await s.next()), "NotPermitted");
      await s.close();
    });

    it("a stale timestamp, a passed deadline, a body that does not match its hash", async () => {
      const s = await raw();
      const old = BigInt(Date.now() - 120_000);
      await s.send({ kind: FrameKind.Request, requestId: 1, ...request(validatorKey, validatorKey.publicKey, { timestampMs: old, deadlineMs: old + 1000n }) });
      assert.equal(refusal(await s.next()), "Stale");
      await s.send({ kind: FrameKind.Request, requestId: 2, ...request(validatorKey, validatorKey.publicKey, { deadlineMs: BigInt(Date.now() - 1) }) });
      assert.equal(refusal(await s.next()), "DeadlinePassed");
      const signed = request(validatorKey, validatorKey.publicKey);
      await s.send({ kind: FrameKind.Request, requestId: 3, request: signed.request, body: encodeTensors(new Map([["x", stringTensor("tampered")]])) });
      assert.equal(refusal(await s.next()), "BadSignature");
      await s.close();
    });

    it("a request for another miner, another subnet or another chain; a deadline beyond the miner's limit", async () => {
      const s = await raw();
      const cases: [Uint8Array, number, Uint8Array][] = [
        [validatorKey.publicKey, netuid, genesisHash],
        [minerKey.publicKey, netuid + 1, genesisHash],
        [minerKey.publicKey, netuid, new Uint8Array(32).fill(7)],
      ];
      for (const [i, [miner, n, genesis]] of cases.entries()) {
        const body = encodeTensors(new Map());
        const now = BigInt(Date.now());
        const header = { version: PROTOCOL_VERSION, netuid: n, genesisHash: genesis, validator: validatorKey.publicKey, miner, nonce: new Uint8Array(randomBytes(16)), timestampMs: now, deadlineMs: now + 5_000n, synapse: "echo", bodyHash: hash256(body) };
        await s.send({ kind: FrameKind.Request, requestId: i + 1, request: signRequest(header, sessionSignerOf(validatorKey)), body });
        assert.equal(refusal(await s.next()), "WrongTarget");
      }
      const far = BigInt(Date.now()) + 2n ** 33n;
      await s.send({ kind: FrameKind.Request, requestId: 9, ...request(validatorKey, validatorKey.publicKey, { deadlineMs: far }) });
      const answer = await s.next();
      assert.equal(refusal(answer), "BadRequest");
      assert.match((answer as { message: string }).message, /deadline is more than 300000 ms after the request/);
      await s.close();
    });

    it("garbage frames are answered BadRequest under their request id, and the stream keeps serving", async () => {
      const s = await raw();
      await s.send(new Uint8Array([1, 42, 0, 0, 0, 2, 3]));
      const junk = await s.next();
      assert.equal(refusal(junk), "BadRequest");
      assert.equal(junk.requestId, 42);
      await s.send({ kind: FrameKind.Request, requestId: 9, ...request(validatorKey, validatorKey.publicKey) });
      assert.equal((await s.next()).kind, FrameKind.Response);
      await s.close();
    });

    it("a peer that keeps sending junk has its connection closed", async () => {
      const s = await raw();
      const closed = new Promise<void>((resolve) => {
        const onDisconnect = (event: CustomEvent<{ toString(): string }>): void => {
          if (event.detail.toString() !== minerPeerId) return;
          strangerNode.libp2p.removeEventListener("peer:disconnect", onDisconnect);
          resolve();
        };
        strangerNode.libp2p.addEventListener("peer:disconnect", onDisconnect);
      });
      for (let i = 0; i <= MAX_BAD_FRAMES_PER_STREAM; i++) await s.send(new Uint8Array([7, 7, 7])).catch(() => undefined);
      await closed;
      assert.equal(strangerNode.libp2p.getConnections(minerNode.libp2p.peerId).length, 0);
    });

    it("an oversized frame is refused from its length prefix, and the stream is cut", async () => {
      const s = await raw();
      const { request: r } = request(validatorKey, validatorKey.publicKey);
      const accepted = server.stats().accepted;
      await s.send({ kind: FrameKind.Request, requestId: 1, request: r, body: new Uint8Array(200 * 1024) }).catch(() => undefined);
      assert.equal(refusal(await s.next()), "TooLarge");
      await assert.rejects(s.next(), "the stream is cut after the refusal");
      assert.equal(server.stats().accepted, accepted, "no work was done");
    });

    it("a flood from one hotkey is rate limited with a retry time, and load beyond the queue gets an explicit BUSY", async () => {
      const strict = minerServer({ perHotkey: { capacity: 10, refillPerSecond: 1 }, maxConcurrent: 1, maxQueued: 2 });
      await server.stop(100);
      await strict.start();
      try {
        const s = await raw();
        for (let i = 1; i <= 10; i++) await s.send({ kind: FrameKind.Request, requestId: i, ...request(validatorKey, validatorKey.publicKey, { synapse: "slow" }) });
        for (let i = 11; i <= 15; i++) await s.send({ kind: FrameKind.Request, requestId: i, ...request(validatorKey, validatorKey.publicKey, { synapse: "slow" }) });
        const frames: Frame[] = [];
        while (frames.filter((f) => f.kind === FrameKind.Refused).length < 12) frames.push(await s.next());
        const names = frames.filter((f) => f.kind === FrameKind.Refused).map(refusal);
        assert.equal(names.filter((n) => n === "RateLimited").length, 5, names.join(","));
        assert.equal(names.filter((n) => n === "Busy").length, 7, names.join(","));
        const limited = frames.find((f) => f.kind === FrameKind.Refused && f.code === RefusalCode.RateLimited) as { retryAfterMs: number };
        assert.ok(limited.retryAfterMs > 0 && limited.retryAfterMs <= 1000);
        assert.equal(strict.stats().refused.Busy, 7);
        await s.close();
      } finally {
        await strict.stop(1_000);
        await server.start();
      }
    });
  });

  describe("heartbeats", () => {
    it("flow on the subnet's topic, signed; a forged one is rejected and costs its sender score", async () => {
      const minerPubsub = minerNode.libp2p.services.pubsub as unknown as PubSubLike;
      const validatorPubsub = validatorNode.libp2p.services.pubsub as unknown as PubSubLike;
      const strangerPubsub = strangerNode.libp2p.services.pubsub as unknown as PubSubLike;
      const make = (key: Sr25519Signer, node: P2PNode) => () =>
        signHeartbeat({ binding: binding(key, node), plugin: "tiny", pluginVersion: "1.0.0", models: ["tiny-mlp"], capacity: 8, load: 1, timestampMs: BigInt(Date.now()) }, key);
      const minerBeats = new HeartbeatService({ pubsub: minerPubsub, genesisHash, netuid, directory: minerDirectory, publish: { intervalMs: 150, make: make(minerKey, minerNode) }, log: silentLog });
      const listener = new HeartbeatService({ pubsub: validatorPubsub, genesisHash, netuid, directory: validatorDirectory, maxAgeMs: 5_000, log: silentLog });
      // The stranger's hotkey is not registered: every heartbeat it sends is invalid.
      const strangerBeats = new HeartbeatService({ pubsub: strangerPubsub, genesisHash, netuid, directory: new HotkeyDirectory(), publish: { intervalMs: 100, make: make(strangerKey, strangerNode) }, log: silentLog });
      await strangerNode.libp2p.dial(validatorNode.libp2p.getMultiaddrs()[0]!);
      await minerNode.libp2p.dial(validatorNode.libp2p.getMultiaddrs()[0]!);
      listener.start();
      minerBeats.start();
      strangerBeats.start();
      try {
        const deadline = Date.now() + 15_000;
        while ((listener.peers().length === 0 || listener.rejected < 3) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        const peers = listener.peers();
        assert.deepEqual(peers.map((h) => [h.binding.peerId, h.plugin, h.models]), [[minerPeerId, "tiny", ["tiny-mlp"]]]);
        assert.ok(listener.rejected >= 3, `rejected ${listener.rejected}`);
        // gossipsub caches scores for one heartbeat (1 s): wait for the penalty to show.
        while (validatorPubsub.getScore!(strangerNode.peerId) >= 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        assert.ok(validatorPubsub.getScore!(strangerNode.peerId) < 0, `the stranger's score ${validatorPubsub.getScore!(strangerNode.peerId)}`);
        assert.ok(validatorPubsub.getScore!(minerPeerId) >= 0, "the honest miner is not penalised");
      } finally {
        minerBeats.stop();
        strangerBeats.stop();
        listener.stop();
      }
    });
  });

  it("keeps the genesis hash it was given (sanity: the devnet's)", () => {
    assert.deepEqual(genesisHash, hexToU8a(chain.api.genesisHash.toHex()));
  });
});
