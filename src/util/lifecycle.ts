/** Daemon lifecycles: a start that fails half-way undoes what it started. */

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
