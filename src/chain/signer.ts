/**
 * Who signs a transaction. The daemons hold their keys open (a KeyringPair); the CLI hands over a
 * DeferredKey instead: its address is known at once (from the public key file), but the key is
 * opened — the question asked, the password typed, the Argon2i paid — only when the transaction is
 * about to be signed, after every check the chain can answer has passed.
 */
import type { KeyringPair } from "@polkadot/keyring/types";
import { UserError } from "../util/errors.js";

export class DeferredKey {
  readonly address: string;
  readonly #open: () => Promise<KeyringPair>;
  #opened: Promise<KeyringPair> | undefined;

  constructor(address: string, open: () => Promise<KeyringPair>) {
    this.address = address;
    this.#open = open;
  }

  /** Opens the key once; later calls get the same pair. */
  open(): Promise<KeyringPair> {
    this.#opened ??= this.#open().then((pair) => {
      if (pair.address !== this.address) throw new UserError("KEY_MISMATCH", `the key opened as ${pair.address}, but its public file says ${this.address}; nothing was signed (is coldkeypub.txt from another wallet?)`);
      return pair;
    });
    return this.#opened;
  }
}

export type Signer = KeyringPair | DeferredKey;

export async function openSigner(signer: Signer): Promise<KeyringPair> {
  return signer instanceof DeferredKey ? signer.open() : signer;
}
