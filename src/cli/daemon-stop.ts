/**
 * How long a daemon's stop may take, all its parts together (stopInOrder). Docker gives a container
 * 10 s after SIGTERM and systemd 90 s by default; tensornode's daemons promise under 5 s, so the
 * budget leaves a second for the process to exit and whatever the host adds.
 */
export const DAEMON_STOP_BUDGET_MS = 4_000;
