/**
 * `tensornode weights set|commit|reveal`: a validator's weights by hand (the validator daemon does
 * this on its own). Weights are any non-negative numbers, max-upscaled to u16 as the chain does.
 * `commit` saves uids, values and salt before sending, so `reveal` needs only --netuid.
 */
import type { Command } from "commander";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { SubtensorOperations } from "../../chain/operations.js";
import { commitHash, randomSalt, type U16Weights } from "../../chain/weights.js";
import { toU16Weights } from "../../chain/weights.js";
import { toJsonText } from "../json-output.js";
import { UserError } from "../../util/errors.js";
import type { OptionSchema } from "../config.js";
import { CHAIN_OPTIONS, confirm, HOTKEY_OPTION, JSON_OPTION, loadHotkey, NETUID_OPTION, operationOptions, requireNetuid, requireString, TIMEOUT_OPTION, WALLET_OPTION, withChain, YES_OPTION, type Values } from "../chain-session.js";
import type { CliContext } from "../context.js";
import { addSubcommand } from "../options.js";
import { commitsDir, loadPendingCommits, removePendingCommit, savePendingCommit, type PendingCommit } from "../pending-commits.js";

const VALUES: OptionSchema = {
  uids: { type: "string", help: "comma-separated uids, e.g. 0,1,2" },
  weights: { type: "string", help: "comma-separated weights, one per uid, e.g. 0.5,0.3,0.2 (scaled so the largest is 65535)" },
  versionKey: { type: "string", help: "weights version key (default: the subnet's current one)" },
};
const BASE: OptionSchema = { ...CHAIN_OPTIONS, ...NETUID_OPTION, ...WALLET_OPTION, ...HOTKEY_OPTION, ...YES_OPTION, ...TIMEOUT_OPTION, ...JSON_OPTION };

function numberList(text: string, flag: string, integer: boolean): number[] {
  const items = text.split(",").map((s) => s.trim());
  return items.map((item) => {
    const value = Number(item);
    if (item === "" || !Number.isFinite(value) || (integer && !Number.isInteger(value))) throw new UserError("BAD_WEIGHTS", `${flag}: "${item}" is not ${integer ? "an integer" : "a number"}`);
    return value;
  });
}

function givenWeights(v: Values): U16Weights {
  const uids = numberList(requireString(v, "uids", "--uids", "which uids to weight"), "--uids", true);
  const weights = numberList(requireString(v, "weights", "--weights", "one weight per uid"), "--weights", false);
  return toU16Weights(uids, weights);
}

async function versionKey(v: Values, ops: SubtensorOperations, netuid: number): Promise<bigint> {
  if (typeof v.versionKey === "string") {
    if (!/^\d+$/.test(v.versionKey)) throw new UserError("BAD_VERSION_KEY", `--version-key: "${v.versionKey}" is not an integer ≥ 0`);
    return BigInt(v.versionKey);
  }
  return (await ops.read.weightsRules(netuid)).versionKey;
}

function describe(w: U16Weights): string {
  return w.uids.map((uid, i) => `${uid}:${w.values[i]}`).join(" ");
}

export function registerWeightsCommand(program: Command, ctx: CliContext): void {
  const weights = program.command("weights").description("set, commit and reveal a validator hotkey's weights");

  addSubcommand(weights, "set", "set weights directly (subnets with commit-reveal off)", { ...BASE, ...VALUES }, async (v) => {
    const netuid = requireNetuid(v);
    const scaled = givenWeights(v);
    const hotkey = await loadHotkey(ctx, v);
    await withChain(v, async (ops) => {
      const key = await versionKey(v, ops, netuid);
      await confirm(ctx, v, `set weights on subnet ${netuid} from hotkey ${hotkey.address}: ${describe(scaled)}?`);
      const { weights: sent, included } = await ops.setWeights(hotkey, netuid, scaled.uids, scaled.values, key, operationOptions(ctx, v));
      if (v.json) ctx.stdout(`${toJsonText({ netuid, hotkey: hotkey.address, ...sent, versionKey: key, blockHash: included.blockHash })}\n`);
      else ctx.stdout(`set weights on subnet ${netuid}: ${describe(sent)}\n`);
    });
  });

  addSubcommand(weights, "commit", "commit weights (commit-reveal on); they are saved locally for the reveal", { ...BASE, ...VALUES }, async (v) => {
    const netuid = requireNetuid(v);
    const scaled = givenWeights(v);
    const hotkey = await loadHotkey(ctx, v);
    await withChain(v, async (ops) => {
      const key = await versionKey(v, ops, netuid);
      await confirm(ctx, v, `commit weights on subnet ${netuid} from hotkey ${hotkey.address}: ${describe(scaled)}?`);
      const salt = randomSalt();
      const pending: PendingCommit = {
        netuid,
        hotkey: hotkey.address,
        hash: commitHash(hotkey.publicKey, netuid, scaled, salt, key),
        uids: scaled.uids,
        values: scaled.values,
        salt,
        versionKey: key.toString(),
        createdAt: new Date().toISOString(),
      };
      // Saved before sending: a crash after the commit lands must not lose what it takes to reveal.
      const path = await savePendingCommit(commitsDir(ctx.env), pending);
      const committed = await ops.commitWeights(hotkey, netuid, scaled, salt, key, operationOptions(ctx, v)).catch(async (error: unknown) => {
        await removePendingCommit(commitsDir(ctx.env), pending);
        throw error;
      });
      if (v.json) ctx.stdout(`${toJsonText({ netuid, hotkey: hotkey.address, hash: committed.hash, revealEpoch: committed.revealEpoch, saved: path })}\n`);
      else ctx.stdout(`committed weights on subnet ${netuid} (${committed.hash}); reveal in epoch ${committed.revealEpoch} with \`tensornode weights reveal --netuid ${netuid}\` (saved in ${path})\n`);
    });
  });

  addSubcommand(weights, "reveal", "reveal committed weights (the saved commit, or the values given)", { ...BASE, ...VALUES, salt: { type: "string", help: "comma-separated u16 salt of the commit" } }, async (v) => {
    const netuid = requireNetuid(v);
    refuseIgnoredRevealValues(v);
    const hotkey = await loadHotkey(ctx, v);
    await withChain(v, async (ops) => {
      const { scaled, salt, key, saved } = await revealInputs(ctx, v, ops, netuid, hotkey);
      await confirm(ctx, v, `reveal weights on subnet ${netuid} from hotkey ${hotkey.address}: ${describe(scaled)}?`);
      const included = await ops.revealWeights(hotkey, netuid, scaled, salt, key, operationOptions(ctx, v));
      if (saved) await removePendingCommit(commitsDir(ctx.env), saved);
      if (v.json) ctx.stdout(`${toJsonText({ netuid, hotkey: hotkey.address, ...scaled, versionKey: key, blockHash: included.blockHash })}\n`);
      else ctx.stdout(`revealed weights on subnet ${netuid}: ${describe(scaled)}\n`);
    });
  });
}

/** Without --salt the saved commit is revealed: values given beside it would be ignored, so they are refused. */
function refuseIgnoredRevealValues(v: Values): void {
  if (typeof v.salt === "string") return;
  const ignored = (["uids", "weights", "versionKey"] as const).filter((key) => typeof v[key] === "string").map((key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  if (ignored.length > 0) {
    throw new UserError("NEEDS_SALT", `${ignored.join(", ")} ${ignored.length === 1 ? "is" : "are"} for revealing by hand, with --salt; without --salt the saved commit is revealed as it was committed`);
  }
}

/** The given values, or the oldest saved commit that the chain still holds. */
async function revealInputs(
  ctx: CliContext,
  v: Values,
  ops: SubtensorOperations,
  netuid: number,
  hotkey: KeyringPair,
): Promise<{ scaled: U16Weights; salt: number[]; key: bigint; saved?: PendingCommit }> {
  if (typeof v.salt === "string") {
    return { scaled: givenWeights(v), salt: numberList(v.salt, "--salt", true), key: await versionKey(v, ops, netuid) };
  }
  const saved = await loadPendingCommits(commitsDir(ctx.env), netuid, hotkey.address);
  const onChain = new Set((await ops.read.weightCommits(netuid, hotkey.address)).map((c) => c.hash));
  const live = saved.find((c) => onChain.has(c.hash));
  if (!live) throw new UserError("NO_SAVED_COMMIT", `no saved commit of ${hotkey.address} on subnet ${netuid} is still on chain; commit first, or give --uids, --weights, --salt and --version-key`);
  return { scaled: { uids: live.uids, values: live.values }, salt: [...live.salt], key: BigInt(live.versionKey), saved: live };
}
