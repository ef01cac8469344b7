/**
 * `tensornode stake add|remove|move|list`: a coldkey's stake on hotkeys, per subnet (dTAO: TAO in,
 * alpha out). `add` takes TAO; `remove` and `move` take the subnet's alpha, as the chain does.
 * The hotkey is one of the wallet's (--hotkey) or anyone's (--hotkey-address, to delegate).
 */
import type { Command } from "commander";
import { formatTao, parseTao } from "../../chain/units.js";
import { toJsonText } from "../json-output.js";
import { localHotkeys } from "../hotkey-names.js";
import { taoValue, type Pool } from "../pool-price.js";
import { UserError } from "../../util/errors.js";
import { quoteStake, quoteUnstake } from "../../chain/stake-math.js";
import { safetyChoice, stakeSafety } from "../stake-safety.js";
import { partialText, priceLimitOf, quoteJson, quoteText } from "../stake-quote.js";
import type { OptionSchema } from "../config.js";
import {
  COLDKEY_SIGNED_OPTIONS,
  CHAIN_OPTIONS,
  hotkeyAddress,
  HOTKEY_OPTION,
  JSON_OPTION,
  NETUID_OPTION,
  requireNetuid,
  requireString,
  WALLET_OPTION,
  walletStore,
  withChain,
  withSigningChain,
  parseAddress,
  type Values,
} from "../chain-session.js";
import type { CliContext } from "../context.js";
import { addSubcommand } from "../options.js";
import { renderTable } from "../table.js";

const HOTKEY_ADDRESS: OptionSchema = { hotkeyAddress: { type: "string", help: "stake on this hotkey (SS58), e.g. a validator you delegate to, instead of the wallet's --hotkey", conflicts: { keys: ["hotkey"], code: "CONFLICTING_OPTIONS" } } };
const AMOUNT: OptionSchema = { amount: { type: "string", help: "the amount (add: TAO; remove and move: the subnet's alpha), e.g. 1.5" } };
/** btcli's safe staking: the limit-price calls (add_stake_limit, remove_stake_limit). */
const SAFETY: OptionSchema = {
  tolerance: { type: "string", help: "safe staking: the price may move at most this fraction, e.g. 0.005 = 0.5 % (finney's default), else the chain refuses" },
  safe: { type: "boolean", help: "safe staking at the default tolerance 0.005 (the default on finney)" },
  unsafe: { type: "boolean", help: "no price limit (the default except on finney)" },
  partial: { type: "boolean", help: "with a price limit, fill what fits within it instead of refusing" },
};

async function targetHotkey(ctx: CliContext, v: Values): Promise<string> {
  return typeof v.hotkeyAddress === "string" ? parseAddress(v.hotkeyAddress, "--hotkey-address") : hotkeyAddress(ctx, v);
}

export function registerStakeCommand(program: Command, ctx: CliContext): void {
  const stake = program.command("stake").description("add, remove, move and list stake (dTAO: TAO in, subnet alpha out)");
  const SIGNED = { ...COLDKEY_SIGNED_OPTIONS, ...NETUID_OPTION, ...HOTKEY_OPTION, ...HOTKEY_ADDRESS, ...JSON_OPTION };

  addSubcommand(stake, "add", "stake TAO from the coldkey on a hotkey in a subnet", { ...SIGNED, ...AMOUNT, ...SAFETY }, async (v) => {
    const netuid = requireNetuid(v);
    const amount = parseTao(requireString(v, "amount", "--amount", "how much TAO to stake"), "--amount");
    const choice = safetyChoice(v);
    const hotkey = await targetHotkey(ctx, v);
    await withSigningChain(ctx, v, async ({ ops, options, coldkey: signer }) => {
      const safety = stakeSafety(choice, ops.read.genesisHash());
      const quote = quoteStake(await ops.read.stakePool(netuid), amount);
      const limit = priceLimitOf(quote, safety, "stake");
      const coldkey = await signer(`stake ${formatTao(amount)} TAO on ${hotkey} in subnet ${netuid} ${quoteText(quote, safety, "stake")}?`);
      const { tao, alpha, included } = limit
        ? await ops.addStakeLimit(coldkey, hotkey, netuid, amount, limit, options)
        : { tao: amount, ...(await ops.addStake(coldkey, hotkey, netuid, amount, options)) };
      if (v.json) ctx.stdout(`${toJsonText({ netuid, hotkey, tao, alpha, ...quoteJson(quote, safety, "stake"), taoRequested: amount, partial: tao < amount, blockHash: included.blockHash })}\n`);
      else ctx.stdout(`staked ${formatTao(tao)} TAO on ${hotkey} in subnet ${netuid}: received ${formatTao(alpha, 4)} α${partialText(tao, amount, "TAO", limit?.limitPrice)}\n`);
    });
  });

  addSubcommand(stake, "remove", "unstake alpha back to TAO", { ...SIGNED, ...AMOUNT, all: { type: "boolean", default: false, help: "unstake all of it", conflicts: { keys: ["amount"], code: "CONFLICTING_OPTIONS" } }, ...SAFETY }, async (v) => {
    const netuid = requireNetuid(v);
    const choice = safetyChoice(v);
    const hotkey = await targetHotkey(ctx, v);
    await withSigningChain(ctx, v, async ({ ops, options, coldkey: signer }) => {
      const safety = stakeSafety(choice, ops.read.genesisHash());
      const address = (await signer()).address;
      const requested = v.all === true ? await ops.read.stakeOf(hotkey, address, netuid) : parseTao(requireString(v, "amount", "--amount", "how much alpha to unstake, or --all"), "--amount");
      const quote = quoteUnstake(await ops.read.stakePool(netuid), requested);
      const limit = priceLimitOf(quote, safety, "unstake");
      const coldkey = await signer(`unstake ${formatTao(requested, 4)} α from ${hotkey} in subnet ${netuid} ${quoteText(quote, safety, "unstake")}?`);
      const { alpha, tao, included } = limit
        ? await ops.removeStakeLimit(coldkey, hotkey, netuid, requested, limit, options)
        : { alpha: requested, ...(await ops.removeStake(coldkey, hotkey, netuid, requested, options)) };
      if (v.json) ctx.stdout(`${toJsonText({ netuid, hotkey, alpha, tao, ...quoteJson(quote, safety, "unstake"), alphaRequested: requested, partial: alpha < requested, blockHash: included.blockHash })}\n`);
      else ctx.stdout(`unstaked ${formatTao(alpha, 4)} α from ${hotkey} in subnet ${netuid}: received ${formatTao(tao, 4)} TAO${partialText(alpha, requested, "α", limit?.limitPrice)}\n`);
    });
  });

  const MOVE: OptionSchema = {
    ...SIGNED,
    ...AMOUNT,
    destNetuid: { type: "integer", min: 0, max: 65535, help: "the subnet to move to (default: the same)" },
    destHotkey: { type: "string", help: "the wallet's hotkey to move to" },
    destHotkeyAddress: { type: "string", help: "the hotkey (SS58) to move to", conflicts: { keys: ["destHotkey"], code: "CONFLICTING_OPTIONS" } },
  };
  addSubcommand(stake, "move", "move alpha to another hotkey or subnet (same coldkey)", MOVE, async (v) => {
    const netuid = requireNetuid(v);
    const amount = parseTao(requireString(v, "amount", "--amount", "how much alpha to move"), "--amount");
    const from = await targetHotkey(ctx, v);
    const to =
      typeof v.destHotkeyAddress === "string"
        ? parseAddress(v.destHotkeyAddress, "--dest-hotkey-address")
        : typeof v.destHotkey === "string"
          ? (await walletStore(ctx).loadHotkey(String(v.wallet), v.destHotkey)).address
          : from;
    const destNetuid = v.destNetuid === undefined ? netuid : Number(v.destNetuid);
    if (to === from && destNetuid === netuid) throw new UserError("NOTHING_TO_MOVE", "give --dest-hotkey, --dest-hotkey-address or --dest-netuid: the stake would stay where it is");
    await withSigningChain(ctx, v, async ({ ops, options, coldkey: signer }) => {
      const coldkey = await signer(`move ${formatTao(amount, 4)} α from ${from} in subnet ${netuid} to ${to} in subnet ${destNetuid}?`);
      const included = await ops.moveStake(coldkey, { hotkey: from, netuid }, { hotkey: to, netuid: destNetuid }, amount, options);
      if (v.json) ctx.stdout(`${toJsonText({ from: { hotkey: from, netuid }, to: { hotkey: to, netuid: destNetuid }, alpha: amount, blockHash: included.blockHash })}\n`);
      else ctx.stdout(`moved ${formatTao(amount, 4)} α to ${to} in subnet ${destNetuid}\n`);
    });
  });

  const LIST: OptionSchema = { ...CHAIN_OPTIONS, ...WALLET_OPTION, address: { type: "string", help: "a coldkey address (SS58) instead of --wallet", conflicts: { keys: ["wallet"], code: "CONFLICTING_OPTIONS" } }, ...JSON_OPTION };
  addSubcommand(stake, "list", "list a coldkey's stakes: α and its τ value at each subnet's price, hotkeys named from local wallets", LIST, async (v) => {
    const byAddress = typeof v.address === "string";
    const coldkey = byAddress ? parseAddress(v.address as string, "--address") : await walletStore(ctx).coldkeyAddress(String(v.wallet));
    const names = await localHotkeys(walletStore(ctx));
    const rows = await withChain(v, async (ops) => {
      const stakes = (await ops.read.stakesOfColdkey(coldkey)).filter((r) => r.stake > 0n);
      const pools = new Map<number, Pool>();
      for (const netuid of new Set(stakes.map((r) => r.netuid))) {
        const summary = await ops.read.subnetSummary(netuid);
        pools.set(netuid, summary ?? { netuid, taoIn: 0n, alphaIn: 0n });
      }
      return stakes.map((r): ListedStake => {
        const name = names.get(r.hotkey);
        return { netuid: r.netuid, hotkey: r.hotkey, hotkeyName: name?.hotkeyName ?? null, hotkeyWallet: name?.wallet ?? null, stake: r.stake, taoValue: taoValue(r.stake, pools.get(r.netuid)!), registered: r.registered };
      });
    });
    const totalTaoValue = rows.reduce((sum, r) => sum + r.taoValue, 0n);
    if (v.json) {
      ctx.stdout(`${toJsonText({ coldkey, wallet: byAddress ? null : String(v.wallet), stakes: rows, totalTaoValue })}\n`);
      return;
    }
    if (rows.length === 0) {
      ctx.stdout(`${coldkey} has no stake\n`);
      return;
    }
    ctx.stdout(
      `stake of ${coldkey}\n${renderTable<ListedStake>(
        [
          { header: "netuid", value: (r) => String(r.netuid) },
          { header: "name", value: (r) => (r.hotkeyName === null ? "-" : `${r.hotkeyWallet}/${r.hotkeyName}`), align: "left" },
          { header: "hotkey", value: (r) => r.hotkey, align: "left" },
          { header: "stake α", value: (r) => formatTao(r.stake, 4) },
          { header: "value τ", value: (r) => formatTao(r.taoValue, 4) },
          { header: "registered", value: (r) => (r.registered ? "yes" : "no"), align: "left" },
        ],
        rows,
      )}\ntotal value ${formatTao(totalTaoValue, 4)} τ at the pools' prices now\n`,
    );
  });
}

interface ListedStake {
  readonly netuid: number;
  readonly hotkey: string;
  /** The hotkey's name in a local wallet (null: not a local hotkey). */
  readonly hotkeyName: string | null;
  readonly hotkeyWallet: string | null;
  /** Alpha, rao. */
  readonly stake: bigint;
  /** The alpha's worth in TAO at the subnet's pool price now, rao. */
  readonly taoValue: bigint;
  readonly registered: boolean;
}
