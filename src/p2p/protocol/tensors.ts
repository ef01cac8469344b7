/**
 * Request and response bodies: named tensors as raw little-endian bytes (never base64 JSON), plus
 * UTF-8 strings and opaque bytes. Layout (docs/protocol.md):
 *   u16 count, then per entry: name (u8 length + UTF-8), dtype u8, rank u8, rank × u32 dims,
 *   u32 byte length, the bytes.
 * Decoding checks every length against the input before it allocates anything.
 */
import { ByteReader, ByteWriter, utf8Length, FrameError } from "./bytes.js";

export const DTYPES = ["uint8", "int8", "uint16", "int16", "uint32", "int32", "int64", "float32", "float64", "bool", "string", "bytes"] as const;
export type DType = (typeof DTYPES)[number];

const ITEM_SIZE: Readonly<Record<DType, number>> = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  int64: 8,
  float32: 4,
  float64: 8,
  bool: 1,
  // strings and bytes: the payload is one value; dims must be [] (a scalar)
  string: 1,
  bytes: 1,
};

export const MAX_TENSORS = 256;
export const MAX_RANK = 8;
export const MAX_NAME_BYTES = 64;

export interface Tensor {
  readonly dtype: DType;
  readonly dims: readonly number[];
  /** Little-endian element bytes (for `string`: UTF-8; for `bytes`: as is). */
  readonly data: Uint8Array;
}

export type TensorMap = ReadonlyMap<string, Tensor>;

function elementCount(dims: readonly number[]): number {
  return dims.reduce((product, d) => product * d, 1);
}

/** Checks a tensor is self-consistent (byte length = elements × item size; strings and bytes are scalars). */
export function checkTensor(name: string, t: Tensor): void {
  if (t.dims.length > MAX_RANK) throw new FrameError("BAD_FRAME", `tensor ${name}: rank ${t.dims.length} is more than ${MAX_RANK}`);
  if (t.dtype === "string" || t.dtype === "bytes") {
    if (t.dims.length !== 0) throw new FrameError("BAD_FRAME", `tensor ${name}: a ${t.dtype} value has no dims`);
    return;
  }
  const expected = elementCount(t.dims) * ITEM_SIZE[t.dtype];
  if (!Number.isSafeInteger(expected) || expected !== t.data.length)
    throw new FrameError("BAD_FRAME", `tensor ${name}: ${t.dtype}[${t.dims.join("×")}] needs ${expected} bytes, has ${t.data.length}`);
}

export function encodeTensors(tensors: TensorMap): Uint8Array {
  if (tensors.size > MAX_TENSORS) throw new FrameError("BAD_FRAME", `${tensors.size} tensors, more than ${MAX_TENSORS}`);
  let size = 2;
  for (const [name, t] of tensors) {
    checkTensor(name, t);
    size += 1 + utf8Length(name) + 2 + 4 * t.dims.length + 4 + t.data.length;
  }
  const w = new ByteWriter(size);
  w.u16(tensors.size);
  for (const [name, t] of tensors) {
    w.text(name, MAX_NAME_BYTES, "tensor name").u8(DTYPES.indexOf(t.dtype)).u8(t.dims.length);
    for (const d of t.dims) w.u32(d);
    w.u32(t.data.length).bytes(t.data);
  }
  return w.finish();
}

/** Decodes a body; the tensors' data are views into `bytes` (no copies). */
export function decodeTensors(bytes: Uint8Array): Map<string, Tensor> {
  const r = new ByteReader(bytes);
  const count = r.u16("tensor count");
  if (count > MAX_TENSORS) throw new FrameError("BAD_FRAME", `${count} tensors, more than ${MAX_TENSORS}`);
  const out = new Map<string, Tensor>();
  for (let i = 0; i < count; i++) {
    const name = r.text(MAX_NAME_BYTES, "tensor name");
    if (out.has(name)) throw new FrameError("BAD_FRAME", `tensor ${name} appears twice`);
    const dtypeIndex = r.u8("dtype");
    const dtype = DTYPES[dtypeIndex];
    if (dtype === undefined) throw new FrameError("BAD_FRAME", `tensor ${name}: unknown dtype ${dtypeIndex}`);
    const rank = r.u8("rank");
    if (rank > MAX_RANK) throw new FrameError("BAD_FRAME", `tensor ${name}: rank ${rank} is more than ${MAX_RANK}`);
    const dims: number[] = [];
    for (let d = 0; d < rank; d++) dims.push(r.u32("dim"));
    const data = r.bytes(r.u32("tensor length"), `tensor ${name}`);
    const tensor = { dtype, dims, data };
    checkTensor(name, tensor);
    out.set(name, tensor);
  }
  r.end("the tensors");
  return out;
}

// --- conveniences for handlers ---------------------------------------------------------------

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export function stringTensor(value: string): Tensor {
  return { dtype: "string", dims: [], data: encoder.encode(value) };
}

export function float32Tensor(values: Float32Array | readonly number[], dims: readonly number[] = [values.length]): Tensor {
  const array = values instanceof Float32Array ? values : Float32Array.from(values);
  return { dtype: "float32", dims, data: new Uint8Array(array.buffer, array.byteOffset, array.byteLength) };
}

export function readString(tensors: TensorMap, name: string): string {
  const t = tensors.get(name);
  if (!t || t.dtype !== "string") throw new FrameError("BAD_FRAME", `expected a string tensor ${name}`);
  try {
    return decoder.decode(t.data);
  } catch {
    throw new FrameError("BAD_FRAME", `tensor ${name} is not valid UTF-8`);
  }
}

/** A float32 tensor's values (copied, so alignment never matters). */
export function readFloat32(tensors: TensorMap, name: string): Float32Array {
  const t = tensors.get(name);
  if (!t || t.dtype !== "float32") throw new FrameError("BAD_FRAME", `expected a float32 tensor ${name}`);
  const copy = new Uint8Array(t.data); // a copy: `data` may be a Buffer view, whose slice() does not copy
  return new Float32Array(copy.buffer, 0, copy.length / 4);
}
