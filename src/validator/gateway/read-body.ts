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
    const settle = (error: Error | undefined, body?: Uint8Array): void => {
      clearTimeout(timer);
      request.off("data", onData).off("end", onEnd).off("error", onError).off("close", onClose);
      if (error) {
        // Whatever else the client sends is not read: the answer closes the connection.
        request.pause();
        reject(error);
      } else resolve(body!);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limits.maxBytes) settle(tooLarge(limits.maxBytes));
      else chunks.push(chunk);
    };
    const onEnd = (): void => settle(undefined, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
    const onError = (error: Error): void => settle(new ClientGoneError(`the client's request failed: ${error.message}`));
    const onClose = (): void => settle(new ClientGoneError("the client closed the connection before its body was complete"));
    const timer = setTimeout(() => settle(new GatewayError("REQUEST_TIMEOUT", 408, `the request body did not arrive within ${limits.timeoutMs} ms`)), limits.timeoutMs);
    request.on("data", onData).on("end", onEnd).on("error", onError).on("close", onClose);
  });
}
