/** A local network with its first validator's gateway, and HTTP requests to it as a user sends them. */
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { WalletStore } from "../../src/wallet/wallet.js";
import { startProcess, waitForStderr, type RunningProcess } from "./process.js";
import { processesMentioning } from "./processes.js";

export interface GatewayNet {
  readonly url: string;
  readonly dataDir: string;
  readonly proc: RunningProcess;
  /** The devnet's WebSocket endpoint. */
  readonly chain: string;
  /** A localnet hotkey's address by name (miner1, validator1, …). */
  address(name: string): Promise<string>;
  /** The pid of a daemon of this network (miner1, validator1, …). */
  pidOf(name: string): number;
}

/**
 * `tensornode localnet … --data-dir DIR` until its gateway listens and its `GET /v1/miners` lists
 * `servingMiners` miners (default 1; the validator learns the miners' axons from the chain, as a
 * user's client would wait for after a 503 NO_MINER). It runs until stopped.
 */
export async function startGatewayNet(dataDir: string, args: readonly string[], env: Record<string, string>, options: { servingMiners?: number; authorization?: string } = {}): Promise<GatewayNet> {
  const proc = startProcess(["localnet", "--epochs", "100000", "--data-dir", dataDir, ...args], env);
  const [, url] = await waitForStderr(proc, /gateway at (http:\/\/\S+?) /, 240_000);
  const wanted = options.servingMiners ?? 1;
  const headers: Record<string, string> = options.authorization ? { authorization: `Bearer ${options.authorization}` } : {};
  const deadline = Date.now() + 120_000;
  for (let serving = 0; serving < wanted; ) {
    serving = await fetch(`${url}/v1/miners`, { headers })
      .then(async (r) => ((await r.json()) as { miners?: unknown[] }).miners?.length ?? 0)
      .catch(() => 0);
    if (serving >= wanted) break;
    if (Date.now() > deadline || proc.child.exitCode !== null) throw new Error(`the gateway at ${url} lists ${serving} serving miners, not ${wanted}; the local network said:\n${proc.stderr().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const devnet = processesMentioning(dataDir, "--chain\0");
  const cmdline = devnet.length > 0 ? readCmdline(devnet[0]!) : [];
  const chain = cmdline[cmdline.indexOf("--chain") + 1] ?? "";
  const wallets = new WalletStore([join(dataDir, "wallets")]);
  return {
    url: url!,
    dataDir,
    proc,
    chain,
    address: async (name) => (await wallets.loadHotkey("localnet", name)).address,
    pidOf: (name) => {
      const [pid] = processesMentioning(dataDir, `--hotkey\0${name}\0`);
      if (pid === undefined) throw new Error(`no process for ${name} of ${dataDir}`);
      return pid;
    },
  };
}

function readCmdline(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: unknown;
  readonly body: Uint8Array;
}

/** A request as curl sends it: the body's bytes exactly as given. */
export async function http(url: string, init: { method?: string; body?: Uint8Array | string; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
  const response = await fetch(url, { method: init.method ?? (init.body === undefined ? "GET" : "POST"), ...(init.body === undefined ? {} : { body: init.body }), headers: init.headers ?? {} });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, body: new TextEncoder().encode(text) };
}

/** A request through node:http, whose headers go out as given (fetch replaces a Host header). */
export function rawHttp(url: string, init: { method: string; body?: string; headers: Record<string, string> }): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: init.method, headers: init.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        const headers = new Headers();
        for (const [name, value] of Object.entries(response.headers)) if (typeof value === "string") headers.set(name, value);
        resolve({ status: response.statusCode ?? 0, headers, json, body: new TextEncoder().encode(text) });
      });
    });
    request.on("error", reject);
    request.end(init.body);
  });
}

/** POST a synapse's JSON body, with a bearer key when given. */
export function postSynapse(base: string, synapse: string, body: Uint8Array | string, key?: string, extraHeaders: Record<string, string> = {}): Promise<HttpAnswer> {
  return http(`${base}/v1/synapses/${synapse}`, { body, headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}), ...extraHeaders } });
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` at once; the results in order. */
export async function pool<T>(n: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, concurrency) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}
