/**
 * The epoch recorder against a chain of epochs it reads slowly: every epoch stored once, in a run
 * without gaps, however many blocks it is told of meanwhile (its queue holds a subnet once at most);
 * at start it reads back to what is recorded, and no further than the node holds.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EpochRecord } from "../../../src/web/model/history.js";
import { EpochRecorder, type EpochRead } from "../../../src/web/server/epoch-recorder.js";

const TEMPO = 10;

/** A subnet whose epoch e ran at block 10·e; state older than `heldFrom` is gone. */
function fakeChain(options: { heldFrom?: number; readMs?: number } = {}) {
  const reads: number[] = [];
  const readEpoch = async (netuid: number, block: number): Promise<EpochRead> => {
    reads.push(block);
    await new Promise((resolve) => setTimeout(resolve, options.readMs ?? 1));
    if (block < (options.heldFrom ?? 0)) throw new Error("Client error: State already discarded for 0x…");
    const record = { netuid, epoch: block / TEMPO, block, incentive: [], dividends: [], emission: [], stake: [], registrationBlock: [], split: { owner: "0", miners: "0", validators: "0" } } satisfies EpochRecord;
    return { record, previousEpochBlock: block - TEMPO, blockHash: `0x${block}` };
  };
  return { reads, readEpoch };
}

function recorder(chain: ReturnType<typeof fakeChain>, recorded: number[] = []) {
  const stored: number[] = [...recorded];
  const warnings: string[] = [];
  const r = new EpochRecorder(
    { backfillEpochs: 100 },
    {
      readEpoch: chain.readEpoch,
      recordedEpochs: () => [...stored].sort((a, b) => a - b),
      store: async (record) => void stored.push(record.epoch),
      warn: (message) => void warnings.push(message),
    },
  );
  return { r, stored, warnings };
}

const mark = (epoch: number) => new Map([[1, { epoch, lastEpochBlock: epoch * TEMPO }]]);

describe("epoch recorder", () => {
  it("reads back at start to the last epoch recorded, each once", async () => {
    const chain = fakeChain();
    const { r, stored } = recorder(chain, [1, 2, 3]);
    r.observe(mark(7));
    await r.idle();
    assert.deepEqual(stored.sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(chain.reads, [70, 60, 50, 40, 30], "it stops at the first epoch already recorded");
  });

  it("stops reading back where the node no longer holds the state, quietly", async () => {
    const chain = fakeChain({ heldFrom: 45 });
    const { r, stored, warnings } = recorder(chain);
    r.observe(mark(9));
    await r.idle();
    assert.deepEqual(stored.sort((a, b) => a - b), [5, 6, 7, 8, 9]);
    assert.deepEqual(warnings, []);
  });

  it("keeps every epoch, without gaps or repeats, when told of blocks faster than it reads", async () => {
    const chain = fakeChain({ readMs: 20 });
    const { r, stored } = recorder(chain, [0]);
    r.observe(mark(1));
    for (let epoch = 2; epoch <= 40; epoch++) {
      // Several blocks per epoch, each telling the same mark: nothing new to read.
      for (let i = 0; i < 3; i++) r.observe(mark(epoch));
      assert.ok(r.pending <= 2, `queue of ${r.pending} for one subnet`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await r.idle();
    assert.deepEqual(stored.sort((a, b) => a - b), Array.from({ length: 41 }, (_, i) => i));
    assert.equal(chain.reads.length, 40, "each epoch read once");
  });

  it("reads nothing more once stopped", async () => {
    const chain = fakeChain({ readMs: 5 });
    const { r } = recorder(chain);
    r.observe(mark(50));
    await new Promise((resolve) => setTimeout(resolve, 12));
    await r.stop();
    const after = chain.reads.length;
    r.observe(mark(60));
    await r.idle();
    assert.equal(chain.reads.length, after);
    assert.ok(after < 50);
  });
});
