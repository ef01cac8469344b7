/**
 * Crash recovery: processes of the built binary killed with SIGKILL at seeded random moments and
 * started again, N times each —
 * - the devnet, while transfers are being included: blocks it had announced must all be there
 *   after the restart (state lost must be 0), and the time until it produces again;
 * - a validator (scoring a tiny miner, commit-reveal on, epochs of 40 blocks of 200 ms: longer than
 *   a restart takes, as on a real chain), killed at random points, some between a
 *   commit and its reveal: every commit seen on chain at a kill must be revealed by the restarted
 *   validator in its own epoch (or revealed before it died), and its saved scores and receipts
 *   must never shrink;
 * - a miner: after its restart the validator is served again, and the time that takes.
 */
import "../src/util/polyfill.js";
import "@polkadot/api-augment";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Keyring } from "@polkadot/api";
import { connectChain } from "../src/chain/connection.js";
import { SubtensorOperations } from "../src/chain/operations.js";
import { DevnetNode } from "../src/devnet/node.js";
import { createLogger } from "../src/util/logger.js";
import { prng } from "../src/util/prng.js";
import { ValidatorState } from "../src/validator/state.js";
import { WalletStore } from "../src/wallet/wallet.js";
import { median } from "../bench/harness.js";
import type { CheckLine } from "./fuzz-checks.js";

const BIN = fileURLToPath(new URL("../bin/tensornode.js", import.meta.url));
const TAO = 1_000_000_000n;
const log = createLogger({ level: "silent", format: "json" });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Proc {
  readonly child: ChildProcess;
  out(): string;
  readonly exited: Promise<void>;
}

function start(args: readonly string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { child, out: () => out, exited };
}

async function until<T>(timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await Promise.resolve(probe()).catch(() => undefined);
    if (value !== undefined) return value;
    await sleep(100);
  }
  return undefined;
}

async function kill(proc: Proc): Promise<void> {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill("SIGKILL");
  await proc.exited;
}

/** The devnet process killed while transfers are included; every block it announced must survive. */
export async function devnetCrashes(rounds: number): Promise<CheckLine> {
  const dir = mkdtempSync(join(tmpdir(), "tn-crash-devnet-"));
  const random = prng(41);
  let lost = 0;
  const recoverMs: number[] = [];
  let proc: Proc | undefined;
  try {
    let port = 0;
    for (let round = 0; round < rounds; round++) {
      proc = start(["devnet", "--data-dir", join(dir, "chain"), "--port", String(port), "--block-time", "100ms", "--log-level", "warn"], {});
      const started = Date.now();
      const url = await until(20_000, () => / at (ws:\/\/\S+) /.exec(proc!.out())?.[1]);
      if (!url) throw new Error(`the devnet did not start: ${proc.out().slice(-500)}`);
      port = Number(/:(\d+)$/.exec(url)![1]);
      const chain = await connectChain(url);
      try {
        const first = await until(10_000, async () => {
          const n = (await chain.api.rpc.chain.getHeader()).number.toNumber();
          return n > 0 ? n : undefined;
        });
        if (round > 0) recoverMs.push(Date.now() - started);
        // Blocks announced before the previous kill must all still be there, with the same hashes.
        const seen = new Map<number, string>();
        const alice = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//Alice");
        const stop = Date.now() + 300 + random() * 1_500;
        let nonce = (await chain.api.rpc.system.accountNextIndex(alice.address)).toNumber();
        while (Date.now() < stop) {
          await chain.api.tx.balances.transferKeepAlive("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty", 10n ** 9n).signAndSend(alice, { nonce: nonce++ }).catch(() => undefined);
          const header = await chain.api.rpc.chain.getHeader();
          seen.set(header.number.toNumber(), header.hash.toHex());
          await sleep(50);
        }
        await kill(proc);
        await chain.close();
        // Check what was seen against a fresh start of the same data dir (the next round's, or a last one).
        const check = start(["devnet", "--data-dir", join(dir, "chain"), "--port", "0", "--block-time", "manual", "--log-level", "warn"], {});
        const checkUrl = await until(20_000, () => / at (ws:\/\/\S+) /.exec(check.out())?.[1]);
        const reader = await connectChain(checkUrl!);
        for (const [number, hash] of seen) {
          const kept = (await reader.api.rpc.chain.getBlockHash(number)).toHex();
          if (kept !== hash) lost += 1;
        }
        await reader.close();
        await kill(check);
        void first;
      } finally {
        await chain.close().catch(() => undefined);
      }
    }
    return {
      name: `crash: devnet SIGKILLed ${rounds} times while transfers are included (100 ms blocks), restarted on its data dir`,
      figures: { kills: rounds, announced_blocks_lost: lost, median_ms_to_first_block: median(recoverMs) },
      holds: lost === 0,
      rule: "every block it announced is there after the restart, same hash",
    };
  } finally {
    if (proc) await kill(proc);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A validator and a miner killed at random moments on a devnet with commit-reveal on. */
export async function daemonCrashes(validatorKills: number, minerKills: number): Promise<CheckLine[]> {
  const home = mkdtempSync(join(tmpdir(), "tn-crash-daemons-"));
  const env = { TENSORNODE_HOME: home, BT_WALLET_PATH: join(home, "none") };
  const random = prng(42);
  const devnet = await DevnetNode.start({ port: 0, blockTime: { mode: "interval", ms: 200 }, log });
  const chain = await connectChain(devnet.endpoint.wsUrl);
  const procs: Proc[] = [];
  try {
    const ops = new SubtensorOperations(chain);
    const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
    const alice = keyring.addFromUri("//Alice");
    const { netuid } = await ops.registerNetwork(alice, keyring.addFromUri("//Owner").address);
    await ops.startSubnet(alice, netuid);
    await ops.adminCall(alice, netuid, (chain.api.tx.subtensorModule!.setTempo as unknown as (...a: unknown[]) => never)(netuid, 40), "owner", "tempo");
    const wallets = new WalletStore([join(home, "wallets")]);
    const validator = (await wallets.createHotkey("ops", "v")).address;
    const minerKey = (await wallets.createHotkey("ops", "m")).address;
    await ops.registerNeuron(alice, netuid, validator);
    await ops.registerNeuron(alice, netuid, minerKey);
    await ops.addStake(alice, validator, netuid, 100n * TAO);
    const common = ["--netuid", String(netuid), "--wallet", "ops", "--chain", devnet.endpoint.wsUrl, "--log-format", "json", "--log-level", "info"];
    const startMiner = (): Proc => start(["miner", ...common, "--subnet", "tiny", "--hotkey", "m", "--host", "127.0.0.2", "--port", "0", "--workers", "1", "--metagraph-interval", "1"], env);
    const dataDir = join(home, "validator");
    const startValidator = (): Proc => start(["validator", ...common, "--subnet", "tiny", "--hotkey", "v", "--host", "127.0.0.1", "--data-dir", dataDir, "--step-interval", "1", "--weights-interval", "1", "--resync-blocks", "3", "--metrics-port", "0"], env);
    let miner = startMiner();
    procs.push(miner);
    await until(30_000, () => (/serving tiny/.test(miner.out()) ? true : undefined));
    await until(30_000, async () => ((await ops.read.axonOf(netuid, minerKey)) ? true : undefined));

    // --- the validator, killed at random moments ---
    const readState = async (): Promise<{ samples: number; receipts: number }> => {
      const state = await ValidatorState.openForReading(join(dataDir, "state"), { hotkey: validator, netuid });
      try {
        const entry = state.book.entries()[0];
        return { samples: entry?.samples ?? 0, receipts: (await state.receipts(1)).length };
      } finally {
        await state.close();
      }
    };
    let shrunk = 0;
    let pendingAtKill = 0;
    let revealedInEpoch = 0;
    let notRevealed = 0;
    const recoverMs: number[] = [];
    const notes: string[] = [];
    let previous = { samples: 0, receipts: 0 };
    let v = startValidator();
    procs.push(v);
    await until(60_000, async () => ((await ops.read.weightCommits(netuid, validator)).length > 0 ? true : undefined));
    for (let k = 0; k < validatorKills; k++) {
      // Every other kill waits for a commit of the running epoch (so its reveal is still to come).
      if (k % 2 === 0) await until(30_000, async () => {
        const [commits, schedule] = await Promise.all([ops.read.weightCommits(netuid, validator), ops.read.epochSchedule(netuid)]);
        return commits.some((c) => c.epoch === schedule.index) ? true : undefined;
      });
      else await sleep(500 + random() * 3_000);
      const commits = await ops.read.weightCommits(netuid, validator);
      await kill(v);
      const saved = await readState();
      if (saved.samples < previous.samples || saved.receipts < Math.min(previous.receipts, 64)) shrunk += 1;
      previous = saved;
      const restarted = Date.now();
      v = startValidator();
      procs.push(v);
      await until(30_000, () => (/validator running/.test(v.out()) ? true : undefined));
      recoverMs.push(Date.now() - restarted);
      for (const commit of commits) {
        pendingAtKill += 1;
        const period = (await ops.read.epochSchedule(netuid)).revealPeriodEpochs;
        const revealed = await until(30_000, () => {
          const line = v.out().split("\n").find((l) => l.includes(commit.hash) && l.includes("weights revealed"));
          return line ? BigInt(/"epoch":"?(\d+)/.exec(line)?.[1] ?? "-1") : undefined;
        });
        // Revealed by the restarted validator in its own epoch, or (killed just after) already revealed before.
        if (revealed === commit.epoch + period) revealedInEpoch += 1;
        else if (revealed === undefined && !(await ops.read.weightCommits(netuid, validator)).some((c) => c.hash === commit.hash) && !/expired unrevealed/.test(v.out())) revealedInEpoch += 1;
        else {
          notRevealed += 1;
          notes.push(`commit ${commit.hash.slice(0, 12)}… of epoch ${commit.epoch}: ${revealed === undefined ? "no reveal logged" : `revealed in epoch ${revealed}`}; ${/expired unrevealed/.test(v.out()) ? "the validator says it expired" : ""}`);
        }
      }
    }
    const validatorLine: CheckLine = {
      name: `crash: validator SIGKILLed ${validatorKills} times (half of them between a commit and its reveal), restarted on its data dir`,
      figures: { kills: validatorKills, commits_pending_at_kill: pendingAtKill, revealed_in_their_epoch: revealedInEpoch, not_revealed: notRevealed, state_shrunk: shrunk, median_ms_to_running: median(recoverMs) },
      holds: shrunk === 0 && notRevealed === 0 && pendingAtKill > 0,
      rule: "no saved state lost; every commit pending at a kill revealed in its epoch",
      notes,
    };

    // --- the miner, killed at random moments: the validator is served again ---
    const metricsUrl = await until(10_000, () => /metrics at (http:\/\/\S+)\/metrics/.exec(v.out())?.[1]);
    const answered = async (): Promise<number> => Number(/tensornode_validator_queries_total\{[^}]*outcome="answered"\} (\d+)/.exec(await (await fetch(`${metricsUrl}/metrics`)).text())?.[1] ?? 0);
    const minerRecoverMs: number[] = [];
    let unserved = 0;
    for (let k = 0; k < minerKills; k++) {
      await sleep(500 + random() * 2_000);
      await kill(miner);
      const killed = Date.now();
      miner = startMiner();
      procs.push(miner);
      const up = await until(30_000, () => (/serving tiny/.test(miner.out()) ? true : undefined));
      if (!up) {
        unserved += 1;
        continue;
      }
      // Served again: the data dir's lock released by the kill and the peer key reopened, the validator redials and gets answers.
      const before = await answered();
      const again = await until(30_000, async () => ((await answered()) > before ? true : undefined));
      if (!again) unserved += 1;
      minerRecoverMs.push(Date.now() - killed);
    }
    const minerLine: CheckLine = {
      name: `crash: miner SIGKILLed ${minerKills} times, restarted (same data dir and peer key)`,
      figures: { kills: minerKills, not_served_again: unserved, median_ms_to_serving: median(minerRecoverMs) },
      holds: unserved === 0,
      rule: "serving again after every restart",
    };
    return [validatorLine, minerLine];
  } finally {
    await Promise.all(procs.map(kill));
    await chain.close();
    await devnet.stop();
    rmSync(home, { recursive: true, force: true });
  }
}
