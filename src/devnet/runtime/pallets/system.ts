/** frame_system (pallet 0): accounts and nonces, block bookkeeping, events, root storage calls. */
import { blake2_256 } from "../../codec/hashing.js";
import { toHex } from "../../codec/hex.js";
import { ScaleReader, ScaleWriter } from "../../codec/scale.js";
import { declareAccountData, declareRuntimeVersion, type CommonTypes } from "../../metadata/common-types.js";
import type { TypeBuilder } from "../../metadata/type-builder.js";
import type { BlockContext } from "../context.js";
import { DispatchFailure, ensureRoot, type Origin } from "../dispatch.js";
import { call, errorList, moduleError, StorageItem, type ErrorDecl, type Pallet, type PalletDeclaration } from "../pallet.js";
import type { RuntimeConstants } from "../constants.js";
import { encodeBlockLength, encodeBlockWeights, encodeRuntimeVersion } from "../constants.js";

export interface AccountData {
  free: bigint;
  reserved: bigint;
  frozen: bigint;
  flags: bigint;
}

export interface AccountInfo {
  nonce: number;
  consumers: number;
  providers: number;
  sufficients: number;
  data: AccountData;
}

/** pallet_balances' "new logic" flag, set on every account the current pallet creates. */
export const NEW_LOGIC_FLAG = 1n << 127n;

export function emptyAccount(): AccountInfo {
  return { nonce: 0, consumers: 0, providers: 0, sufficients: 0, data: { free: 0n, reserved: 0n, frozen: 0n, flags: NEW_LOGIC_FLAG } };
}

export function encodeAccountInfo(a: AccountInfo): Uint8Array {
  return new ScaleWriter(80).u32(a.nonce).u32(a.consumers).u32(a.providers).u32(a.sufficients).u64(a.data.free).u64(a.data.reserved).u64(a.data.frozen).u128(a.data.flags).finish();
}

export function decodeAccountInfo(bytes: Uint8Array): AccountInfo {
  const r = new ScaleReader(bytes);
  return { nonce: r.u32(), consumers: r.u32(), providers: r.u32(), sufficients: r.u32(), data: { free: r.u64(), reserved: r.u64(), frozen: r.u64(), flags: r.u128() } };
}

const EVENTS = {
  ExtrinsicSuccess: 0,
  ExtrinsicFailed: 1,
  CodeUpdated: 2,
  NewAccount: 3,
  KilledAccount: 4,
  Remarked: 5,
  UpgradeAuthorized: 6,
  RejectedInvalidAuthorizedUpgrade: 7,
} as const;

export class SystemPallet implements Pallet {
  readonly name = "System";
  readonly index = 0;
  readonly account = new StorageItem("System", "Account", ["Blake2_128Concat"]);
  readonly number = new StorageItem("System", "Number");
  readonly parentHash = new StorageItem("System", "ParentHash");
  readonly blockHash = new StorageItem("System", "BlockHash", ["Twox64Concat"]);
  readonly events = new StorageItem("System", "Events");
  readonly eventCount = new StorageItem("System", "EventCount");
  readonly extrinsicCount = new StorageItem("System", "ExtrinsicCount");
  readonly digest = new StorageItem("System", "Digest");
  readonly lastRuntimeUpgrade = new StorageItem("System", "LastRuntimeUpgrade");
  readonly authorizedUpgrade = new StorageItem("System", "AuthorizedUpgrade");
  readonly #constants: RuntimeConstants;
  readonly errors: readonly ErrorDecl[] = errorList([
    ["InvalidSpecName", "The name of specification does not match between the current runtime and the new runtime."],
    ["SpecVersionNeedsToIncrease", "The specification version is not allowed to decrease between the current runtime and the new runtime."],
    ["FailedToExtractRuntimeVersion", "Failed to extract the runtime version from the new runtime. Either calling `Core_version` or decoding `RuntimeVersion` failed."],
    ["NonDefaultComposite", "Suicide called when the account has non-default composite data."],
    ["NonZeroRefCount", "There is a non-zero reference count preventing the account from being purged."],
    ["CallFiltered", "The origin filter prevent the call to be dispatched."],
    ["MultiBlockMigrationsOngoing", "A multi-block migration is ongoing and prevents the current code from being replaced."],
    ["NothingAuthorized", "No upgrade authorized."],
    ["Unauthorized", "The submitted code is not authorized."],
  ]);

  constructor(constants: RuntimeConstants) {
    this.#constants = constants;
  }

  accountKey(who: Uint8Array): string {
    return this.account.key(who);
  }

  readAccount(ctx: { get(key: string): Uint8Array | undefined }, who: Uint8Array): AccountInfo {
    const bytes = ctx.get(this.accountKey(who));
    return bytes ? decodeAccountInfo(bytes) : emptyAccount();
  }

  /** Writes an account, or removes it (and says so in an event) once nothing provides for it. */
  writeAccount(ctx: BlockContext, who: Uint8Array, info: AccountInfo): void {
    const key = this.accountKey(who);
    if (info.providers === 0 && info.sufficients === 0) {
      if (ctx.get(key) !== undefined) {
        ctx.delete(key);
        ctx.depositEvent(this.index, EVENTS.KilledAccount, who);
      }
      return;
    }
    ctx.set(key, encodeAccountInfo(info));
  }

  depositNewAccount(ctx: BlockContext, who: Uint8Array): void {
    ctx.depositEvent(this.index, EVENTS.NewAccount, who);
  }

  incrementNonce(ctx: BlockContext, who: Uint8Array): void {
    const info = this.readAccount(ctx, who);
    info.nonce += 1;
    // As in FRAME, an account that holds nothing (a hotkey sending fee-free calls) keeps its nonce.
    ctx.set(this.accountKey(who), encodeAccountInfo(info));
  }

  depositExtrinsicResult(ctx: BlockContext, info: { refTime: bigint; class: number; paysFee: boolean }, error?: Uint8Array): void {
    const w = new ScaleWriter(32);
    if (error) w.raw(error);
    w.compact(info.refTime).compact(0).u8(info.class).u8(info.paysFee ? 0 : 1);
    ctx.depositEvent(this.index, error ? EVENTS.ExtrinsicFailed : EVENTS.ExtrinsicSuccess, w.finish());
  }

  /** on_initialize: the block number, the parent's hash, a fresh event list. */
  initializeBlock(ctx: BlockContext, parentHash: Uint8Array): void {
    ctx.set(this.number.key(), new ScaleWriter(4).u32(ctx.number).finish());
    ctx.set(this.parentHash.key(), parentHash);
    if (ctx.number > 0) ctx.set(this.blockHash.key(new ScaleWriter(4).u32(ctx.number - 1).finish()), parentHash);
    const expired = ctx.number - 1 - this.#constants.blockHashCount;
    if (expired > 0) ctx.delete(this.blockHash.key(new ScaleWriter(4).u32(expired).finish()));
    ctx.delete(this.events.key());
    ctx.delete(this.eventCount.key());
  }

  /** on_finalize: the events and counters of the block. */
  finalizeBlock(ctx: BlockContext, extrinsicCount: number, digest: Uint8Array): void {
    ctx.set(this.events.key(), ctx.encodeEvents());
    ctx.set(this.eventCount.key(), new ScaleWriter(4).u32(ctx.eventCount).finish());
    ctx.set(this.extrinsicCount.key(), new ScaleWriter(4).u32(extrinsicCount).finish());
    ctx.set(this.digest.key(), digest);
  }

  /** Genesis storage: block 0's hash is recorded by block 1's initialisation. */
  genesisStorage(): [string, Uint8Array][] {
    return [
      [this.number.key(), new ScaleWriter(4).u32(0).finish()],
      [this.lastRuntimeUpgrade.key(), new ScaleWriter().compact(this.#constants.version.specVersion).bytes(new TextEncoder().encode(this.#constants.version.specName)).finish()],
    ];
  }

  /** System.Number: the block the state belongs to. */
  blockNumber(state: { get(key: string): Uint8Array | undefined }): number {
    const value = state.get(this.number.key());
    return value ? new ScaleReader(value).u32() : 0;
  }

  blockHashAt(ctx: { get(key: string): Uint8Array | undefined }, number: number): Uint8Array | undefined {
    return ctx.get(this.blockHash.key(new ScaleWriter(4).u32(number).finish()));
  }

  declare(b: TypeBuilder, t: CommonTypes): PalletDeclaration {
    const refCount = t.u32;
    const accountData = declareAccountData(b, t);
    const accountInfo = b.composite(
      "frame_system::AccountInfo",
      [
        { name: "nonce", type: t.u32, typeName: "Nonce" },
        { name: "consumers", type: refCount, typeName: "RefCount" },
        { name: "providers", type: refCount, typeName: "RefCount" },
        { name: "sufficients", type: refCount, typeName: "RefCount" },
        { name: "data", type: accountData, typeName: "AccountData" },
      ],
      { params: [{ name: "Nonce", type: t.u32 }, { name: "AccountData", type: accountData }] },
    );
    const perClassWeight = b.composite(
      "frame_support::dispatch::PerDispatchClass",
      [
        { name: "normal", type: t.weight, typeName: "T" },
        { name: "operational", type: t.weight, typeName: "T" },
        { name: "mandatory", type: t.weight, typeName: "T" },
      ],
      { params: [{ name: "T", type: t.weight }] },
    );
    const eventRecord = b.composite(
      "frame_system::EventRecord",
      [
        { name: "phase", type: t.phase, typeName: "Phase" },
        { name: "event", type: t.runtimeEvent, typeName: "E" },
        { name: "topics", type: b.sequence(t.h256), typeName: "Vec<T>" },
      ],
      { params: [{ name: "E", type: t.runtimeEvent }, { name: "T", type: t.h256 }] },
    );
    const lastRuntimeUpgradeInfo = b.composite("frame_system::LastRuntimeUpgradeInfo", [
      { name: "spec_version", type: t.compactU32, typeName: "codec::Compact<u32>" },
      { name: "spec_name", type: t.str, typeName: "Cow<'static, str>" },
    ]);
    const codeUpgradeAuthorization = b.composite(
      "frame_system::CodeUpgradeAuthorization",
      [
        { name: "code_hash", type: t.h256, typeName: "T::Hash" },
        { name: "check_version", type: t.bool, typeName: "bool" },
      ],
      { params: [{ name: "T" }] },
    );
    const keyValue = b.tuple(t.bytes, t.bytes);
    const weightsPerClass = b.composite("frame_system::limits::WeightsPerClass", [
      { name: "base_extrinsic", type: t.weight, typeName: "Weight" },
      { name: "max_extrinsic", type: b.option(t.weight), typeName: "Option<Weight>" },
      { name: "max_total", type: b.option(t.weight), typeName: "Option<Weight>" },
      { name: "reserved", type: b.option(t.weight), typeName: "Option<Weight>" },
    ]);
    const blockWeights = b.composite("frame_system::limits::BlockWeights", [
      { name: "base_block", type: t.weight, typeName: "Weight" },
      { name: "max_block", type: t.weight, typeName: "Weight" },
      {
        name: "per_class",
        type: b.composite(
          "frame_support::dispatch::PerDispatchClass",
          [
            { name: "normal", type: weightsPerClass, typeName: "T" },
            { name: "operational", type: weightsPerClass, typeName: "T" },
            { name: "mandatory", type: weightsPerClass, typeName: "T" },
          ],
          { params: [{ name: "T", type: weightsPerClass }] },
        ),
        typeName: "PerDispatchClass<WeightsPerClass>",
      },
    ]);
    const blockLength = b.composite("frame_system::limits::BlockLength", [
      {
        name: "max",
        type: b.composite(
          "frame_support::dispatch::PerDispatchClass",
          [
            { name: "normal", type: t.u32, typeName: "T" },
            { name: "operational", type: t.u32, typeName: "T" },
            { name: "mandatory", type: t.u32, typeName: "T" },
          ],
          { params: [{ name: "T", type: t.u32 }] },
        ),
        typeName: "PerDispatchClass<u32>",
      },
    ]);
    const dbWeight = b.composite("sp_weights::RuntimeDbWeight", [
      { name: "read", type: t.u64, typeName: "u64" },
      { name: "write", type: t.u64, typeName: "u64" },
    ]);
    const runtimeVersion = declareRuntimeVersion(b, t);
    const executionPhase = t.phase;
    const zero = (n: number): Uint8Array => new Uint8Array(n);
    const c = this.#constants;
    return {
      callTypePath: "frame_system::pallet::Call",
      calls: [
        call(0, "remark", [["remark", t.bytes, "Vec<u8>"]], ["Make some on-chain remark.", "", "Can be executed by every `origin`."], () => undefined),
        call(1, "set_heap_pages", [["pages", t.u64, "u64"]], ["Set the number of pages in the WebAssembly environment's heap."], (ctx, origin, args) => {
          ensureRoot(origin);
          ctx.set(toHex(new TextEncoder().encode(":heappages")), new ScaleWriter(8).u64(BigInt(args[0]!.toString())).finish());
        }),
        call(2, "set_code", [["code", t.bytes, "Vec<u8>"]], ["Set the new runtime code."], (_ctx, origin) => this.#refuseCode(origin)),
        call(3, "set_code_without_checks", [["code", t.bytes, "Vec<u8>"]], ["Set the new runtime code without doing any checks of the given `code`."], (_ctx, origin) => this.#refuseCode(origin)),
        call(4, "set_storage", [["items", b.sequence(keyValue), "Vec<KeyValue>"]], ["Set some items of storage."], (ctx, origin, args) => {
          ensureRoot(origin);
          for (const pair of args[0] as unknown as Iterable<[{ toU8a(bare: boolean): Uint8Array }, { toU8a(bare: boolean): Uint8Array }]>)
            ctx.set(toHex(pair[0].toU8a(true)), pair[1].toU8a(true));
        }),
        call(5, "kill_storage", [["keys", b.sequence(t.bytes), "Vec<Key>"]], ["Kill some items from storage."], (ctx, origin, args) => {
          ensureRoot(origin);
          for (const key of args[0] as unknown as Iterable<{ toU8a(bare: boolean): Uint8Array }>) ctx.delete(toHex(key.toU8a(true)));
        }),
        call(6, "kill_prefix", [["prefix", t.bytes, "Key"], ["subkeys", t.u32, "u32"]], ["Kill all storage items with a key that starts with the given prefix."], (ctx, origin, args) => {
          ensureRoot(origin);
          const prefix = toHex((args[0] as unknown as { toU8a(bare: boolean): Uint8Array }).toU8a(true));
          for (const key of ctx.keysWithPrefix(prefix)) ctx.delete(key);
        }),
        call(7, "remark_with_event", [["remark", t.bytes, "Vec<u8>"]], ["Make some on-chain remark and emit event."], (ctx, origin, args) => {
          if (origin.kind !== "signed") throw new DispatchFailure({ kind: "BadOrigin" });
          const hash = blake2_256((args[0] as unknown as { toU8a(bare: boolean): Uint8Array }).toU8a(true));
          ctx.depositEvent(this.index, EVENTS.Remarked, new ScaleWriter(64).raw(origin.who).raw(hash).finish());
        }),
        call(9, "authorize_upgrade", [["code_hash", t.h256, "T::Hash"]], ["Authorize an upgrade to a given `code_hash` for the runtime."], (ctx, origin, args) =>
          this.#authorize(ctx, origin, args[0]!.toU8a(), true),
        ),
        call(10, "authorize_upgrade_without_checks", [["code_hash", t.h256, "T::Hash"]], ["Authorize an upgrade to a given `code_hash` for the runtime, without safety checks."], (ctx, origin, args) =>
          this.#authorize(ctx, origin, args[0]!.toU8a(), false),
        ),
        call(11, "apply_authorized_upgrade", [["code", t.bytes, "Vec<u8>"]], ["Provide the preimage (runtime binary) `code` for an upgrade that has been authorized."], (ctx) => {
          const authorized = ctx.get(this.authorizedUpgrade.key());
          throw new DispatchFailure(moduleError(this, this.errors, authorized ? "FailedToExtractRuntimeVersion" : "NothingAuthorized"));
        }),
      ],
      storage: [
        { item: this.account, modifier: "Default", shape: { map: { hashers: ["Blake2_128Concat"], key: t.accountId, value: accountInfo } }, fallback: encodeAccountInfo(emptyAccount()), docs: [" The full account information for a particular account ID."] },
        { item: new StorageItem("System", "ExtrinsicCount"), modifier: "Optional", shape: { plain: t.u32 }, fallback: zero(1), docs: [" Total extrinsics count for the current block."] },
        { item: new StorageItem("System", "InherentsApplied"), modifier: "Default", shape: { plain: t.bool }, fallback: zero(1), docs: [" Whether all inherents have been applied."] },
        { item: new StorageItem("System", "BlockWeight"), modifier: "Default", shape: { plain: perClassWeight }, fallback: zero(6), docs: [" The current weight for the block."] },
        { item: new StorageItem("System", "AllExtrinsicsLen"), modifier: "Optional", shape: { plain: t.u32 }, fallback: zero(1), docs: [" Total length (in bytes) for all extrinsics put together, for the current block."] },
        { item: this.blockHash, modifier: "Default", shape: { map: { hashers: ["Twox64Concat"], key: t.u32, value: t.h256 } }, fallback: zero(32), docs: [" Map of block numbers to block hashes."] },
        { item: new StorageItem("System", "ExtrinsicData", ["Twox64Concat"]), modifier: "Default", shape: { map: { hashers: ["Twox64Concat"], key: t.u32, value: t.bytes } }, fallback: zero(1), docs: [" Extrinsics data for the current block (maps an extrinsic's index to its data)."] },
        { item: this.number, modifier: "Default", shape: { plain: t.u32 }, fallback: zero(4), docs: [" The current block number being processed. Set by `execute_block`."] },
        { item: this.parentHash, modifier: "Default", shape: { plain: t.h256 }, fallback: zero(32), docs: [" Hash of the previous block."] },
        { item: this.digest, modifier: "Default", shape: { plain: t.digest }, fallback: zero(1), docs: [" Digest of the current block, also part of the block header."] },
        { item: this.events, modifier: "Default", shape: { plain: b.sequence(eventRecord) }, fallback: zero(1), docs: [" Events deposited for the current block."] },
        { item: this.eventCount, modifier: "Default", shape: { plain: t.u32 }, fallback: zero(4), docs: [" The number of events in the `Events<T>` list."] },
        { item: new StorageItem("System", "EventTopics", ["Blake2_128Concat"]), modifier: "Default", shape: { map: { hashers: ["Blake2_128Concat"], key: t.h256, value: b.sequence(b.tuple(t.u32, t.u32)) } }, fallback: zero(1), docs: [" Mapping between a topic (represented by T::Hash) and a vector of indexes of events in the `<Events<T>>` list."] },
        { item: this.lastRuntimeUpgrade, modifier: "Optional", shape: { plain: lastRuntimeUpgradeInfo }, fallback: zero(1), docs: [" Stores the `spec_version` and `spec_name` of when the last runtime upgrade happened."] },
        { item: new StorageItem("System", "UpgradedToU32RefCount"), modifier: "Default", shape: { plain: t.bool }, fallback: zero(1), docs: [" True if we have upgraded so that `type RefCount` is `u32`. False (default) if not."] },
        { item: new StorageItem("System", "UpgradedToTripleRefCount"), modifier: "Default", shape: { plain: t.bool }, fallback: zero(1), docs: [" True if we have upgraded so that AccountInfo contains three types of `RefCount`."] },
        { item: new StorageItem("System", "ExecutionPhase"), modifier: "Optional", shape: { plain: executionPhase }, fallback: zero(1), docs: [" The execution phase of the block."] },
        { item: this.authorizedUpgrade, modifier: "Optional", shape: { plain: codeUpgradeAuthorization }, fallback: zero(1), docs: [" `Some` if a code upgrade has been authorized."] },
        { item: new StorageItem("System", "ExtrinsicWeightReclaimed"), modifier: "Default", shape: { plain: t.weight }, fallback: zero(2), docs: [" The weight reclaimed for the extrinsic."] },
      ],
      eventTypePath: "frame_system::pallet::Event",
      events: [
        { name: "ExtrinsicSuccess", index: 0, fields: [{ name: "dispatch_info", type: t.dispatchEventInfo, typeName: "DispatchEventInfo" }], docs: ["An extrinsic completed successfully."] },
        { name: "ExtrinsicFailed", index: 1, fields: [{ name: "dispatch_error", type: t.dispatchError, typeName: "DispatchError" }, { name: "dispatch_info", type: t.dispatchEventInfo, typeName: "DispatchEventInfo" }], docs: ["An extrinsic failed."] },
        { name: "CodeUpdated", index: 2, fields: [], docs: ["`:code` was updated."] },
        { name: "NewAccount", index: 3, fields: [{ name: "account", type: t.accountId, typeName: "T::AccountId" }], docs: ["A new account was created."] },
        { name: "KilledAccount", index: 4, fields: [{ name: "account", type: t.accountId, typeName: "T::AccountId" }], docs: ["An account was reaped."] },
        { name: "Remarked", index: 5, fields: [{ name: "sender", type: t.accountId, typeName: "T::AccountId" }, { name: "hash", type: t.h256, typeName: "T::Hash" }], docs: ["On on-chain remark happened."] },
        { name: "UpgradeAuthorized", index: 6, fields: [{ name: "code_hash", type: t.h256, typeName: "T::Hash" }, { name: "check_version", type: t.bool, typeName: "bool" }], docs: ["An upgrade was authorized."] },
        { name: "RejectedInvalidAuthorizedUpgrade", index: 7, fields: [{ name: "code_hash", type: t.h256, typeName: "T::Hash" }, { name: "error", type: t.dispatchError, typeName: "DispatchError" }], docs: ["An invalid authorized upgrade was rejected while trying to apply it."] },
      ],
      errorTypePath: "frame_system::pallet::Error",
      errors: this.errors,
      constants: [
        { name: "BlockWeights", type: blockWeights, value: encodeBlockWeights(c), docs: [" Block & extrinsics weights: base values and limits."] },
        { name: "BlockLength", type: blockLength, value: encodeBlockLength(c), docs: [" The maximum length of a block (in bytes)."] },
        { name: "BlockHashCount", type: t.u32, value: new ScaleWriter(4).u32(c.blockHashCount).finish(), docs: [" Maximum number of block number to block hash mappings to keep (oldest pruned first)."] },
        { name: "DbWeight", type: dbWeight, value: new ScaleWriter(16).u64(c.dbRead).u64(c.dbWrite).finish(), docs: [" The weight of runtime database operations the runtime can invoke."] },
        { name: "Version", type: runtimeVersion, value: encodeRuntimeVersion(c.version), docs: [" Get the chain's in-code version."] },
        { name: "SS58Prefix", type: t.u16, value: new ScaleWriter(2).u16(c.ss58Prefix).finish(), docs: [" The designated SS58 prefix of this chain."] },
      ],
    };
  }

  #refuseCode(origin: Origin): never {
    ensureRoot(origin);
    // The devnet runtime is TypeScript, not a Wasm blob: no code can be installed.
    throw new DispatchFailure(moduleError(this, this.errors, "FailedToExtractRuntimeVersion"));
  }

  #authorize(ctx: BlockContext, origin: Origin, codeHash: Uint8Array, checkVersion: boolean): void {
    ensureRoot(origin);
    ctx.set(this.authorizedUpgrade.key(), new ScaleWriter(33).raw(codeHash).bool(checkVersion).finish());
    ctx.depositEvent(this.index, EVENTS.UpgradeAuthorized, new ScaleWriter(33).raw(codeHash).bool(checkVersion).finish());
  }
}

