/**
 * Keys are never lost: a key file is replaced only when the user says so twice — `--overwrite`,
 * then, on a terminal, a question that shows the old and the new address (without a terminal,
 * `--yes`) — and the old file is kept beside the new one as `<file>.backup-<time>` (0600).
 */
import { basename } from "node:path";
import type { ExistingKey } from "../wallet/wallet.js";
import { UserError } from "../util/errors.js";
import type { OptionSchema } from "./config.js";
import type { CliContext } from "./context.js";

export const OVERWRITE_OPTION: OptionSchema = {
  overwrite: {
    type: "boolean",
    default: false,
    help: "replace an existing key: asked again on a terminal with both addresses (--yes without one); the old file is kept beside it as <file>.backup-<time>",
  },
};

/** Resolves when `existing` may be replaced by the key of `newAddress`; refuses (nothing changed) otherwise. */
export async function confirmReplacement(ctx: CliContext, values: Readonly<Record<string, unknown>>, what: string, existing: ExistingKey, newAddress: string): Promise<void> {
  const old = existing.address ?? `unknown address: no public file beside ${existing.path}`;
  if (values.overwrite !== true)
    throw new UserError("KEY_EXISTS", `${what} already exists (${old}); nothing was changed. To replace it with ${newAddress}, add --overwrite (the old file is kept as a backup)`);
  if (existing.address === newAddress || values.yes === true) return;
  if (!ctx.prompt) throw new UserError("NOT_CONFIRMED", `replacing ${what} (${old}) with ${newAddress} needs --yes without a terminal; nothing was changed`);
  const answer = await ctx.prompt(`replace ${what}?\n  old ${old}\n  new ${newAddress}\nthe old file is kept as ${basename(existing.path)}.backup-<time> [y/N] `, { secret: false });
  if (!["y", "yes"].includes(answer.trim().toLowerCase())) throw new UserError("NOT_CONFIRMED", "cancelled; nothing was changed");
}

/** The line that says where the replaced key went. */
export function backupLine(backups: readonly string[]): string {
  return backups.length === 0 ? "" : `  the old key is kept in ${backups.join(" and ")}\n`;
}
