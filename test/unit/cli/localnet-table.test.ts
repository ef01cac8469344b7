import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alpha, renderSnapshot, wrap } from "../../../src/cli/commands/localnet-table.js";
import type { LocalnetSnapshot, NeuronRow } from "../../../src/localnet/localnet.js";

const A = 1_000_000_000n;
const row = (uid: number, role: NeuronRow["role"], name: string, extra: Partial<NeuronRow> = {}): NeuronRow => ({
  uid,
  role,
  name,
  hotkey: `5hotkey${uid}`,
  stake: 0n,
  incentive: 0,
  dividends: 0,
  emission: 0n,
  validatorTrust: 0,
  lastUpdate: 12 + uid,
  blocksSinceUpdate: 294 - uid,
  earned: 0n,
  running: true,
  serving: true,
  ...extra,
});

const snapshot: LocalnetSnapshot = {
  block: 306,
  netuid: 1,
  epochs: 12,
  tempo: 20,
  nextEpochBlock: 320,
  ownerGain: 55_136_312_638n,
  rows: [
    row(0, "owner", "owner", { stake: 55_136_312_638n, earned: 55_136_312_638n, running: undefined, serving: undefined }),
    row(1, "validator", "validator1", { stake: 1_631_171_180_102n, earned: 631_171_180_102n, dividends: 0.8351, emission: 6_847_790_102n, validatorTrust: 1 }),
    row(2, "validator", "validator2", { stake: 626_083_781_620n, earned: 126_083_781_620n, dividends: 0.1649, validatorTrust: 0.9848 }),
    row(3, "miner (honest)", "miner1", { stake: 31_340_778_608n, earned: 31_340_778_608n, incentive: 0.3955, emission: 3_243_271_481n }),
    row(4, "miner (noisy)", "miner2", { incentive: 0.3328 }),
    row(5, "miner (slow)", "miner3", { serving: false }),
    row(6, "miner (offline)", "miner4", { running: false, serving: false }),
    row(17, "miner (offline)", "miner12", { running: false, serving: false, lastUpdate: 0 }),
  ],
};

describe("the local network's live table", () => {
  it("fits in 80 columns: every line", () => {
    const text = renderSnapshot(snapshot, 80);
    for (const line of text.split("\n")) assert.ok([...line].length <= 80, `${[...line].length} columns: ${line}`);
  });

  it("shows blocks since each uid's last update, whether it serves, and the next epoch", () => {
    const text = renderSnapshot(snapshot, 80);
    assert.match(text, /next epoch at block 320 \(in 14\)/);
    assert.match(text, /updated/);
    assert.match(text, /^\s+1 +validator1 +yes .* 293 ago$/m);
    assert.match(text, /^\s+5 +miner3 slow +no axon /m);
    assert.match(text, /^\s+6 +miner4 offline +stopped /m);
    assert.match(text, /^\s+0 +owner +- /m);
    assert.match(text, /blocks since its last weights/);
  });

  it("says which figures are the last epoch's and which are totals", () => {
    assert.match(renderSnapshot(snapshot, 80), /incentive, dividends.*: the last epoch's/);
    const wide = renderSnapshot(snapshot, 200);
    assert.match(wide, /incentive, dividends, emission: the last epoch's; earned: total since the start/);
    for (const header of ["v-trust", "emission α", "earned α", "serving", "updated"]) assert.ok(wide.includes(header), header);
  });

  it("adapts to narrower and wider terminals", () => {
    for (const width of [60, 72, 100, 140]) {
      const lines = renderSnapshot(snapshot, width).split("\n");
      const widest = Math.max(...lines.map((l) => [...l].length));
      // Columns that are always kept need about 70; below that only the title and legend wrap.
      if (width >= 72) assert.ok(widest <= width, `${widest} > ${width}`);
    }
    assert.ok(renderSnapshot(snapshot, 140).includes("v-trust"));
  });

  it("writes α with two decimals, truncated", () => {
    assert.equal(alpha(631_171_180_102n), "631.17");
    assert.equal(alpha(5n * A), "5.00");
    assert.equal(alpha(-1_500_000_000n), "-1.50");
    assert.deepEqual(wrap(["a", "bb", "cc"], 7), ["a · bb", "cc"]);
  });
});
