/**
 * Admission control for a miner: what decides, before a request's body is parsed, whether it is
 * served. Rate limits per validator hotkey, a global bound on concurrent work that favours stake,
 * and a replay cache of request nonces.
 */
export { HotkeyRateLimiter, type HotkeyRateLimiterOptions, type TakeResult } from "./token-bucket.js";
export { StakePriorityGate, type GateStats, type Release, type StakePriorityGateOptions } from "./concurrency.js";
export { ReplayCache, type ReplayCacheOptions } from "./replay-cache.js";
export { NONCE_BYTES, nonceToHex } from "./nonce.js";
export { AdmissionOptionError, BusyError, ReplayCacheError, type BusyReason, type ReplayCacheErrorCode } from "./errors.js";
