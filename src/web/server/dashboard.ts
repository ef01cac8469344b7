/**
 * The dashboard: its web server up at once (the pages say what is wrong while the chain cannot be
 * reached), one long-lived chain connection (retried with backoff until it answers), the new heads
 * followed by subscription and read once per block at most — a block that arrives while the last
 * one is still being read replaces any other waiting, so reads never pile up — the subnets list
 * every few blocks, the epochs of the recorded subnets into the history store, the subnets open in
 * pages block by block, and the daemons' ports on their own clock. Everything the pages see is
 * pushed to them as server-sent events.
 */
import type { ApiPromise } from "@polkadot/api";
import type { ServerResponse } from "node:http";
import { connectChain, type ChainConnection, type ConnectOptions } from "../../chain/connection.js";
import { StoreError } from "../../db/store.js";
import { publicNetworkOf } from "../../chain/networks.js";
import type { Logger } from "../../util/logger.js";
import type { DaemonsPayload, HistoryPayload, StatusPayload, SubnetPayload, SubnetsPayload } from "../model/api.js";
import { historyPayload, parseUidList, topEmissionUids, type EpochRecord } from "../model/history.js";
import { readEpochMarks, readEpochRecord, readSubnetList } from "./chain-reads.js";
import { DaemonMonitor } from "./daemon-monitor.js";
import { EpochRecorder } from "./epoch-recorder.js";
import { HistoryCache } from "./history-cache.js";
import { HistoryStore } from "./history-store.js";
import { ApiFailure, JsonText, startDashboardServer, type DashboardServer } from "./http-server.js";
import { LiveSubnetError, LiveSubnets } from "./live-subnets.js";
import { sseFrame, SseHub } from "./sse-hub.js";

export interface DashboardOptions {
  readonly endpoint: string;
  readonly host: string;
  readonly port: number;
  /** The built dashboard page. */
  readonly assetsDir: string;
  /** Where the history of the chain with this genesis hash is kept. */
  readonly dataDir: (genesisHash: string) => string;
  /** Subnets followed and recorded from the start (null: every subnet recorded, pages followed as opened). */
  readonly netuids: readonly number[] | null;
  readonly statusUrls: readonly string[];
  readonly apiKey?: string | undefined;
  /** Epochs kept per subnet in the store. */
  readonly historyEpochs: number;
  /** Epochs read back from the chain at start. */
  readonly backfillEpochs?: number;
  /** Blocks between two reads of the subnets list. */
  readonly listEveryBlocks?: number;
  readonly daemonIntervalMs?: number;
  /**
   * The least time between two blocks' reads, ms (default 200): every block on a real chain (12 s)
   * or a devnet of 250 ms blocks; on a faster devnet, the newest block five times a second — a page
   * cannot show more, and reading a 4096-uid metagraph at every one of 50 blocks a second would only
   * churn memory and CPU. Epochs are recorded whatever blocks are skipped.
   */
  readonly minTickIntervalMs?: number;
  readonly version: string;
}

export interface DashboardModules {
  readonly log: Logger;
  readonly connect?: (endpoint: string, options: ConnectOptions) => Promise<ChainConnection>;
}

/** Epochs kept in memory per subnet and sent to charts at most. */
const CHART_EPOCHS = 200;
const DEFAULT_CHART_EPOCHS = 100;
const DEFAULT_CHART_UIDS = 5;
const MAX_CHART_UIDS = 16;

/** What a page needs when the chain cannot be read yet. */
function unreachable(endpoint: string, why: string | null): ApiFailure {
  return new ApiFailure(503, "CHAIN_UNREACHABLE", `the chain at ${endpoint} cannot be read${why ? `: ${why}` : " yet"}`);
}

function memoryMiB(): StatusPayload["memory"] {
  const m = process.memoryUsage();
  const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);
  return { rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), heapTotalMiB: mib(m.heapTotal), externalMiB: mib(m.external), arrayBuffersMiB: mib(m.arrayBuffers) };
}

interface Head {
  readonly number: number;
}

export class Dashboard {
  readonly #o: DashboardOptions;
  readonly #m: DashboardModules;
  readonly #hub: SseHub;
  readonly #monitor: DaemonMonitor;
  #server: DashboardServer | undefined;
  #chain: ChainConnection | undefined;
  #history: HistoryStore | undefined;
  #cache: HistoryCache | undefined;
  #live: LiveSubnets | undefined;
  #recorder: EpochRecorder | undefined;
  #unsubscribe: (() => void) | undefined;
  #connecting: Promise<void> | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;
  #connected = false;
  #chainError: string | null = null;
  #readError: string | null = null;
  #block: number | null = null;
  #network: string | null = null;
  #list: SubnetsPayload | undefined;
  #listBlock = -Infinity;
  #ticking = false;
  #nextHead: Head | undefined;
  #lastStatusJson = "";
  #fail: ((error: Error) => void) | undefined;
  readonly #failed = new Promise<never>((_, reject) => {
    this.#fail = reject;
  });

  private constructor(options: DashboardOptions, modules: DashboardModules) {
    this.#failed.catch(() => undefined);
    this.#o = options;
    this.#m = modules;
    this.#hub = new SseHub({ maxClients: 64, maxBufferedBytes: 8 * 1024 * 1024, heartbeatMs: 15_000 }, () => this.#live?.setListened(this.#listenedNetuids()));
    this.#monitor = new DaemonMonitor(
      { urls: options.statusUrls, intervalMs: options.daemonIntervalMs ?? 2000, timeoutMs: 2000, apiKey: options.apiKey },
      { onUpdate: (views) => this.#hub.publish("daemons", "daemons", JSON.stringify({ daemons: views } satisfies DaemonsPayload)) },
    );
  }

  /** Starts the web server (resolves once it listens) and, in the background, the chain side. */
  static async start(options: DashboardOptions, modules: DashboardModules): Promise<Dashboard> {
    const dashboard = new Dashboard(options, modules);
    dashboard.#server = await startDashboardServer({ host: options.host, port: options.port, assetsDir: options.assetsDir }, dashboard.#backend());
    dashboard.#monitor.start();
    dashboard.#connecting = dashboard.#connectLoop();
    return dashboard;
  }

  get url(): string {
    return this.#server!.url;
  }

  /** Rejects if the dashboard cannot go on (its history store is held by another process). */
  failed(): Promise<never> {
    return this.#failed;
  }

  /** Resolves once the history store is open and the chain is followed (for tests and benchmarks). */
  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(this.#connected && this.#block !== null && this.#list)) {
      if (Date.now() > deadline) throw new Error(`the dashboard did not follow the chain within ${timeoutMs} ms (${this.#chainError ?? this.#readError ?? "no block yet"})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Resolves once every epoch seen so far is recorded. */
  async recorded(): Promise<void> {
    await this.#recorder?.idle();
  }

  async #connectLoop(): Promise<void> {
    const connect = this.#m.connect ?? connectChain;
    for (let attempt = 1; !this.#stopped; attempt++) {
      try {
        const chain = await connect(this.#o.endpoint, {
          timeoutMs: 10_000,
          onConnectionChange: (e) => {
            this.#connected = e.connected;
            this.#chainError = e.connected ? null : "the connection was lost; reconnecting";
            this.#m.log.warn({ connected: e.connected, attempt: e.attempt }, e.connected ? "chain connection restored" : "chain connection lost; reconnecting");
            this.#publishStatus();
          },
        });
        if (this.#stopped) {
          await chain.close();
          return;
        }
        this.#chain = chain;
        await this.#follow(chain.api);
        return;
      } catch (error) {
        if (error instanceof StoreError) return this.#fail!(error);
        await this.#chain?.close().catch(() => undefined);
        this.#chain = undefined;
        this.#chainError = (error as Error).message;
        this.#connected = false;
        this.#publishStatus();
        if (attempt === 1) this.#m.log.error({ endpoint: this.#o.endpoint, error: this.#chainError }, "cannot reach the chain; retrying");
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          setTimeout(resolve, Math.min(30_000, 1000 * 2 ** Math.min(attempt - 1, 5))).unref();
        });
      }
    }
  }

  async #follow(api: ApiPromise): Promise<void> {
    const genesisHash = api.genesisHash.toHex();
    this.#network = publicNetworkOf(genesisHash) ?? null;
    const opened = await HistoryStore.open(this.#o.dataDir(genesisHash), genesisHash, { maxEpochs: this.#o.historyEpochs, maxActivity: 1000 }, async (block) => {
      const hash = await api.rpc.chain.getBlockHash(block);
      return hash.isEmpty || /^0x0+$/.test(hash.toHex()) ? undefined : hash.toHex();
    });
    const history = (this.#history = opened.store);
    if (opened.emptied) this.#m.log.warn({ path: history.path, why: opened.emptied }, "the history kept was for another chain: started over");
    this.#cache = new HistoryCache({ epochs: Math.min(CHART_EPOCHS, this.#o.historyEpochs), subnets: 8 }, (netuid, limit) => history.epochs(netuid, limit));
    this.#live = new LiveSubnets(
      { pinned: this.#o.netuids ?? [], max: Math.max(8, (this.#o.netuids ?? []).length + 4), idleMs: 30_000 },
      {
        api,
        naming: (netuid) => {
          const row = this.#list?.subnets.find((s) => s.netuid === netuid);
          return { name: row?.name ?? null, symbol: row?.symbol ?? "" };
        },
        recordedActivity: (netuid, limit) => history.activity(netuid, limit),
        recordActivity: (netuid, items) => history.addActivity(netuid, items),
        publish: (netuid, json) => this.#hub.publish(`subnet:${netuid}`, "subnet", json),
      },
    );
    this.#live.setListened(this.#listenedNetuids());
    this.#recorder = new EpochRecorder(
      { backfillEpochs: this.#o.backfillEpochs ?? 100 },
      {
        readEpoch: (netuid, block) => readEpochRecord(api, netuid, block),
        recordedEpochs: (netuid) => history.recordedEpochs(netuid),
        store: (record, hash) => this.#storeEpoch(record, hash),
        warn: (message, context) => this.#m.log.warn(context, message),
      },
    );
    this.#connected = true;
    this.#chainError = null;
    const unsubscribe = await api.rpc.chain.subscribeNewHeads((header) => this.#onHead({ number: header.number.toNumber() }));
    this.#unsubscribe = unsubscribe;
    this.#m.log.info({ endpoint: this.#o.endpoint, history: history.path, recording: this.#o.netuids ?? "every subnet" }, "following the chain");
  }

  async #storeEpoch(record: EpochRecord, hash: string): Promise<void> {
    await this.#history!.addEpoch(record, hash);
    this.#cache!.add(record);
    this.#hub.publish(`subnet:${record.netuid}`, "epoch", JSON.stringify({ netuid: record.netuid, epoch: record.epoch, block: record.block }));
  }

  #onHead(head: Head): void {
    if (this.#stopped) return;
    if (this.#ticking) {
      this.#nextHead = head;
      return;
    }
    this.#ticking = true;
    const started = performance.now();
    void this.#tick(head)
      .then(async () => {
        const rest = (this.#o.minTickIntervalMs ?? 200) - (performance.now() - started);
        if (rest > 0 && !this.#stopped) await new Promise((resolve) => setTimeout(resolve, rest).unref());
      })
      .finally(() => {
        this.#ticking = false;
        const next = this.#nextHead;
        this.#nextHead = undefined;
        if (next && !this.#stopped) this.#onHead(next);
      });
  }

  /** Everything read at one block, in parallel: at most the list, the epoch marks and each followed subnet. */
  async #tick(head: Head): Promise<void> {
    const api = this.#chain!.api;
    this.#block = head.number;
    const problems: string[] = [];
    const note = (what: string) => (error: Error) => void problems.push(`${what}: ${error.message}`);
    if (!this.#list || head.number - this.#listBlock >= (this.#o.listEveryBlocks ?? 10)) await this.#refreshList(api, head.number).catch(note("the subnets list"));
    const recorded = this.#o.netuids ?? this.#list?.subnets.map((s) => s.netuid) ?? [];
    await Promise.all([
      readEpochMarks(api, recorded)
        .then((marks) => this.#recorder!.observe(marks))
        .catch(note("the epochs")),
      this.#live!.refresh(head.number).then((p) => void problems.push(...p)),
    ]);
    this.#readError = problems.length === 0 ? null : problems.join("; ");
    if (this.#readError) this.#m.log.warn({ block: head.number, problems }, "reading a block failed in part");
    this.#publishStatus();
  }

  async #refreshList(api: ApiPromise, block: number): Promise<SubnetsPayload> {
    const list: SubnetsPayload = { block, subnets: await readSubnetList(api) };
    this.#list = list;
    this.#listBlock = block;
    this.#hub.publish("subnets", "subnets", JSON.stringify(list));
    return list;
  }

  #listenedNetuids(): number[] {
    return [...this.#hub.topics()].filter((t) => t.startsWith("subnet:")).map((t) => Number(t.slice(7)));
  }

  status(): StatusPayload {
    return {
      version: this.#o.version,
      chain: { endpoint: this.#o.endpoint, connected: this.#connected, error: this.#chainError ?? this.#readError, block: this.#block, network: this.#network },
      recording: this.#o.netuids,
      historyEpochs: this.#o.historyEpochs,
      daemons: this.#monitor.size,
      memory: memoryMiB(),
    };
  }

  #publishStatus(): void {
    const json = JSON.stringify(this.status());
    if (json === this.#lastStatusJson) return;
    this.#lastStatusJson = json;
    this.#hub.publish("status", "status", json);
  }

  #requireChain(): { api: ApiPromise; live: LiveSubnets; block: number } {
    if (!this.#chain || !this.#live || this.#block === null) throw unreachable(this.#o.endpoint, this.#chainError);
    return { api: this.#chain.api, live: this.#live, block: this.#block };
  }

  /** A subnet's state through `read`, its failures said as the API says them. */
  async #fromLive<T>(netuid: number, read: (live: LiveSubnets, block: number) => Promise<T>): Promise<T> {
    const { live, block } = this.#requireChain();
    try {
      return await read(live, block);
    } catch (error) {
      if (error instanceof LiveSubnetError) throw new ApiFailure(error.code === "NO_SUBNET" ? 404 : 503, error.code, error.code === "NO_SUBNET" ? `subnet ${netuid} does not exist on ${this.#o.endpoint}` : error.message);
      throw unreachable(this.#o.endpoint, (error as Error).message);
    }
  }

  #subnet(netuid: number): Promise<SubnetPayload> {
    return this.#fromLive(netuid, (live, block) => live.get(netuid, block));
  }

  async #historyOf(netuid: number, uidsText: string | null, epochsText: string | null): Promise<HistoryPayload> {
    const subnet = await this.#subnet(netuid);
    const epochs = epochsText === null ? DEFAULT_CHART_EPOCHS : Number(epochsText);
    if (!Number.isInteger(epochs) || epochs < 1 || epochs > CHART_EPOCHS) throw new ApiFailure(400, "BAD_EPOCHS", `epochs must be an integer 1..${CHART_EPOCHS}`);
    let uids: number[] | undefined;
    try {
      uids = parseUidList(uidsText, MAX_CHART_UIDS);
    } catch (error) {
      throw new ApiFailure(400, "BAD_UIDS", (error as Error).message);
    }
    const all = await this.#cache!.epochs(netuid);
    const shown = all.slice(-epochs);
    return historyPayload(netuid, shown, subnet.metagraph, uids ?? topEmissionUids(shown[shown.length - 1], DEFAULT_CHART_UIDS));
  }

  #backend(): Parameters<typeof startDashboardServer>[1] {
    return {
      status: () => this.status(),
      subnets: async () => {
        const { api, block } = this.#requireChain();
        return this.#list ?? (await this.#refreshList(api, block));
      },
      subnet: async (netuid) => new JsonText(await this.#fromLive(netuid, (live, block) => live.json(netuid, block))),
      history: (netuid, uids, epochs) => this.#historyOf(netuid, uids, epochs),
      daemons: () => ({ daemons: this.#monitor.views() }),
      canSubscribe: () => !this.#hub.full,
      subscribe: (response: ServerResponse, topics) => this.#subscribe(response, topics),
    };
  }

  #subscribe(response: ServerResponse, topics: ReadonlySet<string>): void {
    const initial = [sseFrame("status", JSON.stringify(this.status()))];
    if (topics.has("subnets") && this.#list) initial.push(sseFrame("subnets", JSON.stringify(this.#list)));
    if (topics.has("daemons")) initial.push(sseFrame("daemons", JSON.stringify({ daemons: this.#monitor.views() })));
    this.#hub.add(response, topics, initial);
  }

  /** Stops following, closes the pages' streams, the server, the store and the connection. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    this.#unsubscribe?.();
    this.#hub.close();
    await this.#server?.close();
    await this.#monitor.stop();
    await this.#connecting?.catch(() => undefined);
    // A tick or an epoch read in flight finishes on the open connection first (bounded: a daemon stops within seconds).
    const deadline = Date.now() + 3000;
    while (this.#ticking && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.race([this.#recorder?.stop(), new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref())]);
    await this.#history?.close();
    await this.#chain?.close();
  }
}
