/** What commands need from the process, injected so that tests can capture output. */
import { createInterface } from "node:readline";
import { InterruptedError } from "../util/errors.js";

export interface CliContext {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly isTTY: boolean;
  /** Resolves with the signal's name when the process is asked to stop (SIGINT, SIGTERM). */
  waitForShutdown(): Promise<string>;
  /** Asks the user on a terminal (a secret is not echoed); absent when there is no terminal to ask on. Ctrl-C or Ctrl-D rejects with an InterruptedError. */
  readonly prompt?: (question: string, options: { secret: boolean }) => Promise<string>;
  /** Calls `listener` on the first SIGINT or SIGTERM until the returned function is called (a one-shot command's own handling of Ctrl-C). */
  readonly onInterrupt?: (listener: (signal: string) => void) => () => void;
}

/** What a prompt interrupted by the user throws; the command that asked turns it into what it has (not) sent. */
export const PROMPT_INTERRUPTED = "interrupted at the prompt; nothing was sent";

/** Reads one line from the terminal; a secret answer is not echoed. */
function terminalPrompt(question: string, { secret }: { secret: boolean }): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (secret) {
    // readline echoes through _writeToOutput; print the question, then nothing of what is typed.
    const internals = rl as unknown as { _writeToOutput(text: string): void };
    let asked = false;
    internals._writeToOutput = (text: string) => {
      if (!asked) {
        asked = true;
        process.stderr.write(text);
      }
    };
  }
  return new Promise((resolve, reject) => {
    let answered = false;
    // Raw mode turns Ctrl-C into a keypress that readline reports here instead of as a signal.
    rl.on("SIGINT", () => {
      process.stderr.write("\n");
      rl.close();
    });
    rl.on("close", () => {
      if (!answered) reject(new InterruptedError(PROMPT_INTERRUPTED));
    });
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      if (secret) process.stderr.write("\n");
      resolve(answer);
    });
  });
}

/** The exit code of a process ended by `signal` (128 + its number), as shells report it. */
const signalExitCode = (signal: string): number => (signal === "SIGINT" ? 130 : 143);

/** A second SIGINT or SIGTERM, once a stop has begun: exit at once, saying so. */
function exitOnSecondSignal(): void {
  const now = (signal: string): never => {
    process.stderr.write(`${signal} again: exiting now, without finishing the stop\n`);
    process.exit(signalExitCode(signal));
  };
  process.once("SIGINT", now);
  process.once("SIGTERM", now);
}

/**
 * Calls `listener` once, on the first SIGINT or SIGTERM (a second one exits at once); the returned
 * function stops listening.
 */
function onStopSignal(listener: (signal: string) => void): () => void {
  const stopListening = (): void => {
    process.off("SIGINT", once);
    process.off("SIGTERM", once);
  };
  const once = (signal: string): void => {
    stopListening();
    exitOnSecondSignal();
    listener(signal);
  };
  process.on("SIGINT", once);
  process.on("SIGTERM", once);
  return stopListening;
}

export function processContext(): CliContext {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY),
    ...(process.stdin.isTTY ? { prompt: terminalPrompt } : {}),
    onInterrupt: onStopSignal,
    waitForShutdown: () => new Promise((resolve) => void onStopSignal(resolve)),
  };
}
