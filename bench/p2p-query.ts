/**
 * `p2p-query`: the overhead of the signed query protocol (src/p2p/query-client.ts and
 * query-server.ts, protocol 3), the p2p part of ../shared/design/PERFORMANCE.md's `serve-tiny`
 * row. The miner's handler is an echo: these lines are named `p2p-query`, not serve-tiny, and
 * measure the protocol alone — HELLO/WELCOME once per stream, then per query admission, the
 * miner's session signature and the validator's check of it, framing, hashes, tensors — with no
 * inference behind it.
 *
 * Two libp2p nodes (TCP, noise, yamux; no gossipsub) on 127.0.0.1, **both in this process**, so
 * client and server share one event loop: every network figure is the cost of both ends on one
 * thread. The payload is a 1 KiB request body (one uint8[1024] tensor, 1038 bytes encoded) echoed
 * back.
 *
 * - Ours: `QueryClient.query` → `QueryServer` (an echo handler) with a generous admission policy
 *   (token buckets, concurrency bound and queue far above what the bench sends), so it measures
 *   the protocol, not the limits. Sequential: queries one after another (p50/p99 round trip,
 *   req/s). Concurrency 16: 16 workers, all over the client's one multiplexed stream, as the
 *   client does. Two clients: one as a client is by default (each answer's signature verified
 *   before `query` returns), and one that checks in the background (`checkAnswers:
 *   "in-background"`: answers returned as they arrive on the miner's stream, their signatures
 *   checked on a worker thread in batches; its runs end when every check has, so its req/s
 *   counts them). The validator daemon defers its checks further, to after its step's last answer.
 * - Baseline: bare libp2p echo of the same 1038 body bytes, length-prefixed with lpStream from
 *   @libp2p/utils, over reused streams: one stream for sequential, 16 streams (one per worker)
 *   for concurrency 16, as ../shared/reference/js-stack.md §1 measured it.
 * - 3 rounds after a warm-up, ours (both clients) and bare back to back in each: 3×700 sequential
 *   and 3×3400 concurrent requests per side. p50/p99 are over all sequential round trips; req/s the median
 *   of the rounds; ratio_to_bare (goal ≥ 0.60) the median of the rounds' ours/bare ratios.
 *   cpu_us_per_req: the process's CPU time (user + system, all threads, GC included) per request
 *   during the concurrent runs.
 * - CPU per request by stage, measured apart in-process (many iterations, median of 5 rounds,
 *   µs per call): response sign and verify (Ed25519 session key in node:crypto; its binding
 *   verified once per stream), tensor encode+decode of the body, blake2-256 of the body, the
 *   request hash (blake2 of the request's header in full) and a request frame's encode+decode.
 *   `path_sum_us` adds what one query costs both ends: one signature and its check, tensor codec
 *   ×2, body hash ×4, request hash ×2 and frame codec ×2.
 *
 * Every node is stopped at the end. About 30 s here.
 */
import "../src/util/polyfill.js";
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { generateKeyPair } from "@libp2p/crypto/keys";
import type { Stream } from "@libp2p/interface";
import { lpStream, type LengthPrefixedStream } from "@libp2p/utils";
import { multiaddr } from "@multiformats/multiaddr";
import { createP2PNode, type P2PNode } from "../src/p2p/node.js";
import { QueryClient, type QueryTarget } from "../src/p2p/query-client.js";
import { QueryServer, type QueryHandler } from "../src/p2p/query-server.js";
import { decodeFrame, encodeFrame, FrameKind, PROTOCOL_VERSION, requestNonce, type RequestHeader, type ResponseHeader } from "../src/p2p/protocol/frames.js";
import { hash256, requestHash, signResponse, verifyResponseSignature } from "../src/p2p/protocol/signing.js";
import { decodeTensors, encodeTensors, type TensorMap } from "../src/p2p/protocol/tensors.js";
import { createLogger } from "../src/util/logger.js";
import { sr25519Ready, sr25519SignerFromSeed } from "../src/util/sr25519.js";
import { median, type BenchLine } from "./harness.js";
import { benchDirectory, generousPolicy } from "./p2p-fixtures.js";
import { CachingSessionVerifier, sessionSignerOf } from "../src/p2p/session-key.js";

const NETUID = 1;
const SYNAPSE = "echo";
const BODY_BYTES = 1024;
const CONCURRENCY = 16;
const ROUNDS = 3;
/** Per round; 2100 and 10 200 in all. */
const SEQUENTIAL = 700;
const CONCURRENT = 3400;
const WARMUP = 300;
const ECHO_PROTOCOL = "/tensornode/bench-echo/1.0.0";

const log = createLogger({ level: "silent", format: "json" });

interface Side {
  /** Round trips of the sequential runs, ms. */
  readonly latencies: number[];
  readonly seqPerS: number[];
  readonly concPerS: number[];
  /** Process CPU time (user + system, every thread) per request in the concurrent runs, µs. */
  readonly concCpuUs: number[];
}

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/**
 * `count` calls of `call` one after another: each round trip (ms, into `side.latencies`) and calls
 * per second, counted until `settle` (work a call left running, e.g. signature checks) is done too.
 */
async function sequential(side: Side, call: () => Promise<unknown>, count: number, settle?: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await call();
    side.latencies.push(performance.now() - t0);
  }
  await settle?.();
  side.seqPerS.push((count * 1000) / (performance.now() - started));
}

/** `count` calls shared by `workers` concurrent loops (worker w calls `call(w)`): calls per second and CPU per call, until `settle` is done too. */
async function concurrent(call: (worker: number) => Promise<unknown>, workers: number, count: number, settle?: () => Promise<unknown>): Promise<{ perS: number; cpuUs: number }> {
  let left = count;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (left > 0) {
        left--;
        await call(w);
      }
    }),
  );
  await settle?.();
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { perS: (count * 1000) / elapsed, cpuUs: (used.user + used.system) / count };
}

/** µs per call of `fn`: `iterations` calls per round, median over the rounds, after a warm-up. */
function perCallUs(fn: () => unknown, iterations: number, rounds = 5): number {
  for (let i = 0; i < Math.max(50, iterations >> 2); i++) fn();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    samples.push(((performance.now() - t0) * 1000) / iterations);
  }
  return median(samples);
}

/** A bare length-prefixed echo: every frame read is written back as is. */
function echoHandler(stream: Stream): void {
  const lp = lpStream(stream);
  void (async () => {
    try {
      for (;;) await lp.write(await lp.read());
    } catch {
      // the client closed its end: close ours
      await stream.close().catch(() => stream.abort(new Error("closed")));
    }
  })();
}

export async function benchP2PQuery(): Promise<BenchLine[]> {
  await sr25519Ready();
  const nodes: P2PNode[] = [];
  const echoStreams: Stream[] = [];
  let server: QueryServer | undefined;
  let client: QueryClient | undefined;
  let backgroundClient: QueryClient | undefined;
  try {
    const genesisHash = new Uint8Array(randomBytes(32));
    const validatorKey = sr25519SignerFromSeed(new Uint8Array(32).fill(1));
    const minerKey = sr25519SignerFromSeed(new Uint8Array(32).fill(2));
    const directory = benchDirectory(validatorKey.publicKey, minerKey.publicKey);

    const minerNode = await createP2PNode({ privateKey: await generateKeyPair("Ed25519"), listen: ["/ip4/127.0.0.1/tcp/0"], gossip: false, log });
    nodes.push(minerNode);
    const validatorNode = await createP2PNode({ privateKey: await generateKeyPair("Ed25519"), listen: ["/ip4/127.0.0.1/tcp/0"], gossip: false, log });
    nodes.push(validatorNode);
    const minerAddress = multiaddr(minerNode.addresses().find((a) => a.includes("/127.0.0.1/"))!);

    const handlers = new Map<string, QueryHandler>([[SYNAPSE, async ({ body }) => body]]);
    server = new QueryServer({ libp2p: minerNode.libp2p, hotkey: minerKey, netuid: NETUID, genesisHash, directory, handlers, policy: generousPolicy(CONCURRENCY), log });
    await server.start();
    await minerNode.libp2p.handle(ECHO_PROTOCOL, (stream) => echoHandler(stream), { maxInboundStreams: 64 });
    client = new QueryClient({ libp2p: validatorNode.libp2p, hotkey: validatorKey, netuid: NETUID, genesisHash, log });
    backgroundClient = new QueryClient({ libp2p: validatorNode.libp2p, hotkey: validatorKey, netuid: NETUID, genesisHash, checkAnswers: "in-background", log });

    const body: TensorMap = new Map([["x", { dtype: "uint8" as const, dims: [BODY_BYTES], data: new Uint8Array(randomBytes(BODY_BYTES)) }]]);
    const bodyBytes = encodeTensors(body);
    const target: QueryTarget = { peer: minerAddress, hotkey: minerKey.publicKey };
    const q = client;
    const ours = (): Promise<unknown> => q.query(target, SYNAPSE, body);
    // Answers returned as they arrive, their signatures checked on a worker thread in batches; a run
    // ends when every check has.
    const bq = backgroundClient;
    const checks: Array<Promise<void>> = [];
    const oursChecked = async (): Promise<void> => {
      checks.push((await bq.query(target, SYNAPSE, body)).checked);
    };
    const settleChecks = (): Promise<unknown> => {
      bq.flushChecks();
      return Promise.all(checks.splice(0));
    };

    // The baseline's streams: one per worker (worker 0's also serves the sequential run).
    const echoes: Array<LengthPrefixedStream<Stream>> = [];
    for (let w = 0; w < CONCURRENCY; w++) {
      const stream = await validatorNode.libp2p.dialProtocol(minerAddress, ECHO_PROTOCOL);
      echoStreams.push(stream);
      echoes.push(lpStream(stream));
    }
    const bare = async (w: number): Promise<unknown> => {
      const lp = echoes[w]!;
      await lp.write(bodyBytes);
      return (await lp.read()).subarray();
    };

    // Correctness once, then warm-up of both paths (JIT, the client's session, yamux windows).
    const answer = await ours();
    const echoed = (answer as { body: TensorMap }).body.get("x");
    if (!echoed || Buffer.compare(echoed.data, body.get("x")!.data) !== 0) throw new Error("the echo handler did not echo the body");
    const bareEcho = (await bare(0)) as Uint8Array;
    if (Buffer.compare(bareEcho, bodyBytes) !== 0) throw new Error("the bare echo did not echo the body");
    for (let i = 0; i < WARMUP; i++) await ours();
    await concurrent(() => ours(), CONCURRENCY, WARMUP * 4);
    for (let i = 0; i < WARMUP; i++) await oursChecked();
    await concurrent(() => oursChecked(), CONCURRENCY, WARMUP * 4, settleChecks);
    for (let i = 0; i < WARMUP; i++) await bare(0);
    await concurrent((w) => bare(w), CONCURRENCY, WARMUP * 4);

    const oursSide: Side = { latencies: [], seqPerS: [], concPerS: [], concCpuUs: [] };
    const backgroundSide: Side = { latencies: [], seqPerS: [], concPerS: [], concCpuUs: [] };
    const bareSide: Side = { latencies: [], seqPerS: [], concPerS: [], concCpuUs: [] };
    for (let round = 0; round < ROUNDS; round++) {
      await sequential(bareSide, () => bare(0), SEQUENTIAL);
      await sequential(oursSide, ours, SEQUENTIAL);
      await sequential(backgroundSide, oursChecked, SEQUENTIAL, settleChecks);
      for (const [side, call, settle] of [
        [bareSide, (w: number) => bare(w), undefined],
        [oursSide, () => ours(), undefined],
        [backgroundSide, () => oursChecked(), settleChecks],
      ] as const) {
        const { perS, cpuUs } = await concurrent(call, CONCURRENCY, CONCURRENT, settle);
        side.concPerS.push(perS);
        side.concCpuUs.push(cpuUs);
      }
    }
    const stats = server.stats();
    const refused = Object.values(stats.refused).reduce((a, b) => a + b, 0);
    if (refused > 0 || stats.failed > 0 || stats.answered < 2 * ROUNDS * (SEQUENTIAL + CONCURRENT)) throw new Error(`the server refused or failed requests: ${JSON.stringify(stats)}`);
    for (const side of [oursSide, backgroundSide, bareSide]) side.latencies.sort((a, b) => a - b);
    /** The median over rounds of ours/bare, each round's pair measured back to back. */
    const ratio = (key: "seqPerS" | "concPerS", of = oursSide): number => median(of[key].map((value, round) => value / bareSide[key][round]!));

    // CPU per stage, in-process, with a request and a response like the ones above.
    const header: RequestHeader = {
      version: PROTOCOL_VERSION,
      netuid: NETUID,
      genesisHash,
      validator: validatorKey.publicKey,
      miner: minerKey.publicKey,
      nonce: requestNonce(new Uint8Array(randomBytes(12)), 1),
      timestampMs: BigInt(Date.now()),
      deadlineMs: BigInt(Date.now() + 12_000),
      synapse: SYNAPSE,
      bodyHash: hash256(bodyBytes),
    };
    // As the hot paths sign and verify: the miner's session key; its binding verified once, at WELCOME.
    const minerSession = sessionSignerOf(minerKey);
    const verifier = new CachingSessionVerifier();
    const forRequest = requestHash(header);
    const responseHeader: ResponseHeader = { version: PROTOCOL_VERSION, status: 0, streamed: false, miner: minerKey.publicKey, requestHash: forRequest, timestampMs: BigInt(Date.now()), bodyHash: hash256(bodyBytes) };
    const response = signResponse(responseHeader, minerSession);
    if (!verifyResponseSignature(response, verifier)) throw new Error("a signature does not verify");
    const stage = {
      resp_sign_us: perCallUs(() => signResponse(responseHeader, minerSession), 1000),
      resp_verify_us: perCallUs(() => verifyResponseSignature(response, verifier), 1000),
      tensor_codec_us: perCallUs(() => decodeTensors(encodeTensors(body)), 20_000),
      blake2_body_us: perCallUs(() => hash256(bodyBytes), 20_000),
      request_hash_us: perCallUs(() => requestHash(header), 20_000),
      frame_codec_us: perCallUs(() => decodeFrame(encodeFrame({ kind: FrameKind.Request, requestId: 1, timestampMs: header.timestampMs, deadlineMs: header.deadlineMs, synapse: SYNAPSE, body: bodyBytes })), 20_000),
    };
    const pathSum = stage.resp_sign_us + stage.resp_verify_us + 2 * stage.tensor_codec_us + 4 * stage.blake2_body_us + 2 * stage.request_hash_us + 2 * stage.frame_codec_us;

    const what = `payload=${bodyBytes.length}B echo handler, 2 nodes in 1 process on 127.0.0.1`;
    return [
      {
        name: `p2p-query sequential ${what}, ${ROUNDS}×${SEQUENTIAL} requests`,
        figures: {
          p50_ms: quantile(oursSide.latencies, 0.5),
          p99_ms: quantile(oursSide.latencies, 0.99),
          req_per_s: median(oursSide.seqPerS),
          bare_p50_ms: quantile(bareSide.latencies, 0.5),
          bare_p99_ms: quantile(bareSide.latencies, 0.99),
          bare_req_per_s: median(bareSide.seqPerS),
          ratio_to_bare: ratio("seqPerS"),
          checked_in_background_p50_ms: quantile(backgroundSide.latencies, 0.5),
          checked_in_background_p99_ms: quantile(backgroundSide.latencies, 0.99),
          checked_in_background_req_per_s: median(backgroundSide.seqPerS),
          checked_in_background_ratio_to_bare: ratio("seqPerS", backgroundSide),
        },
        goal: "ratio ≥ 0.60; information: p50 ≤ 0.5 ms, p99 ≤ 2 ms",
      },
      {
        name: `p2p-query concurrency=${CONCURRENCY} ${what}, ${ROUNDS}×${CONCURRENT} requests (ours: 1 multiplexed stream; bare: ${CONCURRENCY} streams)`,
        figures: {
          req_per_s: median(oursSide.concPerS),
          bare_req_per_s: median(bareSide.concPerS),
          ratio_to_bare: ratio("concPerS"),
          cpu_us_per_req: median(oursSide.concCpuUs),
          bare_cpu_us_per_req: median(bareSide.concCpuUs),
          checked_in_background_req_per_s: median(backgroundSide.concPerS),
          checked_in_background_ratio_to_bare: ratio("concPerS", backgroundSide),
          checked_in_background_cpu_us_per_req: median(backgroundSide.concCpuUs),
        },
        goal: "ratio ≥ 0.60",
      },
      {
        name: `p2p-query cpu per request by stage (µs per call, in-process, median of 5 rounds)`,
        figures: { ...stage, path_sum_us: pathSum },
      },
    ];
  } finally {
    for (const stream of echoStreams) await stream.close().catch(() => stream.abort(new Error("closed")));
    await client?.close();
    await backgroundClient?.close();
    await server?.stop(100);
    for (const node of nodes) await node.stop();
  }
}
