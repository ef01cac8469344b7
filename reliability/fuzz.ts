/**
 * Bounded fuzzing of the decoders and parsers that take bytes or JSON from outside: seeded inputs
 * (random bytes, and mutations of valid ones), each fed to the decoder; a **crash** is any outcome
 * other than a result or the decoder's own typed refusal (a TypeError, a RangeError from deep
 * inside, a hang). Heap growth over the run is measured after a GC.
 */
import { performance } from "node:perf_hooks";
import { prng } from "../src/util/prng.js";

export interface FuzzFigures {
  readonly inputs: number;
  readonly accepted: number;
  readonly refused: number;
  readonly crashes: number;
  readonly heap_growth_mb: number;
  readonly inputs_per_s: number;
}

export interface FuzzResult extends FuzzFigures {
  /** The first few crashes: what was fed and what came out. */
  readonly examples: readonly string[];
}

export type Random = () => number;

const int = (random: Random, n: number): number => Math.floor(random() * n);

/** A random mutation of `seed`: bit flips, byte changes, inserts, deletes, truncation, extension, splices, length-like bytes set high. */
export function mutateBytes(seed: Uint8Array, random: Random, others: readonly Uint8Array[] = []): Uint8Array {
  let out = Uint8Array.from(seed);
  const rounds = 1 + int(random, 4);
  for (let r = 0; r < rounds; r++) {
    const at = out.length === 0 ? 0 : int(random, out.length);
    switch (int(random, 8)) {
      case 0:
        if (out.length > 0) out[at] = out[at]! ^ (1 << int(random, 8));
        break;
      case 1:
        if (out.length > 0) out[at] = int(random, 256);
        break;
      case 2:
        out = Uint8Array.from([...out.subarray(0, at), int(random, 256), ...out.subarray(at)]);
        break;
      case 3:
        out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + 1 + int(random, 8))]);
        break;
      case 4:
        out = out.subarray(0, at).slice();
        break;
      case 5:
        out = Uint8Array.from([...out, ...Array.from({ length: int(random, 64) }, () => int(random, 256))]);
        break;
      case 6: {
        const other = others[int(random, Math.max(1, others.length))];
        if (other && other.length > 0) out = Uint8Array.from([...out.subarray(0, at), ...other.subarray(int(random, other.length))]);
        break;
      }
      case 7:
        // Length prefixes and counts: the values most likely to make a decoder allocate or loop.
        for (let i = 0; i < 4 && at + i < out.length; i++) out[at + i] = [0xff, 0xfe, 0x7f, 0x80][int(random, 4)]!;
        break;
    }
  }
  return out;
}

/** A random JSON value, up to `depth` deep. */
export function randomJson(random: Random, depth = 3): unknown {
  const choice = int(random, depth <= 0 ? 6 : 8);
  switch (choice) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return [0, -1, 1, 2 ** 53, -(2 ** 53), 1e308, 0.5, Number.MAX_SAFE_INTEGER + 2, 65535, 65536, 4294967296][int(random, 11)];
    case 3:
      return ["", "0", "-1", "0x", "0xzz", "abc", "1e9", "18446744073709551616", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", "\u0000", "é".repeat(int(random, 40))][int(random, 11)];
    case 4:
      return `0x${Array.from({ length: int(random, 80) }, () => int(random, 256).toString(16).padStart(2, "0")).join("")}`;
    case 5:
      return int(random, 1000);
    case 6:
      return Array.from({ length: int(random, 5) }, () => randomJson(random, depth - 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = int(random, 5); i > 0; i--) o[["a", "id", "netuid", "uids", "weights", "stake", "$comment", "balances", "x"][int(random, 9)]!] = randomJson(random, depth - 1);
      return o;
    }
  }
}

/** A structural mutation of a JSON document: a value replaced, a key removed or added, an array grown or emptied. */
export function mutateJson(doc: unknown, random: Random): unknown {
  const copy = structuredClone(doc) as unknown;
  const paths: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach((x, i) => (paths.push({ parent: v, key: i }), walk(x)));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) paths.push({ parent: v as Record<string, unknown>, key: k }), walk(x);
  };
  walk(copy);
  const rounds = 1 + int(random, 3);
  for (let r = 0; r < rounds && paths.length > 0; r++) {
    const { parent, key } = paths[int(random, paths.length)]!;
    const action = int(random, 4);
    if (action === 0 || action === 1) (parent as Record<string, unknown>)[key as string] = randomJson(random, 2);
    else if (action === 2 && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[key as string];
    else if (Array.isArray(parent)) parent.push(randomJson(random, 1));
    else (parent as Record<string, unknown>)[`extra${int(random, 9)}`] = randomJson(random, 1);
  }
  return copy;
}

function heapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/**
 * Feeds `count` inputs from `make` to `feed`. `refusal` says whether a thrown error is the
 * decoder's own typed refusal; anything else thrown is a crash. Async feeds are awaited one by one.
 */
export async function fuzz<T>(options: { seed: number; count: number; make: (random: Random, i: number) => T; feed: (input: T) => unknown; refusal: (error: unknown) => boolean; show?: (input: T) => string }): Promise<FuzzResult> {
  const random = prng(options.seed);
  const before = heapMb();
  const started = performance.now();
  let accepted = 0;
  let refused = 0;
  let crashes = 0;
  const examples: string[] = [];
  for (let i = 0; i < options.count; i++) {
    const input = options.make(random, i);
    try {
      await options.feed(input);
      accepted += 1;
    } catch (error) {
      if (options.refusal(error)) refused += 1;
      else {
        crashes += 1;
        if (examples.length < 3) examples.push(`${(error as Error).name}: ${(error as Error).message} ← ${(options.show ?? ((x) => JSON.stringify(x)?.slice(0, 200)))(input)}`);
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { inputs: options.count, accepted, refused, crashes, heap_growth_mb: Math.max(0, heapMb() - before), inputs_per_s: options.count / seconds, examples };
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex").slice(0, 200);
