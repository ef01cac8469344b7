/** Typed storage items: a StorageItem's keys plus a value codec and the default FRAME returns for a missing key. */
import type { StorageHasher } from "../../../codec/hashing.js";
import { StorageItem } from "../../pallet.js";
import type { ValueCodec } from "./codecs.js";

export interface StateRead {
  get(key: string): Uint8Array | undefined;
}
export interface StateWrite extends StateRead {
  set(key: string, value: Uint8Array): void;
  delete(key: string): void;
}

export type KeyEncoder<K> = (key: K) => Uint8Array;
export const keyU16: KeyEncoder<number> = (k) => Uint8Array.of(k & 0xff, (k >>> 8) & 0xff);
export const keyAccount: KeyEncoder<Uint8Array> = (k) => k;

/** A StorageValue or a map with one key (`K` = undefined for a plain value). */
export class TypedItem<K, V> {
  readonly raw: StorageItem;
  readonly #encodeKey: KeyEncoder<K> | undefined;
  readonly #codec: ValueCodec<V>;
  readonly #fallback: V;

  constructor(pallet: string, name: string, hashers: readonly StorageHasher[], encodeKey: KeyEncoder<K> | undefined, codec: ValueCodec<V>, fallback: V) {
    this.raw = new StorageItem(pallet, name, hashers);
    this.#encodeKey = encodeKey;
    this.#codec = codec;
    this.#fallback = fallback;
  }

  key(k: K): string {
    return this.#encodeKey ? this.raw.key(this.#encodeKey(k)) : this.raw.key();
  }
  get(state: StateRead, k: K): V {
    return this.getAt(state, this.key(k));
  }
  /** The value at a key already built with `key` (a read and a write of one entry build it once). */
  getAt(state: StateRead, key: string): V {
    const bytes = state.get(key);
    return bytes ? this.#codec.decode(bytes) : this.#fallback;
  }
  setAt(state: StateWrite, key: string, value: V): void {
    state.set(key, this.#codec.encode(value));
  }
  has(state: StateRead, k: K): boolean {
    return state.get(this.key(k)) !== undefined;
  }
  set(state: StateWrite, k: K, value: V): void {
    state.set(this.key(k), this.#codec.encode(value));
  }
  remove(state: StateWrite, k: K): void {
    state.delete(this.key(k));
  }
}

/** A map with two keys. */
export class TypedDoubleMap<K1, K2, V> {
  readonly raw: StorageItem;
  readonly #k1: KeyEncoder<K1>;
  readonly #k2: KeyEncoder<K2>;
  readonly #codec: ValueCodec<V>;
  readonly #fallback: V;

  constructor(pallet: string, name: string, hashers: readonly [StorageHasher, StorageHasher], k1: KeyEncoder<K1>, k2: KeyEncoder<K2>, codec: ValueCodec<V>, fallback: V) {
    this.raw = new StorageItem(pallet, name, hashers);
    this.#k1 = k1;
    this.#k2 = k2;
    this.#codec = codec;
    this.#fallback = fallback;
  }

  key(a: K1, b: K2): string {
    return this.raw.key(this.#k1(a), this.#k2(b));
  }
  get(state: StateRead, a: K1, b: K2): V {
    return this.getAt(state, this.key(a, b));
  }
  /** The value at a key already built with `key` (a read and a write of one entry build it once). */
  getAt(state: StateRead, key: string): V {
    const bytes = state.get(key);
    return bytes ? this.#codec.decode(bytes) : this.#fallback;
  }
  setAt(state: StateWrite, key: string, value: V): void {
    state.set(key, this.#codec.encode(value));
  }
  has(state: StateRead, a: K1, b: K2): boolean {
    return state.get(this.key(a, b)) !== undefined;
  }
  set(state: StateWrite, a: K1, b: K2, value: V): void {
    state.set(this.key(a, b), this.#codec.encode(value));
  }
  remove(state: StateWrite, a: K1, b: K2): void {
    state.delete(this.key(a, b));
  }
}
