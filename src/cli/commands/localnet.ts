/**
 * `tensornode localnet`: a whole subnet on this machine — the devnet, an owner, validators and
 * miners (honest, noisy, slow, one that goes offline) as child processes — with a live table of
 * the metagraph; `--epochs N` stops after N epochs with a summary (`--json`: exact figures).
 */
import { randomInt } from "node:crypto";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { Localnet, type LocalnetSnapshot } from "../../localnet/localnet.js";
import { toJsonText } from "../json-output.js";
import { localnetBlockTimeMs } from "../block-time-option.js";
import type { OptionSchema } from "../config.js";
import type { CliContext } from "../context.js";
import { addSchemaOptions, commandConfig } from "../options.js";
import { defaultHome } from "./devnet.js";
import { renderSnapshot } from "./localnet-table.js";

export { renderSnapshot } from "./localnet-table.js";

export const LOCALNET_OPTIONS: OptionSchema = {
  subnet: { type: "string", default: "tiny", help: "the subnet plugin: tiny (fast, exact) or ocr (a real model), or a plugin folder" },
  miners: { type: "integer", min: 1, max: 64, default: 4, help: "miners: honest, noisy, slow, offline, then the cycle again" },
  validators: { type: "integer", min: 1, max: 5, default: 2, help: "validators (staked 1000, 500, 333 … TAO)" },
  epochs: { type: "integer", min: 1, max: 100_000, help: "stop after this many epochs and print a summary (default: run until Ctrl-C)" },
  dataDir: { type: "string", help: "the chain, wallets, daemon state and every process's log (default $TENSORNODE_HOME/localnet, started over at every run); a dir that holds an earlier network is refused unless --fresh" },
  fresh: { type: "boolean", default: false, help: "start over in a --data-dir that holds an earlier network (its chain, wallets and logs are replaced)" },
  seed: { type: "integer", min: 0, max: 2_147_483_647, help: "drives the demo miners' behaviour, so that a run can be repeated (default: a random one, printed)" },
  blockTime: { type: "string", default: "250ms", help: "time between blocks, as devnet takes it: 1s, 250ms (50ms to 12s; a bare number is ms)" },
  tempo: { type: "integer", min: 5, max: 1_000, default: 20, help: "blocks per epoch" },
  apiPort: { type: "integer", min: 0, max: 65535, default: 0, help: "the first validator's gateway port, for users' requests (0: a free one; its URL is printed)" },
  apiKeys: { type: "string", help: "the gateway asks for these API keys (a file `tensornode validator api-key add` writes); default: none, on loopback" },
  dashboardPort: { type: "integer", min: 0, max: 65535, default: 0, help: "the dashboard's port (0: a free one; its URL is printed)" },
  withoutDashboard: { type: "boolean", default: false, help: "start no dashboard (one process fewer on a small machine)" },
  json: { type: "boolean", default: false, help: "print only the final summary, as JSON (amounts in rao as decimal strings: docs/cli-json.md)" },
};

/** The summary as JSON: amounts in rao (exact); which figures are the last epoch's and which are totals is in the names. */
export function summaryJson(last: LocalnetSnapshot, extra: { seed: number; dataDir: string; logs: string; gateway?: string | undefined; dashboard?: string | undefined; playground?: string | undefined }): string {
  return toJsonText({
    netuid: last.netuid,
    block: last.block,
    epochs: last.epochs,
    nextEpochBlock: last.nextEpochBlock,
    seed: extra.seed,
    dataDir: extra.dataDir,
    logs: extra.logs,
    gateway: extra.gateway ?? null,
    dashboard: extra.dashboard ?? null,
    playground: extra.playground ?? null,
    ownerCutSinceStart: last.ownerGain,
    neurons: last.rows.map((r) => ({
      uid: r.uid,
      role: r.role,
      name: r.name,
      hotkey: r.hotkey,
      stake: r.stake,
      earnedSinceStart: r.earned,
      lastEpoch: { incentive: r.incentive, dividends: r.dividends, emission: r.emission, validatorTrust: r.validatorTrust },
      lastUpdate: r.lastUpdate,
      blocksSinceUpdate: r.blocksSinceUpdate,
      running: r.running ?? null,
      serving: r.serving ?? null,
    })),
  });
}

const percent = (x: number): string => `${(x * 100).toFixed(2)}%`;

export function registerLocalnetCommand(program: Command, ctx: CliContext): void {
  const command = program.command("localnet").description("run a whole subnet on this machine: devnet, owner, validators and miners, with a live metagraph table");
  addSchemaOptions(command, LOCALNET_OPTIONS).action(async () => {
    const v = commandConfig(command).values as Record<string, unknown>;
    // Without --data-dir the network lives in $TENSORNODE_HOME/localnet and starts over at every
    // run (never in a temporary folder, which a crash would leave behind).
    const dataDir = typeof v.dataDir === "string" ? resolve(ctx.cwd, v.dataDir) : join(defaultHome(ctx.env), "localnet");
    const fresh = v.fresh === true || typeof v.dataDir !== "string";
    const seed = v.seed === undefined ? randomInt(0, 1_000_000) : Number(v.seed);
    const json = v.json === true;
    // The terminal's width when there is one (the live table adapts to it), else 80 columns.
    const width = (): number => (ctx.isTTY ? process.stdout.columns : undefined) || 80;
    const localnet = new Localnet({
      subnet: String(v.subnet),
      miners: Number(v.miners),
      validators: Number(v.validators),
      ...(v.epochs === undefined ? {} : { epochs: Number(v.epochs) }),
      dataDir,
      fresh,
      seed,
      blockTimeMs: localnetBlockTimeMs(v.blockTime),
      tempo: Number(v.tempo),
      apiPort: Number(v.apiPort),
      dashboardPort: v.withoutDashboard === true ? false : Number(v.dashboardPort),
      ...(typeof v.apiKeys === "string" ? { apiKeys: resolve(ctx.cwd, v.apiKeys) } : {}),
      env: ctx.env,
      say: (line) => ctx.stderr(`${line}\n`),
    });
    const stop = new AbortController();
    void ctx.waitForShutdown().then(() => stop.abort());
    try {
      await localnet.start();
      if (!json) ctx.stderr(`${v.epochs === undefined ? "running; Ctrl-C stops everything" : `running for ${String(v.epochs)} epochs`} (seed ${seed}: \`--seed ${seed}\` repeats this run)\n`);
      let shownEpoch = -1;
      const last = await localnet.follow((snapshot) => {
        if (json) return;
        if (ctx.isTTY) ctx.stdout(`\x1b[2J\x1b[H${renderSnapshot(snapshot, width())}`);
        else if (snapshot.epochs !== shownEpoch) {
          shownEpoch = snapshot.epochs;
          ctx.stdout(renderSnapshot(snapshot, width()));
        }
      }, stop.signal);
      if (json) ctx.stdout(`${summaryJson(last, { seed, dataDir, logs: localnet.logsDir, gateway: localnet.gatewayUrl, dashboard: localnet.dashboardUrl, playground: localnet.playgroundUrl })}\n`);
      else {
        ctx.stdout(`\nsummary after ${last.epochs} epochs (seed ${seed}): incentive, dividends and emission are the last epoch's; earned is the total since the start\n${renderSnapshot(last, width())}`);
        const miners = last.rows.filter((r) => r.role.startsWith("miner")).sort((a, b) => b.incentive - a.incentive);
        ctx.stdout(`incentive in the last epoch, highest first: ${miners.map((r) => `${r.name} (${r.role.slice(7, -1)}) ${percent(r.incentive)}`).join(" > ")}\n`);
        ctx.stdout(`logs: ${localnet.logsDir}\n`);
      }
    } finally {
      await localnet.stop();
    }
  });
}
