/**
 * `tensornode wallet faucet --wallet W --amount TAO`: TAO for a wallet on a dev chain, sent by the
 * dev account //Alice (funded at genesis on the devnet and on subtensor's own dev chains), at most
 * FAUCET_CAP_TAO per call. Refused on finney and the test network, known by their genesis hash.
 */
import type { Command } from "commander";
import { requireDevChain } from "../../chain/networks.js";
import { formatTao, parseTao, RAO_PER_TAO } from "../../chain/units.js";
import { UserError } from "../../util/errors.js";
import type { OptionSchema } from "../config.js";
import type { CliContext } from "../context.js";
import { toJsonText } from "../json-output.js";
import { addSubcommand } from "../options.js";
import { CHAIN_OPTIONS, devKey, FORCE_OPTION, JSON_OPTION, parseAddress, requireString, TIMEOUT_OPTION, WALLET_OPTION, walletStore, withSigningChain } from "../chain-session.js";

/** The most one faucet call sends: enough to create a subnet, register and stake on a dev chain. */
export const FAUCET_CAP_TAO = 10_000n;
/** The dev account that pays. */
export const FAUCET_URI = "//Alice";

const FAUCET: OptionSchema = {
  ...CHAIN_OPTIONS,
  ...WALLET_OPTION,
  address: { type: "string", help: "fund this address (SS58) instead of the wallet's coldkey", conflicts: { keys: ["wallet"], code: "CONFLICTING_OPTIONS" } },
  amount: { type: "string", help: `TAO to receive, at most ${FAUCET_CAP_TAO} per call` },
  ...TIMEOUT_OPTION,
  ...FORCE_OPTION,
  ...JSON_OPTION,
};

export function registerFaucetCommand(wallet: Command, ctx: CliContext): void {
  addSubcommand(wallet, "faucet", `dev chains only: TAO for a wallet from the dev account ${FAUCET_URI}, at most ${FAUCET_CAP_TAO} TAO per call (refused on finney and the test network)`, FAUCET, async (v) => {
    const amount = parseTao(requireString(v, "amount", "--amount", `how much TAO, at most ${FAUCET_CAP_TAO}`), "--amount");
    if (amount <= 0n) throw new UserError("BAD_AMOUNT", "--amount: the amount must be more than 0");
    if (amount > FAUCET_CAP_TAO * RAO_PER_TAO) throw new UserError("BAD_AMOUNT", `--amount: the faucet gives at most ${FAUCET_CAP_TAO} TAO per call, not ${formatTao(amount)}; call it again for more`);
    const dest = typeof v.address === "string" ? parseAddress(v.address, "--address") : await walletStore(ctx).coldkeyAddress(String(v.wallet));
    await withSigningChain(ctx, v, async ({ ops, options }) => {
      requireDevChain(ops.read.genesisHash(), "the faucet");
      const faucet = await devKey(FAUCET_URI);
      const included = await ops.transfer(faucet, dest, amount, options);
      const free = await ops.read.freeBalance(dest);
      if (v.json) ctx.stdout(`${toJsonText({ coldkey: dest, amount, free, blockHash: included.blockHash })}\n`);
      else ctx.stdout(`sent ${formatTao(amount)} TAO from the faucet (${FAUCET_URI}) to ${dest}; it has ${formatTao(free)} TAO free\n`);
    });
  });
}
