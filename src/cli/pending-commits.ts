/**
 * Weight commits made with `tensornode weights commit`, kept until revealed: uids, values, salt and
 * version key are written (0600, atomically) before the commit is sent, so `weights reveal` needs
 * nothing but the subnet and the hotkey — and a lost salt never strands a commit.
 */
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { homedir } from "node:os";
import { writeSecretFile } from "../util/secret-file.js";
import { UserError } from "../util/errors.js";

export interface PendingCommit {
  readonly netuid: number;
  readonly hotkey: string;
  readonly hash: string;
  readonly uids: readonly number[];
  readonly values: readonly number[];
  readonly salt: readonly number[];
  readonly versionKey: string;
  readonly createdAt: string;
}

export function commitsDir(env: Readonly<Record<string, string | undefined>>): string {
  return join(env.TENSORNODE_HOME ?? join(homedir(), ".tensornode"), "weight-commits");
}

const fileName = (c: Pick<PendingCommit, "netuid" | "hotkey" | "hash">): string => `${c.netuid}-${c.hotkey}-${c.hash.slice(2, 18)}.json`;

export async function savePendingCommit(dir: string, commit: PendingCommit): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, fileName(commit));
  await writeSecretFile(path, new TextEncoder().encode(`${JSON.stringify(commit, null, 2)}\n`));
  return path;
}

/** The hotkey's saved commits on a subnet, oldest first. */
export async function loadPendingCommits(dir: string, netuid: number, hotkey: string): Promise<PendingCommit[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const mine = names.filter((n) => n.startsWith(`${netuid}-${hotkey}-`) && n.endsWith(".json"));
  const commits = await Promise.all(
    mine.map(async (name) => {
      try {
        return JSON.parse(await readFile(join(dir, name), "utf8")) as PendingCommit;
      } catch (error) {
        throw new UserError("BAD_COMMIT_FILE", `saved commit ${join(dir, name)} cannot be read (${(error as Error).message}); move it away to continue`);
      }
    }),
  );
  return commits.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export async function removePendingCommit(dir: string, commit: PendingCommit): Promise<void> {
  await rm(join(dir, fileName(commit)), { force: true });
}
