/** Errors with a machine-readable code (lodestar-style). */
export class CodedError<C extends string = string> extends Error {
  readonly code: C;
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(code: C, message: string, details?: Readonly<Record<string, unknown>>) {
    super(message);
    this.name = "CodedError";
    this.code = code;
    if (details) this.details = details;
  }

  toObject(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

/** Bad input from the user: the CLI prints its message on one line and exits 2, never a stack. */
export class UserError<C extends string = string> extends CodedError<C> {
  constructor(code: C, message: string, details?: Readonly<Record<string, unknown>>) {
    super(code, message, details);
    this.name = "UserError";
  }
}

/** By name, so that errors from a duplicate copy of this module are still recognised. */
export function isUserError(error: unknown): error is UserError {
  return error instanceof Error && error.name === "UserError" && typeof (error as { code?: unknown }).code === "string";
}

/** The user asked to stop (Ctrl-C at a prompt or while waiting): the CLI says what was sent and exits 130. */
export class InterruptedError extends CodedError<"INTERRUPTED"> {
  constructor(message: string) {
    super("INTERRUPTED", message);
    this.name = "InterruptedError";
  }
}

export function isInterrupted(error: unknown): error is InterruptedError {
  return error instanceof Error && error.name === "InterruptedError";
}
