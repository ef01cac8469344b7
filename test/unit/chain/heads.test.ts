import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ChainConnection } from "../../../src/chain/connection.js";
import { ChainHeads } from "../../../src/chain/heads.js";
import { RpcCounter } from "../../../src/chain/rpc-counter.js";

/** A connection whose new-heads subscription is driven by the test. */
function fakeChain(): { chain: ChainConnection; push(block: number): void; subscriptions: () => number } {
  let callback: ((header: { number: { toBigInt(): bigint } }) => void) | undefined;
  let subscriptions = 0;
  const api = {
    rpc: {
      chain: {
        subscribeNewHeads: async (cb: typeof callback) => {
          subscriptions += 1;
          callback = cb;
          return () => (callback = undefined);
        },
      },
    },
  };
  const chain = { api, rpc: new RpcCounter() } as unknown as ChainConnection;
  return { chain, push: (block) => callback?.({ number: { toBigInt: () => BigInt(block) } }), subscriptions: () => subscriptions };
}

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("a daemon's new heads", () => {
  it("are one subscription, a shared head, and blocks seen counted once each", async () => {
    const { chain, push, subscriptions } = fakeChain();
    const heads = new ChainHeads(chain);
    await heads.start();
    const seen: bigint[] = [];
    heads.onHead((b) => seen.push(b));
    push(5);
    push(5); // the same head again (a re-subscription)
    push(6);
    assert.equal(heads.head, 6n);
    assert.deepEqual(seen, [5n, 6n]);
    assert.equal(chain.rpc.snapshot().blocks, 2);
    assert.equal(subscriptions(), 1);
    heads.stop();
    push(7);
    assert.deepEqual(seen, [5n, 6n]);
  });

  it("run a reader at most once per interval, at a head, and look at a head that came too soon once the interval is up", async () => {
    const { chain, push } = fakeChain();
    const heads = new ChainHeads(chain);
    await heads.start();
    const runs: (bigint | undefined)[] = [];
    const stop = heads.every(60, async () => void runs.push(heads.head));
    push(1); // runs at once
    push(2); // too soon: looked at when 60 ms are up
    push(3);
    await tick(10);
    assert.deepEqual(runs, [1n]);
    await tick(80);
    assert.deepEqual(runs, [1n, 3n], "one trailing run for the heads that came too soon, at the latest head");
    await tick(100);
    assert.deepEqual(runs, [1n, 3n], "no heads, no runs");
    push(4);
    await tick(5);
    assert.deepEqual(runs, [1n, 3n, 4n]);
    stop();
    push(5);
    await tick(80);
    assert.deepEqual(runs, [1n, 3n, 4n]);
  });
});
