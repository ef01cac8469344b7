/**
 * The local network's metagraph as text, fitted to a terminal's width: a title (block, epoch, the
 * next epoch, the owner cut), the table — columns dropped, least useful first, until every line
 * fits — and a legend that says which figures are the last epoch's and which are totals.
 */
import type { LocalnetSnapshot, NeuronRow } from "../../localnet/localnet.js";
import { renderTable, type Column } from "../table.js";
import { RAO_PER_TAO } from "../../chain/units.js";

/** rao as α with two decimals (truncated), e.g. 631.17: the table's amounts; --json has them exact. */
export function alpha(rao: bigint): string {
  const sign = rao < 0n ? "-" : "";
  const abs = rao < 0n ? -rao : rao;
  const cents = abs / (RAO_PER_TAO / 100n);
  return `${sign}${cents / 100n}.${String(cents % 100n).padStart(2, "0")}`;
}

const percent = (x: number): string => `${(x * 100).toFixed(2)}%`;

function neuron(r: NeuronRow): string {
  return r.role.startsWith("miner (") ? `${r.name} ${r.role.slice(7, -1)}` : r.name === "-" ? r.role : r.name;
}

function serving(r: NeuronRow): string {
  if (r.running === undefined) return "-";
  if (!r.running) return "stopped";
  return r.serving ? "yes" : "no axon";
}

interface Optional extends Column<NeuronRow> {
  /** Dropped when the table does not fit: the lowest first; undefined: always kept. */
  readonly drop?: number;
}

const COLUMNS: readonly Optional[] = [
  { header: "uid", value: (r) => String(r.uid) },
  { header: "neuron", value: neuron, align: "left" },
  { header: "serving", value: serving, align: "left" },
  { header: "stake α", value: (r) => alpha(r.stake) },
  { header: "incentive", value: (r) => percent(r.incentive) },
  { header: "dividends", value: (r) => percent(r.dividends) },
  { header: "emission α", value: (r) => alpha(r.emission), drop: 2 },
  { header: "earned α", value: (r) => alpha(r.earned), drop: 3 },
  { header: "v-trust", value: (r) => percent(r.validatorTrust), drop: 1 },
  { header: "updated", value: (r) => (r.lastUpdate === 0 ? "-" : `${r.blocksSinceUpdate} ago`) },
];

const widest = (text: string): number => Math.max(...text.split("\n").map((line) => [...line].length));

/** Words joined into lines of at most `width` characters (a word longer than that gets its own line). */
export function wrap(parts: readonly string[], width: number, separator = " · "): string[] {
  const lines: string[] = [];
  let line = "";
  for (const part of parts) {
    const next = line === "" ? part : `${line}${separator}${part}`;
    if ([...next].length <= width || line === "") line = next;
    else {
      lines.push(line);
      line = part;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** The snapshot as text no wider than `width` columns (80 when the terminal's is unknown). */
export function renderSnapshot(s: LocalnetSnapshot, width = 80): string {
  const columns = [...COLUMNS];
  let table = renderTable(columns, s.rows);
  const droppable = columns.filter((c) => c.drop !== undefined).sort((a, b) => a.drop! - b.drop!);
  while (widest(table) > width && droppable.length > 0) {
    columns.splice(columns.indexOf(droppable.shift()!), 1);
    table = renderTable(columns, s.rows);
  }
  const headers = new Set(columns.map((c) => c.header));
  const title = wrap(
    [`subnet ${s.netuid}`, `block ${s.block}`, `epoch ${s.epochs}`, `next epoch at block ${s.nextEpochBlock} (in ${Math.max(0, s.nextEpochBlock - s.block)})`, `owner cut so far ${alpha(s.ownerGain)} α`],
    width,
  );
  const lastEpoch = ["incentive", "dividends", ...(headers.has("emission α") ? ["emission"] : [])].join(", ");
  const legend = wrap(
    [`${lastEpoch}: the last epoch's`, ...(headers.has("earned α") ? ["earned: total since the start"] : []), "updated: blocks since its last weights (or registration)"],
    width,
    "; ",
  );
  return `${title.join("\n")}\n${table}\n${legend.join("\n")}\n`;
}
