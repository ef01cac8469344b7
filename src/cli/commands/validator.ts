/**
 * `tensornode validator --netuid N --wallet W --hotkey H [--subnet NAME]`: the validator daemon
 * (queries miners, scores them, keeps its state in level, puts weights on chain), until
 * SIGINT/SIGTERM; with --api-port, its gateway serves users' requests (docs/gateway.md).
 * `tensornode validator receipts --uid U`: the miners' signed answers it kept, each signature
 * checked; `validator attribution`: organic requests per miner; `validator api-key add`: a key
 * for the gateway.
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Command } from "commander";
import { encodeAddress } from "@polkadot/util-crypto";
import { connectChain } from "../../chain/connection.js";
import { decodeValue, StoreError } from "../../db/store.js";
import { loadPlugin, pluginRoots } from "../../subnet/loader.js";
import { favourSteadyMemory } from "../../util/heap-sizing.js";
import { UserError } from "../../util/errors.js";
import { createLogger, type LogFormat, type LogLevel } from "../../util/logger.js";
import { sr25519Ready, sr25519SignerFromSeed } from "../../util/sr25519.js";
import { closeServer } from "../../util/status-server.js";
import { ValidatorDaemon } from "../../validator/daemon.js";
import { addApiKey } from "../../validator/gateway/api-keys.js";
import { attributionTable, type MinerAttribution } from "../../validator/gateway/attribution.js";
import { parseSince } from "../../validator/gateway/since.js";
import { startGatewayServer, type GatewayServer } from "../../validator/gateway/http-server.js";
import type { OrganicLedger } from "../../validator/organic-ledger.js";
import { PublicInterface } from "../../subnet/public-api.js";
import { startValidatorStatusServer } from "../../validator/metrics.js";
import { verifyStoredReceipt } from "../../validator/receipts.js";
import { ValidatorState, type StoredReceipt } from "../../validator/state.js";
import type { OptionSchema } from "../config.js";
import type { CliContext } from "../context.js";
import { toJsonText } from "../json-output.js";
import { addSchemaOptions, addSubcommand, commandConfig, refuseUnused } from "../options.js";
import { chainEndpoint, CHAIN_OPTIONS, HOTKEY_OPTION, JSON_OPTION, requireNetuid, requireString, walletStore, WALLET_OPTION, type Values } from "../chain-session.js";
import { renderTable, type Column } from "../table.js";
import { withStateErrors } from "../daemon-errors.js";
import { shutdownOrParentGone } from "../parent-lifeline.js";
import { DAEMON_STOP_BUDGET_MS } from "../daemon-stop.js";
import { whereabouts } from "../whereabouts.js";
import { stopInOrder } from "../../util/stop-in-order.js";
import { defaultHome } from "./devnet.js";
import { builtWebAssetsDir } from "../../web/assets.js";

const STATE_OPTIONS: OptionSchema = {
  netuid: { type: "integer", min: 0, max: 65535, help: "the subnet to validate" },
  ...WALLET_OPTION,
  ...HOTKEY_OPTION,
  dataDir: { type: "string", help: "scores, pending commits, receipts and the peer key (default $TENSORNODE_HOME/validator/<wallet>.<hotkey>/<netuid>)" },
};

export const VALIDATOR_OPTIONS: OptionSchema = {
  ...STATE_OPTIONS,
  subnet: { type: "string", default: "tiny", help: "the subnet plugin that makes challenges and scores answers: a name under subnets/ (tiny, ocr) or a plugin folder" },
  host: { type: "string", default: "0.0.0.0", help: "IP the libp2p node listens on" },
  port: { type: "integer", min: 0, max: 65535, default: 0, help: "TCP port of the libp2p node (0: a free one)" },
  sampleSize: { type: "integer", min: 1, max: 65535, help: "miners queried per step, in turn (default: every serving miner)" },
  concurrency: { type: "integer", min: 1, max: 4096, default: 256, help: "queries in flight at once" },
  stepInterval: { type: "integer", min: 1, max: 3600, default: 5, help: "least seconds between the starts of two scoring steps" },
  resyncBlocks: { type: "integer", min: 1, max: 10_000, default: 5, help: "reload the metagraph when it is this many blocks old" },
  weightsInterval: { type: "integer", min: 1, max: 600, default: 3, help: "least seconds between two looks at the chain (each at a new head: at most one per block) for weights to commit, reveal or set" },
  alpha: { type: "string", default: "0.1", help: "weight of a new score in the moving average, in (0, 1]" },
  versionKey: { type: "string", help: "weights version key (default: the subnet's)" },
  receiptsPerUid: { type: "integer", min: 0, max: 100_000, default: 64, help: "signed answers kept per uid" },
  metricsPort: { type: "integer", min: 0, max: 65535, help: "serve /metrics, /healthz and /receipts on this port (127.0.0.1 unless --metrics-host)" },
  apiPort: { type: "integer", min: 0, max: 65535, help: "serve users' requests (the gateway: POST /v1/synapses/{name}, docs/gateway.md) on this port (0: a free one)" },
  apiHost: { type: "string", default: "127.0.0.1", help: "address for the gateway; other than loopback it needs --api-keys" },
  apiKeys: { type: "string", help: "the gateway's API keys file (0600; `tensornode validator api-key add` makes keys; reloaded on SIGHUP)" },
  apiCors: { type: "string", help: "origins allowed to call the gateway from a browser, comma-separated (https://app.example.com,…); default: none" },
  metricsHost: { type: "string", default: "127.0.0.1", help: "address for the status port" },
  ...CHAIN_OPTIONS,
};

const RECEIPT_OPTIONS: OptionSchema = {
  ...STATE_OPTIONS,
  uid: { type: "integer", min: 0, max: 65535, help: "the miner's uid" },
  statusUrl: { type: "string", help: "ask a running validator instead (its status port, e.g. http://127.0.0.1:9101)" },
  ...JSON_OPTION,
};

const ATTRIBUTION_OPTIONS: OptionSchema = {
  ...STATE_OPTIONS,
  since: { type: "string", help: "from this time: Unix milliseconds or ISO 8601 (default: 24 hours ago)" },
  url: { type: "string", help: "ask a running validator's gateway instead (e.g. http://127.0.0.1:8080)" },
  apiKeyFile: { type: "string", help: "with --url: a file holding an API key of a keyed gateway (or env TENSORNODE_API_KEY)" },
  ...JSON_OPTION,
};

const API_KEY_OPTIONS: OptionSchema = {
  keysFile: { type: "string", help: "the gateway's API keys file (created 0600 if absent), as --api-keys takes it" },
  name: { type: "string", help: "who holds the key (it names the caller in logs and attribution)" },
  synapses: { type: "string", help: "synapses the key may call, comma-separated (default: all)" },
  rate: { type: "string", default: "5", help: "requests per second the key may sustain" },
  burst: { type: "integer", min: 1, max: 100_000, default: 10, help: "requests the key may send at once" },
};

/** Where a validator keeps its state, unless --data-dir says otherwise. */
function dataDirOf(ctx: CliContext, v: Values, netuid: number): string {
  return resolve(ctx.cwd, typeof v.dataDir === "string" ? v.dataDir : join(defaultHome(ctx.env), "validator", `${String(v.wallet)}.${String(v.hotkey)}`, String(netuid)));
}

function parseAlpha(text: string): number {
  const alpha = Number(text);
  if (!(alpha > 0 && alpha <= 1)) throw new UserError("BAD_ALPHA", `--alpha: "${text}" is not a number in (0, 1]`);
  return alpha;
}

export function registerValidatorCommand(program: Command, ctx: CliContext): void {
  const command = program.command("validator").description("run a validator: query miners, score them, set weights on chain (`validator receipts` shows what miners answered)");
  // The daemon is the default subcommand, so `tensornode validator --netuid N …` runs it while
  // `validator receipts` keeps its own options (a parent with options would take them all).
  const run = command.command("run", { isDefault: true }).description("run the validator daemon (the default: `tensornode validator --netuid N …`)");
  // State errors (a data dir in use or kept for another hotkey, a port taken) are one line and exit 2.
  addSchemaOptions(run, VALIDATOR_OPTIONS).action(async () => {
    const values = commandConfig(run).values;
    if (values.apiPort === undefined) refuseUnused(run, ["apiHost", "apiKeys", "apiCors"], "the gateway runs only with --api-port");
    await withStateErrors(() => runValidator(ctx, values));
  });
  addSubcommand(command, "attribution", "organic requests per miner: served, failed, latency percentiles (from the state, or a running gateway with --url)", ATTRIBUTION_OPTIONS, async (v, cmd) => {
    if (typeof v.url === "string") refuseUnused(cmd, ["netuid", "wallet", "hotkey", "dataDir"], "--url asks the running validator's gateway");
    else refuseUnused(cmd, ["apiKeyFile"], "an API key is for --url");
    await withStateErrors(() => showAttribution(ctx, v));
  });
  const apiKey = command.command("api-key").description("the gateway's API keys");
  addSubcommand(apiKey, "add", "make a key for the gateway: shown once, only its hash is kept in the keys file", API_KEY_OPTIONS, async (v) => addKey(ctx, v));
  addSubcommand(command, "receipts", "the signed answers a validator kept for a uid, each signature checked", RECEIPT_OPTIONS, async (v, cmd) => {
    if (typeof v.statusUrl === "string") refuseUnused(cmd, ["netuid", "wallet", "hotkey", "dataDir"], "--status-url asks the running validator, which answers from its own state");
    await withStateErrors(() => showReceipts(ctx, v));
  });
}

async function runValidator(ctx: CliContext, v: Values): Promise<void> {
  const netuid = requireNetuid(v);
  const alpha = parseAlpha(String(v.alpha));
  if (v.versionKey !== undefined && !/^\d+$/.test(String(v.versionKey))) throw new UserError("BAD_VERSION_KEY", `--version-key: "${String(v.versionKey)}" is not a non-negative integer`);
  favourSteadyMemory(); // a daemon serving for days: src/util/heap-sizing.ts
  const format = (v.logFormat as LogFormat | undefined) ?? (ctx.isTTY ? "human" : "json");
  const log = createLogger({ level: v.logLevel as LogLevel, format, write: (line) => ctx.stderr(line) }).child({ module: "validator" });
  const shutdown = shutdownOrParentGone(ctx.waitForShutdown(), ctx.env, process.stdin);

  // What can be checked locally is checked before the chain is contacted.
  const plugin = await loadPlugin(String(v.subnet), { roots: pluginRoots(ctx.env), cwd: ctx.cwd });
  await sr25519Ready();
  const { pair, seed } = await walletStore(ctx).loadHotkeyKeys(String(v.wallet), String(v.hotkey));
  const dataDir = dataDirOf(ctx, v, netuid);
  const validatorSide = await (await plugin.loadValidator()).createValidator({ manifest: plugin.manifest, log: log.child({ plugin: plugin.manifest.name }) });

  const chain = await connectChain(chainEndpoint(v), { timeoutMs: 15_000, log, onConnectionChange: (e) => log.warn({ connected: e.connected, attempt: e.attempt }, e.connected ? "chain connection restored" : "chain connection lost; reconnecting") });
  let state: ValidatorState | undefined;
  let daemon: ValidatorDaemon | undefined;
  let status: Server | undefined;
  let ledger: OrganicLedger | undefined;
  let gateway: GatewayServer | undefined;
  let stopReloading: (() => void) | undefined;
  try {
    const publicApi = v.apiPort === undefined ? undefined : await PublicInterface.load(plugin, log.child({ plugin: plugin.manifest.name }));
    state = await ValidatorState.open(join(dataDir, "state"), { hotkey: pair.address, netuid, genesisHash: chain.api.genesisHash.toHex() }, { alpha, receiptsPerUid: Number(v.receiptsPerUid), maxReceiptBodyBytes: 64 * 1024 });
    const opened = state;
    ledger = publicApi ? await state.openOrganicLedger() : undefined;
    daemon = await ValidatorDaemon.start({
      chain,
      netuid,
      plugin,
      validatorSide,
      hotkey: { pair, signer: sr25519SignerFromSeed(seed), name: String(v.hotkey) },
      state,
      p2pDir: join(dataDir, "p2p"),
      host: String(v.host),
      port: Number(v.port),
      ...(v.sampleSize === undefined ? {} : { sampleSize: Number(v.sampleSize) }),
      concurrency: Number(v.concurrency),
      stepIntervalMs: Number(v.stepInterval) * 1000,
      resyncBlocks: Number(v.resyncBlocks),
      weightsIntervalMs: Number(v.weightsInterval) * 1000,
      ...(v.versionKey === undefined ? {} : { versionKey: BigInt(String(v.versionKey)) }),
      ...(publicApi && ledger ? { organic: { api: publicApi, ledger } } : {}),
      log,
    });
    const running = daemon;
    if (running.organic) {
      // The playground page (GET /), when it was built: the gateway serves its files and never imports src/web.
      const playground = builtWebAssetsDir("playground");
      gateway = await startGatewayServer({
        backend: running.organic,
        host: String(v.apiHost),
        port: Number(v.apiPort),
        ...(typeof v.apiKeys === "string" ? { keysFile: resolve(ctx.cwd, v.apiKeys) } : {}),
        ...(typeof v.apiCors === "string" ? { corsOrigins: parseOrigins(v.apiCors) } : {}),
        ...(playground === undefined ? {} : { staticDir: playground }),
        logger: log.child({ module: "gateway" }),
      });
      const offered = running.organic.synapses().map((s) => s.name);
      ctx.stdout(`gateway at ${gateway.url} (${offered.length === 0 ? `the ${plugin.manifest.name} plugin offers no synapse to users` : `synapses: ${offered.join(", ")}`}; ${gateway.keyed ? "API keys required" : "loopback only, no keys"}; docs/gateway.md)\n`);
      const keyed = gateway;
      // reloadKeys logs what it did (a bad file keeps the keys in use).
      stopReloading = onHangup(() => void keyed.reloadKeys());
    }
    let statusUrl: string | undefined;
    if (v.metricsPort !== undefined) {
      status = await startValidatorStatusServer({ status: () => running.status(), receipts: (uid) => opened.receipts(uid) }, String(v.metricsHost), Number(v.metricsPort));
      const bound = status.address() as AddressInfo;
      statusUrl = `http://${bound.address}:${bound.port}/metrics`;
      ctx.stdout(`metrics at ${statusUrl} (health: /healthz, receipts: /receipts?uid=U)\n`);
    }
    const s = daemon.status();
    ctx.stdout(`validator ${s.hotkey} (uid ${s.uid ?? "-"}) validating ${plugin.manifest.name} on subnet ${netuid}, state in ${dataDir}; ${whereabouts({ data: dataDir, logFormat: format, logLevel: String(v.logLevel), status: statusUrl })}\n`);
    const signal = await shutdown;
    log.info({ signal }, "stopping");
  } finally {
    stopReloading?.();
    // Work stops coming first (the gateway drains its requests in flight), then the loops, then what they used.
    const stopped = await stopInOrder(
      [
        { name: "the gateway", run: async () => gateway?.close() },
        { name: "the status server", run: () => closeServer(status) },
        { name: "the validator's loops and p2p node", run: async () => daemon?.stop() },
        { name: "the organic ledger", run: async () => ledger?.flush() },
        { name: "the state store", run: async () => state?.close() },
        { name: "the chain connection", run: () => chain.close() },
      ],
      { budgetMs: DAEMON_STOP_BUDGET_MS, log },
    );
    log.info({ ms: Math.round(stopped.ms), abandoned: stopped.abandoned }, "stopped");
  }
}

/** `--api-cors a,b`: each an origin (scheme, host, port), nothing more. */
function parseOrigins(text: string): string[] {
  return text
    .split(",")
    .map((o) => o.trim())
    .filter((o) => o !== "");
}

/** Calls `fn` on each SIGHUP (the operator's "reload"), until the returned function is called. */
function onHangup(fn: () => void): () => void {
  process.on("SIGHUP", fn);
  return () => void process.off("SIGHUP", fn);
}

/** A stopped validator's state, to read; `whileRunning` says how to ask a running one instead. */
async function openStateForReading(ctx: CliContext, v: Values, whileRunning: string): Promise<ValidatorState> {
  const netuid = requireNetuid(v);
  const { address } = await walletStore(ctx).loadHotkey(String(v.wallet), String(v.hotkey));
  const dir = join(dataDirOf(ctx, v, netuid), "state");
  try {
    return await ValidatorState.openForReading(dir, { hotkey: address, netuid });
  } catch (error) {
    if (error instanceof StoreError && error.code === "STORE_UNAVAILABLE") throw new UserError("STATE_BUSY", `${error.message}. A running validator holds its database: ${whileRunning}`);
    throw error;
  }
}

async function receiptsFrom(ctx: CliContext, v: Values, uid: number): Promise<StoredReceipt[]> {
  if (typeof v.statusUrl === "string") {
    const url = new URL(`/receipts?uid=${uid}`, v.statusUrl);
    const response = await fetch(url).catch((error: Error) => {
      throw new UserError("STATUS_UNREACHABLE", `cannot reach the validator at ${url.origin} (${error.message}); is it running with --metrics-port?`);
    });
    if (!response.ok) throw new UserError("STATUS_UNREACHABLE", `${url.href}: HTTP ${response.status}`);
    return decodeValue(await response.text()) as StoredReceipt[];
  }
  const state = await openStateForReading(ctx, v, "ask it with --status-url http://127.0.0.1:<its --metrics-port>");
  try {
    return await state.receipts(uid);
  } finally {
    await state.close();
  }
}

async function showReceipts(ctx: CliContext, v: Values): Promise<void> {
  if (v.uid === undefined) throw new UserError("MISSING_OPTION", "--uid is required: the miner whose answers to show");
  const uid = Number(v.uid);
  const receipts = await receiptsFrom(ctx, v, uid);
  const rows = receipts.map((r) => ({ ...r, verdict: verifyStoredReceipt(r) }));
  if (v.json === true) {
    ctx.stdout(
      `${toJsonText(
        rows.map((r) => ({
          uid: r.uid,
          hotkey: r.hotkey,
          validatorHotkey: encodeAddress(r.receipt.request.validator, 42),
          synapse: r.synapse,
          at: new Date(r.atMs).toISOString(),
          latencyMs: Math.round(r.latencyMs * 10) / 10,
          score: r.score,
          requestHash: Buffer.from(r.receipt.response.requestHash).toString("hex"),
          bodyHash: Buffer.from(r.receipt.response.bodyHash).toString("hex"),
          bodyKept: !r.bodyOmitted,
          verdict: r.verdict,
        })),
      )}\n`,
    );
  } else if (rows.length === 0) {
    ctx.stdout(`no receipts kept for uid ${uid}\n`);
  } else {
    type Row = (typeof rows)[number];
    const columns: Column<Row>[] = [
      { header: "at", value: (r) => new Date(r.atMs).toISOString(), align: "left" },
      { header: "hotkey", value: (r) => `${r.hotkey.slice(0, 8)}…`, align: "left" },
      { header: "synapse", value: (r) => r.synapse, align: "left" },
      { header: "latency ms", value: (r) => (Math.round(r.latencyMs * 10) / 10).toFixed(1) },
      { header: "score", value: (r) => r.score.toFixed(4) },
      { header: "signatures", value: (r) => r.verdict, align: "left" },
    ];
    ctx.stdout(`${renderTable(columns, rows)}\n`);
  }
  const invalid = rows.filter((r) => r.verdict.startsWith("INVALID")).length;
  if (invalid > 0) throw new UserError("RECEIPTS_INVALID", `${invalid} of ${rows.length} receipts do not verify`);
}

async function attributionRows(ctx: CliContext, v: Values, sinceMs: number): Promise<MinerAttribution[]> {
  if (typeof v.url === "string") {
    let url: URL;
    try {
      url = new URL(`/v1/attribution?since=${sinceMs}`, v.url);
    } catch {
      throw new UserError("BAD_URL", `--url: "${v.url}" is not a URL`);
    }
    const key = typeof v.apiKeyFile === "string" ? (await readFile(resolve(ctx.cwd, v.apiKeyFile), "utf8")).trim() : ctx.env.TENSORNODE_API_KEY?.trim();
    const response = await fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {} }).catch((error: Error) => {
      throw new UserError("GATEWAY_UNREACHABLE", `cannot reach the gateway at ${url.origin} (${error.message}); is the validator running with --api-port?`);
    });
    const body = (await response.json().catch(() => undefined)) as { miners?: MinerAttribution[]; error?: { message?: string } } | undefined;
    if (!response.ok || !body?.miners) throw new UserError("GATEWAY_ERROR", `${url.origin}/v1/attribution: HTTP ${response.status}${body?.error?.message ? `: ${body.error.message}` : ""}`);
    return body.miners;
  }
  const state = await openStateForReading(ctx, v, "ask its gateway with --url http://127.0.0.1:<its --api-port>");
  try {
    return attributionTable(await (await state.openOrganicLedger()).since(sinceMs));
  } finally {
    await state.close();
  }
}

async function showAttribution(ctx: CliContext, v: Values): Promise<void> {
  let sinceMs: number;
  try {
    sinceMs = parseSince(typeof v.since === "string" ? v.since : null, Date.now());
  } catch (error) {
    throw new UserError("BAD_SINCE", `--since: ${(error as Error).message}`);
  }
  const rows = await attributionRows(ctx, v, sinceMs);
  if (v.json === true) {
    ctx.stdout(`${toJsonText({ since: new Date(sinceMs).toISOString(), miners: rows })}\n`);
    return;
  }
  if (rows.length === 0) {
    ctx.stdout(`no organic requests since ${new Date(sinceMs).toISOString()}\n`);
    return;
  }
  const ms = (x: number | undefined): string => (x === undefined ? "-" : x.toFixed(1));
  const columns: Column<MinerAttribution>[] = [
    { header: "uid", value: (r) => String(r.uid) },
    { header: "hotkey", value: (r) => r.hotkey, align: "left" },
    { header: "served", value: (r) => String(r.served) },
    { header: "failed", value: (r) => String(r.failed) },
    { header: "busy", value: (r) => String(r.busy) },
    { header: "p50 ms", value: (r) => ms(r.latencyMs?.p50) },
    { header: "p90 ms", value: (r) => ms(r.latencyMs?.p90) },
    { header: "p99 ms", value: (r) => ms(r.latencyMs?.p99) },
    { header: "failures", value: (r) => Object.entries(r.failures).map(([code, n]) => `${code} ${n}`).join(", ") || "-", align: "left" },
  ];
  ctx.stdout(`organic requests since ${new Date(sinceMs).toISOString()}\n${renderTable(columns, rows)}\n`);
}

async function addKey(ctx: CliContext, v: Values): Promise<void> {
  const file = requireString(v, "keysFile", "--keys-file", "the gateway's API keys file");
  const name = requireString(v, "name", "--name", "who holds the key");
  const perSecond = Number(v.rate);
  if (!(perSecond > 0 && Number.isFinite(perSecond))) throw new UserError("BAD_RATE", `--rate: "${String(v.rate)}" is not a positive number of requests per second`);
  const synapses = typeof v.synapses === "string" ? v.synapses.split(",").map((s) => s.trim()).filter((s) => s !== "") : undefined;
  const path = resolve(ctx.cwd, file);
  const { key, entry } = await addApiKey(path, { name, ...(synapses ? { synapses } : {}), rate: { perSecond, burst: Number(v.burst) } });
  ctx.stderr(`added key "${entry.name}" to ${path} (synapses: ${entry.synapses === "*" ? "all" : entry.synapses.join(", ")}; ${perSecond}/s, burst ${entry.rate.burst}); it is shown once, only its hash is kept — a running validator takes it on SIGHUP\n`);
  ctx.stdout(`${key}\n`);
}
