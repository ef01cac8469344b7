/**
 * Finding the subnet's miners knowing only the chain: each registered hotkey's axon (ip, port) is a
 * TCP address; dialling it and exchanging bindings yields the peer id behind it, proven to belong to
 * that hotkey. Heartbeats and configured bootstrap peers add peers the same way.
 */
import { multiaddr, type Multiaddr } from "@multiformats/multiaddr";
import type { Logger } from "../util/logger.js";
import type { DirectoryEntry, HotkeyDirectory } from "./directory.js";
import type { IdentityService, VerifiedPeer } from "./identity-service.js";
import { bytesEqual } from "./protocol/signing.js";

/** An axon's address as a libp2p multiaddr; undefined for an unusable one (0.0.0.0, port 0). */
export function axonMultiaddr(axon: { readonly ip: string; readonly port: number }): Multiaddr | undefined {
  if (axon.port === 0 || axon.ip === "0.0.0.0") return undefined;
  const family = axon.ip.includes(":") ? "ip6" : "ip4";
  return multiaddr(`/${family}/${family === "ip6" ? compressIp6(axon.ip) : axon.ip}/tcp/${axon.port}`);
}

function compressIp6(ip: string): string {
  return ip
    .split(":")
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":");
}

export interface DiscoveredMiner {
  readonly neuron: DirectoryEntry;
  readonly peer: VerifiedPeer;
}

export interface DiscoveryResult {
  readonly found: readonly DiscoveredMiner[];
  /** Hotkeys whose axon could not be reached or proven, with why. */
  readonly failed: readonly { readonly hotkey: string; readonly reason: string }[];
}

export interface DiscoveryOptions {
  readonly directory: HotkeyDirectory;
  readonly identity: IdentityService;
  /** Skip this hotkey (the node's own). */
  readonly self?: Uint8Array;
  /** How many dials at once (default 16). */
  readonly concurrency?: number;
  /** Per dial (default 5 s). */
  readonly timeoutMs?: number;
  readonly log: Logger;
}

/** Dials every serving hotkey's axon and proves who is behind it; a peer proving another hotkey is refused. */
export async function discoverFromAxons(o: DiscoveryOptions): Promise<DiscoveryResult> {
  const targets = [...o.directory.entries()].filter((e) => e.axon && axonMultiaddr(e.axon) && !(o.self && bytesEqual(e.publicKey, o.self)));
  const found: DiscoveredMiner[] = [];
  const failed: { hotkey: string; reason: string }[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < targets.length) {
      const neuron = targets[next++]!;
      try {
        const peer = await o.identity.exchange(axonMultiaddr(neuron.axon!)!, AbortSignal.timeout(o.timeoutMs ?? 5_000));
        if (!bytesEqual(peer.binding.hotkey, neuron.publicKey)) throw new Error(`the peer at the axon proves hotkey ${peer.neuron.hotkey}, not ${neuron.hotkey}`);
        found.push({ neuron, peer });
      } catch (error) {
        failed.push({ hotkey: neuron.hotkey, reason: (error as Error).message });
        o.log.debug({ hotkey: neuron.hotkey, error: (error as Error).message }, "axon not reachable or not proven");
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 16, targets.length) }, worker));
  found.sort((a, b) => a.neuron.uid - b.neuron.uid);
  return { found, failed };
}
