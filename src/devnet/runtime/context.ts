/**
 * The state and bookkeeping of one block while it is built: the layered state, the events
 * deposited so far and the phase they belong to. Pallets read and write through it.
 */
import type { Call } from "@polkadot/types/interfaces";
import { ScaleWriter } from "../codec/scale.js";
import { StateOverlay, type StateReader } from "../state/overlay.js";
import type { Origin } from "./dispatch.js";

export type Phase = { readonly kind: "ApplyExtrinsic"; readonly index: number } | { readonly kind: "Finalization" } | { readonly kind: "Initialization" };

export type CallDispatcher = (ctx: BlockContext, origin: Origin, call: Call) => void;

export class BlockContext {
  readonly number: number;
  readonly dispatch: CallDispatcher;
  phase: Phase = { kind: "Initialization" };
  #layer: StateOverlay;
  readonly #base: StateOverlay;
  readonly #events: Uint8Array[] = [];

  constructor(parent: StateReader, number: number, dispatch: CallDispatcher) {
    this.#base = new StateOverlay(parent);
    this.#layer = this.#base;
    this.number = number;
    this.dispatch = dispatch;
  }

  get(key: string): Uint8Array | undefined {
    return this.#layer.get(key);
  }
  set(key: string, value: Uint8Array): void {
    this.#layer.set(key, value);
  }
  delete(key: string): void {
    this.#layer.delete(key);
  }
  keysWithPrefix(prefix: string): string[] {
    return [...this.#layer.keysWithPrefix(prefix)];
  }

  /** Runs `fn` in a storage transaction: its writes and events are kept only if it returns. */
  transactional<T>(fn: () => T): T {
    const parent = this.#layer;
    const eventMark = this.#events.length;
    const layer = parent.child();
    this.#layer = layer;
    try {
      const result = fn();
      layer.mergeInto(parent);
      return result;
    } catch (error) {
      this.#events.length = eventMark;
      throw error;
    } finally {
      this.#layer = parent;
    }
  }

  /** Deposits `RuntimeEvent::<pallet>(<event>(fields))` in the current phase. */
  depositEvent(palletIndex: number, eventIndex: number, fields: Uint8Array = new Uint8Array()): void {
    const w = new ScaleWriter(fields.length + 16);
    if (this.phase.kind === "ApplyExtrinsic") w.u8(0).u32(this.phase.index);
    else w.u8(this.phase.kind === "Finalization" ? 1 : 2);
    w.u8(palletIndex).u8(eventIndex).raw(fields).u8(0); // no topics
    this.#events.push(w.finish());
  }

  get eventCount(): number {
    return this.#events.length;
  }

  /** `Vec<EventRecord>` as System.Events stores it. */
  encodeEvents(): Uint8Array {
    const w = new ScaleWriter();
    w.compact(this.#events.length);
    for (const record of this.#events) w.raw(record);
    return w.finish();
  }

  /** The block's state changes, once the block is complete. */
  changes(): ReadonlyMap<string, Uint8Array | null> {
    if (this.#layer !== this.#base) throw new Error("a storage transaction is still open");
    return this.#base.changes();
  }
}
