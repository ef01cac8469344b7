/**
 * A validator's gateway with everything real behind it, in this process, on loopback and without a
 * chain: a tiny-subnet miner (its query server, the plugin's miner side on an inference pool, the
 * organic handler), the validator's query client, the organic service (with an organic ledger in a
 * temporary level store) and two HTTP gateways in front of it — one on loopback without keys, one
 * with an API keys file.
 */
import "../src/util/polyfill.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { encodeAddress } from "@polkadot/util-crypto";
import { Store } from "../src/db/store.js";
import { InferencePool } from "../src/miner/inference/pool.js";
import { synapseHandler } from "../src/miner/organic-handler.js";
import { createP2PNode, type P2PNode } from "../src/p2p/node.js";
import { QueryClient } from "../src/p2p/query-client.js";
import { QueryServer, type QueryHandler } from "../src/p2p/query-server.js";
import { loadPlugin, pluginRoots } from "../src/subnet/loader.js";
import { PublicInterface } from "../src/subnet/public-api.js";
import type { Logger } from "../src/util/logger.js";
import { sr25519Ready, sr25519SignerFromSeed } from "../src/util/sr25519.js";
import { addApiKey } from "../src/validator/gateway/api-keys.js";
import { startGatewayServer, type GatewayLimits, type GatewayServer } from "../src/validator/gateway/http-server.js";
import { OrganicService } from "../src/validator/gateway/organic-service.js";
import { OrganicLedger } from "../src/validator/organic-ledger.js";
import { benchDirectory, generousPolicy } from "../bench/p2p-fixtures.js";

export interface GatewayFixtureKeys {
  /** Every synapse, a rate that never binds (the fuzzing's own key). */
  readonly open: string;
  /** Allowed only a synapse the subnet does not offer: 403 on `infer`. */
  readonly elsewhere: string;
  /** 1 request per second, burst 2: a flood from it is mostly 429. */
  readonly slow: string;
}

export interface GatewayFixture {
  readonly keyless: GatewayServer;
  readonly keyed: GatewayServer;
  readonly keys: GatewayFixtureKeys;
  readonly synapse: string;
  readonly maxBodyBytes: number;
  /** Requests the miner's query handler answered (organic requests that got through the gateway). */
  minerAnswered(): number;
  /** Time the miner spends on each request from now on, beside the tiny model's microseconds (as a real model would), ms. */
  setMinerDelay(ms: number): void;
  close(): Promise<void>;
}

export interface GatewayFixtureOptions {
  readonly limits: Partial<GatewayLimits>;
  /** Where the gateways' logs go (errors are what the check looks for). */
  readonly gatewayLog: Logger;
  readonly log: Logger;
}

/** Starts the whole stack; `close()` stops it and removes its files. */
export async function startGatewayFixture(options: GatewayFixtureOptions): Promise<GatewayFixture> {
  const { log } = options;
  await sr25519Ready();
  const dir = mkdtempSync(join(tmpdir(), "tn-gateway-fuzz-"));
  const closers: (() => Promise<unknown> | unknown)[] = [() => rmSync(dir, { recursive: true, force: true })];
  const close = async (): Promise<void> => {
    for (const closer of closers.splice(0).reverse()) await closer();
  };
  try {
    const validator = sr25519SignerFromSeed(new Uint8Array(32).fill(1));
    const miner = sr25519SignerFromSeed(new Uint8Array(32).fill(2));
    const genesisHash = new Uint8Array(32).fill(9);
    const netuid = 1;

    const plugin = await loadPlugin("tiny", { roots: pluginRoots({}) });
    const api = await PublicInterface.load(plugin, log);
    const pool = new InferencePool({ workers: 1, device: "cpu", log });
    closers.push(() => pool.close());
    for (const [name, path] of plugin.modelFiles) if (plugin.manifest.models[name]?.kind === "onnx") pool.register(name, path);
    const minerSide = await (await plugin.loadMiner()).createMiner({ manifest: plugin.manifest, models: pool, modelFiles: plugin.modelFiles, log });
    let answered = 0;
    let delayMs = 0;
    const handlers = new Map<string, QueryHandler>(
      Object.keys(plugin.manifest.synapses).map((synapse) => {
        const handler = synapseHandler(synapse, minerSide, api);
        return [
          synapse,
          async (ctx) => {
            answered += 1;
            if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
            return handler(ctx);
          },
        ] as const;
      }),
    );

    const nodes: P2PNode[] = [];
    closers.push(() => Promise.all(nodes.map((node) => node.stop())));
    const node = async (): Promise<P2PNode> => {
      const made = await createP2PNode({ privateKey: await generateKeyPair("Ed25519"), listen: ["/ip4/127.0.0.1/tcp/0"], gossip: false, log });
      nodes.push(made);
      return made;
    };
    const minerNode = await node();
    const validatorNode = await node();
    const server = new QueryServer({ libp2p: minerNode.libp2p, hotkey: miner, netuid, genesisHash, directory: benchDirectory(validator.publicKey, miner.publicKey), handlers, policy: generousPolicy(64), log });
    await server.start();
    closers.push(() => server.stop(1_000));
    const client = new QueryClient({ libp2p: validatorNode.libp2p, hotkey: validator, netuid, genesisHash, log });
    closers.push(() => client.close());

    const store = await Store.open(join(dir, "state"));
    closers.push(() => store.close());
    const ledger = await OrganicLedger.open(store);
    closers.push(() => ledger.flush());
    const serving = [{ uid: 1, hotkey: encodeAddress(miner.publicKey, 42), target: { peer: minerNode.libp2p.getMultiaddrs()[0]!, hotkey: miner.publicKey } }];
    const backend = new OrganicService({
      api,
      serving: () => serving,
      score: () => undefined,
      query: (target, synapse, body, queryOptions) => client.query(target, synapse, body, queryOptions),
      ledger,
      penalize: () => undefined,
      log,
    });

    const keysFile = join(dir, "gateway-keys.json");
    const keys: GatewayFixtureKeys = {
      open: (await addApiKey(keysFile, { name: "fuzzer", rate: { perSecond: 1e6, burst: 1_000_000 } })).key,
      elsewhere: (await addApiKey(keysFile, { name: "elsewhere", synapses: ["not-offered"] })).key,
      slow: (await addApiKey(keysFile, { name: "slow", rate: { perSecond: 1, burst: 2 } })).key,
    };
    const start = (keyed: boolean): Promise<GatewayServer> =>
      startGatewayServer({ backend, host: "127.0.0.1", port: 0, limits: options.limits, logger: options.gatewayLog, ...(keyed ? { keysFile } : {}) });
    const keyless = await start(false);
    closers.push(() => keyless.close());
    const keyed = await start(true);
    closers.push(() => keyed.close());

    const [synapse, endpoint] = [...api.endpoints][0]!;
    return { keyless, keyed, keys, synapse, maxBodyBytes: endpoint.spec.maxBodyBytes, minerAnswered: () => answered, setMinerDelay: (ms) => void (delayMs = ms), close };
  } catch (error) {
    await close();
    throw error;
  }
}
