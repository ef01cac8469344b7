/** JSON-RPC 2.0 errors and the codes the devnet answers with (JSON-RPC spec and jsonrpsee's own). */

export const RPC_PARSE_ERROR = -32700;
export const RPC_INVALID_REQUEST = -32600;
export const RPC_METHOD_NOT_FOUND = -32601;
export const RPC_INVALID_PARAMS = -32602;
export const RPC_INTERNAL_ERROR = -32603;
/** Generic server error (JSON-RPC's reserved -32000..-32099 range); used for "too many subscriptions". */
export const RPC_SERVER_ERROR = -32000;
/** jsonrpsee's codes for a request or response over the size limit. */
export const RPC_OVERSIZED_REQUEST = -32007;
export const RPC_OVERSIZED_RESPONSE = -32008;

/** The `error` member of a JSON-RPC response. */
export interface RpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

/** An error a handler throws to answer with this exact code, message and data. */
export class RpcError extends Error {
  readonly code: number;
  readonly data?: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = "RpcError";
    this.code = code;
    if (data !== undefined) this.data = data;
  }

  toObject(): RpcErrorObject {
    return { code: this.code, message: this.message, ...(this.data !== undefined ? { data: this.data } : {}) };
  }
}

/** By name, so that errors from a duplicate copy of this module are still recognised. */
export function isRpcError(error: unknown): error is RpcError {
  return (
    error instanceof Error &&
    error.name === "RpcError" &&
    Number.isInteger((error as { code?: unknown }).code) &&
    typeof (error as { toObject?: unknown }).toObject === "function"
  );
}
