/**
 * Soak: signed queries against a miner's real query server at the p2p-query benchmark's load
 * (16 in flight, one multiplexed stream) for a bounded time — errors, the server's bounds held,
 * and resident memory after warm-up (the same load for WARMUP_S first) growing by at most 10 % — and gossip among 50 in-process libp2p nodes (gossipsub on the
 * heartbeat topic, each publishing at the miners' heartbeat rate): messages lost.
 */
import "../src/util/polyfill.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { heartbeatTopic, type PubSubLike } from "../src/p2p/heartbeat.js";
import { createP2PNode, type P2PNode } from "../src/p2p/node.js";
import { QueryClient } from "../src/p2p/query-client.js";
import { QueryServer, type QueryHandler } from "../src/p2p/query-server.js";
import { favourSteadyMemory } from "../src/util/heap-sizing.js";
import { createLogger } from "../src/util/logger.js";
import { prng } from "../src/util/prng.js";
import { sr25519Ready, sr25519SignerFromSeed } from "../src/util/sr25519.js";
import { benchDirectory, generousPolicy } from "../bench/p2p-fixtures.js";
import type { CheckLine } from "./fuzz-checks.js";

const log = createLogger({ level: "silent", format: "json" });
const CONCURRENCY = 16;
/** Seconds of the soak's own load before the RSS baseline, so that JIT, buffers and the heap have settled. */
const WARMUP_S = 30;
/** Resident memory may grow by this fraction of the warmed-up baseline over the soak. */
const MAX_RSS_GROWTH = 0.1;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const rssMb = (): number => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / 2 ** 20;
};

export async function querySoak(seconds: number): Promise<CheckLine> {
  // The query server stands for a miner's, so its heap is sized as `tensornode miner` sizes it (for
  // the rest of this process: the checks after this one spawn their daemons or need no such bound).
  favourSteadyMemory();
  await sr25519Ready();
  const dir = mkdtempSync(join(tmpdir(), "tn-soak-"));
  const validator = sr25519SignerFromSeed(new Uint8Array(32).fill(1));
  const miner = sr25519SignerFromSeed(new Uint8Array(32).fill(2));
  const genesisHash = new Uint8Array(32).fill(9);
  const directory = benchDirectory(validator.publicKey, miner.publicKey);
  const minerNode = await createP2PNode({ privateKey: await generateKeyPair("Ed25519"), listen: ["/ip4/127.0.0.1/tcp/0"], gossip: false, log });
  const validatorNode = await createP2PNode({ privateKey: await generateKeyPair("Ed25519"), listen: ["/ip4/127.0.0.1/tcp/0"], gossip: false, log });
  // The handler yields once, so that requests overlap in it as they would in inference.
  let inHandler = 0;
  let maxInHandler = 0;
  const handlers = new Map<string, QueryHandler>([
    [
      "echo",
      async ({ body }) => {
        maxInHandler = Math.max(maxInHandler, ++inHandler);
        await new Promise((resolve) => setImmediate(resolve));
        inHandler -= 1;
        return body;
      },
    ],
  ]);
  const policy = generousPolicy(CONCURRENCY);
  const server = new QueryServer({ libp2p: minerNode.libp2p, hotkey: miner, netuid: 1, genesisHash, directory, handlers, policy, log });
  await server.start();
  const client = new QueryClient({ libp2p: validatorNode.libp2p, hotkey: validator, netuid: 1, genesisHash, log });
  const target = { peer: minerNode.libp2p.getMultiaddrs()[0]!, hotkey: miner.publicKey };
  const body = new Map([["x", { dtype: "uint8" as const, dims: [256], data: new Uint8Array(256).fill(5) }]]);
  let answered = 0;
  let errors = 0;
  let maxQueued = 0;
  const errorKinds = new Map<string, number>();
  /** `CONCURRENCY` loops of queries until `untilMs`. */
  const load = (untilMs: number): Promise<unknown> =>
    Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (Date.now() < untilMs) {
          try {
            await client.query(target, "echo", body, { timeoutMs: 5_000 });
            answered += 1;
          } catch (error) {
            errors += 1;
            const code = (error as { code?: string }).code ?? "ERROR";
            errorKinds.set(code, (errorKinds.get(code) ?? 0) + 1);
          }
        }
      }),
    );
  try {
    // Warm-up at the soak's own load, then the RSS baseline.
    await load(Date.now() + WARMUP_S * 1000);
    answered = 0;
    const rssStart = rssMb();
    const end = Date.now() + seconds * 1000;
    const sampler = setInterval(() => {
      const s = server.stats();
      maxQueued = Math.max(maxQueued, s.queued);
    }, 50);
    await load(end);
    clearInterval(sampler);
    await sleep(200);
    const rssEnd = rssMb();
    const limit = policy.maxConcurrent ?? 0;
    return {
      name: `soak: signed queries against the miner's query server for ${seconds} s after a ${WARMUP_S} s warm-up, ${CONCURRENCY} in flight on one stream (the p2p-query benchmark's load; client and server in this process)`,
      figures: { answered, per_s: answered / seconds, errors, rss_start_mb: rssStart, rss_end_mb: rssEnd, rss_growth_mb: rssEnd - rssStart, rss_growth_pct: (100 * (rssEnd - rssStart)) / rssStart, max_in_handler: maxInHandler, max_concurrent: limit, max_queued_seen: maxQueued },
      holds: errors === 0 && maxInHandler <= limit && maxQueued <= (policy.maxQueued ?? 0) && rssEnd <= rssStart * (1 + MAX_RSS_GROWTH),
      rule: `no errors, requests in the handler within the concurrency bound, the queue within its bound, resident memory after a ${WARMUP_S} s warm-up growing by at most ${100 * MAX_RSS_GROWTH} %`,
      notes: [...errorKinds].map(([code, n]) => `${code}: ${n}`),
    };
  } finally {
    await client.close();
    await server.stop(1_000);
    await Promise.all([minerNode.stop(), validatorNode.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A miner's heartbeat interval (MinerDaemon's default): the configured rate of the gossip soak. */
const HEARTBEAT_INTERVAL_MS = 10_000;

export async function gossipSoak(peers: number, rounds: number): Promise<CheckLine> {
  const nodes: P2PNode[] = [];
  const random = prng(51);
  const topic = heartbeatTopic(new Uint8Array(32).fill(9), 1);
  try {
    for (let i = 0; i < peers; i++) nodes.push(await createP2PNode({ privateKey: await generateKeyPair("Ed25519"), listen: ["/ip4/127.0.0.1/tcp/0"], log }));
    // A connected graph: each node dials the one before it and three at random.
    for (let i = 1; i < peers; i++) {
      const targets = new Set([i - 1, ...Array.from({ length: 3 }, () => Math.floor(random() * peers))].filter((t) => t !== i));
      for (const t of targets) await nodes[i]!.libp2p.dial(nodes[t]!.libp2p.getMultiaddrs()[0]!).catch(() => undefined);
    }
    const received = nodes.map(() => new Set<string>());
    nodes.forEach((node, i) => {
      const pubsub = node.libp2p.services.pubsub as unknown as PubSubLike & { addEventListener(type: "message", fn: (e: { detail: { topic: string; data: Uint8Array } }) => void): void };
      pubsub.subscribe(topic);
      pubsub.addEventListener("message", (event) => {
        if (event.detail.topic === topic) received[i]!.add(new TextDecoder().decode(event.detail.data));
      });
    });
    await sleep(3_000); // the meshes form (gossipsub heartbeats every second)
    let published = 0;
    for (let round = 0; round < rounds; round++) {
      await Promise.all(
        nodes.map(async (node, i) => {
          const pubsub = node.libp2p.services.pubsub as unknown as PubSubLike;
          await pubsub.publish(topic, new TextEncoder().encode(`${i}:${round}`)).catch(() => undefined);
        }),
      );
      published += peers;
      await sleep(HEARTBEAT_INTERVAL_MS);
    }
    const expected = published * (peers - 1);
    const expectedPer = peers * (peers - 1);
    const delivered = received.reduce((sum, set, i) => sum + [...set].filter((m) => !m.startsWith(`${i}:`)).length, 0);
    return {
      name: `soak: gossip among ${peers} in-process libp2p nodes (gossipsub on the heartbeat topic, each publishing at the miners' heartbeat rate, every ${HEARTBEAT_INTERVAL_MS / 1000} s, ${rounds} rounds)`,
      figures: { published, expected_deliveries: expected, delivered, lost: expected - delivered, lost_percent: (100 * (expected - delivered)) / expected },
      holds: expected - delivered === 0,
      rule: "no message lost",
      notes: [`deliveries per receiver: min ${Math.min(...received.map((r) => r.size))}, max ${Math.max(...received.map((r) => r.size))}; lost by round: ${Array.from({ length: rounds }, (_, sec) => expectedPer - received.reduce((sum, set, i) => sum + [...set].filter((m) => m.endsWith(`:${sec}`) && !m.startsWith(`${i}:`)).length, 0)).join(",")}`],
    };
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
}
