/** Runs the CLI in-process with captured output. */
import { runCli } from "../../src/cli/program.js";
import { PROMPT_INTERRUPTED, type CliContext } from "../../src/cli/context.js";
import { InterruptedError } from "../../src/util/errors.js";

/** An answer that stands for Ctrl-C at the prompt (as the terminal prompt reports it). */
export const CTRL_C = "\u0003";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CapturedOptions {
  env?: Record<string, string>;
  cwd?: string;
  shutdown?: Promise<string>;
  /** Answers to terminal questions, in order; without it the CLI runs as without a terminal. */
  answers?: string[];
  /** Records each question asked and whether its answer was secret. */
  asked?: { question: string; secret: boolean }[];
  /** Settles when the user presses Ctrl-C (outside a prompt). */
  interrupt?: Promise<unknown>;
}

export async function runCliCaptured(argv: string[], options: CapturedOptions = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const ctx: CliContext = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    isTTY: false,
    waitForShutdown: () => options.shutdown ?? Promise.resolve("SIGTERM"),
    onInterrupt: (listener) => {
      let active = true;
      void options.interrupt?.then(() => active && listener("SIGINT"));
      return () => void (active = false);
    },
    ...(options.answers
      ? {
          prompt: async (question: string, { secret }: { secret: boolean }) => {
            options.asked?.push({ question, secret });
            const answer = options.answers!.shift();
            if (answer === undefined) throw new Error(`unexpected question: ${question}`);
            if (answer === CTRL_C) throw new InterruptedError(PROMPT_INTERRUPTED);
            return answer;
          },
        }
      : {}),
  };
  const code = await runCli(argv, ctx);
  return { code, stdout, stderr };
}
