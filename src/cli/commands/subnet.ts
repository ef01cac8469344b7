/**
 * `tensornode subnet create|start|list|show|hyperparams|burn-cost`: the subnet owner's commands.
 * Creating locks the registration cost (asked first unless --yes); hyperparameters are read in one
 * runtime-API round trip and set by the owner (or root, via sudo, for root-only ones).
 */
import type { Command } from "commander";
import type { SubnetSummary } from "../../chain/reads.js";
import { formatTao } from "../../chain/units.js";
import { stringifyLosslessJson } from "../../util/lossless-json.js";
import { UserError } from "../../util/errors.js";
import {
  COLDKEY_SIGNED_OPTIONS,
  CHAIN_OPTIONS,
  confirm,
  hotkeyAddress,
  HOTKEY_OPTION,
  JSON_OPTION,
  NETUID_OPTION,
  operationOptions,
  requireNetuid,
  unlockColdkey,
  withChain,
} from "../chain-session.js";
import type { CliContext } from "../context.js";
import { addSubcommand } from "../options.js";
import { renderTable } from "../table.js";
import { registerHyperparamsCommand } from "./hyperparams.js";

const tao = (rao: bigint): string => `${formatTao(rao, 4)} TAO`;

function price(s: SubnetSummary): string {
  if (s.alphaIn === 0n) return "-";
  return formatTao((s.taoIn * 1_000_000_000n) / s.alphaIn, 6);
}

export function registerSubnetCommand(program: Command, ctx: CliContext): void {
  const subnet = program.command("subnet").description("create, start, inspect and tune subnets (subnet owners)");
  const SIGNED = COLDKEY_SIGNED_OPTIONS;

  addSubcommand(subnet, "burn-cost", "what creating a subnet locks now", { ...CHAIN_OPTIONS, ...JSON_OPTION }, async (v) => {
    const cost = await withChain(v, (ops) => ops.read.networkRegistrationCost());
    ctx.stdout(v.json ? `${stringifyLosslessJson({ lockCost: cost })}\n` : `creating a subnet locks ${tao(cost)} now\n`);
  });

  addSubcommand(subnet, "create", "register a new subnet owned by the wallet's coldkey; the hotkey becomes uid 0", { ...SIGNED, ...HOTKEY_OPTION, ...JSON_OPTION }, async (v) => {
    const hotkey = await hotkeyAddress(ctx, v);
    await withChain(v, async (ops) => {
      const cost = await ops.read.networkRegistrationCost();
      await confirm(ctx, v, `create a subnet, locking ${tao(cost)} from wallet "${String(v.wallet)}"?`);
      const coldkey = await unlockColdkey(ctx, v);
      const { netuid, lockCost, included } = await ops.registerNetwork(coldkey, hotkey, operationOptions(ctx, v));
      if (v.json) ctx.stdout(`${stringifyLosslessJson({ netuid, lockCost, owner: coldkey.address, ownerHotkey: hotkey, blockHash: included.blockHash })}\n`);
      else ctx.stdout(`created subnet ${netuid} (locked ${tao(lockCost)}); owner ${coldkey.address}, uid 0 ${hotkey}\nstart it with \`tensornode subnet start --netuid ${netuid}\`\n`);
    });
  });

  addSubcommand(subnet, "start", "start emission and staking on your subnet (start_call)", { ...SIGNED, ...NETUID_OPTION }, async (v) => {
    const netuid = requireNetuid(v);
    await withChain(v, async (ops) => {
      const coldkey = await unlockColdkey(ctx, v);
      await ops.startSubnet(coldkey, netuid, operationOptions(ctx, v));
      ctx.stdout(`subnet ${netuid} started: emission and staking are on\n`);
    });
  });

  addSubcommand(subnet, "list", "list the subnets", { ...CHAIN_OPTIONS, ...JSON_OPTION }, async (v) => {
    const subnets = await withChain(v, async (ops) => {
      const netuids = await ops.read.netuids();
      return (await Promise.all(netuids.map((n) => ops.read.subnetSummary(n)))).filter((s): s is SubnetSummary => s !== undefined);
    });
    if (v.json) {
      ctx.stdout(`${stringifyLosslessJson(subnets)}\n`);
      return;
    }
    ctx.stdout(
      `${renderTable<SubnetSummary>(
        [
          { header: "netuid", value: (s) => String(s.netuid) },
          { header: "uids", value: (s) => `${s.n}/${s.maxUids}` },
          { header: "tempo", value: (s) => String(s.tempo) },
          { header: "burn τ", value: (s) => formatTao(s.burn, 4) },
          { header: "price τ/α", value: price },
          { header: "pool τ", value: (s) => formatTao(s.taoIn, 2) },
          { header: "started", value: (s) => (s.firstEmissionBlock === undefined ? "no" : "yes"), align: "left" },
          { header: "owner", value: (s) => s.ownerColdkey, align: "left" },
        ],
        subnets,
      )}\n`,
    );
  });

  addSubcommand(subnet, "show", "show one subnet: owner, size, tempo, registration burn, pool", { ...CHAIN_OPTIONS, ...NETUID_OPTION, ...JSON_OPTION }, async (v) => {
    const netuid = requireNetuid(v);
    const summary = await withChain(v, (ops) => ops.read.subnetSummary(netuid));
    if (!summary) throw new UserError("NO_SUBNET", `subnet ${netuid} does not exist; list the subnets with \`tensornode subnet list\``);
    if (v.json) {
      ctx.stdout(`${stringifyLosslessJson(summary)}\n`);
      return;
    }
    const s = summary;
    ctx.stdout(
      [
        `subnet ${s.netuid}`,
        `  owner        ${s.ownerColdkey} (hotkey ${s.ownerHotkey})`,
        `  registered   block ${s.registeredAt}; ${s.firstEmissionBlock === undefined ? "not started (the owner runs `tensornode subnet start`)" : `emitting since block ${s.firstEmissionBlock}`}`,
        `  uids         ${s.n} of ${s.maxUids}`,
        `  tempo        ${s.tempo} blocks`,
        `  burn         ${tao(s.burn)} to register a neuron`,
        `  pool         ${tao(s.taoIn)} / ${formatTao(s.alphaIn, 4)} α (price ${price(s)} τ/α), ${formatTao(s.alphaOut, 4)} α staked out`,
        "",
      ].join("\n"),
    );
  });

  registerHyperparamsCommand(subnet, ctx, SIGNED);
}
