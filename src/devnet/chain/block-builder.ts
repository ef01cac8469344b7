/**
 * Builds one block on top of the head: initialise, the timestamp inherent, as many ready
 * transactions as fit (each applied or rejected), finalise. Pure over its inputs: it reads the
 * head state and returns the block with its state changes; nothing is written here.
 */
import { toHex } from "../codec/hex.js";
import { ScaleWriter } from "../codec/scale.js";
import type { ChainState, ChangeSet } from "../state/chain-state.js";
import { normalMaxWeight } from "../runtime/constants.js";
import { BlockContext } from "../runtime/context.js";
import { encodeBareExtrinsic } from "../runtime/extrinsic.js";
import type { CheckedTransaction, DevRuntime } from "../runtime/runtime.js";
import { InvalidTransaction } from "../runtime/validity.js";
import type { IncludedTransaction } from "../pool/tx-pool.js";
import { encodeDigest, extrinsicsRoot, hashHeader, type Block, type DigestLog, type Header } from "./block.js";

export interface BuildInput {
  readonly runtime: DevRuntime;
  readonly state: ChainState;
  readonly parent: { readonly hash: Uint8Array; readonly number: number };
  readonly candidates: readonly CheckedTransaction[];
  /** Wall-clock time in ms (the timestamp inherent never goes backwards). */
  readonly nowMs: bigint;
  /** Aura's slot length, for the pre-runtime digest clients see on subtensor. */
  readonly slotDurationMs: bigint;
}

export interface BuiltBlock {
  readonly block: Block;
  readonly changes: ChangeSet;
  /** The transactions in the block: hash and index in its body (the timestamp inherent is 0). */
  readonly included: readonly IncludedTransaction[];
  /** Transactions that can never be included, with why. */
  readonly rejected: readonly { readonly hash: string; readonly reason: InvalidTransaction }[];
}

const AURA_ENGINE = new TextEncoder().encode("aura");

export function buildBlock(input: BuildInput): BuiltBlock {
  const { runtime, state, parent } = input;
  const number = parent.number + 1;
  const ctx = new BlockContext(state, number, (c, origin, call) => void runtime.tryDispatch(c, origin, call));
  runtime.initializeBlock(ctx, parent.hash);
  const now = runtime.timestamp.nextMoment(state, input.nowMs);
  const timestampCall = runtime.timestampCall(now);
  const extrinsics: Uint8Array[] = [encodeBareExtrinsic(timestampCall.toU8a())];
  runtime.applyInherent(ctx, timestampCall, 0);

  const maxWeight = normalMaxWeight(runtime.constants);
  const maxLength = Math.floor((runtime.constants.maxBlockLength * Number(runtime.constants.normalDispatchRatioPercent)) / 100);
  let weight = 0n;
  let length = extrinsics[0]!.length;
  const included: IncludedTransaction[] = [];
  const rejected: { hash: string; reason: InvalidTransaction }[] = [];
  const skippedSenders = new Set<string>();
  for (const tx of input.candidates) {
    const sender = toHex(tx.signedPart.signer);
    if (skippedSenders.has(sender)) continue;
    const txWeight = tx.info.refTime + runtime.constants.extrinsicBaseWeight;
    if (weight + txWeight > maxWeight || length + tx.xt.bytes.length > maxLength) {
      skippedSenders.add(sender); // keeps this sender's later nonces out of this block too
      continue;
    }
    try {
      ctx.transactional(() => runtime.applyExtrinsic(ctx, tx, extrinsics.length));
    } catch (error) {
      if (!(error instanceof InvalidTransaction)) throw error;
      skippedSenders.add(sender);
      if (error.reason !== "Future") rejected.push({ hash: toHex(tx.xt.hash), reason: error });
      continue;
    }
    included.push({ hash: toHex(tx.xt.hash), index: extrinsics.length });
    extrinsics.push(tx.xt.bytes);
    weight += txWeight;
    length += tx.xt.bytes.length;
  }

  const slot = now / input.slotDurationMs;
  const digest: DigestLog[] = [{ kind: 6, engine: AURA_ENGINE, data: new ScaleWriter(8).u64(slot).finish() }];
  runtime.finalizeBlock(ctx, extrinsics.length, encodeDigest(digest));
  const changes = ctx.changes();
  const header: Header = { parentHash: parent.hash, number, stateRoot: state.rootAfter(changes), extrinsicsRoot: extrinsicsRoot(extrinsics), digest };
  return { block: { header, hash: hashHeader(header), extrinsics }, changes, included, rejected };
}
