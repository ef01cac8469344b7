/** Commander options generated from a config schema, and the settings a command resolved. */
import { Option, type Command } from "commander";
import { UserError } from "../util/errors.js";
import { envName, flagName, type OptionSchema, type ResolvedConfig } from "./config.js";

/** Each command's own settings, merged with the global ones when it runs. */
const COMMAND_SCHEMAS = new WeakMap<Command, OptionSchema>();

export function commandSchema(command: Command): OptionSchema {
  return COMMAND_SCHEMAS.get(command) ?? {};
}

/** Adds `--flag <value>` options for a schema's keys (booleans become plain flags). */
export function addSchemaOptions(command: Command, schema: OptionSchema): Command {
  for (const [key, spec] of Object.entries(schema)) {
    const defaultText = spec.default === undefined ? "" : `; default ${String(spec.default)}`;
    const option = new Option(spec.type === "boolean" ? flagName(key) : `${flagName(key)} <value>`, `${spec.help} (env ${envName(key)}${defaultText})`);
    if (spec.type === "enum") option.choices(spec.values);
    command.addOption(option);
  }
  if (command.parent) COMMAND_SCHEMAS.set(command, schema);
  return command;
}

/** The settings a command runs with (flags > env > --config file > defaults), set before its action. */
export function commandConfig(command: Command): ResolvedConfig {
  return command.getOptionValue("resolvedConfig") as ResolvedConfig;
}


/** A subcommand whose options come from `schema`; `run` gets the resolved settings. */
export function addSubcommand(parent: Command, name: string, description: string, schema: OptionSchema, run: (values: Readonly<Record<string, unknown>>, command: Command) => Promise<void>): Command {
  const command = parent.command(name).description(description);
  addSchemaOptions(command, schema).action(async () => run(commandConfig(command).values, command));
  return command;
}

/** btcli's spellings of our flags (and of its global switches), accepted as they are typed there. */
const FLAG_ALIASES: Readonly<Record<string, string>> = {
  "--wallet.name": "--wallet",
  "--wallet-name": "--wallet",
  "--wallet_name": "--wallet",
  "--wallet.hotkey": "--hotkey",
  "--wallet-hotkey": "--hotkey",
  "--wallet_hotkey": "--hotkey",
  "--subtensor.network": "--network",
  "--subtensor.chain_endpoint": "--chain",
  "--subtensor.chain-endpoint": "--chain",
  "--chain-endpoint": "--chain",
  "--no-prompt": "--yes",
  "-y": "--yes",
  "--json-output": "--json",
  "--json-out": "--json",
};

/** btcli's command names: `subnets`, `w`, `st` … run ours. */
export const COMMAND_ALIASES: Readonly<Record<string, readonly string[]>> = {
  wallet: ["w", "wallets"],
  subnet: ["s", "subnets"],
  stake: ["st"],
  weights: ["wt"],
};

/** Flags that take a value (so `--flag value` is one setting); the rest of the aliases are switches. */
const VALUE_FLAGS = new Set(["--wallet", "--hotkey", "--network", "--chain"]);

/**
 * argv with btcli's spellings rewritten to ours, before commander parses it. An alias and its flag
 * given with different values is refused (which one was meant?). Nothing after `--` is touched.
 */
export function normalizeArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Map<string, { value: string | undefined; spelled: string; alias: boolean }>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      out.push(...argv.slice(i));
      break;
    }
    const eq = arg.indexOf("=");
    const spelled = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const canonical = FLAG_ALIASES[spelled] ?? spelled;
    if (!VALUE_FLAGS.has(canonical) && canonical === spelled) {
      out.push(arg);
      continue;
    }
    let value: string | undefined;
    if (VALUE_FLAGS.has(canonical)) {
      if (eq > 0 && spelled !== arg) value = arg.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i]!;
      out.push(canonical, ...(value === undefined ? [] : [value]));
    } else {
      out.push(canonical);
    }
    const alias = canonical !== spelled;
    const before = seen.get(canonical);
    if (before && (before.alias || alias) && before.value !== value) {
      throw new UserError("ALIAS_CONFLICT", `${before.spelled} and ${spelled} are the same setting, given different values (${String(before.value)} and ${String(value)}); give it once`);
    }
    seen.set(canonical, { value, spelled, alias: alias || (before?.alias ?? false) });
  }
  return out;
}

/** Adds COMMAND_ALIASES to the program's registered commands. */
export function addCommandAliases(program: Command): void {
  for (const command of program.commands) {
    for (const alias of COMMAND_ALIASES[command.name()] ?? []) command.alias(alias);
  }
}

/** Whether the output is asked for as JSON, judged from argv and the environment (errors can come before the settings are resolved). */
export function jsonRequested(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): boolean {
  const end = argv.indexOf("--");
  const args = end < 0 ? argv : argv.slice(0, end);
  // `query --json '{…}'` gives the request body, not the output switch.
  if (args[0] === "query") return false;
  if (args.some((a) => a === "--json" || FLAG_ALIASES[a] === "--json")) return true;
  const fromEnv = env[envName("json")];
  return fromEnv === "true" || fromEnv === "1";
}

/** The commands that write a log, and so honour --log-level and --log-format: the daemons. */
export const LOGGING_COMMANDS: readonly string[] = ["devnet", "miner", "validator run", "dashboard"];

/** `validator run`: the command's names below the program. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** --log-level and --log-format typed on a command that writes no log would do nothing: refused (from the environment or a file they stay quiet). */
export function refuseUnusedLogOptions(command: Command, resolved: ResolvedConfig): void {
  const path = commandPath(command);
  if (LOGGING_COMMANDS.includes(path)) return;
  for (const key of ["logLevel", "logFormat"]) {
    if (resolved.sources[key] === "cli") {
      throw new UserError("OPTION_UNUSED", `${flagName(key)} is for the commands that write a log (${LOGGING_COMMANDS.join(", ")}); \`tensornode ${path}\` writes none`);
    }
  }
}

/** Options typed on the command line that this run would not use (`why` says when they would be): refused in one line. */
export function refuseUnused(command: Command, keys: readonly string[], why: string): void {
  const typed = keys.filter((key) => commandConfig(command).sources[key] === "cli").map(flagName);
  if (typed.length > 0) throw new UserError("OPTION_UNUSED", `${typed.join(", ")} ${typed.length === 1 ? "does" : "do"} nothing here: ${why}`);
}
