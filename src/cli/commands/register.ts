/**
 * `tensornode register --netuid N --wallet W --hotkey H`: registers the hotkey on a subnet by
 * burning the subnet's current registration price from the coldkey (burned_register; proof of work
 * is gone on HEAD). The price is shown and confirmed first unless --yes.
 */
import type { Command } from "commander";
import { formatTao } from "../../chain/units.js";
import { toJsonText } from "../json-output.js";
import {
  COLDKEY_SIGNED_OPTIONS,
  hotkeyAddress,
  HOTKEY_OPTION,
  JSON_OPTION,
  NETUID_OPTION,
  requireNetuid,
  withSigningChain,
} from "../chain-session.js";
import type { CliContext } from "../context.js";
import { addSubcommand } from "../options.js";

export function registerRegisterCommand(program: Command, ctx: CliContext): void {
  const schema = { ...COLDKEY_SIGNED_OPTIONS, ...NETUID_OPTION, ...HOTKEY_OPTION, ...JSON_OPTION };
  addSubcommand(program, "register", "register a hotkey on a subnet, paying the registration burn from the coldkey", schema, async (v) => {
    const netuid = requireNetuid(v);
    const hotkey = await hotkeyAddress(ctx, v);
    await withSigningChain(ctx, v, async ({ ops, options, coldkey: signer }) => {
      const burn = await ops.read.burn(netuid);
      const coldkey = await signer(`register hotkey ${hotkey} on subnet ${netuid}, burning ${formatTao(burn, 4)} TAO?`);
      const { uid, burn: paid, included } = await ops.registerNeuron(coldkey, netuid, hotkey, options);
      if (v.json) ctx.stdout(`${toJsonText({ netuid, uid, hotkey, burn: paid, blockHash: included.blockHash })}\n`);
      else ctx.stdout(`registered ${hotkey} on subnet ${netuid} as uid ${uid} (burned ${formatTao(paid, 4)} TAO)\n`);
    });
  });
}
