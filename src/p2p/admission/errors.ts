/**
 * Typed errors of admission control: what a miner answers with when it refuses a request before
 * parsing its body. Each carries a code, so the protocol layer maps it to a status without
 * matching on messages.
 */
import { CodedError, UserError } from "../../util/errors.js";

/** Why a request was shed: the queue was full, or a waiter was pushed out by a higher stake. */
export type BusyReason = "queue-full" | "evicted";

/** The node is at capacity: answer with an explicit "busy" status, and let the caller retry later. */
export class BusyError extends CodedError<"BUSY"> {
  readonly reason: BusyReason;

  constructor(reason: BusyReason, message: string) {
    super("BUSY", message, { reason });
    this.name = "BusyError";
    this.reason = reason;
  }
}

/**
 * An admission setting out of range. Settings come from the operator's config, so this is a user
 * error: one line, exit 2.
 */
export class AdmissionOptionError extends UserError<"BAD_ADMISSION_OPTION"> {}
