/** Files only their owner may read (keys, passwords' products, commit salts), written so a crash never leaves half of one. */
import { randomBytes } from "node:crypto";
import { chmod, open, rename, rm } from "node:fs/promises";

/** Writes `data` to `path` 0600: a synced temporary file, then a rename (the old file or the new one, never half). */
export async function writeSecretFile(path: string, data: Uint8Array): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    const file = await open(temporary, "wx", 0o600);
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    // The mode given to open() is filtered by the umask; make sure it is exactly 0600.
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
