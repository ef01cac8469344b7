/**
 * The devnet's genesis: chain name and properties, funded accounts and the sudo key. Read from a
 * JSON file (config/devnet-genesis.json documents the format) or the built-in default, checked
 * strictly: a mistake names its JSON path.
 */
import { Keyring } from "@polkadot/keyring";
import { decodeAddress } from "@polkadot/util-crypto";
import { blake2_256 } from "./codec/hashing.js";
import { toHex } from "./codec/hex.js";
import { UserError } from "../util/errors.js";

export interface SubtensorGenesis {
  /** `dev` (short waits, as subtensor's fast-block localnet) or `mainnet-like` (HEAD's values). */
  readonly preset: "dev" | "mainnet-like";
  /** Alpha minted per block for each started subnet, rao. */
  readonly alphaEmissionPerBlock: bigint;
}

export interface GenesisConfig {
  readonly chain: string;
  readonly subtensor: SubtensorGenesis;
  readonly chainType: "Development" | "Local" | "Live";
  readonly properties: { readonly ss58Format: number; readonly tokenDecimals: number; readonly tokenSymbol: string };
  readonly sudo?: Uint8Array;
  readonly balances: readonly (readonly [Uint8Array, bigint])[];
}

export const DEV_ACCOUNTS = ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"] as const;

/** 1 000 000 TAO each for the well-known dev accounts, Alice holds the sudo key. */
export const DEFAULT_GENESIS_JSON = {
  chain: "tensornode devnet",
  chainType: "Development",
  properties: { ss58Format: 42, tokenDecimals: 9, tokenSymbol: "TAO" },
  sudo: "//Alice",
  balances: DEV_ACCOUNTS.map((name) => [`//${name}`, "1000000000000000"]),
  subtensor: { preset: "dev", alphaEmissionPerBlock: "1000000000" },
} as const;

export class GenesisError extends UserError<"BAD_GENESIS"> {
  constructor(where: string, message: string) {
    super("BAD_GENESIS", `${where}: ${message}`);
  }
}

const KEYS = new Set(["chain", "chainType", "properties", "sudo", "balances", "subtensor", "$comment"]);
const SUBTENSOR_KEYS = new Set(["preset", "alphaEmissionPerBlock"]);
const PROPERTY_KEYS = new Set(["ss58Format", "tokenDecimals", "tokenSymbol"]);
const U64_MAX = (1n << 64n) - 1n;

/** An account as the genesis file may name it: //Name (a dev key), an SS58 address, or 0x + 32 bytes. */
function parseAccount(value: unknown, where: string, keyring: () => Keyring): Uint8Array {
  if (typeof value !== "string" || value === "") throw new GenesisError(where, "expected an account: //Name, an SS58 address or a 0x-prefixed 32-byte public key");
  if (value.startsWith("//")) return keyring().addFromUri(value).publicKey;
  if (/^0x[0-9a-fA-F]{64}$/.test(value)) return new Uint8Array(Buffer.from(value.slice(2), "hex"));
  try {
    return decodeAddress(value);
  } catch {
    throw new GenesisError(where, `"${value}" is not an SS58 address, a //Name dev key or a 0x public key`);
  }
}

function parseRao(value: unknown, where: string): bigint {
  const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== "string" || !/^\d+$/.test(text)) throw new GenesisError(where, "expected a balance in rao, as a decimal string (1 TAO = 1000000000 rao)");
  const rao = BigInt(text);
  if (rao > U64_MAX) throw new GenesisError(where, "balance exceeds u64");
  return rao;
}

export function parseGenesis(json: unknown, source: string): GenesisConfig {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new GenesisError(source, "expected a JSON object");
  const o = json as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!KEYS.has(key)) throw new GenesisError(`${source}: ${key}`, `unknown key (expected one of ${[...KEYS].filter((k) => k !== "$comment").join(", ")})`);
  let ring: Keyring | undefined;
  const keyring = (): Keyring => (ring ??= new Keyring({ type: "sr25519" }));
  const chain = o.chain ?? DEFAULT_GENESIS_JSON.chain;
  if (typeof chain !== "string" || chain === "") throw new GenesisError(`${source}: chain`, "expected a non-empty string");
  const chainType = o.chainType ?? "Development";
  if (chainType !== "Development" && chainType !== "Local" && chainType !== "Live") throw new GenesisError(`${source}: chainType`, 'expected "Development", "Local" or "Live"');
  const props = (o.properties ?? DEFAULT_GENESIS_JSON.properties) as Record<string, unknown>;
  if (typeof props !== "object" || props === null || Array.isArray(props)) throw new GenesisError(`${source}: properties`, "expected an object");
  for (const key of Object.keys(props)) if (!PROPERTY_KEYS.has(key)) throw new GenesisError(`${source}: properties.${key}`, "unknown key (expected ss58Format, tokenDecimals, tokenSymbol)");
  const ss58Format = props.ss58Format ?? 42;
  const tokenDecimals = props.tokenDecimals ?? 9;
  const tokenSymbol = props.tokenSymbol ?? "TAO";
  if (!Number.isInteger(ss58Format) || (ss58Format as number) < 0 || (ss58Format as number) > 16383) throw new GenesisError(`${source}: properties.ss58Format`, "expected an integer 0..16383");
  if (!Number.isInteger(tokenDecimals) || (tokenDecimals as number) < 0 || (tokenDecimals as number) > 30) throw new GenesisError(`${source}: properties.tokenDecimals`, "expected an integer 0..30");
  if (typeof tokenSymbol !== "string" || tokenSymbol === "") throw new GenesisError(`${source}: properties.tokenSymbol`, "expected a non-empty string");
  const sudo = o.sudo === undefined || o.sudo === null ? undefined : parseAccount(o.sudo, `${source}: sudo`, keyring);
  const rawBalances = o.balances ?? [];
  if (!Array.isArray(rawBalances)) throw new GenesisError(`${source}: balances`, 'expected a list of ["account", "rao"] pairs');
  const seen = new Set<string>();
  const balances = rawBalances.map((entry, i): [Uint8Array, bigint] => {
    if (!Array.isArray(entry) || entry.length !== 2) throw new GenesisError(`${source}: balances[${i}]`, 'expected ["account", "rao"]');
    const who = parseAccount(entry[0], `${source}: balances[${i}][0]`, keyring);
    const rao = parseRao(entry[1], `${source}: balances[${i}][1]`);
    if (rao < 500n) throw new GenesisError(`${source}: balances[${i}][1]`, "below the existential deposit of 500 rao");
    const id = toHex(who);
    if (seen.has(id)) throw new GenesisError(`${source}: balances[${i}][0]`, "account listed twice");
    seen.add(id);
    return [who, rao];
  });
  const total = balances.reduce((sum, [, rao]) => sum + rao, 0n);
  if (total > U64_MAX) throw new GenesisError(`${source}: balances`, "total issuance exceeds u64");
  return { chain, chainType, properties: { ss58Format: ss58Format as number, tokenDecimals: tokenDecimals as number, tokenSymbol }, sudo, balances, subtensor: parseSubtensor(o.subtensor, source) };
}

function parseSubtensor(value: unknown, source: string): SubtensorGenesis {
  const o = (value ?? {}) as Record<string, unknown>;
  if (typeof o !== "object" || Array.isArray(o)) throw new GenesisError(`${source}: subtensor`, "expected an object");
  for (const key of Object.keys(o)) if (!SUBTENSOR_KEYS.has(key)) throw new GenesisError(`${source}: subtensor.${key}`, "unknown key (expected preset, alphaEmissionPerBlock)");
  const preset = o.preset ?? "dev";
  if (preset !== "dev" && preset !== "mainnet-like") throw new GenesisError(`${source}: subtensor.preset`, 'expected "dev" or "mainnet-like"');
  const alphaEmissionPerBlock = o.alphaEmissionPerBlock === undefined ? 1_000_000_000n : parseRao(o.alphaEmissionPerBlock, `${source}: subtensor.alphaEmissionPerBlock`);
  return { preset, alphaEmissionPerBlock };
}

/** A digest of the resolved genesis, to refuse a data dir created from another genesis. */
export function genesisDigest(genesis: GenesisConfig): string {
  const canonical = JSON.stringify({
    chain: genesis.chain,
    chainType: genesis.chainType,
    properties: genesis.properties,
    sudo: genesis.sudo ? toHex(genesis.sudo) : null,
    balances: genesis.balances.map(([who, rao]) => [toHex(who), rao.toString()]),
    subtensor: { preset: genesis.subtensor.preset, alphaEmissionPerBlock: genesis.subtensor.alphaEmissionPerBlock.toString() },
  });
  return toHex(blake2_256(new TextEncoder().encode(canonical)));
}
