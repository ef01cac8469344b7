/** What the miner's event loop and its inference workers say to each other (structured clones). */
import type { DType } from "../../subnet/plugin.js";

export interface WireTensor {
  readonly dtype: DType;
  readonly dims: readonly number[];
  /** The tensor's bytes (transferred, not copied). */
  readonly data: ArrayBuffer;
}

/** What a worker needs to load a model it does not hold yet. */
export interface LoadOrder {
  readonly path: string;
  readonly device: "cpu" | "cuda";
  readonly threads: number;
  /** Models to unload first (the registry's evictions). */
  readonly evict: readonly string[];
}

export type ToWorker =
  | { readonly type: "unload"; readonly id: number; readonly model: string }
  | {
      readonly type: "run";
      readonly id: number;
      readonly model: string;
      /** Present when the model is cold in this worker: load it, then run (one round trip). */
      readonly load?: LoadOrder;
      readonly feeds: Readonly<Record<string, WireTensor>>;
      /** Outputs to reduce in the worker to their last axis' argmax (see RunOptions.argmax). */
      readonly argmax?: true | readonly string[];
    };

export type FromWorker =
  | { readonly type: "unloaded"; readonly id: number }
  | { readonly type: "result"; readonly id: number; readonly outputs: Readonly<Record<string, WireTensor>>; readonly runMs: number }
  /** `stage` "load": the model could not be loaded (the worker does not hold it); "run": the run failed. */
  | { readonly type: "error"; readonly id: number; readonly stage: "load" | "run"; readonly message: string };
