/**
 * Who takes part in a local network (pure): the owner, the validators with their stakes, and the
 * miners with how each behaves. By default the miners show the range a subnet pays for: one honest,
 * one noisy (one answer in NOISY_EVERY wrong), one slow, one that goes offline; more miners repeat
 * the cycle. The behaviours are tuned so that the validators' scores (a moving average, alpha 0.1)
 * order them honest > noisy > slow > offline from the first weights on: `scripts/localnet-seeds.ts`
 * counts the seeds on which the incentive shows that order by epoch 4.
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
  /** The epoch (counted from when every daemon is up) at which offline miners stop. */
  readonly offlineAtEpoch: number;
}

const CYCLE: readonly LocalBehaviour[] = ["honest", "noisy", "slow", "offline"];
/**
 * The noisy miner gets one answer in this many wrong (an honest one scores about 0.99). Odd: the
 * validators query in step, one answer each, so with an even count every wrong answer would go
 * to the same validator and the other would score the noisy miner as honest.
 */
export const NOISY_EVERY = 5;
/** The slow miner holds its answers back this share of the synapse's time-out: scored about 0.65, below the noisy one, with room before the time-out. */
export const SLOW_SHARE = 0.7;
/**
 * Offline miners serve their axon and stop before the validators start (epoch 0): never answered,
 * their score is 0 from every validator's first query, so the order honest > noisy > slow > offline
 * holds from the first weights on, however busy the machine (a miner stopped later scores well at
 * first and decays at the pace of the validators' steps, which a busy machine slows).
 */
export const OFFLINE_AT_EPOCH = 0;
/** Dev accounts that fund the validators (Alice owns the subnet and funds the miners' coldkey). */
const VALIDATOR_COLDKEYS = ["//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie"];

/** A local network that cannot be staffed as asked (a user error: one line, exit 2). */
export class PlanError extends UserError<"BAD_LOCALNET"> {
  constructor(message: string) {
    super("BAD_LOCALNET", message);
  }
}

export function planLocalnet(options: { miners: number; validators: number }): LocalnetPlan {
  const { miners, validators } = options;
  if (!Number.isInteger(miners) || miners < 1 || miners > 64) throw new PlanError(`--miners: ${miners} is not in 1..64`);
  if (!Number.isInteger(validators) || validators < 1 || validators > VALIDATOR_COLDKEYS.length) throw new PlanError(`--validators: ${validators} is not in 1..${VALIDATOR_COLDKEYS.length}`);
  return {
    miners: Array.from({ length: miners }, (_, i) => ({ name: `miner${i + 1}`, behaviour: CYCLE[i % CYCLE.length]!, host: `127.0.0.${2 + i}` })),
    // Stakes 1000, 500, 333 … TAO: every validator earns a permit, the first leads consensus.
    validators: Array.from({ length: validators }, (_, i) => ({ name: `validator${i + 1}`, coldkeyUri: VALIDATOR_COLDKEYS[i]!, stakeTao: 1000n / BigInt(i + 1) })),
    offlineAtEpoch: OFFLINE_AT_EPOCH,
  };
}

/**
 * How a local miner behaves while it runs (offline ones are honest until they are stopped). The
 * seed picks which of the noisy miner's first answers is its first wrong one (then every
 * NOISY_EVERY-th): a run can be repeated, and different seeds show different runs.
 */
export function behaviourOf(kind: LocalBehaviour, timeoutMs: number, seed = 0): MinerBehaviour {
  switch (kind) {
    case "honest":
    case "offline":
      return { kind: "honest" };
    case "noisy":
      // Never the first answer (a validator's moving average starts at its first sample), and within the first few steps.
      return { kind: "noisy", every: NOISY_EVERY, first: 2 + (Math.abs(Math.trunc(seed)) % NOISY_EVERY) };
    case "slow":
      // Right, but late: scored well below the noisy miner, yet never near the time-out.
      return { kind: "slow", delayMs: Math.round(timeoutMs * SLOW_SHARE) };
  }
}
