/**
 * `tensornode subnet hyperparams --netuid N [--set name=value …]`: every hyperparameter of a subnet
 * in one runtime-API round trip, with who may change it; `--set` changes one or more, signed by the
 * owner's coldkey (or root's, through sudo, for root-only ones), each confirmed on chain and read back.
 */
import { Option, type Command } from "commander";
import {
  findHyperparameter,
  formatHyperparameterValue,
  HYPERPARAMETERS,
  hyperparameterCall,
  parseHyperparameterAssignment,
  planHyperparameterChange,
  readHyperparameters,
  type Hyperparameter,
  type HyperparameterValue,
  type HyperparameterValues,
} from "../../chain/hyperparameters.js";
import { toJsonText } from "../json-output.js";
import { UserError } from "../../util/errors.js";
import type { OptionSchema } from "../config.js";
import { JSON_OPTION, NETUID_OPTION, requireNetuid, withSigningChain } from "../chain-session.js";
import type { CliContext } from "../context.js";
import { addSubcommand, refuseUnused } from "../options.js";
import { renderTable } from "../table.js";

interface Row {
  readonly name: string;
  readonly value: string;
  readonly setBy: string;
}

function rows(values: HyperparameterValues): Row[] {
  return (HYPERPARAMETERS as readonly Hyperparameter[])
    .filter((h) => "field" in h && h.name in values)
    .map((h) => ({
      name: h.name,
      value: formatHyperparameterValue(h, (values as unknown as Record<string, HyperparameterValue>)[h.name]!),
      setBy: "setter" in h && h.setter ? h.setter.who : "read-only",
    }));
}

export function registerHyperparamsCommand(subnet: Command, ctx: CliContext, signed: OptionSchema): void {
  const command = addSubcommand(subnet, "hyperparams", "show a subnet's hyperparameters; --set name=value … changes them (owner, or root for root-only ones)", { ...signed, ...NETUID_OPTION, ...JSON_OPTION }, async (v, cmd) => {
    const netuid = requireNetuid(v);
    const assignments = ((cmd.opts().set as string[] | undefined) ?? []).flatMap((text) => text.split(",")).filter((t) => t.trim() !== "").map(parseHyperparameterAssignment);
    // Every assignment is checked before anything is sent: one bad value sends nothing.
    for (const { name, value } of assignments) planHyperparameterChange(name, value);
    if (assignments.length === 0) refuseUnused(cmd, ["wallet", "uri", "passwordFile", "yes", "timeout", "force"], "they are for changing hyperparameters with --set; reading signs nothing");
    await withSigningChain(ctx, v, async ({ ops, options, coldkey }) => {
      if (assignments.length > 0) {
        const signer = await coldkey(`set ${assignments.map((a) => `${a.name} = ${a.value}`).join(", ")} on subnet ${netuid}?`);
        for (const { name, value } of assignments) {
          const { tx, setter, hyperparameter } = hyperparameterCall(ops.chain.api, netuid, name, value);
          await ops.adminCall(signer, netuid, tx, setter, `set ${hyperparameter.name} = ${value} on subnet ${netuid}`, options);
          ctx.stderr(`${hyperparameter.name} set to ${value}\n`);
        }
      }
      const values = await readHyperparameters(ops.chain.api, netuid);
      if (!values) throw new UserError("NO_SUBNET", `subnet ${netuid} does not exist; list the subnets with \`tensornode subnet list\``);
      if (v.json) {
        ctx.stdout(`${toJsonText({ netuid, hyperparameters: values })}\n`);
        return;
      }
      const changed = new Set(assignments.map((a) => findHyperparameter(a.name).name));
      ctx.stdout(
        `hyperparameters of subnet ${netuid}\n${renderTable<Row>(
          [
            { header: "name", value: (r) => `${changed.has(r.name as Hyperparameter["name"]) ? "*" : " "}${r.name}`, align: "left" },
            { header: "value", value: (r) => r.value },
            { header: "set by", value: (r) => r.setBy, align: "left" },
          ],
          rows(values),
        )}\n`,
      );
    });
  });
  command.addOption(new Option("--set <name=value...>", "hyperparameters to change, e.g. --set rho=10 immunity_period=100"));
}
