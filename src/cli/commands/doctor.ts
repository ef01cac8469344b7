/**
 * `tensornode doctor [--netuid N] [--wallet W --hotkey H]`: what an operator checks first when a
 * node misbehaves — the chain is reachable and producing blocks, the local clock agrees with it,
 * the wallet opens, the hotkey is registered and its axon served, and which rate limits still hold.
 * One line per check (ok / warn / fail, with what to do); exits 2 when any check fails.
 */
import type { Command } from "commander";
import { connectChain } from "../../chain/connection.js";
import { SubtensorOperations } from "../../chain/operations.js";
import { blocksLeft } from "../../chain/reads.js";
import { formatTao } from "../../chain/units.js";
import { headlessPassword } from "../../wallet/wallet.js";
import { toJsonText } from "../json-output.js";
import { UserError } from "../../util/errors.js";
import { chainEndpoint, CHAIN_OPTIONS, HOTKEY_OPTION, JSON_OPTION, NETUID_OPTION, PASSWORD_OPTION, WALLET_OPTION, walletStore, type Values } from "../chain-session.js";
import type { CliContext } from "../context.js";
import { addSubcommand } from "../options.js";
import { renderTable } from "../table.js";

export type CheckStatus = "ok" | "warn" | "fail";

export interface Check {
  readonly check: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

/** The local clock may run this far from the chain's last block timestamp before a warning. */
const CLOCK_TOLERANCE_MS = 30_000;

export function registerDoctorCommand(program: Command, ctx: CliContext): void {
  const schema = { ...CHAIN_OPTIONS, ...WALLET_OPTION, ...HOTKEY_OPTION, ...PASSWORD_OPTION, ...NETUID_OPTION, ...JSON_OPTION };
  addSubcommand(program, "doctor", "check the chain, the clock, the wallet, the registration, the axon and the rate limits", schema, async (v) => {
    const checks = await runChecks(ctx, v);
    if (v.json) ctx.stdout(`${toJsonText({ checks })}\n`);
    else
      ctx.stdout(
        `${renderTable<Check>(
          [
            { header: "check", value: (c) => c.check, align: "left" },
            { header: "status", value: (c) => c.status, align: "left" },
            { header: "detail", value: (c) => c.detail, align: "left" },
          ],
          checks,
        )}\n`,
      );
    const failed = checks.filter((c) => c.status === "fail");
    if (failed.length > 0) throw new UserError("DOCTOR_FAILED", `${failed.length} check${failed.length > 1 ? "s" : ""} failed: ${failed.map((c) => c.check).join(", ")}`);
  });
}

async function runChecks(ctx: CliContext, v: Values): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (check: string, status: CheckStatus, detail: string): void => void checks.push({ check, status, detail });

  // The wallet first: it needs no chain.
  const store = walletStore(ctx);
  const walletName = String(v.wallet);
  let coldkey: string | undefined;
  let hotkey: string | undefined;
  try {
    coldkey = await store.coldkeyAddress(walletName);
    const password = await headlessPassword(ctx.env, typeof v.passwordFile === "string" ? v.passwordFile : undefined);
    if (password === undefined) add("coldkey", "ok", `${coldkey} (not unlocked: no password given)`);
    else {
      await store.unlockColdkey(walletName, password);
      add("coldkey", "ok", `${coldkey} opens with the given password`);
    }
  } catch (error) {
    add("coldkey", "fail", (error as Error).message);
  }
  try {
    hotkey = (await store.loadHotkey(walletName, String(v.hotkey))).address;
    add("hotkey", "ok", `${String(v.hotkey)}: ${hotkey}`);
  } catch (error) {
    add("hotkey", "fail", (error as Error).message);
  }

  let chain;
  try {
    chain = await connectChain(chainEndpoint(v), { timeoutMs: 10_000 });
  } catch (error) {
    add("chain", "fail", (error as Error).message);
    return checks;
  }
  try {
    const ops = new SubtensorOperations(chain);
    const { api } = chain;
    const [name, block, moment] = await Promise.all([api.rpc.system.chain(), ops.read.blockNumber(), api.query.timestamp.now()]);
    add("chain", "ok", `${name.toString()} at ${chain.endpoint}, spec ${api.runtimeVersion.specVersion.toString()}, block ${block}`);
    const skew = Date.now() - moment.toNumber();
    if (skew < -CLOCK_TOLERANCE_MS) add("clock", "warn", `the last block is stamped ${Math.round(-skew / 1000)} s in the future: the local clock is behind; sync it (NTP)`);
    else if (skew > 5 * 60_000) add("clock", "warn", `the last block is ${Math.round(skew / 1000)} s old: the chain is not producing blocks (or the local clock is ahead)`);
    else add("clock", "ok", `last block ${Math.round(skew / 1000)} s ago`);
    if (coldkey) {
      const free = await ops.read.freeBalance(coldkey);
      add("balance", free > 0n ? "ok" : "warn", `${formatTao(free, 4)} TAO free${free > 0n ? "" : "; fund the coldkey to register or stake"}`);
    }
    if (v.netuid !== undefined) await subnetChecks(ops, Number(v.netuid), hotkey, add);
  } finally {
    await chain.close();
  }
  return checks;
}

async function subnetChecks(ops: SubtensorOperations, netuid: number, hotkey: string | undefined, add: (check: string, status: CheckStatus, detail: string) => void): Promise<void> {
  if (!(await ops.read.subnetExists(netuid))) {
    add("subnet", "fail", `subnet ${netuid} does not exist`);
    return;
  }
  const started = await ops.read.subnetStarted(netuid);
  add("subnet", started ? "ok" : "warn", started ? `subnet ${netuid} is running` : `subnet ${netuid} is not started: no emission or staking until its owner runs \`tensornode subnet start\``);
  if (!hotkey) return;
  const uid = await ops.read.uidOf(netuid, hotkey);
  if (uid === undefined) {
    add("registration", "fail", `hotkey ${hotkey} is not registered on subnet ${netuid}; \`tensornode register --netuid ${netuid}\``);
    return;
  }
  add("registration", "ok", `uid ${uid}`);
  const [metagraphAxon, next, rules] = await Promise.all([ops.read.axonOf(netuid, hotkey), ops.read.blockNumber().then((b) => b + 1n), ops.read.weightsRules(netuid)]);
  add("axon", metagraphAxon ? "ok" : "warn", metagraphAxon ? `served at ${metagraphAxon.ip}:${metagraphAxon.port} since block ${metagraphAxon.block}` : "no axon served (miners serve theirs when they start)");
  const serving = await ops.read.servingBlocksLeft(netuid, hotkey, next);
  add("serving rate limit", "ok", serving > 0n ? `may serve again in ${serving} blocks` : "may serve now");
  const weightsLeft = blocksLeft(rules.lastUpdate[uid] ?? 0n, rules.rateLimit, next);
  const permit = rules.permits[uid] === true;
  add("validator permit", "ok", permit ? "yes" : "no (weights on others need a permit: the most staked uids get one each epoch)");
  add("weights rate limit", "ok", `${rules.commitReveal ? "commit-reveal on; " : ""}${weightsLeft > 0n ? `may ${rules.commitReveal ? "commit" : "set weights"} again in ${weightsLeft} blocks` : `may ${rules.commitReveal ? "commit" : "set weights"} now`}`);
}
