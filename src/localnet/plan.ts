/**
 * Who takes part in a local network (pure): the owner, the validators with their stakes, and the
 * miners with how each behaves. By default the miners show the range a subnet pays for: one honest,
 * one noisy (every 5th answer wrong), one slow, one that goes offline; more miners repeat the cycle.
 */
import { UserError } from "../util/errors.js";
import type { MinerBehaviour } from "./variants.js";

export type LocalBehaviour = "honest" | "noisy" | "slow" | "offline";

export interface LocalMiner {
  readonly name: string;
  readonly behaviour: LocalBehaviour;
  /** The loopback IP it serves on (HEAD refuses axons on 127.0.0.1). */
  readonly host: string;
}

export interface LocalValidator {
  readonly name: string;
  /** Its coldkey: a funded dev account. */
  readonly coldkeyUri: string;
  readonly stakeTao: bigint;
}

export interface LocalnetPlan {
  readonly miners: readonly LocalMiner[];
  readonly validators: readonly LocalValidator[];
  /** The epoch (counted from the start) at which offline miners stop. */
  readonly offlineAtEpoch: number;
}

const CYCLE: readonly LocalBehaviour[] = ["honest", "noisy", "slow", "offline"];
/** Dev accounts that fund the validators (Alice owns the subnet and funds the miners' coldkey). */
const VALIDATOR_COLDKEYS = ["//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie"];

/** A local network that cannot be staffed as asked (a user error: one line, exit 2). */
export class PlanError extends UserError<"BAD_LOCALNET"> {
  constructor(message: string) {
    super("BAD_LOCALNET", message);
  }
}

export function planLocalnet(options: { miners: number; validators: number; epochs?: number }): LocalnetPlan {
  const { miners, validators } = options;
  if (!Number.isInteger(miners) || miners < 1 || miners > 64) throw new PlanError(`--miners: ${miners} is not in 1..64`);
  if (!Number.isInteger(validators) || validators < 1 || validators > VALIDATOR_COLDKEYS.length) throw new PlanError(`--validators: ${validators} is not in 1..${VALIDATOR_COLDKEYS.length}`);
  return {
    miners: Array.from({ length: miners }, (_, i) => ({ name: `miner${i + 1}`, behaviour: CYCLE[i % CYCLE.length]!, host: `127.0.0.${2 + i}` })),
    // Stakes 1000, 500, 333 … TAO: every validator earns a permit, the first leads consensus.
    validators: Array.from({ length: validators }, (_, i) => ({ name: `validator${i + 1}`, coldkeyUri: VALIDATOR_COLDKEYS[i]!, stakeTao: 1000n / BigInt(i + 1) })),
    offlineAtEpoch: Math.max(2, Math.floor((options.epochs ?? 9) / 3)),
  };
}

/** How a local miner behaves while it runs (offline ones are honest until they are stopped). */
export function behaviourOf(kind: LocalBehaviour, timeoutMs: number): MinerBehaviour {
  switch (kind) {
    case "honest":
    case "offline":
      return { kind: "honest" };
    case "noisy":
      return { kind: "noisy", every: 5 };
    case "slow":
      // Three quarters of the synapse's time-out: right, but late.
      return { kind: "slow", delayMs: Math.round(timeoutMs * 0.75) };
  }
}
