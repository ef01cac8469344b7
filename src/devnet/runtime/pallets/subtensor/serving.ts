/**
 * serve_axon / serve_prometheus: HEAD's validation (in the pool and again at dispatch), the
 * serving rate limit, and what is stored. Only 127.0.0.1 and ::1 are refused as loopback, so local
 * networks serve on 127.0.0.2 and up.
 */
import type { BlockContext } from "../../context.js";
import type { SubtensorEnv } from "./env.js";
import { S } from "./storage.js";
import type { StateRead } from "./typed-storage.js";

const U32_MAX = 0xffff_ffffn;
const U128_MAX = (1n << 128n) - 1n;

export interface ServeArgs {
  readonly netuid: number;
  readonly version: number;
  readonly ip: bigint;
  readonly port: number;
  readonly ipType: number;
}

export interface AxonArgs extends ServeArgs {
  readonly protocol: number;
  readonly placeholder1: number;
  readonly placeholder2: number;
}

export function isValidIpAddress(ipType: number, ip: bigint, allowZero: boolean): boolean {
  if (ip === 0n && !allowZero) return false;
  if (ipType === 4) return ip < U32_MAX && ip !== 0x7f00_0001n;
  if (ipType === 6) return ip !== U128_MAX && ip !== 1n;
  return false;
}

function rateLimited(state: StateRead, netuid: number, lastBlock: bigint | undefined, now: bigint): boolean {
  const limit = S.ServingRateLimit.get(state, netuid);
  return limit !== 0n && lastBlock !== undefined && lastBlock !== 0n && now - lastBlock < limit;
}

/** The first check serve_axon fails, by error name (validate_serve_axon's order), or undefined. */
export function axonCheck(state: StateRead, hotkey: Uint8Array, a: AxonArgs, now: bigint): string | undefined {
  if (!S.Uids.has(state, a.netuid, hotkey)) return "HotKeyNotRegisteredInNetwork";
  if (a.ipType !== 4 && a.ipType !== 6) return "InvalidIpType";
  if (!isValidIpAddress(a.ipType, a.ip, true)) return "InvalidIpAddress";
  if (rateLimited(state, a.netuid, S.Axons.get(state, a.netuid, hotkey)?.block, now)) return "ServingRateLimitExceeded";
  if (a.port === 0) return "InvalidPort";
  return undefined;
}

/** The first check serve_prometheus fails (validate_serve_prometheus's order), or undefined. */
export function prometheusCheck(state: StateRead, hotkey: Uint8Array, p: ServeArgs, now: bigint): string | undefined {
  if (p.ipType !== 4 && p.ipType !== 6) return "InvalidIpType";
  if (!isValidIpAddress(p.ipType, p.ip, false)) return "InvalidIpAddress";
  if (!S.Uids.has(state, p.netuid, hotkey)) return "HotKeyNotRegisteredInNetwork";
  if (rateLimited(state, p.netuid, S.Prometheus.get(state, p.netuid, hotkey)?.block, now)) return "ServingRateLimitExceeded";
  if (p.port === 0) return "InvalidPort";
  return undefined;
}

export function serveAxon(env: SubtensorEnv, ctx: BlockContext, hotkey: Uint8Array, a: AxonArgs): void {
  const now = BigInt(ctx.number);
  const failed = axonCheck(ctx, hotkey, a, now);
  if (failed) throw env.error(failed);
  S.Axons.set(ctx, a.netuid, hotkey, { block: now, version: a.version, ip: a.ip, port: a.port, ipType: a.ipType, protocol: a.protocol, placeholder1: a.placeholder1, placeholder2: a.placeholder2 });
  env.event(ctx, "AxonServed", (w) => w.u16(a.netuid).raw(hotkey));
}

export function servePrometheus(env: SubtensorEnv, ctx: BlockContext, hotkey: Uint8Array, p: ServeArgs): void {
  const now = BigInt(ctx.number);
  const failed = prometheusCheck(ctx, hotkey, p, now);
  if (failed) throw env.error(failed);
  S.Prometheus.set(ctx, p.netuid, hotkey, { block: now, version: p.version, ip: p.ip, port: p.port, ipType: p.ipType });
  env.event(ctx, "PrometheusServed", (w) => w.u16(p.netuid).raw(hotkey));
}
