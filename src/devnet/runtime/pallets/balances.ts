/**
 * pallet_balances (pallet 5): free balances kept in System.Account as subtensor configures it,
 * with the existential deposit, account creation and reaping, and total issuance.
 * Reserves, locks, holds and freezes exist in storage and metadata but nothing here creates them.
 */
import type { Codec } from "@polkadot/types-codec/types";
import { ScaleReader, ScaleWriter } from "../../codec/scale.js";
import { declareAccountData, unitVariant, RUNTIME_PATH, type CommonTypes } from "../../metadata/common-types.js";
import type { TypeBuilder } from "../../metadata/type-builder.js";
import type { RuntimeConstants } from "../constants.js";
import type { BlockContext } from "../context.js";
import { DispatchFailure, ensureRoot, ensureSigned, arithmeticError, tokenError } from "../dispatch.js";
import { call, errorList, StorageItem, type ErrorDecl, type Pallet, type PalletDeclaration } from "../pallet.js";
import { lookupAccount } from "./lookup.js";
import { emptyAccount, encodeAccountInfo, type SystemPallet } from "./system.js";

const EVENTS = {
  Endowed: 0, DustLost: 1, Transfer: 2, BalanceSet: 3, Reserved: 4, Unreserved: 5, ReserveRepatriated: 6, Deposit: 7, Withdraw: 8, Slashed: 9,
  Minted: 10, Burned: 11, Suspended: 12, Restored: 13, Upgraded: 14, Issued: 15, Rescinded: 16, Locked: 17, Unlocked: 18, Frozen: 19, Thawed: 20,
  TotalIssuanceForced: 21,
} as const;

export type Preservation = "expendable" | "preserve";

const U64_MAX = (1n << 64n) - 1n;

export class BalancesPallet implements Pallet {
  readonly name = "Balances";
  readonly index = 5;
  readonly totalIssuance = new StorageItem("Balances", "TotalIssuance");
  readonly errors: readonly ErrorDecl[] = errorList([
    ["VestingBalance", "Vesting balance too high to send value."],
    ["LiquidityRestrictions", "Account liquidity restrictions prevent withdrawal."],
    ["InsufficientBalance", "Balance too low to send value."],
    ["ExistentialDeposit", "Value too low to create account due to existential deposit."],
    ["Expendability", "Transfer/payment would kill account."],
    ["ExistingVestingSchedule", "A vesting schedule already exists for this account."],
    ["DeadAccount", "Beneficiary account must pre-exist."],
    ["TooManyReserves", "Number of named reserves exceed `MaxReserves`."],
    ["TooManyHolds", "Number of holds exceed `VariantCountOf<T::RuntimeHoldReason>`."],
    ["TooManyFreezes", "Number of freezes exceed `MaxFreezes`."],
    ["IssuanceDeactivated", "The issuance cannot be modified since it is already deactivated."],
    ["DeltaZero", "The delta cannot be zero."],
  ]);
  readonly #system: SystemPallet;
  readonly #constants: RuntimeConstants;

  constructor(system: SystemPallet, constants: RuntimeConstants) {
    this.#system = system;
    this.#constants = constants;
  }

  get existentialDeposit(): bigint {
    return this.#constants.existentialDeposit;
  }

  free(state: { get(key: string): Uint8Array | undefined }, who: Uint8Array): bigint {
    return this.#system.readAccount(state, who).data.free;
  }

  /** What `who` can spend and still keep its account alive (or all of it, when expendable). */
  reducible(state: { get(key: string): Uint8Array | undefined }, who: Uint8Array, preservation: Preservation): bigint {
    const data = this.#system.readAccount(state, who).data;
    const untouchable = data.frozen > (preservation === "preserve" ? this.existentialDeposit : 0n) ? data.frozen : preservation === "preserve" ? this.existentialDeposit : 0n;
    return data.free > untouchable ? data.free - untouchable : 0n;
  }

  readTotalIssuance(state: { get(key: string): Uint8Array | undefined }): bigint {
    const bytes = state.get(this.totalIssuance.key());
    return bytes ? new ScaleReader(bytes).u64() : 0n;
  }

  #addIssuance(ctx: BlockContext, delta: bigint): void {
    let next = this.readTotalIssuance(ctx) + delta;
    if (next < 0n) next = 0n;
    if (next > U64_MAX) next = U64_MAX;
    ctx.set(this.totalIssuance.key(), new ScaleWriter(8).u64(next).finish());
  }

  /** Sets `who`'s free balance, creating or reaping the account as the existential deposit demands. Returns the dust lost. */
  #setFree(ctx: BlockContext, who: Uint8Array, free: bigint, allowReap: boolean): bigint {
    const info = this.#system.readAccount(ctx, who);
    const existed = info.providers > 0;
    const ed = this.existentialDeposit;
    if (!existed) {
      if (free === 0n) return 0n;
      if (free < ed) throw new DispatchFailure(tokenError("BelowMinimum"));
      info.providers = 1;
      info.data.free = free;
      this.#system.depositNewAccount(ctx, who);
      ctx.depositEvent(this.index, EVENTS.Endowed, new ScaleWriter(40).raw(who).u64(free).finish());
      this.#system.writeAccount(ctx, who, info);
      return 0n;
    }
    if (free < ed && info.data.reserved === 0n && info.consumers === 0) {
      if (!allowReap) throw new DispatchFailure(tokenError("NotExpendable"));
      info.data.free = 0n;
      info.providers = 0;
      if (free > 0n) ctx.depositEvent(this.index, EVENTS.DustLost, new ScaleWriter(40).raw(who).u64(free).finish());
      this.#system.writeAccount(ctx, who, info);
      return free;
    }
    info.data.free = free;
    this.#system.writeAccount(ctx, who, info);
    return 0n;
  }

  transfer(ctx: BlockContext, from: Uint8Array, to: Uint8Array, value: bigint, preservation: Preservation): void {
    if (value === 0n || Buffer.compare(from, to) === 0) return;
    const source = this.#system.readAccount(ctx, from).data;
    if (value > source.free) throw new DispatchFailure(tokenError("FundsUnavailable"));
    if (value > this.reducible(ctx, from, preservation)) throw new DispatchFailure(tokenError(preservation === "preserve" ? "NotExpendable" : "Frozen"));
    const destFree = this.#system.readAccount(ctx, to).data.free;
    if (destFree + value > U64_MAX) throw new DispatchFailure(arithmeticError("Overflow"));
    this.#setFree(ctx, to, destFree + value, false);
    const dust = this.#setFree(ctx, from, source.free - value, preservation === "expendable");
    if (dust > 0n) this.#addIssuance(ctx, -dust);
    ctx.depositEvent(this.index, EVENTS.Transfer, new ScaleWriter(72).raw(from).raw(to).u64(value).finish());
  }

  /** Takes `amount` out of circulation from `who` (fees). Emits Withdraw. */
  withdraw(ctx: BlockContext, who: Uint8Array, amount: bigint, preservation: Preservation): void {
    if (amount === 0n) return;
    const data = this.#system.readAccount(ctx, who).data;
    if (amount > this.reducible(ctx, who, preservation)) throw new DispatchFailure(tokenError("FundsUnavailable"));
    const dust = this.#setFree(ctx, who, data.free - amount, preservation === "expendable");
    this.#addIssuance(ctx, -(amount + dust));
    ctx.depositEvent(this.index, EVENTS.Withdraw, new ScaleWriter(40).raw(who).u64(amount).finish());
  }

  /** Mints `amount` into `who`'s free balance. Emits Deposit (or Endowed for a new account). */
  deposit(ctx: BlockContext, who: Uint8Array, amount: bigint): void {
    if (amount === 0n) return;
    const free = this.#system.readAccount(ctx, who).data.free;
    if (free + amount > U64_MAX) throw new DispatchFailure(arithmeticError("Overflow"));
    const existed = this.#system.readAccount(ctx, who).providers > 0;
    this.#setFree(ctx, who, free + amount, false);
    this.#addIssuance(ctx, amount);
    if (existed) ctx.depositEvent(this.index, EVENTS.Deposit, new ScaleWriter(40).raw(who).u64(amount).finish());
  }

  #forceSetBalance(ctx: BlockContext, who: Uint8Array, newFree: bigint): void {
    const old = this.#system.readAccount(ctx, who).data.free;
    const wanted = newFree < this.existentialDeposit ? 0n : newFree;
    this.#setFree(ctx, who, wanted, true);
    this.#addIssuance(ctx, wanted - old);
    ctx.depositEvent(this.index, EVENTS.BalanceSet, new ScaleWriter(40).raw(who).u64(wanted).finish());
  }

  /** Genesis balances: accounts and total issuance, as storage entries. */
  genesisStorage(balances: readonly (readonly [Uint8Array, bigint])[]): [string, Uint8Array][] {
    const entries: [string, Uint8Array][] = [];
    let total = 0n;
    for (const [who, free] of balances) {
      entries.push([this.#system.accountKey(who), encodeAccountInfo({ ...emptyAccount(), providers: 1, data: { ...emptyAccount().data, free } })]);
      total += free;
    }
    entries.push([this.totalIssuance.key(), new ScaleWriter(8).u64(total).finish()]);
    return entries;
  }

  declare(b: TypeBuilder, t: CommonTypes): PalletDeclaration {
    const balance = t.u64;
    const compactBalance = t.compactU64;
    const lockId = t.bytes8;
    const reasons = unitVariant(b, "pallet_balances::types::Reasons", ["Fee", "Misc", "All"]);
    const balanceLock = b.composite(
      "pallet_balances::types::BalanceLock",
      [
        { name: "id", type: lockId, typeName: "LockIdentifier" },
        { name: "amount", type: balance, typeName: "Balance" },
        { name: "reasons", type: reasons, typeName: "Reasons" },
      ],
      { params: [{ name: "Balance", type: balance }] },
    );
    const reserveData = b.composite(
      "pallet_balances::types::ReserveData",
      [
        { name: "id", type: lockId, typeName: "ReserveIdentifier" },
        { name: "amount", type: balance, typeName: "Balance" },
      ],
      { params: [{ name: "ReserveIdentifier", type: lockId }, { name: "Balance", type: balance }] },
    );
    const boundedVec = (path: string, of: number): number => b.composite(path, [{ type: b.sequence(of), typeName: "Vec<T>" }], { params: [{ name: "T", type: of }, { name: "S" }] });
    const idAmount = (id: number): number =>
      b.composite(
        "frame_support::traits::tokens::misc::IdAmount",
        [
          { name: "id", type: id, typeName: "Id" },
          { name: "amount", type: balance, typeName: "Balance" },
        ],
        { params: [{ name: "Id", type: id }, { name: "Balance", type: balance }] },
      );
    const holdReason = b.variant(`${RUNTIME_PATH}::RuntimeHoldReason`, []);
    const freezeReason = b.variant(`${RUNTIME_PATH}::RuntimeFreezeReason`, []);
    const accountData = declareAccountData(b, t);
    const adjustmentDirection = unitVariant(b, "pallet_balances::types::AdjustmentDirection", ["Increase", "Decrease"]);
    const status = unitVariant(b, "frame_support::traits::tokens::misc::BalanceStatus", ["Free", "Reserved"]);
    const who = (name: string): { name: string; type: number; typeName: string } => ({ name, type: t.accountId, typeName: "T::AccountId" });
    const amount = (name = "amount"): { name: string; type: number; typeName: string } => ({ name, type: balance, typeName: "T::Balance" });
    const dest = ["dest", t.multiAddress, "AccountIdLookupOf<T>"] as const;
    const value = ["value", compactBalance, "T::Balance"] as const;
    const compactArg = (args: readonly Codec[], i: number): bigint => BigInt(args[i]!.toString());
    return {
      callTypePath: "pallet_balances::pallet::Call",
      calls: [
        call(0, "transfer_allow_death", [dest, value], ["Transfer some liquid free balance to another account."], (ctx, origin, args) =>
          this.transfer(ctx, ensureSigned(origin), lookupAccount(args[0]!), compactArg(args, 1), "expendable"), 60_000_000n),
        call(2, "force_transfer", [["source", t.multiAddress, "AccountIdLookupOf<T>"], dest, value], ["Exactly as `transfer_allow_death`, except the origin must be root and the source account may be specified."], (ctx, origin, args) => {
          ensureRoot(origin);
          this.transfer(ctx, lookupAccount(args[0]!), lookupAccount(args[1]!), compactArg(args, 2), "expendable");
        }, 60_000_000n),
        call(3, "transfer_keep_alive", [dest, value], ["Same as the [`transfer_allow_death`] call, but with a check that the transfer will not kill the origin account."], (ctx, origin, args) =>
          this.transfer(ctx, ensureSigned(origin), lookupAccount(args[0]!), compactArg(args, 1), "preserve"), 48_000_000n),
        call(4, "transfer_all", [dest, ["keep_alive", t.bool, "bool"]], ["Transfer the entire transferable balance from the caller account."], (ctx, origin, args) => {
          const from = ensureSigned(origin);
          const preservation: Preservation = args[1]!.toJSON() === true ? "preserve" : "expendable";
          this.transfer(ctx, from, lookupAccount(args[0]!), this.reducible(ctx, from, preservation), preservation);
        }, 60_000_000n),
        call(5, "force_unreserve", [["who", t.multiAddress, "AccountIdLookupOf<T>"], ["amount", balance, "T::Balance"]], ["Unreserve some balance from a user by force."], (_ctx, origin, args) => {
          ensureRoot(origin);
          lookupAccount(args[0]!); // nothing is ever reserved on the devnet
        }),
        call(6, "upgrade_accounts", [["who", b.sequence(t.accountId), "Vec<T::AccountId>"]], ["Upgrade a specified account."], (_ctx, origin) => void ensureSigned(origin)),
        call(8, "force_set_balance", [["who", t.multiAddress, "AccountIdLookupOf<T>"], ["new_free", compactBalance, "T::Balance"]], ["Set the regular balance of a given account."], (ctx, origin, args) => {
          ensureRoot(origin);
          this.#forceSetBalance(ctx, lookupAccount(args[0]!), compactArg(args, 1));
        }),
        call(9, "force_adjust_total_issuance", [["direction", adjustmentDirection, "AdjustmentDirection"], ["delta", compactBalance, "T::Balance"]], ["Adjust the total issuance in a saturating way."], (ctx, origin, args) => {
          ensureRoot(origin);
          const delta = compactArg(args, 1);
          if (delta === 0n) throw new DispatchFailure({ kind: "Module", pallet: this.index, error: 11, name: "Balances.DeltaZero" });
          const old = this.readTotalIssuance(ctx);
          this.#addIssuance(ctx, args[0]!.toJSON() === "Increase" ? delta : -delta);
          ctx.depositEvent(this.index, EVENTS.TotalIssuanceForced, new ScaleWriter(16).u64(old).u64(this.readTotalIssuance(ctx)).finish());
        }),
        call(10, "burn", [value, ["keep_alive", t.bool, "bool"]], ["Burn the specified liquid free balance from the origin."], (ctx, origin, args) => {
          const who = ensureSigned(origin);
          const amountBurned = compactArg(args, 0);
          const preservation: Preservation = args[1]!.toJSON() === true ? "preserve" : "expendable";
          const data = this.#system.readAccount(ctx, who).data;
          if (amountBurned > data.free) throw new DispatchFailure(tokenError("FundsUnavailable"));
          if (amountBurned > this.reducible(ctx, who, preservation)) throw new DispatchFailure(tokenError("NotExpendable"));
          const dust = this.#setFree(ctx, who, data.free - amountBurned, preservation === "expendable");
          this.#addIssuance(ctx, -(amountBurned + dust));
          ctx.depositEvent(this.index, EVENTS.Burned, new ScaleWriter(40).raw(who).u64(amountBurned).finish());
        }),
      ],
      storage: [
        { item: this.totalIssuance, modifier: "Default", shape: { plain: balance }, fallback: new Uint8Array(8), docs: [" The total units issued in the system."] },
        { item: new StorageItem("Balances", "InactiveIssuance"), modifier: "Default", shape: { plain: balance }, fallback: new Uint8Array(8), docs: [" The total units of outstanding deactivated balance in the system."] },
        { item: new StorageItem("Balances", "Account", ["Blake2_128Concat"]), modifier: "Default", shape: { map: { hashers: ["Blake2_128Concat"], key: t.accountId, value: accountData } }, fallback: new ScaleWriter(40).u64(0n).u64(0n).u64(0n).u128(1n << 127n).finish(), docs: [" The Balances pallet example of storing the balance of an account (unused: subtensor keeps balances in System.Account)."] },
        { item: new StorageItem("Balances", "Locks", ["Blake2_128Concat"]), modifier: "Default", shape: { map: { hashers: ["Blake2_128Concat"], key: t.accountId, value: b.composite("bounded_collections::weak_bounded_vec::WeakBoundedVec", [{ type: b.sequence(balanceLock), typeName: "Vec<T>" }], { params: [{ name: "T", type: balanceLock }, { name: "S" }] }) } }, fallback: new Uint8Array(1), docs: [" Any liquidity locks on some account balances."] },
        { item: new StorageItem("Balances", "Reserves", ["Blake2_128Concat"]), modifier: "Default", shape: { map: { hashers: ["Blake2_128Concat"], key: t.accountId, value: boundedVec("bounded_collections::bounded_vec::BoundedVec", reserveData) } }, fallback: new Uint8Array(1), docs: [" Named reserves on some account balances."] },
        { item: new StorageItem("Balances", "Holds", ["Blake2_128Concat"]), modifier: "Default", shape: { map: { hashers: ["Blake2_128Concat"], key: t.accountId, value: boundedVec("bounded_collections::bounded_vec::BoundedVec", idAmount(holdReason)) } }, fallback: new Uint8Array(1), docs: [" Holds on account balances."] },
        { item: new StorageItem("Balances", "Freezes", ["Blake2_128Concat"]), modifier: "Default", shape: { map: { hashers: ["Blake2_128Concat"], key: t.accountId, value: boundedVec("bounded_collections::bounded_vec::BoundedVec", idAmount(freezeReason)) } }, fallback: new Uint8Array(1), docs: [" Freeze locks on account balances."] },
      ],
      eventTypePath: "pallet_balances::pallet::Event",
      events: [
        { name: "Endowed", index: 0, fields: [who("account"), amount("free_balance")], docs: ["An account was created with some free balance."] },
        { name: "DustLost", index: 1, fields: [who("account"), amount()], docs: ["An account was removed whose balance was non-zero but below ExistentialDeposit, resulting in an outright loss."] },
        { name: "Transfer", index: 2, fields: [who("from"), who("to"), amount()], docs: ["Transfer succeeded."] },
        { name: "BalanceSet", index: 3, fields: [who("who"), amount("free")], docs: ["A balance was set by root."] },
        { name: "Reserved", index: 4, fields: [who("who"), amount()], docs: ["Some balance was reserved (moved from free to reserved)."] },
        { name: "Unreserved", index: 5, fields: [who("who"), amount()], docs: ["Some balance was unreserved (moved from reserved to free)."] },
        { name: "ReserveRepatriated", index: 6, fields: [who("from"), who("to"), amount(), { name: "destination_status", type: status, typeName: "Status" }], docs: ["Some balance was moved from the reserve of the first account to the second account."] },
        { name: "Deposit", index: 7, fields: [who("who"), amount()], docs: ["Some amount was deposited (e.g. for transaction fees)."] },
        { name: "Withdraw", index: 8, fields: [who("who"), amount()], docs: ["Some amount was withdrawn from the account (e.g. for transaction fees)."] },
        { name: "Slashed", index: 9, fields: [who("who"), amount()], docs: ["Some amount was removed from the account (e.g. for misbehavior)."] },
        { name: "Minted", index: 10, fields: [who("who"), amount()], docs: ["Some amount was minted into an account."] },
        { name: "Burned", index: 11, fields: [who("who"), amount()], docs: ["Some amount was burned from an account."] },
        { name: "Suspended", index: 12, fields: [who("who"), amount()], docs: ["Some amount was suspended from an account (it can be restored later)."] },
        { name: "Restored", index: 13, fields: [who("who"), amount()], docs: ["Some amount was restored into an account."] },
        { name: "Upgraded", index: 14, fields: [who("who")], docs: ["An account was upgraded."] },
        { name: "Issued", index: 15, fields: [amount()], docs: ["Total issuance was increased by `amount`, creating a credit to be balanced."] },
        { name: "Rescinded", index: 16, fields: [amount()], docs: ["Total issuance was decreased by `amount`, creating a debt to be balanced."] },
        { name: "Locked", index: 17, fields: [who("who"), amount()], docs: ["Some balance was locked."] },
        { name: "Unlocked", index: 18, fields: [who("who"), amount()], docs: ["Some balance was unlocked."] },
        { name: "Frozen", index: 19, fields: [who("who"), amount()], docs: ["Some balance was frozen."] },
        { name: "Thawed", index: 20, fields: [who("who"), amount()], docs: ["Some balance was thawed."] },
        { name: "TotalIssuanceForced", index: 21, fields: [amount("old"), amount("new")], docs: ["The `TotalIssuance` was forcefully changed."] },
      ],
      errorTypePath: "pallet_balances::pallet::Error",
      errors: this.errors,
      constants: [
        { name: "ExistentialDeposit", type: balance, value: new ScaleWriter(8).u64(this.existentialDeposit).finish(), docs: [" The minimum amount required to keep an account open."] },
        { name: "MaxLocks", type: t.u32, value: new ScaleWriter(4).u32(50).finish(), docs: [" The maximum number of locks that should exist on an account."] },
        { name: "MaxReserves", type: t.u32, value: new ScaleWriter(4).u32(50).finish(), docs: [" The maximum number of named reserves that can exist on an account."] },
        { name: "MaxFreezes", type: t.u32, value: new ScaleWriter(4).u32(50).finish(), docs: [" The maximum number of individual freeze locks that can exist on an account at any time."] },
      ],
    };
  }
}
