/**
 * `tensornode dashboard [--network|--chain] [--netuid N] [--host H] [--port P] [--data-dir D]
 * [--status-url URL,…] [--api-key-file F]`: the subnet dashboard, a local web server (loopback
 * unless --host says otherwise) with the subnets, each subnet's metagraph, charts over epochs,
 * weights and epoch clock, and the daemons' status pages — until SIGINT/SIGTERM. docs/dashboard.md.
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { UserError } from "../../util/errors.js";
import { favourSteadyMemory } from "../../util/heap-sizing.js";
import { createLogger, type LogFormat, type LogLevel } from "../../util/logger.js";
import { packageVersion, requireWebAssetsDir } from "../../web/assets.js";
import { Dashboard } from "../../web/server/dashboard.js";
import { daemonOrigin } from "../../web/server/daemon-monitor.js";
import type { OptionSchema } from "../config.js";
import type { CliContext } from "../context.js";
import { addSchemaOptions, commandConfig } from "../options.js";
import { chainEndpoint, CHAIN_OPTIONS, type Values } from "../chain-session.js";
import { shutdownOrParentGone } from "../parent-lifeline.js";
import { defaultHome } from "./devnet.js";
import { DAEMON_STOP_BUDGET_MS } from "../daemon-stop.js";
import { whereabouts } from "../whereabouts.js";
import { stopInOrder } from "../../util/stop-in-order.js";

export const DASHBOARD_OPTIONS: OptionSchema = {
  ...CHAIN_OPTIONS,
  netuid: { type: "integer", min: 0, max: 65535, help: "the subnet to follow from the start and record (default: every subnet's epochs recorded, a subnet followed block by block while its page is open)" },
  host: { type: "string", default: "127.0.0.1", help: "address to listen on (loopback by default; the pages are public chain data, but the daemons' figures and gateway traffic are yours)" },
  port: { type: "integer", min: 0, max: 65535, default: 8100, help: "port to listen on (0: a free one; the URL is printed)" },
  dataDir: { type: "string", help: "the history it records (default $TENSORNODE_HOME/dashboard/<the chain's genesis hash>)" },
  statusUrl: { type: "string", help: "status ports of miners and validators (--metrics-port) and validators' gateways (--api-port) to show, comma-separated: http://127.0.0.1:9101,http://127.0.0.1:8091; no other URL is ever fetched" },
  apiKeyFile: { type: "string", help: "a file holding an API key for the gateways among --status-url (a keyed gateway's /metrics and /v1/attribution); or env TENSORNODE_API_KEY" },
  historyEpochs: { type: "integer", min: 10, max: 100_000, default: 1000, help: "epochs of history kept per subnet (the oldest are dropped)" },
};

/** `--status-url a,b c` → the origins, each checked. */
export function parseStatusUrls(text: string | undefined): string[] {
  if (text === undefined) return [];
  const urls = text.split(/[\s,]+/).filter((u) => u !== "");
  try {
    return [...new Set(urls.map(daemonOrigin))];
  } catch (error) {
    throw new UserError("BAD_STATUS_URL", `--status-url: ${(error as Error).message}`);
  }
}

async function apiKeyOf(ctx: CliContext, v: Values): Promise<string | undefined> {
  if (typeof v.apiKeyFile !== "string") return ctx.env.TENSORNODE_API_KEY?.trim() || undefined;
  const file = resolve(ctx.cwd, v.apiKeyFile);
  const key = (await readFile(file, "utf8").catch((error: Error) => {
    throw new UserError("BAD_API_KEY_FILE", `--api-key-file: cannot read ${file} (${error.message})`);
  })).trim();
  if (key === "") throw new UserError("BAD_API_KEY_FILE", `--api-key-file: ${file} is empty`);
  return key;
}

export function registerDashboardCommand(program: Command, ctx: CliContext): void {
  const command = program.command("dashboard").description("the subnet dashboard in your browser: subnets, metagraph, charts over epochs, weights, epoch clock, daemons");
  addSchemaOptions(command, DASHBOARD_OPTIONS).action(async () => runDashboard(ctx, commandConfig(command).values));
}

async function runDashboard(ctx: CliContext, v: Values): Promise<void> {
  // A dashboard runs for days and follows every block: a steady resident set matters more to it than
  // the garbage collector's last percent of speed (src/util/heap-sizing.ts says what was measured).
  favourSteadyMemory();
  const endpoint = chainEndpoint(v);
  const statusUrls = parseStatusUrls(typeof v.statusUrl === "string" ? v.statusUrl : undefined);
  const apiKey = await apiKeyOf(ctx, v);
  const assetsDir = requireWebAssetsDir("dashboard");
  const format = (v.logFormat as LogFormat | undefined) ?? (ctx.isTTY ? "human" : "json");
  const log = createLogger({ level: v.logLevel as LogLevel, format, write: (line) => ctx.stderr(line) }).child({ module: "dashboard" });
  const shutdown = shutdownOrParentGone(ctx.waitForShutdown(), ctx.env, process.stdin);
  const home = defaultHome(ctx.env);
  let dashboard: Dashboard;
  try {
    dashboard = await Dashboard.start(
      {
        endpoint,
        host: String(v.host),
        port: Number(v.port),
        assetsDir,
        dataDir: (genesisHash) => (typeof v.dataDir === "string" ? resolve(ctx.cwd, v.dataDir) : join(home, "dashboard", genesisHash.slice(2, 18))),
        netuids: v.netuid === undefined ? null : [Number(v.netuid)],
        statusUrls,
        apiKey,
        historyEpochs: Number(v.historyEpochs),
        version: packageVersion(),
      },
      { log },
    );
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "EADDRINUSE") throw new UserError("PORT_IN_USE", `port ${String(v.port)} on ${String(v.host)} is taken; choose another with --port (0: a free one)`);
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") throw new UserError("BAD_HOST", `--host ${String(v.host)}: not an address of this machine`);
    throw error;
  }
  try {
    ctx.stdout(`dashboard at ${dashboard.url} (subnets: ${dashboard.url}/${v.netuid === undefined ? "" : `, subnet ${String(v.netuid)}: ${dashboard.url}/subnets/${String(v.netuid)}`}; chain ${endpoint}${statusUrls.length > 0 ? `; ${statusUrls.length} daemons` : ""}); ${whereabouts({ data: typeof v.dataDir === "string" ? resolve(ctx.cwd, v.dataDir) : join(home, "dashboard", "<the chain's genesis>"), logFormat: format, logLevel: String(v.logLevel), status: `${dashboard.url}/api/status` })}\n`);
    const signal = await Promise.race([shutdown, dashboard.failed()]);
    log.info({ signal }, "stopping");
  } catch (error) {
    throw new UserError("DASHBOARD_FAILED", (error as Error).message);
  } finally {
    const stopped = await stopInOrder([{ name: "the dashboard (its pages' streams, its chain follower, its store)", run: () => dashboard.stop() }], { budgetMs: DAEMON_STOP_BUDGET_MS, log });
    log.info({ ms: Math.round(stopped.ms), abandoned: stopped.abandoned }, "stopped");
  }
}
