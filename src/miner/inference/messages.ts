/** What the miner's event loop and its inference workers say to each other (structured clones). */
import type { DType } from "../../subnet/plugin.js";

export interface WireTensor {
  readonly dtype: DType;
  readonly dims: readonly number[];
  /** The tensor's bytes (transferred, not copied). */
  readonly data: ArrayBuffer;
}

export type ToWorker =
  | {
      readonly type: "load";
      readonly id: number;
      readonly model: string;
      readonly path: string;
      readonly device: "cpu" | "cuda";
      readonly threads: number;
      /** Models to unload first (the registry's evictions), in the same message. */
      readonly evict: readonly string[];
    }
  | { readonly type: "unload"; readonly id: number; readonly model: string }
  | { readonly type: "run"; readonly id: number; readonly model: string; readonly feeds: Readonly<Record<string, WireTensor>> };

export type FromWorker =
  | { readonly type: "loaded"; readonly id: number; readonly inputs: readonly string[]; readonly outputs: readonly string[] }
  | { readonly type: "unloaded"; readonly id: number }
  | { readonly type: "result"; readonly id: number; readonly outputs: Readonly<Record<string, WireTensor>>; readonly runMs: number }
  | { readonly type: "error"; readonly id: number; readonly message: string };
