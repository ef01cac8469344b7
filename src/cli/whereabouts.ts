/**
 * The part of a daemon's start-up line that an operator looks for first: where its data is, where
 * its logs go, and where its status can be read (or how to get a status port).
 */
export interface Whereabouts {
  /** The directory the daemon keeps its state in. */
  readonly data: string;
  readonly logFormat: string;
  readonly logLevel: string;
  /** Its status URL, or undefined when it serves none. */
  readonly status: string | undefined;
  /** How to get a status port when there is none ("--metrics-port P"). */
  readonly statusOption?: string;
}

export function whereabouts(w: Whereabouts): string {
  const status = w.status ? `status at ${w.status}` : `no status port (${w.statusOption ?? "--metrics-port P"} serves one)`;
  return `data in ${w.data}; logs on stderr (${w.logFormat}, ${w.logLevel}); ${status}`;
}
