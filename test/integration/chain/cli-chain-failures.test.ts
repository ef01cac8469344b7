/**
 * Every chain failure the CLI meets is one line on stderr and exit 2 — a JSON-RPC error answer, a
 * connection dropped mid-command, an answer the metadata cannot decode — with the stack (and
 * @polkadot/api's own console lines) only under TENSORNODE_LOG_LEVEL=debug; and `doctor` reports a
 * failing read as that check's failure and goes on with the others. The CLI runs as a process, so
 * that whatever its libraries print to the console is seen too.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { DevnetNode } from "../../../src/devnet/node.js";
import { silentLog } from "../../helpers/devnet.js";
import { startRpcProxy, type Interception, type ProxiedRequest, type RpcProxy } from "../../helpers/rpc-proxy.js";

const ENTRY = fileURLToPath(new URL("../../../src/index.ts", import.meta.url));
/** twox128("Timestamp") ‖ twox128("Now"): what `api.query.timestamp.now()` reads. */
const TIMESTAMP_NOW = "0xf0c365c3cf59d671eb72da0e7a4113c49f1f0515f462cdcf84e0f1d6045dfcbb";
const REGISTRATION_COST = "SubnetRegistrationRuntimeApi_get_network_registration_cost";

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe("chain failures at the CLI: one line, exit 2", { timeout: 120_000 }, () => {
  let node: DevnetNode;
  let home: string;
  let answer: (request: ProxiedRequest) => Interception | undefined = () => undefined;
  let proxy: RpcProxy;

  before(async () => {
    node = await DevnetNode.start({ port: 0, blockTime: { mode: "instant" }, log: silentLog });
    proxy = await startRpcProxy(node.endpoint.wsUrl, { intercept: (request) => answer(request) });
    home = await mkdtemp(join(tmpdir(), "tensornode-cli-failures-"));
  });
  after(async () => {
    await proxy?.close();
    await node?.stop();
    await rm(home, { recursive: true, force: true });
  });

  const tensornode = (args: readonly string[], env: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", ENTRY, ...args, "--chain", proxy.url], { env: { ...process.env, TENSORNODE_HOME: home, TENSORNODE_LOG_LEVEL: "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.once("error", reject);
      child.once("exit", (code) => resolve({ code, stdout, stderr }));
    });
  const whenCalled = (method: string, interception: Interception) => (request: ProxiedRequest) => (request.method === "state_call" && request.params[0] === method ? interception : undefined);

  it("says a JSON-RPC error answer in one line, without a stack or @polkadot/api's console line", async () => {
    answer = whenCalled(REGISTRATION_COST, { error: { code: 4003, message: "Client error: Execution failed: the runtime panicked" } });
    const run = await tensornode(["subnet", "burn-cost"]);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, "error: the chain answered with an error: 4003: Client error: Execution failed: the runtime panicked\n");
  });

  it("shows the stack and the library's own line with TENSORNODE_LOG_LEVEL=debug", async () => {
    answer = whenCalled(REGISTRATION_COST, { error: { code: 4003, message: "Client error: Execution failed: the runtime panicked" } });
    const run = await tensornode(["subnet", "burn-cost"], { TENSORNODE_LOG_LEVEL: "debug" });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^error: the chain answered with an error: 4003: /m);
    assert.match(run.stderr, /^ {4}at /m, "the stack");
    assert.match(run.stderr, /RPC-CORE: /, "@polkadot/api's own console line");
  });

  it("says a connection dropped mid-command in one line", async () => {
    answer = whenCalled(REGISTRATION_COST, "disconnect");
    const run = await tensornode(["subnet", "burn-cost"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^error: the connection to the chain was lost: disconnected from ws:\/\/127\.0\.0\.1:\d+: 1006:: Abnormal Closure\n$/);
  });

  it("says an answer its metadata cannot decode in one line", async () => {
    answer = (request) => (request.method === "state_call" && request.params[0] === "SubnetInfoRuntimeApi_get_metagraph" ? { result: "0x0104ffffffff" } : undefined);
    const run = await tensornode(["metagraph", "--netuid", "1"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^error: the chain's answer does not decode with its own metadata as Option<PalletSubtensorRpcInfoMetagraph>: it ended early \(6 bytes, 70 needed\)\n$/);
  });

  it("doctor: a read that fails is its own check's failure; the other checks still run", async () => {
    // @polkadot/api reads one value with state_getStorage or state_queryStorageAt (a list of keys).
    const readsNow = (request: ProxiedRequest): boolean => request.method.startsWith("state_") && JSON.stringify(request.params).includes(TIMESTAMP_NOW);
    answer = (request) => (readsNow(request) ? { error: { code: 4003, message: "Client error: the state is gone" } } : undefined);
    const run = await tensornode(["doctor", "--json"]);
    assert.equal(run.code, 2);
    const checks = (JSON.parse(run.stdout) as { checks: { check: string; status: string; detail: string }[] }).checks;
    const byName = new Map(checks.map((c) => [c.check, c]));
    assert.equal(byName.get("chain")?.status, "ok");
    assert.deepEqual(byName.get("clock"), { check: "clock", status: "fail", detail: "the chain answered with an error: 4003: Client error: the state is gone" });
    assert.deepEqual(
      checks.map((c) => c.check),
      ["coldkey", "hotkey", "chain", "clock"],
      "no wallet in this home: the wallet checks fail on their own too",
    );
    assert.equal(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
  });
});
