/**
 * The `tensornode` binary on a real pseudo-terminal (Python's pty module: on every Linux with
 * python3, no native addon), so that prompts, raw mode and Ctrl-C are the terminal's own: the test
 * types bytes, the line discipline and readline do the rest.
 */
import { spawn } from "node:child_process";
import { BIN } from "./process.js";

const RELAY = "import os, pty, sys\nsys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))";

export interface TerminalRun {
  /** Everything the terminal showed so far (stdout and stderr, with \r\n). */
  screen(): string;
  /** Types bytes on the terminal's keyboard. */
  type(text: string): void;
  /** Resolves once `pattern` is on the screen. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** The exit code. */
  readonly exited: Promise<number>;
  kill(): void;
}

export function runOnTerminal(args: readonly string[], env: Record<string, string>): TerminalRun {
  const child = spawn("python3", ["-c", RELAY, process.execPath, BIN, ...args], { env: { ...process.env, ...env, TERM: "dumb" }, stdio: ["pipe", "pipe", "pipe"] });
  let screen = "";
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    screen += chunk.toString();
    for (const wake of waiters) wake();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exited = new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? -1)));
  return {
    screen: () => screen,
    type: (text) => void child.stdin.write(text),
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!pattern.test(screen)) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern} on the terminal; it shows: ${JSON.stringify(screen.slice(-1000))}`));
        }, timeoutMs);
        const onExit = (): void => {
          check();
          cleanup();
          reject(new Error(`the program exited before showing ${pattern}; it showed: ${JSON.stringify(screen.slice(-1000))}`));
        };
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
          child.off("exit", onExit);
        };
        waiters.add(check);
        child.once("exit", onExit);
        check();
      }),
    exited,
    kill: () => void child.kill("SIGKILL"),
  };
}
