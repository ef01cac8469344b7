/** What the p2p benchmarks share: a synthetic subnet directory and admission limits that never bind. */
import { encodeAddress } from "@polkadot/util-crypto";
import { HotkeyDirectory } from "../src/p2p/directory.js";
import type { AdmissionPolicy } from "../src/p2p/query-server.js";

const TAO = 1_000_000_000n;

/** The validator and the miner as a synthetic directory: a staked validator with a permit, a miner. */
export function benchDirectory(validator: Uint8Array, miner: Uint8Array): HotkeyDirectory {
  const directory = new HotkeyDirectory();
  directory.update([
    { uid: 0, hotkey: encodeAddress(validator, 42), stake: 1000n * TAO, validatorPermit: true, axon: null },
    { uid: 1, hotkey: encodeAddress(miner, 42), stake: 0n, validatorPermit: false, axon: null },
  ]);
  return directory;
}

/** Far above what a bench sends at `concurrency`: the limits are not what is measured. */
export function generousPolicy(concurrency: number): Partial<AdmissionPolicy> {
  return {
    perHotkey: { capacity: 1e9, refillPerSecond: 1e9 },
    perPeer: { capacity: 1e9, refillPerSecond: 1e9 },
    maxConcurrent: 4 * concurrency,
    maxQueued: 1024,
  };
}
