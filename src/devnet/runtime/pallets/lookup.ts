/** `AccountIdLookup`: a MultiAddress names an account by its id (Id or Address32), nothing else. */
import type { Codec } from "@polkadot/types-codec/types";
import { DispatchFailure } from "../dispatch.js";

interface EnumLike {
  readonly type: string;
  readonly value: Codec;
}

export function lookupAccount(address: Codec): Uint8Array {
  const a = address as unknown as EnumLike;
  if (a.type === "Id" || a.type === "Address32") return a.value.toU8a();
  throw new DispatchFailure({ kind: "CannotLookup" });
}
