/**
 * The embeddable devnet: start() opens (or creates) the chain in a data dir, starts block
 * production and the JSON-RPC server, and returns the endpoint; stop() shuts it all down.
 * Used by `tensornode devnet`, by `tensornode localnet` and by tests, in process.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "../util/logger.js";
import { BlockAuthor, type BlockTime } from "./chain/author.js";
import { BlockStore } from "./chain/block-store.js";
import { Chain } from "./chain/chain.js";
import { DEFAULT_FINALITY_DELAY_MS, FinalityGadget } from "./chain/finality.js";
import { toHex } from "./codec/hex.js";
import { parseGenesis, DEFAULT_GENESIS_JSON, type GenesisConfig } from "./genesis.js";
import { TxPool } from "./pool/tx-pool.js";
import { devnetRpc } from "./rpc/methods.js";
import { RpcServer, type RpcServerAddress } from "./rpc/server.js";
import { DevRuntime } from "./runtime/runtime.js";
import { signaturesReady } from "./runtime/signature.js";
import { SUBTENSOR_PRESETS } from "./runtime/pallets/subtensor/env.js";
import { CodedError } from "../util/errors.js";

export interface DevnetOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Where the chain lives; a temporary directory (removed on stop) when omitted. */
  readonly dataDir?: string;
  /** Discard any chain in the data dir and start from genesis. */
  readonly fresh?: boolean;
  readonly blockTime?: BlockTime;
  /** How long after its import a block becomes final (default 1 s); finality trails the best block by this. */
  readonly finalityDelayMs?: number;
  readonly genesis?: GenesisConfig;
  /** Serve dev_* methods (block production on demand). */
  readonly devRpc?: boolean;
  /** How many recent blocks' state stays queryable (Substrate's default pruning: 256). */
  readonly stateHistory?: number;
  readonly log: Logger;
  readonly clock?: () => number;
  readonly nodeVersion?: string;
}

export class DevnetNode {
  readonly chain: Chain;
  readonly pool: TxPool;
  readonly author: BlockAuthor;
  readonly finality: FinalityGadget;
  readonly endpoint: RpcServerAddress;
  readonly dataDir: string;
  readonly #store: BlockStore;
  readonly #rpc: RpcServer;
  readonly #removeDataDir: boolean;
  readonly #log: Logger;
  #stopping: Promise<void> | undefined;

  private constructor(parts: { chain: Chain; pool: TxPool; author: BlockAuthor; finality: FinalityGadget; endpoint: RpcServerAddress; dataDir: string; store: BlockStore; rpc: RpcServer; removeDataDir: boolean; log: Logger }) {
    this.chain = parts.chain;
    this.pool = parts.pool;
    this.author = parts.author;
    this.finality = parts.finality;
    this.endpoint = parts.endpoint;
    this.dataDir = parts.dataDir;
    this.#store = parts.store;
    this.#rpc = parts.rpc;
    this.#removeDataDir = parts.removeDataDir;
    this.#log = parts.log;
  }

  static async start(options: DevnetOptions): Promise<DevnetNode> {
    await signaturesReady();
    const removeDataDir = options.dataDir === undefined;
    const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "tensornode-devnet-")));
    if (options.fresh && !removeDataDir) await rm(join(dataDir, "chain"), { recursive: true, force: true });
    let store: BlockStore;
    try {
      store = await BlockStore.open(join(dataDir, "chain"));
    } catch (error) {
      throw new CodedError("DATA_DIR_UNAVAILABLE", `cannot open the chain database in ${dataDir}: ${(error as Error).message} (is another devnet using it?)`);
    }
    try {
      const genesis = options.genesis ?? parseGenesis(DEFAULT_GENESIS_JSON, "default genesis");
      const runtime = new DevRuntime({
        subtensor: { ...SUBTENSOR_PRESETS[genesis.subtensor.preset]!, alphaEmissionPerBlock: genesis.subtensor.alphaEmissionPerBlock },
        onInternalError: (error, call) => options.log.error({ err: error, call }, "internal error in a call: it failed with DispatchError::Other"),
      });
      const chain = await Chain.open({ runtime, store, genesis, stateHistory: options.stateHistory ?? 256, clock: options.clock ?? Date.now });
      const pool = new TxPool();
      const blockTime = options.blockTime ?? { mode: "interval", ms: 1000 };
      const log = options.log;
      const author = new BlockAuthor(chain, pool, blockTime, log);
      const finalityDelayMs = options.finalityDelayMs ?? DEFAULT_FINALITY_DELAY_MS;
      const finality = new FinalityGadget(chain, finalityDelayMs);
      chain.onFinalized((hashes) => pool.finalized(hashes.map(toHex)));
      const table = devnetRpc({ chain, pool, author, genesis, nodeVersion: options.nodeVersion ?? "0.0.0", devRpc: options.devRpc ?? false });
      const rpc = new RpcServer({ host: options.host ?? "127.0.0.1", port: options.port ?? 9944, log }, table.methods, table.subscriptions);
      const endpoint = await rpc.start();
      finality.start();
      author.start();
      log.info({ ws: endpoint.wsUrl, head: chain.headNumber, dataDir, blockTime: blockTime.mode === "interval" ? `${blockTime.ms}ms` : blockTime.mode, finalityDelayMs }, "devnet started");
      return new DevnetNode({ chain, pool, author, finality, endpoint, dataDir, store, rpc, removeDataDir, log });
    } catch (error) {
      await store.close();
      if (removeDataDir) await rm(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Produces `count` blocks now (whatever the block time). */
  async newBlocks(count = 1): Promise<void> {
    for (let i = 0; i < count; i++) await this.author.produce();
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#shutdown();
    return this.#stopping;
  }

  async #shutdown(): Promise<void> {
    await this.author.stop();
    this.finality.stop();
    await this.#rpc.stop();
    await this.chain.idle();
    this.pool.clear();
    await this.#store.close();
    if (this.#removeDataDir) await rm(this.dataDir, { recursive: true, force: true });
    this.#log.info({ head: this.chain.headNumber }, "devnet stopped");
  }
}
