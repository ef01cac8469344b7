/**
 * What the dashboard reads from the chain, each in as few round trips as the chain allows: the
 * subnets list in one multi-key read after the list of netuids; a subnet's epoch clock in one; its
 * pending weight commits and its weights as one prefix listing each; epoch indexes of every recorded
 * subnet in one; an epoch's record from the state at its block (and the pots just before it). All
 * through src/chain's connection and metagraph; every name is HEAD's, decoded from the metadata.
 */
import type { ApiPromise } from "@polkadot/api";
import type { Codec } from "@polkadot/types/types";
import { loadMetagraph, type Metagraph, type MetagraphAt } from "../../chain/metagraph.js";
import { ChainReader } from "../../chain/reads.js";
import { storageAt } from "../../chain/storage-at.js";
import { reservePrice } from "../../chain/stake-math.js";
import type { EpochClock, MetagraphColumns, PendingCommit, SubnetListRow, WeightsMatrix } from "../model/api.js";
import { epochRecordOf, type EpochRecord } from "../model/history.js";

type Query = ((...args: unknown[]) => Promise<Codec>) & {
  entries(...args: unknown[]): Promise<[{ args: Codec[] }, Codec][]>;
};
type QueryMulti = ApiPromise["queryMulti"];
type Struct = Codec & { get(name: string): Codec | undefined };
type Vector = Codec & { toArray(): Codec[] };
type OptionCodec = Codec & { isSome: boolean; unwrap(): Codec };

/** What a storage read goes through: the API, at the best block (reads at a block hash: storage-at.ts). */
type StorageView = Pick<ApiPromise, "query">;
export type ChainView = StorageView & { readonly queryMulti: QueryMulti };

const num = (c: Codec): number => Number(c.toString());
const big = (c: Codec): bigint => BigInt(c.toString());
const some = (c: Codec): Codec | undefined => {
  const o = c as Partial<OptionCodec>;
  if (o.isSome === undefined) return c;
  return o.isSome ? o.unwrap!() : undefined;
};
/** Bytes (Vec<u8> or Vec<Compact<u8>>) as UTF-8 text. */
const text = (c: Codec | undefined): string => {
  if (!c) return "";
  const items = (c as Partial<Vector>).toArray?.();
  const bytes = items ? Uint8Array.from(items.map(num)) : c.toU8a(true);
  return new TextDecoder().decode(bytes);
};

function query(api: StorageView, name: string): Query | undefined {
  return api.query["subtensorModule"]?.[name] as unknown as Query | undefined;
}

/** Several storage values in one round trip (state_queryStorageAt). */
async function multi(api: ChainView, keys: readonly (readonly [Query, ...unknown[]])[]): Promise<Codec[]> {
  if (keys.length === 0) return [];
  return (await api.queryMulti(keys as unknown as Parameters<QueryMulti>[0])) as Codec[];
}

function requireQuery(api: StorageView, name: string): Query {
  const q = query(api, name);
  if (!q) throw new Error(`the chain has no SubtensorModule.${name} storage (not subtensor?)`);
  return q;
}

/** The metagraph as the API's columns. */
export function metagraphColumns(m: Metagraph): MetagraphColumns {
  const ns = m.neurons;
  return {
    netuid: m.netuid,
    block: m.block,
    n: ns.length,
    ownerHotkey: m.ownerHotkey,
    ownerColdkey: m.ownerColdkey,
    hotkeys: ns.map((x) => x.hotkey),
    coldkeys: ns.map((x) => x.coldkey),
    stake: ns.map((x) => x.stake.toString()),
    emission: ns.map((x) => x.emission.toString()),
    incentive: ns.map((x) => x.incentive),
    dividends: ns.map((x) => x.dividends),
    consensus: ns.map((x) => x.consensus),
    validatorTrust: ns.map((x) => x.validatorTrust),
    active: ns.map((x) => x.active),
    validatorPermit: ns.map((x) => x.validatorPermit),
    lastUpdate: ns.map((x) => x.lastUpdate),
    registrationBlock: ns.map((x) => x.registrationBlock),
    axon: ns.map((x) => (x.axon ? `${x.axon.ip}:${x.axon.port}` : null)),
  };
}

/** A subnet's metagraph as columns (at the best block, or `at` an earlier one); undefined when there is no such subnet. */
export async function readMetagraph(api: ApiPromise, netuid: number, at?: MetagraphAt): Promise<MetagraphColumns | undefined> {
  const m = await loadMetagraph(api, netuid, at ? { at } : {});
  return m ? metagraphColumns(m) : undefined;
}

/** Every subnet: its owner, tempo, size, pool price and share of the chain's emission; names and symbols as the chain holds them. */
export async function readSubnetList(api: ApiPromise): Promise<SubnetListRow[]> {
  const netuids = await new ChainReader(api).netuids();
  const fields = ["subnetOwner", "subnetOwnerHotkey", "tempo", "subnetworkN", "maxAllowedUids", "subnetTAO", "subnetAlphaIn", "subnetTaoInEmission", "subnetIdentitiesV3", "tokenSymbol"] as const;
  const present = fields.filter((f) => query(api, f) !== undefined);
  const values = await multi(api, netuids.flatMap((netuid) => present.map((f) => [query(api, f)!, netuid] as const)));
  const rows = netuids.map((netuid, i) => {
    const at = (f: (typeof fields)[number]): Codec | undefined => {
      const index = present.indexOf(f);
      return index < 0 ? undefined : values[i * present.length + index];
    };
    const identity = some(at("subnetIdentitiesV3") ?? ({ isSome: false } as unknown as Codec)) as Struct | undefined;
    const name = identity ? text(identity.get("subnetName")) : "";
    const taoIn = at("subnetTAO") ? big(at("subnetTAO")!) : 0n;
    const alphaIn = at("subnetAlphaIn") ? big(at("subnetAlphaIn")!) : 0n;
    return {
      netuid,
      name: name === "" ? null : name,
      symbol: text(at("tokenSymbol")),
      ownerColdkey: at("subnetOwner")?.toString() ?? "",
      ownerHotkey: at("subnetOwnerHotkey")?.toString() ?? "",
      tempo: at("tempo") ? num(at("tempo")!) : 0,
      n: at("subnetworkN") ? num(at("subnetworkN")!) : 0,
      maxUids: at("maxAllowedUids") ? num(at("maxAllowedUids")!) : 0,
      price: alphaIn > 0n ? reservePrice(taoIn, alphaIn).toString() : null,
      emission: at("subnetTaoInEmission") ? big(at("subnetTaoInEmission")!) : 0n,
    };
  });
  const total = rows.reduce((a, r) => a + r.emission, 0n);
  return rows.map(({ emission, ...row }) => ({ ...row, taoInEmission: emission.toString(), emissionShare: total === 0n ? null : Number((emission * 1_000_000n) / total) / 1_000_000 }));
}

/** The epoch clock of a subnet at `block` (commits apart). */
export async function readClock(api: ChainView, netuid: number, block: number): Promise<Omit<EpochClock, "commits">> {
  const names = ["tempo", "subnetEpochIndex", "lastEpochBlock", "pendingEpochAt", "revealPeriodEpochs", "commitRevealWeightsEnabled"];
  const [tempo, index, last, pending, period, commitReveal] = await multi(api, names.map((n) => [requireQuery(api, n), netuid] as const));
  const lastEpochBlock = num(last!);
  const pendingAt = num(pending!);
  return {
    block,
    tempo: num(tempo!),
    epoch: num(index!),
    lastEpochBlock,
    nextEpochBlock: pendingAt > 0 ? pendingAt : lastEpochBlock + num(tempo!),
    commitReveal: commitReveal!.toJSON() === true,
    revealPeriodEpochs: num(period!),
  };
}

/** Weight commits pending on the subnet (WeightCommits), oldest first. */
export async function readCommits(api: StorageView, netuid: number, uidOf: (hotkey: string) => number | undefined): Promise<PendingCommit[]> {
  const entries = await requireQuery(api, "weightCommits").entries(netuid);
  const out: PendingCommit[] = [];
  for (const [key, value] of entries) {
    const hotkey = key.args[1]!.toString();
    const list = (some(value) as Vector | undefined)?.toArray() ?? [];
    for (const entry of list) {
      const [hash, epoch, block] = (entry as Vector).toArray();
      out.push({ hotkey, uid: uidOf(hotkey) ?? null, hash: hash!.toHex(), epoch: num(epoch!), block: num(block!) });
    }
  }
  return out.sort((a, b) => a.block - b.block || a.hotkey.localeCompare(b.hotkey));
}

/** The weights every uid of the subnet has on chain (Weights, one prefix listing), with the consensus. */
export async function readWeights(api: StorageView, netuid: number, metagraph: MetagraphColumns): Promise<WeightsMatrix> {
  const entries = await requireQuery(api, "weights").entries(netuid);
  const rows = entries
    .map(([key, value]) => ({
      uid: num(key.args[1]!),
      weights: (value as Vector).toArray().map((pair) => {
        const [uid, weight] = (pair as Vector).toArray();
        return [num(uid!), num(weight!)] as [number, number];
      }),
    }))
    .filter((r) => r.weights.length > 0)
    .sort((a, b) => a.uid - b.uid);
  return { block: metagraph.block, rows, consensus: metagraph.consensus };
}

export interface EpochMark {
  /** SubnetEpochIndex. */
  readonly epoch: number;
  readonly lastEpochBlock: number;
}

/** Epoch index and block of each subnet, in one read. */
export async function readEpochMarks(api: ChainView, netuids: readonly number[]): Promise<Map<number, EpochMark>> {
  const index = requireQuery(api, "subnetEpochIndex");
  const last = requireQuery(api, "lastEpochBlock");
  const values = await multi(api, netuids.flatMap((n) => [[index, n] as const, [last, n] as const]));
  return new Map(netuids.map((netuid, i) => [netuid, { epoch: num(values[2 * i]!), lastEpochBlock: num(values[2 * i + 1]!) }]));
}

/** The state of an earlier block is gone from the node (it keeps the last blocks' only, unless archive). */
export function isStateGone(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /State already discarded|UnknownBlock|not found|pruned|Unable to retrieve header/i.test(message);
}

/**
 * The record of the epoch that ran in `epochBlock`: the metagraph and epoch index at that block and
 * the pots the epoch paid (read at its parent). Undefined when the subnet did not exist then;
 * throws when the node no longer holds that state (see isStateGone).
 */
export async function readEpochRecord(api: ApiPromise, netuid: number, epochBlock: number): Promise<{ record: EpochRecord; previousEpochBlock: number; blockHash: string } | undefined> {
  const hash = await api.rpc.chain.getBlockHash(epochBlock);
  const blockHash = hash.toHex();
  if (hash.isEmpty || /^0x0+$/.test(blockHash)) throw new Error(`block ${epochBlock} not found`);
  const header = await api.rpc.chain.getHeader(hash);
  // Storage at a hash is decoded with that block's runtime (storage-at.ts); the runtime API's
  // answer with the registry asked for here. No api.at: it decorates the whole runtime again.
  const { registry } = await api.getBlockRegistry(hash.toU8a());
  const at = (block: { toHex(): string }, names: readonly string[]): Promise<Codec[]> => storageAt(api, block.toHex(), names.map((n) => [requireQuery(api, n), netuid] as const));
  const [metagraph, indexes, pots] = await Promise.all([
    readMetagraph(api, netuid, { hash: blockHash, registry }),
    at(hash, ["subnetEpochIndex"]),
    at(header.parentHash, ["pendingServerEmission", "pendingValidatorEmission", "pendingOwnerCut", "lastEpochBlock"]),
  ]);
  if (!metagraph) return undefined;
  const [server, validator, ownerCut, previous] = pots;
  const record = epochRecordOf({ ...metagraph, block: epochBlock }, num(indexes[0]!), { server: big(server!), validator: big(validator!), ownerCut: big(ownerCut!) });
  return { record, previousEpochBlock: num(previous!), blockHash };
}
