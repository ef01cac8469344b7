/**
 * The dashboard's server on an in-process devnet (blocks made on demand): its subnets list is the
 * CLI's; it records one point per epoch, keeps them across a restart (reading back the epochs it
 * missed) and no more than its bound, and starts over for a chain started over; a subnet's state
 * carries the chain's weights and the registrations seen; a bad netuid, a dead chain and a daemon
 * that does not answer are answered with a clear message; pages go out under a strict CSP, to
 * loopback host names only.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Keyring } from "@polkadot/api";
import type { ChainConnection } from "../../../src/chain/connection.js";
import { hyperparameterCall } from "../../../src/chain/hyperparameters.js";
import { loadMetagraph } from "../../../src/chain/metagraph.js";
import type { SubtensorOperations } from "../../../src/chain/operations.js";
import { readSubnetRows } from "../../../src/cli/subnet-rows.js";
import type { DaemonsPayload, HistoryPayload, StatusPayload, SubnetPayload, SubnetsPayload } from "../../../src/web/model/api.js";
import { Dashboard, type DashboardOptions } from "../../../src/web/server/dashboard.js";
import { CONTENT_SECURITY_POLICY } from "../../../src/web/server/http-server.js";
import { silentLog, startDevnet, startedSubnet, type TestDevnet } from "../../helpers/devnet.js";

const TAO = 1_000_000_000n;
const TEMPO = 5;

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function get<T>(url: string, init: RequestInit = {}): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}

/** A request as sent, path and Host header untouched (fetch() normalises both). */
function raw(base: string, path: string, headers: Record<string, string> = {}): Promise<number> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    request({ host: url.hostname, port: url.port, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    })
      .on("error", reject)
      .end();
  });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("the dashboard server", { timeout: 300_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), "tn-dashboard-"));
  const assets = join(root, "assets");
  let net: TestDevnet;
  let chain: ChainConnection;
  let ops: SubtensorOperations;
  let netuid: number;
  let dashboard: Dashboard | undefined;
  let deadPort: number;
  const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
  const validator = keyring.addFromUri("//Bob//dashboard-validator");
  const miners = [keyring.addFromUri("//Charlie//dashboard-miner-1"), keyring.addFromUri("//Charlie//dashboard-miner-2")];

  const options = (overrides: Partial<DashboardOptions> = {}): DashboardOptions => ({
    endpoint: net.node.endpoint.wsUrl,
    host: "127.0.0.1",
    port: 0,
    assetsDir: assets,
    dataDir: () => join(root, "history"),
    netuids: [netuid],
    statusUrls: [`http://127.0.0.1:${deadPort}`],
    historyEpochs: 10,
    backfillEpochs: 100,
    listEveryBlocks: 2,
    daemonIntervalMs: 100,
    version: "test",
    ...overrides,
  });
  const api = <T>(path: string): Promise<{ status: number; body: T; headers: Headers }> => get<T>(`${dashboard!.url}${path}`);
  /** Makes one block and waits until the dashboard has read it. */
  const block = async (): Promise<number> => {
    await net.node.newBlocks(1);
    const head = net.node.chain.headNumber;
    await waitFor(`the dashboard at block ${head}`, async () => ((await api<StatusPayload>("/api/status")).body.chain.block! >= head ? true : undefined));
    return head;
  };
  const epochIndex = async (): Promise<number> => Number((await (net.api.query["subtensorModule"]!["subnetEpochIndex"] as unknown as (n: number) => Promise<{ toString(): string }>)(netuid)).toString());
  /** Blocks until `count` more epochs ran, each read by the dashboard; resolves with the epoch index. */
  const epochs = async (count: number): Promise<number> => {
    const target = (await epochIndex()) + count;
    while ((await epochIndex()) < target) await block();
    await dashboard!.recorded();
    return target;
  };
  const history = async (query = ""): Promise<HistoryPayload> => (await api<HistoryPayload>(`/api/subnets/${netuid}/history${query}`)).body;
  const consecutive = (xs: readonly number[]): boolean => xs.every((x, i) => i === 0 || x === xs[i - 1]! + 1);

  before(async () => {
    mkdirSync(assets);
    writeFileSync(join(assets, "index.html"), '<!doctype html><script type="module" src="/main.js"></script>');
    writeFileSync(join(assets, "main.js"), "document.body.dataset.state = 'ready';\n");
    deadPort = await closedPort();
    net = await startDevnet({ blockTime: { mode: "instant" }, devRpc: true, dataDir: join(root, "chain") });
    ({ chain, ops, netuid } = await startedSubnet(net.node.endpoint.wsUrl));
    const alice = keyring.addFromUri("//Alice");
    for (const [name, value] of [["tempo", String(TEMPO)], ["commit_reveal_weights_enabled", "false"]] as const) {
      const { tx, setter, hyperparameter } = hyperparameterCall(chain.api, netuid, name, value);
      await ops.adminCall(alice, netuid, tx, setter, `set ${hyperparameter.name}`);
    }
    const bob = keyring.addFromUri("//Bob");
    const charlie = keyring.addFromUri("//Charlie");
    await ops.registerNeuron(bob, netuid, validator.address);
    await ops.addStake(bob, validator.address, netuid, 100n * TAO);
    await ops.registerNeuron(charlie, netuid, miners[0]!.address);
    await ops.transfer(alice, validator.address, 10n * TAO);
  });

  after(async () => {
    await dashboard?.stop();
    await chain?.close();
    await net?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("lists the subnets as `tensornode subnet list` reads them", async () => {
    dashboard = await Dashboard.start(options(), { log: silentLog });
    await dashboard.ready(30_000);
    const { status, body } = await api<SubnetsPayload>("/api/subnets");
    assert.equal(status, 200);
    const cli = await readSubnetRows(ops);
    assert.deepEqual(
      body.subnets.map((s) => [s.netuid, s.ownerColdkey, s.ownerHotkey, s.tempo, s.n, s.maxUids, s.price, s.taoInEmission]),
      cli.map((r) => [r.netuid, r.ownerColdkey, r.ownerHotkey, r.tempo, r.n, r.maxUids, r.price?.toString() ?? null, r.taoInEmission.toString()]),
    );
  });

  it("records one point per epoch, consecutive, with the emission split", async () => {
    const now = await epochs(3);
    const h = await history();
    assert.ok(h.epochs.length >= 3, `epochs recorded: ${h.epochs.join(",")}`);
    assert.equal(h.epochs[h.epochs.length - 1], now);
    assert.ok(consecutive(h.epochs), `one point per epoch: ${h.epochs.join(",")}`);
    assert.equal(h.blocks.length, h.epochs.length);
    const last = h.epochs.length - 1;
    assert.ok(h.split.owner[last]! + h.split.miners[last]! + h.split.validators[last]! > 0, "the epoch paid something");
  });

  it("gives a subnet's state with the chain's weights and the registrations it sees", async () => {
    await epochs(1); // the validator's permit
    await ops.setWeights(validator, netuid, [1, 2], [40_000, 20_000], 0n);
    await ops.registerNeuron(keyring.addFromUri("//Charlie"), netuid, miners[1]!.address);
    const head = await block();
    const state = await waitFor("the new registration and weights", async () => {
      const s = (await api<SubnetPayload>(`/api/subnets/${netuid}`)).body;
      return s.metagraph.block >= head && s.activity.some((a) => a.kind === "registered" && a.hotkey === miners[1]!.address) ? s : undefined;
    });
    const chainWeights = (await loadMetagraph(chain.api, netuid, { withWeights: true }))!.neurons.filter((n) => (n.weights?.length ?? 0) > 0).map((n) => ({ uid: n.uid, weights: n.weights!.map(([u, w]) => [u, w]) }));
    assert.deepEqual(state.weights.rows, chainWeights);
    assert.ok(chainWeights.length > 0);
    assert.equal(state.metagraph.hotkeys[state.activity.find((a) => a.hotkey === miners[1]!.address)!.uid], miners[1]!.address);
    assert.deepEqual(state.weights.consensus, state.metagraph.consensus);
  });

  it("keeps its history across a restart, reading back the epochs it missed while stopped", async () => {
    const before = await history();
    await dashboard!.stop();
    dashboard = undefined;
    for (let i = 0; i < 2 * TEMPO + 1; i++) await net.node.newBlocks(1);
    const now = await epochIndex();
    dashboard = await Dashboard.start(options(), { log: silentLog });
    await dashboard.ready(30_000);
    // Epochs read back are stored as they are read, newest first: wait for the oldest missed one.
    const expected = Array.from({ length: now - before.epochs[0]! + 1 }, (_, i) => before.epochs[0]! + i).slice(-10);
    const h = await waitFor(`epochs ${expected[0]}..${now}`, async () => {
      const next = await history();
      return expected.every((e) => next.epochs.includes(e)) ? next : undefined;
    });
    assert.deepEqual(h.epochs, expected, "the epochs kept and those missed while stopped, none twice, no gap");
  });

  it("keeps no more epochs than --history-epochs", async () => {
    await epochs(6);
    const h = await history("?epochs=200");
    assert.equal(h.epochs.length, 10);
    assert.ok(consecutive(h.epochs));
  });

  it("says what is wrong: an unknown subnet, a netuid that is no number, bad chart uids", async () => {
    const unknown = await api<{ error: { code: string; message: string } }>("/api/subnets/999");
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, "NO_SUBNET");
    assert.match(unknown.body.error.message, /subnet 999 does not exist/);
    assert.equal((await api<{ error: { code: string } }>("/api/subnets/abc")).body.error.code, "BAD_NETUID");
    assert.equal((await api<{ error: { code: string } }>(`/api/subnets/${netuid}/history?uids=1,x`)).body.error.code, "BAD_UIDS");
    assert.equal((await api<{ error: { code: string } }>("/api/nothing")).status, 404);
  });

  it("tells a daemon that does not answer, and why", async () => {
    const daemons = await waitFor("a read of the daemon", async () => {
      const d = (await api<DaemonsPayload>("/api/daemons")).body.daemons[0]!;
      return d.error !== "not read yet" ? d : undefined;
    });
    assert.equal(daemons.up, false);
    assert.match(daemons.error!, new RegExp(`no answer from http://127\\.0\\.0\\.1:${deadPort}/`));
  });

  it("serves its pages under a strict CSP, only GET and HEAD, to loopback host names only", async () => {
    const page = await fetch(`${dashboard!.url}/subnets/${netuid}`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get("content-security-policy"), CONTENT_SECURITY_POLICY);
    assert.match(CONTENT_SECURITY_POLICY, /script-src 'self'; style-src 'self'/);
    assert.equal(page.headers.get("x-content-type-options"), "nosniff");
    assert.match(await page.text(), /<script type="module" src="\/main.js">/);
    // What the page loads first is announced in the response's headers, to be fetched before the page is parsed.
    assert.equal(page.headers.get("link"), `</main.js>; rel=modulepreload, </main.css>; rel=preload; as=style, </api/subnets/${netuid}>; rel=preload; as=fetch; crossorigin, </api/subnets/${netuid}/history>; rel=preload; as=fetch; crossorigin`);
    assert.equal((await fetch(`${dashboard!.url}/main.js`)).headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.equal((await fetch(`${dashboard!.url}/no/such/page`)).status, 404);
    assert.equal(await raw(dashboard!.url, "/%2e%2e/%2e%2e/package.json"), 404, "nothing outside the page's folder");
    assert.equal(await raw(dashboard!.url, "/.hidden"), 404);
    assert.equal((await fetch(`${dashboard!.url}/api/status`, { method: "POST" })).status, 405);
    assert.equal(await raw(dashboard!.url, "/api/status", { host: "attacker.example" }), 403, "a rebound name is refused");
    assert.equal(await raw(dashboard!.url, "/api/status", { host: "localhost:1234" }), 200);
  });

  it("starts over with a chain started over (the same genesis, another block at the recorded height)", async () => {
    await dashboard!.stop();
    dashboard = undefined;
    await chain.close();
    await net.close();
    net = await startDevnet({ blockTime: { mode: "instant" }, devRpc: true, dataDir: join(root, "chain-2") });
    ({ chain, ops, netuid } = await startedSubnet(net.node.endpoint.wsUrl));
    const { tx, setter } = hyperparameterCall(chain.api, netuid, "tempo", String(TEMPO));
    await ops.adminCall(keyring.addFromUri("//Alice"), netuid, tx, setter, "set tempo");
    for (let i = 0; i < 30; i++) await net.node.newBlocks(1);
    dashboard = await Dashboard.start(options(), { log: silentLog });
    await dashboard.ready(30_000);
    await dashboard.recorded();
    const h = await history();
    const now = await epochIndex();
    assert.ok(h.epochs.every((e) => e <= now), `only this chain's epochs: ${h.epochs.join(",")} (now ${now})`);
    assert.ok(h.blocks.every((b) => b <= net.node.chain.headNumber));
    assert.ok(consecutive(h.epochs));
  });

  it("starts without a chain, says the chain cannot be read, and never serves a blank answer", async () => {
    const dead = await Dashboard.start(options({ endpoint: `ws://127.0.0.1:${deadPort}`, dataDir: () => join(root, "dead"), statusUrls: [] }), { log: silentLog });
    try {
      const status = await waitFor("the connection's failure", async () => {
        const s = (await get<StatusPayload>(`${dead.url}/api/status`)).body;
        return s.chain.error ? s : undefined;
      });
      assert.equal(status.chain.connected, false);
      assert.match(status.chain.error!, new RegExp(`cannot reach the chain at ws://127\\.0\\.0\\.1:${deadPort}`));
      const subnets = await get<{ error: { code: string; message: string } }>(`${dead.url}/api/subnets`);
      assert.equal(subnets.status, 503);
      assert.equal(subnets.body.error.code, "CHAIN_UNREACHABLE");
      assert.match(subnets.body.error.message, /cannot be read: cannot reach the chain/);
      assert.equal((await fetch(`${dead.url}/`)).status, 200, "the page itself is served, to say so");
    } finally {
      await dead.stop();
    }
  });
});
