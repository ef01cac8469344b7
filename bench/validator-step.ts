/**
 * `validator-step`: one validator step over a subnet of 4096 uids — the validator (uid 0, the
 * subnet owner's hotkey), 255 miners, and 3840 hotkeys registered without axons (MaxAllowedUids
 * lifted with a root `set_storage`, as bench/metagraph.ts does) — whose miners answer after a fixed
 * delay D, against D (../shared/design/PERFORMANCE.md, goal: step ≤ 1.1 × D). It also reports the
 * resident memory of the validator (this process) and of a miner process serving 64 hotkeys.
 *
 * The devnet runs as its own process (the built binary, instant blocks). The miners are 4 processes
 * of the built `tensornode miner`, each serving 64 (the last 63) hotkeys — each hotkey its own
 * libp2p node, port and axon, as operators run them. They serve a bench plugin written to a temp
 * folder: the validator's challenge is 32 random bytes and the delay D; the miner answers the bytes
 * back after D ms (a timer, no CPU), the validator scores an exact echo 1. The validator is a
 * `ValidatorDaemon` in this process (its loops off; `step()` called directly), so the step is the
 * daemon's own: a signed query and a verified answer per miner, all 255 concurrently (the
 * challenges made after the step before, the block read alongside), then — after the step's time
 * is taken — the scores and 255 receipts saved in one level write.
 *
 * Warm-up steps until one hears every miner (dials and handshakes with every miner), then steps at D = 0 (the step's own
 * cost: signing, sending, verifying, saving), D = 1 s and D = 5 s, interleaved. Every measured step
 * must have all 255 answers. Here the 4 miner processes share the machine's cores with the
 * validator, so their work (verifying 255 requests, signing 255 answers, libp2p) lands on the
 * step's critical path, which it would not with miners on their own machines: validator_cpu_ms is
 * the validator's own share. About 2 minutes here.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Keyring } from "@polkadot/api";
import { u8aToHex } from "@polkadot/util";
import { blake2AsU8a } from "@polkadot/util-crypto";
import { connectChain } from "../src/chain/connection.js";
import { SubtensorOperations } from "../src/chain/operations.js";
import { submitAndWait } from "../src/chain/submit.js";
import { loadPlugin } from "../src/subnet/loader.js";
import type { ValidatorModule } from "../src/subnet/plugin.js";
import { stopChild } from "../src/util/child-process.js";
import { createLogger } from "../src/util/logger.js";
import { sr25519Ready, sr25519SignerFromSeed } from "../src/util/sr25519.js";
import { ValidatorDaemon } from "../src/validator/daemon.js";
import { ValidatorState } from "../src/validator/state.js";
import { WalletStore } from "../src/wallet/wallet.js";
import { startDevnetProcess } from "./devnet-process.js";
import { median, type BenchLine } from "./harness.js";

const MINERS = 255;
/** Uids in all: the validator, the miners and hotkeys registered without an axon. */
const UIDS = 4096;
const PER_PROCESS = 64;
/** D: a quick synapse, and one of the seconds real subnets give (their time-outs are ~12 s). */
const DELAYS_MS = [1_000, 5_000] as const;
const STEPS = 5;
const BIN = fileURLToPath(new URL("../bin/tensornode.js", import.meta.url));

type Untyped = (...args: unknown[]) => never;

const log = createLogger({ level: "silent", format: "json" });

/** The bench plugin: echo 32 bytes after the delay the challenge names. */
function writeDelayPlugin(dir: string): string {
  writeFileSync(
    join(dir, "manifest.json"),
    JSON.stringify({ name: "delay", version: "1.0.0", description: "answers the challenge's bytes back after the delay it names (a benchmark plugin)", synapses: { echo: { description: "bytes, delay_ms → bytes", timeoutMs: 10_000 } }, miner: "./miner", validator: "./validator" }),
  );
  writeFileSync(
    join(dir, "miner.js"),
    `export async function createMiner() {
  return {
    async answer(request) {
      const d = request.body.get("delay_ms").data; // a view into the frame's buffer: read it in place
      const delay = new DataView(d.buffer, d.byteOffset, 4).getUint32(0, true);
      await new Promise((resolve) => setTimeout(resolve, delay));
      return new Map([["bytes", request.body.get("bytes")]]);
    },
  };
}
`,
  );
  writeFileSync(
    join(dir, "validator.js"),
    `export let delayMs = 0;
// The daemon makes a step's challenges after the step before: setDelay rewrites those made since.
const unsent = [];
export function setDelay(ms) {
  delayMs = ms;
  for (const delay of unsent.splice(0)) new DataView(delay.buffer).setUint32(0, ms, true);
}
export async function createValidator() {
  return {
    async challenge(random) {
      const bytes = Uint8Array.from({ length: 32 }, () => Math.floor(random() * 256));
      const delay = new Uint8Array(4);
      new DataView(delay.buffer).setUint32(0, delayMs, true);
      unsent.push(delay);
      return { synapse: "echo", body: new Map([["bytes", { dtype: "uint8", dims: [32], data: bytes }], ["delay_ms", { dtype: "uint8", dims: [4], data: delay }]]), expected: bytes };
    },
    score(challenge, answer) {
      const got = answer?.get("bytes")?.data;
      return got && got.length === 32 && got.every((b, i) => b === challenge.expected[i]) ? 1 : 0;
    },
  };
}
`,
  );
  return dir;
}

function startMiners(args: readonly string[], env: Record<string, string>): { child: ChildProcess; serving: Promise<void> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const count = args[args.indexOf("--hotkey") + 1]!.split(",").length;
  const serving = new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if ((out.match(/serving delay on subnet/g) ?? []).length >= count) resolve();
    });
    child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`a miner process exited with ${code}: ${err.slice(-2000)}`)));
  });
  return { child, serving };
}

/** A child's resident set (VmRSS), MiB. */
function residentMiB(child: ChildProcess): number {
  const line = readFileSync(`/proc/${child.pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB$/m);
  if (!line) throw new Error(`no VmRSS for process ${child.pid}`);
  return Number(line[1]) / 1024;
}

export async function benchValidatorStep(): Promise<BenchLine[]> {
  const home = mkdtempSync(join(tmpdir(), "tn-bench-vstep-"));
  const devnet = await startDevnetProcess(join(home, "devnet"));
  const children: ChildProcess[] = [];
  let daemon: ValidatorDaemon | undefined;
  let state: ValidatorState | undefined;
  const chain = await connectChain(devnet.url);
  try {
    await sr25519Ready();
    const ops = new SubtensorOperations(chain);
    const alice = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//Alice");
    const wallets = new WalletStore([join(home, "wallets")]);
    const validatorKey = await wallets.createHotkey("bench", "validator");
    const { netuid } = await ops.registerNetwork(alice, validatorKey.address);
    await ops.startSubnet(alice, netuid);
    const names = Array.from({ length: MINERS }, (_, i) => `m${i}`);
    const addresses: string[] = [];
    for (const name of names) addresses.push((await wallets.createHotkey("bench", name)).address);
    const register = chain.api.tx.subtensorModule!.burnedRegister as unknown as Untyped;
    const batchAll = chain.api.tx.utility!.batchAll as unknown as Untyped;
    for (let i = 0; i < addresses.length; i += 64) await submitAndWait(chain.api, chain.nonces, batchAll(addresses.slice(i, i + 64).map((hk) => register(netuid, hk))), alice, { what: "register the miners" });
    // The rest of the 4096 uids: hotkeys without axons, registered once the cap is lifted.
    const maxUidsKey = (chain.api.query.subtensorModule!.maxAllowedUids as unknown as { key(netuid: number): string }).key(netuid);
    await submitAndWait(chain.api, chain.nonces, chain.api.tx.sudo!.sudo!(chain.api.tx.system!.setStorage!([[maxUidsKey, u8aToHex(chain.api.createType("u16", UIDS).toU8a())]])), alice, { what: "lift MaxAllowedUids" });
    const bare = Array.from({ length: UIDS - MINERS - 1 }, (_, i) => blake2AsU8a(`validator-step-bare-${i}`));
    for (let i = 0; i < bare.length; i += 64) await submitAndWait(chain.api, chain.nonces, batchAll(bare.slice(i, i + 64).map((hk) => register(netuid, hk))), alice, { what: "register the hotkeys without axons" });
    const size = await ops.read.subnetSize(netuid);
    if (size.n !== UIDS) throw new Error(`the subnet has ${size.n} uids, expected ${UIDS}`);

    const pluginDir = writeDelayPlugin(mkdtempSync(join(home, "plugin-")));
    const env = { TENSORNODE_HOME: home, BT_WALLET_PATH: join(home, "none") };
    const starts: Promise<void>[] = [];
    for (let i = 0; i < names.length; i += PER_PROCESS) {
      const hotkeys = names.slice(i, i + PER_PROCESS).join(",");
      const started = startMiners(["miner", "--netuid", String(netuid), "--subnet", pluginDir, "--wallet", "bench", "--hotkey", hotkeys, "--host", "127.0.0.2", "--port", "0", "--chain", devnet.url, "--workers", "1", "--metagraph-interval", "30", "--data-dir", join(home, `miner-${i}`), "--log-level", "warn"], env);
      children.push(started.child);
      starts.push(started.serving);
    }
    await Promise.all(starts);
    // Every axon on chain before the validator loads the metagraph.
    for (const address of addresses) {
      const deadline = Date.now() + 60_000;
      while (!(await ops.read.axonOf(netuid, address))) {
        if (Date.now() > deadline) throw new Error(`the axon of ${address} never reached the chain`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }

    const plugin = await loadPlugin(pluginDir, { roots: [] });
    const validatorModule = (await plugin.loadValidator()) as ValidatorModule & { setDelay(ms: number): void };
    const validatorSide = await validatorModule.createValidator({ manifest: plugin.manifest, log });
    const { pair, seed } = await wallets.loadHotkeyKeys("bench", "validator");
    state = await ValidatorState.open(join(home, "validator-state"), { hotkey: pair.address, netuid, genesisHash: chain.api.genesisHash.toHex() }, { alpha: 0.1, receiptsPerUid: 64, maxReceiptBodyBytes: 64 * 1024 });
    daemon = await ValidatorDaemon.start({ chain, netuid, plugin, validatorSide, hotkey: { pair, signer: sr25519SignerFromSeed(seed), name: "validator" }, state, p2pDir: join(home, "validator-p2p"), host: "127.0.0.1", port: 0, autorun: false, log });

    /** One step at `delayMs`: its wall time and the validator process's own CPU time, ms. */
    const step = async (delayMs: number): Promise<{ ms: number; cpuMs: number }> => {
      validatorModule.setDelay(delayMs);
      const cpu = process.cpuUsage();
      const report = await daemon!.step();
      const used = process.cpuUsage(cpu);
      if (report.queried !== MINERS || report.answered !== MINERS) throw new Error(`a step queried ${report.queried} and heard ${report.answered} of ${MINERS} miners (queries so far by outcome: ${JSON.stringify(daemon!.status().queries)})`);
      return { ms: report.ms, cpuMs: (used.user + used.system) / 1000 };
    };
    // Warm-up: dials and handshakes with every miner; on a loaded machine some first dials time out,
    // so warm-up steps repeat (at most 5) until one hears every miner.
    for (let tries = 1; ; tries++) {
      try {
        await step(0);
        break;
      } catch (error) {
        if (tries >= 5) throw error;
      }
    }
    const runs = new Map<number, { ms: number; cpuMs: number }[]>([0, ...DELAYS_MS].map((d) => [d, []]));
    for (let i = 0; i < STEPS; i++) for (const [d, list] of runs) list.push(await step(d));
    const bareRuns = runs.get(0)!;
    const memory: BenchLine = {
      name: `validator-step resident memory after the steps: the validator (this process: daemon, libp2p node, chain client, ${UIDS}-uid metagraph, ${MINERS} miners' streams) and the miner processes (${PER_PROCESS} hotkeys each, a libp2p node each)`,
      figures: { validator_rss_mib: process.memoryUsage().rss / 2 ** 20, miner_64_hotkeys_rss_mib: Math.max(...children.slice(0, -1).map(residentMiB)) },
    };
    return [...DELAYS_MS.map((d): BenchLine => {
      const list = runs.get(d)!;
      const stepMs = median(list.map((r) => r.ms));
      return {
        name: `validator-step ms, one step over ${UIDS} uids (${MINERS} miners in ${Math.ceil(MINERS / PER_PROCESS)} processes of ${PER_PROCESS} hotkeys, a libp2p node each, on this machine's ${availableParallelism()} cores with the validator) answering after D = ${d} ms; bare = the same step at D = 0; validator_cpu = this process's CPU per step; ${STEPS} steps each, interleaved, after a warm-up`,
        figures: { median: stepMs, max: Math.max(...list.map((r) => r.ms)), over_d_ms: stepMs - d, bare_median: median(bareRuns.map((r) => r.ms)), validator_cpu_ms: median(list.map((r) => r.cpuMs)), ratio: stepMs / d },
        goal: "ratio ≤ 1.1",
      };
    }), memory];
  } finally {
    await daemon?.stop();
    await state?.close();
    await chain.close();
    await Promise.all(children.map((child) => stopChild(child, 10_000)));
    await devnet.stop();
    rmSync(home, { recursive: true, force: true });
  }
}
