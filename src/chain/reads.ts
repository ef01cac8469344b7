/**
 * Typed reads of subtensor's state that operations check before they submit: balances, subnets,
 * registrations, rate-limit bookkeeping, the epoch schedule. Names and layouts are HEAD's
 * (../shared/reference/subtensor-api.md §5); every read goes through the chain's own metadata.
 * Where the connected runtime lacks HEAD's newer storage (its metadata says so), the read follows
 * that runtime's own rules instead and says so in the debug log: the epoch schedule of spec ≤ 343,
 * no owner rate limits or freeze window before 343, no start_call before 343.
 */
import type {} from "@polkadot/api-augment";
import type { ApiPromise } from "@polkadot/api";
import type { Codec } from "@polkadot/types/types";
import { ONE, reservePrice, type StakePool } from "./stake-math.js";
import { ChainError } from "./errors.js";
import { fixedEpochSchedule, headEpochSchedule, type EpochSchedule } from "./epoch-schedule.js";
import { runtimeCapabilities } from "./runtime-capabilities.js";

export type { EpochSchedule } from "./epoch-schedule.js";

/** Where a reader says which rules it follows; a pino logger fits. */
export interface ReaderLog {
  debug(obj: object, msg: string): void;
}

type Query = (...args: unknown[]) => Promise<Codec>;
type RuntimeCall = (...args: unknown[]) => Promise<Codec>;

const big = (c: Codec): bigint => BigInt(c.toString());
const num = (c: Codec): number => Number(c.toString());

/** The value inside an Option codec, or undefined for None. */
function some(c: Codec): Codec | undefined {
  const option = c as Codec & { isSome?: boolean; unwrap?: () => Codec };
  if (option.isSome === undefined) return c;
  return option.isSome ? option.unwrap!() : undefined;
}

export interface WeightCommit {
  readonly hash: string;
  readonly epoch: bigint;
  readonly block: bigint;
}

export type WeightsRules = Awaited<ReturnType<ChainReader["weightsRules"]>>;

/** The weight setter's reads of one moment (ChainReader.weightsView). */
export interface WeightsView {
  readonly uid: number | undefined;
  readonly rules: WeightsRules;
  readonly schedule: EpochSchedule;
  readonly ownerHotkey: string;
  /** The hotkey's weight commits on the subnet. */
  readonly commits: readonly WeightCommit[];
  /** The block the uid was registered at (undefined when not registered). */
  readonly registrationBlock: bigint | undefined;
}

export interface SubnetSummary {
  readonly netuid: number;
  readonly ownerColdkey: string;
  readonly ownerHotkey: string;
  readonly registeredAt: bigint;
  /** The block emission starts from, once the owner called start_call. */
  readonly firstEmissionBlock: bigint | undefined;
  readonly tempo: number;
  readonly n: number;
  readonly maxUids: number;
  /** What registering a neuron burns now, rao. */
  readonly burn: bigint;
  /** TAO and alpha in the subnet's pool, rao; price = taoIn / alphaIn. */
  readonly taoIn: bigint;
  readonly alphaIn: bigint;
  readonly alphaOut: bigint;
}

export interface StakeRow {
  readonly hotkey: string;
  readonly coldkey: string;
  readonly netuid: number;
  /** Alpha on the subnet, rao. */
  readonly stake: bigint;
  readonly registered: boolean;
}

export class ChainReader {
  readonly api: ApiPromise;
  readonly #log: ReaderLog | undefined;
  readonly #said = new Set<string>();

  constructor(api: ApiPromise, options: { log?: ReaderLog } = {}) {
    this.api = api;
    this.#log = options.log;
  }

  #query(name: string): Query {
    const fn = this.api.query["subtensorModule"]?.[name];
    if (!fn) {
      const { chain } = runtimeCapabilities(this.api);
      throw new ChainError("CALL_UNSUPPORTED", `SubtensorModule.${name}`, `${chain} has no SubtensorModule.${upperFirst(name)} storage, which tensornode reads here (is it subtensor?)`);
    }
    return fn as unknown as Query;
  }

  /** Whether the runtime has SubtensorModule storage `item` (PascalCase, as in its metadata). */
  #has(item: string): boolean {
    return runtimeCapabilities(this.api).hasStorage("SubtensorModule", item);
  }

  /** Says once per reader, at debug level, that the runtime lacks `item` and what the read does instead. */
  #without(item: string, instead: string): void {
    if (this.#said.has(item)) return;
    this.#said.add(item);
    const { specVersion } = runtimeCapabilities(this.api);
    this.#log?.debug({ specVersion, missing: `SubtensorModule.${item}` }, `the chain (spec ${specVersion}) has no SubtensorModule.${item}: ${instead}`);
  }

  #call(api: string, method: string): RuntimeCall {
    const fn = (this.api.call[api] as Record<string, RuntimeCall> | undefined)?.[method];
    if (!fn) throw new ChainError("CALL_UNSUPPORTED", `${api}.${method}`, `${runtimeCapabilities(this.api).chain} serves no runtime API ${upperFirst(api)}.${method}, which tensornode reads here`);
    return fn;
  }

  async blockNumber(): Promise<bigint> {
    return big(await this.api.query.system.number());
  }

  /** The account's nonce as the chain's state has it (transactions in the pool not counted). */
  async accountNonce(address: string): Promise<number> {
    return (await this.api.query.system.account(address)).nonce.toNumber();
  }

  async freeBalance(address: string): Promise<bigint> {
    return (await this.api.query.system.account(address)).data.free.toBigInt();
  }

  existentialDeposit(): bigint {
    return big(this.api.consts.balances.existentialDeposit);
  }

  async subnetExists(netuid: number): Promise<boolean> {
    return (await this.#query("networksAdded")(netuid)).toJSON() === true;
  }

  async subnetOwner(netuid: number): Promise<string> {
    return (await this.#query("subnetOwner")(netuid)).toString();
  }

  async subnetOwnerHotkey(netuid: number): Promise<string> {
    return (await this.#query("subnetOwnerHotkey")(netuid)).toString();
  }

  /** Whether start_call has run (emission and staking on); runtimes before start_call (< 343) start subnets at registration. */
  async subnetStarted(netuid: number): Promise<boolean> {
    if (!this.#has("FirstEmissionBlockNumber")) {
      this.#without("FirstEmissionBlockNumber", "subnets start when registered (no start_call)");
      return true;
    }
    return some(await this.#query("firstEmissionBlockNumber")(netuid)) !== undefined;
  }

  async subtokenEnabled(netuid: number): Promise<boolean> {
    if (!this.#has("SubtokenEnabled")) {
      this.#without("SubtokenEnabled", "staking is open on every subnet");
      return true;
    }
    return (await this.#query("subtokenEnabled")(netuid)).toJSON() === true;
  }

  async uidOf(netuid: number, hotkey: string): Promise<number | undefined> {
    const uid = some(await this.#query("uids")(netuid, hotkey));
    return uid === undefined ? undefined : num(uid);
  }

  /** The block at which a uid was (last) registered. */
  async registrationBlock(netuid: number, uid: number): Promise<bigint> {
    return big((await this.#query("blockAtRegistration")(netuid, uid))!);
  }

  /** The coldkey owning a hotkey, or undefined when the hotkey is unknown to the chain. */
  async hotkeyOwner(hotkey: string): Promise<string | undefined> {
    const owner = await this.#query("owner")(hotkey);
    return owner.isEmpty || /^0x0+$/.test(owner.toHex()) ? undefined : owner.toString();
  }

  async burn(netuid: number): Promise<bigint> {
    return big(await this.#query("burn")(netuid));
  }

  async subnetSize(netuid: number): Promise<{ n: number; max: number }> {
    const [n, max] = await Promise.all([this.#query("subnetworkN")(netuid), this.#query("maxAllowedUids")(netuid)]);
    return { n: num(n), max: num(max) };
  }

  /** SubnetRegistrationRuntimeApi.get_network_registration_cost: the lock a new subnet costs now. */
  async networkRegistrationCost(): Promise<bigint> {
    return big(await this.#call("subnetRegistrationRuntimeApi", "getNetworkRegistrationCost")());
  }

  /** Blocks until anyone may register a subnet again (0: now). */
  async networkRateLimitBlocksLeft(nextBlock: bigint): Promise<bigint> {
    const lastBlock = this.#has("LastRateLimitedBlock")
      ? this.#query("lastRateLimitedBlock")({ NetworkLastRegistered: null })
      : this.#has("NetworkLastRegistered")
        ? this.#query("networkLastRegistered")()
        : undefined;
    if (!lastBlock) {
      this.#without("LastRateLimitedBlock", "the network registration rate limit is left to the chain");
      return 0n;
    }
    const [limit, last] = await Promise.all([this.#query("networkRateLimit")(), lastBlock]);
    return blocksLeft(big(last), big(limit), nextBlock);
  }

  /** Blocks until the owner may change hyperparameter `key` (Hyperparameter enum variant) again; 0 where the runtime keeps no such limit. */
  async ownerHyperparamBlocksLeft(netuid: number, key: string, nextBlock: bigint): Promise<bigint> {
    if (!this.#has("OwnerHyperparamRateLimit") || !this.#has("LastRateLimitedBlock")) {
      this.#without("OwnerHyperparamRateLimit", "no owner hyperparameter rate limit to check");
      return 0n;
    }
    if (!ownerRateLimitKeys(this.api).has(key)) return 0n; // an older runtime does not limit this one
    const [epochs, tempo, last] = await Promise.all([
      this.#query("ownerHyperparamRateLimit")(),
      this.#query("tempo")(netuid),
      this.#query("lastRateLimitedBlock")({ OwnerHyperparamUpdate: [netuid, key] }),
    ]);
    return blocksLeft(big(last), BigInt(num(epochs)) * BigInt(num(tempo)), nextBlock);
  }

  /** Blocks until the admin freeze window before the next epoch ends (0: changes allowed now, or no window in this runtime). */
  async freezeWindowBlocksLeft(netuid: number, nextBlock: bigint): Promise<bigint> {
    if (!this.#has("AdminFreezeWindow")) {
      this.#without("AdminFreezeWindow", "no admin freeze window to check");
      return 0n;
    }
    const [window, schedule] = await Promise.all([this.#query("adminFreezeWindow")(), this.epochSchedule(netuid)]);
    const remaining = schedule.nextEpochBlock > nextBlock ? schedule.nextEpochBlock - nextBlock : 0n;
    return remaining < BigInt(num(window)) ? remaining + 1n : 0n;
  }

  async sudoKey(): Promise<string | undefined> {
    const query = this.api.query["sudo"]?.["key"] as unknown as Query | undefined;
    if (!query) return undefined;
    const key = some(await query());
    return key?.toString();
  }

  async weightsRules(netuid: number): Promise<{
    rateLimit: bigint;
    lastUpdate: readonly bigint[];
    commitReveal: boolean;
    versionKey: bigint;
    permits: readonly boolean[];
    minAllowedWeights: number;
    /** The largest share one weight may have, as a u16 fraction (65535: no limit). */
    maxWeightLimit: number;
    n: number;
  }> {
    const [rateLimit, lastUpdate, commitReveal, versionKey, permits, minAllowed, n, maxLimit] = await Promise.all(
      ["weightsSetRateLimit", "lastUpdate", "commitRevealWeightsEnabled", "weightsVersionKey", "validatorPermit", "minAllowedWeights", "subnetworkN", "maxWeightsLimit"].map((name) => this.#query(name)(netuid)),
    );
    return {
      rateLimit: big(rateLimit!),
      lastUpdate: (lastUpdate as Codec & { toArray(): Codec[] }).toArray().map(big),
      commitReveal: commitReveal!.toJSON() === true,
      versionKey: big(versionKey!),
      permits: (permits as Codec & { toArray(): Codec[] }).toArray().map((c) => c.toJSON() === true),
      minAllowedWeights: num(minAllowed!),
      maxWeightLimit: num(maxLimit!),
      n: num(n!),
    };
  }

  /**
   * What the weight setter needs of the chain, read in one round trip: every storage item is asked
   * for in the same tick, which @polkadot/api sends as one `state_queryStorageAt`. `uidHint` (the
   * uid the hotkey had last time) lets the uid's registration block ride along; when the uid has
   * changed, that one item is read again.
   */
  async weightsView(netuid: number, hotkey: string, uidHint?: number): Promise<WeightsView> {
    const [uid, rules, schedule, ownerHotkey, commits, hinted] = await Promise.all([
      this.uidOf(netuid, hotkey),
      this.weightsRules(netuid),
      this.epochSchedule(netuid),
      this.subnetOwnerHotkey(netuid),
      this.weightCommits(netuid, hotkey),
      uidHint === undefined ? Promise.resolve(undefined) : this.registrationBlock(netuid, uidHint),
    ]);
    const registrationBlock = uid === undefined ? undefined : uid === uidHint ? hinted : await this.registrationBlock(netuid, uid);
    return { uid, rules, schedule, ownerHotkey, commits, registrationBlock };
  }

  /** Blocks until the hotkey may serve its axon again (0: now). */
  async servingBlocksLeft(netuid: number, hotkey: string, nextBlock: bigint): Promise<bigint> {
    const [limit, axon] = await Promise.all([this.#query("servingRateLimit")(netuid), this.#query("axons")(netuid, hotkey)]);
    const served = some(axon) as (Codec & { get(name: string): Codec | undefined }) | undefined;
    const block = served?.get("block");
    return blocksLeft(block ? big(block) : 0n, big(limit), nextBlock);
  }

  /** The axon a hotkey serves on a subnet, or undefined when it serves none. */
  async axonOf(netuid: number, hotkey: string): Promise<{ ip: string; port: number; block: bigint } | undefined> {
    const axon = some(await this.#query("axons")(netuid, hotkey)) as (Codec & { get(name: string): Codec | undefined }) | undefined;
    if (!axon) return undefined;
    const ip = big(axon.get("ip")!);
    const port = num(axon.get("port")!);
    if (ip === 0n && port === 0) return undefined;
    return { ip: ipText(ip, num(axon.get("ipType")!)), port, block: big(axon.get("block")!) };
  }

  async weightCommits(netuid: number, hotkey: string): Promise<WeightCommit[]> {
    const commits = some(await this.#query("weightCommits")(netuid, hotkey)) as (Codec & { toArray(): Codec[] }) | undefined;
    return (commits?.toArray() ?? []).map((entry) => {
      const [hash, epoch, block] = (entry as Codec & { toArray(): Codec[] }).toArray();
      return { hash: hash!.toHex(), epoch: big(epoch!), block: big(block!) };
    });
  }

  /**
   * When the subnet's epochs run: HEAD's scheduler storage where the runtime has it, else the fixed
   * rule of spec ≤ 343 computed from Tempo and the head (epoch-schedule.ts).
   */
  async epochSchedule(netuid: number): Promise<EpochSchedule> {
    if (!this.#has("SubnetEpochIndex")) {
      this.#without("SubnetEpochIndex", "the epoch schedule is computed by its fixed rule, (block + netuid + 1) / (tempo + 1)");
      const [tempo, period, head] = await Promise.all([this.#query("tempo")(netuid), this.#query("revealPeriodEpochs")(netuid), this.blockNumber()]);
      return fixedEpochSchedule(netuid, num(tempo), head, big(period));
    }
    const [tempo, index, last, pending, period] = await Promise.all(
      ["tempo", "subnetEpochIndex", "lastEpochBlock", "pendingEpochAt", "revealPeriodEpochs"].map((name) => this.#query(name)(netuid)),
    );
    return headEpochSchedule({ tempo: num(tempo!), index: big(index!), lastEpochBlock: big(last!), pendingEpochAt: big(pending!), revealPeriodEpochs: big(period!) });
  }

  /** The netuids of every subnet, ascending. */
  async netuids(): Promise<number[]> {
    const entries = await (this.api.query["subtensorModule"]!["networksAdded"] as unknown as { entries(): Promise<[{ args: Codec[] }, Codec][]> }).entries();
    return entries
      .filter(([, added]) => added.toJSON() === true)
      .map(([key]) => num(key.args[0]!))
      .sort((a, b) => a - b);
  }

  async subnetSummary(netuid: number): Promise<SubnetSummary | undefined> {
    if (!(await this.subnetExists(netuid))) return undefined;
    const names = ["subnetOwner", "subnetOwnerHotkey", "networkRegisteredAt", "firstEmissionBlockNumber", "tempo", "subnetworkN", "maxAllowedUids", "burn", "subnetTAO", "subnetAlphaIn", "subnetAlphaOut"];
    const [owner, ownerHotkey, registeredAt, first, tempo, n, max, burn, taoIn, alphaIn, alphaOut] = await Promise.all(names.map((name) => this.#query(name)(netuid)));
    const firstBlock = some(first!);
    return {
      netuid,
      ownerColdkey: owner!.toString(),
      ownerHotkey: ownerHotkey!.toString(),
      registeredAt: big(registeredAt!),
      firstEmissionBlock: firstBlock === undefined ? undefined : big(firstBlock),
      tempo: num(tempo!),
      n: num(n!),
      maxUids: num(max!),
      burn: big(burn!),
      taoIn: big(taoIn!),
      alphaIn: big(alphaIn!),
      alphaOut: big(alphaOut!),
    };
  }

  /** Every (hotkey, netuid) stake of a coldkey (StakeInfoRuntimeApi). */
  async stakesOfColdkey(coldkey: string): Promise<StakeRow[]> {
    const rows = (await this.#call("stakeInfoRuntimeApi", "getStakeInfoForColdkey")(coldkey)) as Codec & { toArray(): Codec[] };
    return rows.toArray().map((row) => stakeRow(row));
  }

  /**
   * A subnet's pool and its price (rao of TAO per whole α): SwapRuntimeApi.current_alpha_price
   * where the chain serves it (HEAD's Balancer price), else SubnetTAO / SubnetAlphaIn; root trades 1:1.
   */
  async stakePool(netuid: number): Promise<StakePool> {
    const [taoIn, alphaIn] = (await Promise.all([this.#query("subnetTAO")(netuid), this.#query("subnetAlphaIn")(netuid)])).map(big) as [bigint, bigint];
    if (netuid === 0) return { netuid, taoIn, alphaIn, price: ONE, stable: true };
    const priceApi = (this.api.call["swapRuntimeApi"] as Record<string, RuntimeCall> | undefined)?.["currentAlphaPrice"];
    const price = priceApi ? big(await priceApi(netuid)) : reservePrice(taoIn, alphaIn);
    return { netuid, taoIn, alphaIn, price, stable: false };
  }

  /** The chain's genesis hash (0x…), which names finney and the test network whatever the endpoint. */
  genesisHash(): string {
    return this.api.genesisHash.toHex();
  }

  /** A coldkey's alpha on one hotkey and subnet, rao. */
  async stakeOf(hotkey: string, coldkey: string, netuid: number): Promise<bigint> {
    const row = some(await this.#call("stakeInfoRuntimeApi", "getStakeInfoForHotkeyColdkeyNetuid")(hotkey, coldkey, netuid));
    return row ? stakeRow(row).stake : 0n;
  }
}

const RATE_LIMIT_KEYS = new WeakMap<object, ReadonlySet<string>>();

/** The Hyperparameter variants the runtime rate-limits owners by: LastRateLimitedBlock's `OwnerHyperparamUpdate(netuid, Hyperparameter)` key in its metadata. */
function ownerRateLimitKeys(api: ApiPromise): ReadonlySet<string> {
  const { registry } = api;
  let keys = RATE_LIMIT_KEYS.get(registry.metadata);
  if (keys) return keys;
  const item = registry.metadata.pallets
    .find((pallet) => pallet.name.toString() === "SubtensorModule")
    ?.storage.unwrapOr(undefined)
    ?.items.find((entry) => entry.name.toString() === "LastRateLimitedBlock");
  const rateLimitKey = item?.type.isMap ? registry.lookup.getTypeDef(item.type.asMap.key) : undefined;
  const update = rateLimitKey?.sub && Array.isArray(rateLimitKey.sub) ? rateLimitKey.sub.find((variant) => variant.name === "OwnerHyperparamUpdate") : undefined;
  const hyperparameter = update?.sub && Array.isArray(update.sub) ? update.sub[1] : undefined;
  const variants = hyperparameter?.lookupIndex === undefined ? undefined : registry.lookup.getTypeDef(hyperparameter.lookupIndex).sub;
  keys = new Set(Array.isArray(variants) ? variants.map((variant) => variant.name ?? "") : []);
  RATE_LIMIT_KEYS.set(registry.metadata, keys);
  return keys;
}

function upperFirst(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function stakeRow(row: Codec): StakeRow {
  const s = row as Codec & { get(name: string): Codec | undefined };
  const field = (name: string): Codec => {
    const value = s.get(name);
    if (!value) throw new Error(`the chain's StakeInfo has no field ${name}`);
    return value;
  };
  return {
    hotkey: field("hotkey").toString(),
    coldkey: field("coldkey").toString(),
    netuid: num(field("netuid")),
    stake: big(field("stake")),
    registered: field("isRegistered").toJSON() === true,
  };
}

/** An axon's u128 address as text (IPv4 dotted, IPv6 as eight groups). */
export function ipText(ip: bigint, ipType: number): string {
  if (ipType === 4) return [24, 16, 8, 0].map((shift) => Number((ip >> BigInt(shift)) & 0xffn)).join(".");
  return ip.toString(16).padStart(32, "0").replace(/(.{4})(?!$)/g, "$1:");
}

/** Blocks left in a rate limit of `limit` blocks since `last` when the next block is `next` (0 once passed; never limited when `last` is 0). */
export function blocksLeft(last: bigint, limit: bigint, next: bigint): bigint {
  if (last === 0n || limit === 0n) return 0n;
  const passed = next - last;
  return passed >= limit ? 0n : limit - passed;
}
