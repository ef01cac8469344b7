/**
 * What happened on a subnet between two reads of its state, told from the state itself (so a block
 * the dashboard did not read is never missed): neurons registered and deregistered (a uid with a
 * new hotkey, or gone), weight commits seen, revealed or expired, and weights set directly. Pure.
 */
import type { Activity, MetagraphColumns, PendingCommit } from "./api.js";

/** What activity is told from: the metagraph, the epoch and the commits pending on chain at one read. */
export interface SubnetReading {
  readonly metagraph: Pick<MetagraphColumns, "block" | "hotkeys" | "registrationBlock" | "lastUpdate">;
  readonly commits: readonly PendingCommit[];
  /** SubnetEpochIndex, and how many epochs after its commit a commit is revealed. */
  readonly epoch: number;
  readonly revealPeriodEpochs: number;
}

/** Registrations and deregistrations between two metagraphs. */
export function neuronChanges(before: SubnetReading["metagraph"], after: SubnetReading["metagraph"]): Activity[] {
  const out: Activity[] = [];
  const n = Math.max(before.hotkeys.length, after.hotkeys.length);
  for (let uid = 0; uid < n; uid++) {
    const was = before.hotkeys[uid];
    const is = after.hotkeys[uid];
    const replaced = was !== undefined && is !== undefined && (was !== is || before.registrationBlock[uid] !== after.registrationBlock[uid]);
    if (was !== undefined && (is === undefined || replaced)) out.push({ kind: "deregistered", block: is === undefined ? after.block : after.registrationBlock[uid]!, uid, hotkey: was });
    if (is !== undefined && (was === undefined || replaced)) out.push({ kind: "registered", block: after.registrationBlock[uid]!, uid, hotkey: is });
  }
  return out;
}

const commitKey = (c: PendingCommit): string => `${c.hotkey}/${c.hash}`;

/**
 * Commits, reveals, expiries and direct weights between two readings: a commit is new when its
 * hash appears; one that disappears while it could still be revealed (the epoch is not past its
 * commit epoch + the reveal period) was revealed — the chain removes a commit early only for its
 * reveal — else it expired; a last update that moved with no commit gone or come is weights set
 * (a commit moves the last update; a reveal does not).
 */
export function weightActivity(before: SubnetReading, after: SubnetReading): Activity[] {
  const out: Activity[] = [];
  const beforeUids = uidsByHotkey(before.metagraph.hotkeys);
  const afterUids = uidsByHotkey(after.metagraph.hotkeys);
  const uidOf = (hotkey: string): number => afterUids.get(hotkey) ?? beforeUids.get(hotkey) ?? -1;
  const beforeKeys = new Set(before.commits.map(commitKey));
  const afterKeys = new Set(after.commits.map(commitKey));
  const touched = new Set<string>();
  for (const c of after.commits) {
    if (beforeKeys.has(commitKey(c))) continue;
    out.push({ kind: "committed", block: c.block, uid: c.uid ?? uidOf(c.hotkey), hotkey: c.hotkey, hash: c.hash });
    touched.add(c.hotkey);
  }
  /** The block of the hotkey's new last update, when it moved on (same neuron at both readings). */
  const updated = (hotkey: string): number | undefined => {
    const uid = afterUids.get(hotkey);
    const beforeUid = beforeUids.get(hotkey);
    if (uid === undefined || beforeUid === undefined) return undefined;
    if (before.metagraph.registrationBlock[beforeUid] !== after.metagraph.registrationBlock[uid]) return undefined;
    const now = after.metagraph.lastUpdate[uid]!;
    return now > before.metagraph.lastUpdate[beforeUid]! ? now : undefined;
  };
  for (const c of before.commits) {
    if (afterKeys.has(commitKey(c))) continue;
    const revealable = after.epoch <= c.epoch + after.revealPeriodEpochs;
    out.push({ kind: revealable ? "revealed" : "expired", block: after.metagraph.block, uid: uidOf(c.hotkey), hotkey: c.hotkey, hash: c.hash });
    touched.add(c.hotkey);
  }
  after.metagraph.hotkeys.forEach((hotkey, uid) => {
    if (touched.has(hotkey)) return;
    const at = updated(hotkey);
    if (at !== undefined) out.push({ kind: "weights", block: at, uid, hotkey });
  });
  return out;
}

function uidsByHotkey(hotkeys: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  hotkeys.forEach((hotkey, uid) => map.set(hotkey, uid));
  return map;
}

/** Everything that happened between two readings, oldest first. */
export function activityBetween(before: SubnetReading, after: SubnetReading): Activity[] {
  return [...neuronChanges(before.metagraph, after.metagraph), ...weightActivity(before, after)].sort((a, b) => a.block - b.block || a.uid - b.uid);
}

/**
 * The registrations a first reading can tell: uids registered within the last `withinBlocks`
 * blocks (the chain keeps each uid's registration block), oldest first.
 */
export function recentRegistrations(metagraph: SubnetReading["metagraph"], withinBlocks: number): Activity[] {
  const since = metagraph.block - withinBlocks;
  return metagraph.hotkeys
    .map((hotkey, uid): Activity => ({ kind: "registered", block: metagraph.registrationBlock[uid]!, uid, hotkey }))
    .filter((a) => a.block > since && a.block <= metagraph.block)
    .sort((a, b) => a.block - b.block || a.uid - b.uid);
}
