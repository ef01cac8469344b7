/** Runs the CLI in-process with captured output. */
import { runCli } from "../../src/cli/program.js";
import type { CliContext } from "../../src/cli/context.js";

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
    ...(options.answers
      ? {
          prompt: async (question: string, { secret }: { secret: boolean }) => {
            options.asked?.push({ question, secret });
            const answer = options.answers!.shift();
            if (answer === undefined) throw new Error(`unexpected question: ${question}`);
            return answer;
          },
        }
      : {}),
  };
  const code = await runCli(argv, ctx);
  return { code, stdout, stderr };
}
