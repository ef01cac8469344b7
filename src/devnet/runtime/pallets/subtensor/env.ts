/**
 * What SubtensorModule's parts share: its spec (error and event indices by name), the pallets it
 * pays through, and the chain settings a genesis preset may change.
 */
import { ScaleWriter } from "../../../codec/scale.js";
import type { BlockContext } from "../../context.js";
import { DispatchFailure } from "../../dispatch.js";
import type { BalancesPallet } from "../balances.js";
import type { SystemPallet } from "../system.js";
import type { PalletSpec } from "./declare.js";
import { SUBTENSOR_MODULE_SPEC } from "./spec.generated.js";

/** Chain-wide settings HEAD takes from its runtime configuration; a dev genesis shortens the waits. */
export interface SubtensorSettings {
  /** Tempo a new subnet starts with (HEAD: 360; fast-runtime localnet: 10). */
  readonly initialTempo: number;
  /** Blocks between two subnet registrations, anyone's (HEAD: 7200). */
  readonly networkRateLimit: bigint;
  /** Blocks after registration before start_call (HEAD: 0). */
  readonly startCallDelay: bigint;
  /** Immunity period of new subnets' neurons (HEAD init_new_network: 5000). */
  readonly initialImmunityPeriod: number;
  /** Registration cost of a new subnet (HEAD: 1 TAO). */
  readonly initialBurn: bigint;
  /** Alpha minted per block for each started subnet before halvings, rao (HEAD: 1 alpha). */
  readonly alphaEmissionPerBlock: bigint;
  /** Epochs between owner changes of one hyperparameter, × tempo (HEAD: 2). */
  readonly ownerHyperparamRateLimit: number;
  /** Blocks before an epoch in which no admin change is allowed (HEAD: 10). */
  readonly adminFreezeWindow: number;
  /** Default WeightsSetRateLimit of a new subnet (HEAD: 100). */
  readonly weightsSetRateLimit: bigint;
  /** The least tempo an owner may set (HEAD: MIN_TEMPO 360). */
  readonly minTempo: number;
  /** Blocks between two set_tempo calls of one owner on one subnet (HEAD: 360). */
  readonly tempoUpdateRateLimit: bigint;
  /** Blocks between two changes of a subnet's owner hotkey (HEAD: 50400). */
  readonly ownerHotkeyRateLimit: bigint;
}

/** HEAD's values (`mainnet-like` preset). */
export const HEAD_SETTINGS: SubtensorSettings = {
  initialTempo: 360,
  networkRateLimit: 7200n,
  startCallDelay: 0n,
  initialImmunityPeriod: 5000,
  initialBurn: 1_000_000_000n,
  alphaEmissionPerBlock: 1_000_000_000n,
  ownerHyperparamRateLimit: 2,
  adminFreezeWindow: 10,
  weightsSetRateLimit: 100n,
  minTempo: 360,
  tempoUpdateRateLimit: 360n,
  ownerHotkeyRateLimit: 50_400n,
};

/**
 * The default `dev` preset, after subtensor's own fast-block localnet: a subnet reaches its first
 * epoch in seconds, and nothing waits for hours (registration rate limit, owner rate limit, freeze
 * window, immunity, weights rate limit are short); the rules themselves are HEAD's.
 */
export const DEV_SETTINGS: SubtensorSettings = {
  ...HEAD_SETTINGS,
  initialTempo: 10,
  networkRateLimit: 0n,
  initialImmunityPeriod: 50,
  ownerHyperparamRateLimit: 0,
  adminFreezeWindow: 0,
  weightsSetRateLimit: 1n,
  minTempo: 1,
  tempoUpdateRateLimit: 0n,
  ownerHotkeyRateLimit: 0n,
};

export const SUBTENSOR_PRESETS: Readonly<Record<string, SubtensorSettings>> = { dev: DEV_SETTINGS, "mainnet-like": HEAD_SETTINGS };

export class SubtensorEnv {
  readonly spec: PalletSpec = SUBTENSOR_MODULE_SPEC;
  readonly system: SystemPallet;
  readonly balances: BalancesPallet;
  readonly settings: SubtensorSettings;
  readonly #errors = new Map<string, number>();
  readonly #events = new Map<string, number>();

  constructor(system: SystemPallet, balances: BalancesPallet, settings: SubtensorSettings) {
    this.system = system;
    this.balances = balances;
    this.settings = settings;
    for (const e of this.spec.errors) this.#errors.set(e.name, e.index);
    for (const e of this.spec.events) this.#events.set(e.name, e.index);
  }

  /** `Error::<T>::name` of SubtensorModule as a dispatch failure. */
  error(name: string): DispatchFailure {
    const index = this.#errors.get(name);
    if (index === undefined) throw new Error(`SubtensorModule has no error ${name}`);
    return new DispatchFailure({ kind: "Module", pallet: this.spec.index, error: index, name: `SubtensorModule.${name}` });
  }

  badOrigin(): DispatchFailure {
    return new DispatchFailure({ kind: "BadOrigin" });
  }

  /** Deposits `Event::name` with its fields already encoded in order. */
  event(ctx: BlockContext, name: string, fields: (w: ScaleWriter) => void): void {
    const index = this.#events.get(name);
    if (index === undefined) throw new Error(`SubtensorModule has no event ${name}`);
    const w = new ScaleWriter(64);
    fields(w);
    ctx.depositEvent(this.spec.index, index, w.finish());
  }
}

/** The account holding a subnet's TAO: "modl" ‖ "subtensr" ‖ u16_le(netuid), zero-padded to 32 bytes. */
export function subnetAccount(netuid: number): Uint8Array {
  const id = new Uint8Array(32);
  id.set(new TextEncoder().encode("modlsubtensr"), 0);
  id[12] = netuid & 0xff;
  id[13] = netuid >> 8;
  return id;
}
