/**
 * One process per data dir: a daemon holds its data dir's lock for as long as it runs. The lock is
 * LevelDB's own (an OS file lock on `<dir>/LOCK`), so a crash or a kill -9 releases it with the
 * process, and a second daemon on the same dir fails at start with `LEVEL_LOCKED`, which the CLI
 * turns into "another process is using this data dir" (src/cli/daemon-errors.ts).
 */
import { Level } from "level";

export interface DataDirLock {
  release(): Promise<void>;
}

/** Takes the lock at `path` (a folder made for it), or throws LEVEL_DATABASE_NOT_OPEN caused by LEVEL_LOCKED. */
export async function lockDataDir(path: string): Promise<DataDirLock> {
  const db = new Level(path);
  await db.open();
  return { release: () => db.close() };
}
