/**
 * Keeps a log file JSON lines only: a stream of text lines (a child process's stdout or stderr) in,
 * each line that is already a JSON object out as it is, any other line (a banner, a stack trace, a
 * library's warning) wrapped as a pino-style record: {"level":30|50,"time","module","stream","msg"}.
 */
import { StringDecoder } from "node:string_decoder";
import { Transform } from "node:stream";

export interface JsonLinesOptions {
  /** Who wrote the lines (the child's name), as the record's `module`. */
  readonly module: string;
  readonly stream: "stdout" | "stderr";
  readonly now?: () => number;
}

/** pino's levels: info for stdout, error for stderr. */
const LEVEL = { stdout: 30, stderr: 50 } as const;

export function asJsonLine(line: string, options: JsonLinesOptions): string {
  if (line.startsWith("{")) {
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return `${line}\n`;
    } catch {
      // not JSON after all: wrapped below
    }
  }
  return `${JSON.stringify({ level: LEVEL[options.stream], time: (options.now ?? Date.now)(), module: options.module, stream: options.stream, msg: line })}\n`;
}

export function jsonLines(options: JsonLinesOptions): Transform {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  const emit = (push: (text: string) => void, text: string): void => {
    const line = text.endsWith("\r") ? text.slice(0, -1) : text;
    if (line.trim() !== "") push(asJsonLine(line, options));
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const lines = (pending + decoder.write(chunk)).split("\n");
      pending = lines.pop()!;
      for (const line of lines) emit((t) => this.push(t), line);
      done();
    },
    flush(done) {
      emit((t) => this.push(t), pending + decoder.end());
      pending = "";
      done();
    },
  });
}
