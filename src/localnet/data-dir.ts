/**
 * The local network's data dir, claimed for one run: refused (one line, exit 2) while another
 * localnet runs in it, refused when it holds an earlier network unless the run is fresh — then
 * only what a localnet writes there is removed — and marked as this run's until `release()`.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../util/errors.js";

/** What a local network writes in its data dir (besides one folder per validator). */
const ENTRIES = ["devnet", "wallets", "miners", "plugins", "logs", "tmp", "localnet.json"];
const LOCK = "localnet.pid";

/** A data dir that cannot be used now: said in one line with what to do (exit 2). */
export class DataDirError extends UserError<"DATA_DIR_IN_USE" | "DATA_DIR_HOLDS_NETWORK"> {}

export interface DataDirClaim {
  /** Ends the claim (the lock file goes; the network's files stay). Idempotent. */
  release(): void;
}

export interface ClaimOptions {
  /** Start over: remove an earlier network's files instead of refusing. */
  readonly fresh: boolean;
  /** What the network is, kept in localnet.json (plan, seed…). */
  readonly description: Readonly<Record<string, unknown>>;
  readonly pid: number;
  /** Whether a process runs (default: signal 0). */
  readonly isAlive?: (pid: number) => boolean;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The names of the entries of an earlier network found in `dir` (validator folders included). */
function earlierNetwork(dir: string): string[] {
  const found = ENTRIES.filter((name) => existsSync(join(dir, name)));
  if (found.length === 0) return [];
  const validators = Array.from({ length: 16 }, (_, i) => `validator${i + 1}`).filter((name) => existsSync(join(dir, name)));
  return [...found, ...validators];
}

export function claimDataDir(dir: string, options: ClaimOptions): DataDirClaim {
  const lockFile = join(dir, LOCK);
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, "utf8").trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== options.pid && (options.isAlive ?? processAlive)(pid))
      throw new DataDirError("DATA_DIR_IN_USE", `${dir} is in use by another tensornode localnet (pid ${pid}); stop it, or give this one its own --data-dir`);
  }
  const earlier = earlierNetwork(dir);
  if (earlier.length > 0) {
    if (!options.fresh)
      throw new DataDirError("DATA_DIR_HOLDS_NETWORK", `${dir} holds the local network of an earlier run; add --fresh to start it over there (its chain, wallets and logs are replaced), or give another --data-dir`);
    for (const name of earlier) rmSync(join(dir, name), { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(lockFile, `${options.pid}\n`);
  writeFileSync(join(dir, "localnet.json"), `${JSON.stringify({ ...options.description, startedAt: new Date().toISOString() }, null, 2)}\n`);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      rmSync(lockFile, { force: true });
    },
  };
}
