/**
 * `gateway`: users' HTTP requests through a validator's gateway to miners and back, against the
 * same miners queried directly with the query client (../shared/design/PERFORMANCE.md; goals:
 * throughput ≥ 0.8 of direct and added p50 ≤ 1 ms at 1, 16 and 64 concurrent users; OCR lines/s ≥
 * 0.85 of in-process PNG decoding + onnxruntime).
 *
 * Three parties, each on its own event loop as in production:
 * - The miners (gateway-miners.ts): a child process serving 2 miner hotkeys of the plugin (the
 *   real miner side, public interface and `InferencePool`, W = all cores but one worker × 1
 *   onnxruntime thread, shared by both), admission limits raised far above what is sent.
 * - The validator, in this process: one libp2p node and a `QueryClient` (one multiplexed stream
 *   per miner); an `OrganicService` over the plugin's public interface, wired as the daemon does
 *   (`serving()` the 2 miners, `score()` a fixed ScoreBook, `query` the client's, an
 *   `OrganicLedger` over a level `Store` in a temp dir, `penalize` a no-op), behind the real
 *   `startGatewayServer` on 127.0.0.1:0 without keys (default limits).
 * - The users (gateway-users.ts): node:http keep-alive clients in a worker thread, one socket each.
 *
 * Tiny (`infer`, 256 seeded bodies `{"input": [16 integers]}`), at 1, 16 and 64 concurrent callers:
 * - gateway: the users POST /v1/synapses/infer and read the whole answer (output, miner, receipt);
 * - direct (the baseline): this process's `QueryClient.query(miner, "infer",
 *   organicRequestBody(the same bytes))`, the miners taken in turn, the output JSON read, so the
 *   miners do the same work (the organic conversion) as for the gateway;
 * - plain (information): the same rows as a float32 tensor, the query protocol's own request.
 * Each level: a warm-up, then 8 rounds of 0.6 s per side (plain 0.3 s), the order rotated each
 * round: this machine's speed drifts within seconds, so each gateway run has its direct run next to
 * it. req/s and p50 are medians over the rounds; `ratio` and `added_p50_ms` the medians of each
 * round's gateway/direct and gateway − direct. At 16 and 64 callers p50 is mostly queueing
 * (Little's law: about callers / req/s), so added_p50 there follows the throughput ratio.
 * cpu_us_per_req: CPU time (user + system, all threads) of this process (validator and users) plus
 * the miners' process, per request. miner_requests_per_req: requests the miners received per user
 * request (above 1 when the gateway hedged: a second miner asked when the first is late, the loser
 * cancelled). failed_answers: gateway answers other than 200 over the rounds (only 503 for miners
 * too late is tolerated, up to 1 % of a run; req/s and p50 count the 200s). Measured gateway runs
 * must open no connection (keep-alive in effect).
 * Own cost (information, gateway-own-cost.ts): the gateway's CPU per request with the miners'
 * answers canned, against a bare node:http server answering the same bytes.
 *
 * OCR (`recognize`), 8 concurrent callers, 48 lines rendered with the plugin's renderer and encoded
 * as PNG by canvas before anything is timed: the gateway (`{"image": base64 PNG}` in, text out)
 * against the baseline in this process: the plugin's own conversion of the same body bytes (JSON,
 * schema, base64, PNG decoding with canvas) and its miner side over an `InferencePool` of the same
 * W workers × 1 thread. A warm-up, then 5 rounds of 2 s per side, the order alternating. Every gateway text in
 * the warm-up must equal the baseline's for the line.
 *
 * Checks: every warm-up answer is 200; sampled answers carry the direct path's output (tiny: also
 * the pure-JS reference's) and a receipt that verifies offline against the user's bytes and names
 * the miner that answered; the miners refused or failed nothing (but the hedges' losers the
 * validator cancelled) and the gateway's ledger holds no failure but timeouts. The 1-minute load
 * average at the start and end says how busy the machine was besides. About 2 minutes here (2 cores).
 */
import "../src/util/polyfill.js";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { multiaddr } from "@multiformats/multiaddr";
import { encodeAddress } from "@polkadot/util-crypto";
import { Store } from "../src/db/store.js";
import { InferencePool } from "../src/miner/inference/pool.js";
import { checkOrganicReceipt, decodeOrganicReceipt, organicRequestBody, readOrganicAnswer } from "../src/p2p/protocol/organic.js";
import { bytesEqual } from "../src/p2p/protocol/signing.js";
import { createP2PNode, type P2PNode } from "../src/p2p/node.js";
import { QueryClient, type QueryAnswer, type QueryTarget } from "../src/p2p/query-client.js";
import { loadPlugin, pluginRoots, type LoadedPlugin } from "../src/subnet/loader.js";
import type { TensorMap } from "../src/subnet/plugin.js";
import { PublicInterface } from "../src/subnet/public-api.js";
import { createLogger } from "../src/util/logger.js";
import { sr25519Ready, sr25519SignerFromSeed, type Sr25519Signer } from "../src/util/sr25519.js";
import { startGatewayServer, type GatewayServer } from "../src/validator/gateway/http-server.js";
import { OrganicService, type ServingMiner } from "../src/validator/gateway/organic-service.js";
import { OrganicLedger } from "../src/validator/organic-ledger.js";
import { ScoreBook } from "../src/validator/scores.js";
import { readTextTensor, SYNAPSE as OCR_SYNAPSE } from "../subnets/ocr/image.js";
import { encodeImageFile } from "../subnets/ocr/image-file.js";
import { randomLine, renderLine } from "../subnets/ocr/render.js";
import { TINY_IN, TINY_INPUT_MAX, TINY_INPUT_MIN, TINY_INPUT_NAME, TINY_OUTPUT_NAME } from "../subnets/tiny/model.js";
import { tinyReference } from "../subnets/tiny/reference.js";
import { startMinersProcess, type MinersProcess, type MinersStats } from "./gateway-miners.js";
import { gatewayOwnCost } from "./gateway-own-cost.js";
import { driveInProcess, HttpUsers, type Timed, type UsersRun } from "./gateway-users.js";
import { median, prng, type BenchLine } from "./harness.js";

const NETUID = 1;
const SEED = 20_260_317;
const MINERS = 2;
const TINY_SYNAPSE = "infer";
const TINY_BODIES = 256;
const TINY_LEVELS = [1, 16, 64] as const;
/** Many short rounds: the pairs of gateway and direct runs are seconds apart, so the machine's drift between them stays small. */
const TINY_ROUNDS = 8;
const TINY_ROUND_MS = 600;
const TINY_PLAIN_MS = 300;
const TINY_WARMUP_MS = 600;
const OWN_COST_CONCURRENCY = 16;
const OWN_COST_ROUNDS = 4;
const OWN_COST_ROUND_MS = 500;
const OCR_LINES = 48;
const OCR_CONCURRENCY = 8;
const OCR_ROUNDS = 5;
const OCR_ROUND_MS = 2_000;
const QUERY_TIMEOUT_MS = 10_000;

const log = createLogger({ level: "silent", format: "json" });
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Keys {
  readonly validatorSeed: Uint8Array;
  readonly validator: Sr25519Signer;
  readonly minerSeeds: readonly Uint8Array[];
  readonly miners: readonly Sr25519Signer[];
  readonly genesisHash: Uint8Array;
}

function benchKeys(): Keys {
  const validatorSeed = new Uint8Array(32).fill(1);
  const minerSeeds = Array.from({ length: MINERS }, (_, i) => new Uint8Array(32).fill(2 + i));
  return { validatorSeed, validator: sr25519SignerFromSeed(validatorSeed), minerSeeds, miners: minerSeeds.map((s) => sr25519SignerFromSeed(s)), genesisHash: new Uint8Array(32).fill(7) };
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const cpuUs = (): number => {
  const used = process.cpuUsage();
  return used.user + used.system;
};

/** The plugin's miners in their process, and the validator (client, organic service, gateway) in this one. */
interface Setup {
  readonly miners: MinersProcess;
  readonly serving: readonly ServingMiner[];
  readonly client: QueryClient;
  readonly api: PublicInterface;
  readonly gateway: GatewayServer;
  readonly ledger: OrganicLedger;
  close(): Promise<void>;
}

async function startSetup(plugin: LoadedPlugin, pluginName: string, keys: Keys, workers: number, dir: string): Promise<Setup> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async (): Promise<void> => {
    for (const closer of closers.splice(0).reverse()) await closer().catch(() => undefined);
  };
  try {
    const minersStarted = startMinersProcess({
      plugin: pluginName,
      workers,
      concurrency: Math.max(...TINY_LEVELS),
      netuid: NETUID,
      validatorSeed: hex(keys.validatorSeed),
      minerSeeds: keys.minerSeeds.map(hex),
      genesisHash: hex(keys.genesisHash),
    });
    closers.push(async () => (await minersStarted.catch(() => undefined))?.stop());
    const node: P2PNode = await createP2PNode({ privateKey: await generateKeyPair("Ed25519"), listen: ["/ip4/127.0.0.1/tcp/0"], gossip: false, log });
    closers.push(() => node.stop());
    const client = new QueryClient({ libp2p: node.libp2p, hotkey: keys.validator, netuid: NETUID, genesisHash: keys.genesisHash, log });
    closers.push(() => client.close());
    const store = await Store.open(mkdtempSync(join(dir, `validator-${pluginName}-`)));
    closers.push(() => store.close());
    const ledger = await OrganicLedger.open(store);
    closers.push(() => ledger.flush());
    const api = await PublicInterface.load(plugin, log);
    const miners = await minersStarted;
    const serving: ServingMiner[] = miners.addresses.map((address, i) => ({
      uid: 1 + i,
      hotkey: encodeAddress(keys.miners[i]!.publicKey, 42),
      target: { peer: multiaddr(address), hotkey: keys.miners[i]!.publicKey },
    }));
    // A validator that has scored its miners: the draw goes by their scores.
    const book = new ScoreBook(0.1);
    for (const m of serving) book.record(m.uid, m.hotkey, 0.9 - 0.05 * m.uid, Date.now());
    const service = new OrganicService({
      api,
      serving: () => serving,
      score: (uid) => book.get(uid),
      query: (target, synapse, body, options) => client.query(target, synapse, body, options),
      ledger,
      penalize: () => undefined,
      random: prng(SEED),
      log,
    });
    const gateway = await startGatewayServer({ backend: service, host: "127.0.0.1", port: 0, logger: log });
    closers.push(() => gateway.close());
    return { miners, serving, client, api, gateway, ledger, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Throws unless the miners refused and failed nothing and the gateway's ledger holds no failure but
 * miners too late (on a busy machine an answer can miss its deadline: counted, not an error).
 */
async function assertClean(setup: Setup, what: string): Promise<void> {
  const stats = await setup.miners.stats();
  // Requests the validator cancelled (a hedge's loser, or one past its deadline) are counted as expired, or as DeadlinePassed when still queued.
  const refusedOtherwise = Object.entries(stats.refusedBy).filter(([reason]) => reason !== "DeadlinePassed");
  if (refusedOtherwise.length > 0 || stats.failed > 0) throw new Error(`${what}: the miners refused or failed requests: ${JSON.stringify(stats)}`);
  const failures = (await setup.ledger.since(0)).filter((r) => r.outcome !== "served" && r.code !== "TIMEOUT");
  if (failures.length > 0) throw new Error(`${what}: the gateway recorded ${failures.length} failures other than timeouts, the first: ${JSON.stringify(failures[0])}`);
}

/** The gateway's answers that are not 200 a run may have: a few 503s for miners too late, on a busy machine. */
const TOLERATED_FAILURE = "503 MINERS_FAILED";
const TOLERATED_SHARE = 0.01;

/** Throws unless every answer of `run` is 200 (a warm-up). */
function allAnswered(run: UsersRun, what: string): UsersRun {
  if (run.failures.size > 0) throw new Error(`${what}: ${[...run.failures.values()].reduce((a, b) => a + b, 0)} gateway answers were not 200 (${JSON.stringify(Object.fromEntries(run.failures))}); the first: ${run.firstFailure}`);
  return run;
}

/** A measured run, checked: only the keep-alive connections of the warm-up used, and no failure but a few 503s for late miners. */
async function checkedRun(running: Promise<UsersRun>): Promise<UsersRun> {
  const run = await running;
  if (run.connections > 0) throw new Error(`the users opened ${run.connections} connections during a measured run; keep-alive is not in effect`);
  const failed = [...run.failures.values()].reduce((a, b) => a + b, 0);
  if ([...run.failures.keys()].some((kind) => kind !== TOLERATED_FAILURE) || failed > TOLERATED_SHARE * (run.count + failed))
    throw new Error(`${failed} of ${run.count + failed} gateway answers were not 200 (${JSON.stringify(Object.fromEntries(run.failures))}); the first: ${run.firstFailure}`);
  return run;
}

/** A gateway answer's text: checked (receipt verified offline against the user's bytes, naming the miner that answered); its output. */
function checkGatewayAnswer(setup: Setup, text: string, userBody: Uint8Array, what: string): unknown {
  const answer = JSON.parse(text) as { output: unknown; miner: { uid: number; hotkey: string }; receipt: string };
  const miner = setup.serving.find((m) => m.uid === answer.miner.uid && m.hotkey === answer.miner.hotkey);
  if (!miner) throw new Error(`${what}: the answer names a miner that does not serve: ${JSON.stringify(answer.miner)}`);
  const receipt = decodeOrganicReceipt(Buffer.from(answer.receipt, "base64"));
  const problem = checkOrganicReceipt(receipt, userBody);
  if (problem) throw new Error(`${what}: the receipt does not verify (${problem})`);
  if (!bytesEqual(receipt.response.miner, miner.target.hotkey)) throw new Error(`${what}: the receipt is signed by another miner than the one named`);
  return answer.output;
}

interface Side {
  readonly perS: number[];
  readonly p50: number[];
  readonly cpuUsPerReq: number[];
  readonly minerRequestsPerReq: number[];
  /** Answers other than 200, over all rounds. */
  failed: number;
}

const newSide = (): Side => ({ perS: [], p50: [], cpuUsPerReq: [], minerRequestsPerReq: [], failed: 0 });

/** Runs `drive`, noting its req/s, p50, CPU per request (this process and the miners') and the miners' answers per request into `side`. */
async function measured(side: Side, miners: MinersProcess, drive: () => Promise<Timed & { failures?: ReadonlyMap<string, number> }>): Promise<void> {
  const before: MinersStats = await miners.stats();
  const cpu0 = cpuUs();
  const run = await drive();
  const cpu = cpuUs() - cpu0;
  const after = await miners.stats();
  side.perS.push((run.count * 1000) / run.elapsedMs);
  for (const n of run.failures?.values() ?? []) side.failed += n;
  side.p50.push(median(Array.from(run.latencies)));
  side.cpuUsPerReq.push((cpu + after.cpuUs - before.cpuUs) / run.count);
  const seen = (stats: MinersStats): number => stats.answered + stats.failed + stats.expired + stats.refused;
  side.minerRequestsPerReq.push((seen(after) - seen(before)) / run.count);
}

/** Median over rounds of f(round). */
const overRounds = (rounds: number, f: (round: number) => number): number => median(Array.from({ length: rounds }, (_, r) => f(r)));

// ───────────────────────────── tiny ─────────────────────────────

/** Seeded rows of 16 integers in range, as the users' JSON bodies. */
function tinyRows(): number[][] {
  const random = prng(SEED);
  return Array.from({ length: TINY_BODIES }, () => Array.from({ length: TINY_IN }, () => TINY_INPUT_MIN + Math.floor(random() * (TINY_INPUT_MAX - TINY_INPUT_MIN + 1))));
}

async function benchTiny(keys: Keys, workers: number, dir: string, users: HttpUsers): Promise<BenchLine[]> {
  const plugin = await loadPlugin("tiny", { roots: pluginRoots({}) });
  const setup = await startSetup(plugin, "tiny", keys, workers, dir);
  try {
    const rows = tinyRows();
    const bodies = rows.map((row) => encoder.encode(JSON.stringify({ input: row })));
    const expected = rows.map((row) => Array.from(tinyReference(row, 1)));
    const targets: QueryTarget[] = setup.serving.map((m) => m.target);
    const { client } = setup;

    const direct = async (i: number): Promise<unknown> => {
      const answer = await client.query(targets[i % targets.length]!, TINY_SYNAPSE, organicRequestBody(bodies[i]!), { timeoutMs: QUERY_TIMEOUT_MS });
      const json = readOrganicAnswer(answer.body);
      if (json === undefined) throw new Error("a direct organic answer is not one");
      return JSON.parse(decoder.decode(json));
    };
    const plainBodies: TensorMap[] = rows.map((row) => new Map([[TINY_INPUT_NAME, { dtype: "float32" as const, dims: [1, TINY_IN], data: new Uint8Array(Float32Array.from(row).buffer) }]]));
    const plain = async (i: number): Promise<TensorMap> => (await client.query(targets[i % targets.length]!, TINY_SYNAPSE, plainBodies[i]!, { timeoutMs: QUERY_TIMEOUT_MS })).body;

    // Correctness, once per body on each path (which also loads the model in the miners' workers).
    for (let i = 0; i < TINY_BODIES; i++) {
      const organic = (await direct(i)) as { output: number[] };
      const y = (await plain(i)).get(TINY_OUTPUT_NAME);
      const plainOutput = y ? Array.from(new Float32Array(y.data.slice().buffer)) : [];
      if (JSON.stringify(organic.output) !== JSON.stringify(expected[i]) || JSON.stringify(plainOutput) !== JSON.stringify(expected[i])) throw new Error(`tiny body ${i}: a direct answer differs from the reference`);
    }

    const path = `/v1/synapses/${TINY_SYNAPSE}`;
    const lines: BenchLine[] = [];
    const plainFigures: Record<string, number> = {};
    for (const concurrency of TINY_LEVELS) {
      await users.setup(setup.gateway.address.port, path, bodies, concurrency);
      // Warm-up; the gateway's answers for every body checked.
      const warm = allAnswered(await users.run(concurrency, TINY_WARMUP_MS, { minEach: Math.ceil(TINY_BODIES / concurrency), keepSamples: true }), `tiny warm-up at ${concurrency}`);
      for (const [i, text] of warm.samples) {
        const output = checkGatewayAnswer(setup, text, bodies[i]!, `tiny body ${i}`) as { output: number[] };
        if (JSON.stringify(output.output) !== JSON.stringify(expected[i])) throw new Error(`tiny body ${i}: the gateway's output differs from the reference`);
      }
      if (warm.samples.size !== TINY_BODIES) throw new Error(`the warm-up checked ${warm.samples.size} of ${TINY_BODIES} bodies`);
      await driveInProcess(direct, TINY_BODIES, concurrency, TINY_WARMUP_MS);
      await driveInProcess(plain, TINY_BODIES, concurrency, TINY_WARMUP_MS / 2);

      const sides = { gateway: newSide(), direct: newSide(), plain: newSide() };
      const runs: Record<keyof typeof sides, () => Promise<Timed>> = {
        gateway: () => checkedRun(users.run(concurrency, TINY_ROUND_MS)),
        direct: () => driveInProcess(direct, TINY_BODIES, concurrency, TINY_ROUND_MS),
        plain: () => driveInProcess(plain, TINY_BODIES, concurrency, TINY_PLAIN_MS),
      };
      const order = ["gateway", "direct", "plain"] as const;
      for (let round = 0; round < TINY_ROUNDS; round++) {
        for (let k = 0; k < order.length; k++) {
          const side = order[(round + k) % order.length]!;
          await measured(sides[side], setup.miners, runs[side]);
        }
      }
      const { gateway: g, direct: d, plain: p } = sides;
      lines.push({
        name: `gateway tiny concurrency=${concurrency}: HTTP keep-alive users → gateway → miner → back vs direct QueryClient organic queries of the same bytes, ${TINY_ROUNDS}×${TINY_ROUND_MS / 1000} s per side, interleaved`,
        figures: {
          req_per_s: median(g.perS),
          p50_ms: median(g.p50),
          direct_req_per_s: median(d.perS),
          direct_p50_ms: median(d.p50),
          ratio: overRounds(TINY_ROUNDS, (r) => g.perS[r]! / d.perS[r]!),
          added_p50_ms: overRounds(TINY_ROUNDS, (r) => g.p50[r]! - d.p50[r]!),
          cpu_us_per_req: median(g.cpuUsPerReq),
          direct_cpu_us_per_req: median(d.cpuUsPerReq),
          miner_requests_per_req: median(g.minerRequestsPerReq),
          failed_answers: g.failed,
        },
        goal: "ratio ≥ 0.8, added_p50_ms ≤ 1",
      });
      plainFigures[`c${concurrency}_req_per_s`] = median(p.perS);
      plainFigures[`c${concurrency}_p50_ms`] = median(p.p50);
      plainFigures[`c${concurrency}_organic_vs_plain`] = overRounds(TINY_ROUNDS, (r) => d.perS[r]! / p.perS[r]!);
    }
    await assertClean(setup, "tiny");
    lines.push({ name: `gateway tiny direct plain-tensor queries (information: x float32 [1, 16] with no JSON; organic_vs_plain = direct organic req/s over these, the miner's JSON conversion's cost)`, figures: plainFigures });

    const canned = new Map<QueryTarget, QueryAnswer>();
    for (const target of targets) canned.set(target, await client.query(target, TINY_SYNAPSE, organicRequestBody(bodies[0]!), { timeoutMs: QUERY_TIMEOUT_MS }));
    const own = await gatewayOwnCost({
      api: setup.api,
      synapse: TINY_SYNAPSE,
      serving: setup.serving,
      canned,
      ledger: setup.ledger,
      users,
      bodies,
      concurrency: OWN_COST_CONCURRENCY,
      rounds: OWN_COST_ROUNDS,
      roundMs: OWN_COST_ROUND_MS,
      random: prng(SEED),
      log,
    });
    lines.push({
      name: `gateway tiny own cost (information, where the overhead goes): CPU µs per request of this process (users' worker included) through the gateway with the miners' answers canned vs a bare node:http server answering the same bytes, concurrency ${OWN_COST_CONCURRENCY}, ${OWN_COST_ROUNDS}×${OWN_COST_ROUND_MS / 1000} s per side`,
      figures: { gateway_cpu_us_per_req: own.gatewayUs, bare_http_cpu_us_per_req: own.bareUs, gateway_own_us_per_req: own.gatewayUs - own.bareUs },
    });
    return lines;
  } finally {
    await setup.close();
  }
}

// ───────────────────────────── OCR ─────────────────────────────

/** Seeded lines rendered by the plugin and encoded as PNG: their text and the users' JSON bodies. */
async function ocrLines(): Promise<{ texts: string[]; bodies: Uint8Array[]; pngBytes: number }> {
  const random = prng(SEED);
  const texts: string[] = [];
  const bodies: Uint8Array[] = [];
  let pngBytes = 0;
  for (let i = 0; i < OCR_LINES; i++) {
    const text = randomLine(random);
    const png = await encodeImageFile(renderLine(text, random), "png");
    pngBytes += png.length;
    texts.push(text);
    bodies.push(encoder.encode(JSON.stringify({ image: Buffer.from(png).toString("base64") })));
  }
  return { texts, bodies, pngBytes: pngBytes / OCR_LINES };
}

async function benchOcr(keys: Keys, workers: number, dir: string, users: HttpUsers): Promise<BenchLine[]> {
  const plugin = await loadPlugin("ocr", { roots: pluginRoots({}) });
  const { texts, bodies, pngBytes } = await ocrLines();
  const setup = await startSetup(plugin, "ocr", keys, workers, dir);
  const pool = new InferencePool({ workers, threadsPerWorker: 1, device: "cpu", log });
  try {
    // The baseline: the plugin's conversion of the same bytes and its miner side over W in-process workers.
    for (const [name, path] of plugin.modelFiles) if (plugin.manifest.models[name]?.kind === "onnx") pool.register(name, path);
    const local = await (await plugin.loadMiner()).createMiner({ manifest: plugin.manifest, models: pool, modelFiles: plugin.modelFiles, log });
    const endpoint = setup.api.get(OCR_SYNAPSE)!;
    const never = new AbortController().signal;
    const expected: string[] = [];
    const inProcess = async (i: number): Promise<void> => {
      const answer = await local.answer({ synapse: OCR_SYNAPSE, body: await endpoint.requestTensors(bodies[i]!), signal: never, emit: async () => undefined });
      const text = readTextTensor(answer);
      if (text === undefined) throw new Error(`line ${i}: no text in process`);
      if (expected[i] === undefined) expected[i] = text;
      else if (text !== expected[i]) throw new Error(`line ${i}: read ${JSON.stringify(text)} in process, before ${JSON.stringify(expected[i])}`);
    };
    for (let i = 0; i < OCR_LINES; i++) await inProcess(i);
    const readExactly = texts.filter((t, i) => t === expected[i]).length / OCR_LINES;

    await users.setup(setup.gateway.address.port, `/v1/synapses/${OCR_SYNAPSE}`, bodies, OCR_CONCURRENCY);
    // The miners' workers load the model on first use: before the users come, with a deadline that allows for it.
    await Promise.all(Array.from({ length: 2 * workers }, (_, i) => setup.client.query(setup.serving[i % MINERS]!.target, OCR_SYNAPSE, organicRequestBody(bodies[i % OCR_LINES]!), { timeoutMs: 60_000 })));
    const warm = allAnswered(await users.run(OCR_CONCURRENCY, 0, { minEach: Math.ceil(OCR_LINES / OCR_CONCURRENCY), keepSamples: true }), "OCR warm-up");
    for (const [i, text] of warm.samples) {
      const output = checkGatewayAnswer(setup, text, bodies[i]!, `OCR line ${i}`) as { text: string };
      if (output.text !== expected[i]) throw new Error(`OCR line ${i}: the gateway read ${JSON.stringify(output.text)}, in process ${JSON.stringify(expected[i])}`);
    }
    if (warm.samples.size !== OCR_LINES) throw new Error(`the OCR warm-up checked ${warm.samples.size} of ${OCR_LINES} lines`);
    await driveInProcess(inProcess, OCR_LINES, OCR_CONCURRENCY, 0, 2);

    const sides = { gateway: newSide(), inProcess: newSide() };
    const runs: Record<keyof typeof sides, () => Promise<Timed>> = {
      gateway: () => checkedRun(users.run(OCR_CONCURRENCY, OCR_ROUND_MS)),
      inProcess: () => driveInProcess(inProcess, OCR_LINES, OCR_CONCURRENCY, OCR_ROUND_MS),
    };
    for (let round = 0; round < OCR_ROUNDS; round++) {
      const order = round % 2 === 0 ? (["gateway", "inProcess"] as const) : (["inProcess", "gateway"] as const);
      for (const side of order) await measured(sides[side], setup.miners, runs[side]);
    }
    await assertClean(setup, "OCR");
    const { gateway: g, inProcess: b } = sides;
    return [
      {
        name: `gateway ocr lines/s: HTTP keep-alive users → gateway → miner (PNG in, text out) vs in-process PNG decoding (the plugin's conversion) + the plugin's miner side over ${workers} onnxruntime worker(s) × 1 thread, concurrency ${OCR_CONCURRENCY}, ${OCR_LINES} rendered lines (PNG ${(pngBytes / 1024).toFixed(1)} KiB on average), ${OCR_ROUNDS}×${OCR_ROUND_MS / 1000} s per side`,
        figures: {
          lines_per_s: median(g.perS),
          baseline_lines_per_s: median(b.perS),
          ratio: overRounds(OCR_ROUNDS, (r) => g.perS[r]! / b.perS[r]!),
          p50_ms: median(g.p50),
          baseline_p50_ms: median(b.p50),
          cpu_ms_per_line: median(g.cpuUsPerReq) / 1000,
          baseline_cpu_ms_per_line: median(b.cpuUsPerReq) / 1000,
          miner_requests_per_line: median(g.minerRequestsPerReq),
          failed_answers: g.failed,
          read_exactly: readExactly,
        },
        goal: "ratio ≥ 0.85",
      },
    ];
  } finally {
    await pool.close();
    await setup.close();
  }
}

export async function benchGateway(): Promise<BenchLine[]> {
  await sr25519Ready();
  const workers = Math.max(1, availableParallelism() - 1);
  const keys = benchKeys();
  const dir = mkdtempSync(join(tmpdir(), "tn-bench-gateway-"));
  const users = new HttpUsers();
  try {
    const header: BenchLine = {
      name: `gateway setup (information): ${MINERS} miners in a child process (one plugin miner side and InferencePool of ${workers} worker(s) × 1 thread shared, a libp2p node and QueryServer each, admission limits raised far above the load so rate limits are not measured); validator in this process (QueryClient, OrganicService with fixed scores and a level ledger, startGatewayServer on 127.0.0.1 without keys); users: node:http keep-alive clients in a worker thread; CPU figures = this process + the miners' process; ${availableParallelism()} cores`,
      figures: { miners: MINERS, inference_workers: workers, cores: availableParallelism(), load_avg_1m_at_start: loadavg()[0]! },
    };
    const tiny = await benchTiny(keys, workers, dir, users);
    const ocr = await benchOcr(keys, workers, dir, users);
    // The machine's load from everything else shows in every figure: said next to them.
    return [header, ...tiny, ...ocr, { name: "gateway machine load at the end (information)", figures: { load_avg_1m: loadavg()[0]!, load_avg_5m: loadavg()[1]! } }];
  } finally {
    await users.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
