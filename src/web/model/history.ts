/**
 * A subnet's history, one record per epoch: what each uid got (incentive, dividends, emission) and
 * held (stake) at the epoch's block, and how the epoch's emission was split between the owner, the
 * miners and the validators. Records are exact (rao as decimal strings) where they are stored; the
 * compact form kept in memory and sent to charts is floating point α. Pure: no I/O.
 */
import type { HistoryPayload, MetagraphColumns, UidSeries } from "./api.js";

const RAO_PER_ALPHA = 1e9;

/** The epoch's emission by recipient, rao. */
export interface EmissionSplit {
  readonly owner: string;
  readonly miners: string;
  readonly validators: string;
}

/** What is stored per subnet and epoch (exact). */
export interface EpochRecord {
  readonly netuid: number;
  /** SubnetEpochIndex after the epoch ran. */
  readonly epoch: number;
  /** The block the epoch ran in. */
  readonly block: number;
  readonly incentive: readonly number[];
  readonly dividends: readonly number[];
  readonly emission: readonly string[];
  readonly stake: readonly string[];
  /** Each uid's registration block: who held the uid then (a uid re-registered is another neuron). */
  readonly registrationBlock: readonly number[];
  readonly split: EmissionSplit;
}

/** The pots an epoch pays out (PendingServerEmission, PendingValidatorEmission, PendingOwnerCut, read just before it). */
export interface EpochPots {
  readonly server: bigint;
  readonly validator: bigint;
  readonly ownerCut: bigint;
}

/**
 * How the pots were paid: the owner's cut to the owner, the server pot to the miners by incentive
 * and the validator pot to the validators by dividends — and, when no uid earned incentive, the
 * server pot to the validators too (subtensor's distribute_emission).
 */
export function emissionSplit(pots: EpochPots, incentiveTotal: number): EmissionSplit {
  const miners = incentiveTotal > 0 ? pots.server : 0n;
  const validators = incentiveTotal > 0 ? pots.validator : pots.validator + pots.server;
  return { owner: pots.ownerCut.toString(), miners: miners.toString(), validators: validators.toString() };
}

/** The record of an epoch from the metagraph read at its block. */
export function epochRecordOf(metagraph: MetagraphColumns, epoch: number, pots: EpochPots): EpochRecord {
  return {
    netuid: metagraph.netuid,
    epoch,
    block: metagraph.block,
    incentive: [...metagraph.incentive],
    dividends: [...metagraph.dividends],
    emission: [...metagraph.emission],
    stake: [...metagraph.stake],
    registrationBlock: [...metagraph.registrationBlock],
    split: emissionSplit(pots, metagraph.incentive.reduce((a, b) => a + b, 0)),
  };
}

/** A record as kept in memory: typed arrays, α as floating point (about 24 bytes per uid). */
export interface CompactEpoch {
  readonly epoch: number;
  readonly block: number;
  readonly n: number;
  readonly incentive: Uint16Array;
  readonly dividends: Uint16Array;
  readonly emission: Float64Array;
  readonly stake: Float64Array;
  readonly registrationBlock: Uint32Array;
  /** α: owner, miners, validators. */
  readonly split: readonly [number, number, number];
}

const alpha = (rao: string): number => Number(rao) / RAO_PER_ALPHA;

export function compactEpoch(record: EpochRecord): CompactEpoch {
  const n = record.incentive.length;
  return {
    epoch: record.epoch,
    block: record.block,
    n,
    incentive: Uint16Array.from(record.incentive),
    dividends: Uint16Array.from(record.dividends),
    emission: Float64Array.from(record.emission, alpha),
    stake: Float64Array.from(record.stake, alpha),
    registrationBlock: Uint32Array.from(record.registrationBlock),
    split: [alpha(record.split.owner), alpha(record.split.miners), alpha(record.split.validators)],
  };
}

/** Who holds each uid now (from the live metagraph): a point of another holder is left out of its series. */
export interface CurrentHolders {
  readonly hotkeys: readonly string[];
  readonly registrationBlock: readonly number[];
}

function seriesOf(epochs: readonly CompactEpoch[], uid: number, holders: CurrentHolders): UidSeries {
  const held = (e: CompactEpoch): boolean => uid < e.n && (holders.registrationBlock[uid] === undefined || e.registrationBlock[uid] === holders.registrationBlock[uid]);
  const column = (pick: (e: CompactEpoch) => number): (number | null)[] => epochs.map((e) => (held(e) ? pick(e) : null));
  return {
    uid,
    hotkey: holders.hotkeys[uid] ?? "",
    incentive: column((e) => e.incentive[uid]!),
    dividends: column((e) => e.dividends[uid]!),
    emission: column((e) => e.emission[uid]!),
    stake: column((e) => e.stake[uid]!),
  };
}

/** The charts' data: one point per epoch (ascending), the split, and the series of `uids`. */
export function historyPayload(netuid: number, epochs: readonly CompactEpoch[], holders: CurrentHolders, uids: readonly number[]): HistoryPayload {
  const sorted = [...epochs].sort((a, b) => a.epoch - b.epoch);
  return {
    netuid,
    epochs: sorted.map((e) => e.epoch),
    blocks: sorted.map((e) => e.block),
    split: { owner: sorted.map((e) => e.split[0]), miners: sorted.map((e) => e.split[1]), validators: sorted.map((e) => e.split[2]) },
    series: uids.map((uid) => seriesOf(sorted, uid, holders)),
  };
}

/** The uids charted when none are asked for: the `count` that earned the most emission in the latest epoch (ties: lower uid). */
export function topEmissionUids(latest: CompactEpoch | undefined, count: number): number[] {
  if (!latest) return [];
  return Array.from({ length: latest.n }, (_, uid) => uid)
    .filter((uid) => latest.emission[uid]! > 0)
    .sort((a, b) => latest.emission[b]! - latest.emission[a]! || a - b)
    .slice(0, count);
}

/** `?uids=1,2,3` → [1, 2, 3] (at most `max`, each 0..65535, no duplicates); undefined when absent or empty. */
export function parseUidList(text: string | null, max: number): number[] | undefined {
  if (text === null || text.trim() === "") return undefined;
  const uids: number[] = [];
  for (const part of text.split(",")) {
    const uid = Number(part.trim());
    if (!Number.isInteger(uid) || uid < 0 || uid > 65535 || part.trim() === "") throw new RangeError(`"${part.trim()}" is not a uid (an integer 0..65535)`);
    if (!uids.includes(uid)) uids.push(uid);
  }
  if (uids.length > max) throw new RangeError(`at most ${max} uids at once`);
  return uids;
}
