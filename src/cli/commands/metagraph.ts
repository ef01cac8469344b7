/**
 * `tensornode metagraph --netuid N [--network local|test|finney | --chain ws://…] [--sort COLUMN
 * [--reverse]] [--json [--weights]]`: a subnet's metagraph in one runtime-API round trip, as a table
 * in the spirit of btcli's or as JSON.
 */
import type { Command } from "commander";
import { loadMetagraph, type Neuron } from "../../chain/metagraph.js";
import { toJsonText } from "../json-output.js";
import { sortColumn, sortNeurons, SORT_COLUMNS } from "../metagraph-sort.js";
import { UserError } from "../../util/errors.js";
import type { CliContext } from "../context.js";
import { addSchemaOptions, commandConfig } from "../options.js";
import { renderTable } from "../table.js";
import { CHAIN_OPTIONS, withChain } from "../chain-session.js";

const fraction = (u16: number): string => (u16 / 65535).toFixed(4);
const tao = (rao: bigint): string => `${rao / 1_000_000_000n}.${(rao % 1_000_000_000n).toString().padStart(9, "0").slice(0, 4)}`;

export function registerMetagraphCommand(program: Command, ctx: CliContext): void {
  const command = program.command("metagraph").description("show a subnet's neurons: stake, trust, consensus, incentive, dividends, emission, axons");
  addSchemaOptions(command, {
    netuid: { type: "integer", min: 0, max: 65535, help: "the subnet" },
    ...CHAIN_OPTIONS,
    json: { type: "boolean", default: false, help: "print JSON (amounts in rao as decimal strings: docs/cli-json.md)" },
    weights: { type: "boolean", default: false, help: "include weights and bonds (with --json only)" },
    sort: { type: "string", help: `order the neurons by a column: ${SORT_COLUMNS.join(", ")} (numbers largest first)` },
    reverse: { type: "boolean", default: false, help: "reverse the order (with --sort; without it: highest uid first)" },
  }).action(async () => {
    const values = commandConfig(command).values;
    if (values.netuid === undefined) throw new UserError("NO_NETUID", "--netuid is required (the subnet to show)");
    if (values.weights === true && values.json !== true) throw new UserError("NEEDS_JSON", "--weights is for --json output (the table has no room for every uid's weights and bonds)");
    const column = typeof values.sort === "string" ? sortColumn(values.sort) : "uid";
    const netuid = Number(values.netuid);
    await withChain(values, async ({ chain }) => {
      const loaded = await loadMetagraph(chain.api, netuid, { withWeights: values.weights === true });
      if (!loaded) throw new UserError("NO_SUBNET", `subnet ${netuid} does not exist on ${chain.endpoint}`);
      const metagraph = { ...loaded, neurons: sortNeurons(loaded.neurons, column, values.reverse === true) };
      if (values.json) {
        ctx.stdout(`${toJsonText(metagraph)}\n`);
        return;
      }
      ctx.stdout(
        `subnet ${netuid} at block ${metagraph.block} (tempo ${metagraph.tempo}), owner ${metagraph.ownerColdkey}, ${metagraph.neurons.length} uids\n` +
          `${renderTable<Neuron>(
            [
              { header: "uid", value: (n) => String(n.uid) },
              { header: "hotkey", value: (n) => `${n.hotkey.slice(0, 8)}…`, align: "left" },
              { header: "stake α", value: (n) => tao(n.stake) },
              { header: "active", value: (n) => (n.active ? "yes" : "no"), align: "left" },
              { header: "permit", value: (n) => (n.validatorPermit ? "yes" : "no"), align: "left" },
              { header: "v-trust", value: (n) => fraction(n.validatorTrust) },
              { header: "consensus", value: (n) => fraction(n.consensus) },
              { header: "incentive", value: (n) => fraction(n.incentive) },
              { header: "dividends", value: (n) => fraction(n.dividends) },
              { header: "emission α", value: (n) => tao(n.emission) },
              { header: "updated", value: (n) => String(n.lastUpdate) },
              { header: "axon", value: (n) => (n.axon ? `${n.axon.ip}:${n.axon.port}` : "-"), align: "left" },
            ],
            metagraph.neurons,
          )}\n`,
      );
    });
  });
}
