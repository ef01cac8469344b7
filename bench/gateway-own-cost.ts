/**
 * The gateway's own CPU per request, apart from the miners and the query protocol: the real
 * `startGatewayServer` and `OrganicService` (JSON and schema checks, conversion, miner choice,
 * hedge timer, receipt, ledger, metrics) with the miner's answer canned — `query` resolves a real
 * answer captured beforehand, on the next turn of the event loop — against a bare node:http server
 * that reads the body and answers the same bytes the gateway answers. Both driven by the same
 * users' worker; CPU time (user + system, all threads of this process: the users included on both
 * sides) per request. The difference is what the gateway's code costs a validator per request,
 * which contention on a small shared machine cannot move much.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { QueryAnswer, QueryTarget } from "../src/p2p/query-client.js";
import type { PublicInterface } from "../src/subnet/public-api.js";
import type { Logger } from "../src/util/logger.js";
import { startGatewayServer } from "../src/validator/gateway/http-server.js";
import { OrganicService, type ServingMiner } from "../src/validator/gateway/organic-service.js";
import type { OrganicLedger } from "../src/validator/organic-ledger.js";
import type { HttpUsers } from "./gateway-users.js";
import { median } from "./harness.js";

export interface OwnCostOptions {
  readonly api: PublicInterface;
  readonly synapse: string;
  readonly serving: readonly ServingMiner[];
  /** A real answer of each miner, by target. */
  readonly canned: ReadonlyMap<QueryTarget, QueryAnswer>;
  readonly ledger: OrganicLedger;
  readonly users: HttpUsers;
  readonly bodies: readonly Uint8Array[];
  readonly concurrency: number;
  readonly rounds: number;
  readonly roundMs: number;
  readonly random: () => number;
  readonly log: Logger;
}

/** Median CPU µs per request: through the gateway with canned answers, and through a bare node:http server. */
export async function gatewayOwnCost(o: OwnCostOptions): Promise<{ gatewayUs: number; bareUs: number }> {
  const service = new OrganicService({
    api: o.api,
    serving: () => o.serving,
    score: () => undefined,
    query: async (target) => {
      await nextTurn();
      return o.canned.get(target)!;
    },
    ledger: o.ledger,
    penalize: () => undefined,
    random: o.random,
    log: o.log,
  });
  const gateway = await startGatewayServer({ backend: service, host: "127.0.0.1", port: 0, logger: o.log });
  let bare: Server | undefined;
  try {
    const answer = Buffer.from(JSON.stringify(await service.call(o.synapse, o.bodies[0]!, { keyName: "local" }, new AbortController().signal)));
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        void nextTurn().then(() => response.writeHead(200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "content-length": answer.length }).end(answer));
      });
    });
    bare = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const ports = { gateway: gateway.address.port, bare: (server.address() as AddressInfo).port };
    const cpuUs: Record<keyof typeof ports, number[]> = { gateway: [], bare: [] };
    const path = `/v1/synapses/${o.synapse}`;
    for (let round = 0; round < o.rounds; round++) {
      for (const side of round % 2 === 0 ? (["gateway", "bare"] as const) : (["bare", "gateway"] as const)) {
        await o.users.setup(ports[side], path, o.bodies, o.concurrency);
        await o.users.run(o.concurrency, o.roundMs / 4);
        const before = process.cpuUsage();
        const run = await o.users.run(o.concurrency, o.roundMs);
        const used = process.cpuUsage(before);
        if (run.failures.size > 0) throw new Error(`own cost, ${side}: answers other than 200: ${run.firstFailure}`);
        cpuUs[side].push((used.user + used.system) / run.count);
      }
    }
    return { gatewayUs: median(cpuUs.gateway), bareUs: median(cpuUs.bare) };
  } finally {
    await gateway.close();
    if (bare) {
      bare.closeAllConnections();
      await new Promise<void>((resolve) => bare!.close(() => resolve()));
    }
  }
}
