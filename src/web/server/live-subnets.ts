/**
 * The subnets the dashboard follows block by block: those pinned on the command line and those a
 * page asks for (kept while a page listens, and `idleMs` after), at most `max` at once. Each refresh
 * reads a subnet's metagraph, epoch clock and pending commits together; its weights only when a
 * last update, the epoch or the neurons moved. What happened since the previous reading becomes
 * activity (recorded), and the subnet's state is handed on with the metagraph and weights only
 * when they changed.
 */
import type { ApiPromise } from "@polkadot/api";
import { activityBetween, recentRegistrations, type SubnetReading } from "../model/activity.js";
import type { Activity, EpochClock, LiveEvents, MetagraphColumns, SubnetPayload, WeightsMatrix } from "../model/api.js";
import { CodedError } from "../../util/errors.js";
import { readClock, readCommits, readMetagraph, readWeights } from "./chain-reads.js";

export class LiveSubnetError extends CodedError<"NO_SUBNET" | "TOO_MANY_SUBNETS"> {
  constructor(code: "NO_SUBNET" | "TOO_MANY_SUBNETS", message: string) {
    super(code, message);
    this.name = "LiveSubnetError";
  }
}

/** Activity entries sent with a subnet's state (newest first). */
const ACTIVITY_SHOWN = 100;
/** A subnet seen for the first time: its uids registered within this many blocks are told as registrations. */
const RECENT_REGISTRATION_BLOCKS = 1000;

interface Live {
  readonly netuid: number;
  payload: SubnetPayload;
  reading: SubnetReading;
  /** The metagraph's JSON (what is compared to tell a change, and sent as is). */
  metagraphJson: string;
  weightsJson: string;
  lastAskedMs: number;
}

export interface LiveSubnetsOptions {
  readonly pinned: readonly number[];
  readonly max: number;
  readonly idleMs: number;
  readonly activityShown?: number;
}

export interface LiveSubnetsModules {
  readonly api: ApiPromise;
  /** The subnet's name and symbol, as the subnets list has them. */
  readonly naming: (netuid: number) => { name: string | null; symbol: string };
  /** Recent activity kept from earlier runs, newest first (read once per subnet). */
  readonly recordedActivity: (netuid: number, limit: number) => Promise<Activity[]>;
  readonly recordActivity: (netuid: number, items: readonly Activity[]) => Promise<void>;
  /** A subnet's state after a refresh, as JSON (LiveEvents["subnet"]: `metagraph` and `weights` only when they changed). */
  readonly publish: (netuid: number, json: string) => void;
  readonly now?: () => number;
}

export class LiveSubnets {
  readonly #o: LiveSubnetsOptions;
  readonly #m: LiveSubnetsModules;
  readonly #live = new Map<number, Live>();
  readonly #starting = new Map<number, Promise<Live>>();
  readonly #listened = new Set<number>();

  constructor(options: LiveSubnetsOptions, modules: LiveSubnetsModules) {
    this.#o = options;
    this.#m = modules;
  }

  #now(): number {
    return (this.#m.now ?? Date.now)();
  }

  /** The subnets a page listens to now (kept live whatever their age). */
  setListened(netuids: Iterable<number>): void {
    this.#listened.clear();
    for (const n of netuids) this.#listened.add(n);
  }

  /** Netuids followed now. */
  netuids(): number[] {
    return [...this.#live.keys()].sort((a, b) => a - b);
  }

  /** A subnet's state now: read at once the first time (then followed), from memory afterwards. */
  async get(netuid: number, block: number): Promise<SubnetPayload> {
    const live = this.#live.get(netuid) ?? (await this.#start(netuid, block));
    live.lastAskedMs = this.#now();
    return live.payload;
  }

  /** The same as JSON, the metagraph and weights spliced in as already serialised. */
  async json(netuid: number, block: number): Promise<string> {
    const live = this.#live.get(netuid) ?? (await this.#start(netuid, block));
    live.lastAskedMs = this.#now();
    const { metagraph: _metagraph, weights: _weights, ...rest } = live.payload;
    return `${JSON.stringify(rest).slice(0, -1)},"metagraph":${live.metagraphJson},"weights":${live.weightsJson}}`;
  }

  #start(netuid: number, block: number): Promise<Live> {
    let starting = this.#starting.get(netuid);
    if (!starting) {
      this.#evictIdle();
      if (this.#live.size >= this.#o.max) return Promise.reject(new LiveSubnetError("TOO_MANY_SUBNETS", `the dashboard follows ${this.#o.max} subnets at once and every one is open in a page; close one`));
      starting = this.#firstReading(netuid, block).finally(() => this.#starting.delete(netuid));
      this.#starting.set(netuid, starting);
    }
    return starting;
  }

  async #firstReading(netuid: number, block: number): Promise<Live> {
    const [state, recorded] = await Promise.all([this.#read(netuid, block, undefined), this.#m.recordedActivity(netuid, this.#o.activityShown ?? ACTIVITY_SHOWN)]);
    let activity = recorded;
    if (recorded.length === 0) {
      const recent = recentRegistrations(state.metagraph, RECENT_REGISTRATION_BLOCKS);
      await this.#m.recordActivity(netuid, recent);
      activity = recent.slice().reverse();
    }
    const weights = await readWeights(this.#m.api, netuid, state.metagraph);
    const live: Live = {
      netuid,
      reading: state.reading,
      payload: { netuid, ...this.#m.naming(netuid), metagraph: state.metagraph, clock: state.clock, weights, activity },
      metagraphJson: JSON.stringify(state.metagraph),
      weightsJson: JSON.stringify(weights),
      lastAskedMs: this.#now(),
    };
    this.#live.set(netuid, live);
    return live;
  }

  async #read(netuid: number, block: number, before: Live | undefined): Promise<{ metagraph: MetagraphColumns; clock: EpochClock; reading: SubnetReading }> {
    const uids = new Map<string, number>();
    const [metagraph, clock, commits] = await Promise.all([
      readMetagraph(this.#m.api, netuid),
      readClock(this.#m.api, netuid, block),
      readCommits(this.#m.api, netuid, (hotkey) => uids.get(hotkey)),
    ]);
    if (!metagraph) {
      if (before) this.#live.delete(netuid);
      throw new LiveSubnetError("NO_SUBNET", `subnet ${netuid} does not exist on this chain`);
    }
    metagraph.hotkeys.forEach((hotkey, uid) => uids.set(hotkey, uid));
    const placed = commits.map((c) => ({ ...c, uid: uids.get(c.hotkey) ?? null }));
    return { metagraph, clock: { ...clock, block: metagraph.block, commits: placed }, reading: { metagraph, commits: placed, epoch: clock.epoch, revealPeriodEpochs: clock.revealPeriodEpochs } };
  }

  /** Reads every followed subnet at a new block (in parallel) and drops those nobody looks at any more; resolves with what failed, one line each. */
  async refresh(block: number): Promise<string[]> {
    this.#evictIdle();
    const problems: string[] = [];
    for (const netuid of this.#o.pinned) {
      if (!this.#live.has(netuid)) await this.#start(netuid, block).catch((error: Error) => problems.push(`subnet ${netuid}: ${error.message}`));
    }
    const lives = [...this.#live.values()];
    const results = await Promise.allSettled(lives.map((live) => this.#refreshOne(live, block)));
    results.forEach((r, i) => {
      if (r.status === "rejected") problems.push(`subnet ${lives[i]!.netuid}: ${(r.reason as Error).message}`);
    });
    return problems;
  }

  async #refreshOne(live: Live, block: number): Promise<void> {
    const state = await this.#read(live.netuid, block, live);
    const activity = activityBetween(live.reading, state.reading);
    if (activity.length > 0) await this.#m.recordActivity(live.netuid, activity);
    const metagraphJson = JSON.stringify(state.metagraph);
    const metagraphChanged = metagraphJson !== live.metagraphJson;
    const weightsDue = state.clock.epoch !== live.payload.clock.epoch || state.metagraph.n !== live.payload.metagraph.n || activity.length > 0 || lastUpdateMoved(live.payload.metagraph, state.metagraph);
    const weights: WeightsMatrix = weightsDue ? await readWeights(this.#m.api, live.netuid, state.metagraph) : { ...live.payload.weights, consensus: state.metagraph.consensus };
    const weightsJson = JSON.stringify(weights);
    const weightsChanged = weightsJson !== live.weightsJson;
    live.reading = state.reading;
    live.metagraphJson = metagraphJson;
    live.weightsJson = weightsJson;
    live.payload = {
      netuid: live.netuid,
      ...this.#m.naming(live.netuid),
      metagraph: state.metagraph,
      clock: state.clock,
      weights,
      activity: [...activity.slice().reverse(), ...live.payload.activity].slice(0, this.#o.activityShown ?? ACTIVITY_SHOWN),
    };
    const rest: Omit<LiveEvents["subnet"], "metagraph" | "weights"> = { netuid: live.netuid, name: live.payload.name, symbol: live.payload.symbol, clock: live.payload.clock, activity: live.payload.activity };
    // The metagraph and weights are spliced in as the JSON already made (a metagraph of 4096 uids is large).
    const json = `${JSON.stringify(rest).slice(0, -1)}${metagraphChanged ? `,"metagraph":${metagraphJson}` : ""}${weightsChanged ? `,"weights":${weightsJson}` : ""}}`;
    this.#m.publish(live.netuid, json);
  }

  #evictIdle(): void {
    const now = this.#now();
    for (const [netuid, live] of this.#live) {
      if (this.#o.pinned.includes(netuid) || this.#listened.has(netuid)) continue;
      if (now - live.lastAskedMs > this.#o.idleMs) this.#live.delete(netuid);
    }
  }
}

function lastUpdateMoved(a: MetagraphColumns, b: MetagraphColumns): boolean {
  if (a.lastUpdate.length !== b.lastUpdate.length) return true;
  for (let i = 0; i < a.lastUpdate.length; i++) if (a.lastUpdate[i] !== b.lastUpdate[i]) return true;
  return false;
}
