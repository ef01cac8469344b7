/**
 * The metagraph table's rows: built once per metagraph, then sorted and filtered as the reader
 * asks (by any column; by hotkey, coldkey or uid text; by role). Pure, and cheap at 4096 uids.
 */
import type { MetagraphColumns } from "./api.js";

export type Role = "owner" | "validator" | "miner";

export interface MetagraphRow {
  readonly uid: number;
  readonly hotkey: string;
  readonly coldkey: string;
  readonly role: Role;
  /** Rao, exact (decimal string) and as a number for sorting. */
  readonly stake: string;
  readonly stakeValue: number;
  readonly emission: string;
  readonly emissionValue: number;
  readonly incentive: number;
  readonly dividends: number;
  readonly consensus: number;
  readonly validatorTrust: number;
  readonly active: boolean;
  readonly validatorPermit: boolean;
  readonly lastUpdate: number;
  readonly registrationBlock: number;
  readonly axon: string | null;
}

export const SORT_KEYS = ["uid", "hotkey", "role", "stake", "incentive", "dividends", "consensus", "validatorTrust", "emission", "lastUpdate", "axon"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = "ascending" | "descending";

export interface RowFilter {
  /** Part of a hotkey, a coldkey, or a uid (whole), case-insensitive. */
  readonly text: string;
  readonly role: Role | "all" | "serving";
}

/**
 * A neuron's role: the owner's hotkey; a validator — it holds a permit and validates (validator
 * trust or dividends: on a small subnet every uid holds a permit); else a miner.
 */
export function roleOf(m: MetagraphColumns, uid: number): Role {
  if (m.hotkeys[uid] === m.ownerHotkey) return "owner";
  return m.validatorPermit[uid] && ((m.validatorTrust[uid] ?? 0) > 0 || (m.dividends[uid] ?? 0) > 0) ? "validator" : "miner";
}

export function metagraphRows(m: MetagraphColumns): MetagraphRow[] {
  return m.hotkeys.map((hotkey, uid) => ({
    uid,
    hotkey,
    coldkey: m.coldkeys[uid] ?? "",
    role: roleOf(m, uid),
    stake: m.stake[uid] ?? "0",
    stakeValue: Number(m.stake[uid] ?? 0),
    emission: m.emission[uid] ?? "0",
    emissionValue: Number(m.emission[uid] ?? 0),
    incentive: m.incentive[uid] ?? 0,
    dividends: m.dividends[uid] ?? 0,
    consensus: m.consensus[uid] ?? 0,
    validatorTrust: m.validatorTrust[uid] ?? 0,
    active: m.active[uid] ?? false,
    validatorPermit: m.validatorPermit[uid] ?? false,
    lastUpdate: m.lastUpdate[uid] ?? 0,
    registrationBlock: m.registrationBlock[uid] ?? 0,
    axon: m.axon[uid] ?? null,
  }));
}

const COMPARE: Readonly<Record<SortKey, (a: MetagraphRow, b: MetagraphRow) => number>> = {
  uid: (a, b) => a.uid - b.uid,
  hotkey: (a, b) => (a.hotkey < b.hotkey ? -1 : a.hotkey > b.hotkey ? 1 : 0),
  role: (a, b) => a.role.localeCompare(b.role),
  stake: (a, b) => a.stakeValue - b.stakeValue,
  incentive: (a, b) => a.incentive - b.incentive,
  dividends: (a, b) => a.dividends - b.dividends,
  consensus: (a, b) => a.consensus - b.consensus,
  validatorTrust: (a, b) => a.validatorTrust - b.validatorTrust,
  emission: (a, b) => a.emissionValue - b.emissionValue,
  lastUpdate: (a, b) => a.lastUpdate - b.lastUpdate,
  axon: (a, b) => (a.axon ?? "").localeCompare(b.axon ?? ""),
};

/** The rows a filter keeps, in the order asked for (ties by uid, ascending). */
export function viewRows(rows: readonly MetagraphRow[], filter: RowFilter, key: SortKey, direction: SortDirection): MetagraphRow[] {
  const text = filter.text.trim().toLowerCase();
  const kept = rows.filter((r) => {
    if (filter.role === "serving" ? r.axon === null : filter.role !== "all" && r.role !== filter.role) return false;
    if (text === "") return true;
    return String(r.uid) === text || r.hotkey.toLowerCase().includes(text) || r.coldkey.toLowerCase().includes(text);
  });
  const sign = direction === "ascending" ? 1 : -1;
  const compare = COMPARE[key];
  return kept.sort((a, b) => sign * compare(a, b) || a.uid - b.uid);
}

/** The direction a column sorts in first: numbers largest first, text in alphabetical order. */
export function firstDirection(key: SortKey): SortDirection {
  return key === "uid" || key === "hotkey" || key === "role" || key === "axon" ? "ascending" : "descending";
}
