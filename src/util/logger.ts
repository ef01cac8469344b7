/** Structured logging (pino): JSON lines by default, a compact human format on a TTY. Injected, never global. */
import { Writable } from "node:stream";
import { pino, type Logger } from "pino";

export type LogLevel = "error" | "warn" | "info" | "debug" | "trace" | "silent";
export type LogFormat = "json" | "human";
export type { Logger };

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Where lines go (default stderr, so stdout stays for command output). */
  readonly write?: (line: string) => void;
}

const LEVEL_NAMES: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };

/** One JSON log record as `HH:MM:SS.mmm LEVEL [module] message key=value …`. */
export function formatHuman(record: Record<string, unknown>): string {
  const { time, level, msg, module, pid: _pid, hostname: _hostname, ...rest } = record;
  const clock = typeof time === "number" ? new Date(time).toISOString().slice(11, 23) : "";
  const fields = Object.entries(rest)
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
  return [clock, (LEVEL_NAMES[level as number] ?? String(level)).padEnd(5), module ? `[${String(module)}]` : "", String(msg ?? ""), fields]
    .filter((part) => part !== "")
    .join(" ");
}

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line === "") continue;
        write(options.format === "human" ? `${formatHuman(JSON.parse(line) as Record<string, unknown>)}\n` : `${line}\n`);
      }
      done();
    },
  });
  return pino({ level: options.level, base: undefined }, destination);
}
