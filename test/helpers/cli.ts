/** Runs the CLI in-process with captured output. */
import { runCli } from "../../src/cli/program.js";
import type { CliContext } from "../../src/cli/context.js";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCliCaptured(argv: string[], options: { env?: Record<string, string>; cwd?: string; shutdown?: Promise<string> } = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const ctx: CliContext = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    isTTY: false,
    waitForShutdown: () => options.shutdown ?? Promise.resolve("SIGTERM"),
  };
  const code = await runCli(argv, ctx);
  return { code, stdout, stderr };
}
