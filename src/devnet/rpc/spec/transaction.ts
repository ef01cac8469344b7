/**
 * The new spec's ways in for a transaction: transaction_v1_broadcast / _stop (fire and forget:
 * the client follows inclusion itself, through chainHead) and transactionWatch_v1_submitAndWatch /
 * _unwatch (the node reports validated, bestChainBlockIncluded, finalized, or invalid / dropped).
 *
 * A broadcast holds one of the connection's MAX_BROADCASTS_PER_CONNECTION slots (the spec's
 * minimum is 4; polkadot-sdk allows 16) until transaction_v1_stop, or until its transaction is
 * final or can no longer be included; an invalid one is dropped silently, as the spec allows, and
 * keeps its slot until stopped.
 */
import { fromHex } from "../../codec/hex.js";
import { isLastEvent, PoolError, type TxEvent, type TxWatcher } from "../../pool/tx-pool.js";
import { RpcError } from "../errors.js";
import { hexParam, invalidParams } from "../params.js";
import type { RpcHandler, RpcSubscription } from "../server.js";
import { isRefusal, refusalText, submitTransaction, type Submission } from "../submission.js";

export const MAX_BROADCASTS_PER_CONNECTION = 16;

interface Broadcast {
  readonly connectionId: number;
  hash: string | undefined;
  watcher: TxWatcher | undefined;
}

/** A pool event as transactionWatch_v1_watchEvent words it (polkadot-sdk's mapping). */
export function watchEvent(event: TxEvent): Record<string, unknown> {
  switch (event.type) {
    case "future":
    case "ready":
      return { event: "validated" };
    case "inBlock":
      return { event: "bestChainBlockIncluded", block: { hash: event.block, index: event.index } };
    case "finalized":
      return { event: "finalized", block: { hash: event.block, index: event.index } };
    case "usurped":
      return { event: "invalid", error: `Extrinsic was rendered invalid by another extrinsic: ${event.by} has its sender and nonce and a higher tip` };
    case "invalid":
      return { event: "invalid", error: event.reason };
    case "dropped":
      return { event: "dropped", error: event.reason };
  }
}

export function transactionRpc(deps: Submission): { methods: Map<string, RpcHandler>; subscriptions: RpcSubscription[] } {
  const broadcasts = new Map<string, Broadcast>();
  const watchedConnections = new Set<number>();
  let lastId = 0;
  const activeOn = (connectionId: number): number => [...broadcasts.values()].filter((b) => b.connectionId === connectionId).length;
  const end = (id: string): void => {
    const broadcast = broadcasts.get(id);
    if (!broadcast) return;
    broadcasts.delete(id);
    if (broadcast.hash && broadcast.watcher) deps.pool.unwatch(broadcast.hash, broadcast.watcher);
  };

  const methods = new Map<string, RpcHandler>();
  methods.set("transaction_v1_broadcast", (params, ctx) => {
    const bytes = fromHex(hexParam(params, 0, "transaction"));
    if (activeOn(ctx.connectionId) >= MAX_BROADCASTS_PER_CONNECTION) return null;
    const id = `broadcast-${++lastId}`;
    const broadcast: Broadcast = { connectionId: ctx.connectionId, hash: undefined, watcher: undefined };
    broadcasts.set(id, broadcast);
    if (!watchedConnections.has(ctx.connectionId)) {
      watchedConnections.add(ctx.connectionId);
      ctx.onConnectionClose(() => {
        watchedConnections.delete(ctx.connectionId);
        for (const [key, b] of [...broadcasts]) if (b.connectionId === ctx.connectionId) end(key);
      });
    }
    const watcher: TxWatcher = (event) => {
      if (isLastEvent(event)) end(id);
    };
    try {
      broadcast.hash = submitTransaction(deps, bytes, watcher).hash;
      broadcast.watcher = watcher;
    } catch (error) {
      // Invalid: nothing is broadcast and the client is not told (json-rpc-interface-spec, transaction_v1_broadcast).
      if (!isRefusal(error)) throw error;
    }
    return id;
  });
  methods.set("transaction_v1_stop", (params, ctx) => {
    const id = params[0];
    if (typeof id !== "string") throw invalidParams("operationId: expected a string");
    if (broadcasts.get(id)?.connectionId !== ctx.connectionId) throw new RpcError(-32602, "Invalid operation id", `no broadcast ${id} on this connection`);
    end(id);
    return null;
  });

  const watch: RpcSubscription = {
    subscribe: "transactionWatch_v1_submitAndWatch",
    unsubscribe: "transactionWatch_v1_unwatch",
    notification: "transactionWatch_v1_watchEvent",
    unsubscribeAnswer: "null-or-error",
    start: (params, emit, close) => {
      const bytes = fromHex(hexParam(params, 0, "transaction"));
      let done = false;
      const watcher: TxWatcher = (event) => {
        if (done) return;
        emit(watchEvent(event));
        if (isLastEvent(event)) {
          done = true;
          close();
        }
      };
      let hash: string;
      try {
        hash = submitTransaction(deps, bytes, watcher).hash;
      } catch (error) {
        // Refused bytes are an event on the subscription, not an error of the call.
        emit({ event: error instanceof PoolError && error.rpcCode === 1016 ? "dropped" : "invalid", error: refusalText(error) });
        close();
        return () => undefined;
      }
      return () => {
        done = true;
        deps.pool.unwatch(hash, watcher);
      };
    },
  };
  return { methods, subscriptions: [watch] };
}
