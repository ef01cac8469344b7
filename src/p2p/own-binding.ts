/**
 * A node's own hotkey binding of its libp2p peer (identity.ts), as a query stream's opening frames
 * carry it: signed once (one sr25519 signature), re-signed when less than an hour of it is left.
 */
import type { Sr25519Signer } from "../util/sr25519.js";
import { encodeBinding, signBinding, type HotkeyBinding } from "./identity.js";

const LIFETIME_MS = 24 * 3_600_000;
const RENEW_BEFORE_MS = 3_600_000;

export interface OwnBindingOptions {
  readonly hotkey: Sr25519Signer;
  readonly peerId: string;
  readonly netuid: number;
  readonly genesisHash: Uint8Array;
  readonly now: () => number;
  /** A binding the node keeps already (a daemon's, with its addresses); else one is signed here, with none. */
  readonly binding?: () => HotkeyBinding;
}

export class OwnBinding {
  readonly #o: OwnBindingOptions;
  #signed: HotkeyBinding | undefined;
  #encoded: { readonly of: HotkeyBinding; readonly bytes: Uint8Array } | undefined;

  constructor(options: OwnBindingOptions) {
    this.#o = options;
  }

  /** The binding in force, encoded (§3 of docs/protocol.md). */
  encoded(): Uint8Array {
    const binding = this.#o.binding?.() ?? this.#own();
    if (this.#encoded?.of !== binding) this.#encoded = { of: binding, bytes: encodeBinding(binding) };
    return this.#encoded.bytes;
  }

  #own(): HotkeyBinding {
    const now = this.#o.now();
    if (!this.#signed || Number(this.#signed.expiresAtMs) - now < RENEW_BEFORE_MS) {
      const o = this.#o;
      this.#signed = signBinding({ peerId: o.peerId, hotkey: o.hotkey.publicKey, netuid: o.netuid, genesisHash: o.genesisHash, addresses: [], expiresAtMs: BigInt(now + LIFETIME_MS) }, o.hotkey);
    }
    return this.#signed;
  }
}
