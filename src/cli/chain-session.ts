/**
 * What the chain commands share: which chain (--network / --chain), one connection per command run
 * (always closed), wallet keys opened with a clear error (and a hidden prompt on a terminal),
 * confirmation before spending (--yes for scripts), and progress on stderr while a transaction waits.
 */
import type { KeyringPair } from "@polkadot/keyring/types";
import { decodeAddress, encodeAddress } from "@polkadot/util-crypto";
import { connectChain, NETWORK_ENDPOINTS } from "../chain/connection.js";
import { SubtensorOperations, type OperationOptions } from "../chain/operations.js";
import { headlessPassword, WalletStore, walletRoots } from "../wallet/wallet.js";
import { UserError } from "../util/errors.js";
import type { OptionSchema } from "./config.js";
import type { CliContext } from "./context.js";

export const CHAIN_OPTIONS: OptionSchema = {
  network: { type: "enum", values: ["local", "test", "finney"], default: "local", help: "which chain: the local devnet, Bittensor's test network, or finney" },
  chain: { type: "string", help: "a node's WebSocket endpoint (ws://… or wss://…), instead of --network", conflicts: { keys: ["network"], code: "BAD_CHAIN" } },
};
export const WALLET_OPTION: OptionSchema = { wallet: { type: "string", default: "default", help: "wallet name" } };
export const HOTKEY_OPTION: OptionSchema = { hotkey: { type: "string", default: "default", help: "hotkey name in the wallet" } };
export const PASSWORD_OPTION: OptionSchema = {
  passwordFile: { type: "string", help: "file holding the coldkey password on its first line (chmod 600); or set TENSORNODE_WALLET_PASSWORD; on a terminal you are asked" },
};
export const JSON_OPTION: OptionSchema = { json: { type: "boolean", default: false, help: "print JSON (amounts in rao as decimal strings: docs/cli-json.md)" } };
export const YES_OPTION: OptionSchema = { yes: { type: "boolean", default: false, help: "do not ask for confirmation (for scripts)" } };
export const NETUID_OPTION: OptionSchema = { netuid: { type: "integer", min: 0, max: 65535, help: "the subnet" } };
export const TIMEOUT_OPTION: OptionSchema = { timeout: { type: "integer", min: 1, max: 3600, default: 60, help: "seconds to wait for inclusion" } };

/** What every command that signs with the wallet's coldkey takes: chain, wallet, password, --yes, --timeout. */
export const COLDKEY_SIGNED_OPTIONS: OptionSchema = { ...CHAIN_OPTIONS, ...WALLET_OPTION, ...PASSWORD_OPTION, ...YES_OPTION, ...TIMEOUT_OPTION };

export type Values = Readonly<Record<string, unknown>>;

export function chainEndpoint(values: Values): string {
  if (typeof values.chain === "string") {
    if (!/^wss?:\/\/\S+$/.test(values.chain)) throw new UserError("BAD_CHAIN", `--chain: "${values.chain}" is not a ws:// or wss:// endpoint`);
    return values.chain;
  }
  return NETWORK_ENDPOINTS[(values.network as keyof typeof NETWORK_ENDPOINTS | undefined) ?? "local"];
}

/** An SS58 address, re-encoded with subtensor's prefix 42; a clear error otherwise. */
export function parseAddress(text: string, flag: string): string {
  try {
    return encodeAddress(decodeAddress(text), 42);
  } catch {
    throw new UserError("BAD_ADDRESS", `${flag}: "${text}" is not an SS58 address`);
  }
}

export function requireNetuid(values: Values): number {
  if (values.netuid === undefined) throw new UserError("NO_NETUID", "--netuid is required (the subnet)");
  return Number(values.netuid);
}

export function requireString(values: Values, key: string, flag: string, why: string): string {
  const value = values[key];
  if (typeof value !== "string") throw new UserError("MISSING_OPTION", `${flag} is required (${why})`);
  return value;
}

/** Connects, runs `fn` with the chain's operations, and always disconnects. */
export async function withChain<T>(values: Values, fn: (ops: SubtensorOperations) => Promise<T>): Promise<T> {
  const chain = await connectChain(chainEndpoint(values), { timeoutMs: 10_000 });
  try {
    return await fn(new SubtensorOperations(chain));
  } finally {
    await chain.close();
  }
}

export function walletStore(ctx: CliContext): WalletStore {
  return new WalletStore(walletRoots(ctx.env));
}

/** The wallet's coldkey, unlocked: password from the environment, a file, or a hidden prompt on a terminal. */
export async function unlockColdkey(ctx: CliContext, values: Values): Promise<KeyringPair> {
  const name = String(values.wallet);
  const store = walletStore(ctx);
  await store.find(name);
  let password = await headlessPassword(ctx.env, typeof values.passwordFile === "string" ? values.passwordFile : undefined);
  if (password === undefined && ctx.prompt) password = await ctx.prompt(`password for the coldkey of wallet "${name}": `, { secret: true });
  return store.unlockColdkey(name, password);
}

export async function loadHotkey(ctx: CliContext, values: Values): Promise<KeyringPair> {
  return walletStore(ctx).loadHotkey(String(values.wallet), String(values.hotkey));
}

/** The hotkey's address from its public file (no secret needed). */
export async function hotkeyAddress(ctx: CliContext, values: Values): Promise<string> {
  return (await loadHotkey(ctx, values)).address;
}

/** Asks before spending unless --yes; without a terminal, --yes is required (a script never hangs on a question). */
export async function confirm(ctx: CliContext, values: Values, question: string): Promise<void> {
  if (values.yes === true) return;
  if (!ctx.prompt) throw new UserError("NOT_CONFIRMED", `${question} — not confirmed: pass --yes to run without a terminal`);
  const answer = (await ctx.prompt(`${question} [y/N] `, { secret: false })).trim().toLowerCase();
  if (answer !== "y" && answer !== "yes") throw new UserError("NOT_CONFIRMED", "cancelled; nothing was sent");
}

/** Progress lines on stderr (stdout stays clean for --json), and the inclusion time-out. */
export function operationOptions(ctx: CliContext, values: Values): OperationOptions {
  return {
    timeoutMs: Number(values.timeout ?? 60) * 1000,
    onProgress: (message) => ctx.stderr(`${message}\n`),
  };
}
