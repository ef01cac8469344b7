/**
 * When a subnet's epochs run, under the two rules subtensor has had:
 *
 * - HEAD (spec 425): a stateful scheduler. The epoch runs Tempo blocks after LastEpochBlock (or at
 *   PendingEpochAt after an owner's trigger_epoch) and SubnetEpochIndex counts the epochs run; the
 *   block an epoch runs in already counts as the next epoch index (weights.rs' look-ahead).
 * - Up to spec 343 (and since before 219): a fixed rule. With t = Tempo and k = netuid + 1, the
 *   epoch runs in block b when (b + k) mod (t + 1) = t (coinbase/run_coinbase.rs
 *   blocks_until_next_epoch), and the epoch index of block b is ⌊(b + k) / (t + 1)⌋
 *   (subnets/weights.rs get_epoch_index): the index moves on the block after the epoch ran.
 *
 * Pure: the caller reads the storage and the head.
 */

export interface EpochSchedule {
  readonly tempo: number;
  /** The epoch index at the head (HEAD: SubnetEpochIndex). */
  readonly index: bigint;
  /** The block the current epoch index began at (HEAD: the block the last epoch ran; ≤343: the block after it). */
  readonly lastEpochBlock: bigint;
  /** The block the next epoch runs in. */
  readonly nextEpochBlock: bigint;
  /** The first block whose weight commits count in the next epoch index (HEAD: nextEpochBlock; ≤343: the block after it). */
  readonly nextIndexBlock: bigint;
  readonly revealPeriodEpochs: bigint;
  /** Which rule the chain follows: its own scheduler's storage ("head"), or the fixed rule of spec ≤ 343. */
  readonly rule: "head" | "fixed";
}

/** A tempo of 0 never runs an epoch: its next epoch is at u64::MAX, as subtensor says. */
const NEVER = (1n << 64n) - 1n;

/** HEAD's schedule from its storage: Tempo, SubnetEpochIndex, LastEpochBlock, PendingEpochAt (0: none), RevealPeriodEpochs. */
export function headEpochSchedule(storage: { tempo: number; index: bigint; lastEpochBlock: bigint; pendingEpochAt: bigint; revealPeriodEpochs: bigint }): EpochSchedule {
  const nextEpochBlock = storage.pendingEpochAt > 0n ? storage.pendingEpochAt : storage.lastEpochBlock + BigInt(storage.tempo);
  return {
    tempo: storage.tempo,
    index: storage.index,
    lastEpochBlock: storage.lastEpochBlock,
    nextEpochBlock,
    nextIndexBlock: nextEpochBlock,
    revealPeriodEpochs: storage.revealPeriodEpochs,
    rule: "head",
  };
}

/** subtensor ≤ 343's get_epoch_index. */
export function fixedEpochIndex(netuid: number, tempo: number, block: bigint): bigint {
  return (block + BigInt(netuid) + 1n) / (BigInt(tempo) + 1n);
}

/** subtensor ≤ 343's blocks_until_next_epoch: 0 in the block an epoch runs in. */
export function fixedBlocksUntilNextEpoch(netuid: number, tempo: number, block: bigint): bigint {
  if (tempo === 0) return NEVER;
  return BigInt(tempo) - ((block + BigInt(netuid) + 1n) % (BigInt(tempo) + 1n));
}

/** The schedule of spec ≤ 343 seen from block `head` (the last block, whose epoch if any has run). */
export function fixedEpochSchedule(netuid: number, tempo: number, head: bigint, revealPeriodEpochs: bigint): EpochSchedule {
  const period = BigInt(tempo) + 1n;
  const index = fixedEpochIndex(netuid, tempo, head);
  const k = BigInt(netuid) + 1n;
  const nextIndexBlock = (index + 1n) * period - k;
  const untilNext = fixedBlocksUntilNextEpoch(netuid, tempo, head + 1n);
  return {
    tempo,
    index,
    lastEpochBlock: index === 0n ? 0n : index * period - k,
    nextEpochBlock: untilNext === NEVER ? NEVER : head + 1n + untilNext,
    nextIndexBlock,
    revealPeriodEpochs,
    rule: "fixed",
  };
}

/** Blocks from one epoch to the next: Tempo on HEAD, Tempo + 1 under the fixed rule. */
export function blocksPerEpoch(schedule: EpochSchedule): bigint {
  return BigInt(schedule.tempo) + (schedule.rule === "fixed" ? 1n : 0n);
}

/** The epoch index a transaction in `block` (after the schedule's head) is counted in. */
export function epochIndexAt(schedule: EpochSchedule, block: bigint): bigint {
  return schedule.index + (block >= schedule.nextIndexBlock ? 1n : 0n);
}
