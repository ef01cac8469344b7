/**
 * @polkadot/api reports a failed RPC on the console (`2026-… RPC-CORE: getStorage(…):: 4003: …`)
 * before it rejects the call, and the CLI then says the same thing in its own line. Its console
 * lines are kept to --log-level debug (or trace), so that a chain failure is one line on stderr;
 * everything else written to the console passes through untouched.
 */

/** Whether the command line or the environment asks for debug output (what also shows a chain failure's stack). */
export function debugRequested(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): boolean {
  const verbose = (level: string | undefined): boolean => level === "debug" || level === "trace";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--log-level" && verbose(argv[i + 1])) return true;
    if (arg.startsWith("--log-level=") && verbose(arg.slice("--log-level=".length))) return true;
  }
  return verbose(env.TENSORNODE_LOG_LEVEL);
}

/** @polkadot/util's logger writes (timestamp, "       ORIGIN:", …values). */
function isPolkadotLogLine(values: readonly unknown[]): boolean {
  return typeof values[1] === "string" && /^\s*[A-Z][A-Z0-9/-]*:$/.test(values[1]);
}

type ConsoleMethod = (...values: unknown[]) => void;

/** Keeps @polkadot/api's console lines off stderr unless `debug`; returns what undoes it. */
export function quietPolkadotConsole(target: Pick<Console, "error" | "warn" | "log">, debug: boolean): () => void {
  if (debug) return () => undefined;
  const originals = { error: target.error, warn: target.warn, log: target.log };
  for (const name of ["error", "warn", "log"] as const) {
    const original: ConsoleMethod = originals[name].bind(target);
    target[name] = (...values: unknown[]) => {
      if (!isPolkadotLogLine(values)) original(...values);
    };
  }
  return () => Object.assign(target, originals);
}
