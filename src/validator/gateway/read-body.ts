/**
 * A request body read whole, within a byte limit and a time limit, and never more than the limit
 * held: a declared Content-Length over it is refused before a byte is read, and a chunked body is
 * refused as soon as it passes it. The bytes are returned untouched (their hash is signed).
 */
import type { IncomingMessage } from "node:http";
import { GatewayError } from "./contract.js";

export interface BodyLimits {
  readonly maxBytes: number;
  /** From the call, ms: the whole body must have arrived by then. */
  readonly timeoutMs: number;
  /** The budget shared by every body still arriving. */
  readonly arriving?: ArrivingBytes;
}

/**
 * The bytes of request bodies still arriving, all connections together, within a budget: a body
 * that would pass it is refused 503 BUSY. Each body's bytes are given back once it is whole (or
 * refused), so the memory held by uploads in progress stays bounded whatever the number of them.
 */
export class ArrivingBytes {
  #used = 0;

  constructor(
    readonly max: number,
    readonly retryAfterMs: number,
  ) {}

  get used(): number {
    return this.#used;
  }

  /** Takes `n` bytes of the budget, or false when they would pass it. */
  take(n: number): boolean {
    if (this.#used + n > this.max) return false;
    this.#used += n;
    return true;
  }

  give(n: number): void {
    this.#used -= n;
  }
}

/** Rejected with this when the client goes away before its body is complete. */
export class ClientGoneError extends Error {
  override name = "ClientGoneError";
}

export function tooLarge(maxBytes: number): GatewayError {
  return new GatewayError("TOO_LARGE", 413, `the request body is over this synapse's limit of ${maxBytes} bytes`);
}

/** GatewayError 413 when the declared Content-Length is over the limit (checked before anything is read). */
export function checkDeclaredLength(request: IncomingMessage, maxBytes: number): void {
  const declared = request.headers["content-length"];
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes);
}

export function readBody(request: IncomingMessage, limits: BodyLimits): Promise<Uint8Array> {
  checkDeclaredLength(request, limits.maxBytes);
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let held = 0;
    const settle = (error: Error | undefined, body?: Uint8Array): void => {
      clearTimeout(timer);
      limits.arriving?.give(held);
      held = 0;
      request.off("data", onData).off("end", onEnd).off("error", onError).off("close", onClose);
      if (error) {
        // Whatever else the client sends is not read: the answer closes the connection.
        request.pause();
        reject(error);
      } else resolve(body!);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limits.maxBytes) return settle(tooLarge(limits.maxBytes));
      if (limits.arriving && !limits.arriving.take(chunk.length))
        return settle(new GatewayError("BUSY", 503, "the gateway is receiving too many request bodies at once; try again shortly", limits.arriving.retryAfterMs));
      held += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = (): void => settle(undefined, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
    const onError = (error: Error): void => settle(new ClientGoneError(`the client's request failed: ${error.message}`));
    const onClose = (): void => settle(new ClientGoneError("the client closed the connection before its body was complete"));
    const timer = setTimeout(() => settle(new GatewayError("REQUEST_TIMEOUT", 408, `the request body did not arrive within ${limits.timeoutMs} ms`)), limits.timeoutMs);
    request.on("data", onData).on("end", onEnd).on("error", onError).on("close", onClose);
  });
}
