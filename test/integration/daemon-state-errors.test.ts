/**
 * Every state error of a daemon is one line and exit 2, as the README promises: a wallet or
 * hotkey that is not there, a hotkey not registered, an unreachable chain, a port in use, a data
 * dir another process holds, state kept for another hotkey — through the CLI, in process.
 */
import "../../src/util/polyfill.js";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Keyring } from "@polkadot/api";
import { connectChain, type ChainConnection } from "../../src/chain/connection.js";
import { SubtensorOperations } from "../../src/chain/operations.js";
import { DevnetNode } from "../../src/devnet/node.js";
import { lockDataDir } from "../../src/db/data-dir-lock.js";
import { ValidatorState } from "../../src/validator/state.js";
import { WalletStore } from "../../src/wallet/wallet.js";
import { runCliCaptured, type CliRun } from "../helpers/cli.js";
import { startProcess } from "../helpers/process.js";
import { silentLog } from "../helpers/devnet.js";

/** One line, `error: …`, exit 2, no stack. */
function assertOneLine(run: CliRun, pattern: RegExp): void {
  assert.equal(run.code, 2, `exit ${run.code}: ${run.stderr}`);
  assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
  assert.match(run.stderr, /^error: /);
  assert.doesNotMatch(run.stderr, /\n\s+at /);
  assert.match(run.stderr, pattern);
}

function listen(host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => resolve(server));
  });
}
const portOf = (server: Server): number => (server.address() as { port: number }).port;

describe("a daemon's state errors: one line, exit 2", { timeout: 120_000 }, () => {
  const home = mkdtempSync(join(tmpdir(), "tn-daemon-errors-"));
  const env = { TENSORNODE_HOME: home, BT_WALLET_PATH: join(home, "none") };
  let devnet: DevnetNode;
  let chain: ChainConnection;
  let netuid: number;
  let genesisHash: string;
  const addresses: Record<string, string> = {};
  const servers: Server[] = [];
  const common = (): string[] => ["--netuid", String(netuid), "--wallet", "ops", "--chain", devnet.endpoint.wsUrl, "--log-level", "silent"];

  before(async () => {
    devnet = await DevnetNode.start({ port: 0, blockTime: { mode: "instant" }, log: silentLog });
    chain = await connectChain(devnet.endpoint.wsUrl);
    genesisHash = chain.api.genesisHash.toHex();
    const ops = new SubtensorOperations(chain);
    const alice = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//Alice");
    const wallets = new WalletStore([join(home, "wallets")]);
    for (const name of ["owner", "m1", "m2", "v1", "v2", "unregistered"]) addresses[name] = (await wallets.createHotkey("ops", name)).address;
    ({ netuid } = await ops.registerNetwork(alice, addresses.owner!));
    await ops.startSubnet(alice, netuid);
    for (const name of ["m1", "m2", "v1", "v2"]) await ops.registerNeuron(alice, netuid, addresses[name]!);
  });

  after(async () => {
    for (const server of servers) server.close();
    await chain?.close();
    await devnet?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("miner: a hotkey the wallet does not have", async () => {
    assertOneLine(await runCliCaptured(["miner", ...common(), "--subnet", "tiny", "--hotkey", "nosuch"], { env }), /nosuch/);
  });

  it("miner: a hotkey not registered, with --exit-if-unregistered (the hint names `tensornode register`)", async () => {
    assertOneLine(await runCliCaptured(["miner", ...common(), "--subnet", "tiny", "--hotkey", "unregistered", "--exit-if-unregistered"], { env }), /not registered on subnet .*tensornode register/);
  });

  it("miner and validator: a chain that cannot be reached", async () => {
    const closed = await listen("127.0.0.1");
    const port = portOf(closed);
    await new Promise((resolve) => closed.close(resolve));
    const args = ["--netuid", "1", "--wallet", "ops", "--chain", `ws://127.0.0.1:${port}`, "--log-level", "silent"];
    assertOneLine(await runCliCaptured(["miner", ...args, "--subnet", "tiny", "--hotkey", "m1"], { env }), /127\.0\.0\.1/);
    assertOneLine(await runCliCaptured(["validator", ...args, "--hotkey", "v1"], { env }), /127\.0\.0\.1/);
    // As a process: it exits (its inference workers, started before the chain is reached, are stopped too).
    const miner = startProcess(["miner", ...args, "--subnet", "tiny", "--hotkey", "m1"], env);
    assert.equal(await miner.exited, 2, miner.stderr());
    assert.equal(miner.stderr().trim().split("\n").length, 1, miner.stderr());
  });

  it("miner: its port in use", async () => {
    const taken = await listen("127.0.0.2");
    servers.push(taken);
    assertOneLine(await runCliCaptured(["miner", ...common(), "--subnet", "tiny", "--hotkey", "m1", "--host", "127.0.0.2", "--port", String(portOf(taken)), "--data-dir", join(home, "m-port")], { env }), /cannot listen on/);
  });

  it("miner: its metrics port in use", async () => {
    const taken = await listen("127.0.0.1");
    servers.push(taken);
    assertOneLine(await runCliCaptured(["miner", ...common(), "--subnet", "tiny", "--hotkey", "m1", "--host", "127.0.0.2", "--port", "0", "--metrics-port", String(portOf(taken)), "--data-dir", join(home, "m-metrics")], { env }), /in use/);
  });

  it("miner: its data dir held by another process (the hotkey's data-dir lock is taken)", async () => {
    const dataDir = join(home, "m-locked");
    // The lock the miner daemon takes for this hotkey: <data dir>/<hotkey name>/lock.
    const held = await lockDataDir(join(dataDir, "m2", "lock"));
    try {
      assertOneLine(await runCliCaptured(["miner", ...common(), "--subnet", "tiny", "--hotkey", "m2", "--host", "127.0.0.2", "--port", "0", "--data-dir", dataDir], { env }), /another process is using this data dir.*--data-dir/);
    } finally {
      await held.release();
    }
  });

  it("validator: its data dir held by another process", async () => {
    const dataDir = join(home, "v-locked");
    const held = await ValidatorState.open(join(dataDir, "state"), { hotkey: addresses.v1!, netuid, genesisHash }, { alpha: 0.1, receiptsPerUid: 8, maxReceiptBodyBytes: 1024 });
    try {
      assertOneLine(await runCliCaptured(["validator", ...common(), "--hotkey", "v1", "--host", "127.0.0.1", "--data-dir", dataDir], { env }), /another process is using this data dir.*--data-dir/);
    } finally {
      await held.close();
    }
  });

  it("validator: a data dir that holds another hotkey's state", async () => {
    const dataDir = join(home, "v-other");
    await (await ValidatorState.open(join(dataDir, "state"), { hotkey: addresses.v2!, netuid, genesisHash }, { alpha: 0.1, receiptsPerUid: 8, maxReceiptBodyBytes: 1024 })).close();
    assertOneLine(await runCliCaptured(["validator", ...common(), "--hotkey", "v1", "--host", "127.0.0.1", "--data-dir", dataDir], { env }), /holds the state of hotkey .*--data-dir/);
  });
});
