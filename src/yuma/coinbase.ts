/**
 * The pure per-block emission split and the dividend alpha/root split of subtensor's coinbase
 * (`coinbase/run_coinbase.rs::emit_to_subnets`, `calculate_dividend_distribution`,
 * `block_step.rs::root_proportion`), in U96F32 as on chain. The devnet uses these every block.
 *
 * U96F32 values are raw bigints (value · 2^32), unsigned, saturating at 2^128 − 1.
 */
import { U16_MAX, U64_MAX } from "./fixed.js";

const U128_MAX = (1n << 128n) - 1n;
const ONE = 1n << 32n;
const HALF = 1n << 31n;

function saturate(raw: bigint): bigint {
  return raw < 0n ? 0n : raw > U128_MAX ? U128_MAX : raw;
}

export const u96 = {
  fromInt: (value: bigint): bigint => saturate(value << 32n),
  mul: (a: bigint, b: bigint): bigint => saturate((a * b) >> 32n),
  sub: (a: bigint, b: bigint): bigint => saturate(a - b),
  add: (a: bigint, b: bigint): bigint => saturate(a + b),
  /** `checked_div(..).unwrap_or(0)` / `safe_div`: 0 on division by zero or overflow. */
  div: (a: bigint, b: bigint): bigint => {
    if (b === 0n) return 0n;
    const q = (a << 32n) / b;
    return q > U128_MAX ? 0n : q;
  },
  /** `tou64!` = `saturating_to_num::<u64>()` (floor). */
  toU64: (raw: bigint): bigint => {
    const value = raw >> 32n;
    return value > U64_MAX ? U64_MAX : value;
  },
  one: ONE,
};

/** `get_tao_weight()`: TaoWeight / u64::MAX as U96F32. */
export function taoWeightU96(taoWeightU64: bigint): bigint {
  return u96.div(u96.fromInt(taoWeightU64), u96.fromInt(U64_MAX));
}

/** `root_proportion`: root_tao·w / (root_tao·w + alpha_issuance). */
export function rootProportion(rootTao: bigint, taoWeight: bigint, alphaIssuance: bigint): bigint {
  const weighted = u96.mul(u96.fromInt(rootTao), taoWeight);
  return u96.div(weighted, u96.add(weighted, u96.fromInt(alphaIssuance)));
}

export interface BlockEmissionInput {
  /** Alpha minted for the subnet this block (RAO). */
  readonly alphaOut: bigint;
  /** SubnetOwnerCut (u16; fraction = v / 65535). */
  readonly subnetOwnerCutU16: number;
  /** OwnerCutEnabled for the subnet (default true). */
  readonly ownerCutEnabled: boolean;
  /** `root_proportion` (raw U96F32). */
  readonly rootProportion: bigint;
  /** The network-wide root-sell flag: root alpha is paid out when true, recycled when false. */
  readonly rootSellFlag: boolean;
}

/** What one block adds to each pending pot (RAO, floored as `tou64!` does when accumulating). */
export interface BlockEmissionSplit {
  readonly ownerCut: bigint;
  readonly pendingServer: bigint;
  readonly pendingValidator: bigint;
  readonly pendingRootAlphaDivs: bigint;
  readonly recycledRootAlpha: bigint;
}

/** The participant part of `emit_to_subnets` for one subnet. */
export function splitBlockEmission(input: BlockEmissionInput): BlockEmissionSplit {
  let alphaOut = u96.fromInt(input.alphaOut);
  let ownerCut = 0n;
  if (input.ownerCutEnabled) {
    const cutFraction = u96.div(u96.fromInt(BigInt(input.subnetOwnerCutU16)), u96.fromInt(BigInt(U16_MAX)));
    const cut = u96.mul(alphaOut, cutFraction);
    alphaOut = u96.sub(alphaOut, cut);
    ownerCut = u96.toU64(cut);
  }
  const rootAlpha = u96.mul(u96.mul(input.rootProportion, alphaOut), HALF);
  const pendingServer = u96.mul(alphaOut, HALF);
  const pendingValidator = u96.sub(u96.sub(alphaOut, pendingServer), rootAlpha);
  const rootAlphaRao = u96.toU64(rootAlpha);
  return {
    ownerCut,
    pendingServer: u96.toU64(pendingServer),
    pendingValidator: u96.toU64(pendingValidator),
    pendingRootAlphaDivs: input.rootSellFlag ? rootAlphaRao : 0n,
    recycledRootAlpha: input.rootSellFlag ? 0n : rootAlphaRao,
  };
}

export interface DividendSplitInput<K> {
  /** PendingValidatorEmission (RAO). */
  readonly pendingAlpha: bigint;
  /** PendingRootAlphaDivs (RAO). */
  readonly pendingRootAlpha: bigint;
  /** `get_tao_weight()` (raw U96F32). */
  readonly taoWeight: bigint;
  /** Per hotkey: (alpha stake on the subnet, root stake), RAO. */
  readonly stake: ReadonlyMap<K, readonly [bigint, bigint]>;
  /** Per hotkey: its epoch dividend (raw U96F32), iterated in the map's order. */
  readonly dividends: ReadonlyMap<K, bigint>;
}

export interface DividendSplit<K> {
  /** Each hotkey's share of pendingAlpha (raw U96F32). */
  readonly alphaDividends: Map<K, bigint>;
  /** Each hotkey's share of pendingRootAlpha (raw U96F32). */
  readonly rootAlphaDividends: Map<K, bigint>;
}

/** `calculate_dividend_distribution`: splits each dividend into alpha and root parts, then rescales each part to its pot. */
export function dividendAlphaRootSplit<K>(input: DividendSplitInput<K>): DividendSplit<K> {
  let totalRoot = 0n;
  let totalAlpha = 0n;
  const alphaDivs = new Map<K, bigint>();
  const rootDivs = new Map<K, bigint>();
  for (const [hotkey, dividend] of input.dividends) {
    const stake = input.stake.get(hotkey);
    if (!stake) continue;
    const alphaStake = u96.fromInt(stake[0]);
    const rootAlpha = u96.mul(u96.fromInt(stake[1]), input.taoWeight);
    const rootProp = u96.div(rootAlpha, u96.add(alphaStake, rootAlpha));
    const rootPart = u96.mul(dividend, rootProp);
    const alphaPart = u96.sub(dividend, rootPart);
    alphaDivs.set(hotkey, u96.add(alphaDivs.get(hotkey) ?? 0n, alphaPart));
    rootDivs.set(hotkey, u96.add(rootDivs.get(hotkey) ?? 0n, rootPart));
    totalAlpha = u96.add(totalAlpha, alphaPart);
    totalRoot = u96.add(totalRoot, rootPart);
  }
  const pendingRoot = u96.fromInt(input.pendingRootAlpha);
  const pendingAlpha = u96.fromInt(input.pendingAlpha);
  const rootAlphaDividends = new Map<K, bigint>();
  for (const [hotkey, part] of rootDivs) rootAlphaDividends.set(hotkey, u96.mul(pendingRoot, u96.div(part, totalRoot)));
  const alphaDividends = new Map<K, bigint>();
  for (const [hotkey, part] of alphaDivs) alphaDividends.set(hotkey, u96.mul(pendingAlpha, u96.div(part, totalAlpha)));
  return { alphaDividends, rootAlphaDividends };
}
