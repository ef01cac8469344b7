/**
 * What the chain commands share: which chain (--network / --chain), one connection per command run
 * (always closed), wallet keys opened with a clear error (and a hidden prompt on a terminal),
 * confirmation before spending (--yes for scripts), and progress on stderr while a transaction waits.
 */
import { Keyring } from "@polkadot/keyring";
import type { KeyringPair } from "@polkadot/keyring/types";
import { cryptoWaitReady, decodeAddress, encodeAddress } from "@polkadot/util-crypto";
import { connectChain, NETWORK_ENDPOINTS } from "../chain/connection.js";
import type { ReaderLog } from "../chain/reads.js";
import { createLogger } from "../util/logger.js";
import { SubtensorOperations, type OperationOptions } from "../chain/operations.js";
import { headlessPassword, WalletStore, walletRoots } from "../wallet/wallet.js";
import { requireDevChain } from "../chain/networks.js";
import { DeferredKey } from "../chain/signer.js";
import { mayStillLand, type SignedTransaction } from "../chain/submit.js";
import { mayStillBeIncluded } from "../chain/tx-status.js";
import { InterruptedError, isInterrupted, UserError } from "../util/errors.js";
import { PROMPT_INTERRUPTED } from "./context.js";
import { journalPath, TxJournal } from "./tx-journal.js";
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

export const URI_OPTION: OptionSchema = {
  // No conflict with --wallet: commands that take a hotkey still find it in --wallet's folder.
  uri: { type: "string", help: "sign with a dev key instead of the wallet's coldkey, e.g. //Alice (the hotkey, where one is needed, is still --wallet's) — dev chains only: refused on finney and the test network" },
};
export const FORCE_OPTION: OptionSchema = {
  force: { type: "boolean", default: false, help: "send even though an identical transaction sent earlier may still be included (it would then be paid twice)" },
};

/** What every command that signs with the wallet's coldkey takes: chain, wallet or dev key, password, --yes, --timeout, --force. */
export const COLDKEY_SIGNED_OPTIONS: OptionSchema = { ...CHAIN_OPTIONS, ...WALLET_OPTION, ...URI_OPTION, ...PASSWORD_OPTION, ...YES_OPTION, ...TIMEOUT_OPTION, ...FORCE_OPTION };

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

/** The command's line for checking a transaction later (with --chain when it was not the local devnet). */
export function txStatusCommand(hash: string, endpoint: string): string {
  return `tensornode tx status ${hash}${endpoint === NETWORK_ENDPOINTS.local ? "" : ` --chain ${endpoint}`}`;
}

/** A dev account's key from a secret URI (//Alice, //Bob//stash, a mnemonic with a path …). */
export async function devKey(uri: string, flag = "--uri"): Promise<KeyringPair> {
  await cryptoWaitReady();
  try {
    return new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri(uri);
  } catch (error) {
    throw new UserError("BAD_URI", `${flag}: "${uri.startsWith("//") ? uri : "…"}" is not a secret URI such as //Alice (${error instanceof Error ? error.message : String(error)})`);
  }
}

/**
 * A connection for commands that sign with the coldkey: the key opened only after the chain's
 * checks (DeferredKey), every signed transaction journaled before it is sent, an identical one
 * refused while an earlier one may still land (unless --force), and Ctrl-C answered at once with
 * what was sent.
 */
export interface SigningSession {
  readonly ops: SubtensorOperations;
  /** Progress, the journal and the duplicate guard, for each operation. */
  readonly options: OperationOptions;
  /** The signer: --uri's dev key (dev chains only) or the wallet's coldkey; `question` is asked (unless --yes) before the key is opened. */
  coldkey(question?: string): Promise<DeferredKey>;
}

export async function withSigningChain<T>(ctx: CliContext, values: Values, fn: (session: SigningSession) => Promise<T>): Promise<T> {
  const endpoint = chainEndpoint(values);
  const journal = new TxJournal(journalPath(ctx.env));
  let lastSigned: SignedTransaction | undefined;
  const sent = (): string => (lastSigned === undefined ? "nothing was sent" : `${lastSigned.what}: ${mayStillLand(lastSigned)}; check with \`${txStatusCommand(lastSigned.hash, endpoint)}\``);
  let unsubscribe: (() => void) | undefined;
  const interrupted = new Promise<never>((_, reject) => {
    unsubscribe = ctx.onInterrupt?.((signal) => reject(new InterruptedError(`interrupted (${signal}); ${sent()}`)));
  });
  // Interruption before the connection exists also ends the command.
  interrupted.catch(() => undefined);
  try {
    return await Promise.race([
      interrupted,
      withChain(values, async (ops) => {
        const genesisHash = ops.read.genesisHash();
        const session: SigningSession = {
          ops,
          options: {
            ...operationOptions(ctx, values),
            beforeSign: async ({ signer, callHex, what }) => {
              if (values.force === true) return;
              const earlierCalls = await journal.sameCall(genesisHash, signer, callHex);
              if (earlierCalls.length === 0) return;
              // Two reads whatever the journal holds: every earlier call is the same signer's.
              const [head, accountNonce] = await Promise.all([ops.read.blockNumber(), ops.read.accountNonce(signer)]);
              const earlier = earlierCalls.find((e) => mayStillBeIncluded(e, { head: Number(head), accountNonce }));
              if (earlier)
                throw new UserError(
                  "DUPLICATE_PENDING",
                  `${what}: an identical transaction, ${earlier.hash} (sent ${earlier.submittedAt}), may still be included until block ${earlier.deathBlock - 1}; nothing was sent. Check it with \`${txStatusCommand(earlier.hash, endpoint)}\`, or pass --force to send another (both may land)`,
                );
            },
            howToCheck: (hash) => txStatusCommand(hash, endpoint),
            onSigned: async (tx) => {
              await journal.record({ ...tx, endpoint, submittedAt: new Date().toISOString() });
              lastSigned = tx;
            },
          },
          coldkey: (question) => coldkeySigner(ctx, values, ops, question),
        };
        return fn(session);
      }),
    ]);
  } catch (error) {
    if (isInterrupted(error) && error.message === PROMPT_INTERRUPTED) throw new InterruptedError(`interrupted at the prompt; ${sent()}`);
    throw error;
  } finally {
    unsubscribe?.();
  }
}

async function coldkeySigner(ctx: CliContext, values: Values, ops: SubtensorOperations, question: string | undefined): Promise<DeferredKey> {
  const ask = async (): Promise<void> => {
    if (question !== undefined) await confirm(ctx, values, question);
  };
  if (typeof values.uri === "string") {
    requireDevChain(ops.read.genesisHash(), "dev keys (--uri)");
    const pair = await devKey(values.uri);
    ctx.stderr(`signing with the dev key ${values.uri.startsWith("//") ? values.uri : "(--uri)"}: ${pair.address}\n`);
    return new DeferredKey(pair.address, async () => {
      await ask();
      return pair;
    });
  }
  const name = String(values.wallet);
  const address = await walletStore(ctx).coldkeyAddress(name);
  return new DeferredKey(address, async () => {
    await ask();
    return unlockColdkey(ctx, values);
  });
}

/** Connects, runs `fn` with the chain's operations, and always disconnects. */
export async function withChain<T>(values: Values, fn: (ops: SubtensorOperations) => Promise<T>): Promise<T> {
  const chain = await connectChain(chainEndpoint(values), { timeoutMs: 10_000, ...debugLog(values) });
  try {
    return await fn(new SubtensorOperations(chain));
  } finally {
    await chain.close();
  }
}

/** With TENSORNODE_LOG_LEVEL (or --config's logLevel) at debug or trace, the client's debug lines on stderr. */
export function debugLog(values: Values): { log?: ReaderLog } {
  const level = values.logLevel;
  return level === "debug" || level === "trace" ? { log: createLogger({ level, format: "human" }) } : {};
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
