/** Processes of this machine, by what their command line says (Linux /proc). */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The pids of processes (this one apart) whose command line holds every one of `needles` as an argument or within one. */
export function processesMentioning(...needles: string[]): number[] {
  if (!existsSync("/proc/self/cmdline")) return [];
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
    .filter((name) => {
      try {
        const cmdline = readFileSync(join("/proc", name, "cmdline"), "utf8");
        return needles.every((needle) => cmdline.includes(needle));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Waits until no process mentions `needle` (the daemons saw their parent go and stopped). */
export async function noProcessLeft(needle: string, timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = processesMentioning(needle);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
