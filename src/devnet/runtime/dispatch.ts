/** Origins, dispatch errors and the outcome of a dispatched call, as FRAME defines them. */

export type Origin = { readonly kind: "root" } | { readonly kind: "signed"; readonly who: Uint8Array } | { readonly kind: "none" };

export const ROOT: Origin = { kind: "root" };
export const NONE: Origin = { kind: "none" };
export function signed(who: Uint8Array): Origin {
  return { kind: "signed", who };
}

/** `sp_runtime::DispatchError`, with the module error named for messages. */
export type DispatchErrorValue =
  | { readonly kind: "Other" | "CannotLookup" | "BadOrigin" | "ConsumerRemaining" | "NoProviders" | "TooManyConsumers" | "Exhausted" | "Corruption" | "Unavailable" | "RootNotAllowed" }
  | { readonly kind: "Module"; readonly pallet: number; readonly error: number; readonly name: string }
  | { readonly kind: "Token"; readonly index: number; readonly name: string }
  | { readonly kind: "Arithmetic"; readonly index: number; readonly name: string };

const DISPATCH_ERROR_INDEX: Readonly<Record<DispatchErrorValue["kind"], number>> = {
  Other: 0, CannotLookup: 1, BadOrigin: 2, Module: 3, ConsumerRemaining: 4, NoProviders: 5, TooManyConsumers: 6,
  Token: 7, Arithmetic: 8, Exhausted: 10, Corruption: 11, Unavailable: 12, RootNotAllowed: 13,
};

export const TOKEN_ERRORS = ["FundsUnavailable", "OnlyProvider", "BelowMinimum", "CannotCreate", "UnknownAsset", "Frozen", "Unsupported", "CannotCreateHold", "NotExpendable", "Blocked"] as const;
export const ARITHMETIC_ERRORS = ["Underflow", "Overflow", "DivisionByZero"] as const;

export function tokenError(name: (typeof TOKEN_ERRORS)[number]): DispatchErrorValue {
  return { kind: "Token", index: TOKEN_ERRORS.indexOf(name), name };
}

export function arithmeticError(name: (typeof ARITHMETIC_ERRORS)[number]): DispatchErrorValue {
  return { kind: "Arithmetic", index: ARITHMETIC_ERRORS.indexOf(name), name };
}

/** Thrown by a call to fail its dispatch; the runtime rolls its changes back. */
export class DispatchFailure extends Error {
  readonly error: DispatchErrorValue;
  constructor(error: DispatchErrorValue) {
    super(describeDispatchError(error));
    this.name = "DispatchFailure";
    this.error = error;
  }
}

export function badOrigin(): DispatchFailure {
  return new DispatchFailure({ kind: "BadOrigin" });
}

export function describeDispatchError(error: DispatchErrorValue): string {
  if (error.kind === "Module" || error.kind === "Token" || error.kind === "Arithmetic") return `${error.kind}(${error.name})`;
  return error.kind;
}

export function encodeDispatchError(error: DispatchErrorValue): Uint8Array {
  const index = DISPATCH_ERROR_INDEX[error.kind];
  if (error.kind === "Module") return Uint8Array.of(index, error.pallet, error.error, 0, 0, 0);
  if (error.kind === "Token" || error.kind === "Arithmetic") return Uint8Array.of(index, error.index);
  return Uint8Array.of(index);
}

export function ensureSigned(origin: Origin): Uint8Array {
  if (origin.kind !== "signed") throw badOrigin();
  return origin.who;
}

export function ensureRoot(origin: Origin): void {
  if (origin.kind !== "root") throw badOrigin();
}
