/**
 * What the connected runtime has, read from its own metadata — never guessed from its spec
 * version: storage items, calls, and each call's arguments as the runtime lays them out.
 * tensornode sends a call only when the runtime's layout is the one it encodes; otherwise it
 * refuses in one line that names the runtime, and nothing is signed or sent.
 */
import type { ApiPromise } from "@polkadot/api";
import { ChainError } from "./errors.js";

/** An argument as the runtime declares it: name and @polkadot/types' type definition ("u16", "Vec<u16>", "AccountId32"). */
export interface CallArgument {
  readonly name: string;
  readonly type: string;
}

interface PalletView {
  readonly storage: ReadonlySet<string>;
  readonly calls: ReadonlyMap<string, readonly CallArgument[]>;
}

export class RuntimeCapabilities {
  readonly specVersion: number;
  readonly #pallets = new Map<string, PalletView>();

  constructor(api: ApiPromise) {
    this.specVersion = api.runtimeVersion.specVersion.toNumber();
    const { registry } = api;
    for (const pallet of registry.metadata.pallets) {
      const storage = new Set(pallet.storage.isSome ? pallet.storage.unwrap().items.map((item) => item.name.toString()) : []);
      const calls = new Map<string, CallArgument[]>();
      if (pallet.calls.isSome) {
        for (const variant of registry.lookup.getSiType(pallet.calls.unwrap().type).def.asVariant.variants) {
          calls.set(
            variant.name.toString(),
            variant.fields.map((field) => ({ name: field.name.unwrapOr("").toString(), type: registry.lookup.getTypeDef(field.type).type })),
          );
        }
      }
      this.#pallets.set(pallet.name.toString(), { storage, calls });
    }
  }

  /** "this chain (spec 343)": how refusals name the runtime. */
  get chain(): string {
    return `this chain (spec ${this.specVersion})`;
  }

  hasStorage(pallet: string, item: string): boolean {
    return this.#pallets.get(pallet)?.storage.has(item) ?? false;
  }

  callArguments(pallet: string, call: string): readonly CallArgument[] | undefined {
    return this.#pallets.get(pallet)?.calls.get(call);
  }

  /**
   * Refuses (ChainError CALL_UNSUPPORTED, one line) unless the runtime has `pallet.call` with exactly
   * `expected` arguments; `what` says what could not be done ("tempo cannot be set").
   */
  requireCall(pallet: string, call: string, expected: readonly CallArgument[], what: string): void {
    const actual = this.callArguments(pallet, call);
    if (!actual) throw new ChainError("CALL_UNSUPPORTED", `${pallet}.${call}`, `${this.chain} has no ${pallet}.${call}: ${what}`);
    const same = actual.length === expected.length && actual.every((arg, i) => arg.name === expected[i]!.name && arg.type === expected[i]!.type);
    if (!same)
      throw new ChainError(
        "CALL_UNSUPPORTED",
        `${pallet}.${call}`,
        `${this.chain} has ${call}(${signature(actual)}), not the ${call}(${signature(expected)}) tensornode sends: ${what}; nothing was sent`,
      );
  }
}

function signature(args: readonly CallArgument[]): string {
  return args.map((arg) => `${arg.name}: ${arg.type}`).join(", ");
}

const CACHE = new WeakMap<object, RuntimeCapabilities>();

/** The capabilities of the runtime `api` is connected to now (recomputed after a runtime upgrade replaces the metadata). */
export function runtimeCapabilities(api: ApiPromise): RuntimeCapabilities {
  const key = api.registry.metadata;
  let capabilities = CACHE.get(key);
  if (!capabilities) {
    capabilities = new RuntimeCapabilities(api);
    CACHE.set(key, capabilities);
  }
  return capabilities;
}
