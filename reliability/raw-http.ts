/**
 * HTTP/1.1 spoken by hand over a TCP socket, for abuse a well-behaved client library would refuse
 * to send: any bytes in any order, pauses between them (slow clients), bodies that never end. An
 * exchange writes its script, reads the answers the server gives (1xx interim answers skipped),
 * and ends when it has them, when the server closes, or at its own timeout; a socket error is an
 * outcome, never a throw.
 */
import { connect } from "node:net";
import { performance } from "node:perf_hooks";

/** Bytes to write, or a pause before the next ones. */
export type ScriptStep = string | Uint8Array | { readonly pauseMs: number };

export interface RawExchange {
  readonly script: readonly ScriptStep[];
  /** Answers to wait for (default 1): more than one when requests are pipelined. */
  readonly answers?: number;
  /** Whether the requests are HEAD (their answers carry no body). */
  readonly head?: boolean;
  readonly timeoutMs: number;
  /** Called once connected; the script starts when `startWhen` resolves (floods: every connection open, then every request at once). */
  readonly onConnect?: () => void;
  readonly startWhen?: Promise<unknown>;
}

export interface RawAnswer {
  readonly status: number;
  /** Header names in lower case; repeated headers joined with ", ". */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
  /** From the first byte written to the answer's last byte, ms. */
  readonly ms: number;
}

export interface RawOutcome {
  readonly answers: readonly RawAnswer[];
  /** The server closed (or reset) the connection before the answers asked for. */
  readonly closed: boolean;
  /** Neither the answers nor a close came within the timeout. */
  readonly timedOut: boolean;
  /** Bytes the server sent that are not a well-formed answer (empty when all were). */
  readonly garbage: string;
}

const HEAD_END = Buffer.from("\r\n\r\n");

/** One answer at the start of `buffer`: the answer and the bytes it took, "incomplete", or a description of what is wrong. */
function parseAnswer(buffer: Buffer, head: boolean): { answer: Omit<RawAnswer, "ms">; used: number } | "incomplete" | { malformed: string } {
  const end = buffer.indexOf(HEAD_END);
  if (end < 0) return buffer.length > 65_536 ? { malformed: "an answer head over 64 KiB" } : "incomplete";
  const lines = buffer.subarray(0, end).toString("latin1").split("\r\n");
  const statusLine = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0]!);
  if (!statusLine) return { malformed: `status line ${JSON.stringify(lines[0]!.slice(0, 80))}` };
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) return { malformed: `header line ${JSON.stringify(line.slice(0, 80))}` };
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)!}, ${value}` : value);
  }
  const status = Number(statusLine[1]);
  const bodyStart = end + HEAD_END.length;
  if (headers.has("transfer-encoding")) return { malformed: `a ${status} answer with Transfer-Encoding ${headers.get("transfer-encoding")!}` };
  const declared = headers.get("content-length");
  const noBody = head || status === 204 || status === 304 || (status >= 100 && status < 200);
  if (declared === undefined && !noBody) return { malformed: `a ${status} answer without Content-Length` };
  const length = noBody ? 0 : Number(declared);
  if (!Number.isSafeInteger(length) || length < 0) return { malformed: `Content-Length ${JSON.stringify(declared)}` };
  if (buffer.length < bodyStart + length) return "incomplete";
  return { answer: { status, headers, body: Buffer.from(buffer.subarray(bodyStart, bodyStart + length)) }, used: bodyStart + length };
}

/** Runs one exchange against 127.0.0.1:`port`. */
export function exchange(port: number, x: RawExchange): Promise<RawOutcome> {
  const wanted = x.answers ?? 1;
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const started = performance.now();
    const answers: RawAnswer[] = [];
    let pending = Buffer.alloc(0);
    let garbage = "";
    let done = false;
    let pause: NodeJS.Timeout | undefined;
    const finish = (closed: boolean, timedOut: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(pause);
      socket.destroy();
      resolve({ answers, closed, timedOut, garbage });
    };
    const timer = setTimeout(() => finish(false, true), x.timeoutMs);
    socket.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const parsed = parseAnswer(pending, x.head === true);
        if (parsed === "incomplete") return;
        if ("malformed" in parsed) {
          garbage = parsed.malformed;
          return finish(true, false);
        }
        pending = pending.subarray(parsed.used);
        if (parsed.answer.status >= 100 && parsed.answer.status < 200) continue;
        answers.push({ ...parsed.answer, ms: performance.now() - started });
        if (answers.length >= wanted) return finish(false, false);
      }
    });
    socket.on("error", () => finish(true, false));
    socket.on("close", () => finish(true, false));
    const write = (step: number): void => {
      if (done || step >= x.script.length) return;
      const item = x.script[step]!;
      if (typeof item === "object" && "pauseMs" in item) {
        pause = setTimeout(() => write(step + 1), item.pauseMs);
        return;
      }
      if (!socket.writable) return;
      // Writes are not awaited: the server may answer (and close) before it has read them all.
      socket.write(item, () => write(step + 1));
    };
    socket.once("connect", () => {
      x.onConnect?.();
      void (x.startWhen ?? Promise.resolve()).then(() => write(0));
    });
  });
}

/** A request's bytes: the request line, the headers as given (none added), and the body. */
export function rawRequest(requestLine: string, headers: readonly (readonly [string, string])[], body: string | Uint8Array = ""): Buffer {
  const head = `${requestLine}\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body)]);
}

/** `bytes` as the steps of a client that sends one byte every `intervalMs` (slowloris). */
export function byteByByte(bytes: Uint8Array, intervalMs: number): ScriptStep[] {
  return Array.from(bytes, (byte) => [Uint8Array.of(byte), { pauseMs: intervalMs }] as const).flat();
}
