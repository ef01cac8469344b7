/**
 * The gateway's API keys file: who may call it, which synapses each key may ask, and at what rate.
 * Keys are stored hashed (sha256 of the key's text): they are random 32-byte tokens, so a fast hash
 * is enough, and the file never holds a key in clear. Format (docs/gateway.md):
 *
 *   {"version": 1, "keys": [{"name": "alice", "sha256": "<64 hex>", "synapses": "*" | ["recognize"],
 *                            "rate": {"perSecond": 5, "burst": 10}}]}
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { UserError } from "../../util/errors.js";
import { writeSecretFile } from "../../util/secret-file.js";

export type ApiKeysErrorCode = "API_KEYS_UNREADABLE" | "API_KEYS_TOO_OPEN" | "BAD_API_KEYS" | "API_KEY_EXISTS";

/** A keys file the gateway cannot use (or a key that cannot be added): one line naming the file and the problem. */
export class ApiKeysError extends UserError<ApiKeysErrorCode> {}

export const API_KEYS_FILE_VERSION = 1;

export interface ApiKeyRate {
  /** Requests per second a key may sustain (its bucket's refill). */
  readonly perSecond: number;
  /** Requests a key may send at once (its bucket's size), an integer ≥ 1. */
  readonly burst: number;
}

export interface ApiKeyEntry {
  /** Who holds the key: it names the caller in logs and attribution. */
  readonly name: string;
  /** sha256 of the key (its UTF-8 text), lowercase hex. */
  readonly sha256: string;
  /** The synapses the key may call, or "*" for all. */
  readonly synapses: "*" | readonly string[];
  readonly rate: ApiKeyRate;
}

export const DEFAULT_API_KEY_RATE: ApiKeyRate = Object.freeze({ perSecond: 5, burst: 10 });

const KEY_PREFIX = "tnk_";
const KEY_BYTES = 32;
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const SYNAPSE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const ENTRY_FIELDS = new Set(["name", "sha256", "synapses", "rate"]);
const RATE_FIELDS = new Set(["perSecond", "burst"]);

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export interface NewApiKeyOptions {
  readonly name: string;
  /** Default "*". */
  readonly synapses?: "*" | readonly string[];
  /** Default DEFAULT_API_KEY_RATE. */
  readonly rate?: ApiKeyRate;
}

/**
 * A fresh random key (`tnk_` + 43 base64url characters: 32 random bytes) and the entry the keys file
 * holds for it. The key is shown once to whoever asked for it; only its hash is kept.
 */
export function generateApiKey(options: NewApiKeyOptions, random: (size: number) => Uint8Array = randomBytes): { key: string; entry: ApiKeyEntry } {
  const key = `${KEY_PREFIX}${Buffer.from(random(KEY_BYTES)).toString("base64url")}`;
  const entry = checkEntry(
    { name: options.name, sha256: hashApiKey(key), synapses: options.synapses ?? "*", rate: options.rate ?? DEFAULT_API_KEY_RATE },
    (problem) => new ApiKeysError("BAD_API_KEYS", `the new API key ${problem}`),
  );
  return { key, entry };
}

/** The keys file's text for `entries` (pretty JSON, one key per object). */
export function formatApiKeysFile(entries: readonly ApiKeyEntry[]): string {
  return `${JSON.stringify({ version: API_KEYS_FILE_VERSION, keys: entries }, null, 2)}\n`;
}

/** The entries of a keys file's text; ApiKeysError naming `file` and the problem when it is malformed. */
export function parseApiKeysFile(text: string, file: string): ApiKeyEntry[] {
  const fail = (problem: string): ApiKeysError => new ApiKeysError("BAD_API_KEYS", `API keys file ${file}: ${problem}`);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw fail(`not valid JSON (${(error as Error).message})`);
  }
  if (!isRecord(document)) throw fail(`expected an object {"version": ${API_KEYS_FILE_VERSION}, "keys": [...]}`);
  const unknown = Object.keys(document).filter((field) => field !== "version" && field !== "keys");
  if (unknown.length > 0) throw fail(`unknown field "${unknown[0]}"`);
  if (document.version !== API_KEYS_FILE_VERSION) throw fail(`"version" must be ${API_KEYS_FILE_VERSION}, got ${JSON.stringify(document.version)}`);
  if (!Array.isArray(document.keys)) throw fail(`"keys" must be an array`);
  const names = new Set<string>();
  const hashes = new Set<string>();
  return document.keys.map((raw: unknown, i: number) => {
    const entry = checkEntry(raw, (problem) => fail(`key ${i + 1} ${problem}`));
    if (names.has(entry.name)) throw fail(`the name "${entry.name}" is used by two keys`);
    if (hashes.has(entry.sha256)) throw fail(`key ${i + 1} ("${entry.name}") has the same sha256 as another key`);
    names.add(entry.name);
    hashes.add(entry.sha256);
    return entry;
  });
}

/** Reads and checks a keys file: it must be readable by its owner only (0600), and well formed. */
export async function readApiKeysFile(file: string): Promise<ApiKeyEntry[]> {
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    throw new ApiKeysError("API_KEYS_UNREADABLE", `API keys file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (!info.isFile()) throw new ApiKeysError("API_KEYS_UNREADABLE", `API keys file ${file} is not a regular file`);
  if ((info.mode & 0o077) !== 0) {
    throw new ApiKeysError("API_KEYS_TOO_OPEN", `API keys file ${file} is readable or writable by others (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it`);
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ApiKeysError("API_KEYS_UNREADABLE", `API keys file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseApiKeysFile(text, file);
}

/**
 * Adds a new key to `file` (created 0600 when absent; an existing one must pass readApiKeysFile) and
 * returns the key, to be shown once. Refuses a name already in the file.
 */
export async function addApiKey(file: string, options: NewApiKeyOptions, random?: (size: number) => Uint8Array): Promise<{ key: string; entry: ApiKeyEntry }> {
  const absent = await stat(file).then(
    () => false,
    (error: NodeJS.ErrnoException) => error.code === "ENOENT",
  );
  const existing = absent ? [] : await readApiKeysFile(file);
  if (existing.some((entry) => entry.name === options.name)) {
    throw new ApiKeysError("API_KEY_EXISTS", `API keys file ${file} already has a key named "${options.name}"; choose another name or remove that key first`);
  }
  const made = generateApiKey(options, random);
  await writeSecretFile(file, new TextEncoder().encode(formatApiKeysFile([...existing, made.entry])));
  return made;
}

/** Finds the entry of a presented key, comparing hashes in constant time (no early exit on the first match either). */
export class ApiKeyring {
  readonly #entries: readonly { readonly entry: ApiKeyEntry; readonly digest: Buffer }[];

  constructor(entries: readonly ApiKeyEntry[]) {
    this.#entries = entries.map((entry) => ({ entry, digest: Buffer.from(entry.sha256, "hex") }));
  }

  get size(): number {
    return this.#entries.length;
  }

  find(key: string): ApiKeyEntry | undefined {
    const digest = createHash("sha256").update(key, "utf8").digest();
    let found: ApiKeyEntry | undefined;
    for (const candidate of this.#entries) {
      if (timingSafeEqual(candidate.digest, digest) && found === undefined) found = candidate.entry;
    }
    return found;
  }
}

export function keyAllows(entry: ApiKeyEntry, synapse: string): boolean {
  return entry.synapses === "*" || entry.synapses.includes(synapse);
}

function checkEntry(raw: unknown, fail: (problem: string) => ApiKeysError): ApiKeyEntry {
  if (!isRecord(raw)) throw fail(`must be an object {"name", "sha256", "synapses", "rate"}`);
  const unknown = Object.keys(raw).filter((field) => !ENTRY_FIELDS.has(field));
  if (unknown.length > 0) throw fail(`has an unknown field "${unknown[0]}"`);
  const { name, sha256, synapses, rate } = raw;
  if (typeof name !== "string" || !NAME.test(name)) throw fail(`"name" must be 1 to 64 letters, digits, "_", "." or "-", got ${JSON.stringify(name)}`);
  if (typeof sha256 !== "string" || !SHA256_HEX.test(sha256)) throw fail(`("${name}") "sha256" must be 64 lowercase hex digits (the hash of the key, never the key)`);
  if (synapses !== "*") {
    if (!Array.isArray(synapses) || synapses.length === 0) throw fail(`("${name}") "synapses" must be "*" or a non-empty array of synapse names`);
    for (const synapse of synapses) {
      if (typeof synapse !== "string" || !SYNAPSE_NAME.test(synapse)) throw fail(`("${name}") "synapses" holds a bad synapse name ${JSON.stringify(synapse)}`);
    }
    if (new Set(synapses).size !== synapses.length) throw fail(`("${name}") "synapses" names a synapse twice`);
  }
  if (!isRecord(rate)) throw fail(`("${name}") "rate" must be an object {"perSecond", "burst"}`);
  const unknownRate = Object.keys(rate).filter((field) => !RATE_FIELDS.has(field));
  if (unknownRate.length > 0) throw fail(`("${name}") "rate" has an unknown field "${unknownRate[0]}"`);
  const { perSecond, burst } = rate;
  if (typeof perSecond !== "number" || !Number.isFinite(perSecond) || perSecond <= 0) throw fail(`("${name}") "rate.perSecond" must be a number > 0, got ${JSON.stringify(perSecond)}`);
  if (typeof burst !== "number" || !Number.isSafeInteger(burst) || burst < 1) throw fail(`("${name}") "rate.burst" must be an integer ≥ 1, got ${JSON.stringify(burst)}`);
  return { name, sha256, synapses: synapses === "*" ? "*" : [...(synapses as string[])], rate: { perSecond, burst } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
