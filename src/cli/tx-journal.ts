/**
 * The CLI's journal of signed transactions: one JSON line per transaction, appended and synced
 * before the transaction is sent, so that a run interrupted or timed out after sending can still
 * say what was sent and `tensornode tx status HASH` can find out what became of it. It is also
 * what refuses an identical spend while an earlier one may still land.
 */
import { open, readFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { homedir } from "node:os";
import type { SignedTransaction } from "../chain/submit.js";
import { writeSecretFile } from "../util/secret-file.js";

export interface JournalEntry extends SignedTransaction {
  /** The endpoint it was sent to (a hint for `tx status`; the genesis hash is what identifies the chain). */
  readonly endpoint: string;
  readonly submittedAt: string;
}

/** Past this many entries the journal is rewritten with the newest KEEP_ENTRIES. */
const COMPACT_AT = 4000;
const KEEP_ENTRIES = 2000;

export function journalPath(env: Readonly<Record<string, string | undefined>>): string {
  return join(env.TENSORNODE_HOME ?? join(homedir(), ".tensornode"), "tx-journal.jsonl");
}

function isEntry(value: unknown): value is JournalEntry {
  const e = value as Partial<JournalEntry> | null;
  return (
    typeof e === "object" && e !== null &&
    typeof e.hash === "string" && typeof e.genesisHash === "string" && typeof e.signer === "string" && typeof e.callHex === "string" &&
    typeof e.nonce === "number" && typeof e.birthBlock === "number" && typeof e.deathBlock === "number"
  );
}

export class TxJournal {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  /** Every readable entry, oldest first; a torn or foreign line is skipped, never fatal. */
  async entries(): Promise<JournalEntry[]> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const entries: JournalEntry[] = [];
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      try {
        const value: unknown = JSON.parse(line);
        if (isEntry(value)) entries.push(value);
      } catch {
        // a line torn by a crash mid-append
      }
    }
    return entries;
  }

  /** Appends and syncs one entry (0600). */
  async record(entry: JournalEntry): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const file = await open(this.path, "a", 0o600);
    try {
      await file.appendFile(`${JSON.stringify(entry)}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
    const entries = await this.entries();
    if (entries.length > COMPACT_AT) await writeSecretFile(this.path, new TextEncoder().encode(entries.slice(-KEEP_ENTRIES).map((e) => `${JSON.stringify(e)}\n`).join("")));
  }

  async find(hash: string): Promise<JournalEntry | undefined> {
    const wanted = hash.toLowerCase();
    return (await this.entries()).findLast((e) => e.hash === wanted);
  }

  /** Earlier transactions of the same call by the same signer on the same chain, newest first. */
  async sameCall(genesisHash: string, signer: string, callHex: string): Promise<JournalEntry[]> {
    return (await this.entries()).filter((e) => e.genesisHash === genesisHash && e.signer === signer && e.callHex === callHex).reverse();
  }
}
