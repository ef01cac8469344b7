/**
 * A whole subnet on one machine: the devnet in this process (fast blocks, a short tempo), a subnet
 * created and started by its owner, validators registered and staked, miners registered — each
 * daemon a child process of the real `tensornode` binary, its log in the data dir — and a snapshot
 * of the metagraph handed out at every block. Offline miners are stopped at their epoch; with an
 * epoch budget the network stops by itself. Everything started is stopped by `stop()`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { Keyring } from "@polkadot/api";
import type { KeyringPair } from "@polkadot/keyring/types";
import { connectChain, type ChainConnection } from "../chain/connection.js";
import { hyperparameterCall } from "../chain/hyperparameters.js";
import { loadMetagraph, type Metagraph } from "../chain/metagraph.js";
import { SubtensorOperations } from "../chain/operations.js";
import type { EpochSchedule } from "../chain/reads.js";
import { DevnetNode } from "../devnet/node.js";
import { loadPlugin, pluginRoots, projectRoot, type LoadedPlugin } from "../subnet/loader.js";
import { PublicInterface } from "../subnet/public-api.js";
import { stopChild } from "../util/child-process.js";
import { UserError } from "../util/errors.js";
import { jsonLines } from "../util/json-lines.js";
import { createLogger, type Logger } from "../util/logger.js";
import { WalletStore } from "../wallet/wallet.js";
import { claimDataDir, type DataDirClaim } from "./data-dir.js";
import { behaviourOf, planLocalnet, type LocalBehaviour, type LocalnetPlan } from "./plan.js";
import { writeMinerVariant } from "./variants.js";

const TAO = 1_000_000_000n;
const WALLET = "localnet";

export type Role = "owner" | "validator" | `miner (${LocalBehaviour})` | "other";

export interface LocalnetOptions {
  readonly subnet: string;
  readonly miners: number;
  readonly validators: number;
  /** Stop after this many epochs (counted from when every daemon is up); undefined: run until stopped. */
  readonly epochs?: number;
  /** Where the chain, wallets, daemon state and logs go. */
  readonly dataDir: string;
  /** Start over in a data dir that holds an earlier network (otherwise such a dir is refused). */
  readonly fresh?: boolean;
  /** Drives the demo miners' behaviour (which answers the noisy one gets wrong): a run can be repeated. */
  readonly seed: number;
  readonly blockTimeMs?: number;
  readonly tempo?: number;
  /** The first validator's gateway port (0: a free one). */
  readonly apiPort?: number;
  /** The gateway's API keys file (absent: a loopback gateway without keys). */
  readonly apiKeys?: string;
  /** The dashboard's port (0: a free one); false: no dashboard. */
  readonly dashboardPort?: number | false;
  /** Environment for the child processes (TENSORNODE_HOME is set to the data dir). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Progress, one line at a time (setting up, starting daemons, an offline miner stopped). */
  readonly say: (line: string) => void;
}

export interface NeuronRow {
  readonly uid: number;
  readonly role: Role;
  readonly name: string;
  readonly hotkey: string;
  readonly stake: bigint;
  readonly incentive: number;
  readonly dividends: number;
  readonly emission: bigint;
  readonly validatorTrust: number;
  readonly lastUpdate: number;
  /** Blocks since its last update (weights set, or registration). */
  readonly blocksSinceUpdate: number;
  /** Stake gained since the network started (cumulative earnings), rao. */
  readonly earned: bigint;
  /** Whether its process runs (miners and validators). */
  readonly running: boolean | undefined;
  /** Whether it can be queried: its process runs and (a miner) its axon is on chain. */
  readonly serving: boolean | undefined;
}

export interface LocalnetSnapshot {
  readonly block: number;
  readonly netuid: number;
  /** Epochs run since every daemon was up. */
  readonly epochs: number;
  readonly tempo: number;
  /** The block of the next epoch. */
  readonly nextEpochBlock: number;
  readonly rows: readonly NeuronRow[];
  /** Stake the owner's hotkey gained since the start (the owner cut), rao. */
  readonly ownerGain: bigint;
}

/** A daemon of the local network that would not start: said in one line, with where its log is. */
export class LocalnetError extends UserError<"LOCALNET_FAILED"> {
  constructor(message: string) {
    super("LOCALNET_FAILED", message);
  }
}

interface Daemon {
  readonly name: string;
  readonly child: ChildProcess;
  readonly log: WriteStream;
  readonly logFile: string;
}

/** Whether `url` answers GET with a page (the gateway serves the playground when it was built). */
async function servesPage(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/`, { signal: AbortSignal.timeout(5000) });
    await response.body?.cancel();
    return response.ok && (response.headers.get("content-type") ?? "").startsWith("text/html");
  } catch {
    return false;
  }
}

/**
 * Whether the gateway at `url` lists a serving miner within `timeoutMs` (its validator learns the
 * miners' axons from the chain at its first metagraph read): the try-it line is printed once a
 * request can be answered rather than refused with 503 NO_MINER.
 */
async function gatewayKnowsMiner(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listed = await fetch(`${url}/v1/miners`, { signal: AbortSignal.timeout(5000) })
      .then(async (r) => (r.ok ? (((await r.json()) as { miners?: unknown[] }).miners?.length ?? 0) : 0))
      .catch(() => 0);
    if (listed > 0) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The `tensornode` binary (it runs dist/ when built, else the sources). */
function binPath(): string {
  return join(projectRoot(), "bin", "tensornode.js");
}

export class Localnet {
  readonly #o: LocalnetOptions;
  readonly plan: LocalnetPlan;
  readonly #daemons = new Map<string, Daemon>();
  readonly #roles = new Map<string, { role: Role; name: string }>();
  /** Offline miners already stopped. */
  readonly #offline = new Set<string>();
  #devnet: DevnetNode | undefined;
  #chain: ChainConnection | undefined;
  /** The chain client, made once the devnet is up (a snapshot reads through it at every block). */
  #ops: SubtensorOperations | undefined;
  #netuid = 0;
  #ownerHotkey = "";
  /** Every hotkey's stake once all were registered and staked (earnings count from there). */
  #startStakes = new Map<string, bigint>();
  #claim: DataDirClaim | undefined;
  #startEpoch: bigint | undefined;
  #stopping = false;
  #unsubscribe: (() => void) | undefined;
  #gatewayUrl: string | undefined;
  #dashboardUrl: string | undefined;
  #playgroundUrl: string | undefined;

  constructor(options: LocalnetOptions) {
    this.#o = options;
    this.plan = planLocalnet({ miners: options.miners, validators: options.validators });
  }

  get logsDir(): string {
    return join(this.#o.dataDir, "logs");
  }

  /**
   * The daemons' temporary folder (their TMPDIR): what libraries write there — onnxruntime's
   * telemetry leaves a file per process — stays in the data dir, never in the system's, even
   * when the network is killed.
   */
  get #tmpDir(): string {
    return join(this.#o.dataDir, "tmp");
  }

  get endpoint(): string | undefined {
    return this.#devnet?.endpoint.wsUrl;
  }

  get netuid(): number {
    return this.#netuid;
  }

  /** The first validator's gateway (users' requests), once it is up. */
  get gatewayUrl(): string | undefined {
    return this.#gatewayUrl;
  }

  /** The dashboard (a child process like the daemons), once it is up. */
  get dashboardUrl(): string | undefined {
    return this.#dashboardUrl;
  }

  /** The playground page the gateway serves (GET /), when it serves one. */
  get playgroundUrl(): string | undefined {
    return this.#playgroundUrl;
  }

  /** Sets everything up and starts every daemon; resolves once all serve. */
  async start(): Promise<void> {
    const o = this.#o;
    // Checked before anything is written: a bad --subnet or a busy data dir leaves nothing behind.
    const plugin = await loadPlugin(o.subnet, { roots: pluginRoots(o.env), cwd: process.cwd() });
    const synapse = Object.values(plugin.manifest.synapses)[0];
    if (!synapse) throw new LocalnetError(`the ${plugin.manifest.name} plugin serves no synapse`);
    this.#claim = claimDataDir(o.dataDir, {
      fresh: o.fresh === true,
      pid: process.pid,
      description: { subnet: plugin.manifest.name, miners: this.plan.miners.map((m) => `${m.name} ${m.behaviour}`), validators: this.plan.validators.map((v) => v.name), seed: o.seed },
    });
    mkdirSync(this.logsDir, { recursive: true });
    mkdirSync(this.#tmpDir, { recursive: true });

    o.say(`devnet: blocks every ${o.blockTimeMs ?? 250} ms, data in ${o.dataDir}`);
    const devnetLog = createWriteStream(join(this.logsDir, "devnet.log"), { flags: "a" });
    const log: Logger = createLogger({ level: "info", format: "json", write: (line) => devnetLog.write(line) });
    this.#devnet = await DevnetNode.start({ port: 0, dataDir: join(o.dataDir, "devnet"), fresh: true, blockTime: { mode: "interval", ms: o.blockTimeMs ?? 250 }, log });
    this.#chain = await connectChain(this.#devnet.endpoint.wsUrl);
    const ops = (this.#ops = new SubtensorOperations(this.#chain));
    const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
    const alice = keyring.addFromUri("//Alice");
    const wallets = new WalletStore([join(o.dataDir, "wallets")]);
    const hotkey = async (name: string): Promise<string> => (await wallets.createHotkey(WALLET, name, { overwrite: true })).address;

    this.#ownerHotkey = await hotkey("owner");
    this.#roles.set(this.#ownerHotkey, { role: "owner", name: "owner" });
    const { netuid } = await ops.registerNetwork(alice, this.#ownerHotkey);
    this.#netuid = netuid;
    await ops.startSubnet(alice, netuid);
    await this.#configureSubnet(ops, alice, plugin);
    o.say(`subnet ${netuid} (${plugin.manifest.name}) created and started by its owner (tempo ${o.tempo ?? 20} blocks, commit-reveal ${(await ops.read.weightsRules(netuid)).commitReveal ? "on" : "off"})`);

    for (const v of this.plan.validators) {
      const address = await hotkey(v.name);
      this.#roles.set(address, { role: "validator", name: v.name });
      const coldkey = keyring.addFromUri(v.coldkeyUri);
      await ops.registerNeuron(coldkey, netuid, address);
      await ops.addStake(coldkey, address, netuid, v.stakeTao * TAO);
    }
    // The miners' own coldkey: hotkeys of the owner's coldkey would have their incentive burned, as on HEAD.
    const minersColdkey = keyring.addFromUri("//Alice//localnet-miners");
    await ops.transfer(alice, minersColdkey.address, 10_000n * TAO);
    for (const m of this.plan.miners) {
      const address = await hotkey(m.name);
      this.#roles.set(address, { role: `miner (${m.behaviour})`, name: m.name });
      await ops.registerNeuron(minersColdkey, netuid, address);
    }
    this.#startStakes = new Map((await loadMetagraph(this.#chain.api, netuid))!.neurons.map((n) => [n.hotkey, n.stake]));
    o.say(`registered ${this.plan.validators.length} validators (staked ${this.plan.validators.map((v) => `${v.stakeTao} TAO`).join(", ")}) and ${this.plan.miners.length} miners (${this.plan.miners.map((m) => m.behaviour).join(", ")})`);

    const common = ["--netuid", String(netuid), "--wallet", WALLET, "--chain", this.#devnet.endpoint.wsUrl, "--log-format", "json", "--log-level", "info"];
    for (const m of this.plan.miners) {
      const behaviour = behaviourOf(m.behaviour, synapse.timeoutMs, o.seed);
      const subnet = behaviour.kind === "honest" ? plugin.dir : writeMinerVariant(join(o.dataDir, "plugins", m.behaviour), plugin, behaviour);
      this.#spawn(m.name, ["miner", ...common, "--subnet", subnet, "--hotkey", m.name, "--host", m.host, "--port", "0", "--workers", "1", "--metagraph-interval", "2", "--data-dir", join(o.dataDir, "miners"), "--metrics-port", "0"]);
    }
    // Each daemon's status port, from the line it prints (the dashboard shows them), watched for from its start.
    const statusUrl = (name: string): Promise<string> => {
      const url = this.#urlPrinted(this.#daemons.get(name)!, /metrics at (http:\/\/[^/\s]+)\/metrics/, "its status port listened");
      url.catch(() => undefined); // awaited (and reported) only if the dashboard starts
      return url;
    };
    const statusUrls = this.plan.miners.map((m) => statusUrl(m.name));
    // Validators start once every miner's axon is on chain. Offline miners of epoch 0 stop then:
    // never answered, they are scored as unreachable from the first query, however busy the machine.
    await this.#waitForAxons(ops);
    if (this.plan.offlineAtEpoch === 0) await this.#stopOffline();
    let gateway: Promise<string> | undefined;
    for (const [i, v] of this.plan.validators.entries()) {
      const api = i === 0 ? ["--api-port", String(o.apiPort ?? 0), "--api-host", "127.0.0.1", ...(o.apiKeys === undefined ? [] : ["--api-keys", o.apiKeys])] : [];
      this.#spawn(v.name, ["validator", ...common, "--subnet", plugin.dir, "--hotkey", v.name, "--host", "127.0.0.1", "--port", "0", "--step-interval", "1", "--weights-interval", "1", "--resync-blocks", "4", "--data-dir", join(o.dataDir, v.name), "--metrics-port", "0", ...api]);
      statusUrls.push(statusUrl(v.name));
      if (i === 0) gateway = this.#urlPrinted(this.#daemons.get(v.name)!, /gateway at (http:\/\/\S+?)[\s,]/, "its gateway listened");
    }
    gateway?.catch(() => undefined);
    this.#gatewayUrl = await gateway;
    this.#startEpoch = (await ops.read.epochSchedule(netuid)).index;
    // The dashboard starts beside the network, which does not wait for it: the demo's miners are
    // timed from "every daemon is up" (the offline one stops at its epoch), and its line follows.
    let dashboard: Promise<string> | undefined;
    if (o.dashboardPort !== false) {
      const urls = [...(await Promise.all(statusUrls)), ...(this.#gatewayUrl && o.apiKeys === undefined ? [this.#gatewayUrl] : [])];
      this.#spawn("dashboard", ["dashboard", "--chain", this.#devnet.endpoint.wsUrl, "--netuid", String(netuid), "--host", "127.0.0.1", "--port", String(o.dashboardPort ?? 0), "--data-dir", join(o.dataDir, "dashboard"), "--status-url", urls.join(","), "--log-format", "json", "--log-level", "info"]);
      dashboard = this.#urlPrinted(this.#daemons.get("dashboard")!, /dashboard at (http:\/\/\S+?)[\s,]/, "it listened");
    }
    o.say(`every daemon is up; logs in ${this.logsDir}`);
    if (this.#gatewayUrl) {
      // A keyed gateway lists its miners only to a key holder: its line comes at once.
      const ready = o.apiKeys !== undefined || (await gatewayKnowsMiner(this.#gatewayUrl, 60_000));
      o.say(`${await this.#gatewayLine(plugin, this.#gatewayUrl, log)}${ready ? "" : " — it knows no serving miner yet: until it does, requests get 503 NO_MINER"}`);
      if (await servesPage(this.#gatewayUrl)) {
        this.#playgroundUrl = `${this.#gatewayUrl}/`;
        o.say(`playground at ${this.#playgroundUrl} (try the subnet in a browser: its synapses, the miner that answered, the receipt checked)`);
      }
    }
    dashboard?.then(
      (url) => {
        this.#dashboardUrl = url;
        if (!this.#stopping) o.say(`dashboard at ${url}/subnets/${netuid} (the subnet in a browser: metagraph, charts over epochs, weights, epoch clock, daemons)`);
      },
      (error: Error) => {
        if (!this.#stopping) o.say(`the dashboard did not start (${error.message}); the network runs on without it`);
      },
    );
  }

  async #configureSubnet(ops: SubtensorOperations, owner: KeyringPair, plugin: LoadedPlugin): Promise<void> {
    const api = this.#chain!.api;
    const netuid = this.#netuid;
    const settings: Record<string, string> = { ...plugin.manifest.hyperparameters, tempo: String(this.#o.tempo ?? 20) };
    for (const [name, value] of Object.entries(settings)) {
      const { tx, setter, hyperparameter } = hyperparameterCall(api, netuid, name, value);
      // Alice is both the owner's coldkey and the devnet's sudo key: owner and root settings alike.
      await ops.adminCall(owner, netuid, tx, setter, `set ${hyperparameter.name} = ${value}`);
    }
  }

  #spawn(name: string, args: readonly string[]): void {
    const logFile = join(this.logsDir, `${name}.log`);
    const log = createWriteStream(logFile, { flags: "a" });
    // Its stdin is a pipe this process holds: should this process die (even by SIGKILL), the
    // daemon reads its end and stops (TENSORNODE_STOP_WITH_PARENT), so none is left running.
    const child = spawn(process.execPath, [binPath(), ...args], {
      env: { ...this.#o.env, TENSORNODE_HOME: this.#o.dataDir, BT_WALLET_PATH: join(this.#o.dataDir, "none"), TENSORNODE_STOP_WITH_PARENT: "1", TMPDIR: this.#tmpDir, TMP: this.#tmpDir, TEMP: this.#tmpDir },
      stdio: ["pipe", "pipe", "pipe"],
    });
    // The log holds JSON lines only: a line that is not one (a banner, a stack trace) is wrapped.
    child.stdout!.pipe(jsonLines({ module: name, stream: "stdout" })).pipe(log, { end: false });
    child.stderr!.pipe(jsonLines({ module: name, stream: "stderr" })).pipe(log, { end: false });
    child.once("exit", (code, signal) => {
      if (!this.#stopping && !this.#offline.has(name)) this.#o.say(`${name} exited (${code ?? signal}); see ${logFile}`);
    });
    this.#daemons.set(name, { name, child, log, logFile });
  }

  /** Where users' requests go, with a request to paste (its body in a file when it is long, as an image is). */
  async #gatewayLine(plugin: LoadedPlugin, url: string, log: Logger): Promise<string> {
    const api = await PublicInterface.load(plugin, log);
    const endpoint = [...api.endpoints.values()][0];
    if (!endpoint) return `gateway at ${url} (the ${plugin.manifest.name} plugin offers no synapse to users)`;
    const example = JSON.stringify(endpoint.spec.example);
    let data = `'${example}'`;
    if (example.length > 160 || example.includes("'")) {
      const file = join(this.#o.dataDir, `example-${endpoint.name}.json`);
      writeFileSync(file, example);
      data = `@${file}`;
    }
    const auth = this.#o.apiKeys === undefined ? "" : ` -H "authorization: Bearer $KEY"`;
    return `gateway at ${url} (users' requests; try: curl -s ${url}/v1/synapses/${endpoint.name} -H 'content-type: application/json'${auth} -d ${data})`;
  }

  /** A URL a daemon prints when it listens (its gateway, its status port, the dashboard's pages). */
  #urlPrinted(daemon: Daemon, pattern: RegExp, event: string): Promise<string> {
    return new Promise((resolve, reject) => {
      let seen = "";
      const onData = (chunk: Buffer): void => {
        seen = (seen + chunk.toString("utf8")).slice(-4096);
        const url = pattern.exec(seen)?.[1];
        if (url) {
          cleanup();
          resolve(url);
        }
      };
      const onExit = (): void => {
        cleanup();
        reject(new LocalnetError(`${daemon.name} exited before ${event}; see ${daemon.logFile}`));
      };
      const cleanup = (): void => {
        daemon.child.stdout!.off("data", onData);
        daemon.child.off("exit", onExit);
      };
      daemon.child.stdout!.on("data", onData);
      daemon.child.once("exit", onExit);
    });
  }

  async #waitForAxons(ops: SubtensorOperations): Promise<void> {
    const deadline = Date.now() + 90_000;
    for (const m of this.plan.miners) {
      const address = [...this.#roles].find(([, r]) => r.name === m.name)![0];
      while (!(await ops.read.axonOf(this.#netuid, address))) {
        const daemon = this.#daemons.get(m.name)!;
        if (daemon.child.exitCode !== null && !this.#offline.has(m.name)) throw new LocalnetError(`${m.name} exited before serving; see ${daemon.logFile}`);
        if (Date.now() > deadline) throw new LocalnetError(`${m.name} did not publish its axon within 90 s; see ${daemon.logFile}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  /** The metagraph as the table shows it. */
  async snapshot(): Promise<LocalnetSnapshot> {
    const api = this.#chain!.api;
    const [metagraph, schedule] = await Promise.all([loadMetagraph(api, this.#netuid), this.#ops!.read.epochSchedule(this.#netuid)]);
    return this.#snapshotOf(metagraph!, schedule);
  }

  #snapshotOf(metagraph: Metagraph, schedule: EpochSchedule): LocalnetSnapshot {
    const rows = metagraph.neurons.map((n): NeuronRow => {
      const who = this.#roles.get(n.hotkey) ?? { role: "other" as const, name: "-" };
      const daemon = this.#daemons.get(who.name);
      const running = daemon ? daemon.child.exitCode === null && daemon.child.signalCode === null : undefined;
      return {
        uid: n.uid,
        role: who.role,
        name: who.name,
        hotkey: n.hotkey,
        stake: n.stake,
        incentive: n.incentive / 65535,
        dividends: n.dividends / 65535,
        emission: n.emission,
        validatorTrust: n.validatorTrust / 65535,
        lastUpdate: n.lastUpdate,
        blocksSinceUpdate: Math.max(0, metagraph.block - n.lastUpdate),
        earned: n.stake - (this.#startStakes.get(n.hotkey) ?? 0n),
        running,
        serving: running === undefined ? undefined : running && (who.role === "validator" || n.axon !== null),
      };
    });
    const owner = rows.find((r) => r.role === "owner");
    return {
      block: metagraph.block,
      netuid: this.#netuid,
      epochs: Number(schedule.index - (this.#startEpoch ?? schedule.index)),
      tempo: schedule.tempo,
      nextEpochBlock: Number(schedule.nextEpochBlock),
      rows,
      ownerGain: owner?.earned ?? 0n,
    };
  }

  /**
   * Calls `onBlock` with a snapshot at every new block until the epoch budget is spent (resolves
   * with the last snapshot) or `signal` aborts; stops offline miners at their epoch on the way.
   */
  async follow(onBlock: (snapshot: LocalnetSnapshot) => void, signal: AbortSignal): Promise<LocalnetSnapshot> {
    const api = this.#chain!.api;
    let last: LocalnetSnapshot | undefined;
    let busy = false;
    return new Promise<LocalnetSnapshot>((resolve, reject) => {
      const finish = (): void => {
        this.#unsubscribe?.();
        this.#unsubscribe = undefined;
        if (last) resolve(last);
        else this.snapshot().then(resolve, reject);
      };
      signal.addEventListener("abort", finish, { once: true });
      void api.rpc.chain
        .subscribeNewHeads(() => {
          if (busy || signal.aborted) return;
          busy = true;
          this.snapshot()
            .then(async (snapshot) => {
              last = snapshot;
              if (snapshot.epochs >= this.plan.offlineAtEpoch) await this.#stopOffline();
              onBlock(snapshot);
              if (this.#o.epochs !== undefined && snapshot.epochs >= this.#o.epochs) finish();
            })
            .catch(() => undefined)
            .finally(() => {
              busy = false;
            });
        })
        .then((unsubscribe) => {
          this.#unsubscribe = unsubscribe;
          if (signal.aborted) finish();
        }, reject);
    });
  }

  async #stopOffline(): Promise<void> {
    for (const m of this.plan.miners) {
      if (m.behaviour !== "offline" || this.#offline.has(m.name)) continue;
      this.#offline.add(m.name);
      this.#o.say(`${m.name} goes offline (epoch ${this.plan.offlineAtEpoch}), as planned`);
      await stopChild(this.#daemons.get(m.name)!.child, 5_000);
    }
  }

  /** Stops every daemon (SIGTERM, then SIGKILL after a grace period), the chain connection and the devnet. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#unsubscribe?.();
    await Promise.all([...this.#daemons.values()].map((d) => stopChild(d.child, 10_000)));
    for (const d of this.#daemons.values()) d.log.end();
    await this.#chain?.close();
    await this.#devnet?.stop();
    this.#claim?.release();
  }
}
