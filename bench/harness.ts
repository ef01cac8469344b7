/** Timing helpers for benchmarks: medians over repeated runs, one line per figure. */
import { performance } from "node:perf_hooks";

export { prng } from "../src/util/prng.js";

/** The median of `values` (the upper one of an even count); NaN when there are none. */
export const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1] ?? Number.NaN;

export interface Measurement {
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
}

export interface BenchLine {
  readonly name: string;
  readonly figures: Readonly<Record<string, number>>;
  readonly goal?: string | undefined;
}

/** Runs `fn` at least `minRuns` times and for at least `minMs`, after two warm-up calls. */
export function measure(fn: () => unknown, { minRuns, minMs }: { minRuns: number; minMs: number }): Measurement {
  fn();
  fn();
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < minRuns || performance.now() - started < minMs) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { runs: samples.length, medianMs: samples[samples.length >> 1]!, minMs: samples[0]! };
}


export function formatLine(line: BenchLine): string {
  const figures = Object.entries(line.figures)
    .map(([key, value]) => `${key}=${value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toFixed(3)}`)
    .join(" ");
  return `${line.name}: ${figures}${line.goal ? ` (goal: ${line.goal})` : ""}`;
}
