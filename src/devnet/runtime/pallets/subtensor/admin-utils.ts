/**
 * AdminUtils (pallet 19): the hyperparameter setters a subnet owner may call (with HEAD's owner
 * rate limit of OwnerHyperparamRateLimit × tempo per hyperparameter and the admin freeze window
 * before each epoch) and the root-only ones the devnet's sudo key needs. Each is a row of a table:
 * who may call it, which checks apply, what it writes and which event it deposits.
 */
import type { Codec } from "@polkadot/types-codec/types";
import { ScaleWriter } from "../../../codec/scale.js";
import { bytesEqual } from "../../../codec/hex.js";
import type { CommonTypes } from "../../../metadata/common-types.js";
import type { TypeBuilder } from "../../../metadata/type-builder.js";
import type { BlockContext } from "../../context.js";
import { DispatchFailure, type Origin } from "../../dispatch.js";
import type { Pallet, PalletDeclaration } from "../../pallet.js";
import { declareFromSpec, type CallImplementation } from "./declare.js";
import type { SubtensorEnv } from "./env.js";
import { ADMIN_UTILS_SPEC } from "./spec.generated.js";
import { S } from "./storage.js";

const num = (c: Codec): number => Number(c.toString());
const big = (c: Codec): bigint => BigInt(c.toString());
const bool = (c: Codec): boolean => c.toJSON() === true;

type Who = "owner" | "root";

interface Setter {
  readonly who: Who;
  /** HEAD's Hyperparameter index for the owner rate limit (owner setters). */
  readonly hyperparameter?: number;
  /** Whether the admin freeze window before an epoch applies. */
  readonly freeze: boolean;
  /** Whether the subnet must exist (AdminUtils' SubnetDoesNotExist). */
  readonly requireSubnet: boolean;
  /** A chain-wide setting: the call has no netuid argument. */
  readonly global?: boolean;
  /** Checks only the owner (not root) must pass, before anything else. */
  readonly ownerCheck?: (args: readonly Codec[]) => void;
  /** Bounds, write and event; `netuid` is the call's first argument (undefined for chain-wide settings). */
  readonly apply: (ctx: BlockContext, netuid: number | undefined, args: readonly Codec[]) => void;
}

export class AdminUtilsPallet implements Pallet {
  readonly name = "AdminUtils";
  readonly index = 19;
  readonly #env: SubtensorEnv;
  readonly #errors = new Map(ADMIN_UTILS_SPEC.errors.map((e) => [e.name, e.index]));

  constructor(env: SubtensorEnv) {
    this.#env = env;
  }

  #error(name: string): DispatchFailure {
    const index = this.#errors.get(name);
    if (index === undefined) throw new Error(`AdminUtils has no error ${name}`);
    return new DispatchFailure({ kind: "Module", pallet: this.index, error: index, name: `AdminUtils.${name}` });
  }

  declare(b: TypeBuilder, t: CommonTypes): PalletDeclaration {
    const impl = new Map<string, CallImplementation>();
    for (const [name, setter] of Object.entries(this.#setters())) impl.set(name, { dispatch: (ctx, origin, args) => this.#run(ctx, origin, args, setter) });
    return declareFromSpec(b, t, ADMIN_UTILS_SPEC, impl);
  }

  #run(ctx: BlockContext, origin: Origin, args: readonly Codec[], setter: Setter): void {
    const env = this.#env;
    const now = BigInt(ctx.number);
    const netuid = setter.global ? undefined : num(args[0]!);
    const isRoot = origin.kind === "root";
    if (!isRoot) {
      if (setter.who === "root" || origin.kind !== "signed" || netuid === undefined) throw env.badOrigin();
      if (!bytesEqual(S.SubnetOwner.get(ctx, netuid), origin.who)) throw env.badOrigin();
      setter.ownerCheck?.(args);
      if (setter.hyperparameter !== undefined) {
        const last = S.LastRateLimitedBlock.get(ctx, ownerRateLimitKey(netuid, setter.hyperparameter));
        const limit = BigInt(S.OwnerHyperparamRateLimit.get(ctx, undefined)) * BigInt(S.Tempo.get(ctx, netuid));
        if (last !== 0n && now - last < limit) throw env.error("TxRateLimitExceeded");
      }
    }
    if (setter.freeze && netuid !== undefined && inFreezeWindow(ctx, netuid, now)) throw env.error("AdminActionProhibitedDuringWeightsWindow");
    if (setter.requireSubnet && netuid !== undefined && !S.NetworksAdded.get(ctx, netuid)) throw this.#error("SubnetDoesNotExist");
    setter.apply(ctx, netuid, args);
    if (!isRoot && setter.hyperparameter !== undefined && netuid !== undefined) S.LastRateLimitedBlock.set(ctx, ownerRateLimitKey(netuid, setter.hyperparameter), now);
  }

  /** do_set_sn_owner_hotkey: owner or root, at most once per ownerHotkeyRateLimit blocks per subnet (root too), no freeze window. */
  #ownerHotkeySetter(): Setter {
    const env = this.#env;
    return {
      who: "owner",
      freeze: false,
      requireSubnet: false,
      apply: (ctx, n, a) => {
        const netuid = n!;
        const now = BigInt(ctx.number);
        if (!S.NetworksAdded.get(ctx, netuid)) throw env.error("SubnetNotExists");
        const key = new ScaleWriter(3).u8(0).u16(netuid).finish();
        const last = S.LastRateLimitedBlock.get(ctx, key);
        if (last !== 0n && now - last < env.settings.ownerHotkeyRateLimit) throw env.error("TxRateLimitExceeded");
        const hotkey = a[1]!.toU8a();
        if (bytesEqual(hotkey.subarray(0, 12), new TextEncoder().encode("modlsubtensr"))) throw env.error("CannotUseSystemAccount");
        S.SubnetOwnerHotkey.set(ctx, netuid, hotkey);
        S.LastRateLimitedBlock.set(ctx, key, now);
        env.event(ctx, "SubnetOwnerHotkeySet", (w) => w.u16(netuid).raw(hotkey));
      },
    };
  }

  #adminEvent(ctx: BlockContext, name: string, fields: Uint8Array): void {
    const index = ADMIN_UTILS_SPEC.events.find((e) => e.name === name)?.index;
    if (index === undefined) throw new Error(`AdminUtils has no event ${name}`);
    ctx.depositEvent(this.index, index, fields);
  }

  #setters(): Record<string, Setter> {
    const env = this.#env;
    const ev = (ctx: BlockContext, name: string, fields: (w: ScaleWriter) => void): void => env.event(ctx, name, fields);
    const owner = (hyperparameter: number, apply: Setter["apply"], requireSubnet = true): Setter => ({ who: "owner", hyperparameter, freeze: true, requireSubnet, apply });
    const root = (apply: Setter["apply"], options: { freeze?: boolean } = {}): Setter => ({ who: "root", freeze: options.freeze ?? false, requireSubnet: true, apply });
    const chainWide = (apply: Setter["apply"]): Setter => ({ who: "root", freeze: false, requireSubnet: false, global: true, apply });
    return {
      sudo_set_serving_rate_limit: owner(1, (ctx, n, a) => {
        S.ServingRateLimit.set(ctx, n!, big(a[1]!));
        ev(ctx, "ServingRateLimitSet", (w) => w.u16(n!).u64(big(a[1]!)));
      }, false),
      // HEAD rate-limits this one by WeightsVersionKeyRateLimit × tempo; the devnet applies the owner limit (key Unknown = 0).
      sudo_set_weights_version_key: owner(0, (ctx, n, a) => {
        S.WeightsVersionKey.set(ctx, n!, big(a[1]!));
        ev(ctx, "WeightsVersionKeySet", (w) => w.u16(n!).u64(big(a[1]!)));
      }),
      sudo_set_immunity_period: owner(5, (ctx, n, a) => {
        S.ImmunityPeriod.set(ctx, n!, num(a[1]!));
        ev(ctx, "ImmunityPeriodSet", (w) => w.u16(n!).u16(num(a[1]!)));
      }),
      sudo_set_min_allowed_weights: owner(6, (ctx, n, a) => {
        S.MinAllowedWeights.set(ctx, n!, num(a[1]!));
        ev(ctx, "MinAllowedWeightSet", (w) => w.u16(n!).u16(num(a[1]!)));
      }),
      sudo_set_max_allowed_uids: owner(25, (ctx, n, a) => {
        const value = num(a[1]!);
        if (value < 64) throw this.#error("MaxAllowedUidsLessThanMinAllowedUids");
        if (value < S.SubnetworkN.get(ctx, n!)) throw this.#error("MaxAllowedUIdsLessThanCurrentUIds");
        if (value > 256) throw this.#error("MaxAllowedUidsGreaterThanDefaultMaxAllowedUids");
        S.MaxAllowedUids.set(ctx, n!, value);
        ev(ctx, "MaxAllowedUidsSet", (w) => w.u16(n!).u16(value));
      }),
      sudo_set_min_burn: owner(11, (ctx, n, a) => {
        const value = big(a[1]!);
        if (value >= 1_000_000_000n || value >= S.MaxBurn.get(ctx, n!)) throw this.#error("ValueNotInBounds");
        S.MinBurn.set(ctx, n!, value);
        ev(ctx, "MinBurnSet", (w) => w.u16(n!).u64(value));
      }),
      sudo_set_max_burn: owner(12, (ctx, n, a) => {
        const value = big(a[1]!);
        if (value <= 100_000_000n || value <= S.MinBurn.get(ctx, n!)) throw this.#error("ValueNotInBounds");
        S.MaxBurn.set(ctx, n!, value);
        ev(ctx, "MaxBurnSet", (w) => w.u16(n!).u64(value));
      }),
      sudo_set_bonds_moving_average: owner(13, (ctx, n, a) => {
        S.BondsMovingAverage.set(ctx, n!, big(a[1]!));
        ev(ctx, "BondsMovingAverageSet", (w) => w.u16(n!).u64(big(a[1]!)));
      }),
      sudo_set_bonds_penalty: owner(14, (ctx, n, a) => {
        S.BondsPenalty.set(ctx, n!, num(a[1]!));
        ev(ctx, "BondsPenaltySet", (w) => w.u16(n!).u16(num(a[1]!)));
      }),
      sudo_set_commit_reveal_weights_enabled: owner(15, (ctx, n, a) => {
        S.CommitRevealWeightsEnabled.set(ctx, n!, bool(a[1]!));
        ev(ctx, "CommitRevealEnabled", (w) => w.u16(n!).bool(bool(a[1]!)));
      }),
      sudo_set_liquid_alpha_enabled: owner(16, (ctx, n, a) => S.LiquidAlphaOn.set(ctx, n!, bool(a[1]!)), false),
      sudo_set_alpha_values: owner(17, (ctx, n, a) => {
        const [low, high] = [num(a[1]!), num(a[2]!)];
        if (!S.LiquidAlphaOn.get(ctx, n!)) throw env.error("LiquidAlphaDisabled");
        if (high < 1638) throw env.error("AlphaHighTooLow");
        if (low < 1638 || low > high) throw env.error("AlphaLowOutOfRange");
        S.AlphaValues.set(ctx, n!, [low, high]);
      }, false),
      sudo_set_commit_reveal_weights_interval: owner(18, (ctx, n, a) => {
        const value = big(a[1]!);
        if (value < 1n) throw env.error("RevealPeriodTooSmall");
        if (value > 100n) throw env.error("RevealPeriodTooLarge");
        S.RevealPeriodEpochs.set(ctx, n!, value);
        ev(ctx, "CommitRevealPeriodsSet", (w) => w.u16(n!).u64(value));
      }),
      sudo_set_yuma3_enabled: owner(21, (ctx, n, a) => {
        S.Yuma3On.set(ctx, n!, bool(a[1]!));
        this.#adminEvent(ctx, "Yuma3EnableToggled", new ScaleWriter(3).u16(n!).bool(bool(a[1]!)).finish());
      }, false),
      sudo_set_max_difficulty: owner(2, (ctx, n, a) => {
        S.MaxDifficulty.set(ctx, n!, big(a[1]!));
        ev(ctx, "MaxDifficultySet", (w) => w.u16(n!).u64(big(a[1]!)));
      }),
      sudo_set_adjustment_alpha: owner(3, (ctx, n, a) => {
        S.AdjustmentAlpha.set(ctx, n!, big(a[1]!));
        ev(ctx, "AdjustmentAlphaSet", (w) => w.u16(n!).u64(big(a[1]!)));
      }),
      sudo_set_rho: owner(8, (ctx, n, a) => S.Rho.set(ctx, n!, num(a[1]!))),
      sudo_set_activity_cutoff: owner(9, (ctx, n, a) => {
        const value = num(a[1]!);
        if (value < S.MinActivityCutoff.get(ctx, undefined)) throw env.error("ActivityCutoffTooLow");
        S.ActivityCutoff.set(ctx, n!, value);
        ev(ctx, "ActivityCutoffSet", (w) => w.u16(n!).u16(value));
      }),
      sudo_set_toggle_transfer: owner(19, (ctx, n, a) => {
        S.TransferToggle.set(ctx, n!, bool(a[1]!));
        ev(ctx, "TransferToggle", (w) => w.u16(n!).bool(bool(a[1]!)));
      }, false),
      sudo_set_alpha_sigmoid_steepness: { ...owner(20, (ctx, n, a) => S.AlphaSigmoidSteepness.set(ctx, n!, Number(a[1]!.toString()))), ownerCheck: (a) => {
        if (Number(a[1]!.toString()) < 0) throw this.#error("NegativeSigmoidSteepness");
      } },
      sudo_set_bonds_reset_enabled: owner(22, (ctx, n, a) => {
        S.BondsResetOn.set(ctx, n!, bool(a[1]!));
        ev(ctx, "BondsResetOnSet", (w) => w.u16(n!).bool(bool(a[1]!)));
        this.#adminEvent(ctx, "BondsResetToggled", new ScaleWriter(3).u16(n!).bool(bool(a[1]!)).finish());
      }, false),
      sudo_set_owner_immune_neuron_limit: owner(23, (ctx, n, a) => {
        const value = num(a[1]!);
        if (value < 1 || value > 10) throw env.error("InvalidValue");
        S.ImmuneOwnerUidsLimit.set(ctx, n!, value);
      }, false),
      sudo_set_recycle_or_burn: owner(24, (ctx, n, a) => S.RecycleOrBurn.set(ctx, n!, (a[1] as unknown as { index: number }).index), false),
      sudo_set_burn_half_life: owner(26, (ctx, n, a) => {
        const value = num(a[1]!);
        if (n === 0) throw this.#error("NotPermittedOnRootSubnet");
        if (value < 1 || value > 36_100) throw this.#error("InvalidValue");
        S.BurnHalfLife.set(ctx, n!, value);
        this.#adminEvent(ctx, "BurnHalfLifeSet", new ScaleWriter(4).u16(n!).u16(value).finish());
      }),
      sudo_set_burn_increase_mult: owner(27, (ctx, n, a) => {
        const bits = BigInt((a[1] as unknown as { bits: Codec }).bits.toString());
        if (n === 0) throw this.#error("NotPermittedOnRootSubnet");
        if (bits < 1n << 64n || bits > 3n << 64n) throw this.#error("InvalidValue");
        S.BurnIncreaseMult.set(ctx, n!, bits);
        this.#adminEvent(ctx, "BurnIncreaseMultSet", new ScaleWriter(18).u16(n!).u128(bits).finish());
      }),
      sudo_set_owner_cut_enabled: { who: "owner", freeze: true, requireSubnet: true, apply: (ctx, n, a) => {
        if (n === 0) throw this.#error("NotPermittedOnRootSubnet");
        S.OwnerCutEnabled.set(ctx, n!, bool(a[1]!));
      } },
      sudo_set_subnet_owner_hotkey: this.#ownerHotkeySetter(),
      sudo_set_sn_owner_hotkey: this.#ownerHotkeySetter(),
      sudo_set_weights_set_rate_limit: root((ctx, n, a) => {
        S.WeightsSetRateLimit.set(ctx, n!, big(a[1]!));
        ev(ctx, "WeightsSetRateLimitSet", (w) => w.u16(n!).u64(big(a[1]!)));
      }),
      sudo_set_kappa: root((ctx, n, a) => {
        S.Kappa.set(ctx, n!, num(a[1]!));
        ev(ctx, "KappaSet", (w) => w.u16(n!).u16(num(a[1]!)));
      }, { freeze: true }),
      sudo_set_max_allowed_validators: root((ctx, n, a) => {
        const value = num(a[1]!);
        if (value > S.MaxAllowedUids.get(ctx, n!)) throw this.#error("MaxValidatorsLargerThanMaxUIds");
        S.MaxAllowedValidators.set(ctx, n!, value);
        ev(ctx, "MaxAllowedValidatorsSet", (w) => w.u16(n!).u16(value));
      }, { freeze: true }),
      sudo_set_tempo: root((ctx, n, a) => {
        S.Tempo.set(ctx, n!, num(a[1]!));
        S.LastEpochBlock.set(ctx, n!, BigInt(ctx.number));
        ev(ctx, "TempoSet", (w) => w.u16(n!).u16(num(a[1]!)));
      }, { freeze: true }),
      sudo_set_network_rate_limit: chainWide((ctx, _n, a) => {
        S.NetworkRateLimit.set(ctx, undefined, big(a[0]!));
        ev(ctx, "NetworkRateLimitSet", (w) => w.u64(big(a[0]!)));
      }),
      sudo_set_subnet_owner_cut: chainWide((ctx, _n, a) => {
        S.SubnetOwnerCut.set(ctx, undefined, num(a[0]!));
        ev(ctx, "SubnetOwnerCutSet", (w) => w.u16(num(a[0]!)));
      }),
      sudo_set_stake_threshold: chainWide((ctx, _n, a) => {
        S.StakeThreshold.set(ctx, undefined, big(a[0]!));
        ev(ctx, "StakeThresholdSet", (w) => w.u64(big(a[0]!)));
      }),
      sudo_set_admin_freeze_window: chainWide((ctx, _n, a) => {
        S.AdminFreezeWindow.set(ctx, undefined, num(a[0]!));
        ev(ctx, "AdminFreezeWindowSet", (w) => w.u16(num(a[0]!)));
      }),
      sudo_set_owner_hparam_rate_limit: chainWide((ctx, _n, a) => {
        S.OwnerHyperparamRateLimit.set(ctx, undefined, num(a[0]!));
        ev(ctx, "OwnerHyperparamRateLimitSet", (w) => w.u16(num(a[0]!)));
      }),
      sudo_set_start_call_delay: chainWide((ctx, _n, a) => {
        S.StartCallDelay.set(ctx, undefined, big(a[0]!));
        ev(ctx, "StartCallDelaySet", (w) => w.u64(big(a[0]!)));
      }),
    };
  }
}

/** `RateLimitKey::OwnerHyperparamUpdate(netuid, hyperparameter)` as SCALE bytes. */
export function ownerRateLimitKey(netuid: number, hyperparameter: number): Uint8Array {
  return new ScaleWriter(4).u8(1).u16(netuid).u8(hyperparameter).finish();
}

/** The last AdminFreezeWindow blocks before an epoch (or a pending triggered epoch) allow no admin change. */
export function inFreezeWindow(ctx: BlockContext, netuid: number, now: bigint): boolean {
  if (S.PendingEpochAt.get(ctx, netuid) > now) return true;
  const next = S.LastEpochBlock.get(ctx, netuid) + BigInt(S.Tempo.get(ctx, netuid));
  const remaining = next > now ? next - now : 0n;
  return remaining < BigInt(S.AdminFreezeWindow.get(ctx, undefined));
}
