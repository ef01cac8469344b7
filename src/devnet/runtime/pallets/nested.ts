/** What pallets that dispatch other calls (Sudo, Utility) need from the runtime. */
import type { Call } from "@polkadot/types/interfaces";
import { ScaleWriter } from "../../codec/scale.js";
import type { BlockContext } from "../context.js";
import { encodeDispatchError, type DispatchErrorValue, type Origin } from "../dispatch.js";
import type { CallInfo } from "../pallet.js";

export interface NestedCalls {
  /** Dispatches `call` in its own storage transaction; returns its error, or undefined on success. */
  tryDispatch(ctx: BlockContext, origin: Origin, call: Call): DispatchErrorValue | undefined;
  /** The call's weight and class, as its pallet declares them. */
  info(call: Call): CallInfo;
}

/** `Result<(), DispatchError>`. */
export function encodeDispatchResult(error: DispatchErrorValue | undefined): Uint8Array {
  if (!error) return Uint8Array.of(0);
  return new ScaleWriter(8).u8(1).raw(encodeDispatchError(error)).finish();
}
