/** Reading JSON-RPC params: each helper names the parameter it rejects. */
import { isHex } from "../codec/hex.js";
import { RPC_INVALID_PARAMS, RpcError } from "./errors.js";

export function invalidParams(message: string): RpcError {
  return new RpcError(RPC_INVALID_PARAMS, "Invalid params", message);
}

/**
 * Bytes as Substrate's nodes take them (impl-serde): hex digits in pairs, the 0x prefix optional,
 * "" for no bytes (polkadot-api's legacy bridge sends `state_call` data that way). Returned 0x-prefixed, lower case.
 */
export function hexParam(params: readonly unknown[], index: number, name: string): string {
  const value = params[index];
  const prefixed = typeof value === "string" && !value.startsWith("0x") ? `0x${value}` : value;
  if (!isHex(prefixed)) throw invalidParams(`${name}: expected a 0x-prefixed hex string of whole bytes`);
  return prefixed.toLowerCase();
}

export function optionalHexParam(params: readonly unknown[], index: number, name: string): string | undefined {
  const value = params[index];
  return value === undefined || value === null ? undefined : hexParam(params, index, name);
}

export function optionalHashParam(params: readonly unknown[], index: number, name = "block hash"): string | undefined {
  const value = optionalHexParam(params, index, name);
  if (value !== undefined && value.length !== 66) throw invalidParams(`${name}: expected 32 bytes`);
  return value;
}

export function integerParam(params: readonly unknown[], index: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  const value = params[index];
  const n = typeof value === "string" && /^(0x[0-9a-fA-F]+|\d+)$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0 || n > max) throw invalidParams(`${name}: expected an integer 0..${max}`);
  return n;
}

export function stringParam(params: readonly unknown[], index: number, name: string): string {
  const value = params[index];
  if (typeof value !== "string") throw invalidParams(`${name}: expected a string`);
  return value;
}

export function hexListParam(params: readonly unknown[], index: number, name: string, max: number): string[] {
  const value = params[index];
  if (!Array.isArray(value)) throw invalidParams(`${name}: expected a list of hex strings`);
  if (value.length > max) throw invalidParams(`${name}: at most ${max} entries`);
  return value.map((_, i) => hexParam(value, i, `${name}[${i}]`));
}
