/**
 * The miner daemon for one hotkey: waits for the hotkey's registration (or exits, when asked),
 * starts its libp2p node and serves the subnet plugin's synapses over the signed query protocol,
 * publishes its axon on chain, proves its hotkey to peers, gossips heartbeats, follows the
 * metagraph every few blocks (saying so, and serving on, when it is deregistered), and stops by
 * draining the work in flight. Inference runs in the shared worker pool, never on this thread.
 * The chain is followed by the process's one new-heads subscription: at the first head after each
 * interval the metagraph is reloaded (one runtime API call, shared by every hotkey), and the axon
 * on chain is the metagraph's (no read of its own).
 */
import { join } from "node:path";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { ChainConnection } from "../chain/connection.js";
import type { Metagraph } from "../chain/metagraph.js";
import type { MetagraphCache } from "../chain/metagraph-cache.js";
import type { ChainHeads } from "../chain/heads.js";
import { SubtensorOperations } from "../chain/operations.js";
import { lockDataDir, type DataDirLock } from "../db/data-dir-lock.js";
import type { HotkeyDirectory } from "../p2p/directory.js";
import { HeartbeatService, signHeartbeat, type PubSubLike } from "../p2p/heartbeat.js";
import { signBinding, type HotkeyBinding } from "../p2p/identity.js";
import { IdentityService } from "../p2p/identity-service.js";
import { createP2PNode, type P2PNode } from "../p2p/node.js";
import { loadOrCreatePeerKey } from "../p2p/peer-key.js";
import { QueryServer, type AdmissionPolicy, type QueryHandler, type QueryServerStats } from "../p2p/query-server.js";
import type { LoadedPlugin } from "../subnet/loader.js";
import type { MinerSide } from "../subnet/plugin.js";
import type { PublicInterface } from "../subnet/public-api.js";
import { UserError } from "../util/errors.js";
import { sleep, startOrStop } from "../util/lifecycle.js";
import type { Logger } from "../util/logger.js";
import type { Sr25519Signer } from "../util/sr25519.js";
import type { InferencePool } from "./inference/pool.js";
import { synapseHandler } from "./organic-handler.js";

export interface MinerDaemonOptions {
  readonly chain: ChainConnection;
  readonly netuid: number;
  readonly plugin: LoadedPlugin;
  /** The plugin's miner side (shared by every hotkey of the process). */
  readonly minerSide: MinerSide;
  /** The synapses offered to users (organic requests relayed by validators' gateways). */
  readonly publicApi: PublicInterface;
  readonly pool: InferencePool;
  /** The hotkey as a keyring pair (to sign serve_axon) and as a fast signer (answers, bindings). */
  readonly hotkey: { readonly pair: KeyringPair; readonly signer: Sr25519Signer; readonly name: string };
  readonly dataDir: string;
  /** The IP the node listens on (default 0.0.0.0). */
  readonly host: string;
  /** TCP port (0: a free one). */
  readonly port: number;
  /** The IP published on chain and announced to peers (default: the listening host). */
  readonly externalIp?: string;
  readonly exitIfUnregistered: boolean;
  /** The metagraph, shared by every daemon of the process (one load per refresh, not one per hotkey). */
  readonly metagraph: MetagraphCache;
  /** The hotkeys of the subnet, shared likewise. */
  readonly directory: HotkeyDirectory;
  /** The process's new-heads subscription, which drives the metagraph's reloads. */
  readonly heads: ChainHeads;
  /** How often the metagraph is reloaded, ms (default 12 s: a few blocks); at the first head after it. */
  readonly metagraphIntervalMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly bootstrap?: readonly string[];
  readonly admission?: Partial<AdmissionPolicy>;
  /** Resolves when the daemon should give up waiting for registration (its shutdown signal). */
  readonly stopSignal: AbortSignal;
  readonly log: Logger;
}

export interface MinerStatus {
  readonly hotkey: string;
  readonly registered: boolean;
  readonly uid: number | undefined;
  readonly peerId: string | undefined;
  readonly addresses: readonly string[];
  readonly metagraphBlock: number;
  readonly serving: QueryServerStats | undefined;
}

const BINDING_LIFETIME_MS = 24 * 3600_000;

/** The first address of this machine, other than loopback, among a node's multiaddrs (e.g. /ip4/10.0.0.5/tcp/8091/p2p/…). */
export function detectedIp(addresses: readonly string[]): string | undefined {
  for (const address of addresses) {
    const ip = /^\/ip4\/([\d.]+)\//.exec(address)?.[1];
    if (ip && ip !== "0.0.0.0" && !ip.startsWith("127.")) return ip;
  }
  return undefined;
}

/**
 * Why validators could not reach a miner that listens on `host` and announces `externalIp`, with
 * what to set — said once at start (undefined: nothing to say).
 */
export function reachabilityWarning(host: string, externalIp: string | undefined, addresses: readonly string[]): string | undefined {
  const ip = externalIp ?? host;
  if (ip === "0.0.0.0") {
    const detected = detectedIp(addresses);
    return `listening on 0.0.0.0 with no --external-ip, so no axon is published and validators cannot reach this miner; set --external-ip to the IP they reach it at${detected ? ` (this machine has ${detected}: --external-ip ${detected})` : ""}`;
  }
  if (ip === "127.0.0.1")
    return `listening on 127.0.0.1: subtensor refuses that axon, and only this machine could reach it; on one machine use --host 127.0.0.2 (and up), else set --external-ip to the IP validators reach it at`;
  return undefined;
}

export class MinerDaemon {
  readonly #o: MinerDaemonOptions;
  readonly #ops: SubtensorOperations;
  #node: P2PNode | undefined;
  #server: QueryServer | undefined;
  #identity: IdentityService | undefined;
  #heartbeats: HeartbeatService | undefined;
  #lock: DataDirLock | undefined;
  #stopFollowing: (() => void) | undefined;
  #uid: number | undefined;
  #binding: HotkeyBinding | undefined;
  #stopped = false;
  /** The last failure to publish the axon, said once (then retried quietly until it works). */
  #axonFailure: string | undefined;

  private constructor(options: MinerDaemonOptions) {
    this.#o = options;
    this.#ops = new SubtensorOperations(options.chain);
  }

  static start(options: MinerDaemonOptions): Promise<MinerDaemon> {
    const daemon = new MinerDaemon(options);
    return startOrStop(daemon, () => daemon.#start());
  }

  get hotkeyAddress(): string {
    return this.#o.hotkey.pair.address;
  }

  status(): MinerStatus {
    return {
      hotkey: this.hotkeyAddress,
      registered: this.#uid !== undefined,
      uid: this.#uid,
      peerId: this.#node?.peerId,
      addresses: this.#node?.addresses() ?? [],
      metagraphBlock: this.#o.directory.block,
      serving: this.#server?.stats(),
    };
  }

  async #metagraph(): Promise<Metagraph> {
    const metagraph = await this.#o.metagraph.get();
    if (!metagraph) throw new UserError("NO_SUBNET", `subnet ${this.#o.netuid} does not exist on ${this.#o.chain.endpoint}`);
    return metagraph;
  }

  /** Reloads the metagraph; says when the hotkey is (de)registered. */
  async #refresh(): Promise<Metagraph> {
    const metagraph = await this.#metagraph();
    this.#o.directory.update(metagraph.neurons, metagraph.block);
    const uid = metagraph.neurons.find((n) => n.hotkey === this.hotkeyAddress)?.uid;
    if (uid !== this.#uid) {
      if (uid === undefined) this.#o.log.warn({ hotkey: this.hotkeyAddress, netuid: this.#o.netuid }, "the hotkey is no longer registered on the subnet; still serving, and waiting to be registered again");
      else this.#o.log.info({ hotkey: this.hotkeyAddress, uid, netuid: this.#o.netuid }, "the hotkey is registered");
      this.#uid = uid;
    }
    return metagraph;
  }

  async #waitForRegistration(): Promise<void> {
    const o = this.#o;
    await this.#refresh();
    if (this.#uid !== undefined) return;
    const say = `hotkey "${o.hotkey.name}" (${this.hotkeyAddress}) is not registered on subnet ${o.netuid}`;
    if (o.exitIfUnregistered) throw new UserError("NOT_REGISTERED", `${say}; register it with \`tensornode register --netuid ${o.netuid} --hotkey ${o.hotkey.name}\``);
    o.log.warn({ hotkey: this.hotkeyAddress, netuid: o.netuid }, `${say}; waiting for its registration (tensornode register --netuid ${o.netuid}), or use --exit-if-unregistered`);
    while (this.#uid === undefined) {
      await sleep(o.metagraphIntervalMs ?? 12_000, o.stopSignal);
      if (o.stopSignal.aborted) throw new UserError("STOPPED", "stopped while waiting for the registration");
      await this.#refresh().catch((error: unknown) => o.log.warn({ error: (error as Error).message }, "metagraph not loaded"));
    }
  }

  #makeBinding(): HotkeyBinding {
    const node = this.#node!;
    if (!this.#binding || Number(this.#binding.expiresAtMs) - Date.now() < BINDING_LIFETIME_MS / 2) {
      this.#binding = signBinding(
        { peerId: node.peerId, hotkey: this.#o.hotkey.signer.publicKey, netuid: this.#o.netuid, genesisHash: this.#o.chain.api.genesisHash.toU8a(), addresses: node.addresses().slice(0, 16), expiresAtMs: BigInt(Date.now() + BINDING_LIFETIME_MS) },
        this.#o.hotkey.signer,
      );
    }
    return this.#binding;
  }

  async #start(): Promise<void> {
    const o = this.#o;
    await this.#waitForRegistration();
    const genesisHash = o.chain.api.genesisHash.toU8a();
    const p2pDir = join(o.dataDir, o.hotkey.name);
    this.#lock = await lockDataDir(join(p2pDir, "lock"));
    this.#node = await createP2PNode({
      privateKey: await loadOrCreatePeerKey(p2pDir),
      listen: [`/ip4/${o.host}/tcp/${o.port}`],
      ...(o.externalIp ? { externalIp: o.externalIp } : {}),
      ...(o.bootstrap ? { bootstrap: o.bootstrap } : {}),
      log: o.log,
    });
    const handlers = new Map<string, QueryHandler>(Object.keys(o.plugin.manifest.synapses).map((synapse) => [synapse, synapseHandler(synapse, o.minerSide, o.publicApi)]));
    this.#server = new QueryServer({ libp2p: this.#node.libp2p, hotkey: o.hotkey.signer, netuid: o.netuid, genesisHash, directory: this.#o.directory, handlers, policy: o.admission ?? {}, binding: () => this.#makeBinding(), log: o.log });
    await this.#server.start();
    this.#identity = new IdentityService({ libp2p: this.#node.libp2p, genesisHash, netuid: o.netuid, directory: this.#o.directory, binding: () => this.#makeBinding(), log: o.log });
    await this.#identity.start();
    const pubsub = this.#node.libp2p.services.pubsub as unknown as PubSubLike | undefined;
    if (pubsub) {
      const intervalMs = o.heartbeatIntervalMs ?? 10_000;
      this.#heartbeats = new HeartbeatService({
        pubsub,
        genesisHash,
        netuid: o.netuid,
        directory: this.#o.directory,
        publish: {
          intervalMs,
          make: () => {
            const stats = this.#server!.stats();
            return signHeartbeat(
              { binding: this.#makeBinding(), plugin: o.plugin.manifest.name, pluginVersion: o.plugin.manifest.version, models: Object.keys(o.plugin.manifest.models), capacity: o.pool.workers, load: stats.running + stats.queued, timestampMs: BigInt(Date.now()) },
              o.hotkey.signer,
            );
          },
        },
        log: o.log,
      });
      this.#heartbeats.start();
    }
    const unreachable = reachabilityWarning(o.host, o.externalIp, this.#node.addresses());
    if (unreachable) o.log.warn({ host: o.host, externalIp: o.externalIp, addresses: this.#node.addresses() }, unreachable);
    await this.#serveAxon(await this.#metagraph());
    this.#stopFollowing = o.heads.every(o.metagraphIntervalMs ?? 12_000, () =>
      this.#refresh()
        .then((metagraph) => this.#serveAxon(metagraph))
        .catch((error: unknown) => o.log.warn({ error: (error as Error).message }, "metagraph refresh failed; retrying at the next interval")),
    );
    o.log.info({ hotkey: this.hotkeyAddress, uid: this.#uid, peerId: this.#node.peerId, addresses: this.#node.addresses(), synapses: [...handlers.keys()] }, "miner serving");
  }

  /** Publishes the axon when the chain's (as the metagraph has it) differs from where this node listens (and the hotkey is registered). */
  async #serveAxon(metagraph: Metagraph): Promise<void> {
    if (this.#uid === undefined || !this.#node) return;
    const o = this.#o;
    const port = Number(/\/tcp\/(\d+)/.exec(this.#node.addresses()[0] ?? "")?.[1] ?? 0);
    const ip = o.externalIp ?? o.host;
    // Said once at start (reachabilityWarning), not at every refresh.
    if (ip === "0.0.0.0") return;
    const onChain = metagraph.neurons.find((n) => n.hotkey === this.hotkeyAddress)?.axon;
    if (onChain && onChain.ip === ip && onChain.port === port) return;
    try {
      await this.#ops.serveAxon(o.hotkey.pair, o.netuid, { ip, port, protocol: 4, version: 1 });
      this.#axonFailure = undefined;
      o.log.info({ ip, port }, "axon served on chain");
    } catch (error) {
      const message = (error as Error).message;
      // The same failure is said once, with what to check; the retries at each refresh are quiet.
      if (message !== this.#axonFailure) o.log.warn({ error: message, ip, port }, `the axon (${ip}:${port}) could not be published, so validators cannot reach this miner yet; retrying at each refresh (check --external-ip)`);
      else o.log.debug({ error: message }, "the axon could not be published; retrying");
      this.#axonFailure = message;
    }
  }

  /** Stops serving: new requests refused, work in flight drained (up to `drainMs`), everything closed. */
  async stop(drainMs = 5_000): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stopFollowing?.();
    this.#heartbeats?.stop();
    await this.#server?.stop(drainMs);
    await this.#identity?.stop();
    await this.#node?.stop();
    await this.#lock?.release();
  }
}
