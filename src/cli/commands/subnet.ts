/**
 * `tensornode subnet create|start|list|show|hyperparams|burn-cost`: the subnet owner's commands.
 * Creating locks the registration cost (asked first unless --yes); hyperparameters are read in one
 * runtime-API round trip and set by the owner (or root, via sudo, for root-only ones).
 */
import type { Command } from "commander";
import { formatTao } from "../../chain/units.js";
import { toJsonText } from "../json-output.js";
import { readSubnetRows, type SubnetRow } from "../subnet-rows.js";
import { UserError } from "../../util/errors.js";
import {
  COLDKEY_SIGNED_OPTIONS,
  CHAIN_OPTIONS,
  hotkeyAddress,
  HOTKEY_OPTION,
  JSON_OPTION,
  NETUID_OPTION,
  requireNetuid,
  withChain,
  withSigningChain,
} from "../chain-session.js";
import type { CliContext } from "../context.js";
import { addSubcommand } from "../options.js";
import { renderTable } from "../table.js";
import { registerHyperparamsCommand } from "./hyperparams.js";

const tao = (rao: bigint): string => `${formatTao(rao, 4)} TAO`;

function price(s: SubnetRow): string {
  return s.price === null ? "-" : formatTao(s.price, 6);
}

/** The emission share as a percentage; "-" on a chain that emits no TAO to subnets (a devnet). */
function share(s: SubnetRow): string {
  return s.emissionShare === null ? "-" : `${(s.emissionShare * 100).toFixed(2)}%`;
}

export function registerSubnetCommand(program: Command, ctx: CliContext): void {
  const subnet = program.command("subnet").description("create, start, inspect and tune subnets (subnet owners)");
  const SIGNED = COLDKEY_SIGNED_OPTIONS;

  addSubcommand(subnet, "burn-cost", "what creating a subnet locks now", { ...CHAIN_OPTIONS, ...JSON_OPTION }, async (v) => {
    const cost = await withChain(v, (ops) => ops.read.networkRegistrationCost());
    ctx.stdout(v.json ? `${toJsonText({ lockCost: cost })}\n` : `creating a subnet locks ${tao(cost)} now\n`);
  });

  addSubcommand(subnet, "create", "register a new subnet owned by the wallet's coldkey; the hotkey becomes uid 0", { ...SIGNED, ...HOTKEY_OPTION, ...JSON_OPTION }, async (v) => {
    const hotkey = await hotkeyAddress(ctx, v);
    await withSigningChain(ctx, v, async ({ ops, options, coldkey: signer }) => {
      const cost = await ops.read.networkRegistrationCost();
      const coldkey = await signer(`create a subnet, locking ${tao(cost)} from ${typeof v.uri === "string" ? v.uri : `wallet "${String(v.wallet)}"`}?`);
      const { netuid, lockCost, included } = await ops.registerNetwork(coldkey, hotkey, options);
      if (v.json) ctx.stdout(`${toJsonText({ netuid, lockCost, ownerColdkey: coldkey.address, ownerHotkey: hotkey, blockHash: included.blockHash })}\n`);
      else ctx.stdout(`created subnet ${netuid} (locked ${tao(lockCost)}); owner ${coldkey.address}, uid 0 ${hotkey}\nstart it with \`tensornode subnet start --netuid ${netuid}\`\n`);
    });
  });

  addSubcommand(subnet, "start", "start emission and staking on your subnet (start_call)", { ...SIGNED, ...NETUID_OPTION }, async (v) => {
    const netuid = requireNetuid(v);
    await withSigningChain(ctx, v, async ({ ops, options, coldkey: signer }) => {
      await ops.startSubnet(await signer(`start emission and staking on subnet ${netuid}?`), netuid, options);
      ctx.stdout(`subnet ${netuid} started: emission and staking are on\n`);
    });
  });

  addSubcommand(subnet, "list", "list the subnets: name, size, price, emission share, blocks to the next epoch", { ...CHAIN_OPTIONS, ...JSON_OPTION }, async (v) => {
    const subnets = await withChain(v, (ops) => readSubnetRows(ops));
    if (v.json) {
      ctx.stdout(`${toJsonText(subnets)}\n`);
      return;
    }
    ctx.stdout(
      `${renderTable<SubnetRow>(
        [
          { header: "netuid", value: (s) => String(s.netuid) },
          { header: "name", value: (s) => s.name, align: "left" },
          { header: "uids", value: (s) => `${s.n}/${s.maxUids}` },
          { header: "price τ/α", value: price },
          { header: "pool τ", value: (s) => formatTao(s.taoIn, 2) },
          { header: "emission", value: share },
          { header: "tempo", value: (s) => String(s.tempo) },
          { header: "next epoch", value: (s) => `${s.blocksToEpoch} blocks` },
          { header: "burn τ", value: (s) => formatTao(s.burn, 4) },
          { header: "started", value: (s) => (s.firstEmissionBlock === null ? "no" : "yes"), align: "left" },
          { header: "owner", value: (s) => s.ownerColdkey, align: "left" },
        ],
        subnets,
      )}\n`,
    );
  });

  addSubcommand(subnet, "show", "show one subnet: name, owner, size, tempo and next epoch, registration burn, pool, emission share", { ...CHAIN_OPTIONS, ...NETUID_OPTION, ...JSON_OPTION }, async (v) => {
    const netuid = requireNetuid(v);
    const [s] = await withChain(v, (ops) => readSubnetRows(ops, netuid));
    if (!s) throw new UserError("NO_SUBNET", `subnet ${netuid} does not exist; list the subnets with \`tensornode subnet list\``);
    if (v.json) {
      ctx.stdout(`${toJsonText(s)}\n`);
      return;
    }
    ctx.stdout(
      [
        `subnet ${s.netuid}${s.name === "" ? "" : ` "${s.name}"`}`,
        `  owner        ${s.ownerColdkey} (hotkey ${s.ownerHotkey})`,
        `  registered   block ${s.registeredAt}; ${s.firstEmissionBlock === null ? "not started (the owner runs `tensornode subnet start`)" : `emitting since block ${s.firstEmissionBlock}`}`,
        `  uids         ${s.n} of ${s.maxUids}`,
        `  tempo        ${s.tempo} blocks; next epoch at block ${s.nextEpochBlock}, in ${s.blocksToEpoch} blocks`,
        `  burn         ${tao(s.burn)} to register a neuron`,
        `  pool         ${tao(s.taoIn)} / ${formatTao(s.alphaIn, 4)} α (price ${price(s)} τ/α), ${formatTao(s.alphaOut, 4)} α staked out`,
        `  emission     ${share(s)} of the TAO emitted to subnets (${tao(s.taoInEmission)} per block)`,
        "",
      ].join("\n"),
    );
  });

  registerHyperparamsCommand(subnet, ctx, SIGNED);
}
