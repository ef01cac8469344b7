/**
 * The extra cost of an epoch block on the devnet: a subnet of n uids (v validators with stake and
 * weights to half of the uids, as the yuma bench) is written straight into a chain state (a
 * bench-only genesis, beyond HEAD's MaxAllowedUids cap for n = 4096), then the same runtime builds
 * the block where its epoch fires and an ordinary block; the difference is the epoch's cost, and the
 * epoch block is set against the Yuma epoch alone on the same input (../shared/design/PERFORMANCE.md:
 * at n = 4096 at most 2×).
 */
import { performance } from "node:perf_hooks";
import { buildBlock } from "../src/devnet/chain/block-builder.js";
import { ChainState } from "../src/devnet/state/chain-state.js";
import { DevRuntime } from "../src/devnet/runtime/runtime.js";
import { HEAD_SETTINGS } from "../src/devnet/runtime/pallets/subtensor/env.js";
import { epochInput } from "../src/devnet/runtime/pallets/subtensor/emission.js";
import { runEpoch } from "../src/yuma/index.js";
import { S } from "../src/devnet/runtime/pallets/subtensor/storage.js";
import { blake2_256 } from "../src/devnet/codec/hashing.js";
import { prng, type BenchLine } from "./harness.js";
import { signaturesReady } from "../src/devnet/runtime/signature.js";

class MapState {
  readonly values = new Map<string, Uint8Array>();
  get(key: string): Uint8Array | undefined {
    return this.values.get(key);
  }
  set(key: string, value: Uint8Array): void {
    this.values.set(key, value);
  }
  delete(key: string): void {
    this.values.delete(key);
  }
}

const NETUID = 1;
const TEMPO = 100;

function subnetState(n: number, validators: number, seed: number): MapState {
  const s = new MapState();
  const random = prng(seed);
  const hotkey = (uid: number): Uint8Array => blake2_256(Uint8Array.of(uid & 0xff, uid >> 8, 7));
  S.TotalNetworks.set(s, undefined, 1);
  S.NetworksAdded.set(s, NETUID, true);
  S.Tempo.set(s, NETUID, TEMPO);
  S.LastEpochBlock.set(s, NETUID, 0n);
  S.SubnetworkN.set(s, NETUID, n);
  S.MaxAllowedUids.set(s, NETUID, n);
  S.MaxAllowedValidators.set(s, NETUID, validators);
  S.Yuma3On.set(s, NETUID, true);
  S.CommitRevealWeightsEnabled.set(s, NETUID, false);
  S.FirstEmissionBlockNumber.set(s, NETUID, 1n);
  S.SubtokenEnabled.set(s, NETUID, true);
  S.SubnetOwnerHotkey.set(s, NETUID, hotkey(0));
  S.SubnetAlphaIn.set(s, NETUID, 1_000_000_000_000n);
  const uids = Array.from({ length: n }, (_, uid) => uid);
  S.Active.set(s, NETUID, uids.map(() => true));
  S.ValidatorPermit.set(s, NETUID, uids.map((uid) => uid < validators));
  S.LastUpdate.set(s, NETUID, uids.map(() => BigInt(TEMPO - 10)));
  for (const uid of uids) {
    const hk = hotkey(uid);
    S.Keys.set(s, NETUID, uid, hk);
    S.Uids.set(s, NETUID, hk, uid);
    S.Owner.set(s, hk, hk);
    S.BlockAtRegistration.set(s, NETUID, uid, 1n);
    if (uid < validators) {
      S.TotalHotkeyAlpha.set(s, hk, NETUID, BigInt(1 + Math.floor(random() * 1_000_000)) * 1_000_000n);
      const row: [number, number][] = [];
      for (let dest = 0; dest < n; dest++) if (random() < 0.5) row.push([dest, 1 + Math.floor(random() * 65534)]);
      S.Weights.set(s, NETUID, uid, row);
    }
  }
  return s;
}

function medianMs(samples: number[]): number {
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}

/**
 * Medians of: the block where the epoch fires, an ordinary block, and the Yuma epoch alone on the
 * input that block reads (`runEpoch` of src/yuma, the baseline), measured in turn in each round.
 */
export function epochBlockCost(n: number, validators: number, rounds = 7): { epochMs: number; plainMs: number; yumaMs: number } {
  const runtime = new DevRuntime({ subtensor: HEAD_SETTINGS });
  const seed = subnetState(n, validators, n);
  const epoch: number[] = [];
  const plain: number[] = [];
  const yuma: number[] = [];
  // Building a block reads its parent's state and changes nothing, so each state serves every
  // round, and is as old in the heap as a running node's by the time the rounds that count run.
  const stateAt = (parentNumber: number): ChainState => {
    const state = new ChainState(4);
    state.load(seed.values, parentNumber, []);
    return state;
  };
  const cases = [[TEMPO - 1, stateAt(TEMPO - 1), epoch], [TEMPO - 3, stateAt(TEMPO - 3), plain]] as const;
  const yumaInput = epochInput(cases[0][1], NETUID, BigInt(TEMPO), 1_000_000_000n);
  for (let round = 0; round < rounds; round++) {
    for (const [parentNumber, state, into] of cases) {
      const t0 = performance.now();
      buildBlock({ runtime, state, parent: { hash: new Uint8Array(32), number: parentNumber }, candidates: [], nowMs: 1_000_000n, slotDurationMs: 12_000n });
      into.push(performance.now() - t0);
    }
    const t0 = performance.now();
    runEpoch(yumaInput);
    yuma.push(performance.now() - t0);
  }
  return { epochMs: medianMs(epoch), plainMs: medianMs(plain), yumaMs: medianMs(yuma) };
}

export async function benchDevnetEpoch(): Promise<BenchLine[]> {
  await signaturesReady(); // as the node does at start: hashing then runs in Wasm too
  return [
    [256, 64, 21],
    [4096, 256, 9],
  ].map(([n, v, rounds]) => {
    const r = epochBlockCost(n!, v!, rounds);
    return {
      name: `devnet-tx epoch block n=${n} validators=${v}`,
      figures: { epoch_block_ms: r.epochMs, plain_block_ms: r.plainMs, extra_ms: r.epochMs - r.plainMs, yuma_epoch_ms: r.yumaMs, ratio_to_yuma: r.epochMs / r.yumaMs },
      goal: n === 256 ? "extra ≤ 50 ms" : "ratio_to_yuma ≤ 2",
    };
  });
}
