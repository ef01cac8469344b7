/** The commander program: the composition root. Never calls process.exit (testable). */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { isInterrupted, isUserError } from "../util/errors.js";
import { chainFailure } from "../chain/errors.js";
import { debugRequested } from "./library-console.js";
import { registerSimCommand } from "./commands/sim.js";
import { resolveConfig, type OptionSchema } from "./config.js";
import { addCommandAliases, addSchemaOptions, commandSchema, jsonRequested, normalizeArgv, refuseUnusedLogOptions } from "./options.js";
import { commanderCode, jsonErrorLine } from "./json-output.js";
import { registerDevnetCommand } from "./commands/devnet.js";
import { registerWalletCommand } from "./commands/wallet.js";
import { registerMetagraphCommand } from "./commands/metagraph.js";
import { registerSubnetCommand } from "./commands/subnet.js";
import { registerRegisterCommand } from "./commands/register.js";
import { registerStakeCommand } from "./commands/stake.js";
import { registerWeightsCommand } from "./commands/weights.js";
import { registerDoctorCommand } from "./commands/doctor.js";
import { registerMinerCommand } from "./commands/miner.js";
import { registerValidatorCommand } from "./commands/validator.js";
import { registerLocalnetCommand } from "./commands/localnet.js";
import { registerTxCommand } from "./commands/tx.js";
import { registerQueryCommand } from "./commands/query.js";
import { registerDashboardCommand } from "./commands/dashboard.js";
import type { CliContext } from "./context.js";
import { readJsonFile } from "./json-file.js";

/** Options every command shares. */
export const GLOBAL_OPTIONS: OptionSchema = {
  logLevel: { type: "enum", values: ["error", "warn", "info", "debug", "trace", "silent"], default: "info", help: "log verbosity" },
  logFormat: { type: "enum", values: ["json", "human"], help: "log line format (default: human on a terminal, json otherwise)" },
};

/** The package version, from the nearest package.json above this file (src/ or dist/src/). */
function readVersion(): string {
  for (const relative of ["../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "tensornode" && pkg.version) return pkg.version;
    } catch {
      // not at this level; try the next one up
    }
  }
  return "unknown";
}

export function buildProgram(ctx: CliContext): Command {
  const program = new Command("tensornode");
  // Output routing and exit override first: subcommands copy these settings when created.
  program
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.stdout(text),
      writeErr: (text) => ctx.stderr(text),
      outputError: () => {
        // Printed by runCli as one line, so every user error looks the same.
      },
    })
    .description("A node for Bittensor-style subnets: miner and validator daemons over libp2p, Bittensor-compatible wallets, the subnet owner's and operator's commands, an embedded subtensor-compatible dev chain, a whole local subnet (localnet) and Yuma simulation.")
    .version(readVersion(), "-V, --version")
    .option("--config <file>", "JSON file of settings (flags > TENSORNODE_* env > file > defaults; unknown keys are errors)")
    .showSuggestionAfterError();
  addSchemaOptions(program, GLOBAL_OPTIONS);
  program.hook("preAction", async (_program, actionCommand) => {
    const given = program.opts<Record<string, unknown>>();
    const own = commandSchema(actionCommand);
    const schema: OptionSchema = { ...GLOBAL_OPTIONS, ...own };
    const local = actionCommand.opts<Record<string, unknown>>();
    const flags = Object.fromEntries(
      Object.keys(schema).map((key) => {
        const owner = key in own ? actionCommand : program;
        return [key, owner.getOptionValueSource(key) === "cli" ? (key in own ? local[key] : given[key]) : undefined];
      }),
    );
    const file = typeof given.config === "string" ? await readJsonFile(given.config, ctx.cwd, "config file", "CONFIG") : undefined;
    const resolved = resolveConfig(schema, { flags, env: ctx.env, file, fileName: typeof given.config === "string" ? given.config : undefined });
    actionCommand.setOptionValue("resolvedConfig", resolved);
    if (resolved.values.json === true) program.setOptionValue("jsonOutput", true);
    refuseUnusedLogOptions(actionCommand, resolved);
  });
  registerSimCommand(program, ctx);
  registerDevnetCommand(program, ctx);
  registerWalletCommand(program, ctx);
  registerSubnetCommand(program, ctx);
  registerRegisterCommand(program, ctx);
  registerStakeCommand(program, ctx);
  registerWeightsCommand(program, ctx);
  registerMetagraphCommand(program, ctx);
  registerDoctorCommand(program, ctx);
  registerMinerCommand(program, ctx);
  registerValidatorCommand(program, ctx);
  registerLocalnetCommand(program, ctx);
  registerTxCommand(program, ctx);
  registerQueryCommand(program, ctx);
  registerDashboardCommand(program, ctx);
  addCommandAliases(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code (0 ok, 2 user error, 1 unexpected failure, 130 interrupted). */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  // Under --json an error is one JSON line on stderr (docs/cli-json.md); the exit code is the same.
  const say = (code: string, message: string, text: string): void =>
    ctx.stderr(jsonRequested(argv, ctx.env) || program.getOptionValue("jsonOutput") === true ? jsonErrorLine(code, message) : text);
  try {
    await program.parseAsync(normalizeArgv(argv), { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0 || error.code === "commander.helpDisplayed" || error.code === "commander.version") return 0;
      if (error.code === "commander.help") return 0;
      const message = error.message.replace(/^error: /, "");
      say(commanderCode(error.code), message, `error: ${message} (see tensornode --help)\n`);
      return 2;
    }
    // Ctrl-C at a prompt or while waiting: what was (or was not) sent, and the shell's 130.
    if (isInterrupted(error)) {
      say(error.code, error.message, `${error.message}\n`);
      return 130;
    }
    if (isUserError(error)) {
      say(error.code, error.message, `error: ${error.message}\n`);
      return 2;
    }
    // A chain's refusal, a failed or timed-out transaction, an unreachable node, a JSON-RPC error, a
    // dropped connection, an undecodable answer: all said in one line (the stack with --log-level debug).
    const failure = chainFailure(error);
    if (failure) {
      say(failure.code, failure.message, `error: ${failure.message}\n${debugRequested(argv, ctx.env) ? `${(error as Error).stack ?? ""}\n` : ""}`);
      return 2;
    }
    say("INTERNAL", error instanceof Error ? error.message : String(error), `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
