/**
 * The identity protocol: when a validator reaches a peer, both sides send their hotkey binding
 * (one length-prefixed frame each way: the dialer's first, then the listener's) and each checks
 * the other's — signed by the hotkey, for this chain and subnet, for the noise-authenticated peer
 * it arrived from, unexpired, and registered in the metagraph. Verified peers go in the peer book.
 */
import type { Libp2p, PeerId, Stream } from "@libp2p/interface";
import { lpStream } from "@libp2p/utils";
import type { Multiaddr } from "@multiformats/multiaddr";
import { CodedError } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import type { DirectoryEntry, HotkeyDirectory } from "./directory.js";
import { checkBinding, decodeBinding, encodeBinding, type HotkeyBinding } from "./identity.js";

export const IDENTITY_PROTOCOL = "/tensornode/identity/1.0.0";
const MAX_BINDING_BYTES = 8 * 1024;

export class IdentityError extends CodedError<"BINDING_REFUSED" | "NO_BINDING"> {
  constructor(code: "BINDING_REFUSED" | "NO_BINDING", message: string) {
    super(code, message);
    this.name = "IdentityError";
  }
}

export interface VerifiedPeer {
  readonly peerId: string;
  readonly binding: HotkeyBinding;
  readonly neuron: DirectoryEntry;
}

export interface IdentityServiceOptions {
  readonly libp2p: Libp2p;
  readonly genesisHash: Uint8Array;
  readonly netuid: number;
  readonly directory: HotkeyDirectory;
  /** This node's current binding (re-signed before it expires), or undefined for a node without a hotkey. */
  readonly binding: () => HotkeyBinding | undefined;
  readonly now?: () => number;
  readonly log: Logger;
}

export class IdentityService {
  readonly #o: IdentityServiceOptions;
  readonly #now: () => number;
  /** Verified peers by peer id. */
  readonly peers = new Map<string, VerifiedPeer>();

  constructor(options: IdentityServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    await this.#o.libp2p.handle(IDENTITY_PROTOCOL, (stream, connection) => this.#answer(stream, connection.remotePeer.toString()), { force: true });
  }

  async stop(): Promise<void> {
    await this.#o.libp2p.unhandle(IDENTITY_PROTOCOL).catch(() => undefined);
  }

  /** Exchanges bindings with a peer; resolves with the verified peer or rejects with why not. */
  async exchange(peer: PeerId | Multiaddr, signal?: AbortSignal): Promise<VerifiedPeer> {
    const options = signal ? { signal } : {};
    // Dial first: the connection names the noise-authenticated remote, even when dialled by address alone.
    const connection = await this.#o.libp2p.dial(peer, options);
    const stream = await connection.newStream(IDENTITY_PROTOCOL, options);
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_BINDING_BYTES });
      const mine = this.#o.binding();
      await lp.write(mine ? encodeBinding(mine) : new Uint8Array(0), options);
      const theirs = (await lp.read(options)).subarray();
      return this.#verify(theirs, connection.remotePeer.toString());
    } finally {
      await stream.close().catch(() => stream.abort(new Error("closed")));
    }
  }

  async #answer(stream: Stream, remote: string): Promise<void> {
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_BINDING_BYTES });
      const theirs = (await lp.read({ signal: AbortSignal.timeout(10_000) })).subarray();
      const mine = this.#o.binding();
      await lp.write(mine ? encodeBinding(mine) : new Uint8Array(0));
      if (theirs.length > 0) {
        try {
          this.#verify(theirs, remote);
        } catch (error) {
          this.#o.log.debug({ peer: remote, error: (error as Error).message }, "refused a peer's binding");
        }
      }
      await stream.close();
    } catch (error) {
      stream.abort(error as Error);
    }
  }

  #verify(bytes: Uint8Array, remote: string): VerifiedPeer {
    if (bytes.length === 0) throw new IdentityError("NO_BINDING", `peer ${remote} has no hotkey binding`);
    let binding: HotkeyBinding;
    try {
      binding = decodeBinding(bytes);
    } catch (error) {
      throw new IdentityError("BINDING_REFUSED", `peer ${remote} sent a malformed binding: ${(error as Error).message}`);
    }
    const problem = checkBinding(binding, { nowMs: this.#now(), genesisHash: this.#o.genesisHash, netuid: this.#o.netuid, peerId: remote });
    if (problem) throw new IdentityError("BINDING_REFUSED", `peer ${remote}'s binding is refused: ${problem}`);
    const neuron = this.#o.directory.lookup(binding.hotkey);
    if (!neuron) throw new IdentityError("BINDING_REFUSED", `peer ${remote}'s hotkey is not registered on subnet ${this.#o.netuid}`);
    const verified = { peerId: remote, binding, neuron };
    this.peers.set(remote, verified);
    return verified;
  }
}
