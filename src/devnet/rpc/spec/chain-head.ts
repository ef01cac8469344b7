/**
 * chainHead_v1_*: the new JSON-RPC spec's view of the head of the chain
 * (paritytech/json-rpc-interface-spec, src/api/chainHead*.md), as polkadot-sdk nodes serve it.
 *
 * A follow subscription reports the last finalized blocks (`initialized`: up to 5, which some
 * clients need to find the finalized block's parent), every block after them
 * (`newBlock`, then `bestBlockChanged`: the devnet has no forks, so each new block is the best),
 * and finality as it trails the head (`finalized`, never any pruned block). Reported blocks are
 * pinned until the client unpins them. Body, call and storage run as operations whose results
 * arrive on the subscription once the method's answer is out.
 *
 * Limits (polkadot-sdk's where the spec leaves them open): 4 follow subscriptions per connection
 * (-32800 beyond), 16 operation slots per subscription (each storage item takes one; the spec's
 * minimum), 512 pinned blocks per subscription, and a pinned block whose state the devnet no longer
 * keeps (older than --state history) stops the subscription (`stop`) as polkadot-sdk does when a
 * block stays pinned too long. Storage answers come in pages of STORAGE_ITEMS_PER_PAGE items; after
 * a full page the operation waits for chainHead_v1_continue.
 */
import { fromHex, toHex } from "../../codec/hex.js";
import { encodeHeader } from "../../chain/block.js";
import type { Chain } from "../../chain/chain.js";
import { UnknownBlockError } from "../../chain/chain.js";
import { callRuntimeApi, type ApiMethod } from "../../runtime/apis.js";
import { runtimeSpecJson } from "../../runtime/constants.js";
import { StatePrunedError } from "../../state/chain-state.js";
import type { SortedStateReader } from "../../state/with-entries.js";
import { RpcError } from "../errors.js";
import { invalidParams } from "../params.js";
import type { RpcCallContext, RpcHandler, RpcSubscription } from "../server.js";
import { Follow, type Operation } from "./follow.js";
import { STORAGE_QUERY_TYPES, storageResults, type StorageQuery, type StorageResultItem } from "./storage-query.js";

export interface ChainHeadLimits {
  /** How many finalized blocks `initialized` reports (the spec suggests about a minute's: 5 of subtensor's 12 s blocks). */
  readonly finalizedBlocksReported: number;
  readonly followsPerConnection: number;
  readonly operationSlots: number;
  readonly pinnedBlocks: number;
  readonly storageItemsPerPage: number;
}

export const CHAIN_HEAD_LIMITS: ChainHeadLimits = {
  finalizedBlocksReported: 5,
  followsPerConnection: 4,
  operationSlots: 16,
  pinnedBlocks: 512,
  storageItemsPerPage: 100,
};

/** The spec's error codes. */
export const CHAIN_HEAD_ERRORS = {
  tooManyFollows: -32800,
  invalidBlock: -32801,
  noRuntime: -32802,
  invalidContinue: -32803,
  duplicateHashes: -32804,
} as const;

export interface ChainHeadDeps {
  readonly chain: Chain;
  readonly apis: ReadonlyMap<string, ApiMethod>;
  readonly limits?: Partial<ChainHeadLimits>;
}

const LIMIT_REACHED = { result: "limitReached" } as const;

export function chainHeadRpc(deps: ChainHeadDeps): { methods: Map<string, RpcHandler>; subscriptions: RpcSubscription[] } {
  const { chain, apis } = deps;
  const limits: ChainHeadLimits = { ...CHAIN_HEAD_LIMITS, ...deps.limits };
  const follows = new Map<string, Follow>();
  const followsOf = (connectionId: number): number => [...follows.values()].filter((f) => f.connectionId === connectionId).length;

  /** The caller's follow subscription, or undefined when the id is unknown, stale or another connection's. */
  const followOf = (params: readonly unknown[], ctx: RpcCallContext): Follow | undefined => {
    const id = params[0];
    if (typeof id !== "string") throw invalidParams("followSubscription: expected a string");
    const follow = follows.get(id);
    return follow && follow.connectionId === ctx.connectionId && !follow.stopped ? follow : undefined;
  };
  const hashParam = (params: readonly unknown[], index: number, name = "hash"): string => {
    const value = params[index];
    if (typeof value !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(value)) throw invalidParams(`${name}: expected a 0x-prefixed 32-byte hex hash`);
    return value.toLowerCase();
  };
  const requirePinned = (follow: Follow, hash: string): void => {
    if (!follow.pinned.has(hash)) throw new RpcError(CHAIN_HEAD_ERRORS.invalidBlock, "Invalid block hash", `${hash} is not pinned by this subscription`);
  };
  /** The block's state as it stands now (undefined once the devnet no longer keeps it). */
  const stateOf = (hash: string): SortedStateReader | undefined => {
    try {
      return chain.stateAt(fromHex(hash));
    } catch (error) {
      if (error instanceof StatePrunedError || error instanceof UnknownBlockError) return undefined;
      throw error;
    }
  };
  const started = (operation: Operation, extra: Record<string, unknown> = {}) => ({ result: "started", operationId: operation.id, ...extra });

  const methods = new Map<string, RpcHandler>();

  methods.set("chainHead_v1_header", async (params, ctx) => {
    const follow = followOf(params, ctx);
    const hash = hashParam(params, 1);
    if (!follow) return null;
    requirePinned(follow, hash);
    const block = await chain.block(fromHex(hash));
    if (!block) throw new RpcError(-32603, "Internal error", `block ${hash} cannot be read`);
    return toHex(encodeHeader(block.header));
  });

  methods.set("chainHead_v1_body", (params, ctx) => {
    const follow = followOf(params, ctx);
    const hash = hashParam(params, 1);
    if (!follow) return LIMIT_REACHED;
    requirePinned(follow, hash);
    if (follow.freeSlots(1) === 0) return LIMIT_REACHED;
    const operation = follow.startOperation(1);
    ctx.afterReply(() => {
      void chain.block(fromHex(hash)).then(
        (block) => {
          follow.sendFor(operation, block ? { event: "operationBodyDone", operationId: operation.id, value: block.extrinsics.map(toHex) } : { event: "operationInaccessible", operationId: operation.id });
          follow.finishOperation(operation);
        },
        (error: unknown) => {
          follow.sendFor(operation, { event: "operationError", operationId: operation.id, error: (error as Error).message });
          follow.finishOperation(operation);
        },
      );
    });
    return started(operation);
  });

  methods.set("chainHead_v1_call", (params, ctx) => {
    const follow = followOf(params, ctx);
    const hash = hashParam(params, 1);
    const fn = params[2];
    const input = params[3];
    if (typeof fn !== "string") throw invalidParams("function: expected the name of a runtime entry point");
    if (typeof input !== "string" || !/^(0x)?([0-9a-fA-F]{2})*$/.test(input)) throw invalidParams("callParameters: expected hex bytes");
    if (!follow) return LIMIT_REACHED;
    if (!follow.withRuntime) throw new RpcError(CHAIN_HEAD_ERRORS.noRuntime, "Invalid runtime call", "the subscription was opened with withRuntime false");
    requirePinned(follow, hash);
    if (follow.freeSlots(1) === 0) return LIMIT_REACHED;
    const operation = follow.startOperation(1);
    ctx.afterReply(() => {
      const state = stateOf(hash);
      if (!state) follow.sendFor(operation, { event: "operationInaccessible", operationId: operation.id });
      else {
        try {
          const output = callRuntimeApi(apis, state, fn, fromHex(input.startsWith("0x") ? input : `0x${input}`));
          follow.sendFor(operation, { event: "operationCallDone", operationId: operation.id, output: toHex(output) });
        } catch (error) {
          // A missing entry point, bad input, or the runtime's code throwing: all are the call's own failure.
          follow.sendFor(operation, { event: "operationError", operationId: operation.id, error: error instanceof Error ? error.message : String(error) });
        }
      }
      follow.finishOperation(operation);
    });
    return started(operation);
  });

  methods.set("chainHead_v1_storage", (params, ctx) => {
    const follow = followOf(params, ctx);
    const hash = hashParam(params, 1);
    const queries = storageQueriesParam(params[2]);
    const childTrie = params[3];
    if (childTrie !== undefined && childTrie !== null && typeof childTrie !== "string") throw invalidParams("childTrie: expected null or a hex key");
    if (!follow) return LIMIT_REACHED;
    requirePinned(follow, hash);
    const accepted = follow.freeSlots(queries.length);
    if (accepted === 0) return LIMIT_REACHED;
    const operation = follow.startOperation(accepted);
    // The devnet has no child tries: a child-trie query finds nothing.
    const kept = typeof childTrie === "string" ? [] : queries.slice(0, accepted);
    ctx.afterReply(() => runStorage(follow, operation, hash, kept));
    return started(operation, { discardedItems: queries.length - accepted });
  });

  const runStorage = (follow: Follow, operation: Operation, hash: string, queries: readonly StorageQuery[]): void => {
    const at = {
      get state(): SortedStateReader {
        const state = stateOf(hash);
        if (!state) throw new StatePrunedError(chain.numberOf(hash) ?? -1);
        return state;
      },
    };
    const results = storageResults(at, queries);
    const nextPage = (): void => {
      if (operation.done) return;
      const items: StorageResultItem[] = [];
      let more = false;
      try {
        for (let next = results.next(); !next.done; next = results.next()) {
          items.push(next.value);
          if (items.length === limits.storageItemsPerPage) {
            more = true;
            break;
          }
        }
      } catch (error) {
        if (!(error instanceof StatePrunedError)) throw error;
        follow.sendFor(operation, { event: "operationInaccessible", operationId: operation.id });
        follow.finishOperation(operation);
        return;
      }
      if (items.length > 0) follow.sendFor(operation, { event: "operationStorageItems", operationId: operation.id, items });
      if (more) {
        operation.resume = nextPage;
        follow.sendFor(operation, { event: "operationWaitingForContinue", operationId: operation.id });
        return;
      }
      follow.sendFor(operation, { event: "operationStorageDone", operationId: operation.id });
      follow.finishOperation(operation);
    };
    nextPage();
  };

  methods.set("chainHead_v1_continue", (params, ctx) => {
    const follow = followOf(params, ctx);
    const id = params[1];
    if (typeof id !== "string") throw invalidParams("operationId: expected a string");
    const operation = follow?.operation(id);
    if (!operation) return null;
    const resume = operation.resume;
    if (!resume) throw new RpcError(CHAIN_HEAD_ERRORS.invalidContinue, "Invalid continue call", `operation ${id} is not waiting for chainHead_v1_continue`);
    operation.resume = undefined;
    ctx.afterReply(resume);
    return null;
  });

  methods.set("chainHead_v1_stopOperation", (params, ctx) => {
    const follow = followOf(params, ctx);
    const id = params[1];
    if (typeof id !== "string") throw invalidParams("operationId: expected a string");
    const operation = follow?.operation(id);
    if (follow && operation) follow.finishOperation(operation);
    return null;
  });

  methods.set("chainHead_v1_unpin", (params, ctx) => {
    const follow = followOf(params, ctx);
    const raw = params[1];
    const list = Array.isArray(raw) ? raw : [raw];
    const hashes = list.map((_, i) => hashParam(list, i, "hashOrHashes"));
    if (!follow) return null;
    if (new Set(hashes).size !== hashes.length) throw new RpcError(CHAIN_HEAD_ERRORS.duplicateHashes, "Received duplicate hashes for chainHead_v1_unpin");
    for (const hash of hashes) requirePinned(follow, hash);
    for (const hash of hashes) follow.pinned.delete(hash);
    return null;
  });

  const followSubscription: RpcSubscription = {
    subscribe: "chainHead_v1_follow",
    unsubscribe: "chainHead_v1_unfollow",
    notification: "chainHead_v1_followEvent",
    unsubscribeAnswer: "null",
    start: (params, emit, close, ctx) => {
      const withRuntime = params[0];
      if (typeof withRuntime !== "boolean") throw invalidParams("withRuntime: expected a boolean");
      if (followsOf(ctx.connectionId) >= limits.followsPerConnection)
        throw new RpcError(CHAIN_HEAD_ERRORS.tooManyFollows, "Maximum number of chainHead_follow has been reached", `at most ${limits.followsPerConnection} per connection`);
      const subscription = new Follow({ id: ctx.subscriptionId, connectionId: ctx.connectionId, withRuntime, maxOperationSlots: limits.operationSlots, emit, end: close });
      follows.set(subscription.id, subscription);
      const runtime = withRuntime ? { type: "valid", spec: runtimeSpecJson(chain.runtime.constants.version) } : undefined;
      const newRuntime = withRuntime ? { newRuntime: null } : {};
      const announce = (hash: Uint8Array, parent: Uint8Array): void => {
        subscription.pinned.add(toHex(hash));
        subscription.send({ event: "newBlock", blockHash: toHex(hash), parentBlockHash: toHex(parent), ...newRuntime });
      };

      const finalizedHashes: string[] = [];
      for (let n = Math.max(0, chain.finalizedNumber - limits.finalizedBlocksReported + 1); n <= chain.finalizedNumber; n++) finalizedHashes.push(toHex(chain.hashAt(n)!));
      for (const hash of finalizedHashes) subscription.pinned.add(hash);
      subscription.send({ event: "initialized", finalizedBlockHashes: finalizedHashes, ...(runtime ? { finalizedBlockRuntime: runtime } : {}) });
      for (let n = chain.finalizedNumber + 1; n <= chain.headNumber; n++) announce(chain.hashAt(n)!, chain.hashAt(n - 1)!);
      subscription.send({ event: "bestBlockChanged", bestBlockHash: toHex(chain.head.hash) });

      const offNewBlock = chain.onNewBlock((block) => {
        announce(block.hash, block.header.parentHash);
        subscription.send({ event: "bestBlockChanged", bestBlockHash: toHex(block.hash) });
        if (subscription.pinned.size > limits.pinnedBlocks || holdsUnreadableBlock(subscription)) subscription.stop();
      });
      const offFinalized = chain.onFinalized((hashes) => {
        subscription.send({ event: "finalized", finalizedBlockHashes: hashes.map(toHex), prunedBlockHashes: [] });
      });
      return () => {
        offNewBlock();
        offFinalized();
        subscription.dispose();
        follows.delete(subscription.id);
      };
    },
  };

  /** Whether a block the subscription pins has fallen out of the state the devnet keeps. */
  const holdsUnreadableBlock = (subscription: Follow): boolean => {
    const oldestReadable = chain.headNumber - chain.state.historyLength;
    for (const hash of subscription.pinned) if ((chain.numberOf(hash) ?? 0) < oldestReadable) return true;
    return false;
  };

  return { methods, subscriptions: [followSubscription] };
}

function storageQueriesParam(value: unknown): StorageQuery[] {
  if (!Array.isArray(value)) throw invalidParams("items: expected a list of {key, type}");
  return value.map((item, i) => {
    const { key, type } = (item ?? {}) as { key?: unknown; type?: unknown };
    if (typeof key !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(key)) throw invalidParams(`items[${i}].key: expected 0x-prefixed hex bytes`);
    if (typeof type !== "string" || !(STORAGE_QUERY_TYPES as readonly string[]).includes(type)) throw invalidParams(`items[${i}].type: expected one of ${STORAGE_QUERY_TYPES.join(", ")}`);
    return { key: key.toLowerCase(), type: type as StorageQuery["type"] };
  });
}
