/**
 * `tensornode wallet create|new-hotkey|regen-coldkey|regen-hotkey|list|show|balance|transfer|overview|faucet`: Bittensor-compatible
 * wallets (src/wallet). Passwords come from TENSORNODE_WALLET_PASSWORD or a 0600 --password-file;
 * mnemonics are printed once, at creation, and never logged.
 */
import type { Command } from "commander";
import { headlessPassword, WalletStore, walletRoots } from "../../wallet/wallet.js";
import { UserError } from "../../util/errors.js";
import type { OptionSchema } from "../config.js";
import type { CliContext } from "../context.js";
import { addSubcommand } from "../options.js";
import { renderTable } from "../table.js";
import { formatTao, parseTao } from "../../chain/units.js";
import { toJsonText } from "../json-output.js";
import { registerWalletOverviewCommand } from "./wallet-overview.js";
import { registerFaucetCommand } from "./faucet.js";
import { backupLine, confirmReplacement, OVERWRITE_OPTION } from "../key-replacement.js";
import { CHAIN_OPTIONS, COLDKEY_SIGNED_OPTIONS, HOTKEY_OPTION, JSON_OPTION, parseAddress, PASSWORD_OPTION, requireString, WALLET_OPTION, withChain, withSigningChain, YES_OPTION } from "../chain-session.js";

const MNEMONIC: OptionSchema = { mnemonic: { type: "string", help: "the 12 or 24 words to regenerate from (kept out of logs; mind your shell history)" } };

/** A new coldkey's password: from the environment or a file, else asked twice on a terminal. */
async function requirePassword(ctx: CliContext, file: unknown): Promise<string> {
  const password = await headlessPassword(ctx.env, typeof file === "string" ? file : undefined);
  if (password !== undefined) return password;
  if (!ctx.prompt) throw new UserError("NO_PASSWORD", "no coldkey password: set TENSORNODE_WALLET_PASSWORD or pass --password-file FILE (a file only you can read)");
  const first = await ctx.prompt("password for the coldkey: ", { secret: true });
  const again = await ctx.prompt("the same password again: ", { secret: true });
  if (first !== again) throw new UserError("NO_PASSWORD", "the two passwords differ; nothing was written");
  return first;
}

export function registerWalletCommand(program: Command, ctx: CliContext): void {
  const wallet = program.command("wallet").description("Bittensor-compatible wallets: coldkeys (encrypted) and hotkeys, in ~/.bittensor's layout");
  const store = (): WalletStore => new WalletStore(walletRoots(ctx.env));
  const sub = (name: string, description: string, schema: OptionSchema, run: (values: Readonly<Record<string, unknown>>) => Promise<void>): void =>
    void addSubcommand(wallet, name, description, schema, run);
  const printMnemonic = (what: string, address: string, mnemonic: string): void =>
    ctx.stdout(`${what} ${address}\n  mnemonic (write it down, it is shown only now): ${mnemonic}\n`);

  sub("create", "create a wallet: an encrypted coldkey and a hotkey", { ...WALLET_OPTION, ...HOTKEY_OPTION, ...PASSWORD_OPTION }, async (v) => {
    const name = String(v.wallet);
    const existing = await store().existingColdkey(name);
    if (existing)
      throw new UserError(
        "KEY_EXISTS",
        `wallet "${name}" already has a coldkey (${existing.address ?? existing.path}); nothing was changed. Choose another --wallet, or replace it from its mnemonic with \`tensornode wallet regen-coldkey --wallet ${name} --mnemonic WORDS --overwrite\``,
      );
    if (await store().existingHotkey(name, String(v.hotkey)))
      throw new UserError("KEY_EXISTS", `wallet "${name}" already has a hotkey "${String(v.hotkey)}"; nothing was changed. Choose another --hotkey`);
    const password = await requirePassword(ctx, v.passwordFile);
    const coldkey = await store().createColdkey(String(v.wallet), password);
    printMnemonic(`coldkey of wallet "${String(v.wallet)}":`, coldkey.address, coldkey.mnemonic);
    const hotkey = await store().createHotkey(String(v.wallet), String(v.hotkey));
    printMnemonic(`hotkey "${String(v.hotkey)}":`, hotkey.address, hotkey.mnemonic);
  });
  sub("new-hotkey", "add a hotkey to a wallet", { ...WALLET_OPTION, ...HOTKEY_OPTION }, async (v) => {
    await store().find(String(v.wallet));
    if (await store().existingHotkey(String(v.wallet), String(v.hotkey)))
      throw new UserError(
        "KEY_EXISTS",
        `hotkey "${String(v.hotkey)}" of wallet "${String(v.wallet)}" already exists; nothing was changed. Choose another --hotkey, or replace it from its mnemonic with \`tensornode wallet regen-hotkey --wallet ${String(v.wallet)} --hotkey ${String(v.hotkey)} --mnemonic WORDS --overwrite\``,
      );
    const hotkey = await store().createHotkey(String(v.wallet), String(v.hotkey));
    printMnemonic(`hotkey "${String(v.hotkey)}" of wallet "${String(v.wallet)}":`, hotkey.address, hotkey.mnemonic);
  });
  sub("regen-coldkey", "regenerate a coldkey from its mnemonic (an existing one is replaced only with --overwrite, and kept as a backup)", { ...WALLET_OPTION, ...MNEMONIC, ...PASSWORD_OPTION, ...OVERWRITE_OPTION, ...YES_OPTION }, async (v) => {
    if (typeof v.mnemonic !== "string") throw new UserError("NO_MNEMONIC", "--mnemonic is required to regenerate a coldkey");
    const name = String(v.wallet);
    const address = await store().addressOf(v.mnemonic);
    const existing = await store().existingColdkey(name);
    if (existing) await confirmReplacement(ctx, v, `the coldkey of wallet "${name}"`, existing, address);
    const password = await requirePassword(ctx, v.passwordFile);
    const coldkey = await store().createColdkey(name, password, { mnemonic: v.mnemonic, overwrite: existing !== undefined });
    ctx.stdout(`coldkey of wallet "${name}": ${coldkey.address}\n${backupLine(coldkey.backups)}`);
  });
  sub("regen-hotkey", "regenerate a hotkey from its mnemonic (an existing one is replaced only with --overwrite, and kept as a backup)", { ...WALLET_OPTION, ...HOTKEY_OPTION, ...MNEMONIC, ...OVERWRITE_OPTION, ...YES_OPTION }, async (v) => {
    if (typeof v.mnemonic !== "string") throw new UserError("NO_MNEMONIC", "--mnemonic is required to regenerate a hotkey");
    const [name, hotkeyName] = [String(v.wallet), String(v.hotkey)];
    const address = await store().addressOf(v.mnemonic);
    const existing = await store().existingHotkey(name, hotkeyName);
    if (existing) await confirmReplacement(ctx, v, `hotkey "${hotkeyName}" of wallet "${name}"`, existing, address);
    const hotkey = await store().createHotkey(name, hotkeyName, { mnemonic: v.mnemonic, overwrite: existing !== undefined });
    ctx.stdout(`hotkey "${hotkeyName}" of wallet "${name}": ${hotkey.address}\n${backupLine(hotkey.backups)}`);
  });
  sub("list", "list the wallets and their hotkeys", JSON_OPTION, async (v) => {
    const wallets = await store().list();
    if (v.json) {
      ctx.stdout(`${toJsonText(wallets.map((w) => ({ wallet: w.name, path: w.path, coldkey: w.coldkeyAddress ?? null, hotkeyNames: w.hotkeys })))}\n`);
      return;
    }
    if (wallets.length === 0) {
      ctx.stdout(`no wallets in ${store().roots.join(" or ")}; create one with \`tensornode wallet create\`\n`);
      return;
    }
    ctx.stdout(
      `${renderTable(
        [
          { header: "wallet", value: (w) => w.name, align: "left" },
          { header: "coldkey", value: (w) => w.coldkeyAddress ?? "?", align: "left" },
          { header: "hotkeys", value: (w) => w.hotkeys.join(", "), align: "left" },
          { header: "path", value: (w) => w.path, align: "left" },
        ],
        wallets,
      )}\n`,
    );
  });
  sub("balance", "show a wallet's free TAO on chain", { ...WALLET_OPTION, address: { type: "string", help: "any coldkey address (SS58) instead of --wallet", conflicts: { keys: ["wallet"], code: "CONFLICTING_OPTIONS" } }, ...CHAIN_OPTIONS, ...JSON_OPTION }, async (v) => {
    const address = typeof v.address === "string" ? parseAddress(v.address, "--address") : await store().coldkeyAddress(String(v.wallet));
    const { free, reserved } = await withChain(v, async (ops) => {
      const account = await ops.chain.api.query.system.account(address);
      return { free: account.data.free.toBigInt(), reserved: account.data.reserved.toBigInt() };
    });
    if (v.json) ctx.stdout(`${toJsonText({ coldkey: address, free, reserved })}\n`);
    else ctx.stdout(`${address}: ${formatTao(free)} TAO free${reserved > 0n ? `, ${formatTao(reserved)} TAO reserved` : ""}\n`);
  });
  const TRANSFER: OptionSchema = {
    ...COLDKEY_SIGNED_OPTIONS,
    dest: { type: "string", help: "the destination address (SS58)" },
    amount: { type: "string", help: "TAO to send, e.g. 1.5" },
    allowDeath: { type: "boolean", default: false, help: "allow the sender's balance to fall below the existential deposit (the account is reaped)" },
    ...JSON_OPTION,
  };
  sub("transfer", "send TAO from the wallet's coldkey", TRANSFER, async (v) => {
    const dest = parseAddress(requireString(v, "dest", "--dest", "where to send"), "--dest");
    const amount = parseTao(requireString(v, "amount", "--amount", "how much TAO to send"), "--amount");
    await withSigningChain(ctx, v, async ({ ops, options, coldkey: signer }) => {
      const coldkey = await signer(`send ${formatTao(amount)} TAO from ${typeof v.uri === "string" ? v.uri : `wallet "${String(v.wallet)}"`} to ${dest}?`);
      const included = await ops.transfer(coldkey, dest, amount, { ...options, allowDeath: v.allowDeath === true });
      if (v.json) ctx.stdout(`${toJsonText({ coldkey: coldkey.address, dest, amount, blockHash: included.blockHash })}\n`);
      else ctx.stdout(`sent ${formatTao(amount)} TAO to ${dest}\n`);
    });
  });
  sub("show", "show a wallet's coldkey and hotkey addresses", { ...WALLET_OPTION, ...JSON_OPTION }, async (v) => {
    const name = String(v.wallet);
    const s = store();
    const coldkey = await s.coldkeyAddress(name);
    const summary = (await s.list()).find((w) => w.name === name)!;
    const hotkeys = await Promise.all(summary.hotkeys.map(async (hk) => ({ hotkeyName: hk, hotkey: (await s.loadHotkey(name, hk)).address })));
    if (v.json) ctx.stdout(`${toJsonText({ wallet: name, path: summary.path, coldkey, hotkeys })}\n`);
    else ctx.stdout(`wallet "${name}" (${summary.path})\n  coldkey ${coldkey}\n${hotkeys.map((h) => `  hotkey ${h.hotkeyName}: ${h.hotkey}\n`).join("")}`);
  });
  registerWalletOverviewCommand(wallet, ctx);
  registerFaucetCommand(wallet, ctx);
}
