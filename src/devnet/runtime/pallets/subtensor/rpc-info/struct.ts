/**
 * Runtime API return structs written by hand: each field is named as in HEAD's struct, so the
 * declarations can check that the SCALE written here follows the field order the metadata declares.
 */
import { ScaleWriter } from "../../../../codec/scale.js";

/** One field: its name in HEAD's struct and how its value is written. */
export type FieldWriter<T> = readonly [name: string, write: (w: ScaleWriter, value: T) => void];

/** A struct HEAD's runtime APIs return (named as in runtimeApiTypes), written field by field. */
export interface StructCodec<T> {
  readonly name: string;
  readonly fields: readonly FieldWriter<T>[];
}

export function writeStruct<T>(w: ScaleWriter, struct: StructCodec<T>, value: T): void {
  for (const [, write] of struct.fields) write(w, value);
}

export function encodeVec<T>(struct: StructCodec<T>, values: readonly T[]): Uint8Array {
  return new ScaleWriter(64 * (values.length + 1)).vec(values, (w, value) => writeStruct(w, struct, value)).finish();
}

export function encodeOption<T>(struct: StructCodec<T>, value: T | undefined): Uint8Array {
  return new ScaleWriter(256).option(value, (w, v) => writeStruct(w, struct, v)).finish();
}

export function encodeVecOfOptions<T>(struct: StructCodec<T>, values: readonly (T | undefined)[]): Uint8Array {
  return new ScaleWriter(256 * (values.length + 1)).vec(values, (w, value) => w.option(value, (w, v) => writeStruct(w, struct, v))).finish();
}

export function fieldNames<T>(struct: StructCodec<T>): string[] {
  return struct.fields.map(([name]) => name);
}

/** `Vec<(Compact<u16>, Compact<u16>)>` of a sparse row, zero entries dropped (HEAD's weights and bonds). */
export function writeNonZeroPairs(w: ScaleWriter, pairs: readonly (readonly [number, number])[]): void {
  w.vec(
    pairs.filter(([, value]) => value > 0),
    (w, [index, value]) => w.compact(index).compact(value),
  );
}

/** `Vec<Compact<_>>`. */
export function writeCompacts(w: ScaleWriter, values: readonly (number | bigint)[]): void {
  w.vec(values, (w, v) => w.compact(v));
}
