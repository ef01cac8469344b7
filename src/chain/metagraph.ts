/**
 * A subnet's metagraph in one round trip: SubnetInfoRuntimeApi.get_metagraph as the real chain
 * serves it (decoded with the chain's own V15 metadata), typed per uid; weights and bonds on request
 * from NeuronInfoRuntimeApi.get_neurons. Validator trust comes from storage (not in the struct).
 */
import type { ApiPromise } from "@polkadot/api";
import type { Codec } from "@polkadot/types/types";
import { ChainError } from "./errors.js";
import { ipText } from "./reads.js";

export interface Axon {
  readonly ip: string;
  readonly port: number;
  readonly ipType: number;
  readonly protocol: number;
  readonly version: number;
  readonly block: number;
}

export interface Neuron {
  readonly uid: number;
  readonly hotkey: string;
  readonly coldkey: string;
  /** Alpha stake on the subnet, rao. */
  readonly stake: bigint;
  readonly active: boolean;
  readonly validatorPermit: boolean;
  /** Fractions of 1 as u16 (÷ 65535). */
  readonly consensus: number;
  readonly incentive: number;
  readonly dividends: number;
  readonly validatorTrust: number;
  /** Alpha emitted to the uid in the last epoch, rao. */
  readonly emission: bigint;
  readonly lastUpdate: number;
  readonly registrationBlock: number;
  readonly axon: Axon | null;
  /** (uid, u16 weight) rows, when asked for. */
  readonly weights?: readonly (readonly [number, number])[];
  readonly bonds?: readonly (readonly [number, number])[];
}

export interface Metagraph {
  readonly netuid: number;
  readonly block: number;
  readonly tempo: number;
  readonly ownerHotkey: string;
  readonly ownerColdkey: string;
  readonly neurons: readonly Neuron[];
}

type Struct = Codec & { get(name: string): Codec | undefined };
type Vector = Codec & { toArray(): Codec[] };

function field(s: Struct, name: string): Codec {
  const value = s.get(name);
  if (!value) throw new ChainError("TX_FAILED", "metagraph", `the chain's Metagraph has no field ${name}`);
  return value;
}
const vector = (s: Struct, name: string): Codec[] => (field(s, name) as Vector).toArray();
const num = (c: Codec): number => Number(c.toString());
const big = (c: Codec): bigint => BigInt(c.toString());


function axonOf(c: Codec): Axon | null {
  const a = c as Struct;
  const ip = big(field(a, "ip"));
  const port = num(field(a, "port"));
  if (ip === 0n && port === 0) return null;
  const ipType = num(field(a, "ipType"));
  return { ip: ipText(ip, ipType), port, ipType, protocol: num(field(a, "protocol")), version: num(field(a, "version")), block: num(field(a, "block")) };
}

function rows(c: Codec): [number, number][] {
  return (c as Vector).toArray().map((pair) => {
    const [a, b] = (pair as Vector).toArray();
    return [num(a!), num(b!)];
  });
}

/** What the metagraph is read through: the API at the best block, or `api.at(hash)` for an earlier block. */
export type MetagraphSource = Pick<ApiPromise, "call" | "query">;

/**
 * Loads the metagraph of `netuid`; undefined when the subnet does not exist. `withoutTrust`: one
 * round trip (the runtime API alone), validator trust left at 0 — for daemons, which never use it.
 */
export async function loadMetagraph(api: MetagraphSource, netuid: number, options: { withWeights?: boolean; withoutTrust?: boolean } = {}): Promise<Metagraph | undefined> {
  const subnetInfo = api.call["subnetInfoRuntimeApi"] as Record<string, (...args: unknown[]) => Promise<Codec>> | undefined;
  if (!subnetInfo?.getMetagraph) throw new ChainError("TX_FAILED", "metagraph", "the chain serves no SubnetInfoRuntimeApi.get_metagraph (an older runtime?)");
  const [answer, trust, full] = await Promise.all([
    subnetInfo.getMetagraph(netuid),
    options.withoutTrust ? Promise.resolve(undefined) : (api.query["subtensorModule"]!["validatorTrust"] as unknown as (n: number) => Promise<Codec>)(netuid),
    options.withWeights ? (api.call["neuronInfoRuntimeApi"]!["getNeurons"] as unknown as (n: number) => Promise<Codec>)(netuid) : Promise.resolve(undefined),
  ]);
  const option = answer as Codec & { isSome: boolean; unwrap(): Struct };
  if (!option.isSome) return undefined;
  const m = option.unwrap();
  const validatorTrust = trust ? (trust as Vector).toArray().map(num) : [];
  const hotkeys = vector(m, "hotkeys").map(String);
  const coldkeys = vector(m, "coldkeys").map(String);
  const stake = vector(m, "alphaStake").map(big);
  const active = vector(m, "active").map((c) => c.toJSON() === true);
  const permit = vector(m, "validatorPermit").map((c) => c.toJSON() === true);
  const consensus = vector(m, "consensus").map(num);
  const incentive = vector(m, "incentives").map(num);
  const dividends = vector(m, "dividends").map(num);
  const emission = vector(m, "emission").map(big);
  const lastUpdate = vector(m, "lastUpdate").map(num);
  const registered = vector(m, "blockAtRegistration").map(num);
  const axons = vector(m, "axons").map(axonOf);
  const weightsByUid = new Map<number, { weights: [number, number][]; bonds: [number, number][] }>();
  for (const neuron of full ? (full as Vector).toArray() : []) {
    const n = neuron as Struct;
    weightsByUid.set(num(field(n, "uid")), { weights: rows(field(n, "weights")), bonds: rows(field(n, "bonds")) });
  }
  const neurons = hotkeys.map((hotkey, uid): Neuron => ({
    uid,
    hotkey,
    coldkey: coldkeys[uid] ?? "",
    stake: stake[uid] ?? 0n,
    active: active[uid] ?? false,
    validatorPermit: permit[uid] ?? false,
    consensus: consensus[uid] ?? 0,
    incentive: incentive[uid] ?? 0,
    dividends: dividends[uid] ?? 0,
    validatorTrust: validatorTrust[uid] ?? 0,
    emission: emission[uid] ?? 0n,
    lastUpdate: lastUpdate[uid] ?? 0,
    registrationBlock: registered[uid] ?? 0,
    axon: axons[uid] ?? null,
    ...(weightsByUid.has(uid) ? weightsByUid.get(uid)! : {}),
  }));
  return {
    netuid,
    block: num(field(m, "block")),
    tempo: num(field(m, "tempo")),
    ownerHotkey: String(field(m, "ownerHotkey")),
    ownerColdkey: String(field(m, "ownerColdkey")),
    neurons,
  };
}
