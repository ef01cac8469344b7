/**
 * The one place that wires libp2p: TCP, noise, yamux, identify, ping and (optionally) gossipsub,
 * with the connection limits from the node's config. Protocol layers get the started node
 * through `P2PNode.libp2p` and register their handlers on it.
 *
 * libp2p 3.x needs `Promise.withResolvers` (Node 22+): entry points import src/util/polyfill.js
 * first. This module does not, so that importing it has no side effect.
 */
import { isIP } from "node:net";
import { noise } from "@chainsafe/libp2p-noise";
import { gossipsub, type GossipSub } from "@libp2p/gossipsub";
import { identify, type Identify } from "@libp2p/identify";
import type { Connection, Libp2p, PrivateKey } from "@libp2p/interface";
import { ping, type Ping } from "@libp2p/ping";
import { tcp } from "@libp2p/tcp";
import { yamux } from "@libp2p/yamux";
import { multiaddr, type Multiaddr } from "@multiformats/multiaddr";
import { createLibp2p } from "libp2p";
import { CodedError, UserError } from "../util/errors.js";
import type { Logger } from "../util/logger.js";

export const DEFAULT_LISTEN: readonly string[] = ["/ip4/0.0.0.0/tcp/0"];
/** libp2p's own default; a subnet has at most a few hundred neurons (and their validators). */
export const DEFAULT_MAX_CONNECTIONS = 300;
/**
 * How often every connection is pinged to check it is alive (libp2p's default: 10 s). A validator
 * holds a connection to each of a subnet's hundreds of miners, and each ping is a new stream with
 * its own protocol negotiation: at 10 s that is tens of streams a second of pure overhead on both
 * sides. The query protocol notices a dead connection itself (its stream fails, and it redials).
 */
export const DEFAULT_PING_INTERVAL_MS = 60_000;

export interface P2PNodeOptions {
  /** The node's identity (see loadOrCreatePeerKey). */
  readonly privateKey: PrivateKey;
  /** Multiaddrs to listen on (default /ip4/0.0.0.0/tcp/0: every interface, a free port). */
  readonly listen?: readonly string[];
  /** Multiaddrs to announce instead of the listening ones (identify, peer records). */
  readonly announce?: readonly string[];
  /**
   * The address other nodes reach this one at, behind NAT or in a container: announces
   * /ip4/<ip>/tcp/<port> (or /ip6/…) for every TCP port the node listens on, once it listens,
   * so that port 0 becomes the real port. Needed for a public IP too: without a verifier
   * (autonat) libp2p 3 announces only private and loopback interface addresses.
   */
  readonly externalIp?: string;
  /**
   * Connection limit (default 300). libp2p 3 refuses an inbound connection once this many are
   * open; an outbound dial still succeeds, and libp2p then closes connections over the limit
   * (inbound and least used first) — but only those with no open stream besides identify, so a
   * connection carrying gossipsub or a protocol stream stays open past the limit.
   */
  readonly maxConnections?: number;
  /** Inbound connections still in their handshake at once (libp2p's default: 10). */
  readonly maxIncomingPendingConnections?: number;
  /** Run gossipsub (default true). */
  readonly gossip?: boolean;
  /** Liveness pings on every connection, ms (default DEFAULT_PING_INTERVAL_MS). */
  readonly pingIntervalMs?: number;
  /** Peers to dial once started (full multiaddrs with /p2p/<id>); one that cannot be reached is logged, not fatal. */
  readonly bootstrap?: readonly string[];
  readonly log: Logger;
}

/** The services every node runs; `pubsub` is there when gossip is enabled. */
export interface P2PServices extends Record<string, unknown> {
  identify: Identify;
  ping: Ping;
  pubsub?: GossipSub;
}

export interface P2PNode {
  /** This node's peer id (base58btc). */
  readonly peerId: string;
  /** The started libp2p node, for the protocol layers. */
  readonly libp2p: Libp2p<P2PServices>;
  /** The addresses this node announces, each ending in /p2p/<peerId>. */
  addresses(): string[];
  /**
   * Opens (or reuses) a connection. An address without /p2p/<id> is accepted: the remote's
   * peer id is learnt in the noise handshake (`connection.remotePeer`).
   */
  dial(address: string | Multiaddr, options?: { readonly signal?: AbortSignal }): Promise<Connection>;
  /** Closes every connection and listener; calling it again returns the same promise. */
  stop(): Promise<void>;
}

export type P2PConfigErrorCode = "P2P_BAD_OPTIONS" | "P2P_LISTEN_FAILED";

/** The node's own configuration is unusable (a bad address, a port already taken). */
export class P2PConfigError extends UserError<P2PConfigErrorCode> {
  constructor(code: P2PConfigErrorCode, message: string, cause?: unknown) {
    super(code, message);
    if (cause !== undefined) this.cause = cause;
  }
}

export type P2PErrorCode = "P2P_BAD_ADDRESS" | "P2P_DIAL_FAILED";

/** Reaching another node failed; `cause` holds libp2p's error. */
export class P2PError extends CodedError<P2PErrorCode> {
  constructor(code: P2PErrorCode, message: string, details?: Readonly<Record<string, unknown>>, cause?: unknown) {
    super(code, message, details);
    this.name = "P2PError";
    if (cause !== undefined) this.cause = cause;
  }
}

/** libp2p's errors (by name, as it recommends) for listen addresses that could not be used. */
const LISTEN_ERRORS = new Set(["UnsupportedListenAddressesError", "NoValidAddressesError"]);

/** Creates, starts and returns a node; on failure nothing is left listening. */
export async function createP2PNode(options: P2PNodeOptions): Promise<P2PNode> {
  const listen = [...(options.listen ?? DEFAULT_LISTEN)];
  const announce = [...(options.announce ?? [])];
  for (const address of [...listen, ...announce, ...(options.bootstrap ?? [])]) parseConfiguredAddress(address);
  const externalIp = options.externalIp === undefined ? undefined : externalIpPrefix(options.externalIp);
  const maxConnections = positiveInteger("maxConnections", options.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
  const maxIncomingPendingConnections =
    options.maxIncomingPendingConnections === undefined ? undefined : positiveInteger("maxIncomingPendingConnections", options.maxIncomingPendingConnections);

  // The external addresses are known only once the transports listen (port 0 → a real port).
  const external = new Map<string, Multiaddr>();
  const libp2p = await createLibp2p<P2PServices>({
    start: false,
    privateKey: options.privateKey,
    addresses: {
      listen,
      announce,
      announceFilter: (addresses) => {
        const seen = new Set(addresses.map(String));
        return [...addresses, ...[...external.values()].filter((address) => !seen.has(address.toString()))];
      },
    },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { maxConnections, ...(maxIncomingPendingConnections === undefined ? {} : { maxIncomingPendingConnections }) },
    connectionMonitor: { pingInterval: options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS },
    services: {
      identify: identify(),
      ping: ping(),
      ...(options.gossip === false ? {} : { pubsub: gossipsub({ emitSelf: false, allowPublishToZeroTopicPeers: true, fallbackToFloodsub: false }) }),
    },
  });
  const peerId = libp2p.peerId.toString();
  if (externalIp !== undefined) {
    libp2p.addEventListener("transport:listening", (event) => {
      for (const port of tcpPorts(event.detail.getAddrs())) {
        const address = multiaddr(`${externalIp}/tcp/${port}/p2p/${peerId}`);
        external.set(address.toString(), address);
      }
    });
  }

  const log = options.log;
  try {
    await libp2p.start();
  } catch (error) {
    // libp2p has already stopped whatever it started (listeners on the addresses that worked).
    if (!LISTEN_ERRORS.has((error as Error).name)) throw error;
    throw new P2PConfigError("P2P_LISTEN_FAILED", `cannot listen on ${listenFailures(error, listen)}; change the listen address (it needs a free TCP port on an IP of this machine)`, error);
  }
  libp2p.addEventListener("peer:connect", (event) => log.debug({ peer: event.detail.toString() }, "peer connected"));
  libp2p.addEventListener("peer:disconnect", (event) => log.debug({ peer: event.detail.toString() }, "peer disconnected"));

  const addresses = (): string[] => libp2p.getMultiaddrs().map(String);
  log.info({ peerId, addresses: addresses(), maxConnections, gossip: options.gossip !== false }, "p2p node started");

  // Bootstrap peers are dialled in the background: a peer that is down must not stop the node.
  const bootstrap = (options.bootstrap ?? []).map(parseConfiguredAddress);
  for (const address of bootstrap) {
    libp2p.dial(address, { signal: AbortSignal.timeout(10_000) }).catch((error: unknown) => log.warn({ address: address.toString(), error: (error as Error).message }, "bootstrap peer not reachable"));
  }

  let stopping: Promise<void> | undefined;
  return {
    peerId,
    libp2p,
    addresses,
    async dial(address, dialOptions = {}) {
      const target = typeof address === "string" ? parseRemoteAddress(address) : address;
      try {
        return await libp2p.dial(target, dialOptions.signal ? { signal: dialOptions.signal } : {});
      } catch (error) {
        // The caller's own abort is not a failure to report as ours.
        if (dialOptions.signal?.aborted) throw error;
        throw new P2PError("P2P_DIAL_FAILED", `cannot dial ${target.toString()}: ${(error as Error).message}`, { address: target.toString() }, error);
      }
    },
    stop() {
      stopping ??= (async () => {
        await libp2p.stop();
        log.info({ peerId }, "p2p node stopped");
      })();
      return stopping;
    },
  };
}

function parseConfiguredAddress(address: string): Multiaddr {
  try {
    return multiaddr(address);
  } catch (error) {
    throw new P2PConfigError("P2P_BAD_OPTIONS", `${JSON.stringify(address)} is not a multiaddr (${(error as Error).message}); write it like /ip4/0.0.0.0/tcp/30333`, error);
  }
}

function parseRemoteAddress(address: string): Multiaddr {
  try {
    return multiaddr(address);
  } catch (error) {
    throw new P2PError("P2P_BAD_ADDRESS", `${JSON.stringify(address)} is not a multiaddr (${(error as Error).message})`, { address }, error);
  }
}

/** `/ip4/<ip>` or `/ip6/<ip>` for an IP literal. */
function externalIpPrefix(ip: string): string {
  const version = isIP(ip);
  if (version === 0) throw new P2PConfigError("P2P_BAD_OPTIONS", `the external IP ${JSON.stringify(ip)} is not an IPv4 or IPv6 address`);
  return `/ip${version}/${ip}`;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new P2PConfigError("P2P_BAD_OPTIONS", `${name} must be a whole number of at least 1 (got ${value})`);
  return value;
}

/**
 * One line from libp2p's listen error, which lists each failed address with a stack trace:
 * "<addr> (<reason>), …", or the configured addresses and the error's first line.
 */
function listenFailures(error: unknown, listen: readonly string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  const failures = [...message.matchAll(/^ {2}(\/\S+): (?:\w*Error: )?(.+)$/gm)].map((match) => `${match[1]} (${match[2]})`);
  return failures.length > 0 ? failures.join(", ") : `${listen.join(", ")} (${message.split("\n")[0]})`;
}

/** The distinct TCP ports among listening addresses. */
function tcpPorts(addresses: readonly Multiaddr[]): number[] {
  const ports = new Set<number>();
  for (const address of addresses) {
    const port = address.getComponents().find((component) => component.name === "tcp")?.value;
    if (port !== undefined) ports.add(Number(port));
  }
  return [...ports];
}
