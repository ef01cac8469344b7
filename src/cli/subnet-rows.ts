/**
 * What `subnet list` and `subnet show` print for a subnet: its summary (owner, size, burn, pool),
 * its name, its share of the chain's TAO emission and the blocks left to its next epoch, read in
 * one pass over the subnets. Block numbers are plain numbers; amounts are rao (bigint).
 */
import type { Codec } from "@polkadot/types/types";
import type { SubtensorOperations } from "../chain/operations.js";
import type { SubnetSummary } from "../chain/reads.js";
import { priceRao } from "./pool-price.js";

/** The chain's summary with block numbers as plain numbers (docs/cli-json.md), and what list and show add. */
export interface SubnetRow extends Omit<SubnetSummary, "registeredAt" | "firstEmissionBlock"> {
  readonly name: string;
  readonly registeredAt: number;
  /** The block emission started from (null: the owner has not run `subnet start`). */
  readonly firstEmissionBlock: number | null;
  /** Rao of τ per α (1e9 = 1 τ/α); null without alpha in the pool. */
  readonly price: bigint | null;
  /** TAO injected into the subnet's pool per block, rao. */
  readonly taoInEmission: bigint;
  /** This subnet's part of the TAO all subnets get per block (0..1); null when the chain emits none (a devnet). */
  readonly emissionShare: number | null;
  readonly nextEpochBlock: number;
  readonly blocksToEpoch: number;
}

type Struct = Codec & { get(name: string): Codec | undefined; toArray?: () => Codec[] };

const utf8 = (codec: Codec | undefined): string => (codec ? Buffer.from(codec.toU8a(true)).toString("utf8") : "");

/**
 * The subnet's name: its identity's (SubnetIdentitiesV3, one small read), else what
 * SubnetInfoRuntimeApi.get_metagraph answers (the chain's default name for the netuid).
 */
async function subnetName(ops: SubtensorOperations, netuid: number): Promise<string> {
  const identities = ops.chain.api.query["subtensorModule"]?.["subnetIdentitiesV3"] as unknown as ((n: number) => Promise<Codec & { isSome?: boolean; unwrap?: () => Struct }>) | undefined;
  const identity = identities ? await identities(netuid) : undefined;
  const named = identity?.isSome ? utf8(identity.unwrap!().get("subnetName")) : "";
  return named !== "" ? named : metagraphName(ops, netuid);
}

async function metagraphName(ops: SubtensorOperations, netuid: number): Promise<string> {
  const call = (ops.chain.api.call["subnetInfoRuntimeApi"] as Record<string, (n: number) => Promise<Codec>> | undefined)?.getMetagraph;
  if (!call) return "";
  const answer = (await call(netuid)) as Codec & { isSome: boolean; unwrap(): Struct };
  if (!answer.isSome) return "";
  const bytes = ((answer.unwrap().get("name") as Struct | undefined)?.toArray?.() ?? []).map((c) => Number(c.toString()));
  return Buffer.from(bytes).toString("utf8");
}

/** SubnetTaoInEmission: TAO injected into the subnet's pool per block, rao. */
async function taoInEmission(ops: SubtensorOperations, netuid: number): Promise<bigint> {
  const query = ops.chain.api.query["subtensorModule"]?.["subnetTaoInEmission"] as unknown as ((n: number) => Promise<Codec>) | undefined;
  return query ? BigInt((await query(netuid)).toString()) : 0n;
}

async function readOne(ops: SubtensorOperations, summary: SubnetSummary, block: bigint, emission: bigint, total: bigint): Promise<SubnetRow> {
  const [name, schedule] = await Promise.all([subnetName(ops, summary.netuid), ops.read.epochSchedule(summary.netuid)]);
  const price = priceRao(summary);
  return {
    netuid: summary.netuid,
    name,
    ownerColdkey: summary.ownerColdkey,
    ownerHotkey: summary.ownerHotkey,
    registeredAt: Number(summary.registeredAt),
    firstEmissionBlock: summary.firstEmissionBlock === undefined ? null : Number(summary.firstEmissionBlock),
    tempo: summary.tempo,
    n: summary.n,
    maxUids: summary.maxUids,
    burn: summary.burn,
    taoIn: summary.taoIn,
    alphaIn: summary.alphaIn,
    alphaOut: summary.alphaOut,
    price: price ?? null,
    taoInEmission: emission,
    emissionShare: total === 0n ? null : Number((emission * 1_000_000n) / total) / 1_000_000,
    nextEpochBlock: Number(schedule.nextEpochBlock),
    blocksToEpoch: schedule.nextEpochBlock > block ? Number(schedule.nextEpochBlock - block) : 0,
  };
}

/** Every subnet (or only the one given: none when it does not exist), ascending by netuid. */
export async function readSubnetRows(ops: SubtensorOperations, only?: number): Promise<SubnetRow[]> {
  const [block, netuids] = await Promise.all([ops.read.blockNumber(), ops.read.netuids()]);
  // The share is of every subnet's emission, so all are read even for one.
  const emissions = await Promise.all(netuids.map((n) => taoInEmission(ops, n)));
  const total = emissions.reduce((a, b) => a + b, 0n);
  const wanted = netuids.map((netuid, i) => ({ netuid, emission: emissions[i]! })).filter((w) => only === undefined || w.netuid === only);
  const rows = await Promise.all(
    wanted.map(async ({ netuid, emission }) => {
      const summary = await ops.read.subnetSummary(netuid);
      return summary === undefined ? undefined : readOne(ops, summary, block, emission, total);
    }),
  );
  return rows.filter((r): r is SubnetRow => r !== undefined);
}
