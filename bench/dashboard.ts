/**
 * `dashboard` (../shared/design/PERFORMANCE.md): the first render of a subnet page in headless
 * Chromium at 4096 uids with 100 epochs of history (goal ≤ 1 s), and the dashboard's resident
 * memory over 10,000 blocks of a fast devnet (goal: growth after warm-up ≤ 10 %).
 *
 * The devnet runs as its own process (the built binary, `npm run build` first) with instant blocks
 * and dev RPC; so does each dashboard (`tensornode dashboard`, as users run it), whose memory is
 * read from /proc. Subnets are built with real signed extrinsics (bench/metagraph.ts: 4096 uids by
 * burned_register, 64 staked, 8 serving).
 *
 * First render: the 4096-uid subnet runs 100 epochs (tempo 1, set by root), then a dashboard starts
 * and reads them back from the state the devnet still holds — the history is the chain's own — and
 * the tempo is raised so that nothing moves while pages are timed. Each run opens the page in a new
 * browser context (no cache) and times navigation → `body[data-state=ready]`, which the page sets
 * once the metagraph's rows, the charts (100 points each), the heatmap and the clock are drawn —
 * on the page's own clock (its `tensornode:ready` mark, from the navigation's start); the median of
 * 7 runs after one warm-up, with the minimum, where the time went (the page's script arrived, it
 * asked for its data, the data arrived, it was drawn: `page_*`), the same span timed from outside
 * (this process's page.goto to the marker seen, with the browser's own latency: `outside_median_ms`)
 * and the API's own answer times.
 *
 * Memory: a second dashboard (--history-epochs 200) follows a 256-uid subnet of tempo 10 with its
 * page open in Chromium (so it reads the subnet at every block and pushes it to the page) while the
 * devnet makes 10,000 blocks, 5 at a time, the dashboard kept within 20 blocks of the head and its
 * recorded epochs within one of the chain's; its resident set is read every 500 blocks. Growth is
 * from the warm-up (blocks 2,000 to 3,000: 200 epochs, so the store is full and trims from then on;
 * @polkadot/api's answer caches full; the JIT) to the end (the last 1,000 blocks), each the median
 * of its three readings — a resident set swings by tens of MiB between two readings as the heap is
 * collected, which one reading each would take for growth; every reading is printed, and the peak. Each figure's line is also written to stderr as
 * soon as it is measured.
 */
import "../src/util/polyfill.js";
import "@polkadot/api-augment";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { ApiPromise, Keyring, WsProvider } from "@polkadot/api";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { chromium, type Browser } from "playwright-core";
import { SUBTENSOR_API_OPTIONS } from "../src/params/chain-options.js";
import type { HistoryPayload, StatusPayload } from "../src/web/model/api.js";
import { formatLine, median, type BenchLine } from "./harness.js";
import { startDevnetProcess } from "./devnet-process.js";
import { seedSubnet, send, type Chain, type Untyped } from "./metagraph.js";

const BIN = fileURLToPath(new URL("../bin/tensornode.js", import.meta.url));
const CHROMIUM = "/usr/bin/chromium";
const EPOCHS = 100;
const RENDER_RUNS = 7;
const BLOCKS = 10_000;
const WARM_UP_BLOCKS = 2_000;
const SAMPLE_EVERY = 500;

interface DashboardProcess {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** `tensornode dashboard` as its own process; resolves once it prints its URL. */
async function startDashboard(chainUrl: string, netuid: number, dataDir: string, historyEpochs = 1000): Promise<DashboardProcess> {
  const child = spawn(process.execPath, [BIN, "dashboard", "--chain", chainUrl, "--netuid", String(netuid), "--port", "0", "--data-dir", dataDir, "--history-epochs", String(historyEpochs), "--log-level", "warn"], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /dashboard at (http:\/\/\S+?) /.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`the dashboard exited with ${code}`)));
  });
  return {
    url,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** The resident set of a process, MiB (Linux /proc). */
function rssMiB(pid: number): number {
  const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  if (!kib) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kib) / 1024;
}

async function json<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function setTempo(chain: Chain, netuid: number, tempo: number): Promise<void> {
  await send(chain, chain.api.tx.sudo.sudo((chain.api.tx["adminUtils"]!["sudoSetTempo"] as Untyped)(netuid, tempo)));
}

async function epochIndex(chain: Chain, netuid: number): Promise<number> {
  return Number((await chain.query("subnetEpochIndex")(netuid)).toString());
}

/** Where a page's first render went, ms from navigation (the page's own marks and resource timings). */
interface PageStages {
  readonly html_ms: number;
  readonly script_ms: number;
  readonly asked_ms: number;
  readonly data_ms: number;
  readonly drawn_ms: number;
  /** When the page set its ready marker (after drawing). */
  readonly ready_ms: number;
  /** Requests for the subnet's state: 1 when the page used the preload the server announced. */
  readonly subnet_requests: number;
}

/** Runs in the page (as text: the TypeScript loader would wrap a function's inner names in a helper the page lacks). */
const PAGE_STAGES = `(() => {
  const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
  const resources = performance.getEntriesByType("resource");
  return {
    html_ms: performance.getEntriesByType("navigation")[0]?.responseEnd ?? NaN,
    script_ms: resources.find((r) => r.name.endsWith("/main.js"))?.responseEnd ?? NaN,
    asked_ms: at("tensornode:asked"),
    data_ms: at("tensornode:data"),
    drawn_ms: at("tensornode:drawn"),
    ready_ms: at("tensornode:ready"),
    subnet_requests: resources.filter((r) => /\\/api\\/subnets\\/\\d+$/.test(r.name)).length,
  };
})()`;

async function firstRender(chain: Chain, browser: Browser, chainUrl: string, dataDir: string): Promise<BenchLine> {
  const seed0 = performance.now();
  const netuid = await seedSubnet(chain, 4096, "dashboard");
  const seedMs = performance.now() - seed0;
  await setTempo(chain, netuid, 1);
  const first = await epochIndex(chain, netuid);
  while ((await epochIndex(chain, netuid)) < first + EPOCHS) await chain.provider.send("dev_newBlock", [{ count: 10 }]);
  await setTempo(chain, netuid, 50_000);
  const dashboard = await startDashboard(chainUrl, netuid, join(dataDir, "render"));
  try {
    const history = `${dashboard.url}/api/subnets/${netuid}/history?epochs=${EPOCHS}`;
    const read0 = performance.now();
    await waitFor(`${EPOCHS} epochs read back`, async () => (await json<HistoryPayload>(history).catch(() => undefined))?.epochs.length === EPOCHS, 600_000);
    const readBackS = (performance.now() - read0) / 1000;
    const apiMs = async (path: string): Promise<number> => {
      const t0 = performance.now();
      await (await fetch(`${dashboard.url}${path}`)).arrayBuffer();
      return performance.now() - t0;
    };
    const stateMs = median(await Promise.all([0, 1, 2, 3, 4].map(() => apiMs(`/api/subnets/${netuid}`))));
    const historyMs = median(await Promise.all([0, 1, 2, 3, 4].map(() => apiMs(`/api/subnets/${netuid}/history`))));
    const samples: number[] = [];
    const stages: PageStages[] = [];
    const outside: number[] = [];
    let rows = 0;
    let points = 0;
    for (let run = 0; run <= RENDER_RUNS; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(`${dashboard.url}/subnets/${netuid}`);
      await page.waitForFunction(() => (globalThis as unknown as { document: { body: { dataset: { state?: string } } } }).document.body.dataset.state === "ready", null, { timeout: 60_000 });
      const outsideMs = performance.now() - t0;
      if (run > 0) {
        const stage = (await page.evaluate(PAGE_STAGES)) as PageStages;
        stages.push(stage);
        samples.push(stage.ready_ms);
        outside.push(outsideMs);
      }
      rows = Number(await page.locator("#metagraph").getAttribute("data-rows"));
      points = Number(await page.locator('figure.chart[data-chart="split"]').getAttribute("data-points"));
      await context.close();
    }
    if (rows !== 4096 || points !== EPOCHS) throw new Error(`the page showed ${rows} rows and ${points} points, expected 4096 and ${EPOCHS}`);
    return {
      name: "dashboard first render n=4096, 100 epochs",
      figures: {
        median_ms: median(samples),
        min_ms: Math.min(...samples),
        runs: samples.length,
        ...Object.fromEntries((Object.keys(stages[0]!) as (keyof PageStages)[]).filter((k) => k !== "ready_ms").map((k) => [`page_${k}`, median(stages.map((s) => s[k]))])),
        outside_median_ms: median(outside),
        api_subnet_ms: stateMs,
        api_history_ms: historyMs,
        read_back_s: readBackS,
        seed_s: seedMs / 1000,
      },
      goal: "≤ 1000 ms from navigation to rows and charts (headless Chromium)",
    };
  } finally {
    await dashboard.stop();
  }
}

async function memory(chain: Chain, browser: Browser, chainUrl: string, dataDir: string): Promise<BenchLine> {
  const netuid = await seedSubnet(chain, 256, "dashboard-memory");
  await setTempo(chain, netuid, 10);
  const dashboard = await startDashboard(chainUrl, netuid, join(dataDir, "memory"), 200);
  const page = await (await browser.newContext()).newPage();
  try {
    await page.goto(`${dashboard.url}/subnets/${netuid}`);
    await page.waitForFunction(() => (globalThis as unknown as { document: { body: { dataset: { state?: string } } } }).document.body.dataset.state === "ready", null, { timeout: 60_000 });
    const head = async (): Promise<number> => (await chain.api.rpc.chain.getHeader()).number.toNumber();
    const start = await head();
    const samples: [number, number][] = [];
    const heaps: string[] = [];
    const t0 = performance.now();
    for (let made = 0; made < BLOCKS; made += 5) {
      await chain.provider.send("dev_newBlock", [{ count: 5 }]);
      const now = start + made + 5;
      // A fast chain, followed: the dashboard is kept within 20 blocks of the head, and its history within an epoch.
      await waitFor("the dashboard to follow", async () => ((await json<StatusPayload>(`${dashboard.url}/api/status`)).chain.block ?? 0) >= now - 20, 120_000);
      if ((made + 5) % 50 === 0) {
        const epoch = await epochIndex(chain, netuid);
        await waitFor("the dashboard to record the epochs", async () => ((await json<HistoryPayload>(`${dashboard.url}/api/subnets/${netuid}/history?epochs=1&uids=0`)).epochs[0] ?? -1) >= epoch - 1, 120_000);
      }
      if ((made + 5) % SAMPLE_EVERY === 0) {
        samples.push([made + 5, rssMiB(dashboard.child.pid!)]);
        const { memory } = await json<StatusPayload>(`${dashboard.url}/api/status`);
        heaps.push(`${memory.heapUsedMiB}/${memory.heapTotalMiB}/${memory.externalMiB}/${memory.arrayBuffersMiB}`);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const warm = median(samples.filter(([b]) => b >= WARM_UP_BLOCKS && b <= WARM_UP_BLOCKS + 1000).map(([, r]) => r));
    const end = median(samples.slice(-3).map(([, r]) => r));
    const history = await json<HistoryPayload>(`${dashboard.url}/api/subnets/${netuid}/history?epochs=200&uids=0`);
    process.stderr.write(`# dashboard rss MiB every ${SAMPLE_EVERY} blocks: ${samples.map(([, r]) => r.toFixed(0)).join(" ")}\n# its JavaScript heap in use/reserved, external/of which ArrayBuffers, MiB: ${heaps.join(" ")}\n`);
    return {
      name: "dashboard memory over 10,000 blocks (n=256, tempo 10, page open)",
      figures: { rss_warm_mib: warm, rss_end_mib: end, growth_pct: ((end - warm) / warm) * 100, rss_peak_mib: Math.max(...samples.map(([, r]) => r)), blocks_per_s: BLOCKS / seconds, epochs_kept: history.epochs.length },
      goal: "growth after warm-up (blocks 2,000–3,000 to the last 1,000) ≤ 10 %",
    };
  } finally {
    await page.close();
    await dashboard.stop();
  }
}

/** Both figures; `parts` picks one (`["memory"]`) when only it is wanted. */
export async function benchDashboard(parts: readonly ("render" | "memory")[] = ["render", "memory"]): Promise<BenchLine[]> {
  await cryptoWaitReady();
  const dataDir = mkdtempSync(join(tmpdir(), "tensornode-bench-dashboard-"));
  const devnet = await startDevnetProcess(join(dataDir, "chain"));
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  try {
    const provider = new WsProvider(devnet.url);
    const api = await ApiPromise.create({ provider, ...SUBTENSOR_API_OPTIONS, throwOnConnect: true });
    const chain: Chain = {
      api,
      provider,
      alice: new Keyring({ type: "sr25519" }).addFromUri("//Alice"),
      query: (name) => api.query["subtensorModule"]![name] as unknown as Untyped,
      tx: (pallet, name) => api.tx[pallet]![name] as unknown as Untyped,
    };
    const lines: BenchLine[] = [];
    for (const part of parts.map((p) => (p === "render" ? firstRender : memory))) {
      lines.push(await part(chain, browser, devnet.url, dataDir));
      process.stderr.write(`# ${formatLine(lines[lines.length - 1]!)}\n`);
    }
    await api.disconnect();
    return lines;
  } finally {
    await browser.close();
    await devnet.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
