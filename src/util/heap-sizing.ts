/**
 * Heap sizing for a daemon that should hold a steady resident set.
 *
 * After each full collection V8 lets the old generation grow to a multiple of what survived it —
 * up to 4× when the heap limit is large, as Node's default is on a machine with a few GiB — and
 * gives memory back only once its memory reducer sees the process idle. A daemon that is never
 * idle (a dashboard following a fast chain) then climbs for hours with nothing leaking. Measured
 * with bench/dashboard.ts (`dashboard-memory`: 10,000 blocks at ~115 blocks/s): the live heap
 * stayed near 55 MiB while the old space reserved went 57 → 111 MiB and the resident set grew 27 %
 * after warm-up. With the growth held to 1.5× it levelled off within 1,500 blocks (3 % growth).
 *
 * The miner and validator daemons serve without pause too, and set it as well: the query soak in
 * `npm run reliability` (a miner's query server under the p2p-query benchmark's load for 60 s after
 * a 30 s warm-up) went from 385 → 413 MiB (+7.4 %) to 259 → 234 MiB, with no measurable change in
 * the p2p-query benchmark's throughput.
 *
 * Why this flag and not `--optimize-for-size`: that one also held memory flat, but it slows the
 * compiled code too (the dashboard's read-back of 100 epochs took 39–45 s instead of 26 s); the
 * growing factor touches only when the collector runs.
 */
import { setFlagsFromString } from "node:v8";

/** The old generation may grow to this many percent above what survived the last full collection. */
export const STEADY_HEAP_GROWING_PERCENT = 50;

/**
 * Holds V8's heap growth to {@link STEADY_HEAP_GROWING_PERCENT} for the rest of the process's life.
 * The factor is read at each full collection, so setting it at a command's start takes effect at
 * once (unlike the heap limit, which is fixed when the process starts).
 */
export function favourSteadyMemory(): void {
  setFlagsFromString(`--heap-growing-percent=${STEADY_HEAP_GROWING_PERCENT}`);
}
