/**
 * `tensornode localnet`: a whole subnet on this machine — the devnet, an owner, validators and
 * miners (honest, noisy, slow, one that goes offline) as child processes — with a live table of
 * the metagraph; `--epochs N` stops after N epochs with a summary (`--json`: exact figures).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { formatTao } from "../../chain/units.js";
import { Localnet, type LocalnetSnapshot, type NeuronRow } from "../../localnet/localnet.js";
import { toJsonText } from "../json-output.js";
import { localnetBlockTimeMs } from "../block-time-option.js";
import type { OptionSchema } from "../config.js";
import type { CliContext } from "../context.js";
import { addSchemaOptions, commandConfig } from "../options.js";
import { renderTable } from "../table.js";

export const LOCALNET_OPTIONS: OptionSchema = {
  subnet: { type: "string", default: "tiny", help: "the subnet plugin: tiny (fast, exact) or ocr (a real model), or a plugin folder" },
  miners: { type: "integer", min: 1, max: 64, default: 4, help: "miners: honest, noisy, slow, offline, then the cycle again" },
  validators: { type: "integer", min: 1, max: 5, default: 2, help: "validators (staked 1000, 500, 333 … TAO)" },
  epochs: { type: "integer", min: 1, max: 100_000, help: "stop after this many epochs and print a summary (default: run until Ctrl-C)" },
  dataDir: { type: "string", help: "the chain, wallets, daemon state and every process's log (default: a new temporary folder, kept)" },
  blockTime: { type: "string", default: "250ms", help: "time between blocks, as devnet takes it: 1s, 250ms (50ms to 12s; a bare number is ms)" },
  tempo: { type: "integer", min: 5, max: 1_000, default: 20, help: "blocks per epoch" },
  json: { type: "boolean", default: false, help: "print only the final summary, as JSON (amounts in rao as decimal strings: docs/cli-json.md)" },
};

const percent = (x: number): string => `${(x * 100).toFixed(2)}%`;

export function renderSnapshot(s: LocalnetSnapshot): string {
  const table = renderTable<NeuronRow>(
    [
      { header: "uid", value: (r) => String(r.uid) },
      { header: "role", value: (r) => `${r.role}${r.running === false ? ", stopped" : ""}`, align: "left" },
      { header: "name", value: (r) => r.name, align: "left" },
      { header: "stake (α)", value: (r) => formatTao(r.stake) },
      { header: "incentive", value: (r) => percent(r.incentive) },
      { header: "dividends", value: (r) => percent(r.dividends) },
      { header: "emission (α)", value: (r) => formatTao(r.emission) },
      { header: "v-trust", value: (r) => percent(r.validatorTrust) },
      { header: "updated", value: (r) => (r.lastUpdate === 0 ? "-" : String(r.lastUpdate)) },
    ],
    s.rows,
  );
  return `subnet ${s.netuid} · block ${s.block} · epoch ${s.epochs} · owner cut so far ${formatTao(s.ownerGain)} α\n${table}\n`;
}

export function registerLocalnetCommand(program: Command, ctx: CliContext): void {
  const command = program.command("localnet").description("run a whole subnet on this machine: devnet, owner, validators and miners, with a live metagraph table");
  addSchemaOptions(command, LOCALNET_OPTIONS).action(async () => {
    const v = commandConfig(command).values as Record<string, unknown>;
    const dataDir = typeof v.dataDir === "string" ? resolve(ctx.cwd, v.dataDir) : mkdtempSync(join(tmpdir(), "tensornode-localnet-"));
    const json = v.json === true;
    const localnet = new Localnet({
      subnet: String(v.subnet),
      miners: Number(v.miners),
      validators: Number(v.validators),
      ...(v.epochs === undefined ? {} : { epochs: Number(v.epochs) }),
      dataDir,
      blockTimeMs: localnetBlockTimeMs(v.blockTime),
      tempo: Number(v.tempo),
      env: ctx.env,
      say: (line) => ctx.stderr(`${line}\n`),
    });
    const stop = new AbortController();
    void ctx.waitForShutdown().then(() => stop.abort());
    try {
      await localnet.start();
      if (!json) ctx.stderr(v.epochs === undefined ? "running; Ctrl-C stops everything\n" : `running for ${String(v.epochs)} epochs\n`);
      let shownEpoch = -1;
      const last = await localnet.follow((snapshot) => {
        if (json) return;
        if (ctx.isTTY) ctx.stdout(`\x1b[2J\x1b[H${renderSnapshot(snapshot)}`);
        else if (snapshot.epochs !== shownEpoch) {
          shownEpoch = snapshot.epochs;
          ctx.stdout(renderSnapshot(snapshot));
        }
      }, stop.signal);
      const summary = {
        netuid: last.netuid,
        block: last.block,
        epochs: last.epochs,
        dataDir,
        logs: localnet.logsDir,
        ownerGain: last.ownerGain,
        neurons: last.rows.map((r) => ({ ...r, running: r.running ?? null })),
      };
      if (json) ctx.stdout(`${toJsonText(summary)}\n`);
      else {
        ctx.stdout(`\nsummary after ${last.epochs} epochs\n${renderSnapshot(last)}`);
        const miners = last.rows.filter((r) => r.role.startsWith("miner")).sort((a, b) => b.incentive - a.incentive);
        ctx.stdout(`incentive, highest first: ${miners.map((r) => `${r.name} (${r.role.slice(7, -1)}) ${percent(r.incentive)}`).join(" > ")}\n`);
        ctx.stdout(`logs: ${localnet.logsDir}\n`);
      }
    } finally {
      await localnet.stop();
    }
  });
}
