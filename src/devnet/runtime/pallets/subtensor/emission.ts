/**
 * Emission and the epoch, as HEAD's coinbase runs them for a subnet with no root stake and no TAO
 * emission (a fresh chain: new subnets start with SubnetEmissionEnabled off): every block each
 * started subnet mints its alpha emission into SubnetAlphaOut and splits it into the owner cut and
 * the miners' and validators' pending pots (src/yuma/coinbase.ts); at its epoch the Yuma epoch of
 * src/yuma (the code behind `tensornode sim epoch`) runs on the storage HEAD reads, its outputs go
 * where HEAD writes them, and the pots are paid out as stake.
 */
import { bytesEqual } from "../../../codec/hex.js";
import { ScaleDecodeError, ScaleReader } from "../../../codec/scale.js";
import { dividendAlphaRootSplit, EMPTY_ROW, runEpoch, splitBlockEmission, type EpochInput, type EpochOutput, type SparseRow } from "../../../../yuma/index.js";
import type { BlockContext } from "../../context.js";
import type { SubtensorEnv } from "./env.js";
import { addToHotkeyPool, changeStake, changeStakeAt } from "./staking.js";
import { alphaKeyOf, dividendKeysOf, subnetUidKeys, type UidKeys } from "./uid-keys.js";
import * as c from "./codecs.js";
import { doubleMap, S } from "./storage.js";
import { keyU16, type StateRead } from "./typed-storage.js";

const ALPHA_SUPPLY_HALF = 10_500_000_000_000_000n;
const ALPHA_SUPPLY = 21_000_000_000_000_000n;

/** get_block_emission_for_issuance: the block emission halves each time issuance crosses 1/2, 3/4, 7/8 … of 21M. */
export function blockEmissionForIssuance(base: bigint, issuance: bigint): bigint {
  if (issuance >= ALPHA_SUPPLY) return 0n;
  let halvings = 0n;
  let threshold = ALPHA_SUPPLY_HALF;
  while (issuance >= threshold && halvings < 64n) {
    halvings++;
    threshold = ALPHA_SUPPLY - (ALPHA_SUPPLY >> (halvings + 1n));
  }
  return base >> halvings;
}

/** Subnets that receive emission: started (start_call) and open for registration. */
export function emitsThisBlock(state: StateRead, netuid: number): boolean {
  return S.FirstEmissionBlockNumber.get(state, netuid) !== undefined && S.SubtokenEnabled.get(state, netuid) && S.NetworkRegistrationAllowed.get(state, netuid);
}

/** One block's alpha emission for a subnet, into its pending pots. */
export function accumulateEmission(env: SubtensorEnv, ctx: BlockContext, netuid: number): void {
  const issuance = S.SubnetAlphaIn.get(ctx, netuid) + S.SubnetAlphaOut.get(ctx, netuid);
  const alphaOut = blockEmissionForIssuance(env.settings.alphaEmissionPerBlock, issuance);
  S.SubnetAlphaOutEmission.set(ctx, netuid, alphaOut);
  S.SubnetAlphaOut.set(ctx, netuid, S.SubnetAlphaOut.get(ctx, netuid) + alphaOut);
  const split = splitBlockEmission({
    alphaOut,
    ownerCutEnabled: S.OwnerCutEnabled.get(ctx, netuid),
    subnetOwnerCutU16: S.SubnetOwnerCut.get(ctx, undefined),
    rootProportion: 0n,
    rootSellFlag: false,
  });
  const add = (item: typeof S.PendingOwnerCut, amount: bigint): void => {
    if (amount !== 0n) item.set(ctx, netuid, item.get(ctx, netuid) + amount);
  };
  add(S.PendingOwnerCut, split.ownerCut);
  add(S.PendingServerEmission, split.pendingServer);
  add(S.PendingValidatorEmission, split.pendingValidator);
}

/** Bonds as the epoch writes them: from sparse rows in typed arrays, no pair arrays. */
const BondRows = doubleMap<number, number, SparseRow>("Bonds", keyU16, keyU16, c.sparseRow);

/** Room for many rows' pairs, reused from one epoch to the next (grown, never shrunk). */
class RowBuffer {
  cols = new Int32Array(0);
  vals = new Float64Array(0);

  reserve(length: number): void {
    if (this.cols.length >= length) return;
    this.cols = new Int32Array(Math.ceil(length * 1.25));
    this.vals = new Float64Array(this.cols.length);
  }
}
const weightRowBuffer = new RowBuffer();
const bondRowBuffer = new RowBuffer();

/**
 * The Weights or Bonds rows at `keys` (an absent key: an empty row): each in new arrays, or with
 * `buffer` all in one buffer pair reused from epoch to epoch, for an input that lives only while
 * its epoch runs (the block's own epoch: the epoch keeps nothing of its input). `present`, if
 * given, is set to 1 at each uid whose key holds an entry.
 */
function readRows(state: StateRead, keys: readonly (string | undefined)[], buffer: RowBuffer | undefined, present?: Uint8Array): SparseRow[] {
  const rows: SparseRow[] = new Array(keys.length);
  if (!buffer) {
    for (let uid = 0; uid < keys.length; uid++) {
      const bytes = keys[uid] === undefined ? undefined : state.get(keys[uid]!);
      if (bytes && present) present[uid] = 1;
      rows[uid] = bytes ? c.sparseRow.decode(bytes) : EMPTY_ROW;
    }
    return rows;
  }
  const stored: (Uint8Array | undefined)[] = new Array(keys.length);
  const lengths = new Int32Array(keys.length);
  const offsets = new Int32Array(keys.length);
  let total = 0;
  for (let uid = 0; uid < keys.length; uid++) {
    const bytes = keys[uid] === undefined ? undefined : state.get(keys[uid]!);
    if (!bytes) continue;
    if (present) present[uid] = 1;
    const r = new ScaleReader(bytes);
    const length = r.compactNumber();
    if (r.remaining < length * 4) throw new ScaleDecodeError(`a row of ${length} pairs needs ${length * 4} bytes, ${r.remaining} left`);
    stored[uid] = bytes;
    lengths[uid] = length;
    offsets[uid] = r.offset;
    total += length;
  }
  buffer.reserve(total);
  const { cols, vals } = buffer;
  for (let uid = 0, at = 0; uid < keys.length; uid++) {
    const length = lengths[uid]!;
    if (length === 0) {
      rows[uid] = EMPTY_ROW;
      continue;
    }
    c.pairsInto(stored[uid]!, offsets[uid]!, length, cols, vals, at);
    rows[uid] = { cols: cols.subarray(at, at + length), vals: vals.subarray(at, at + length) };
    at += length;
  }
  return rows;
}

/**
 * The epoch's input, read from the storage HEAD's epoch reads. With `reuseRows`, its Weights and
 * Bonds rows live in buffers the next epoch overwrites (for an input used once, at once).
 * `storedBonds` (n bytes of 0), if given, gets a 1 at each uid that holds a Bonds entry, for
 * writeEpochOutputs.
 */
export function epochInput(state: StateRead, netuid: number, currentBlock: bigint, raoEmission: bigint, uids: readonly UidKeys[] = subnetUidKeys(state, netuid, S.SubnetworkN.get(state, netuid)), reuseRows = false, storedBonds?: Uint8Array): EpochInput {
  const n = uids.length;
  const ownerHotkey = S.SubnetOwnerHotkey.get(state, netuid);
  const ownerUid = S.Uids.get(state, netuid, ownerHotkey);
  const [alphaLow, alphaHigh] = S.AlphaValues.get(state, netuid);
  const commitReveal = S.CommitRevealWeightsEnabled.get(state, netuid);
  const validatorPermit = S.ValidatorPermit.get(state, netuid);
  const blockAtRegistration: number[] = new Array(n);
  const alphaStake: bigint[] = new Array(n);
  const taoStake: bigint[] = new Array(n);
  for (let uid = 0; uid < n; uid++) {
    const keys = uids[uid]!;
    blockAtRegistration[uid] = c.blockNumber(state.get(keys.registeredKey));
    alphaStake[uid] = S.TotalHotkeyAlpha.getAt(state, keys.stakeKey);
    taoStake[uid] = 0n;
  }
  // The epoch masks away the rows of uids without a validator permit (the owner always has one): those are not read.
  const weights = readRows(state, uids.map((keys, uid) => (validatorPermit[uid] === true || uid === ownerUid ? keys.weightsKey : undefined)), reuseRows ? weightRowBuffer : undefined);
  const bonds = readRows(state, uids.map((keys) => keys.bondsKey), reuseRows ? bondRowBuffer : undefined, storedBonds);
  return {
    hyperparams: {
      kappa: S.Kappa.get(state, netuid),
      bondsPenalty: S.BondsPenalty.get(state, netuid),
      bondsMovingAverage: S.BondsMovingAverage.get(state, netuid),
      yuma3: S.Yuma3On.get(state, netuid),
      liquidAlpha: S.LiquidAlphaOn.get(state, netuid),
      alphaLow,
      alphaHigh,
      alphaSigmoidSteepness: S.AlphaSigmoidSteepness.get(state, netuid),
      commitRevealEnabled: commitReveal,
      tempo: S.Tempo.get(state, netuid),
      activityCutoffFactorMilli: S.ActivityCutoffFactorMilli.get(state, netuid),
      maxAllowedValidators: S.MaxAllowedValidators.get(state, netuid),
      stakeThreshold: S.StakeThreshold.get(state, undefined),
      taoWeightU64: S.TaoWeight.get(state, undefined),
    },
    state: {
      n,
      currentBlock: Number(currentBlock),
      lastMechanismStepBlock: Number(S.LastMechansimStepBlock.get(state, netuid)),
      lastUpdate: c.blockNumbers(state.get(S.LastUpdate.key(netuid))),
      blockAtRegistration,
      alphaStake,
      taoStake,
      ownerUid: ownerUid ?? null,
      validatorPermit,
      weights,
      bonds,
      raoEmission,
      commitBlocks: commitReveal
        ? uids.map(({ hotkey }) => {
            const commits = S.WeightCommits.get(state, netuid, hotkey);
            return commits && commits.length > 0 ? Number(commits[0]!.commitBlock) : Number.POSITIVE_INFINITY;
          })
        : undefined,
    },
  };
}

/**
 * Writes the epoch's outputs where HEAD writes them. `storedBonds`: which uids held a Bonds entry
 * when the epoch's input was read (epochInput's), else each uid's entry is looked up.
 */
export function writeEpochOutputs(ctx: BlockContext, netuid: number, out: EpochOutput, uids: readonly UidKeys[] = subnetUidKeys(ctx, netuid, out.bonds.length), storedBonds?: Uint8Array): void {
  S.Active.set(ctx, netuid, out.active);
  S.Consensus.set(ctx, netuid, out.consensus);
  S.Incentive.set(ctx, netuid, out.incentive);
  S.Dividends.set(ctx, netuid, out.dividends);
  S.ValidatorTrust.set(ctx, netuid, out.validatorTrust);
  S.ValidatorPermit.set(ctx, netuid, out.newValidatorPermit);
  S.StakeWeight.set(ctx, netuid, out.stakeWeight);
  S.Emission.set(ctx, netuid, out.emission);
  // An empty row is no entry: removed where one is stored, and nothing written where none is
  // (most uids hold no bonds; removing an absent key changed nothing but cost a change to commit,
  // and looking it up again costs a miss in a large map: the input's read already told).
  const bonds = out.bonds;
  for (let uid = 0; uid < bonds.length; uid++) {
    const row = bonds[uid]!;
    const key = uids[uid]!.bondsKey;
    if (row.cols.length !== 0) BondRows.setAt(ctx, key, row);
    else if (storedBonds ? storedBonds[uid] === 1 : ctx.get(key) !== undefined) ctx.delete(key);
  }
}

/** distribute_emission: take the pots, run the epoch, pay the owner, miners and validators as stake. */
export function runSubnetEpoch(env: SubtensorEnv, ctx: BlockContext, netuid: number): void {
  const server = S.PendingServerEmission.get(ctx, netuid);
  const validator = S.PendingValidatorEmission.get(ctx, netuid);
  const ownerCut = S.PendingOwnerCut.get(ctx, netuid);
  for (const pot of [S.PendingServerEmission, S.PendingValidatorEmission, S.PendingOwnerCut, S.PendingRootAlphaDivs]) pot.remove(ctx, netuid);
  S.BlocksSinceLastStep.set(ctx, netuid, 0n);
  const n = S.SubnetworkN.get(ctx, netuid);
  if (n === 0) return;
  const uids = subnetUidKeys(ctx, netuid, n);
  const storedBonds = new Uint8Array(n);
  const input = epochInput(ctx, netuid, BigInt(ctx.number), server + validator, uids, true, storedBonds);
  const out = runEpoch(input);
  writeEpochOutputs(ctx, netuid, out, uids, storedBonds);
  env.event(ctx, "IncentiveAlphaEmittedToMiners", (w) => w.u16(netuid).vec(out.serverEmission, (w, x) => w.u64(x)));

  const ownerHotkey = S.SubnetOwnerHotkey.get(ctx, netuid);
  const ownerColdkey = S.SubnetOwner.get(ctx, netuid);
  if (ownerCut > 0n) changeStake(ctx, ownerHotkey, ownerColdkey, netuid, ownerCut);

  const ownerSet = [ownerHotkey, ...S.OwnedHotkeys.get(ctx, ownerColdkey)];
  const serverEmission = out.serverEmission;
  // Each paid uid's TotalHotkeyAlpha as the epoch's input read it: unchanged since, as the only
  // stake written in between is the owner hotkey's (its cut above; its uid is burned below, never
  // paid) and each uid's own payout (a hotkey holds one uid of a subnet: Keys is one-to-one).
  const stakeRead = input.state.alphaStake;
  let incentiveTotal = 0n;
  for (let uid = 0; uid < uids.length; uid++) {
    const incentive = serverEmission[uid] ?? 0n;
    if (incentive === 0n) continue;
    incentiveTotal += incentive;
    const keys = uids[uid]!;
    if (ownedBy(ownerSet, keys.hotkey)) {
      // The owner's own miners' incentive is burned (RecycleOrBurn defaults to Burn).
      S.SubnetAlphaOut.set(ctx, netuid, S.SubnetAlphaOut.get(ctx, netuid) - incentive);
      continue;
    }
    changeStakeAt(ctx, keys.stakeKey, keys.sharesKey, ownerAlphaKey(ctx, keys, netuid), incentive, stakeRead[uid]);
  }

  const dividends = new Map<number, bigint>();
  const stake = new Map<number, readonly [bigint, bigint]>();
  out.validatorEmission.forEach((e, uid) => {
    if (e === 0n) return;
    dividends.set(uid, e << 32n);
    stake.set(uid, [S.TotalHotkeyAlpha.getAt(ctx, uids[uid]!.stakeKey), 0n]);
  });
  const pendingAlpha = incentiveTotal === 0n ? server + validator : validator;
  const split = dividendAlphaRootSplit({ pendingAlpha, pendingRootAlpha: 0n, taoWeight: 0n, stake, dividends });
  for (const [uid, raw] of split.alphaDividends) {
    const amount = raw >> 32n;
    const keys = uids[uid]!;
    const dividendKeys = dividendKeysOf(keys, netuid);
    const take = (amount * BigInt(S.Delegates.getAt(ctx, dividendKeys.delegates))) / 65535n;
    if (take > 0n) changeStakeAt(ctx, keys.stakeKey, keys.sharesKey, ownerAlphaKey(ctx, keys, netuid), take);
    addToHotkeyPool(ctx, keys.hotkey, netuid, amount - take, keys.stakeKey);
    S.AlphaDividendsPerSubnet.setAt(ctx, dividendKeys.dividends, amount);
  }
}

function ownedBy(ownerSet: readonly Uint8Array[], hotkey: Uint8Array): boolean {
  for (let i = 0; i < ownerSet.length; i++) if (bytesEqual(ownerSet[i]!, hotkey)) return true;
  return false;
}

/** The AlphaV2 key of the uid's hotkey for its owner's coldkey (Owner, read now), where its stake changes land. */
function ownerAlphaKey(state: StateRead, keys: UidKeys, netuid: number): string {
  return alphaKeyOf(keys, state.get(keys.ownerKey) ?? S.Owner.getAt(state, keys.ownerKey), netuid);
}
