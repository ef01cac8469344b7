/**
 * The dashboard's JSON API: what the server (src/web/server) sends and the pages (src/web/dashboard)
 * read. Amounts are rao as decimal strings (exact); fractions of 1 are u16 (÷ 65535) as the chain
 * keeps them; per-uid vectors are columns indexed by uid (compact at 4096 uids).
 */

/** An error answer: `{"error": {code, message}}` with the HTTP status. */
export interface ApiError {
  readonly error: { readonly code: string; readonly message: string };
}

export interface StatusPayload {
  readonly version: string;
  readonly chain: {
    readonly endpoint: string;
    readonly connected: boolean;
    /** Why the chain cannot be read now (unreachable, connection lost), when it cannot. */
    readonly error: string | null;
    readonly block: number | null;
    /** "finney", "the test network", or null for any other chain. */
    readonly network: string | null;
  };
  /** Subnets whose history is recorded (null: every subnet). */
  readonly recording: readonly number[] | null;
  readonly historyEpochs: number;
  readonly daemons: number;
  /** The dashboard's own memory, MiB: resident set, the JavaScript heap (in use, reserved), memory outside it (of which ArrayBuffers). */
  readonly memory: { readonly rssMiB: number; readonly heapUsedMiB: number; readonly heapTotalMiB: number; readonly externalMiB: number; readonly arrayBuffersMiB: number };
}

export interface SubnetListRow {
  readonly netuid: number;
  /** The identity's name (attacker-controlled text), or null when the subnet has none. */
  readonly name: string | null;
  /** The token symbol (attacker-controlled text). */
  readonly symbol: string;
  readonly ownerColdkey: string;
  readonly ownerHotkey: string;
  readonly tempo: number;
  readonly n: number;
  readonly maxUids: number;
  /** Rao of τ per whole α (1e9 = 1 τ/α); null without α in the pool. */
  readonly price: string | null;
  /** τ injected into the pool per block, rao. */
  readonly taoInEmission: string;
  /** This subnet's part of all subnets' τ emission (0..1); null when the chain emits none. */
  readonly emissionShare: number | null;
}

export interface SubnetsPayload {
  readonly block: number;
  readonly subnets: readonly SubnetListRow[];
}

/** The metagraph as columns, each indexed by uid. */
export interface MetagraphColumns {
  readonly netuid: number;
  readonly block: number;
  readonly n: number;
  readonly ownerHotkey: string;
  readonly ownerColdkey: string;
  readonly hotkeys: readonly string[];
  readonly coldkeys: readonly string[];
  /** α stake, rao. */
  readonly stake: readonly string[];
  /** α emitted to the uid in the last epoch, rao. */
  readonly emission: readonly string[];
  readonly incentive: readonly number[];
  readonly dividends: readonly number[];
  readonly consensus: readonly number[];
  readonly validatorTrust: readonly number[];
  readonly active: readonly boolean[];
  readonly validatorPermit: readonly boolean[];
  readonly lastUpdate: readonly number[];
  readonly registrationBlock: readonly number[];
  /** "ip:port" of the axon served, or null. */
  readonly axon: readonly (string | null)[];
}

export interface PendingCommit {
  readonly hotkey: string;
  readonly uid: number | null;
  readonly hash: string;
  readonly epoch: number;
  readonly block: number;
}

export interface EpochClock {
  readonly block: number;
  readonly tempo: number;
  /** SubnetEpochIndex: epochs run so far. */
  readonly epoch: number;
  readonly lastEpochBlock: number;
  readonly nextEpochBlock: number;
  readonly commitReveal: boolean;
  readonly revealPeriodEpochs: number;
  /** Weight commits waiting on chain to be revealed, oldest first. */
  readonly commits: readonly PendingCommit[];
}

export type ActivityKind = "registered" | "deregistered" | "committed" | "revealed" | "expired" | "weights";

/** Something the dashboard saw happen on the subnet. */
export interface Activity {
  readonly kind: ActivityKind;
  readonly block: number;
  readonly uid: number;
  readonly hotkey: string;
  /** For a commit, reveal or expiry: the commit's hash. */
  readonly hash?: string;
}

/** The weights validators set: rows (validators, by uid) × columns (every uid), u16 as the chain keeps them. */
export interface WeightsMatrix {
  readonly block: number;
  readonly rows: readonly { readonly uid: number; readonly weights: readonly (readonly [uid: number, weight: number])[] }[];
  /** The epoch's consensus per uid (u16), the heatmap's last row. */
  readonly consensus: readonly number[];
}

export interface SubnetPayload {
  readonly netuid: number;
  readonly name: string | null;
  readonly symbol: string;
  readonly metagraph: MetagraphColumns;
  readonly clock: EpochClock;
  readonly weights: WeightsMatrix;
  /** Newest first. */
  readonly activity: readonly Activity[];
}

/** One uid's values per epoch (null: the uid was not held by its current hotkey then, or not registered). */
export interface UidSeries {
  readonly uid: number;
  readonly hotkey: string;
  readonly incentive: readonly (number | null)[];
  readonly dividends: readonly (number | null)[];
  /** α (floating point: for charts). */
  readonly emission: readonly (number | null)[];
  readonly stake: readonly (number | null)[];
}

export interface HistoryPayload {
  readonly netuid: number;
  /** SubnetEpochIndex of each point, ascending, one point per epoch recorded. */
  readonly epochs: readonly number[];
  readonly blocks: readonly number[];
  /** α the epoch paid to the owner, the miners and the validators. */
  readonly split: { readonly owner: readonly number[]; readonly miners: readonly number[]; readonly validators: readonly number[] };
  readonly series: readonly UidSeries[];
}

export type DaemonKind = "miner" | "validator" | "gateway" | "unknown";

export interface DaemonCount {
  readonly label: string;
  readonly total: number;
  /** Per second over the last interval between two reads; null after the first read. */
  readonly perSecond: number | null;
}

export interface DaemonView {
  readonly url: string;
  readonly kind: DaemonKind;
  /** Whether the last read answered. */
  readonly up: boolean;
  /** Why it did not (one sentence), when it did not. */
  readonly error: string | null;
  /** ms since the epoch of the last answer; null: never answered. */
  readonly lastSeenMs: number | null;
  /** /healthz's status ("ok", "starting") for miners and validators. */
  readonly health: string | null;
  /** Hotkeys it runs (a miner may run several), with their uid. */
  readonly hotkeys: readonly { readonly hotkey: string; readonly uid: number | null }[];
  /** Queries (validator), requests (miner, gateway) answered. */
  readonly served: DaemonCount | null;
  /** Failures by code. */
  readonly failures: readonly DaemonCount[];
  /** Weight submissions by action:outcome (validators). */
  readonly weights: readonly DaemonCount[];
  /** Other gauges worth a glance (queue, last step, last weights block …). */
  readonly gauges: readonly { readonly label: string; readonly value: number }[];
  /** A gateway's organic traffic per miner (GET /v1/attribution). */
  readonly attribution: readonly { readonly uid: number; readonly hotkey: string; readonly served: number; readonly failed: number; readonly p50Ms: number | null }[] | null;
}

export interface DaemonsPayload {
  readonly daemons: readonly DaemonView[];
}

/** Server-sent events: `event: <name>` with `data: <JSON>`. */
export interface LiveEvents {
  readonly status: StatusPayload;
  readonly subnets: SubnetsPayload;
  /** A subnet's state at a new block; `metagraph` and `weights` only when they changed. */
  readonly subnet: Omit<SubnetPayload, "metagraph" | "weights"> & { readonly metagraph?: MetagraphColumns; readonly weights?: WeightsMatrix };
  /** A new epoch was recorded: fetch the history again. */
  readonly epoch: { readonly netuid: number; readonly epoch: number; readonly block: number };
  readonly daemons: DaemonsPayload;
}
