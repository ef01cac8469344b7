/**
 * The Substrate JSON-RPC methods of the devnet: the legacy system_*, chain_*, state_*, author_*,
 * payment_* and (only when asked for) dev_*, then the new spec's groups from spec/. Names,
 * parameter shapes, result shapes and error codes follow Substrate's sc-rpc and rpc-spec-v2 so
 * that @polkadot/api, polkadot-api and dedot cannot tell the difference.
 */
import { decodeAddress } from "@polkadot/util-crypto";
import { blake2_256 } from "../codec/hashing.js";
import { fromHex, toHex } from "../codec/hex.js";
import type { Block } from "../chain/block.js";
import { headerJson, signedBlockJson } from "../chain/block.js";
import type { BlockAuthor } from "../chain/author.js";
import type { Chain } from "../chain/chain.js";
import { UnknownBlockError } from "../chain/chain.js";
import type { GenesisConfig } from "../genesis.js";
import { isLastEvent, type TxEvent, type TxPool, type TxWatcher } from "../pool/tx-pool.js";
import { callRuntimeApi, RuntimeApiError, runtimeApiTable } from "../runtime/apis.js";
import { runtimeVersionJson } from "../runtime/constants.js";
import { decodeExtrinsic, ExtrinsicFormatError } from "../runtime/extrinsic.js";
import { StatePrunedError } from "../state/chain-state.js";
import type { StateReader } from "../state/overlay.js";
import { RpcError } from "./errors.js";
import { nextNonce, submitTransaction, transactionRpcError } from "./submission.js";
import { hexListParam, hexParam, integerParam, invalidParams, optionalHashParam, optionalHexParam, stringParam } from "./params.js";
import type { RpcHandler, RpcSubscription } from "./server.js";
import { chainHeadRpc } from "./spec/chain-head.js";
import { chainSpecRpc } from "./spec/chain-spec.js";
import { transactionRpc } from "./spec/transaction.js";

export interface RpcDeps {
  readonly chain: Chain;
  readonly pool: TxPool;
  readonly author: BlockAuthor;
  readonly genesis: GenesisConfig;
  readonly nodeVersion: string;
  readonly devRpc: boolean;
}

const MAX_KEYS_PAGE = 1000;
const MAX_QUERY_KEYS = 1000;
const MAX_QUERY_RANGE = 256;
const STATE_ERROR = 4003;

export interface RpcTable {
  readonly methods: Map<string, RpcHandler>;
  readonly subscriptions: RpcSubscription[];
}

export function devnetRpc(deps: RpcDeps): RpcTable {
  const { chain, pool, author, genesis } = deps;
  const runtime = chain.runtime;
  const apis = runtimeApiTable(runtime, chain);
  const methods = new Map<string, RpcHandler>();
  const subscriptions: RpcSubscription[] = [];
  const method = (names: string | string[], handler: RpcHandler): void => {
    for (const name of Array.isArray(names) ? names : [names]) methods.set(name, handler);
  };

  /** The block a request names (the head when it names none); unknown hashes are errors. */
  const blockHashParam = (params: readonly unknown[], index: number): Uint8Array => {
    const hex = optionalHashParam(params, index);
    if (hex === undefined) return chain.head.hash;
    if (chain.numberOf(hex) === undefined) throw new RpcError(STATE_ERROR, `Client error: UnknownBlock: header not found in db: ${hex}`);
    return fromHex(hex);
  };
  const stateParam = (params: readonly unknown[], index: number): StateReader & { sortedKeys(): readonly string[] } => {
    const hash = blockHashParam(params, index);
    try {
      return chain.stateAt(hash);
    } catch (error) {
      if (error instanceof StatePrunedError || error instanceof UnknownBlockError) throw new RpcError(STATE_ERROR, `Client error: State already discarded for ${toHex(hash)}`);
      throw error;
    }
  };
  const blockParam = async (params: readonly unknown[]): Promise<Block | null> => {
    const hex = optionalHashParam(params, 0);
    if (hex === undefined) return chain.head;
    return (await chain.block(fromHex(hex))) ?? null;
  };

  const nonceOf = (who: Uint8Array): number => nextNonce({ chain, pool }, who);

  // system_*
  method("system_chain", () => genesis.chain);
  method("system_name", () => "tensornode-devnet");
  method("system_version", () => deps.nodeVersion);
  method("system_chainType", () => genesis.chainType);
  method("system_properties", () => genesis.properties);
  method("system_health", () => ({ peers: 0, isSyncing: false, shouldHavePeers: false }));
  method("system_peers", () => []);
  method("system_nodeRoles", () => ["Authority"]);
  method("system_localListenAddresses", () => []);
  method("system_syncState", () => ({ startingBlock: 0, currentBlock: chain.headNumber, highestBlock: chain.headNumber }));
  method(["system_accountNextIndex", "account_nextIndex"], (params) => {
    const address = stringParam(params, 0, "account");
    let who: Uint8Array;
    try {
      who = decodeAddress(address);
    } catch {
      throw invalidParams(`account: "${address}" is not an SS58 address or a 0x public key`);
    }
    return nonceOf(who);
  });

  // chain_*
  method("chain_getBlockHash", (params) => {
    const hashOf = (value: unknown, i: number): string | null => {
      if (value === undefined || value === null) return toHex(chain.head.hash);
      const n = integerParam([value], 0, `block number${i >= 0 ? ` [${i}]` : ""}`, 0xffffffff);
      const hash = chain.hashAt(n);
      return hash ? toHex(hash) : null;
    };
    return Array.isArray(params[0]) ? params[0].map((v, i) => hashOf(v, i)) : hashOf(params[0], -1);
  });
  method(["chain_getFinalizedHead", "chain_getFinalisedHead"], () => toHex(chain.finalizedHash));
  method("chain_getHeader", async (params) => {
    const block = await blockParam(params);
    return block ? headerJson(block.header) : null;
  });
  method("chain_getBlock", async (params) => {
    const block = await blockParam(params);
    return block ? signedBlockJson(block) : null;
  });
  const headFeed = (subscribe: string[], unsubscribe: string[], notification: string): void => {
    subscribe.forEach((name, i) =>
      subscriptions.push({
        subscribe: name,
        unsubscribe: unsubscribe[i]!,
        notification,
        start: (_params, emit) => {
          emit(headerJson(chain.head.header));
          return chain.onNewBlock((block) => emit(headerJson(block.header)));
        },
      }),
    );
  };
  headFeed(["chain_subscribeNewHeads", "chain_subscribeNewHead", "subscribe_newHead"], ["chain_unsubscribeNewHeads", "chain_unsubscribeNewHead", "unsubscribe_newHead"], "chain_newHead");
  headFeed(["chain_subscribeAllHeads"], ["chain_unsubscribeAllHeads"], "chain_allHead");
  // One notification per block that becomes final, in order (the devnet has no forks to skip).
  const finalizedFeed = (name: string, unsubscribe: string): void => {
    subscriptions.push({
      subscribe: name,
      unsubscribe,
      notification: "chain_finalizedHead",
      start: async (_params, emit) => {
        const finalized = await chain.block(chain.finalizedHash);
        if (finalized) emit(headerJson(finalized.header));
        return chain.onFinalized((hashes) => {
          for (const hash of hashes) {
            const block = chain.recentBlock(hash);
            if (block) emit(headerJson(block.header));
          }
        });
      },
    });
  };
  finalizedFeed("chain_subscribeFinalizedHeads", "chain_unsubscribeFinalizedHeads");
  finalizedFeed("chain_subscribeFinalisedHeads", "chain_unsubscribeFinalisedHeads");

  // state_*
  method("state_getMetadata", (params) => {
    blockHashParam(params, 0);
    return toHex(runtime.metadata.v14);
  });
  method(["state_getRuntimeVersion", "chain_getRuntimeVersion"], (params) => {
    blockHashParam(params, 0);
    return runtimeVersionJson(runtime.constants.version);
  });
  for (const prefix of ["state", "chain"]) {
    subscriptions.push({
      subscribe: `${prefix}_subscribeRuntimeVersion`,
      unsubscribe: `${prefix}_unsubscribeRuntimeVersion`,
      notification: `${prefix}_runtimeVersion`,
      start: (_params, emit) => {
        emit(runtimeVersionJson(runtime.constants.version));
        return () => undefined; // the devnet's runtime never changes
      },
    });
  }
  method(["state_getStorage", "state_getStorageAt"], (params) => {
    const key = hexParam(params, 0, "key");
    const value = stateParam(params, 1).get(key);
    return value ? toHex(value) : null;
  });
  method(["state_getStorageHash", "state_getStorageHashAt"], (params) => {
    const value = stateParam(params, 1).get(hexParam(params, 0, "key"));
    return value ? toHex(blake2_256(value)) : null;
  });
  method(["state_getStorageSize", "state_getStorageSizeAt"], (params) => {
    const value = stateParam(params, 1).get(hexParam(params, 0, "key"));
    return value ? value.length : null;
  });
  method("state_queryStorageAt", (params) => {
    const keys = hexListParam(params, 0, "keys", MAX_QUERY_KEYS);
    const hash = blockHashParam(params, 1);
    const state = stateParam(params, 1);
    return [{ block: toHex(hash), changes: keys.map((key) => [key, ((v) => (v ? toHex(v) : null))(state.get(key))]) }];
  });
  method("state_queryStorage", (params) => {
    const keys = hexListParam(params, 0, "keys", MAX_QUERY_KEYS);
    const from = chain.numberOf(hexParam(params, 1, "from block"));
    const toHash = optionalHashParam(params, 2, "to block");
    const to = toHash === undefined ? chain.headNumber : chain.numberOf(toHash);
    if (from === undefined || to === undefined || from > to) throw new RpcError(4001, "Invalid block range", "from and to must be known blocks, from first");
    if (to - from >= MAX_QUERY_RANGE) throw new RpcError(4001, "Invalid block range", `at most ${MAX_QUERY_RANGE} blocks at a time`);
    const result: unknown[] = [];
    let previous = new Map<string, string | null>();
    for (let n = from; n <= to; n++) {
      const state = stateParam([toHex(chain.hashAt(n)!)], 0);
      const changes: [string, string | null][] = [];
      const now = new Map<string, string | null>();
      for (const key of keys) {
        const value = state.get(key);
        const hex = value ? toHex(value) : null;
        now.set(key, hex);
        if (n === from || previous.get(key) !== hex) changes.push([key, hex]);
      }
      previous = now;
      if (changes.length > 0) result.push({ block: toHex(chain.hashAt(n)!), changes });
    }
    return result;
  });
  const keysPaged = (params: readonly unknown[]): string[] => {
    const prefix = optionalHexParam(params, 0, "prefix") ?? "0x";
    const count = integerParam(params, 1, "count", MAX_KEYS_PAGE);
    const startKey = optionalHexParam(params, 2, "start key");
    const keys = stateParam(params, 3).sortedKeys();
    let lo = 0;
    let hi = keys.length;
    const from = startKey !== undefined && startKey > prefix ? startKey : prefix;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[mid]! < from || (startKey !== undefined && keys[mid] === startKey)) lo = mid + 1;
      else hi = mid;
    }
    const page: string[] = [];
    for (let i = lo; i < keys.length && page.length < count && keys[i]!.startsWith(prefix); i++) if (keys[i] !== startKey) page.push(keys[i]!);
    return page;
  };
  method(["state_getKeysPaged", "state_getKeysPagedAt"], keysPaged);
  method("state_call", (params) => {
    const name = stringParam(params, 0, "method");
    const input = fromHex(hexParam(params, 1, "data"));
    const state = stateParam(params, 2);
    try {
      return toHex(callRuntimeApi(apis, state, name, input));
    } catch (error) {
      if (error instanceof RuntimeApiError || error instanceof ExtrinsicFormatError) throw new RpcError(STATE_ERROR, `Client error: ${error.message}`);
      throw error;
    }
  });
  subscriptions.push({
    subscribe: "state_subscribeStorage",
    unsubscribe: "state_unsubscribeStorage",
    notification: "state_storage",
    start: (params, emit) => {
      if (params[0] === undefined || params[0] === null) throw invalidParams("keys: the devnet needs the list of keys to watch");
      const keys = hexListParam(params, 0, "keys", MAX_QUERY_KEYS);
      const current = (key: string): string | null => ((v) => (v ? toHex(v) : null))(chain.stateAt().get(key));
      emit({ block: toHex(chain.head.hash), changes: keys.map((key) => [key, current(key)]) });
      return chain.onNewBlock((block, changed) => {
        const touched = keys.filter((key) => changed.has(key));
        if (touched.length > 0) emit({ block: toHex(block.hash), changes: touched.map((key) => [key, current(key)]) });
      });
    },
  });

  // author_*
  const submit = (params: readonly unknown[], watcher?: TxWatcher): { hash: string; status: "ready" | "future" } => {
    const bytes = fromHex(hexParam(params, 0, "extrinsic"));
    try {
      return submitTransaction({ chain, pool, author }, bytes, watcher);
    } catch (error) {
      throw transactionRpcError(error);
    }
  };
  method("author_submitExtrinsic", (params) => submit(params).hash);
  method("author_pendingExtrinsics", () => pool.pending().map(toHex));
  subscriptions.push({
    subscribe: "author_submitAndWatchExtrinsic",
    unsubscribe: "author_unwatchExtrinsic",
    notification: "author_extrinsicUpdate",
    start: (params, emit, close) => {
      let done = false;
      const watcher = (event: TxEvent): void => {
        if (done) return;
        emit(legacyTxStatus(event));
        if (isLastEvent(event)) {
          done = true;
          close();
        }
      };
      const { hash } = submit(params, watcher);
      return () => {
        done = true;
        pool.unwatch(hash, watcher);
      };
    },
  });

  // payment_*
  const queryInfo = (params: readonly unknown[]): { info: ReturnType<typeof runtime.info>; fee: bigint } => {
    const bytes = fromHex(hexParam(params, 0, "extrinsic"));
    blockHashParam(params, 1);
    try {
      const xt = decodeExtrinsic(bytes);
      const info = runtime.info(runtime.decodeCall(xt.callBytes));
      return { info, fee: xt.signed ? runtime.transactionPayment.partialFee(bytes.length, info) : 0n };
    } catch (error) {
      if (error instanceof ExtrinsicFormatError) throw new RpcError(STATE_ERROR, `Client error: Execution failed: cannot decode the extrinsic: ${error.message}`);
      throw error;
    }
  };
  method("payment_queryInfo", (params) => {
    const { info, fee } = queryInfo(params);
    // Substrate serialises this weight in the v1 form (ref time only) for old clients; polkadot.js reads it so.
    return { weight: Number(info.refTime), class: info.class.toLowerCase(), partialFee: fee.toString() };
  });
  method("payment_queryFeeDetails", (params) => {
    const bytes = fromHex(hexParam(params, 0, "extrinsic"));
    const { info } = queryInfo(params);
    const d = runtime.transactionPayment.feeDetails(bytes.length, info);
    return { inclusionFee: d ? { baseFee: hexU(d.baseFee), lenFee: hexU(d.lenFee), adjustedWeightFee: hexU(d.adjustedWeightFee) } : null, tip: "0x0" };
  });

  // dev_* (unsafe: only with --dev-rpc)
  if (deps.devRpc) {
    method("dev_newBlock", async (params) => {
      const options = params[0] ?? {};
      if (typeof options !== "object" || options === null || Array.isArray(options)) throw invalidParams("expected { count?: number }");
      const count = (options as { count?: unknown }).count === undefined ? 1 : integerParam([(options as { count?: unknown }).count], 0, "count", 10_000);
      let last = chain.head.hash;
      for (let i = 0; i < count; i++) last = (await author.produce()).block.hash;
      return toHex(last);
    });
    method("dev_blockBuildMode", () => author.blockTime);
  }

  // The new JSON-RPC spec (chainHead_v1, chainSpec_v1, transaction_v1, transactionWatch_v1)
  const chainHead = chainHeadRpc({ chain, apis });
  const transactions = transactionRpc({ chain, pool, author });
  for (const [name, handler] of [...chainSpecRpc(genesis, chain.genesisHash), ...chainHead.methods, ...transactions.methods]) method(name, handler);
  subscriptions.push(...chainHead.subscriptions, ...transactions.subscriptions);
  return { methods, subscriptions };
}

/** A pool event as author_extrinsicUpdate words it (sc-transaction-pool's TransactionStatus). */
export function legacyTxStatus(event: TxEvent): unknown {
  switch (event.type) {
    case "future":
    case "ready":
    case "invalid":
    case "dropped":
      return event.type;
    case "inBlock":
      return { inBlock: event.block };
    case "finalized":
      return { finalized: event.block };
    case "usurped":
      return { usurped: event.by };
  }
}

function hexU(n: bigint): string {
  return `0x${n.toString(16)}`;
}
