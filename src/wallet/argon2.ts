/**
 * Argon2i (v1.3) for keyfile keys: libsodium's own build through `sodium-native` (its prebuilt
 * binary ships inside the npm package, so nothing is compiled or downloaded), run on libuv's
 * thread pool so the event loop keeps turning; where that binary does not load (a platform
 * without a prebuild), the WebAssembly build in `hash-wasm` — same algorithm, same bytes, about
 * 2.5 times slower.
 */
import { createRequire } from "node:module";
import { argon2i as wasmArgon2i } from "hash-wasm";
import { CodedError } from "../util/errors.js";

/** crypto_pwhash_ALG_ARGON2I13. */
const ALG_ARGON2I13 = 1;

export interface Argon2iParams {
  readonly salt: Uint8Array;
  /** Passes over memory: libsodium's opslimit. */
  readonly opslimit: number;
  /** Memory in bytes: libsodium's memlimit (a multiple of 1 KiB). */
  readonly memlimitBytes: number;
  readonly length: number;
}

export type Argon2iBackend = "libsodium" | "hash-wasm";

export interface Argon2i {
  readonly backend: Argon2iBackend;
  /** Why libsodium is not used, when it is not. */
  readonly fallbackReason?: string;
  derive(password: Uint8Array, params: Argon2iParams): Promise<Uint8Array>;
}

export class Argon2Error extends CodedError<"ARGON2_FAILED"> {
  constructor(message: string, cause: unknown) {
    super("ARGON2_FAILED", message, { cause: cause instanceof Error ? cause.message : String(cause) });
    this.name = "Argon2Error";
  }
}

/** The part of sodium-native this module calls. */
export interface SodiumPwhash {
  crypto_pwhash_async(out: Uint8Array, passwd: Uint8Array, salt: Uint8Array, opslimit: number, memlimit: number, alg: number): Promise<void>;
}

export function libsodiumArgon2i(sodium: SodiumPwhash): Argon2i {
  return {
    backend: "libsodium",
    async derive(password, { salt, opslimit, memlimitBytes, length }) {
      const out = new Uint8Array(length);
      try {
        await sodium.crypto_pwhash_async(out, password, salt, opslimit, memlimitBytes, ALG_ARGON2I13);
      } catch (error) {
        throw new Argon2Error(`Argon2i (libsodium) failed: ${error instanceof Error ? error.message : String(error)}`, error);
      }
      return out;
    },
  };
}

export function hashWasmArgon2i(fallbackReason?: string): Argon2i {
  return {
    backend: "hash-wasm",
    ...(fallbackReason !== undefined ? { fallbackReason } : {}),
    async derive(password, { salt, opslimit, memlimitBytes, length }) {
      try {
        return await wasmArgon2i({ password, salt, parallelism: 1, iterations: opslimit, memorySize: memlimitBytes / 1024, hashLength: length, outputType: "binary" });
      } catch (error) {
        throw new Argon2Error(`Argon2i (hash-wasm) failed: ${error instanceof Error ? error.message : String(error)}`, error);
      }
    },
  };
}

const requireFromHere = createRequire(import.meta.url);

export interface LoadArgon2iOptions {
  /** Loads sodium-native; throws where its binary does not load. */
  readonly loadSodium?: () => unknown;
}

/** libsodium's Argon2i where sodium-native loads, hash-wasm's otherwise. */
export function loadArgon2i({ loadSodium = () => requireFromHere("sodium-native") }: LoadArgon2iOptions = {}): Argon2i {
  let sodium: unknown;
  try {
    sodium = loadSodium();
  } catch (error) {
    return hashWasmArgon2i(`sodium-native did not load: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  }
  if (typeof (sodium as Partial<SodiumPwhash> | null)?.crypto_pwhash_async !== "function") return hashWasmArgon2i("sodium-native has no crypto_pwhash_async");
  return libsodiumArgon2i(sodium as SodiumPwhash);
}
