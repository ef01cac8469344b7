/**
 * Layers of pending state changes over a readable state: a block's layer over the chain state,
 * an extrinsic's layer over the block's, a call's layer over the extrinsic's (Substrate's storage
 * transactions). A layer is merged into its parent on success and dropped on failure.
 */

/** Keys are 0x-prefixed lower-case hex strings of the raw storage key. */
export interface StateReader {
  get(key: string): Uint8Array | undefined;
  /** Every key that starts with `prefix` (hex), in no particular order. */
  keysWithPrefix(prefix: string): Iterable<string>;
}

export class StateOverlay implements StateReader {
  readonly #parent: StateReader;
  readonly #changes = new Map<string, Uint8Array | null>();

  constructor(parent: StateReader) {
    this.#parent = parent;
  }

  get(key: string): Uint8Array | undefined {
    const change = this.#changes.get(key);
    if (change !== undefined) return change ?? undefined;
    return this.#parent.get(key);
  }

  set(key: string, value: Uint8Array): void {
    this.#changes.set(key, value);
  }

  delete(key: string): void {
    this.#changes.set(key, null);
  }

  *keysWithPrefix(prefix: string): Iterable<string> {
    for (const key of this.#parent.keysWithPrefix(prefix)) if (!this.#changes.has(key)) yield key;
    for (const [key, value] of this.#changes) if (value !== null && key.startsWith(prefix)) yield key;
  }

  child(): StateOverlay {
    return new StateOverlay(this);
  }

  /** Moves this layer's changes into `parent`, which must be the layer it was made from. */
  mergeInto(parent: StateOverlay): void {
    for (const [key, value] of this.#changes) parent.#changes.set(key, value);
    this.#changes.clear();
  }

  /** The changes of this layer: a value, or null for a deletion. */
  changes(): ReadonlyMap<string, Uint8Array | null> {
    return this.#changes;
  }
}
