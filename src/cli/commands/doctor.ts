/**
 * `tensornode doctor [--netuid N] [--wallet W --hotkey H]`: what an operator checks first when a
 * node misbehaves — the chain is reachable and producing blocks, the local clock agrees with it,
 * the wallet opens, the hotkey is registered and its axon served, and which rate limits still hold.
 * One line per check (ok / warn / fail, with what to do); a check whose reads fail says so on its
 * own line and the others still run; exits 2 when any check fails.
 */
import type { Command } from "commander";
import { connectChain } from "../../chain/connection.js";
import { chainFailure } from "../../chain/errors.js";
import { SubtensorOperations } from "../../chain/operations.js";
import { blocksLeft } from "../../chain/reads.js";
import { formatTao } from "../../chain/units.js";
import { headlessPassword } from "../../wallet/wallet.js";
import { toJsonText } from "../json-output.js";
import { UserError } from "../../util/errors.js";
import { chainEndpoint, CHAIN_OPTIONS, debugLog, HOTKEY_OPTION, JSON_OPTION, NETUID_OPTION, PASSWORD_OPTION, WALLET_OPTION, walletStore, type Values } from "../chain-session.js";
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
  const add: AddCheck = (name, status, detail) => void checks.push({ check: name, status, detail });

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
    chain = await connectChain(chainEndpoint(v), { timeoutMs: 10_000, ...debugLog(v) });
  } catch (error) {
    add("chain", "fail", failureText(error));
    return checks;
  }
  try {
    const ops = new SubtensorOperations(chain);
    const { api } = chain;
    const attempt = (name: string, run: () => Promise<readonly [CheckStatus, string]>) => check(add, name, run);
    await attempt("chain", async () => {
      const [name, block] = await Promise.all([api.rpc.system.chain(), ops.read.blockNumber()]);
      return ["ok", `${name.toString()} at ${chain.endpoint}, spec ${api.runtimeVersion.specVersion.toString()}, block ${block}`];
    });
    await attempt("clock", async () => {
      const skew = Date.now() - (await api.query.timestamp.now()).toNumber();
      if (skew < -CLOCK_TOLERANCE_MS) return ["warn", `the last block is stamped ${Math.round(-skew / 1000)} s in the future: the local clock is behind; sync it (NTP)`];
      if (skew > 5 * 60_000) return ["warn", `the last block is ${Math.round(skew / 1000)} s old: the chain is not producing blocks (or the local clock is ahead)`];
      return ["ok", `last block ${Math.round(skew / 1000)} s ago`];
    });
    if (coldkey) {
      const owner = coldkey;
      await attempt("balance", async () => {
        const free = await ops.read.freeBalance(owner);
        return [free > 0n ? "ok" : "warn", `${formatTao(free, 4)} TAO free${free > 0n ? "" : "; fund the coldkey to register or stake"}`];
      });
    }
    if (v.netuid !== undefined) await subnetChecks(ops, Number(v.netuid), hotkey, add);
  } finally {
    await chain.close();
  }
  return checks;
}

type AddCheck = (check: string, status: CheckStatus, detail: string) => void;

/**
 * Runs one check: what it finds is its line; a read that fails (a JSON-RPC error, a dropped
 * connection, an undecodable answer) is that check's own failure, and the others still run.
 * Resolves whether the check ran to the end.
 */
async function check(add: AddCheck, name: string, run: () => Promise<readonly [CheckStatus, string]>): Promise<boolean> {
  try {
    const [status, detail] = await run();
    add(name, status, detail);
    return true;
  } catch (error) {
    add(name, "fail", failureText(error));
    return false;
  }
}

/** A failure in one line: a chain failure as the CLI says it, anything else by its message. */
function failureText(error: unknown): string {
  return chainFailure(error)?.message ?? (error instanceof Error ? error.message.split("\n", 1)[0]! : String(error));
}

async function subnetChecks(ops: SubtensorOperations, netuid: number, hotkey: string | undefined, add: AddCheck): Promise<void> {
  let exists = false;
  await check(add, "subnet", async () => {
    exists = await ops.read.subnetExists(netuid);
    if (!exists) return ["fail", `subnet ${netuid} does not exist`];
    const started = await ops.read.subnetStarted(netuid);
    return started ? ["ok", `subnet ${netuid} is running`] : ["warn", `subnet ${netuid} is not started: no emission or staking until its owner runs \`tensornode subnet start\``];
  });
  if (!exists || !hotkey) return;
  let uid: number | undefined;
  const registered = await check(add, "registration", async () => {
    uid = await ops.read.uidOf(netuid, hotkey);
    return uid === undefined ? ["fail", `hotkey ${hotkey} is not registered on subnet ${netuid}; \`tensornode register --netuid ${netuid}\``] : ["ok", `uid ${uid}`];
  });
  if (!registered || uid === undefined) return;
  const registeredUid = uid;
  const nextBlock = async (): Promise<bigint> => (await ops.read.blockNumber()) + 1n;
  await check(add, "axon", async () => {
    const axon = await ops.read.axonOf(netuid, hotkey);
    return axon ? ["ok", `served at ${axon.ip}:${axon.port} since block ${axon.block}`] : ["warn", "no axon served (miners serve theirs when they start)"];
  });
  await check(add, "serving rate limit", async () => {
    const serving = await ops.read.servingBlocksLeft(netuid, hotkey, await nextBlock());
    return ["ok", serving > 0n ? `may serve again in ${serving} blocks` : "may serve now"];
  });
  await check(add, "validator permit", async () => {
    const permit = (await ops.read.weightsRules(netuid)).permits[registeredUid] === true;
    return ["ok", permit ? "yes" : "no (weights on others need a permit: the most staked uids get one each epoch)"];
  });
  await check(add, "weights rate limit", async () => {
    const [rules, next] = await Promise.all([ops.read.weightsRules(netuid), nextBlock()]);
    const left = blocksLeft(rules.lastUpdate[registeredUid] ?? 0n, rules.rateLimit, next);
    const action = rules.commitReveal ? "commit" : "set weights";
    return ["ok", `${rules.commitReveal ? "commit-reveal on; " : ""}${left > 0n ? `may ${action} again in ${left} blocks` : `may ${action} now`}`];
  });
}
