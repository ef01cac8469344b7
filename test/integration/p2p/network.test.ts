/**
 * The network layer against a real chain: a miner and a validator registered on an in-process
 * devnet, each with a libp2p node on loopback. The validator finds the miner from the chain alone
 * (its axon), proves who is behind it, queries it over one multiplexed stream (opened by a HELLO
 * that proves the validator's hotkey) and keeps receipts; the miner refuses every abusive stream and
 * request before parsing a body; the validator rejects an answer whose signature does not verify;
 * heartbeats flow and forged ones are rejected and cost their sender score.
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
import { HotkeyDirectory } from "../../../src/p2p/directory.js";
import { discoverFromAxons } from "../../../src/p2p/discovery.js";
import { HeartbeatService, signHeartbeat, type PubSubLike } from "../../../src/p2p/heartbeat.js";
import { bindingSigningBytes, encodeBinding, signBinding, type HotkeyBinding } from "../../../src/p2p/identity.js";
import { IdentityService } from "../../../src/p2p/identity-service.js";
import { createP2PNode, type P2PNode } from "../../../src/p2p/node.js";
import { loadOrCreatePeerKey } from "../../../src/p2p/peer-key.js";
import { QueryClient, QueryError } from "../../../src/p2p/query-client.js";
import { MAX_BAD_FRAMES_PER_STREAM, QueryServer, type AdmissionPolicy, type QueryHandler } from "../../../src/p2p/query-server.js";
import { decodeFrame, encodeFrame, FrameKind, OLD_QUERY_PROTOCOLS, PROTOCOL_VERSION, QUERY_PROTOCOL, RefusalCode, REFUSAL_NAMES, requestNonce, type Frame, type Welcome } from "../../../src/p2p/protocol/frames.js";
import { checkReceipt, hash256, requestHash, responseSigningBytes, signResponse } from "../../../src/p2p/protocol/signing.js";
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
    server = minerServer({ maxFrameBytes: 64 * 1024, perHotkey: { capacity: 400, refillPerSecond: 100 }, maxConcurrent: 8, maxQueued: 64 });
    await server.start();
    client = new QueryClient({ libp2p: validatorNode.libp2p, hotkey: validatorKey, netuid, genesisHash, log: silentLog });
  });

  after(async () => {
    await client?.close();
    await server?.stop(100);
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

  it("answers a query on a stream its HELLO proved the validator's with a signed answer that is a receipt anyone can check", async () => {
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

  it("opens a new stream, with a fresh salt, when a stream's request ids are used up", async () => {
    const rolling = new QueryClient({ libp2p: validatorNode.libp2p, hotkey: validatorKey, netuid, genesisHash, maxRequestsPerStream: 3, log: silentLog });
    try {
      const sequential = [];
      for (let i = 0; i < 8; i++) sequential.push(await rolling.query(minerTarget(), "echo", new Map([["i", stringTensor(String(i))]])));
      const concurrent = await Promise.all(Array.from({ length: 7 }, (_, i) => rolling.query(minerTarget(), "echo", new Map([["i", stringTensor(String(100 + i))]]))));
      const answers = [...sequential, ...concurrent];
      assert.deepEqual(answers.map((a) => readString(a.body, "i")), [...Array.from({ length: 8 }, (_, i) => String(i)), ...Array.from({ length: 7 }, (_, i) => String(100 + i))]);
      const salts = new Set(answers.map((a) => Buffer.from(a.receipt.request.nonce.subarray(0, 12)).toString("hex")));
      const ids = answers.map((a) => Buffer.from(a.receipt.request.nonce).readUInt32LE(12));
      assert.ok(ids.every((id) => id >= 1 && id <= 3), `ids ${ids.join(",")}`);
      assert.equal(salts.size, 5, "15 requests, 3 to a stream: 5 streams, each with its own salt");
      for (const a of answers) assert.equal(checkReceipt(a.receipt), undefined);
    } finally {
      await rolling.close();
    }
    assert.throws(() => new QueryClient({ libp2p: validatorNode.libp2p, hotkey: validatorKey, netuid, genesisHash, maxRequestsPerStream: 0, log: silentLog }), RangeError);
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

  describe("admission: abusive streams and requests are refused before any body is parsed", () => {
    /** A raw stream to the miner from the stranger's peer, to send what an honest client never would. */
    const raw = async (protocol = QUERY_PROTOCOL): Promise<{ send(frame: Frame | Uint8Array): Promise<void>; next(): Promise<Frame>; close(): Promise<void> }> => {
      const stream = await strangerNode.libp2p.dialProtocol(minerTarget().peer, protocol);
      const lp = lpStream(stream, { maxDataLength: 1024 * 1024 });
      return {
        send: (frame) => lp.write(frame instanceof Uint8Array ? frame : encodeFrame(frame)),
        next: async () => decodeFrame((await lp.read({ signal: AbortSignal.timeout(5_000) })).subarray()),
        close: () => stream.close(),
      };
    };
    /** A HELLO binding: `signer` signs `hotkey`'s claim on `peerId` (the stranger's peer, which the Noise handshake authenticates). */
    const helloBinding = (signer: Sr25519Signer, hotkey: Uint8Array = signer.publicKey, overrides: Partial<{ peerId: string; netuid: number; genesisHash: Uint8Array; expiresAtMs: bigint }> = {}): HotkeyBinding => {
      const claim = { peerId: strangerNode.peerId, hotkey, netuid, genesisHash, addresses: [], expiresAtMs: BigInt(Date.now() + 3_600_000), ...overrides };
      return { ...claim, signature: signer.sign(bindingSigningBytes(claim)) };
    };
    const hello = (b: HotkeyBinding | Uint8Array, target: Partial<{ miner: Uint8Array; netuid: number; genesisHash: Uint8Array }> = {}): Frame => ({
      kind: FrameKind.Hello,
      requestId: 0,
      hello: { version: PROTOCOL_VERSION, netuid: target.netuid ?? netuid, genesisHash: target.genesisHash ?? genesisHash, miner: target.miner ?? minerKey.publicKey, binding: b instanceof Uint8Array ? b : encodeBinding(b) },
    });
    /** A raw stream that said HELLO as `key` (the validator by default) and was welcomed. */
    const greeted = async (key: Sr25519Signer = validatorKey): Promise<Awaited<ReturnType<typeof raw>> & { welcome: Welcome }> => {
      const s = await raw();
      await s.send(hello(helloBinding(key)));
      const frame = await s.next();
      assert.equal(frame.kind, FrameKind.Welcome, `a WELCOME, got kind ${frame.kind}`);
      return { ...s, welcome: (frame as { welcome: Welcome }).welcome };
    };
    const request = (requestId: number, overrides: Partial<{ timestampMs: bigint; deadlineMs: bigint; body: Uint8Array; synapse: string }> = {}): Frame => {
      const now = BigInt(Date.now());
      return {
        kind: FrameKind.Request,
        requestId,
        timestampMs: overrides.timestampMs ?? now,
        deadlineMs: overrides.deadlineMs ?? now + 5_000n,
        synapse: overrides.synapse ?? "echo",
        body: overrides.body ?? encodeTensors(new Map([["x", stringTensor("y")]])),
      };
    };
    const refusal = (frame: Frame): string => {
      assert.equal(frame.kind, FrameKind.Refused, `a refusal, got kind ${frame.kind}`);
      return REFUSAL_NAMES[(frame as { code: number }).code]!;
    };
    /** A HELLO refused: the refusal under id 0, then the stream is closed. */
    const helloRefused = async (frame: Frame | Uint8Array): Promise<{ name: string; message: string }> => {
      const s = await raw();
      const accepted = server.stats().accepted;
      await s.send(frame);
      const answer = await s.next();
      const name = refusal(answer);
      assert.equal(answer.requestId, 0);
      // Nothing more is served on it: a request sent anyway gets no answer, and the stream ends.
      await s.send(request(1)).catch(() => undefined);
      await assert.rejects(s.next(), "the stream is closed after a refused HELLO");
      assert.equal(server.stats().accepted, accepted, "no work was done");
      return { name, message: (answer as { message: string }).message };
    };

    it("a HELLO whose binding claims the validator's hotkey but is signed by another key (a forged identity)", async () => {
      assert.equal((await helloRefused(hello(helloBinding(strangerKey, validatorKey.publicKey)))).name, "BadSignature");
    });

    it("a HELLO with the validator's genuine binding, but of another peer than the one connected (a stolen binding)", async () => {
      const stolen = helloBinding(validatorKey, validatorKey.publicKey, { peerId: validatorNode.peerId });
      const { name, message } = await helloRefused(hello(stolen));
      assert.equal(name, "BadSignature");
      assert.match(message, /another peer/);
    });

    it("a HELLO whose binding has an empty (all-zero) signature, and one whose binding does not decode", async () => {
      assert.equal((await helloRefused(hello({ ...helloBinding(validatorKey), signature: new Uint8Array(64) }))).name, "BadSignature");
      assert.equal((await helloRefused(hello(new Uint8Array([1, 2, 3])))).name, "BadRequest");
    });

    it("a HELLO whose binding has expired", async () => {
      assert.equal((await helloRefused(hello(helloBinding(validatorKey, validatorKey.publicKey, { expiresAtMs: BigInt(Date.now() - 1) })))).name, "Stale");
    });

    it("a request before HELLO: there is no proven validator on the stream", async () => {
      const s = await raw();
      const accepted = server.stats().accepted;
      await s.send(request(1));
      const answer = await s.next();
      assert.equal(refusal(answer), "BadRequest");
      assert.equal(answer.requestId, 1);
      assert.match((answer as { message: string }).message, /HELLO first/);
      assert.equal(server.stats().accepted, accepted, "no work was done");
      await s.close();
    });

    it("a validator still on protocol 2 or 1 is told to upgrade to 3, under its request id, and the stream is closed", async () => {
      assert.deepEqual([...OLD_QUERY_PROTOCOLS], ["/tensornode/query/2.0.0", "/tensornode/query/1.0.0"]);
      for (const [version, protocol] of [[2, OLD_QUERY_PROTOCOLS[0]], [1, OLD_QUERY_PROTOCOLS[1]]] as const) {
        const stream = await strangerNode.libp2p.dialProtocol(minerTarget().peer, protocol);
        const lp = lpStream(stream, { maxDataLength: 1024 * 1024 });
        // An old request: kind, request id 7, then a header whose version is the old one.
        await lp.write(new Uint8Array([FrameKind.Request, 7, 0, 0, 0, version, ...new Uint8Array(200)]));
        const frame = decodeFrame((await lp.read({ signal: AbortSignal.timeout(5_000) })).subarray());
        assert.equal(refusal(frame), "BadRequest", protocol);
        assert.equal(frame.requestId, 7, protocol);
        assert.match((frame as { message: string }).message, /speaks \/tensornode\/query\/3\.0\.0 only .* upgrade/, protocol);
        await assert.rejects(lp.read({ signal: AbortSignal.timeout(5_000) }), protocol);
      }
    });

    it("a repeated or lower request id on a stream is a replay; a new stream gets a fresh salt, so its ids name other requests", async () => {
      const s = await greeted();
      await s.send(request(5));
      assert.equal((await s.next()).kind, FrameKind.Response);
      await s.send(request(5));
      const again = await s.next();
      assert.equal(refusal(again), "Replay");
      assert.equal(again.requestId, 5);
      await s.send(request(3));
      assert.equal(refusal(await s.next()), "Replay");
      await s.send(request(6));
      assert.equal((await s.next()).kind, FrameKind.Response, "the next id is served");
      await s.close();
      const other = await greeted();
      assert.equal(other.welcome.salt.length, 12);
      assert.notDeepEqual(other.welcome.salt, s.welcome.salt, "each stream has its own salt, in every request's nonce");
      await other.close();
    });

    it("a registered hotkey without enough stake, and an unregistered one, are refused at HELLO", async () => {
      const poor = await helloRefused(hello(helloBinding(poorKey)));
      assert.equal(poor.name, "NotPermitted");
      assert.match(poor.message, /less than 1000000000, and no permit/);
      const unregistered = await helloRefused(hello(helloBinding(strangerKey)));
      assert.equal(unregistered.name, "NotPermitted");
      assert.match(unregistered.message, /not registered/);
    });

    it("a stale timestamp and a passed deadline", async () => {
      const s = await greeted();
      const old = BigInt(Date.now() - 120_000);
      await s.send(request(1, { timestampMs: old, deadlineMs: old + 1000n }));
      assert.equal(refusal(await s.next()), "Stale");
      await s.send(request(2, { deadlineMs: BigInt(Date.now() - 1) }));
      assert.equal(refusal(await s.next()), "DeadlinePassed");
      await s.close();
    });

    it("a stream for another miner, another subnet or another chain; a deadline beyond the miner's limit", async () => {
      const other = new Uint8Array(32).fill(7);
      const cases: [string, Frame][] = [
        ["another miner's hotkey", hello(helloBinding(validatorKey), { miner: validatorKey.publicKey })],
        ["another subnet", hello(helloBinding(validatorKey, validatorKey.publicKey, { netuid: netuid + 1 }), { netuid: netuid + 1 })],
        ["another chain", hello(helloBinding(validatorKey, validatorKey.publicKey, { genesisHash: other }), { genesisHash: other })],
        ["a binding for another subnet on a stream for this one", hello(helloBinding(validatorKey, validatorKey.publicKey, { netuid: netuid + 1 }))],
      ];
      for (const [what, frame] of cases) assert.equal((await helloRefused(frame)).name, "WrongTarget", what);
      const s = await greeted();
      const far = BigInt(Date.now()) + 2n ** 33n;
      await s.send(request(9, { deadlineMs: far }));
      const answer = await s.next();
      assert.equal(refusal(answer), "BadRequest");
      assert.match((answer as { message: string }).message, /deadline is more than 300000 ms after the request/);
      await s.close();
    });

    it("garbage frames are answered BadRequest under their request id, and the stream keeps serving", async () => {
      const s = await greeted();
      await s.send(new Uint8Array([1, 42, 0, 0, 0, 2, 3]));
      const junk = await s.next();
      assert.equal(refusal(junk), "BadRequest");
      assert.equal(junk.requestId, 42);
      await s.send(request(9));
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
      const s = await greeted();
      const accepted = server.stats().accepted;
      await s.send(request(1, { body: new Uint8Array(200 * 1024) })).catch(() => undefined);
      assert.equal(refusal(await s.next()), "TooLarge");
      await assert.rejects(s.next(), "the stream is cut after the refusal");
      assert.equal(server.stats().accepted, accepted, "no work was done");
    });

    it("a flood from one hotkey is rate limited with a retry time, and load beyond the queue gets an explicit BUSY", async () => {
      const strict = minerServer({ perHotkey: { capacity: 10, refillPerSecond: 1 }, maxConcurrent: 1, maxQueued: 2 });
      await server.stop(100);
      await strict.start();
      try {
        const s = await greeted();
        for (let i = 1; i <= 10; i++) await s.send(request(i, { synapse: "slow" }));
        for (let i = 11; i <= 15; i++) await s.send(request(i, { synapse: "slow" }));
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

  describe("the validator checks every answer", () => {
    /**
     * A miner of our own making, holding the miner's keys: it says WELCOME with the miner's genuine
     * session binding (and the miner hotkey's binding of its own peer), then answers each request
     * with `answer(the honest signature over the echo, the echo's body, the bytes signed)`, which may
     * alter either: everything but the answer's signature is as an honest miner's.
     */
    const impostor = async (answer: (signature: Uint8Array, body: Uint8Array, signingBytes: Uint8Array) => { signature: Uint8Array; body: Uint8Array }): Promise<P2PNode> => {
      const node = await createP2PNode({ privateKey: await loadOrCreatePeerKey(join(dir, `impostor-${randomBytes(4).toString("hex")}`)), listen: ["/ip4/127.0.0.1/tcp/0"], gossip: false, log: silentLog });
      const signer = sessionSignerOf(minerKey);
      await node.libp2p.handle(QUERY_PROTOCOL, (stream) => {
        void (async () => {
          const lp = lpStream(stream, { maxDataLength: 1024 * 1024 });
          const first = decodeFrame((await lp.read()).subarray());
          assert.equal(first.kind, FrameKind.Hello);
          const salt = new Uint8Array(randomBytes(12));
          const peerBinding = encodeBinding(signBinding({ peerId: node.peerId, hotkey: minerKey.publicKey, netuid, genesisHash, addresses: [], expiresAtMs: BigInt(Date.now() + 3_600_000) }, minerKey));
          await lp.write(encodeFrame({ kind: FrameKind.Welcome, requestId: 0, welcome: { version: PROTOCOL_VERSION, salt, binding: signer.binding, peerBinding } }));
          for (;;) {
            const frame = decodeFrame((await lp.read()).subarray());
            if (frame.kind !== FrameKind.Request) continue;
            const request = { version: PROTOCOL_VERSION, netuid, genesisHash, validator: validatorKey.publicKey, miner: minerKey.publicKey, nonce: requestNonce(salt, frame.requestId), timestampMs: frame.timestampMs, deadlineMs: frame.deadlineMs, synapse: frame.synapse, bodyHash: hash256(frame.body) };
            const timestampMs = BigInt(Date.now());
            const header = { version: PROTOCOL_VERSION, status: 0, streamed: false, miner: minerKey.publicKey, requestHash: requestHash(request), timestampMs, bodyHash: hash256(frame.body) };
            const signed = signResponse(header, signer);
            const sent = answer(signed.signature, frame.body, responseSigningBytes(header));
            await lp.write(encodeFrame({ kind: FrameKind.Response, requestId: frame.requestId, status: 0, timestampMs, signature: sent.signature, body: sent.body }));
          }
        })().catch(() => stream.abort(new Error("the impostor is done")));
      });
      return node;
    };
    const ask = (node: P2PNode, text: string, by: QueryClient = client): ReturnType<QueryClient["query"]> => by.query({ peer: multiaddr(node.addresses()[0]!), hotkey: minerKey.publicKey }, "echo", new Map([["text", stringTensor(text)]]), { timeoutMs: 5_000 });

    it("an answer signed honestly is believed (the control); one whose body was altered after signing, or signed by another key, is rejected as BAD_RESPONSE", async () => {
      const other = sessionSignerOf(poorKey);
      const cases: [string, Parameters<typeof impostor>[0], boolean][] = [
        ["honest", (signature, body) => ({ signature, body }), true],
        ["the body altered after signing", (signature) => ({ signature, body: encodeTensors(new Map([["text", stringTensor("tampered")]])) }), false],
        ["signed by another session key than the bound one", (_, body, bytes) => ({ signature: other.sign(bytes), body }), false],
        ["an all-zero signature", (_, body) => ({ signature: new Uint8Array(64), body }), false],
      ];
      for (const [what, answer, believed] of cases) {
        const node = await impostor(answer);
        try {
          if (believed) assert.equal(readString((await ask(node, "hi")).body, "text"), "hi", what);
          else await assert.rejects(ask(node, "hi"), (e: unknown) => e instanceof QueryError && e.code === "BAD_RESPONSE" && /signature does not verify/.test(e.message), what);
        } finally {
          await node.stop();
        }
      }
    });

    it("with checkAnswers in-background, a bad signature rejects the answer's `checked` (BAD_RESPONSE); an honest one resolves it", async () => {
      const background = new QueryClient({ libp2p: validatorNode.libp2p, hotkey: validatorKey, netuid, genesisHash, checkAnswers: "in-background", log: silentLog });
      const cases: [string, Parameters<typeof impostor>[0], boolean][] = [
        ["honest", (signature, body) => ({ signature, body }), true],
        ["the body altered after signing", (signature) => ({ signature, body: encodeTensors(new Map([["text", stringTensor("tampered")]])) }), false],
      ];
      try {
        for (const [what, answer, believed] of cases) {
          const node = await impostor(answer);
          try {
            const returned = await ask(node, "hi", background);
            if (believed) await returned.checked;
            else await assert.rejects(returned.checked, (e: unknown) => e instanceof QueryError && e.code === "BAD_RESPONSE" && /signature does not verify/.test(e.message), what);
          } finally {
            await node.stop();
          }
        }
      } finally {
        await background.close();
      }
    });

    it("with checkAnswers after-flush, the checks wait for flushChecks(), then settle as in the background", async () => {
      const deferred = new QueryClient({ libp2p: validatorNode.libp2p, hotkey: validatorKey, netuid, genesisHash, checkAnswers: "after-flush", log: silentLog });
      try {
        const honest = await impostor((signature, body) => ({ signature, body }));
        const forged = await impostor((signature, body) => ({ signature: signature.map((b) => b ^ 1), body }));
        try {
          const good = await ask(honest, "hi", deferred);
          const bad = await ask(forged, "hi", deferred);
          let settled = 0;
          for (const answer of [good, bad]) answer.checked.then(() => settled++, () => settled++);
          // A turn of the event loop and a round trip to the worker would have settled a batch sent at once.
          await ask(honest, "hi", deferred);
          await new Promise((resolve) => setImmediate(resolve));
          assert.equal(settled, 0, "no check before the flush");
          deferred.flushChecks();
          await good.checked;
          await assert.rejects(bad.checked, (e: unknown) => e instanceof QueryError && e.code === "BAD_RESPONSE");
        } finally {
          await honest.stop();
          await forged.stop();
        }
      } finally {
        await deferred.close();
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
