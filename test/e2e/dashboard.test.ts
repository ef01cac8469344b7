/**
 * The dashboard in a real browser (Debian's Chromium, headless) on a localnet, as `npm start` runs
 * it: the localnet prints the dashboard's URL; the subnet page's metagraph is exactly what
 * `tensornode metagraph --json` says at the same block; after a few epochs every chart holds one
 * point per epoch; the heatmap holds exactly the chain's weights; a registration shows up live; the
 * chain's strings (a subnet name set to markup) are shown as text; an unknown netuid, a daemon gone
 * and a dead chain each show a clear message — no page blank, no CSP violation. Screenshots of each
 * page are kept in test-artifacts/dashboard/.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ApiPromise, Keyring, WsProvider } from "@polkadot/api";
import { u8aToHex } from "@polkadot/util";
import type { Browser, Page } from "playwright-core";
import { SUBTENSOR_API_OPTIONS } from "../../src/params/chain-options.js";
import { artifactPath, collectPageProblems, launchChromium } from "../helpers/browser.js";
import { startProcess, waitForOutput, waitForStderr, type RunningProcess } from "../helpers/process.js";
import { processesMentioning } from "../helpers/processes.js";

/** What the page's scripts run against, typed as far as these tests use it (the tests are compiled without the DOM's types). */
interface Node_ {
  readonly body: Node_;
  readonly dataset: Record<string, string | undefined>;
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): Node_ | null;
  querySelectorAll(selector: string): ArrayLike<Node_>;
}

interface CliNeuron {
  uid: number;
  hotkey: string;
  coldkey: string;
  stake: string;
  emission: string;
  incentive: number;
  dividends: number;
  consensus: number;
  validatorTrust: number;
  lastUpdate: number;
  validatorPermit: boolean;
  active: boolean;
  axon: { ip: string; port: number } | null;
  weights?: [number, number][];
}
interface CliMetagraph {
  block: number;
  neurons: CliNeuron[];
}

/** The page's rows as the table carries them, with the block the page shows — read in one go. */
function pageRows(): { block: number; rows: Record<string, string | undefined>[]; weights: string[] } {
  // Run in the page: nothing from this module is in scope there.
  const d = (globalThis as unknown as { document: Node_ }).document;
  const rows = Array.from(d.querySelectorAll("#metagraph tbody tr[data-uid]"), (tr) => ({ ...tr.dataset }));
  const weights = Array.from(d.querySelectorAll("#weights-table tbody tr"), (tr) => `${tr.dataset.validator}:${tr.dataset.uid}:${tr.dataset.weight}`);
  return { block: Number(d.querySelector("main")!.dataset.block), rows, weights };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("the dashboard in a browser, on a localnet", { timeout: 900_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), "tn-dashboard-e2e-"));
  const tmp = join(root, "tmp");
  mkdirSync(tmp);
  const env = { TMPDIR: tmp, TENSORNODE_HOME: join(root, "home") };
  const shot = (name: string): string => artifactPath(join("dashboard", `${name}.png`));
  let localnet: RunningProcess;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let dashboard: string;
  let netuid: number;
  let chainUrl: string;

  const open = async (path: string, state: "ready" | "error" = "ready"): Promise<void> => {
    await page.goto(`${dashboard}${path}`);
    await page.waitForFunction((s) => (globalThis as unknown as { document: Node_ }).document.body.dataset.state === s, state, { timeout: 30_000 });
  };
  const cli = async (...args: string[]): Promise<CliMetagraph> => {
    const run = startProcess(["metagraph", "--netuid", String(netuid), "--json", "--chain", chainUrl, ...args], env);
    assert.equal(await run.exited, 0, run.stderr());
    return JSON.parse(run.stdout()) as CliMetagraph;
  };
  /**
   * `tensornode metagraph --json` and what the page showed at the same block: the page (which
   * follows the chain block by block) is read all the while the CLI runs, each block it shows kept,
   * and the one the CLI read is looked up. A busy server may skip that block: then another pair.
   */
  const atSameBlock = async (args: string[]): Promise<{ cli: CliMetagraph; shown: ReturnType<typeof pageRows> }> => {
    const tries: string[] = [];
    for (let attempt = 1; attempt <= 10; attempt++) {
      const shownAt = new Map<number, ReturnType<typeof pageRows>>();
      let reading = true;
      const reader = (async () => {
        while (reading) {
          const shown = await page.evaluate(pageRows);
          if (!shownAt.has(shown.block)) shownAt.set(shown.block, shown);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
      let fromCli: CliMetagraph;
      try {
        fromCli = await cli(...args);
        const deadline = Date.now() + 10_000;
        while (Math.max(...shownAt.keys()) < fromCli.block && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      } finally {
        reading = false;
        await reader;
      }
      const shown = shownAt.get(fromCli.block);
      if (shown) return { cli: fromCli, shown };
      tries.push(`CLI at ${fromCli.block}, page at ${[...shownAt.keys()].join(" ")}`);
    }
    throw new Error(`the page never showed the block the CLI read: ${tries.join("; ")}`);
  };

  before(async () => {
    localnet = startProcess(["localnet", "--data-dir", join(root, "net"), "--seed", "7"], env);
    const line = await waitForStderr(localnet, /dashboard at (http:\/\/127\.0\.0\.1:\d+)\/subnets\/(\d+) /, 240_000);
    dashboard = line[1]!;
    netuid = Number(line[2]);
    chainUrl = ((await (await fetch(`${dashboard}/api/status`)).json()) as { chain: { endpoint: string } }).chain.endpoint;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    problems = collectPageProblems(page, "/api/");
  });

  after(async () => {
    await browser?.close();
    await localnet?.stop(15_000);
    for (const pid of processesMentioning(root)) process.kill(pid, "SIGKILL");
    rmSync(root, { recursive: true, force: true });
  });

  it("is started by the localnet, which prints its URL and the playground's", async () => {
    assert.match(localnet.stderr(), /dashboard at http:\/\/127\.0\.0\.1:\d+\/subnets\/\d+ \(/);
    assert.match(localnet.stderr(), /gateway at (http:\/\/127\.0\.0\.1:\d+) /);
    await open("/");
    const rows = await page.locator("#subnets tbody tr").count();
    assert.ok(rows >= 1);
    assert.equal(await page.locator(`#subnets tr[data-netuid="${netuid}"] a`).getAttribute("href"), `/subnets/${netuid}`);
    await page.screenshot({ path: shot("subnets"), fullPage: true });
  });

  it("shows the metagraph exactly as `tensornode metagraph --json` says, at the same block", async () => {
    await open(`/subnets/${netuid}`);
    const { cli: chain, shown } = await atSameBlock([]);
    assert.equal(shown.rows.length, chain.neurons.length, "one row per uid");
    for (const n of chain.neurons) {
      const row = shown.rows.find((r) => Number(r.uid) === n.uid);
      assert.ok(row, `uid ${n.uid} shown`);
      assert.deepEqual(
        [row.hotkey, row.coldkey, row.stake, row.emission, Number(row.incentive), Number(row.dividends), Number(row.consensus), Number(row.trust), Number(row.lastUpdate), row.permit === "true", row.active === "true", row.axon],
        [n.hotkey, n.coldkey, n.stake, n.emission, n.incentive, n.dividends, n.consensus, n.validatorTrust, n.lastUpdate, n.validatorPermit, n.active, n.axon ? `${n.axon.ip}:${n.axon.port}` : ""],
        `uid ${n.uid} at block ${chain.block}`,
      );
    }
    // Whole hotkeys are in the page (shortened on screen).
    const first = chain.neurons[0]!.hotkey;
    assert.equal(await page.locator(`#metagraph tr[data-uid="0"] .key`).getAttribute("title"), first);
    await page.screenshot({ path: shot("subnet"), fullPage: true });
  });

  it("sorts and filters the metagraph from the keyboard", async () => {
    await page.locator('button.sort[data-sort="stake"]').focus();
    await page.keyboard.press("Enter");
    assert.equal(await page.locator('th:has(button[data-sort="stake"])').getAttribute("aria-sort"), "descending");
    const stakes = await page.locator("#metagraph tbody tr[data-uid]").evaluateAll((trs) => trs.map((tr) => BigInt((tr as unknown as Node_).dataset.stake!)));
    for (let i = 1; i < stakes.length; i++) assert.ok(stakes[i - 1]! >= stakes[i]!, "largest stake first");
    await page.locator("#metagraph-role").selectOption("validator");
    try {
      // A validator is told by its validator trust or dividends: from the epoch after its first reveal on (the page follows the chain).
      await page.waitForFunction(() => (globalThis as unknown as { document: Node_ }).document.querySelectorAll("#metagraph tbody tr[data-uid]").length === 2, null, { timeout: 180_000 }).catch(() => undefined);
      assert.equal(await page.locator("#metagraph tbody tr[data-uid]").count(), 2, "the localnet's two validators");
    } finally {
      await page.locator("#metagraph-role").selectOption("all");
    }
  });

  it("after a few epochs, holds one point per epoch in every chart", async () => {
    const epochOf = async (): Promise<number> => Number(await page.locator("#clock").getAttribute("data-epoch"));
    const start = await epochOf();
    await page.waitForFunction((target) => Number((globalThis as unknown as { document: Node_ }).document.querySelector("#clock")!.dataset.epoch) >= target, start + 3, { timeout: 180_000 });
    const epoch = await epochOf();
    // The charts are read again at each epoch: wait for the one just run.
    await page.waitForFunction((e) => Array.from((globalThis as unknown as { document: Node_ }).document.querySelectorAll("figure.chart"), (f) => f.dataset.epochs ?? "").every((list) => list.split(",").map(Number).includes(e)), epoch, { timeout: 60_000 });
    const charts = await page.evaluate(() => Array.from((globalThis as unknown as { document: Node_ }).document.querySelectorAll("figure.chart"), (f) => ({ id: f.dataset.chart!, points: Number(f.dataset.points), epochs: (f.dataset.epochs ?? "").split(",").map(Number), canvas: f.querySelector("canvas") !== null })));
    assert.deepEqual(charts.map((c) => c.id), ["incentive", "dividends", "emission", "stake", "split"]);
    for (const c of charts) {
      assert.ok(c.canvas, `${c.id} is drawn`);
      assert.equal(c.points, c.epochs.length, `${c.id}: as many points as epochs`);
      assert.ok(c.points >= 4, `${c.id}: ${c.points} points after 3 epochs and more`);
      assert.ok(c.epochs.every((e, i) => i === 0 || e === c.epochs[i - 1]! + 1), `${c.id}: one point per epoch, none missing: ${c.epochs.join(",")}`);
      assert.ok(c.epochs.includes(epoch), `${c.id}: epoch ${epoch} is charted`);
    }
    await page.screenshot({ path: shot("subnet-epochs"), fullPage: true });
  });

  it("shows exactly the chain's weights in the heatmap", async () => {
    await page.locator("#weights-listing summary").click();
    await page.locator("#weights-table").waitFor({ state: "attached" });
    const { cli: chain, shown } = await atSameBlock(["--weights"]);
    const fromChain = chain.neurons.flatMap((n) => (n.weights ?? []).filter(([, w]) => w > 0).map(([uid, w]) => `${n.uid}:${uid}:${w}`)).sort();
    assert.ok(fromChain.length > 0, "the validators have weights on chain");
    assert.deepEqual([...shown.weights].sort(), fromChain);
    const figure = page.locator("#weights");
    assert.equal(Number(await figure.getAttribute("data-columns")), chain.neurons.length);
    assert.equal(Number(await figure.getAttribute("data-rows")), new Set(fromChain.map((t) => t.split(":")[0])).size);
  });

  it("shows a registration as it happens, and the chain's strings as text", async () => {
    const api = await ApiPromise.create({ provider: new WsProvider(chainUrl), ...SUBTENSOR_API_OPTIONS, throwOnConnect: true });
    try {
      const alice = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//Alice");
      const newcomer = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//Alice//dashboard-newcomer").address;
      const module = api.query["subtensorModule"]!;
      const identity = module["subnetIdentitiesV3"] as unknown as { key(n: number): string; creator: { meta: { type: { asMap: { value: number } } } } };
      const name = '<img src=x onerror="document.body.dataset.pwned=1">';
      const value = api.registry.createType(api.registry.createLookupType(identity.creator.meta.type.asMap.value) as "Raw", { subnetName: name, githubRepo: "", subnetContact: "", subnetUrl: "", discord: "", description: "", logoUrl: "", additional: "" });
      const symbol = "<b>α</b>";
      const setStorage = api.tx.sudo.sudo(api.tx.system.setStorage([[identity.key(netuid), value.toHex()], [(module["tokenSymbol"] as unknown as { key(n: number): string }).key(netuid), u8aToHex(api.createType("Bytes", symbol).toU8a())]]));
      const register = (api.tx["subtensorModule"]!["burnedRegister"] as unknown as (n: number, h: string) => typeof setStorage)(netuid, newcomer);
      await new Promise<void>((resolve, reject) => {
        api.tx.utility.batchAll([setStorage, register]).signAndSend(alice, ({ status, dispatchError }) => {
          if (dispatchError) reject(new Error(dispatchError.toString()));
          else if (status.isInBlock) resolve();
        }).catch(reject);
      });
      // Live: the open page shows it without a reload.
      await page.locator(`#registrations li[data-kind="registered"][data-hotkey="${newcomer}"]`).waitFor({ timeout: 60_000 });
      await page.locator(`#metagraph tr[data-hotkey="${newcomer}"]`).waitFor({ timeout: 30_000 });
      await page.screenshot({ path: shot("subnet-registration"), fullPage: true });

      await open("/");
      await page.waitForFunction((text) => (globalThis as unknown as { document: Node_ }).document.querySelector("#subnets a")?.textContent === text, name, { timeout: 60_000 });
      assert.equal(await page.locator("#subnets img").count(), 0, "no element made from the chain's string");
      assert.equal(await page.locator("#subnets .symbol").textContent(), ` ${symbol}`);
      assert.equal(await page.locator("#subnets b").count(), 0);
      assert.equal(await page.evaluate(() => (globalThis as unknown as { document: Node_ }).document.body.dataset.pwned), undefined, "nothing from the chain ran");
      await page.screenshot({ path: shot("subnets-named"), fullPage: true });
    } finally {
      await api.disconnect();
    }
  });

  it("shows the daemons, one that went offline with why it does not answer", async () => {
    await open("/daemons");
    await page.locator('article.daemon[data-kind="validator"][data-up="true"]').first().waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('article.daemon[data-kind="validator"]').count(), 2);
    assert.equal(await page.locator('article.daemon[data-kind="gateway"]').count(), 1);
    // miner4 goes offline at the first epoch, as the localnet plans.
    const down = page.locator('article.daemon[data-up="false"]');
    await down.first().waitFor({ timeout: 60_000 });
    assert.match((await down.first().textContent()) ?? "", /Not answering.*no answer from http:\/\/127\.0\.0\.1:\d+\/(healthz|v1\/synapses)/s);
    await page.screenshot({ path: shot("daemons"), fullPage: true });
  });

  it("says so when the subnet in the URL does not exist or is no number", async () => {
    await open("/subnets/4242", "error");
    assert.match((await page.locator("main").textContent()) ?? "", /No such subnet.*subnet 4242 does not exist/s);
    await page.screenshot({ path: shot("no-subnet"), fullPage: true });
    await open("/subnets/abc", "error");
    assert.match((await page.locator("main").textContent()) ?? "", /"abc" is not a subnet number/);
  });

  it("fits a phone's width", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await open(`/subnets/${netuid}`);
    const overflow = await page.evaluate(() => {
      const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
      return d.documentElement.scrollWidth - d.documentElement.clientWidth;
    });
    assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px (wide tables scroll in their own box)`);
    await page.screenshot({ path: shot("subnet-phone"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("says the chain cannot be read when it is dead, and breaks no rule of the CSP on any page", async () => {
    const dead = startProcess(["dashboard", "--chain", `ws://127.0.0.1:${await closedPort()}`, "--port", "0", "--data-dir", join(root, "dead")], env);
    try {
      const url = (await waitForOutput(dead, /dashboard at (http:\/\/\S+?) /, 60_000))[1]!;
      await page.goto(`${url}/`);
      await page.waitForFunction(() => (globalThis as unknown as { document: Node_ }).document.body.dataset.state === "error", null, { timeout: 60_000 });
      assert.match((await page.locator("main").textContent()) ?? "", /The chain cannot be read.*cannot reach the chain at ws:\/\/127\.0\.0\.1:\d+/s);
      await page.screenshot({ path: shot("dead-chain"), fullPage: true });
    } finally {
      await dead.stop();
    }
    // Streams closed by leaving a page are not problems; anything else is.
    assert.deepEqual(problems.filter((p) => !/\/api\/events\?.*ERR_ABORTED/.test(p)), []);
  });
});
