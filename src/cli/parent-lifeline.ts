/**
 * A daemon started by another process (the local network) stops with it: with
 * TENSORNODE_STOP_WITH_PARENT=1 its stdin is a pipe the parent holds, and the end of that pipe —
 * the parent exited, even by SIGKILL — counts as a request to stop, like SIGTERM.
 */
import type { Readable } from "node:stream";

export const PARENT_GONE = "parent exited";

/** `shutdown`, or the end of `stdin` when the environment asks for it, whichever comes first. */
export function shutdownOrParentGone(shutdown: Promise<string>, env: Readonly<Record<string, string | undefined>>, stdin: Readable): Promise<string> {
  if (env.TENSORNODE_STOP_WITH_PARENT !== "1") return shutdown;
  const gone = new Promise<string>((resolve) => {
    const done = (): void => resolve(PARENT_GONE);
    stdin.once("end", done);
    stdin.once("close", done);
    stdin.once("error", done);
    // Read (and drop) whatever comes, so that the end is seen — without keeping the process
    // alive: a daemon that fails at start must still exit.
    stdin.on("data", () => undefined);
    stdin.resume();
    (stdin as Readable & { unref?: () => void }).unref?.();
  });
  // Once asked to stop, stdin lets go: a pipe still read would keep the process from exiting.
  return Promise.race([shutdown, gone]).finally(() => stdin.destroy());
}
