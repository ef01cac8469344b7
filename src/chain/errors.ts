/**
 * Every way a subtensor transaction fails, as a typed error with a readable message: pool
 * rejections (JSON-RPC 1010 "Invalid Transaction" including `Custom(n)`, 1011, 1013, 1014 …),
 * dispatch errors decoded by name from the chain's metadata (never by index), and time-outs.
 */
import type { ApiPromise } from "@polkadot/api";
import type { DispatchError } from "@polkadot/types/interfaces";
import { SUBTENSOR_CUSTOM_ERRORS } from "../params/transaction-errors.js";
import { CodedError } from "../util/errors.js";

export type ChainErrorCode =
  | "TX_REJECTED"
  | "TX_FAILED"
  | "TX_TIMEOUT"
  | "TX_DROPPED"
  // Sent, then no longer waited for (the daemon is stopping): it may still land until its mortality ends.
  | "TX_ABANDONED"
  | "CHAIN_UNREACHABLE"
  // A read or call the chain answered with a JSON-RPC error, a connection lost mid-way, an answer the metadata cannot decode:
  | "CHAIN_RPC_ERROR"
  | "CHAIN_DISCONNECTED"
  | "CHAIN_UNDECODABLE"
  // The runtime lacks a call tensornode would send, or lays its arguments out otherwise:
  | "CALL_UNSUPPORTED"
  // Refused before submitting, by an operation's pre-checks:
  | "NO_SUBNET"
  | "SUBNET_NOT_STARTED"
  | "SUBNET_ALREADY_STARTED"
  | "SUBNET_FULL"
  | "NOT_OWNER"
  | "NOT_SUDO"
  | "NOT_REGISTERED"
  | "ALREADY_REGISTERED"
  | "UNKNOWN_HOTKEY"
  | "INSUFFICIENT_BALANCE"
  | "INSUFFICIENT_STAKE"
  | "BAD_AMOUNT"
  | "PRICE_LIMIT"
  | "RATE_LIMITED"
  | "NO_PERMIT"
  | "BAD_VERSION_KEY"
  | "BAD_WEIGHTS"
  | "COMMIT_REVEAL_ON"
  | "COMMIT_REVEAL_OFF"
  | "NO_COMMIT"
  | "REVEAL_WINDOW"
  | "BAD_AXON";

export class ChainError extends CodedError<ChainErrorCode> {
  /** The chain's own name for what went wrong (e.g. "SubtensorModule.NeuronNoValidatorPermit", "Custom(6)"). */
  readonly reason: string;
  constructor(code: ChainErrorCode, reason: string, message: string) {
    super(code, message, { reason });
    this.name = "ChainError";
    this.reason = reason;
  }
}

const CUSTOM = /Custom error: (\d+)/;

/** An operation refused by its own pre-check, before anything was signed or sent. */
export function refused(code: ChainErrorCode, message: string): ChainError {
  return new ChainError(code, "pre-check", message);
}

/** A JSON-RPC error from `author_submit*` (as polkadot.js raises it) as a ChainError. */
export function fromRpcError(error: unknown, what: string): ChainError {
  const message = error instanceof Error ? error.message : String(error);
  const custom = CUSTOM.exec(message);
  if (custom) {
    const code = Number(custom[1]);
    const known = SUBTENSOR_CUSTOM_ERRORS[code];
    return new ChainError("TX_REJECTED", `Custom(${code})`, `${what} refused by the chain: ${known ? `${known.name}: ${known.meaning}` : `custom error ${code}`}`);
  }
  const invalid = /^(\d{4}): (.*)$/.exec(message);
  if (invalid) return new ChainError("TX_REJECTED", invalid[1]!, `${what} refused by the chain: ${invalid[2]}`);
  return new ChainError("CHAIN_UNREACHABLE", "rpc", `${what}: ${message}`);
}

/** A failed dispatch (ExtrinsicFailed) as a ChainError named from the metadata. */
export function fromDispatchError(api: ApiPromise, error: DispatchError, what: string): ChainError {
  if (error.isModule) {
    const meta = api.registry.findMetaError(error.asModule);
    const docs = meta.docs.join(" ").trim();
    const name = `${meta.section}.${meta.name}`;
    return new ChainError("TX_FAILED", name, `${what} failed: ${name}${docs ? ` (${docs})` : ""}`);
  }
  if (error.isToken) {
    const token: string = error.asToken.type;
    return new ChainError("TX_FAILED", `Token.${token}`, `${what} failed: ${token === "FundsUnavailable" ? "not enough free balance" : `token error ${token}`}`);
  }
  if (error.isArithmetic) return new ChainError("TX_FAILED", `Arithmetic.${error.asArithmetic.type}`, `${what} failed: arithmetic ${error.asArithmetic.type}`);
  if (error.isBadOrigin) return new ChainError("TX_FAILED", "BadOrigin", `${what} failed: the signer may not make this call (BadOrigin)`);
  return new ChainError("TX_FAILED", error.type, `${what} failed: ${error.type}`);
}

/** How @polkadot/api words a connection that went away mid-request. */
const DISCONNECTED = /disconnected from|Abnormal Closure|WebSocket is not connected|No response received from RPC endpoint|ECONNRESET|ECONNREFUSED|socket hang up|Normal Closure/i;
/** How @polkadot/types words an answer that does not decode with the chain's metadata. */
const UNDECODABLE = /Unable to decode|Unable to construct|createType\(|decodeU8a|failed on .*::|Invalid (?:Bytes|Compact|length)|Expected .* bytes/i;

/**
 * Any failure that came from the chain or the connection to it, as a one-line ChainError: a
 * JSON-RPC error answer (@polkadot/rpc-provider's RpcError, "code: message"), a dropped connection,
 * an answer the chain's own metadata cannot decode. Undefined for anything else (a bug stays a bug).
 */
export function chainFailure(error: unknown): ChainError | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error.name === "ChainError") return error as ChainError;
  const line = firstLine(error.message);
  if (error.name === "RpcError" || /^-?\d+: \S/.test(line)) {
    if (DISCONNECTED.test(line)) return new ChainError("CHAIN_DISCONNECTED", "disconnected", `the connection to the chain was lost: ${line}`);
    return new ChainError("CHAIN_RPC_ERROR", rpcCode(line), `the chain answered with an error: ${line}`);
  }
  if (DISCONNECTED.test(line)) return new ChainError("CHAIN_DISCONNECTED", "disconnected", `the connection to the chain was lost: ${line}`);
  if (UNDECODABLE.test(line)) return new ChainError("CHAIN_UNDECODABLE", "decode", `the chain's answer does not decode with its own metadata: ${line}`);
  return undefined;
}

function rpcCode(line: string): string {
  return /^(-?\d+):/.exec(line)?.[1] ?? "rpc";
}

/** A message's first line, at most 400 characters (nested decode errors run to many lines). */
function firstLine(message: string): string {
  const line = message.split("\n", 1)[0]!.trim();
  return line.length > 400 ? `${line.slice(0, 399)}…` : line;
}
