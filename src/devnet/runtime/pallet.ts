/**
 * How a pallet describes itself: calls (with their dispatch), storage, events, errors and
 * constants, each with the indices, names and SCALE types of subtensor's runtime. The metadata
 * is generated from these declarations; nothing about a pallet is written twice.
 */
import type { Codec } from "@polkadot/types-codec/types";
import { hashedKeyHex, twox128, type StorageHasher } from "../codec/hashing.js";
import { toHex } from "../codec/hex.js";
import { concatBytes } from "../codec/scale.js";
import type { FieldDecl, TypeBuilder, TypeId } from "../metadata/type-builder.js";
import type { CommonTypes } from "../metadata/common-types.js";
import type { DispatchErrorValue, Origin } from "./dispatch.js";
import type { BlockContext } from "./context.js";
import type { StateReader } from "../state/overlay.js";
import type { ScaleReader } from "../codec/scale.js";

export type DispatchClass = "Normal" | "Operational" | "Mandatory";

export interface CallArg {
  readonly name: string;
  readonly type: TypeId;
  readonly typeName: string;
}

/** What a call needs to know to charge fees and account weight before it runs. */
export interface CallInfo {
  readonly refTime: bigint;
  readonly class: DispatchClass;
  readonly paysFee: boolean;
}

/** What a call reports after it ran: `paysFee: false` refunds the fee (as sudo does). */
export interface PostDispatchInfo {
  readonly paysFee?: boolean;
}

export interface CallDecl {
  readonly name: string;
  readonly index: number;
  readonly args: readonly CallArg[];
  readonly docs?: readonly string[];
  /** Weight (ref time) and class before dispatch; a constant or computed from the decoded args. */
  readonly info: Partial<CallInfo> | ((args: readonly Codec[]) => Partial<CallInfo>);
  /**
   * Runs the call. Throws DispatchFailure to fail (its changes are rolled back). A call declared
   * without one is in the metadata but not implemented: the pool refuses it with a reason.
   */
  readonly dispatch?: (ctx: BlockContext, origin: Origin, args: readonly Codec[]) => PostDispatchInfo | void;
  /**
   * Checks a transaction extension makes in the pool, before inclusion (subtensor's
   * SubtensorTransactionExtension): throw InvalidTransaction (e.g. `{ custom: 6 }`) to refuse it.
   * `state` is the head's state, `blockNumber` the block the transaction would go into.
   */
  readonly validate?: (state: StateReader, signer: Uint8Array, args: readonly Codec[], blockNumber: number) => void;
  /** Decoders of the arguments for a fast path that skips @polkadot/types (lite-call.ts), for hot calls. */
  readonly lite?: readonly ((r: ScaleReader) => Codec)[];
}

export interface EventDecl {
  readonly name: string;
  readonly index: number;
  readonly fields: readonly FieldDecl[];
  readonly docs?: readonly string[];
}

export interface ErrorDecl {
  readonly name: string;
  readonly index: number;
  readonly docs?: readonly string[];
}

export interface ConstantDecl {
  readonly name: string;
  readonly type: TypeId;
  readonly value: Uint8Array;
  readonly docs?: readonly string[];
}

export type StorageShape =
  | { readonly plain: TypeId }
  | { readonly map: { readonly hashers: readonly StorageHasher[]; readonly key: TypeId; readonly value: TypeId } };

export interface StorageDecl {
  readonly item: StorageItem;
  readonly modifier: "Optional" | "Default";
  readonly shape: StorageShape;
  readonly fallback: Uint8Array;
  readonly docs?: readonly string[];
}

export interface PalletDeclaration {
  readonly calls?: readonly CallDecl[];
  readonly callTypePath?: string;
  readonly storage?: readonly StorageDecl[];
  readonly events?: readonly EventDecl[];
  readonly eventTypePath?: string;
  readonly errors?: readonly ErrorDecl[];
  readonly errorTypePath?: string;
  readonly constants?: readonly ConstantDecl[];
  readonly docs?: readonly string[];
}

/** A pallet of the dev runtime. */
export interface Pallet {
  readonly name: string;
  readonly index: number;
  declare(b: TypeBuilder, t: CommonTypes): PalletDeclaration;
  /** Runs at the start of every block, after System's initialisation, in pallet index order. */
  onInitialize?(ctx: BlockContext): void;
  /** Runs at the end of every block, before System's finalisation, in pallet index order. */
  onFinalize?(ctx: BlockContext): void;
}

/** A storage item's key space: twox128(pallet) ++ twox128(item) ++ hashed keys. */
export class StorageItem {
  readonly pallet: string;
  readonly name: string;
  readonly hashers: readonly StorageHasher[];
  readonly prefix: Uint8Array;
  readonly prefixHex: string;

  constructor(pallet: string, name: string, hashers: readonly StorageHasher[] = []) {
    this.pallet = pallet;
    this.name = name;
    this.hashers = hashers;
    this.prefix = concatBytes(twox128(pallet), twox128(name));
    this.prefixHex = toHex(this.prefix);
  }

  /** The hex key for the given SCALE-encoded map keys (none for a plain item). */
  key(...keys: Uint8Array[]): string {
    if (keys.length !== this.hashers.length) throw new Error(`${this.pallet}.${this.name} takes ${this.hashers.length} keys, got ${keys.length}`);
    let key: string = this.prefixHex;
    for (let i = 0; i < keys.length; i++) key += hashedKeyHex(this.hashers[i]!, keys[i]!);
    return key;
  }
}

/** A module error of `pallet`, named for messages and encoded by index. */
export function moduleError(pallet: Pallet, errors: readonly ErrorDecl[], name: string): DispatchErrorValue {
  const error = errors.find((e) => e.name === name);
  if (!error) throw new Error(`${pallet.name} has no error ${name}`);
  return { kind: "Module", pallet: pallet.index, error: error.index, name: `${pallet.name}.${name}` };
}

/** Error declarations from names, indexed in order. */
export function errorList(names: readonly (string | readonly [string, string])[]): ErrorDecl[] {
  return names.map((entry, index) => (typeof entry === "string" ? { name: entry, index } : { name: entry[0], index, docs: [entry[1]] }));
}

type Handler = (ctx: BlockContext, origin: Origin, args: readonly Codec[]) => PostDispatchInfo | void;

/** A call declaration with the default weight of a small storage-touching call. */
export function call(index: number, name: string, args: readonly (readonly [string, number, string])[], docs: readonly string[], dispatch: Handler, refTime = 10_000_000n): CallDecl {
  return { index, name, args: args.map(([n, type, typeName]) => ({ name: n, type, typeName })), docs, info: { refTime }, dispatch };
}

