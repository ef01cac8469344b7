/**
 * A subnet's metagraph in one round trip: SubnetInfoRuntimeApi.get_metagraph as the real chain
 * serves it (decoded with the chain's own V15 metadata), typed per uid; weights and bonds on request
 * from NeuronInfoRuntimeApi.get_neurons. Validator trust comes from storage (not in the struct).
 */
import type { ApiPromise } from "@polkadot/api";
import type { Codec, Registry } from "@polkadot/types/types";
import { ChainError } from "./errors.js";
import { decodePlain, runtimeApiOutput, type Plain } from "./plain-decoder.js";
import { ipText } from "./reads.js";
import { storageAt } from "./storage-at.js";

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
type PlainStruct = { readonly [field: string]: Plain };

const num = (c: Codec | Plain | undefined): number => Number(typeof c === "object" && c !== null && "toString" in c && !(c instanceof Uint8Array) ? c.toString() : c);

function rows(c: Codec): [number, number][] {
  return (c as Vector).toArray().map((pair) => {
    const [a, b] = (pair as Vector).toArray();
    return [num(a!), num(b!)];
  });
}

/** A field of the chain's Metagraph, checked to be there. */
function field(m: PlainStruct, name: string): Plain {
  const value = m[name];
  if (value === undefined) throw new ChainError("TX_FAILED", "metagraph", `the chain's Metagraph has no field ${name}`);
  return value;
}
const column = (m: PlainStruct, name: string): readonly Plain[] => {
  const value = field(m, name);
  if (!Array.isArray(value)) throw new ChainError("TX_FAILED", "metagraph", `the chain's Metagraph field ${name} is not a list`);
  return value as readonly Plain[];
};

function axonOf(value: Plain): Axon | null {
  const a = value as PlainStruct;
  const ip = BigInt(a["ip"] as bigint);
  const port = Number(a["port"]);
  if (ip === 0n && port === 0) return null;
  const ipType = Number(a["ipType"]);
  return { ip: ipText(ip, ipType), port, ipType, protocol: Number(a["protocol"]), version: Number(a["version"]), block: Number(a["block"]) };
}

/** The fields of the chain's Metagraph read here; the others (over fifty) are read past. */
const METAGRAPH_FIELDS = ["block", "tempo", "ownerHotkey", "ownerColdkey", "hotkeys", "coldkeys", "alphaStake", "active", "validatorPermit", "consensus", "incentives", "dividends", "emission", "lastUpdate", "blockAtRegistration", "axons"];

/** An earlier block to read the metagraph at: its hash, and the registry of its runtime (`api.getBlockRegistry(hash)`). */
export interface MetagraphAt {
  readonly hash: string;
  readonly registry: Registry;
}

/**
 * Loads the metagraph of `netuid`; undefined when the subnet does not exist. `withoutTrust`: one
 * round trip (the runtime API alone), validator trust left at 0 — for daemons, which never use it.
 * The runtime API's answer is decoded into plain values (plain-decoder.ts), not @polkadot/types
 * codecs: it is read at every block by the daemons and the dashboard.
 */
export async function loadMetagraph(
  api: Pick<ApiPromise, "rpc" | "registry" | "query" | "call">,
  netuid: number,
  options: { withWeights?: boolean; withoutTrust?: boolean; at?: MetagraphAt } = {},
): Promise<Metagraph | undefined> {
  const registry = options.at?.registry ?? api.registry;
  const trustEntry = api.query["subtensorModule"]!["validatorTrust"] as unknown as (n: number) => Promise<Codec>;
  const output = runtimeApiOutput(registry, "SubnetInfoRuntimeApi", "get_metagraph");
  if (output === undefined) throw new ChainError("TX_FAILED", "metagraph", "the chain serves no SubnetInfoRuntimeApi.get_metagraph (an older runtime?)");
  // Hex: a Uint8Array handed to Bytes is read as length-prefixed.
  const netuidBytes = `0x${(netuid & 0xff).toString(16).padStart(2, "0")}${(netuid >> 8).toString(16).padStart(2, "0")}`;
  const stateCall = options.at
    ? api.rpc.state.call("SubnetInfoRuntimeApi_get_metagraph", netuidBytes, options.at.hash)
    : api.rpc.state.call("SubnetInfoRuntimeApi_get_metagraph", netuidBytes);
  const [answer, trust, full] = await Promise.all([
    stateCall,
    options.withoutTrust ? Promise.resolve(undefined) : options.at ? storageAt(api, options.at.hash, [[trustEntry, netuid]]).then(([trust]) => trust) : trustEntry(netuid),
    options.withWeights && !options.at ? (api.call["neuronInfoRuntimeApi"]!["getNeurons"] as unknown as (n: number) => Promise<Codec>)(netuid) : Promise.resolve(undefined),
  ]);
  const m = decodePlain(registry, output, answer.toU8a(true), { fields: METAGRAPH_FIELDS }) as PlainStruct | null;
  if (m === null) return undefined;
  const validatorTrust = trust ? (trust as Vector).toArray().map(num) : [];
  const hotkeys = column(m, "hotkeys").map(String);
  const coldkeys = column(m, "coldkeys").map(String);
  const stake = column(m, "alphaStake").map((v) => BigInt(v as bigint));
  const active = column(m, "active").map((v) => v === true);
  const permit = column(m, "validatorPermit").map((v) => v === true);
  const consensus = column(m, "consensus").map(Number);
  const incentive = column(m, "incentives").map(Number);
  const dividends = column(m, "dividends").map(Number);
  const emission = column(m, "emission").map((v) => BigInt(v as bigint));
  const lastUpdate = column(m, "lastUpdate").map(Number);
  const registered = column(m, "blockAtRegistration").map(Number);
  const axons = column(m, "axons").map(axonOf);
  const weightsByUid = new Map<number, { weights: [number, number][]; bonds: [number, number][] }>();
  for (const neuron of full ? (full as Vector).toArray() : []) {
    const n = neuron as Struct;
    weightsByUid.set(num(n.get("uid")), { weights: rows(n.get("weights")!), bonds: rows(n.get("bonds")!) });
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
    block: Number(field(m, "block")),
    tempo: Number(field(m, "tempo")),
    ownerHotkey: String(field(m, "ownerHotkey")),
    ownerColdkey: String(field(m, "ownerColdkey")),
    neurons,
  };
}
