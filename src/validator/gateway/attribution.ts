/** Per-miner attribution of organic traffic, from the ledger's entries (pure). */
import type { OrganicRecord } from "../organic-ledger.js";

export interface MinerAttribution {
  readonly uid: number;
  readonly hotkey: string;
  readonly served: number;
  readonly failed: number;
  /** Refused for load (Busy, RateLimited): sent elsewhere, not held against the miner. */
  readonly busy: number;
  /** Failures by code (TIMEOUT, UNREACHABLE, BAD_OUTPUT, …). */
  readonly failures: Readonly<Record<string, number>>;
  /** Latency of the requests served, ms; null when none was. */
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number } | null;
}

/** The value at quantile q of ascending `sorted` (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** One row per (uid, hotkey) seen, by uid. */
export function attributionTable(records: Iterable<OrganicRecord>): MinerAttribution[] {
  const rows = new Map<string, { uid: number; hotkey: string; served: number; failed: number; busy: number; failures: Record<string, number>; latencies: number[] }>();
  for (const r of records) {
    const id = `${r.uid}/${r.hotkey}`;
    let row = rows.get(id);
    if (!row) rows.set(id, (row = { uid: r.uid, hotkey: r.hotkey, served: 0, failed: 0, busy: 0, failures: {}, latencies: [] }));
    if (r.outcome === "served") {
      row.served += 1;
      row.latencies.push(r.latencyMs);
    } else if (r.outcome === "refused-busy") {
      row.busy += 1;
    } else {
      row.failed += 1;
      const code = r.code ?? "FAILED";
      row.failures[code] = (row.failures[code] ?? 0) + 1;
    }
  }
  return [...rows.values()]
    .sort((a, b) => a.uid - b.uid || a.hotkey.localeCompare(b.hotkey))
    .map(({ latencies, ...row }) => {
      const sorted = latencies.sort((a, b) => a - b);
      return { ...row, latencyMs: sorted.length === 0 ? null : { p50: round1(quantile(sorted, 0.5)), p90: round1(quantile(sorted, 0.9)), p99: round1(quantile(sorted, 0.99)) } };
    });
}
