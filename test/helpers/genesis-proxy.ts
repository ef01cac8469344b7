/**
 * A JSON-RPC WebSocket proxy in front of a real devnet that reports another chain's genesis hash
 * (finney's, say): everything else is the devnet's own answer. It lets a test show that what only
 * dev chains allow is refused by a public network's genesis, through the real client and CLI.
 */
import { WebSocket, WebSocketServer } from "ws";

export interface GenesisProxy {
  readonly url: string;
  close(): Promise<void>;
}

export async function startGenesisProxy(upstream: string, genesisHash: string): Promise<GenesisProxy> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  server.on("connection", (client) => {
    const chain = new WebSocket(upstream);
    const queued: string[] = [];
    const genesisRequests = new Set<unknown>();
    chain.on("open", () => queued.splice(0).forEach((m) => chain.send(m)));
    client.on("message", (data) => {
      const text = String(data);
      const request = JSON.parse(text) as { id?: unknown; method?: string; params?: unknown[] };
      if (request.method === "chain_getBlockHash" && (request.params?.[0] === 0 || request.params?.[0] === "0x0")) genesisRequests.add(request.id);
      if (chain.readyState === WebSocket.OPEN) chain.send(text);
      else queued.push(text);
    });
    chain.on("message", (data) => {
      const reply = JSON.parse(String(data)) as { id?: unknown; result?: unknown };
      if (genesisRequests.delete(reply.id)) reply.result = genesisHash;
      client.send(JSON.stringify(reply));
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
