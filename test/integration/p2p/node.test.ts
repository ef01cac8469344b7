import "../../../src/util/polyfill.js";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { type AddressInfo, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { multiaddr } from "@multiformats/multiaddr";
import { createP2PNode, P2PConfigError, P2PError, type P2PNode, type P2PNodeOptions } from "../../../src/p2p/node.js";
import { loadOrCreatePeerKey } from "../../../src/p2p/peer-key.js";
import { createLogger } from "../../../src/util/logger.js";

const LOOPBACK = ["/ip4/127.0.0.1/tcp/0"];
const silentLog = createLogger({ level: "silent", format: "json" });

/** Polls `check` every 20 ms until it holds, failing after `timeoutMs` with `what`. */
async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The TCP port of a node's loopback address. */
function portOf(node: P2PNode): number {
  const address = node.addresses().find((a) => a.startsWith("/ip4/127.0.0.1/tcp/"));
  assert.ok(address, `a loopback address among ${node.addresses().join(", ")}`);
  return Number(address.split("/")[4]);
}

/** A plain TCP server on 127.0.0.1 (port 0: any free one); fails if the port is taken. */
async function listeningServer(port = 0): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return server;
}

function portOfServer(server: Server): number {
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe("the p2p node (libp2p over TCP on 127.0.0.1)", { timeout: 60_000 }, () => {
  const started: P2PNode[] = [];
  const scratch = mkdtempSync(join(tmpdir(), "tn-p2p-"));
  after(async () => {
    await Promise.all(started.map((node) => node.stop()));
    rmSync(scratch, { recursive: true, force: true });
  });

  /** A started node on loopback with a fresh key unless one is given; stopped after the suite. */
  async function startNode(options: Partial<P2PNodeOptions> = {}): Promise<P2PNode> {
    const node = await createP2PNode({ privateKey: options.privateKey ?? (await generateKeyPair("Ed25519")), listen: LOOPBACK, log: silentLog, ...options });
    started.push(node);
    return node;
  }

  it("keeps its peer id across restarts, from the key in its data directory", async () => {
    const dataDir = join(scratch, "restart");
    const first = await startNode({ privateKey: await loadOrCreatePeerKey(dataDir) });
    const firstId = first.peerId;
    await first.stop();
    const restarted = await startNode({ privateKey: await loadOrCreatePeerKey(dataDir) });
    assert.equal(restarted.peerId, firstId);
    const other = await startNode();
    const connection = await other.dial(`/ip4/127.0.0.1/tcp/${portOf(restarted)}/p2p/${firstId}`);
    assert.equal(connection.remotePeer.toString(), firstId, "others reach it under the old peer id, authenticated");
  });

  it("connects to another node over noise and yamux, and each pings the other", async () => {
    const [a, b] = await Promise.all([startNode(), startNode()]);
    const connection = await a.dial(b.addresses()[0]!);
    assert.equal(connection.remotePeer.toString(), b.peerId);
    assert.equal(connection.encryption, "/noise");
    assert.equal(connection.multiplexer, "/yamux/1.0.0");
    const there = await a.libp2p.services.ping.ping(b.libp2p.peerId, { signal: AbortSignal.timeout(5_000) });
    const back = await b.libp2p.services.ping.ping(a.libp2p.peerId, { signal: AbortSignal.timeout(5_000) });
    assert.ok(there >= 0 && back >= 0, `round trips ${there} ms and ${back} ms`);
    assert.equal(b.libp2p.getConnections(a.libp2p.peerId).length, 1, "the ping back reuses the inbound connection");
  });

  it("dials its bootstrap peers once started, and starts anyway when one is down", async () => {
    const a = await startNode();
    const down = `/ip4/127.0.0.1/tcp/1/p2p/${(await startNode()).peerId}`;
    const b = await startNode({ bootstrap: [a.addresses()[0]!, down] });
    const deadline = Date.now() + 5_000;
    while (b.libp2p.getConnections(a.libp2p.peerId).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(b.libp2p.getConnections(a.libp2p.peerId).length, 1);
  });

  it("dials a bare ip:port address (as chain axon info gives) and learns the remote's peer id in the handshake", async () => {
    const [a, b] = await Promise.all([startNode(), startNode()]);
    const connection = await a.dial(`/ip4/127.0.0.1/tcp/${portOf(b)}`);
    assert.equal(connection.remotePeer.toString(), b.peerId);
    assert.ok(await a.libp2p.services.ping.ping(connection.remotePeer, { signal: AbortSignal.timeout(5_000) }) >= 0);
  });

  it("refuses to connect when the remote is not the peer the address names", async () => {
    const [a, b, impostor] = await Promise.all([startNode(), startNode(), startNode()]);
    await assert.rejects(a.dial(`/ip4/127.0.0.1/tcp/${portOf(impostor)}/p2p/${b.peerId}`), (error: unknown) => {
      assert.ok(error instanceof P2PError, String(error));
      assert.equal(error.code, "P2P_DIAL_FAILED");
      assert.match(error.message, new RegExp(`^cannot dial /ip4/127\\.0\\.0\\.1/tcp/${portOf(impostor)}/p2p/${b.peerId}: .*does not match`));
      return true;
    });
    assert.equal(a.libp2p.getConnections().length, 0);
  });

  it("announces the external IP with the port it really listens on, and peers learn it through identify", async () => {
    const a = await startNode({ externalIp: "203.0.113.7" });
    const external = `/ip4/203.0.113.7/tcp/${portOf(a)}/p2p/${a.peerId}`;
    assert.notEqual(portOf(a), 0);
    assert.ok(a.addresses().includes(external), `${external} among ${a.addresses().join(", ")}`);
    assert.ok(a.addresses().includes(`/ip4/127.0.0.1/tcp/${portOf(a)}/p2p/${a.peerId}`), "the listening address is still announced");

    const b = await startNode();
    await b.dial(a.addresses()[0]!);
    await waitFor("b's peer store holds a's external address", async () => {
      const peer = await b.libp2p.peerStore.get(a.libp2p.peerId).catch(() => undefined);
      return peer?.addresses.some(({ multiaddr: address }) => address.equals(multiaddr(`/ip4/203.0.113.7/tcp/${portOf(a)}`))) ?? false;
    });
  });

  it("adds the external IP to configured announce addresses too", async () => {
    const a = await startNode({ announce: ["/dns4/miner.example.org/tcp/30333"], externalIp: "2001:db8::7" });
    const [announced, external, ...more] = a.addresses();
    assert.equal(announced, `/dns4/miner.example.org/tcp/30333/p2p/${a.peerId}`);
    // With announce addresses set, the listening port shows only in the external address.
    assert.match(external ?? "", new RegExp(`^/ip6/2001:db8::7/tcp/[1-9]\\d*/p2p/${a.peerId}$`));
    assert.deepEqual(more, []);
  });

  it("with maxConnections 1, refuses a second peer's inbound connection and keeps the first", async () => {
    const limited = await startNode({ maxConnections: 1 });
    const [first, second] = await Promise.all([startNode(), startNode()]);
    await first.dial(limited.addresses()[0]!);
    await waitFor("the limited node counts the first connection", () => limited.libp2p.getConnections().length === 1);
    await assert.rejects(second.dial(limited.addresses()[0]!, { signal: AbortSignal.timeout(5_000) }), (error: unknown) => error instanceof P2PError && error.code === "P2P_DIAL_FAILED");
    assert.deepEqual(limited.libp2p.getConnections().map((c) => c.remotePeer.toString()), [first.peerId]);
    assert.equal(second.libp2p.getConnections().length, 0);
    assert.ok(await first.libp2p.services.ping.ping(limited.libp2p.peerId, { signal: AbortSignal.timeout(5_000) }) >= 0, "the first peer is still served");
  });

  it("with maxConnections 1, an outbound dial past the limit succeeds and libp2p closes the idle inbound connection", async () => {
    // Without gossip, no long-lived stream keeps the older connection from being pruned.
    const limited = await startNode({ maxConnections: 1, gossip: false });
    const [inbound, outbound] = await Promise.all([startNode({ gossip: false }), startNode({ gossip: false })]);
    await inbound.dial(limited.addresses()[0]!);
    await waitFor("the inbound connection is idle (identify done)", () => limited.libp2p.getConnections().length === 1 && limited.libp2p.getConnections()[0]!.streams.length === 0);
    const connection = await limited.dial(outbound.addresses()[0]!);
    await waitFor("the limited node is back to one connection", () => limited.libp2p.getConnections().length === 1);
    assert.equal(limited.libp2p.getConnections()[0]!.remotePeer.toString(), outbound.peerId);
    assert.equal(connection.status, "open");
  });

  it("gossips: a message published on a topic reaches a subscriber on another node, not the publisher", async () => {
    const [a, b] = await Promise.all([startNode(), startNode()]);
    const topic = "/tensornode/test/1";
    const pubsubA = a.libp2p.services.pubsub!;
    const pubsubB = b.libp2p.services.pubsub!;
    const seenByA: string[] = [];
    pubsubA.addEventListener("message", (event) => seenByA.push(new TextDecoder().decode(event.detail.data)));
    const received = new Promise<string>((resolve) => pubsubB.addEventListener("message", (event) => resolve(new TextDecoder().decode(event.detail.data)), { once: true }));
    pubsubA.subscribe(topic);
    pubsubB.subscribe(topic);
    await a.dial(b.addresses()[0]!);
    await waitFor("a sees b's subscription", () => pubsubA.getSubscribers(topic).some((peer) => peer.toString() === b.peerId));
    await pubsubA.publish(topic, new TextEncoder().encode("hello subnet"));
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no message within 5 s")), 5_000).unref());
    assert.equal(await Promise.race([received, timeout]), "hello subnet");
    assert.deepEqual(seenByA, [], "emitSelf is off");
  });

  it("publishes with no subscribed peer without failing, and has no pubsub service when gossip is off", async () => {
    const lonely = await startNode();
    await lonely.libp2p.services.pubsub!.publish("/tensornode/nobody/1", new Uint8Array([1]));
    const quiet = await startNode({ gossip: false });
    assert.equal(quiet.libp2p.services.pubsub, undefined);
  });

  it("reports a listen port already taken as one line naming the address, and releases the ports it did get", async () => {
    const taken = await listeningServer();
    const free = await listeningServer();
    const freePort = portOfServer(free);
    await closeServer(free);
    try {
      await assert.rejects(
        createP2PNode({ privateKey: await generateKeyPair("Ed25519"), listen: [`/ip4/127.0.0.1/tcp/${freePort}`, `/ip4/127.0.0.1/tcp/${portOfServer(taken)}`], log: silentLog }),
        (error: unknown) => {
          assert.ok(error instanceof P2PConfigError, String(error));
          assert.equal(error.code, "P2P_LISTEN_FAILED");
          const port = portOfServer(taken);
          assert.equal(error.message, `cannot listen on /ip4/127.0.0.1/tcp/${port} (listen EADDRINUSE: address already in use 127.0.0.1:${port}); change the listen address (it needs a free TCP port on an IP of this machine)`);
          return true;
        },
      );
      const again = await listeningServer(freePort);
      await closeServer(again);
    } finally {
      await closeServer(taken);
    }
  });

  it("rejects bad options before starting anything", async () => {
    const privateKey = await generateKeyPair("Ed25519");
    const bad: Array<[Partial<P2PNodeOptions>, RegExp]> = [
      [{ listen: ["127.0.0.1:4001"] }, /^"127\.0\.0\.1:4001" is not a multiaddr .*; write it like \/ip4\/0\.0\.0\.0\/tcp\/30333$/],
      [{ announce: ["/ip4/300.1.1.1/tcp/1"] }, /^"\/ip4\/300\.1\.1\.1\/tcp\/1" is not a multiaddr/],
      [{ externalIp: "miner.example.org" }, /^the external IP "miner\.example\.org" is not an IPv4 or IPv6 address$/],
      [{ maxConnections: 0 }, /^maxConnections must be a whole number of at least 1 \(got 0\)$/],
      [{ maxIncomingPendingConnections: 2.5 }, /^maxIncomingPendingConnections must be a whole number/],
    ];
    for (const [options, message] of bad) {
      await assert.rejects(
        createP2PNode({ privateKey, listen: LOOPBACK, log: silentLog, ...options }),
        (error: unknown) => error instanceof P2PConfigError && error.code === "P2P_BAD_OPTIONS" && message.test(error.message),
        `options ${JSON.stringify(options)}`,
      );
    }
  });

  it("reports an address it cannot parse when dialing as a typed error", async () => {
    const a = await startNode();
    await assert.rejects(a.dial("tcp://127.0.0.1:1"), (error: unknown) => error instanceof P2PError && error.code === "P2P_BAD_ADDRESS" && error.details?.address === "tcp://127.0.0.1:1");
  });

  it("stops once, however often stop is called", async () => {
    const a = await startNode();
    const stopping = a.stop();
    assert.equal(a.stop(), stopping);
    await Promise.all([stopping, a.stop()]);
    assert.equal(a.libp2p.status, "stopped");
  });
});
