/**
 * Wallets in Bittensor's on-disk layout: `<wallets>/<name>/coldkey` (encrypted), `coldkeypub.txt`,
 * `hotkeys/<hotkey>` and `hotkeys/<hotkey>pub.txt`. New wallets go under TENSORNODE_HOME/wallets;
 * wallets are also found in Bittensor's `~/.bittensor/wallets` (or BT_WALLET_PATH), so a wallet made
 * by btcli opens here and one made here opens in btcli. Secret files are written 0600, atomically.
 */
import { copyFile, chmod, mkdir, readdir, readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { Keyring } from "@polkadot/keyring";
import type { KeyringPair } from "@polkadot/keyring/types";
import { u8aToHex } from "@polkadot/util";
import { cryptoWaitReady, mnemonicGenerate, mnemonicToMiniSecret, mnemonicValidate } from "@polkadot/util-crypto";
import { UserError } from "../util/errors.js";
import { writeSecretFile } from "../util/secret-file.js";
import { decryptKeyfileData, encryptKeyfileData, keyfileEncoding, parseKeyfileContents, serializeKeyfileContents, type KeyfileContents } from "./keyfile.js";

export type WalletErrorCode = "BAD_NAME" | "WALLET_NOT_FOUND" | "WALLET_EXISTS" | "KEY_EXISTS" | "HOTKEY_NOT_FOUND" | "WEAK_PASSWORD" | "BAD_MNEMONIC" | "NO_SECRET" | "NO_PASSWORD";

export class WalletError extends UserError<WalletErrorCode> {}

/** btwallet's minimum password length. */
const MIN_PASSWORD_LENGTH = 6;
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** A key file kept when it was replaced: `<file>.backup-<UTC time>`. */
const BACKUP = /\.backup-\d{8}T\d{6}(\.\d+)?Z$/;

/** The key a regeneration would replace, read from its public file (no password needed). */
export interface ExistingKey {
  readonly path: string;
  readonly address: string | undefined;
}

function backupSuffix(now: Date): string {
  return `.backup-${now.toISOString().replace(/[-:]/g, "").replace(/\.(\d+)Z$/, ".$1Z")}`;
}

/** Copies each existing file to `<file>.backup-<time>`, 0600, and returns the copies' paths. */
async function backUp(paths: readonly string[], now: Date): Promise<string[]> {
  const copies: string[] = [];
  for (const path of paths) {
    if (!(await exists(path))) continue;
    const copy = `${path}${backupSuffix(now)}`;
    await copyFile(path, copy);
    await chmod(copy, 0o600);
    copies.push(copy);
  }
  return copies;
}

export interface WalletSummary {
  readonly name: string;
  readonly path: string;
  readonly coldkeyAddress?: string;
  readonly hotkeys: readonly string[];
}

/** Where wallets live: TENSORNODE_HOME/wallets first (where new ones go), then Bittensor's folder. */
export function walletRoots(env: Readonly<Record<string, string | undefined>>): string[] {
  const home = env.TENSORNODE_HOME ?? join(homedir(), ".tensornode");
  const bittensor = env.BT_WALLET_PATH ?? join(homedir(), ".bittensor", "wallets");
  return [join(home, "wallets"), bittensor];
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function checkName(kind: string, name: string): void {
  if (!NAME.test(name)) throw new WalletError("BAD_NAME", `${kind} name "${name}" may only use letters, digits, '.', '_' and '-' (1-64 characters)`);
}

function publicContents(pair: KeyringPair): KeyfileContents {
  const publicKey = u8aToHex(pair.publicKey);
  return { accountId: publicKey, publicKey, ss58Address: pair.address };
}

export class WalletStore {
  readonly roots: readonly string[];
  readonly #keyring = new Keyring({ type: "sr25519", ss58Format: 42 });

  constructor(roots: readonly string[]) {
    this.roots = roots;
  }

  /** The folder of wallet `name`: the first root that has it. */
  async find(name: string): Promise<string> {
    checkName("wallet", name);
    for (const root of this.roots) if (await exists(join(root, name))) return join(root, name);
    throw new WalletError("WALLET_NOT_FOUND", `no wallet "${name}" in ${this.roots.join(" or ")}; create one with \`tensornode wallet create --wallet ${name}\``);
  }

  async list(): Promise<WalletSummary[]> {
    const seen = new Map<string, WalletSummary>();
    for (const root of this.roots) {
      let names: string[];
      try {
        names = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
      } catch {
        continue;
      }
      for (const name of names.sort()) {
        if (seen.has(name)) continue;
        const path = join(root, name);
        const address = await this.#readPub(join(path, "coldkeypub.txt"));
        let hotkeys: string[] = [];
        try {
          hotkeys = (await readdir(join(path, "hotkeys"))).filter((f) => !f.endsWith("pub.txt") && !f.endsWith(".tmp") && !BACKUP.test(f)).sort();
        } catch {
          // a wallet without hotkeys
        }
        seen.set(name, { name, path, ...(address ? { coldkeyAddress: address } : {}), hotkeys });
      }
    }
    return [...seen.values()];
  }

  async #readPub(path: string): Promise<string | undefined> {
    try {
      return parseKeyfileContents(new Uint8Array(await readFile(path)), path).ss58Address;
    } catch {
      return undefined;
    }
  }

  async #pairFromMnemonic(mnemonic: string | undefined): Promise<{ pair: KeyringPair; mnemonic: string }> {
    await cryptoWaitReady();
    const phrase = mnemonic ?? mnemonicGenerate(12);
    if (!mnemonicValidate(phrase)) throw new WalletError("BAD_MNEMONIC", "the mnemonic is not a valid BIP-39 phrase (12 or 24 words from the English list, with a correct checksum)");
    return { pair: this.#keyring.addFromMnemonic(phrase), mnemonic: phrase };
  }

  /** Where wallet `name` is (the first root that has it), or where a new one goes. */
  async #walletDir(name: string): Promise<string> {
    checkName("wallet", name);
    for (const root of this.roots) if (await exists(join(root, name))) return join(root, name);
    return join(this.roots[0]!, name);
  }

  /** The coldkey that creating or regenerating wallet `name` would replace, if any. */
  async existingColdkey(name: string): Promise<ExistingKey | undefined> {
    const dir = await this.#walletDir(name);
    const path = join(dir, "coldkey");
    if (!(await exists(path))) return undefined;
    return { path, address: await this.#readPub(join(dir, "coldkeypub.txt")) };
  }

  /** The hotkey that creating or regenerating `hotkey` of wallet `name` would replace, if any. */
  async existingHotkey(name: string, hotkey: string): Promise<ExistingKey | undefined> {
    checkName("hotkey", hotkey);
    const path = join(await this.#walletDir(name), "hotkeys", hotkey);
    if (!(await exists(path))) return undefined;
    return { path, address: (await this.#readPub(`${path}pub.txt`)) ?? (await this.#readPub(path)) };
  }

  /** The address a mnemonic gives (a clear error for a bad one), before anything is written. */
  async addressOf(mnemonic: string): Promise<string> {
    return (await this.#pairFromMnemonic(mnemonic)).pair.address;
  }

  /**
   * Creates (or, with `mnemonic`, regenerates) a coldkey encrypted with `password`, in btwallet's
   * format. An existing coldkey is replaced only with `overwrite`, and kept as `<file>.backup-<time>`.
   */
  async createColdkey(name: string, password: string, options: { mnemonic?: string; overwrite?: boolean; now?: Date } = {}): Promise<{ address: string; mnemonic: string; path: string; backups: string[] }> {
    if (password.length < MIN_PASSWORD_LENGTH) throw new WalletError("WEAK_PASSWORD", `the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
    const path = await this.#walletDir(name);
    const existing = await this.existingColdkey(name);
    if (existing && !options.overwrite) throw new WalletError("KEY_EXISTS", `wallet "${name}" already has a coldkey (${existing.address ?? existing.path}); nothing was changed`);
    const { pair, mnemonic } = await this.#pairFromMnemonic(options.mnemonic);
    const contents: KeyfileContents = { ...publicContents(pair), secretPhrase: mnemonic, secretSeed: u8aToHex(mnemonicToMiniSecret(mnemonic)) };
    await mkdir(path, { recursive: true, mode: 0o700 });
    const backups = existing ? await backUp([join(path, "coldkey"), join(path, "coldkeypub.txt")], options.now ?? new Date()) : [];
    await writeSecretFile(join(path, "coldkey"), await encryptKeyfileData(serializeKeyfileContents(contents), password));
    await writeSecretFile(join(path, "coldkeypub.txt"), serializeKeyfileContents(publicContents(pair)));
    return { address: pair.address, mnemonic, path, backups };
  }

  /** Creates (or regenerates) a hotkey, unencrypted as btwallet writes hotkeys by default; replaced only with `overwrite`, the old one kept as a backup. */
  async createHotkey(name: string, hotkey: string, options: { mnemonic?: string; overwrite?: boolean; now?: Date } = {}): Promise<{ address: string; mnemonic: string; backups: string[] }> {
    checkName("hotkey", hotkey);
    const wallet = await this.#walletDir(name);
    const path = join(wallet, "hotkeys", hotkey);
    const existing = await this.existingHotkey(name, hotkey);
    if (existing && !options.overwrite) throw new WalletError("KEY_EXISTS", `hotkey "${hotkey}" of wallet "${name}" already exists (${existing.address ?? path}); nothing was changed`);
    const { pair, mnemonic } = await this.#pairFromMnemonic(options.mnemonic);
    await mkdir(join(wallet, "hotkeys"), { recursive: true, mode: 0o700 });
    const backups = existing ? await backUp([path, `${path}pub.txt`], options.now ?? new Date()) : [];
    await writeSecretFile(path, serializeKeyfileContents({ ...publicContents(pair), secretPhrase: mnemonic, secretSeed: u8aToHex(mnemonicToMiniSecret(mnemonic)) }));
    await writeSecretFile(`${path}pub.txt`, serializeKeyfileContents(publicContents(pair)));
    return { address: pair.address, mnemonic, backups };
  }

  async coldkeyAddress(name: string): Promise<string> {
    const wallet = await this.find(name);
    const address = await this.#readPub(join(wallet, "coldkeypub.txt"));
    if (address) return address;
    return (await this.unlockColdkey(name, undefined)).address;
  }

  /** Opens the coldkey; `password` may be undefined only for an unencrypted one. */
  async unlockColdkey(name: string, password: string | undefined): Promise<KeyringPair> {
    const path = join(await this.find(name), "coldkey");
    return this.#open(path, password, `wallet "${name}" coldkey`);
  }

  async loadHotkey(name: string, hotkey: string, password?: string): Promise<KeyringPair> {
    return this.#open(await this.#hotkeyPath(name, hotkey), password, `hotkey "${hotkey}" of wallet "${name}"`);
  }

  async #hotkeyPath(name: string, hotkey: string): Promise<string> {
    checkName("hotkey", hotkey);
    const path = join(await this.find(name), "hotkeys", hotkey);
    if (!(await exists(path))) throw new WalletError("HOTKEY_NOT_FOUND", `wallet "${name}" has no hotkey "${hotkey}"; create it with \`tensornode wallet new-hotkey --wallet ${name} --hotkey ${hotkey}\``);
    return path;
  }


  /** A hotkey's pair and its 32-byte seed (for fast Wasm signing of network messages). */
  async loadHotkeyKeys(name: string, hotkey: string, password?: string): Promise<{ pair: KeyringPair; seed: Uint8Array }> {
    const what = `hotkey "${hotkey}" of wallet "${name}"`;
    const contents = await this.#contents(await this.#hotkeyPath(name, hotkey), password, what);
    await cryptoWaitReady();
    const seed = contents.secretPhrase ? mnemonicToMiniSecret(contents.secretPhrase) : contents.secretSeed ? new Uint8Array(Buffer.from(contents.secretSeed.slice(2), "hex")) : undefined;
    if (!seed) throw new WalletError("NO_SECRET", `${what} holds no secret phrase or seed (only a public key); regenerate it from its mnemonic`);
    return { pair: this.#keyring.addFromSeed(seed), seed };
  }

  async #contents(path: string, password: string | undefined, what: string): Promise<KeyfileContents> {
    let data: Uint8Array;
    try {
      data = new Uint8Array(await readFile(path));
    } catch {
      throw new WalletError("WALLET_NOT_FOUND", `${what} is missing (${path})`);
    }
    if (keyfileEncoding(data) === "nacl" && password === undefined)
      throw new WalletError("NO_PASSWORD", `${what} is encrypted: give its password (TENSORNODE_WALLET_PASSWORD, --password-file, or the prompt)`);
    return parseKeyfileContents(await decryptKeyfileData(data, password ?? "", what), what);
  }

  async #open(path: string, password: string | undefined, what: string): Promise<KeyringPair> {
    const contents = await this.#contents(path, password, what);
    await cryptoWaitReady();
    if (contents.secretPhrase) return this.#keyring.addFromMnemonic(contents.secretPhrase);
    if (contents.secretSeed) return this.#keyring.addFromSeed(Buffer.from(contents.secretSeed.slice(2), "hex"));
    throw new WalletError("NO_SECRET", `${what} holds no secret phrase or seed (only a public key); regenerate it from its mnemonic`);
  }

}

/** A password for headless unlock: TENSORNODE_WALLET_PASSWORD, or the first line of a 0600 password file. */
export async function headlessPassword(env: Readonly<Record<string, string | undefined>>, passwordFile?: string): Promise<string | undefined> {
  if (passwordFile) {
    let info;
    try {
      info = await stat(passwordFile);
    } catch {
      throw new WalletError("NO_PASSWORD", `password file ${passwordFile} cannot be read`);
    }
    if ((info.mode & 0o077) !== 0) throw new WalletError("NO_PASSWORD", `password file ${passwordFile} is readable by others; chmod 600 it`);
    return (await readFile(passwordFile, "utf8")).split(/\r?\n/)[0];
  }
  const fromEnv = env.TENSORNODE_WALLET_PASSWORD;
  return fromEnv === undefined || fromEnv === "" ? undefined : fromEnv;
}
