/**
 * `metagraph --sort COLUMN [--reverse]`: the columns neurons sort by, named as in the JSON output
 * (or as the table's headers say them). Numbers and yes/no sort largest (yes) first, uid and
 * addresses ascending; ties keep uid order.
 */
import type { Neuron } from "../chain/metagraph.js";
import { UserError } from "../util/errors.js";

type Key = (n: Neuron) => number | bigint | string;

const COLUMNS: Readonly<Record<string, { key: Key; ascending: boolean }>> = {
  uid: { key: (n) => n.uid, ascending: true },
  hotkey: { key: (n) => n.hotkey, ascending: true },
  coldkey: { key: (n) => n.coldkey, ascending: true },
  stake: { key: (n) => n.stake, ascending: false },
  active: { key: (n) => Number(n.active), ascending: false },
  validatorPermit: { key: (n) => Number(n.validatorPermit), ascending: false },
  validatorTrust: { key: (n) => n.validatorTrust, ascending: false },
  consensus: { key: (n) => n.consensus, ascending: false },
  incentive: { key: (n) => n.incentive, ascending: false },
  dividends: { key: (n) => n.dividends, ascending: false },
  emission: { key: (n) => n.emission, ascending: false },
  lastUpdate: { key: (n) => n.lastUpdate, ascending: false },
  registrationBlock: { key: (n) => n.registrationBlock, ascending: false },
};

/** The table's headers and btcli's short names for the same columns. */
const SPELLINGS: Readonly<Record<string, string>> = {
  permit: "validatorPermit",
  "v-trust": "validatorTrust",
  vtrust: "validatorTrust",
  updated: "lastUpdate",
  registered: "registrationBlock",
  S: "stake",
  C: "consensus",
  I: "incentive",
  D: "dividends",
  E: "emission",
};

export const SORT_COLUMNS: readonly string[] = Object.keys(COLUMNS);

/** The column's canonical name; a one-line error naming the columns otherwise. */
export function sortColumn(text: string): string {
  const name = SPELLINGS[text] ?? Object.keys(COLUMNS).find((c) => c.toLowerCase() === text.toLowerCase().replace(/[-_ ]/g, ""));
  if (!name || !(name in COLUMNS)) throw new UserError("BAD_SORT", `--sort: "${text}" is not a column; one of ${SORT_COLUMNS.join(", ")}`);
  return name;
}

export function sortNeurons(neurons: readonly Neuron[], column: string, reverse: boolean): Neuron[] {
  const { key, ascending } = COLUMNS[column]!;
  const direction = (ascending ? 1 : -1) * (reverse ? -1 : 1);
  return [...neurons].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    const order = x < y ? -1 : x > y ? 1 : 0;
    return order !== 0 ? order * direction : a.uid - b.uid;
  });
}
