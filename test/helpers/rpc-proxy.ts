/**
 * A JSON-RPC WebSocket proxy in front of a real devnet that can answer some requests itself (an
 * error, a result of its own, or by dropping the connection) and rewrite the devnet's answers.
 * With `runtimeAs` the devnet looks like another subtensor runtime: that runtime's real metadata
 * and spec version, over the devnet's storage (the items both have lay out alike).
 */
import { readFileSync } from "node:fs";
import { WebSocket, WebSocketServer } from "ws";

export interface ProxiedRequest {
  readonly method: string;
  readonly params: readonly unknown[];
}

export type Interception = { readonly error: { readonly code: number; readonly message: string } } | { readonly result: unknown } | "disconnect";

export interface ProxyOptions {
  /** Answers a request in place of the devnet, or lets it through (undefined). */
  intercept?(request: ProxiedRequest): Interception | undefined;
  /** Rewrites a message from the devnet (an answer, with the request it answers, or a notification). */
  rewrite?(message: Record<string, unknown>, request: ProxiedRequest | undefined): Record<string, unknown>;
}

export interface RpcProxy {
  readonly url: string;
  close(): Promise<void>;
}

export async function startRpcProxy(upstream: string, options: ProxyOptions): Promise<RpcProxy> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  server.on("connection", (client) => {
    const chain = new WebSocket(upstream);
    const queued: string[] = [];
    const requests = new Map<unknown, ProxiedRequest>();
    const toChain = (text: string): void => {
      if (chain.readyState === WebSocket.OPEN) chain.send(text);
      else queued.push(text);
    };
    chain.on("open", () => queued.splice(0).forEach((m) => chain.send(m)));
    client.on("message", (data) => {
      const request = JSON.parse(String(data)) as { id?: unknown; method: string; params?: unknown[] };
      const proxied: ProxiedRequest = { method: request.method, params: request.params ?? [] };
      const answer = options.intercept?.(proxied);
      if (answer === "disconnect") {
        client.terminate();
        return;
      }
      if (answer) {
        client.send(JSON.stringify({ jsonrpc: "2.0", id: request.id, ...answer }));
        return;
      }
      requests.set(request.id, proxied);
      toChain(String(data));
    });
    chain.on("message", (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      const request = requests.get(message.id);
      requests.delete(message.id);
      client.send(JSON.stringify(options.rewrite ? options.rewrite(message, request) : message));
    });
    client.on("close", () => chain.close());
    chain.on("close", () => client.close());
    chain.on("error", () => client.close());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    close: async () => {
      for (const c of server.clients) c.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const REAL_CHAIN = new URL("../../../shared/reference/real-chain/", import.meta.url);

/** A real runtime's metadata: spec 343's V15 (as `Option<OpaqueMetadata>`), 233's and 219's V14. */
export const REAL_RUNTIMES = {
  343: { file: "subtensor-spec343-metadata-v15.hex", version: 15 },
  233: { file: "subtensor-testnet-spec233-metadata-v14.hex", version: 14 },
  219: { file: "subtensor-mainnet-spec219-metadata-v14.hex", version: 14 },
} as const;

/** Proxy options under which the devnet answers as subtensor `spec` (its metadata, its spec version). */
export function runtimeAs(spec: keyof typeof REAL_RUNTIMES, more: ProxyOptions = {}): ProxyOptions {
  const { file, version } = REAL_RUNTIMES[spec];
  const hex = readFileSync(new URL(file, REAL_CHAIN), "utf8").trim();
  // V15 comes wrapped as Option<OpaqueMetadata> (0x01, a compact length, the metadata); V14 is the bare metadata.
  const bare = version === 15 ? `0x${stripOptionOpaque(hex.slice(2))}` : hex;
  const atVersion = (asked: number): string => (asked === version ? (version === 15 ? hex : `0x01${compactLengthHex(bare)}${bare.slice(2)}`) : "0x00");
  const withSpec = (value: unknown): unknown => (value && typeof value === "object" && "specVersion" in value ? { ...value, specVersion: spec } : value);
  return {
    intercept: (request) => {
      if (request.method === "state_getMetadata") return { result: bare };
      if (request.method === "state_call" && request.params[0] === "Metadata_metadata_versions") return { result: `0x04${version.toString(16).padStart(2, "0")}000000` };
      if (request.method === "state_call" && request.params[0] === "Metadata_metadata_at_version") return { result: atVersion(Number.parseInt(String(request.params[1]).slice(2, 4), 16)) };
      return more.intercept?.(request);
    },
    rewrite: (message, request) => {
      const rewritten = "result" in message ? { ...message, result: withSpec(message.result) } : message;
      const notification = typeof rewritten.method === "string" && rewritten.params && typeof rewritten.params === "object";
      const params = rewritten.params as { result?: unknown };
      const out = notification ? { ...rewritten, params: { ...params, result: withSpec(params.result) } } : rewritten;
      return more.rewrite ? more.rewrite(out, request) : out;
    },
  };
}

/** The hex of a SCALE `Option<Vec<u8>>` (Some) without the option byte and the length prefix. */
function stripOptionOpaque(hex: string): string {
  const bytes = Buffer.from(hex, "hex");
  let at = 1;
  const mode = bytes[at]! & 3;
  at += mode === 0 ? 1 : mode === 1 ? 2 : mode === 2 ? 4 : 1 + (bytes[at]! >> 2) + 4;
  return bytes.subarray(at).toString("hex");
}

function compactLengthHex(hex: string): string {
  const length = (hex.length - 2) / 2;
  if (length < 1 << 14) return Buffer.from([((length << 2) | 1) & 0xff, length >> 6]).toString("hex");
  const value = (length << 2) | 2;
  return Buffer.from([value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, (value >>> 24) & 0xff]).toString("hex");
}
