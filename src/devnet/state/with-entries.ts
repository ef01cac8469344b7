/**
 * A read-only state with a few fixed entries laid over it. The devnet's runtime is its own
 * TypeScript code, the same for every block it serves, so the entries that describe the runtime
 * (`:code`) are served beside each block's storage instead of being stored in it: they follow the
 * software, not the chain (a data dir written by an older tensornode reads the current runtime's).
 */
import type { StateReader } from "./overlay.js";

export type SortedStateReader = StateReader & { sortedKeys(): readonly string[] };

export class StateWithEntries implements SortedStateReader {
  readonly #base: SortedStateReader;
  readonly #entries: ReadonlyMap<string, Uint8Array>;
  #merged: { readonly from: readonly string[]; readonly keys: readonly string[] } | undefined;

  constructor(base: SortedStateReader, entries: ReadonlyMap<string, Uint8Array>) {
    this.#base = base;
    this.#entries = entries;
  }

  get(key: string): Uint8Array | undefined {
    return this.#entries.get(key) ?? this.#base.get(key);
  }

  *keysWithPrefix(prefix: string): Iterable<string> {
    for (const key of this.#base.keysWithPrefix(prefix)) if (!this.#entries.has(key)) yield key;
    for (const key of this.#entries.keys()) if (key.startsWith(prefix)) yield key;
  }

  sortedKeys(): readonly string[] {
    const from = this.#base.sortedKeys();
    if (this.#merged?.from !== from) {
      const extra = [...this.#entries.keys()].filter((key) => !from.includes(key));
      this.#merged = { from, keys: extra.length === 0 ? from : [...from, ...extra].sort() };
    }
    return this.#merged.keys;
  }
}
