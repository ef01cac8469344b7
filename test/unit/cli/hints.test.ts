/**
 * Every hint the CLI prints names a command and flags that exist: each `tensornode …` command
 * quoted in the sources is resolved against the real program, and every --flag the sources
 * mention in a message is an option of some command.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Command } from "commander";
import { buildProgram } from "../../../src/cli/program.js";

const SRC = new URL("../../../src/", import.meta.url).pathname;
/** Flags of other programs that the sources mention (node's, in child-process command lines). */
const NOT_OURS = new Set(["--import", "--expose-gc", "--test", "--no-warnings", "--enable-source-maps", "--max-old-space-size", "--heap-growing-percent", "--optimize-for-size"]);

function sources(dir: string): { path: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".generated.ts") ? [{ path, text: readFileSync(path, "utf8") }] : [];
  });
}

function program(): Command {
  return buildProgram({ stdout: () => undefined, stderr: () => undefined, env: {}, cwd: process.cwd(), isTTY: false, waitForShutdown: () => new Promise(() => undefined) });
}

function longFlags(command: Command): Set<string> {
  const flags = new Set<string>(["--help"]);
  for (let c: Command | null = command; c; c = c.parent) for (const option of c.options) if (option.long) flags.add(option.long);
  return flags;
}

function allCommands(root: Command): Command[] {
  return [root, ...root.commands.flatMap(allCommands)];
}

describe("hints name only what exists", () => {
  const root = program();
  const files = sources(SRC);

  it("every `tensornode …` command quoted in a message resolves, with each of its flags", () => {
    const problems: string[] = [];
    let checked = 0;
    for (const { path, text } of files) {
      for (const match of text.matchAll(/\\?`tensornode ([^`\\]+)\\?`/g)) {
        const words = match[1]!.replace(/\$\{[^}]*\}/g, "X").split(/\s+/).filter(Boolean);
        // A message that quotes a command built at run time (`tensornode ${path}`) names no command here.
        if (words[0] === "X") continue;
        let command = root;
        let i = 0;
        for (; i < words.length && !words[i]!.startsWith("-"); i++) {
          const next = command.commands.find((c) => c.name() === words[i] || c.aliases().includes(words[i]!));
          if (!next) break;
          command = next;
        }
        if (command === root) problems.push(`${path}: \`tensornode ${match[1]}\`: no command "${words[0]}"`);
        // A command whose daemon is its default subcommand (`tensornode validator --netuid N`).
        const fallback = (command as unknown as { _defaultCommandName?: string })._defaultCommandName;
        if (fallback) command = command.commands.find((c) => c.name() === fallback) ?? command;
        const flags = longFlags(command);
        for (const word of words.slice(i)) {
          const flag = /^(--[a-z][a-z0-9.-]*)/.exec(word)?.[1];
          if (flag && !flags.has(flag)) problems.push(`${path}: \`tensornode ${match[1]}\`: ${command.name()} has no ${flag}`);
        }
        checked++;
      }
    }
    assert.ok(checked > 10, `found ${checked} quoted commands`);
    assert.deepEqual(problems, []);
  });

  it("every --flag a message mentions is an option of some command", () => {
    const known = new Set(allCommands(root).flatMap((c) => [...longFlags(c)]));
    const problems: string[] = [];
    // The alias table spells btcli's flags, which are rewritten to ours before parsing.
    for (const { path, text } of files.filter((f) => !f.path.endsWith("src/cli/options.ts"))) {
      // String literals only (comments may speak of other programs' flags).
      for (const literal of text.matchAll(/(["`])((?:\\.|(?!\1)[^\\\n])*)\1/g)) {
        for (const flag of literal[2]!.matchAll(/(?<![\w-])(--[a-z][a-z0-9-]*[a-z0-9])/g)) {
          if (!known.has(flag[1]!) && !NOT_OURS.has(flag[1]!)) problems.push(`${path}: ${flag[1]}`);
        }
      }
    }
    assert.deepEqual([...new Set(problems)], []);
  });
});
