/**
 * `tensornode devnet`: the embedded dev chain as a daemon. Runs until SIGINT/SIGTERM, then
 * stops block production, closes connections and the database cleanly.
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { parseBlockTime } from "../../devnet/chain/author.js";
import { DEFAULT_GENESIS_JSON, parseGenesis, type GenesisConfig } from "../../devnet/genesis.js";
import { DevnetNode } from "../../devnet/node.js";
import { UserError } from "../../util/errors.js";
import { createLogger, type LogFormat, type LogLevel } from "../../util/logger.js";
import type { OptionSchema } from "../config.js";
import type { CliContext } from "../context.js";
import { readJsonFile } from "../json-file.js";
import { addSchemaOptions, commandConfig } from "../options.js";
import { DAEMON_STOP_BUDGET_MS } from "../daemon-stop.js";
import { stopInOrder } from "../../util/stop-in-order.js";

export const DEVNET_OPTIONS: OptionSchema = {
  host: { type: "string", default: "127.0.0.1", help: "address the JSON-RPC server (WebSocket and HTTP) binds to" },
  port: { type: "integer", default: 9944, min: 0, max: 65535, help: "JSON-RPC port (0 picks a free one)" },
  dataDir: { type: "string", help: "where the chain is kept (default $TENSORNODE_HOME/devnet, TENSORNODE_HOME defaulting to ~/.tensornode)" },
  blockTime: { type: "string", default: "1s", help: "block production: an interval (1s, 250ms), instant (a block per transaction) or manual (dev_newBlock)" },
  genesis: { type: "string", help: "genesis JSON file (format: config/devnet-genesis.json); default: dev accounts funded, Alice is sudo" },
  fresh: { type: "boolean", default: false, help: "discard the chain in the data dir and start again from genesis" },
  devRpc: { type: "boolean", default: false, help: "serve the unsafe dev_* methods (dev_newBlock)" },
};

async function readGenesisFile(file: string, cwd: string): Promise<GenesisConfig> {
  return parseGenesis(await readJsonFile(file, cwd, "genesis file", "GENESIS"), file);
}

export function defaultHome(env: Readonly<Record<string, string | undefined>>): string {
  return env.TENSORNODE_HOME ?? join(homedir(), ".tensornode");
}

export function registerDevnetCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command("devnet")
    .description("run the embedded dev chain: Substrate JSON-RPC with subtensor's runtime API, for one machine and for tests");
  addSchemaOptions(command, DEVNET_OPTIONS).action(async () => {
    const { values } = commandConfig(command);
    const blockTime = parseBlockTime(String(values.blockTime));
    if (!blockTime) throw new UserError("BAD_BLOCK_TIME", `--block-time: "${String(values.blockTime)}" is not an interval (1s, 250ms: 10ms..1h), instant or manual`);
    const genesis = typeof values.genesis === "string" ? await readGenesisFile(values.genesis, ctx.cwd) : parseGenesis(DEFAULT_GENESIS_JSON, "default genesis");
    const dataDir = resolve(ctx.cwd, typeof values.dataDir === "string" ? values.dataDir : join(defaultHome(ctx.env), "devnet"));
    const format = (values.logFormat as LogFormat | undefined) ?? (ctx.isTTY ? "human" : "json");
    const log = createLogger({ level: values.logLevel as LogLevel, format, write: (line) => ctx.stderr(line) }).child({ module: "devnet" });
    const shutdown = ctx.waitForShutdown();
    let node: DevnetNode;
    try {
      node = await DevnetNode.start({
        host: String(values.host),
        port: Number(values.port),
        dataDir,
        fresh: values.fresh === true,
        blockTime,
        genesis,
        devRpc: values.devRpc === true,
        log,
        nodeVersion: program.version() ?? "unknown",
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EADDRINUSE") throw new UserError("PORT_IN_USE", `port ${String(values.port)} on ${String(values.host)} is already in use (another devnet?); choose another with --port`);
      if (code === "EACCES" || code === "EADDRNOTAVAIL") throw new UserError("CANNOT_BIND", `cannot listen on ${String(values.host)}:${String(values.port)} (${code})`);
      if (code === "DATA_DIR_UNAVAILABLE") throw new UserError("DATA_DIR_UNAVAILABLE", (error as Error).message);
      throw error;
    }
    ctx.stdout(
      `devnet "${genesis.chain}" at ${node.endpoint.wsUrl} (HTTP on the same port), genesis ${`0x${Buffer.from(node.chain.genesisHash).toString("hex")}`}, ` +
        `head #${node.chain.headNumber}, data ${node.dataDir}; logs on stderr (${format}, ${String(values.logLevel)}); status at ${node.endpoint.wsUrl.replace(/^ws/, "http")}/health\n`,
    );
    const signal = await shutdown;
    log.info({ signal }, "stopping");
    const stopped = await stopInOrder([{ name: "the devnet (its block in progress, its RPC clients, its store)", run: () => node.stop() }], { budgetMs: DAEMON_STOP_BUDGET_MS, log });
    log.info({ ms: Math.round(stopped.ms), abandoned: stopped.abandoned }, "stopped");
  });
}
