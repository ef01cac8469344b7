/**
 * `tensornode sim epoch FILE [--json]`: Yuma what-if on a snapshot in the format of the
 * reference vectors (one epoch, or an initial state plus steps).
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { JsonSyntaxError, parseLosslessJson, stringifyLosslessJson } from "../../util/lossless-json.js";
import { UserError } from "../../util/errors.js";
import {
  readSnapshot,
  runEpoch,
  runSequence,
  SnapshotError,
  toVectorFormat,
  type EpochOutput,
  type Snapshot,
} from "../../yuma/index.js";
import type { CliContext } from "../context.js";
import { renderTable } from "../table.js";

export interface SimEpochResult {
  readonly snapshot: Snapshot;
  readonly outputs: EpochOutput[];
}

/** Reads, checks and runs a snapshot file; every bad input becomes a UserError naming the file. */
export async function simulateEpochFile(file: string, cwd: string): Promise<SimEpochResult> {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : `cannot be read (${code ?? String(error)})`;
    throw new UserError("SIM_FILE_UNREADABLE", `${file}: ${why}`);
  }
  let snapshot: Snapshot;
  try {
    snapshot = readSnapshot(parseLosslessJson(text));
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new UserError("SIM_FILE_NOT_JSON", `${file}: not valid JSON: ${error.message}`);
    if (error instanceof SnapshotError) throw new UserError("SIM_FILE_INVALID", `${file}: ${error.message}`);
    throw error;
  }
  const outputs =
    snapshot.kind === "epoch"
      ? [runEpoch({ hyperparams: snapshot.hyperparams, state: snapshot.state })]
      : runSequence(snapshot.hyperparams, snapshot.initialState, snapshot.steps);
  return { snapshot, outputs };
}

const fraction = (u16: number): string => (u16 / 65535).toFixed(5);

function renderEpoch(output: EpochOutput): string {
  const uids = output.stakeWeight.map((_, uid) => uid);
  return renderTable(
    [
      { header: "uid", value: (uid) => String(uid) },
      { header: "stake", value: (uid) => fraction(output.stakeWeight[uid]!) },
      { header: "active", value: (uid) => (output.active[uid] ? "yes" : "no"), align: "left" },
      { header: "permit", value: (uid) => (output.newValidatorPermit[uid] ? "yes" : "no"), align: "left" },
      { header: "consensus", value: (uid) => fraction(output.consensus[uid]!) },
      { header: "incentive", value: (uid) => fraction(output.incentive[uid]!) },
      { header: "dividends", value: (uid) => fraction(output.dividends[uid]!) },
      { header: "v-trust", value: (uid) => fraction(output.validatorTrust[uid]!) },
      { header: "server emission", value: (uid) => output.serverEmission[uid]!.toString() },
      { header: "validator emission", value: (uid) => output.validatorEmission[uid]!.toString() },
      { header: "bonds", value: (uid) => String(output.bonds[uid]!.cols.length) },
    ],
    uids,
  );
}

export function renderSimResult({ snapshot, outputs }: SimEpochResult): string {
  if (snapshot.kind === "epoch") {
    return `Epoch at block ${snapshot.state.currentBlock} (n = ${snapshot.state.n}; fractions of 1, emissions in RAO; bonds = stored entries)\n${renderEpoch(outputs[0]!)}\n`;
  }
  return outputs
    .map((output, k) => `Step ${k}: epoch at block ${snapshot.steps[k]!.currentBlock}\n${renderEpoch(output)}\n`)
    .join("\n");
}

export function registerSimCommand(program: Command, ctx: CliContext): void {
  const sim = program.command("sim").description("simulate Yuma consensus on a snapshot (what-if for subnet owners)");
  sim
    .command("epoch")
    .description(
      "run one Yuma epoch ({hyperparams, state}) or a sequence ({hyperparams, initial_state, steps}) exactly as subtensor computes it",
    )
    .argument("<file>", "snapshot JSON, in the format of the Yuma reference vectors")
    .option("--json", "print the outputs as JSON (one object, or an array with one object per step)")
    .action(async (file: string, options: { json?: boolean }) => {
      const result = await simulateEpochFile(file, ctx.cwd);
      if (options.json) {
        const rows = result.outputs.map(toVectorFormat);
        ctx.stdout(`${stringifyLosslessJson(result.snapshot.kind === "epoch" ? rows[0] : rows)}\n`);
      } else {
        ctx.stdout(renderSimResult(result));
      }
    });
}
