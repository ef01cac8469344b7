import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";

/**
 * Busy loops on every core (one child process each) until the returned function is called: the
 * "machine kept busy by another process" that the stop times and the e2e suite are checked under.
 */
export function cpuHog(cores = availableParallelism()): () => Promise<void> {
  const children = Array.from({ length: cores }, () => spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }));
  return async () => {
    await Promise.all(
      children.map((c) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : (c.once("exit", () => resolve()), c.kill("SIGKILL"))))),
    );
  };
}
