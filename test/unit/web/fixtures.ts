/** A small metagraph in the dashboard's column form, for the model's tests. */
import type { MetagraphColumns } from "../../../src/web/model/api.js";

export function columns(overrides: Partial<MetagraphColumns> = {}): MetagraphColumns {
  const base: MetagraphColumns = {
    netuid: 1,
    block: 100,
    n: 4,
    ownerHotkey: "5Owner",
    ownerColdkey: "5OwnerCold",
    hotkeys: ["5Owner", "5Validator", "5MinerA", "5MinerB"],
    coldkeys: ["5OwnerCold", "5VCold", "5MCold", "5MCold"],
    stake: ["44150000000", "641910000000", "3080000000", "2980000000"],
    emission: ["0", "1000000000", "600000000", "400000000"],
    incentive: [0, 0, 39321, 26214],
    dividends: [0, 65535, 0, 0],
    consensus: [0, 0, 39000, 26000],
    validatorTrust: [0, 65535, 0, 0],
    active: [true, true, true, true],
    validatorPermit: [true, true, false, false],
    lastUpdate: [10, 95, 12, 13],
    registrationBlock: [10, 11, 12, 13],
    axon: [null, null, "127.0.0.1:4001", "127.0.0.1:4002"],
  };
  return { ...base, ...overrides };
}
