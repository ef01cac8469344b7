/** Commander options generated from a config schema, and the settings a command resolved. */
import { Option, type Command } from "commander";
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
