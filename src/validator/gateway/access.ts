/**
 * Who may call the gateway: the bearer key of a request → its caller, refused with 401 (no or
 * unknown key), 403 (key not allowed the synapse) or 429 (key over its rate). Without keys every
 * caller is "local" (the gateway is then on loopback only) and nothing is rate limited per key.
 */
import { HotkeyRateLimiter } from "../../p2p/admission/token-bucket.js";
import { ApiKeyring, keyAllows, type ApiKeyEntry } from "./api-keys.js";
import { GatewayError, type Caller } from "./contract.js";

export const LOCAL_CALLER: Caller = Object.freeze({ keyName: "local" });

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

interface KeyState {
  readonly entry: ApiKeyEntry;
  readonly bucket: HotkeyRateLimiter;
}

export class GatewayAccess {
  readonly #now: () => number;
  #keyring: ApiKeyring | undefined;
  /** By key hash, so that a reload keeps the buckets (and the debts) of keys whose rate is unchanged. */
  #states = new Map<string, KeyState>();

  /** `entries` undefined: no keys, every caller is local. */
  constructor(entries: readonly ApiKeyEntry[] | undefined, now: () => number) {
    this.#now = now;
    if (entries) this.replaceKeys(entries);
  }

  get keyed(): boolean {
    return this.#keyring !== undefined;
  }

  replaceKeys(entries: readonly ApiKeyEntry[]): void {
    const states = new Map<string, KeyState>();
    for (const entry of entries) {
      const old = this.#states.get(entry.sha256);
      const sameRate = old !== undefined && old.entry.rate.perSecond === entry.rate.perSecond && old.entry.rate.burst === entry.rate.burst;
      const bucket = sameRate ? old.bucket : new HotkeyRateLimiter({ capacity: entry.rate.burst, refillPerSecond: entry.rate.perSecond, maxKeys: 1, now: this.#now });
      states.set(entry.sha256, { entry, bucket });
    }
    this.#states = states;
    this.#keyring = new ApiKeyring(entries);
  }

  /**
   * The caller of a request with this Authorization header, allowed `synapse` when one is given, its
   * request counted against its rate. Throws GatewayError 401, 403 or 429.
   */
  admit(authorization: string | undefined, synapse?: string): Caller {
    const keyring = this.#keyring;
    if (!keyring) return LOCAL_CALLER;
    if (authorization === undefined || authorization === "") {
      throw new GatewayError("UNAUTHORIZED", 401, "an API key is required: send the header Authorization: Bearer <key>");
    }
    const presented = BEARER.exec(authorization)?.[1];
    if (presented === undefined) throw new GatewayError("UNAUTHORIZED", 401, "the Authorization header must be Bearer <key>");
    const entry = keyring.find(presented);
    if (!entry) throw new GatewayError("UNAUTHORIZED", 401, "the API key is not known to this gateway");
    if (synapse !== undefined && !keyAllows(entry, synapse)) {
      throw new GatewayError("FORBIDDEN", 403, `the API key "${entry.name}" may not call the synapse ${synapse}`);
    }
    const taken = this.#states.get(entry.sha256)!.bucket.tryTake(entry.name);
    if (!taken.ok) {
      throw new GatewayError("RATE_LIMITED", 429, `the API key "${entry.name}" is over its rate of ${entry.rate.perSecond} requests per second`, taken.retryAfterMs);
    }
    return { keyName: entry.name };
  }
}
