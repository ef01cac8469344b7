/**
 * `tensornode tx status HASH`: what became of a transaction this CLI sent (or any other, searched in
 * the last blocks): included (block, events, success or the chain's error), still pending, or
 * dropped once its mortality passed or its nonce was taken. The local journal supplies what the
 * sender knew (signer, nonce, mortality); the chain says the rest.
 */
import type { Command } from "commander";
import { transactionStatus, type TxStatus } from "../../chain/tx-status.js";
import { UserError } from "../../util/errors.js";
import type { CliContext } from "../context.js";
import { toJsonText } from "../json-output.js";
import { addSubcommand } from "../options.js";
import { CHAIN_OPTIONS, JSON_OPTION, withChain } from "../chain-session.js";
import { journalPath, TxJournal, type JournalEntry } from "../tx-journal.js";

const HASH = /^0x[0-9a-fA-F]{64}$/;

function describe(status: TxStatus, entry: JournalEntry | undefined): string {
  const what = entry ? `${entry.what} (${entry.signer}, nonce ${entry.nonce})` : "the transaction";
  switch (status.state) {
    case "included":
      return (
        `included: ${what} is in block ${status.blockNumber} (${status.blockHash}), extrinsic ${status.index}, ${status.success ? "succeeded" : `failed: ${status.error}`}\n` +
        status.events.map((e) => `  event ${e.section}.${e.method} ${JSON.stringify(e.data)}\n`).join("")
      );
    case "pending":
      return `pending: ${what} is ${status.inPool ? "in the node's pool" : "not in this node's pool but still valid"}${status.validUntil !== undefined ? ` until block ${status.validUntil}` : ""} (head ${status.head}); it may still be included\n`;
    case "dropped":
      return `dropped: ${what} — ${status.reason} (head ${status.head})\n`;
    case "unknown":
      return `unknown: not in this CLI's journal, not in the node's pool, and not in blocks ${status.searchedFrom}–${status.head}\n`;
  }
}

export function registerTxCommand(program: Command, ctx: CliContext): void {
  const tx = program.command("tx").description("transactions this CLI sent: what became of them");
  addSubcommand(tx, "status", "included (with block and events), still pending, or dropped once its mortality passed", { ...CHAIN_OPTIONS, ...JSON_OPTION }, async (v, command) => {
    const hash = String(command.args[0] ?? "");
    if (!HASH.test(hash)) throw new UserError("BAD_HASH", `"${hash}" is not a transaction hash (0x and 64 hex digits)`);
    const entry = await new TxJournal(journalPath(ctx.env)).find(hash);
    const status = await withChain(v, async (ops) => {
      const genesisHash = ops.read.genesisHash();
      if (entry && entry.genesisHash !== genesisHash)
        throw new UserError("WRONG_CHAIN", `${hash} was sent to another chain (genesis ${entry.genesisHash.slice(0, 10)}…, at ${entry.endpoint}), not to ${ops.chain.endpoint}; pass --chain ${entry.endpoint}`);
      return transactionStatus(ops.chain.api, entry ?? { hash });
    });
    if (v.json) ctx.stdout(`${toJsonText({ hash: hash.toLowerCase(), ...status, ...(entry ? { what: entry.what, signer: entry.signer, nonce: entry.nonce, birthBlock: entry.birthBlock, deathBlock: entry.deathBlock } : {}) })}\n`);
    else ctx.stdout(describe(status, entry));
  }).argument("<hash>", "the transaction's hash, as the CLI printed it when it sent it");
}
