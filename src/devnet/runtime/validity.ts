/** Why a transaction is not valid, with sp_runtime's reasons and the texts Substrate nodes print. */

export type InvalidReason =
  | "Call" | "Payment" | "Future" | "Stale" | "BadProof" | "AncientBirthBlock" | "ExhaustsResources" | "BadMandatory" | "MandatoryValidation" | "BadSigner";

const INVALID_TEXT: Readonly<Record<InvalidReason, string>> = {
  Call: "Transaction call is not expected",
  Payment: "Inability to pay some fees (e.g. account balance too low)",
  Future: "Transaction will be valid in the future",
  Stale: "Transaction is outdated",
  BadProof: "Transaction has a bad signature",
  AncientBirthBlock: "Transaction has an ancient birth block",
  ExhaustsResources: "Transaction would exhaust the block limits",
  BadMandatory: "A call was labelled as mandatory, but resulted in an Error.",
  MandatoryValidation: "Transaction dispatch is mandatory; transactions must not be validated.",
  BadSigner: "Invalid signing address",
};

export type UnknownReason = "CannotLookup" | "NoUnsignedValidator";

const UNKNOWN_TEXT: Readonly<Record<UnknownReason, string>> = {
  CannotLookup: "Could not lookup information required to validate the transaction",
  NoUnsignedValidator: "Could not find an unsigned validator for the unsigned transaction",
};

/** `InvalidTransaction`: the node answers JSON-RPC error 1010 with this text as data. */
export class InvalidTransaction extends Error {
  readonly reason: InvalidReason | { readonly custom: number };
  constructor(reason: InvalidReason | { readonly custom: number }, detail?: string) {
    super(typeof reason === "string" ? INVALID_TEXT[reason] : `Custom error: ${reason.custom}`);
    this.name = "InvalidTransaction";
    this.reason = reason;
    if (detail) this.detail = detail;
  }
  detail?: string;
}

/** `UnknownTransaction`: JSON-RPC error 1011. */
export class UnknownTransaction extends Error {
  readonly reason: UnknownReason;
  constructor(reason: UnknownReason) {
    super(UNKNOWN_TEXT[reason]);
    this.name = "UnknownTransaction";
    this.reason = reason;
  }
}
