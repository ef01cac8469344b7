/**
 * SubtensorModule (pallet 7) on the devnet: HEAD's whole interface in the metadata (from the
 * generated spec) and, for the calls implemented so far, HEAD's behaviour — subnets, registration,
 * serving and weights with commit-reveal — with SubtensorTransactionExtension's pool checks
 * answering `InvalidTransaction::Custom(n)` as HEAD does. Calls not implemented yet are refused
 * by the pool with a reason (docs/devnet.md lists them).
 */
import type { Codec } from "@polkadot/types-codec/types";
import type { StateReader } from "../../../state/overlay.js";
import type { BlockContext } from "../../context.js";
import { ensureSigned } from "../../dispatch.js";
import type { Pallet, PalletDeclaration } from "../../pallet.js";
import { InvalidTransaction } from "../../validity.js";
import type { CommonTypes } from "../../../metadata/common-types.js";
import type { TypeBuilder } from "../../../metadata/type-builder.js";
import type { BalancesPallet } from "../balances.js";
import type { SystemPallet } from "../system.js";
import { declareFromSpec, type CallImplementation } from "./declare.js";
import { SubtensorEnv, type SubtensorSettings } from "./env.js";
import { registerNeuron } from "./neurons.js";
import { accumulateEmission, emitsThisBlock, runSubnetEpoch } from "./emission.js";
import { addStake, addStakeLimit, moveStake, removeStake, removeStakeLimit } from "./staking.js";
import { setActivityCutoffFactor, setTempo, triggerEpoch } from "./tempo.js";
import { axonCheck, prometheusCheck, serveAxon, servePrometheus, type AxonArgs, type ServeArgs } from "./serving.js";
import { CUSTOM_TRANSACTION_ERRORS } from "./spec.generated.js";
import { NETWORK_LAST_REGISTERED, S } from "./storage.js";
import * as c from "./codecs.js";
import { registerNetwork, startCall, subnetsBlockStep } from "./subnets.js";
import { batchCommitWeights, batchRevealWeights, batchSetWeights, commitHash, commitWeights, epochWithLookahead, revealWeights, setWeights, weightsRateLimitPasses, type RevealArgs, type WeightsArgs } from "./weights.js";
import { bytesEqual } from "../../../codec/hex.js";
import { lite } from "../../lite-call.js";

/** HEAD's `Custom(n)` for a pallet error: the code of that name, or the code HEAD maps the error to. */
const CUSTOM_CODE: ReadonlyMap<string, number> = new Map(CUSTOM_TRANSACTION_ERRORS.flatMap((e) => [e.name, ...e.fromErrors].map((name) => [name, e.code] as const)));

function refuse(error: string): never {
  throw new InvalidTransaction({ custom: CUSTOM_CODE.get(error) ?? 255 }, error);
}

const num = (c: Codec): number => Number(c.toString());
const big = (c: Codec): bigint => BigInt(c.toString());
const u16s = (c: Codec): number[] => [...(c as unknown as Iterable<Codec>)].map(num);

function axonArgs(args: readonly Codec[]): AxonArgs {
  return { netuid: num(args[0]!), version: num(args[1]!), ip: big(args[2]!), port: num(args[3]!), ipType: num(args[4]!), protocol: num(args[5]!), placeholder1: num(args[6]!), placeholder2: num(args[7]!) };
}
function prometheusArgs(args: readonly Codec[]): ServeArgs {
  return { netuid: num(args[0]!), version: num(args[1]!), ip: big(args[2]!), port: num(args[3]!), ipType: num(args[4]!) };
}
function weightsArgs(args: readonly Codec[]): WeightsArgs {
  return { netuid: num(args[0]!), uids: u16s(args[1]!), values: u16s(args[2]!), versionKey: big(args[3]!) };
}
function revealArgs(args: readonly Codec[]): RevealArgs {
  return { netuid: num(args[0]!), uids: u16s(args[1]!), values: u16s(args[2]!), salt: u16s(args[3]!), versionKey: big(args[4]!) };
}

export class SubtensorModulePallet implements Pallet {
  readonly name = "SubtensorModule";
  readonly index = 7;
  readonly env: SubtensorEnv;

  constructor(system: SystemPallet, balances: BalancesPallet, settings: SubtensorSettings) {
    this.env = new SubtensorEnv(system, balances, settings);
  }

  /** Genesis storage of the chain-wide settings the preset chooses. */
  genesisStorage(): [string, Uint8Array][] {
    const entries: [string, Uint8Array][] = [];
    const put = <V>(item: { key(k: undefined): string }, codec: { encode(v: V): Uint8Array }, value: V): void => void entries.push([item.key(undefined), codec.encode(value)]);
    const s = this.env.settings;
    put(S.NetworkRateLimit, c.u64, s.networkRateLimit);
    put(S.StartCallDelay, c.u64, s.startCallDelay);
    put(S.OwnerHyperparamRateLimit, c.u16, s.ownerHyperparamRateLimit);
    put(S.AdminFreezeWindow, c.u16, s.adminFreezeWindow);
    return entries;
  }

  onInitialize(ctx: BlockContext): void {
    subnetsBlockStep(ctx, {
      emits: (netuid) => emitsThisBlock(ctx, netuid),
      accumulate: (netuid) => accumulateEmission(this.env, ctx, netuid),
      runEpoch: (netuid) => runSubnetEpoch(this.env, ctx, netuid),
    });
  }

  declare(b: TypeBuilder, t: CommonTypes): PalletDeclaration {
    return declareFromSpec(b, t, this.env.spec, this.#implementations());
  }

  #implementations(): Map<string, CallImplementation> {
    const env = this.env;
    const impl = new Map<string, CallImplementation>();
    const coldkeyCall = (name: string, run: (ctx: BlockContext, who: Uint8Array, args: readonly Codec[]) => void): void =>
      void impl.set(name, { dispatch: (ctx, origin, args) => run(ctx, ensureSigned(origin), args) });
    coldkeyCall("register_network", (ctx, who, args) => void registerNetwork(env, ctx, who, args[0]!.toU8a()));
    coldkeyCall("register_network_with_identity", (ctx, who, args) => void registerNetwork(env, ctx, who, args[0]!.toU8a()));
    coldkeyCall("start_call", (ctx, who, args) => startCall(env, ctx, who, num(args[0]!)));
    coldkeyCall("burned_register", (ctx, who, args) => registerNeuron(env, ctx, who, num(args[0]!), args[1]!.toU8a()));
    // HEAD's `register` ignores its proof-of-work fields and registers by burning, paid by the signer.
    coldkeyCall("register", (ctx, who, args) => registerNeuron(env, ctx, who, num(args[0]!), args[4]!.toU8a()));
    coldkeyCall("register_limit", (ctx, who, args) => registerNeuron(env, ctx, who, num(args[0]!), args[1]!.toU8a(), big(args[2]!)));
    coldkeyCall("serve_axon", (ctx, who, args) => serveAxon(env, ctx, who, axonArgs(args)));
    coldkeyCall("serve_prometheus", (ctx, who, args) => servePrometheus(env, ctx, who, prometheusArgs(args)));
    coldkeyCall("set_weights", (ctx, who, args) => setWeights(env, ctx, who, weightsArgs(args)));
    coldkeyCall("commit_weights", (ctx, who, args) => commitWeights(env, ctx, who, num(args[0]!), args[1]!.toU8a()));
    coldkeyCall("reveal_weights", (ctx, who, args) => revealWeights(env, ctx, who, revealArgs(args)));
    impl.set("set_tempo", { dispatch: (ctx, origin, args) => setTempo(env, ctx, origin, num(args[0]!), num(args[1]!)) });
    impl.set("trigger_epoch", { dispatch: (ctx, origin, args) => triggerEpoch(env, ctx, origin, num(args[0]!)) });
    impl.set("set_activity_cutoff_factor", { dispatch: (ctx, origin, args) => setActivityCutoffFactor(env, ctx, origin, num(args[0]!), num(args[1]!)) });
    const compacts = (c: Codec): number[] => [...(c as unknown as Iterable<Codec>)].map(num);
    const lists = (c: Codec): number[][] => [...(c as unknown as Iterable<Codec>)].map(u16s);
    coldkeyCall("batch_set_weights", (ctx, who, args) =>
      batchSetWeights(env, ctx, who, compacts(args[0]!), [...(args[1] as unknown as Iterable<Iterable<[Codec, Codec]>>)].map((row) => [...row].map(([u, v]) => [num(u), num(v)] as [number, number])), [...(args[2] as unknown as Iterable<Codec>)].map(big)),
    );
    coldkeyCall("batch_commit_weights", (ctx, who, args) => batchCommitWeights(env, ctx, who, compacts(args[0]!), [...(args[1] as unknown as Iterable<Codec>)].map((h) => h.toU8a())));
    coldkeyCall("batch_reveal_weights", (ctx, who, args) =>
      batchRevealWeights(env, ctx, who, { netuid: num(args[0]!), uids: lists(args[1]!), values: lists(args[2]!), salts: lists(args[3]!), versionKeys: [...(args[4] as unknown as Iterable<Codec>)].map(big) }),
    );
    coldkeyCall("move_stake", (ctx, who, args) => moveStake(env, ctx, who, { originHotkey: args[0]!.toU8a(), destinationHotkey: args[1]!.toU8a(), originNetuid: num(args[2]!), destinationNetuid: num(args[3]!), amount: big(args[4]!) }));
    coldkeyCall("add_stake", (ctx, who, args) => addStake(env, ctx, who, args[0]!.toU8a(), num(args[1]!), big(args[2]!)));
    coldkeyCall("remove_stake", (ctx, who, args) => removeStake(env, ctx, who, args[0]!.toU8a(), num(args[1]!), big(args[2]!)));
    const priceLimit = (args: readonly Codec[]) => ({ limitPrice: big(args[3]!), allowPartial: args[4]!.toJSON() === true });
    coldkeyCall("add_stake_limit", (ctx, who, args) => addStakeLimit(env, ctx, who, args[0]!.toU8a(), num(args[1]!), big(args[2]!), priceLimit(args)));
    coldkeyCall("remove_stake_limit", (ctx, who, args) => removeStakeLimit(env, ctx, who, args[0]!.toU8a(), num(args[1]!), big(args[2]!), priceLimit(args)));
    this.#poolChecks(impl);
    // The calls validators send every tempo skip @polkadot/types decoding (a 256-uid vector costs ~0.6 ms there).
    const u16Vec = lite.vec(lite.u16);
    const withLite = (name: string, decoders: NonNullable<CallImplementation["lite"]>): void => void impl.set(name, { ...impl.get(name)!, lite: decoders });
    withLite("set_weights", [lite.u16, u16Vec, u16Vec, lite.u64]);
    withLite("commit_weights", [lite.u16, lite.bytes32]);
    withLite("reveal_weights", [lite.u16, u16Vec, u16Vec, u16Vec, lite.u64]);
    return impl;
  }

  /** SubtensorTransactionExtension: the checks HEAD repeats in the pool, answered with Custom(n). */
  #poolChecks(impl: Map<string, CallImplementation>): void {
    const withCheck = (name: string, validate: (state: StateReader, signer: Uint8Array, args: readonly Codec[], block: bigint) => void): void => {
      const existing = impl.get(name)!;
      impl.set(name, { ...existing, validate: (state, signer, args, block) => validate(state, signer, args, BigInt(block)) });
    };
    withCheck("serve_axon", (state, hotkey, args, now) => {
      const failed = axonCheck(state, hotkey, axonArgs(args), now);
      if (failed) refuse(failed);
    });
    withCheck("serve_prometheus", (state, hotkey, args, now) => {
      const failed = prometheusCheck(state, hotkey, prometheusArgs(args), now);
      if (failed) refuse(failed);
    });
    withCheck("set_weights", (state, hotkey, args, now) => {
      const netuid = num(args[0]!);
      const uid = S.Uids.get(state, netuid, hotkey);
      if (!S.CommitRevealWeightsEnabled.get(state, netuid) && uid !== undefined && !weightsRateLimitPasses(state, netuid, uid, now)) refuse("SettingWeightsTooFast");
    });
    withCheck("commit_weights", (state, hotkey, args, now) => {
      const netuid = num(args[0]!);
      const uid = S.Uids.get(state, netuid, hotkey);
      if (uid !== undefined && !weightsRateLimitPasses(state, netuid, uid, now)) refuse("CommittingWeightsTooFast");
    });
    withCheck("reveal_weights", (state, hotkey, args, now) => {
      const a = revealArgs(args);
      const commits = S.WeightCommits.get(state, a.netuid, hotkey);
      if (!commits) refuse("NoWeightsCommitFound");
      const hash = commitHash(hotkey, a.netuid, a.uids, a.values, a.salt, a.versionKey);
      const commit = commits.find((c) => bytesEqual(c.hash, hash));
      if (!commit) refuse("NoWeightsCommitFound");
      if (epochWithLookahead(state, a.netuid, now, false) !== commit.commitEpoch + S.RevealPeriodEpochs.get(state, a.netuid)) refuse("RevealTooEarly");
    });
    withCheck("batch_reveal_weights", (state, hotkey, args, now) => {
      const lists = [1, 2, 3].map((i) => [...(args[i] as unknown as Iterable<Codec>)].map(u16s));
      const versionKeys = [...(args[4] as unknown as Iterable<Codec>)].map(big);
      if (lists.some((l) => l.length !== versionKeys.length)) refuse("InputLengthsUnequal");
      const netuid = num(args[0]!);
      const commits = S.WeightCommits.get(state, netuid, hotkey) ?? [];
      const epoch = epochWithLookahead(state, netuid, now, false);
      versionKeys.forEach((versionKey, i) => {
        const hash = commitHash(hotkey, netuid, lists[0]![i]!, lists[1]![i]!, lists[2]![i]!, versionKey);
        const commit = commits.find((c) => bytesEqual(c.hash, hash));
        if (!commit) refuse("NoWeightsCommitFound");
        if (epoch !== commit.commitEpoch + S.RevealPeriodEpochs.get(state, netuid)) refuse("RevealTooEarly");
      });
    });
    for (const name of ["batch_set_weights", "batch_commit_weights"]) {
      withCheck(name, (_state, _hotkey, args) => {
        const lengths = args.map((a) => [...(a as unknown as Iterable<Codec>)].length);
        if (lengths.some((l) => l !== lengths[0])) refuse("InputLengthsUnequal");
      });
    }
    withCheck("register_network", (state, _coldkey, _args, now) => {
      const last = S.LastRateLimitedBlock.get(state, NETWORK_LAST_REGISTERED);
      if (last !== 0n && now - last < S.NetworkRateLimit.get(state, undefined)) refuse("NetworkTxRateLimitExceeded");
    });
  }
}
