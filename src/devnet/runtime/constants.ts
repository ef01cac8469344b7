/** The runtime's version and limits, and their SCALE encodings for metadata and RPC. */
import { blake2AsU8a } from "@polkadot/util-crypto";
import { ScaleWriter } from "../codec/scale.js";

export interface RuntimeVersionInfo {
  readonly specName: string;
  readonly implName: string;
  readonly authoringVersion: number;
  readonly specVersion: number;
  readonly implVersion: number;
  /** Runtime API names with their versions. */
  readonly apis: readonly (readonly [string, number])[];
  readonly transactionVersion: number;
  readonly systemVersion: number;
}

export interface RuntimeConstants {
  readonly version: RuntimeVersionInfo;
  readonly ss58Prefix: number;
  readonly blockHashCount: number;
  readonly existentialDeposit: bigint;
  readonly extrinsicBaseWeight: bigint;
  readonly baseBlockWeight: bigint;
  readonly maxBlockWeight: bigint;
  /** Share of block weight and length normal transactions may use (subtensor: 75 %). */
  readonly normalDispatchRatioPercent: bigint;
  readonly maxBlockLength: number;
  readonly dbRead: bigint;
  readonly dbWrite: bigint;
  readonly minimumPeriodMs: bigint;
  readonly operationalFeeMultiplier: number;
  readonly batchedCallsLimit: number;
}

/** subtensor HEAD's values (runtime/src/lib.rs, spec 425), with this devnet's implementation name. */
export const SUBTENSOR_CONSTANTS: RuntimeConstants = {
  version: {
    specName: "node-subtensor",
    implName: "tensornode-devnet",
    authoringVersion: 1,
    specVersion: 425,
    implVersion: 1,
    apis: [
      ["Core", 5],
      ["Metadata", 2],
      ["TaggedTransactionQueue", 3],
      ["AccountNonceApi", 1],
      ["TransactionPaymentApi", 4],
      ["TransactionPaymentCallApi", 3],
      // subtensor's, as served by pallets/subtensor/runtime-apis.ts (SubnetInfoRuntimeApi is #[api_version(2)] on HEAD)
      ["NeuronInfoRuntimeApi", 1],
      ["SubnetInfoRuntimeApi", 2],
      ["StakeInfoRuntimeApi", 1],
      ["SubnetRegistrationRuntimeApi", 1],
    ],
    transactionVersion: 1,
    systemVersion: 1,
  },
  ss58Prefix: 42,
  blockHashCount: 2400,
  existentialDeposit: 500n,
  extrinsicBaseWeight: 108_157_000n,
  baseBlockWeight: 431_614_000n,
  maxBlockWeight: 4_000_000_000_000n,
  normalDispatchRatioPercent: 75n,
  maxBlockLength: 10 * 1024 * 1024,
  dbRead: 25_000_000n,
  dbWrite: 100_000_000n,
  minimumPeriodMs: 6000n,
  operationalFeeMultiplier: 5,
  batchedCallsLimit: 10922,
};

export function apiId(name: string): Uint8Array {
  return blake2AsU8a(name, 64);
}

export function encodeRuntimeVersion(v: RuntimeVersionInfo): Uint8Array {
  const enc = new TextEncoder();
  const w = new ScaleWriter(256);
  w.bytes(enc.encode(v.specName)).bytes(enc.encode(v.implName)).u32(v.authoringVersion).u32(v.specVersion).u32(v.implVersion);
  w.vec(v.apis, (w, [name, version]) => w.raw(apiId(name)).u32(version));
  return w.u32(v.transactionVersion).u8(v.systemVersion).finish();
}

/** The runtime version as JSON-RPC's state_getRuntimeVersion answers it. */
export function runtimeVersionJson(v: RuntimeVersionInfo): Record<string, unknown> {
  return {
    specName: v.specName,
    implName: v.implName,
    authoringVersion: v.authoringVersion,
    specVersion: v.specVersion,
    implVersion: v.implVersion,
    apis: v.apis.map(([name, version]) => [`0x${Buffer.from(apiId(name)).toString("hex")}`, version]),
    transactionVersion: v.transactionVersion,
    systemVersion: v.systemVersion,
    stateVersion: v.systemVersion,
  };
}

/** The runtime as the new JSON-RPC spec reports it (chainHead_v1_follow's `spec`): `apis` keyed by API id. */
export function runtimeSpecJson(v: RuntimeVersionInfo): Record<string, unknown> {
  return {
    specName: v.specName,
    implName: v.implName,
    specVersion: v.specVersion,
    implVersion: v.implVersion,
    transactionVersion: v.transactionVersion,
    apis: Object.fromEntries(v.apis.map(([name, version]) => [`0x${Buffer.from(apiId(name)).toString("hex")}`, version])),
  };
}

function weight(w: ScaleWriter, refTime: bigint, proofSize: bigint): void {
  w.compact(refTime).compact(proofSize);
}

const U64_MAX = (1n << 64n) - 1n;

export function normalMaxWeight(c: RuntimeConstants): bigint {
  return (c.maxBlockWeight * c.normalDispatchRatioPercent) / 100n;
}

export function encodeBlockWeights(c: RuntimeConstants): Uint8Array {
  const w = new ScaleWriter(128);
  weight(w, c.baseBlockWeight, 0n);
  weight(w, c.maxBlockWeight, U64_MAX);
  const normal = normalMaxWeight(c);
  const perClass = (maxExtrinsic: bigint | undefined, maxTotal: bigint, reserved: bigint | undefined): void => {
    weight(w, c.extrinsicBaseWeight, 0n);
    w.option(maxExtrinsic, (w, v) => weight(w, v, U64_MAX));
    w.option(maxTotal, (w, v) => weight(w, v, U64_MAX));
    w.option(reserved, (w, v) => weight(w, v, U64_MAX));
  };
  perClass(normal - c.extrinsicBaseWeight, normal, 0n);
  perClass(c.maxBlockWeight - c.extrinsicBaseWeight, c.maxBlockWeight, c.maxBlockWeight - normal);
  weight(w, c.extrinsicBaseWeight, 0n);
  w.u8(0).u8(0).u8(0);
  return w.finish();
}

export function encodeBlockLength(c: RuntimeConstants): Uint8Array {
  const normal = Math.floor((c.maxBlockLength * Number(c.normalDispatchRatioPercent)) / 100);
  return new ScaleWriter(12).u32(normal).u32(c.maxBlockLength).u32(c.maxBlockLength).finish();
}
