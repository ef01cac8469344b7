/** Daemon lifecycles: a start that fails half-way undoes what it started; waits that a stop cuts short. */

/** Runs `start` on `daemon`; when it throws, stops whatever it had started, then rethrows. */
export async function startOrStop<T extends { stop(): Promise<void> }>(daemon: T, start: () => Promise<void>): Promise<T> {
  try {
    await start();
  } catch (error) {
    await daemon.stop();
    throw error;
  }
  return daemon;
}

/** Waits `ms`, or less when `signal` aborts (at once when it has already). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}
