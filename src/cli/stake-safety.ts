/**
 * btcli's safe staking for `stake add` / `stake remove`: whether to send the limit-price call and
 * at what tolerance. On finney safe staking is the default, at btcli's default tolerance of 0.005
 * (0.5 %); elsewhere a plain add_stake / remove_stake unless --tolerance or --safe asks for a limit.
 * Pure: the flags and the chain's genesis hash in, the decision out.
 */
import { publicNetworkOf } from "../chain/networks.js";
import { parseTolerance } from "../chain/stake-math.js";
import { UserError } from "../util/errors.js";

/** btcli's default rate tolerance, 0.005 (0.5 %), in parts per 10⁹. */
export const DEFAULT_TOLERANCE = 5_000_000n;

export interface SafetyFlags {
  readonly safe?: unknown;
  readonly unsafe?: unknown;
  readonly tolerance?: unknown;
  readonly partial?: unknown;
}

/** The flags, checked before anything is asked of the chain: "auto" is decided by the chain's genesis. */
export interface SafetyChoice {
  readonly mode: "safe" | "unsafe" | "auto";
  readonly tolerance: bigint | undefined;
  readonly partial: boolean;
}

/** Unsafe: no price limit. Safe: a limit at price × (1 ± tolerance), all or nothing unless partial. */
export type StakeSafety = { readonly safe: false } | { readonly safe: true; readonly tolerance: bigint; readonly partial: boolean };

/** Reads --safe, --unsafe, --tolerance and --partial, refusing contradictions and a bad tolerance in one line. */
export function safetyChoice(flags: SafetyFlags): SafetyChoice {
  const safe = flags.safe === true;
  const unsafe = flags.unsafe === true;
  const tolerance = typeof flags.tolerance === "string" ? parseTolerance(flags.tolerance) : undefined;
  const partial = flags.partial === true;
  if (safe && unsafe) throw new UserError("BAD_SAFETY", "--safe and --unsafe together: give one");
  if (unsafe && tolerance !== undefined) throw new UserError("BAD_SAFETY", "--tolerance sets a price limit, which --unsafe turns off: give one");
  if (unsafe && partial) throw new UserError("BAD_SAFETY", "--partial fills up to a price limit, which --unsafe turns off: give one");
  return { mode: safe || tolerance !== undefined ? "safe" : unsafe ? "unsafe" : "auto", tolerance, partial };
}

/** The decision on a chain: "auto" is safe on finney (known by its genesis hash, whatever the endpoint; btcli's default), unsafe elsewhere. */
export function stakeSafety(choice: SafetyChoice, genesisHash: string): StakeSafety {
  const safe = choice.mode === "safe" || (choice.mode === "auto" && publicNetworkOf(genesisHash) === "finney");
  if (!safe) {
    if (choice.partial) throw new UserError("BAD_SAFETY", "--partial fills up to a price limit: give --tolerance FRACTION (or --safe) with it");
    return { safe: false };
  }
  return { safe: true, tolerance: choice.tolerance ?? DEFAULT_TOLERANCE, partial: choice.partial };
}
