/**
 * Stopping a daemon within a time budget: its parts are stopped one after another (the order
 * matters: stop taking work before closing what the work needs), each given what is left of the
 * budget. A part that is still stopping when its time is up is left behind, said in the log, and
 * the next part is stopped all the same: a stop that hangs on one part still closes the others, and
 * the process exits on time (whatever a part left behind still holds dies with it).
 */
export interface StopStep {
  /** What the step stops, for the log ("the gateway", "the p2p node"). */
  readonly name: string;
  readonly run: () => Promise<unknown>;
}

export interface StopReport {
  readonly ms: number;
  /** The steps left unfinished when their time was up. */
  readonly abandoned: readonly string[];
  /** The steps that failed (each logged). */
  readonly failed: readonly string[];
}

export interface StopOptions {
  /** For the whole stop, ms. */
  readonly budgetMs: number;
  /** What a step gets at least, even once the budget is spent (a close that takes a millisecond still runs). */
  readonly floorMs?: number;
  readonly log: { warn(fields: object, message: string): void };
  readonly now?: () => number;
}

export async function stopInOrder(steps: readonly StopStep[], options: StopOptions): Promise<StopReport> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const deadline = started + options.budgetMs;
  const abandoned: string[] = [];
  const failed: string[] = [];
  for (const step of steps) {
    const allowed = Math.max(options.floorMs ?? 50, deadline - now());
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      Promise.resolve()
        .then(step.run)
        .then(
          () => "done" as const,
          (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
        ),
      new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), allowed))),
    ]);
    clearTimeout(timer);
    if (outcome === "late") {
      abandoned.push(step.name);
      options.log.warn({ step: step.name, waitedMs: Math.round(allowed) }, `stopping: ${step.name} did not stop in time; going on without it`);
    } else if (outcome !== "done") {
      failed.push(step.name);
      options.log.warn({ step: step.name, error: outcome.message }, `stopping: ${step.name} failed to stop cleanly`);
    }
  }
  return { ms: now() - started, abandoned, failed };
}
