/**
 * What the network layer needs to know of the chain: which hotkeys are registered on the subnet,
 * their stake and validator permit, and where their axons are. The daemons refresh it from the
 * metagraph (src/chain) every few blocks; the p2p layer only reads it, so it never waits on the chain.
 */
import { u8aToHex } from "@polkadot/util";
import { decodeAddress } from "@polkadot/util-crypto";

export interface DirectoryEntry {
  readonly uid: number;
  readonly hotkey: string;
  readonly publicKey: Uint8Array;
  /** Stake in rao (alpha on the subnet). */
  readonly stake: bigint;
  readonly validatorPermit: boolean;
  readonly axon: { readonly ip: string; readonly port: number; readonly protocol: number } | null;
}

/** The fields of a metagraph neuron the directory uses (src/chain's Neuron has them). */
export interface NeuronLike {
  readonly uid: number;
  readonly hotkey: string;
  readonly stake: bigint;
  readonly validatorPermit: boolean;
  readonly axon: { readonly ip: string; readonly port: number; readonly protocol: number } | null;
}

export class HotkeyDirectory {
  #byKey = new Map<string, DirectoryEntry>();
  #block = 0;

  #source: readonly NeuronLike[] | undefined;

  /** Replaces the entries with a fresh metagraph snapshot (the same snapshot again is a no-op: daemons share one). */
  update(neurons: readonly NeuronLike[], block = 0): void {
    if (neurons === this.#source && block === this.#block) return;
    this.#source = neurons;
    const next = new Map<string, DirectoryEntry>();
    for (const n of neurons) {
      const publicKey = decodeAddress(n.hotkey);
      next.set(u8aToHex(publicKey), { uid: n.uid, hotkey: n.hotkey, publicKey, stake: n.stake, validatorPermit: n.validatorPermit, axon: n.axon });
    }
    this.#byKey = next;
    this.#block = block;
  }

  /** The block of the snapshot in use. */
  get block(): number {
    return this.#block;
  }

  get size(): number {
    return this.#byKey.size;
  }

  lookup(publicKey: Uint8Array): DirectoryEntry | undefined {
    return this.#byKey.get(u8aToHex(publicKey));
  }

  entries(): IterableIterator<DirectoryEntry> {
    return this.#byKey.values();
  }
}
