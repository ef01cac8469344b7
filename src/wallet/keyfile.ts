/**
 * Bittensor's keyfile format (opentensor/btwallet, bittensor-anchor.md §4), so that a wallet made by
 * btcli opens here and one made here opens in btcli: an encrypted keyfile is
 * `"$NACL" ‖ nonce (24 bytes) ‖ secretbox(json, key)` (XSalsa20-Poly1305), the key being
 * Argon2i(password, NACL_SALT, opslimit 8, memlimit 512 MiB, 32 bytes) — libsodium's
 * `crypto_pwhash` "sensitive" limits; the JSON holds accountId, publicKey, secretPhrase,
 * secretSeed, privateKey and ss58Address. Decrypting costs a few seconds by design (about 2 s with
 * libsodium's Argon2i, see ./argon2.ts).
 */
import { randomBytes } from "node:crypto";
import { xsalsa20poly1305 } from "@noble/ciphers/salsa.js";
import { UserError } from "../util/errors.js";
import { loadArgon2i, type Argon2i, type Argon2iParams } from "./argon2.js";

const NACL_PREFIX = new TextEncoder().encode("$NACL");
/** btwallet's NACL_SALT. */
const NACL_SALT = Uint8Array.from([0x13, 0x71, 0x83, 0xdf, 0xf1, 0x5a, 0x09, 0xbc, 0x9c, 0x90, 0xb5, 0x51, 0x87, 0x39, 0xe9, 0xb1]);
/** crypto_pwhash_argon2i_OPSLIMIT_SENSITIVE and MEMLIMIT_SENSITIVE (512 MiB). */
const ARGON2I_OPSLIMIT = 8;
const ARGON2I_MEMLIMIT_BYTES = 512 * 1024 * 1024;
const KEY_BYTES = 32;
/** The Argon2i parameters of a keyfile key, as btwallet passes them to libsodium. */
export const KEYFILE_ARGON2I: Argon2iParams = Object.freeze({
  salt: NACL_SALT,
  opslimit: ARGON2I_OPSLIMIT,
  memlimitBytes: ARGON2I_MEMLIMIT_BYTES,
  length: KEY_BYTES,
});
const NONCE_BYTES = 24;

export type KeyfileErrorCode = "KEYFILE_WRONG_PASSWORD" | "KEYFILE_LEGACY_FORMAT" | "KEYFILE_UNKNOWN_FORMAT" | "KEYFILE_BAD_CONTENTS";

export class KeyfileError extends UserError<KeyfileErrorCode> {
  constructor(code: KeyfileErrorCode, message: string) {
    super(code, message);
  }
}

export type KeyfileEncoding = "nacl" | "ansible-vault" | "fernet" | "json" | "unknown";

/** How a keyfile's bytes are stored: encrypted (and how), plain JSON, or something else. */
export function keyfileEncoding(data: Uint8Array): KeyfileEncoding {
  const head = Buffer.from(data.subarray(0, 14)).toString("latin1");
  if (head.startsWith("$NACL")) return "nacl";
  if (head.startsWith("$ANSIBLE_VAULT")) return "ansible-vault";
  if (head.startsWith("gAAAAA")) return "fernet";
  if (head.trimStart().startsWith("{")) return "json";
  return "unknown";
}

export interface KeyfileCryptoOptions {
  /** The Argon2i to derive the key with; by default libsodium's where it loads (./argon2.ts). */
  readonly argon2i?: Argon2i;
}

/** The secretbox key for `password`, as btwallet derives it (the password's UTF-8 bytes). */
export async function deriveKeyfileKey(password: string, argon2i: Argon2i = loadArgon2i()): Promise<Uint8Array> {
  return argon2i.derive(new TextEncoder().encode(password), KEYFILE_ARGON2I);
}

/** Encrypts keyfile contents as btwallet does. */
export async function encryptKeyfileData(plaintext: Uint8Array, password: string, nonce: Uint8Array = randomBytes(NONCE_BYTES), options: KeyfileCryptoOptions = {}): Promise<Uint8Array> {
  if (nonce.length !== NONCE_BYTES) throw new Error(`the nonce must be ${NONCE_BYTES} bytes`);
  const sealed = xsalsa20poly1305(await deriveKeyfileKey(password, options.argon2i), nonce).encrypt(plaintext);
  const out = new Uint8Array(NACL_PREFIX.length + NONCE_BYTES + sealed.length);
  out.set(NACL_PREFIX, 0);
  out.set(nonce, NACL_PREFIX.length);
  out.set(sealed, NACL_PREFIX.length + NONCE_BYTES);
  return out;
}

/** Decrypts a `$NACL` keyfile; a wrong password or another format is a one-line KeyfileError. */
export async function decryptKeyfileData(data: Uint8Array, password: string, name = "keyfile", options: KeyfileCryptoOptions = {}): Promise<Uint8Array> {
  const encoding = keyfileEncoding(data);
  if (encoding === "ansible-vault" || encoding === "fernet")
    throw new KeyfileError("KEYFILE_LEGACY_FORMAT", `${name} uses Bittensor's legacy ${encoding} encryption; re-encrypt it with btcli (btcli wallet update) and try again`);
  if (encoding === "json") return data;
  if (encoding !== "nacl" || data.length < NACL_PREFIX.length + NONCE_BYTES + 16) throw new KeyfileError("KEYFILE_UNKNOWN_FORMAT", `${name} is not a Bittensor keyfile ($NACL-encrypted or JSON)`);
  const nonce = data.subarray(NACL_PREFIX.length, NACL_PREFIX.length + NONCE_BYTES);
  const sealed = data.subarray(NACL_PREFIX.length + NONCE_BYTES);
  const key = await deriveKeyfileKey(password, options.argon2i);
  try {
    return xsalsa20poly1305(key, nonce).decrypt(sealed);
  } catch {
    throw new KeyfileError("KEYFILE_WRONG_PASSWORD", `${name}: wrong password (the keyfile did not decrypt)`);
  }
}

/** The JSON inside a keyfile, as btwallet writes it. */
export interface KeyfileContents {
  readonly accountId: string;
  readonly publicKey: string;
  readonly ss58Address: string;
  readonly secretPhrase?: string;
  readonly secretSeed?: string;
  readonly privateKey?: string;
}

const HEX32 = /^0x[0-9a-fA-F]{64}$/;

export function parseKeyfileContents(data: Uint8Array, name = "keyfile"): KeyfileContents {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(data).toString("utf8"));
  } catch {
    throw new KeyfileError("KEYFILE_BAD_CONTENTS", `${name} does not hold keyfile JSON`);
  }
  const o = json as Record<string, unknown>;
  const text = (key: string): string | undefined => (typeof o[key] === "string" ? (o[key] as string) : undefined);
  const publicKey = text("publicKey");
  const ss58Address = text("ss58Address");
  if (!publicKey || !HEX32.test(publicKey) || !ss58Address) throw new KeyfileError("KEYFILE_BAD_CONTENTS", `${name} lacks a publicKey (0x + 32 bytes) or an ss58Address`);
  const secretPhrase = text("secretPhrase");
  const secretSeed = text("secretSeed");
  const privateKey = text("privateKey");
  return {
    accountId: text("accountId") ?? publicKey,
    publicKey,
    ss58Address,
    ...(secretPhrase ? { secretPhrase } : {}),
    ...(secretSeed ? { secretSeed } : {}),
    ...(privateKey ? { privateKey } : {}),
  };
}

export function serializeKeyfileContents(contents: KeyfileContents): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(contents));
}
