/**
 * A daemon's state errors as the README promises them: one line, exit 2, with what to do — a data
 * dir another process holds, state kept for another hotkey or chain, a corrupt store, a port in
 * use. Errors of these kinds come from layers below the CLI as coded errors (or Node's system
 * errors); anything else is left as it is (an unexpected failure keeps its stack).
 */
import { UserError } from "../util/errors.js";

interface Coded {
  readonly name: string;
  readonly code?: unknown;
  readonly message: string;
  readonly cause?: unknown;
}

const asCoded = (error: unknown): Coded | undefined => (error instanceof Error ? (error as Coded) : undefined);

/** The user error that `error` stands for, or undefined when it is not a state error. */
export function stateError(error: unknown, what: { readonly dataDirOption?: string } = {}): UserError | undefined {
  const e = asCoded(error);
  if (!e) return undefined;
  const dataDir = what.dataDirOption ?? "--data-dir";
  const code = typeof e.code === "string" ? e.code : undefined;
  if (e.name === "StoreError" && code === "STORE_UNAVAILABLE") return new UserError("DATA_DIR_BUSY", `${e.message.replace(/; is another process using this data dir\?$/, "")}: another process is using this data dir; stop it, or give this one its own ${dataDir}`);
  if (e.name === "StoreError" && code === "STORE_CORRUPT") return new UserError("STATE_CORRUPT", `${e.message}; move the data dir aside (or give another ${dataDir}) to start with an empty state`);
  if (e.name === "ValidatorStateError" && code === "STATE_MISMATCH") return new UserError("STATE_MISMATCH", e.message);
  if (e.name === "ValidatorStateError" && code === "STATE_CORRUPT") return new UserError("STATE_CORRUPT", `${e.message}; move the data dir aside (or give another ${dataDir}) to start with an empty state`);
  // classic-level: the database is locked by another process (its cause says so).
  const cause = asCoded(e.cause);
  if (code === "LEVEL_DATABASE_NOT_OPEN" && cause?.code === "LEVEL_LOCKED") return new UserError("DATA_DIR_BUSY", `a database in the data dir is locked (${cause.message}): another process is using this data dir; stop it, or give this one its own ${dataDir}`);
  if (code === "LEVEL_LOCKED") return new UserError("DATA_DIR_BUSY", `a database in the data dir is locked (${e.message}): another process is using this data dir; stop it, or give this one its own ${dataDir}`);
  if (code === "EADDRINUSE") return new UserError("PORT_IN_USE", `${e.message}: the port is in use (another daemon?); choose another`);
  if (code === "EACCES" || code === "EROFS" || code === "ENOTDIR") return new UserError("DATA_DIR_UNWRITABLE", `${e.message}; give a ${dataDir} this user can write to`);
  return undefined;
}

/** Runs a daemon command, its state errors turned into one-line user errors. */
export async function withStateErrors<T>(work: () => Promise<T>, what: { readonly dataDirOption?: string } = {}): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw stateError(error, what) ?? error;
  }
}
