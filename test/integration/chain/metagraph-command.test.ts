import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import { Keyring } from "@polkadot/api";
import { runCliCaptured } from "../../helpers/cli.js";
import { sendAndFinalize, startDevnet, subtensorCalls, type TestDevnet } from "../../helpers/devnet.js";

describe("tensornode metagraph", { timeout: 60_000 }, () => {
  let net: TestDevnet;
  const keyring = new Keyring({ type: "sr25519" });
  const owner = keyring.addFromUri("//Alice//cli-owner");
  const miner = keyring.addFromUri("//Bob//cli-miner");
  const { tx } = subtensorCalls(() => net);

  before(async () => {
    net = await startDevnet();
    await sendAndFinalize(tx("registerNetwork")(owner.address), net.alice);
    await sendAndFinalize(tx("burnedRegister")(1, miner.address), net.bob);
  });
  after(async () => {
    await net?.close();
  });

  it("prints the subnet's neurons as JSON and as a table", async () => {
    const json = await runCliCaptured(["metagraph", "--netuid", "1", "--chain", net.node.endpoint.wsUrl, "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const metagraph = JSON.parse(json.stdout) as { netuid: number; neurons: { uid: number; hotkey: string; coldkey: string }[] };
    assert.deepEqual(metagraph.neurons.map((n) => [n.uid, n.hotkey, n.coldkey]), [[0, owner.address, net.alice.address], [1, miner.address, net.bob.address]]);
    const table = await runCliCaptured(["metagraph", "--netuid", "1", "--chain", net.node.endpoint.wsUrl]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^subnet 1 at block \d+ \(tempo 10\), owner 5\w+, 2 uids\n/);
    assert.match(table.stdout, /uid .*hotkey .*stake α .*incentive .*axon/);
  });

  it("answers an unknown subnet, a bad endpoint and an unreachable chain in one line, exit 2", async () => {
    const unknown = await runCliCaptured(["metagraph", "--netuid", "9", "--chain", net.node.endpoint.wsUrl]);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, `error: subnet 9 does not exist on ${net.node.endpoint.wsUrl}\n`);
    const bad = await runCliCaptured(["metagraph", "--netuid", "1", "--chain", "http://x"]);
    assert.equal(bad.stderr, 'error: --chain: "http://x" is not a ws:// or wss:// endpoint\n');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const down = await runCliCaptured(["metagraph", "--netuid", "1", "--chain", `ws://127.0.0.1:${port}`]);
    assert.equal(down.code, 2);
    assert.match(down.stderr, /^error: cannot reach the chain at ws:\/\/127\.0\.0\.1:\d+ \(connection refused or closed\); start one with `tensornode devnet`/);
  });
});
