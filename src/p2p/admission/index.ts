/**
 * Admission control for a miner: what decides, before a request's body is parsed, whether it is
 * served. Rate limits per peer and per validator hotkey, and a global bound on concurrent work that
 * favours stake. (Replays are refused by the query protocol itself: docs/protocol.md §5.5.)
 */
export { HotkeyRateLimiter, type HotkeyRateLimiterOptions, type TakeResult } from "./token-bucket.js";
export { StakePriorityGate, type GateStats, type Release, type StakePriorityGateOptions } from "./concurrency.js";
export { AdmissionOptionError, BusyError, type BusyReason } from "./errors.js";
