/**
 * The miner daemon as users run it: the built binary as a child process on a devnet. It waits for
 * its hotkey's registration, serves its axon on 127.0.0.2, answers tiny-subnet queries exactly,
 * each with a signed answer (found from the chain alone), refuses abuse, reports /metrics and /healthz, and stops
 * cleanly on SIGTERM.
 */
import "../../src/util/polyfill.js";
import "@polkadot/api-augment";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Keyring } from "@polkadot/api";
import { encodeAddress } from "@polkadot/util-crypto";
import { multiaddr } from "@multiformats/multiaddr";
import { connectChain, type ChainConnection } from "../../src/chain/connection.js";
import { loadMetagraph } from "../../src/chain/metagraph.js";
import { SubtensorOperations } from "../../src/chain/operations.js";
import { DevnetNode } from "../../src/devnet/node.js";
import { HotkeyDirectory } from "../../src/p2p/directory.js";
import { discoverFromAxons } from "../../src/p2p/discovery.js";
import { bindingSigningBytes, encodeBinding, signBinding, type HotkeyBinding } from "../../src/p2p/identity.js";
import { IdentityService } from "../../src/p2p/identity-service.js";
import { createP2PNode, type P2PNode } from "../../src/p2p/node.js";
import { loadOrCreatePeerKey } from "../../src/p2p/peer-key.js";
import { QueryClient, QueryError } from "../../src/p2p/query-client.js";
import { checkReceipt } from "../../src/p2p/protocol/signing.js";
import { decodeFrame, encodeFrame, FrameKind, PROTOCOL_VERSION, QUERY_PROTOCOL, REFUSAL_NAMES, type Frame } from "../../src/p2p/protocol/frames.js";
import { encodeTensors } from "../../src/p2p/protocol/tensors.js";
import { lpStream } from "@libp2p/utils";
import { loadPlugin, pluginRoots } from "../../src/subnet/loader.js";
import { prng } from "../../src/util/prng.js";
import { sr25519Ready, sr25519SignerFromSeed, type Sr25519Signer } from "../../src/util/sr25519.js";
import { WalletStore } from "../../src/wallet/wallet.js";
import { silentLog } from "../helpers/devnet.js";
import { startProcess, waitForOutput, type RunningProcess } from "../helpers/process.js";

const TAO = 1_000_000_000n;

describe("the miner daemon on a devnet (tiny subnet)", { timeout: 180_000 }, () => {
  const home = mkdtempSync(join(tmpdir(), "tn-miner-"));
  let devnet: DevnetNode;
  let chain: ChainConnection;
  let ops: SubtensorOperations;
  let miner: RunningProcess;
  let minerHotkey: string;
  let validatorKey: Sr25519Signer;
  let validatorNode: P2PNode;
  let client: QueryClient;
  let netuid: number;
  const directory = new HotkeyDirectory();

  before(async () => {
    await sr25519Ready();
    devnet = await DevnetNode.start({ port: 0, blockTime: { mode: "instant" }, log: silentLog });
    chain = await connectChain(devnet.endpoint.wsUrl);
    ops = new SubtensorOperations(chain);
    const alice = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//Alice");
    validatorKey = sr25519SignerFromSeed(new Uint8Array(32).fill(21));
    ({ netuid } = await ops.registerNetwork(alice, encodeAddress(validatorKey.publicKey, 42)));
    await ops.startSubnet(alice, netuid);
    await ops.addStake(alice, encodeAddress(validatorKey.publicKey, 42), netuid, 100n * TAO);
    const store = new WalletStore([join(home, "wallets")]);
    minerHotkey = (await store.createHotkey("ops", "m1")).address;
  });

  after(async () => {
    await client?.close();
    await validatorNode?.stop();
    await miner?.kill();
    await chain?.close();
    await devnet?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("says in one line that its hotkey is not registered and waits for it; with --exit-if-unregistered it exits 2", async () => {
    const args = ["miner", "--netuid", String(netuid), "--subnet", "tiny", "--wallet", "ops", "--hotkey", "m1", "--host", "127.0.0.2", "--port", "0", "--chain", devnet.endpoint.wsUrl, "--workers", "1", "--metagraph-interval", "1", "--log-level", "warn"];
    const env = { TENSORNODE_HOME: home, BT_WALLET_PATH: join(home, "none") };
    const quitter = startProcess([...args, "--exit-if-unregistered"], env);
    assert.equal(await quitter.exited, 2);
    assert.match(quitter.stderr(), /^error: hotkey "m1" \(\S+\) is not registered on subnet 1; register it with `tensornode register --netuid 1 --hotkey m1`$/m);

    miner = startProcess([...args, "--metrics-port", "0"], env);
    const deadline = Date.now() + 20_000;
    while (!/waiting for its registration/.test(miner.stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.match(miner.stderr(), /is not registered on subnet 1; waiting for its registration/);
    const alice = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//Alice");
    await ops.registerNeuron(alice, netuid, minerHotkey);
    await waitForOutput(miner, /miner \S+ \(uid 1\) serving tiny on subnet 1 at \/ip4\/127\.0\.0\.2\/tcp\/\d+/, 30_000);
  });

  it("publishes its axon on 127.0.0.2 and is found from the chain alone", async () => {
    const deadline = Date.now() + 20_000;
    let axon;
    while (!(axon = await ops.read.axonOf(netuid, minerHotkey)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.equal(axon?.ip, "127.0.0.2");
    const metagraph = (await loadMetagraph(chain.api, netuid))!;
    directory.update(metagraph.neurons, metagraph.block);
    validatorNode = await createP2PNode({ privateKey: await loadOrCreatePeerKey(join(home, "validator-p2p")), listen: ["/ip4/127.0.0.1/tcp/0"], gossip: false, log: silentLog });
    const genesisHash = chain.api.genesisHash.toU8a();
    const identity = new IdentityService({
      libp2p: validatorNode.libp2p,
      genesisHash,
      netuid,
      directory,
      binding: () => signBinding({ peerId: validatorNode.peerId, hotkey: validatorKey.publicKey, netuid, genesisHash, addresses: validatorNode.addresses(), expiresAtMs: BigInt(Date.now() + 60_000) }, validatorKey),
      log: silentLog,
    });
    await identity.start();
    const { found, failed } = await discoverFromAxons({ directory, identity, self: validatorKey.publicKey, log: silentLog });
    assert.deepEqual(failed, []);
    assert.equal(found[0]?.neuron.hotkey, minerHotkey);
    client = new QueryClient({ libp2p: validatorNode.libp2p, hotkey: validatorKey, netuid, genesisHash, log: silentLog });
  });

  it("answers tiny queries exactly, each with a signed receipt; a malformed one is refused as BadRequest", async () => {
    const plugin = await loadPlugin("tiny", { roots: pluginRoots({}) });
    const judge = await (await plugin.loadValidator()).createValidator({ manifest: plugin.manifest, log: silentLog });
    const axon = (await ops.read.axonOf(netuid, minerHotkey))!;
    const target = { peer: multiaddr(`/ip4/${axon.ip}/tcp/${axon.port}`), hotkey: directory.lookup(new Keyring({ type: "sr25519" }).decodeAddress(minerHotkey))!.publicKey };
    const random = prng(99);
    for (let i = 0; i < 20; i++) {
      const challenge = await judge.challenge(random);
      const answer = await client.query(target, challenge.synapse, challenge.body, { timeoutMs: 5_000 });
      assert.ok(judge.score(challenge, answer.body, answer.latencyMs) >= 0.5, `challenge ${i}`);
      assert.equal(checkReceipt(answer.receipt), undefined);
    }
    const bad = new Map([["x", { dtype: "float32" as const, dims: [1, 3], data: new Uint8Array(12) }]]);
    await assert.rejects(client.query(target, "infer", bad), (e: unknown) => e instanceof QueryError && e.refusal === "BadRequest" && /float32 \[batch, 16\]/.test(e.message));
  });

  it("survives abusive clients: a forged HELLO, an unregistered hotkey, a replayed request id and junk are refused, and it keeps answering", async () => {
    const axon = (await ops.read.axonOf(netuid, minerHotkey))!;
    const minerKey = new Keyring({ type: "sr25519" }).decodeAddress(minerHotkey);
    const genesisHash = chain.api.genesisHash.toU8a();
    const attacker = await createP2PNode({ privateKey: await loadOrCreatePeerKey(join(home, "attacker")), listen: ["/ip4/127.0.0.1/tcp/0"], gossip: false, log: silentLog });
    try {
      /** A stream from the attacker's peer that opens with a HELLO carrying `binding`. */
      const open = async (binding: HotkeyBinding) => {
        const stream = await attacker.libp2p.dialProtocol(multiaddr(`/ip4/${axon.ip}/tcp/${axon.port}`), QUERY_PROTOCOL);
        const lp = lpStream(stream, { maxDataLength: 1 << 20 });
        await lp.write(encodeFrame({ kind: FrameKind.Hello, requestId: 0, hello: { version: PROTOCOL_VERSION, netuid, genesisHash, miner: minerKey, binding: encodeBinding(binding) } }));
        return { lp, read: async () => decodeFrame((await lp.read({ signal: AbortSignal.timeout(5_000) })).subarray()) };
      };
      const refusal = (frame: Frame): string => {
        assert.equal(frame.kind, FrameKind.Refused, `a refusal, got kind ${frame.kind}`);
        return REFUSAL_NAMES[(frame as { code: number }).code]!;
      };
      /** `hotkey`'s claim on the attacker's peer (the one the Noise handshake authenticates), signed by `signer`. */
      const claimedBy = (signer: Sr25519Signer, hotkey: Uint8Array): HotkeyBinding => {
        const claim = { peerId: attacker.peerId, hotkey, netuid, genesisHash, addresses: [], expiresAtMs: BigInt(Date.now() + 60_000) };
        return { ...claim, signature: signer.sign(bindingSigningBytes(claim)) };
      };
      const stranger = sr25519SignerFromSeed(new Uint8Array(32).fill(77));
      // A forged identity: the validator's hotkey claimed, signed by another key.
      const forged = await open(claimedBy(stranger, validatorKey.publicKey));
      assert.equal(refusal(await forged.read()), "BadSignature");
      await assert.rejects(forged.read(), "the stream is closed after a refused HELLO");
      // An honest binding of a hotkey that is not on the subnet.
      const unregistered = await open(claimedBy(stranger, stranger.publicKey));
      assert.equal(refusal(await unregistered.read()), "NotPermitted");
      // The validator's own binding of this peer: welcomed, then its request ids must keep rising.
      const { lp, read } = await open(claimedBy(validatorKey, validatorKey.publicKey));
      assert.equal((await read()).kind, FrameKind.Welcome);
      const now = BigInt(Date.now());
      const request = encodeFrame({ kind: FrameKind.Request, requestId: 3, timestampMs: now, deadlineMs: now + 5000n, synapse: "infer", body: encodeTensors(new Map()) });
      await lp.write(request);
      assert.equal(refusal(await read()), "BadRequest"); // an empty body is not a tiny input, but it was admitted
      await lp.write(request);
      assert.equal(refusal(await read()), "Replay");
      for (let i = 0; i < 20; i++) await lp.write(new Uint8Array([9, 9, 9])).catch(() => undefined);
      const deadline = Date.now() + 5_000;
      while (attacker.libp2p.getConnections().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(attacker.libp2p.getConnections().length, 0, "the junk sender was cut off");
    } finally {
      await attacker.stop();
    }
    const plugin = await loadPlugin("tiny", { roots: pluginRoots({}) });
    const judge = await (await plugin.loadValidator()).createValidator({ manifest: plugin.manifest, log: silentLog });
    const challenge = await judge.challenge(prng(3));
    const answer = await client.query({ peer: multiaddr(`/ip4/${axon.ip}/tcp/${axon.port}`), hotkey: minerKey }, challenge.synapse, challenge.body);
    assert.ok(judge.score(challenge, answer.body, answer.latencyMs) >= 0.5, "an honest validator is still served");
  });

  it("reports its state on /metrics and /healthz", async () => {
    const [, url] = await waitForOutput(miner, /metrics at (http:\/\/\S+)\/metrics/);
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(((await health.json()) as { hotkeys: { uid: number }[] }).hotkeys.map((h) => h.uid), [1]);
    const text = await (await fetch(`${url}/metrics`)).text();
    assert.match(text, /^tensornode_miner_registered\{hotkey="\S+"\} 1$/m);
    assert.match(text, /^tensornode_miner_requests_total\{hotkey="\S+",outcome="answered"\} 21$/m);
    assert.match(text, /^tensornode_miner_refused_total\{hotkey="\S+",reason="BadSignature"\} 1$/m);
    assert.match(text, /^tensornode_miner_refused_total\{hotkey="\S+",reason="Replay"\} 1$/m);
    // Light on the chain: one new-heads subscription, the blocks it followed, no rate limit met.
    assert.match(text, /^tensornode_chain_rpc_requests_total\{method="chain_subscribeNewHeads?"\} 1$/m);
    assert.match(text, /^tensornode_chain_rpc_requests_total\{method="state_call"\} [1-9]\d*$/m);
    assert.match(text, /^tensornode_chain_blocks_seen_total [1-9]\d*$/m);
    assert.match(text, /^tensornode_chain_rpc_rate_limited_total 0$/m);
  });

  it("serves the OCR subnet too: rendered words read back through a second miner process", async () => {
    const store = new WalletStore([join(home, "wallets")]);
    const ocrHotkey = (await store.createHotkey("ops", "ocr1")).address;
    await ops.registerNeuron(new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//Alice"), netuid, ocrHotkey);
    const ocr = startProcess(
      ["miner", "--netuid", String(netuid), "--subnet", "ocr", "--wallet", "ops", "--hotkey", "ocr1", "--host", "127.0.0.3", "--port", "0", "--chain", devnet.endpoint.wsUrl, "--workers", "1", "--metagraph-interval", "1", "--log-level", "warn"],
      { TENSORNODE_HOME: home, BT_WALLET_PATH: join(home, "none") },
    );
    try {
      const [, port] = await waitForOutput(ocr, /serving ocr on subnet 1 at \/ip4\/127\.0\.0\.3\/tcp\/(\d+)/, 30_000);
      const plugin = await loadPlugin("ocr", { roots: pluginRoots({}) });
      const judge = await (await plugin.loadValidator()).createValidator({ manifest: plugin.manifest, log: silentLog });
      const metagraph = (await loadMetagraph(chain.api, netuid))!;
      directory.update(metagraph.neurons, metagraph.block);
      const target = { peer: multiaddr(`/ip4/127.0.0.3/tcp/${port}`), hotkey: new Keyring({ type: "sr25519" }).decodeAddress(ocrHotkey) };
      const random = prng(5);
      let exact = 0;
      for (let i = 0; i < 5; i++) {
        const challenge = await judge.challenge(random);
        const answer = await client.query(target, challenge.synapse, challenge.body, { timeoutMs: 10_000 });
        assert.equal(checkReceipt(answer.receipt), undefined);
        if (judge.score(challenge, answer.body, 0) === 1) exact += 1;
      }
      assert.ok(exact >= 4, `${exact} of 5 read exactly`);
    } finally {
      assert.equal(await ocr.stop(10_000), 0);
    }
  });

  it("serves several hotkeys from one process, each on its own port with its own axon", async () => {
    const store = new WalletStore([join(home, "wallets")]);
    const alice = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//Alice");
    const addresses: string[] = [];
    for (const name of ["multi1", "multi2"]) {
      const address = (await store.createHotkey("ops", name)).address;
      await ops.registerNeuron(alice, netuid, address);
      addresses.push(address);
    }
    const multi = startProcess(
      ["miner", "--netuid", String(netuid), "--subnet", "tiny", "--wallet", "ops", "--hotkey", "multi1,multi2", "--host", "127.0.0.4", "--port", "0", "--chain", devnet.endpoint.wsUrl, "--workers", "1", "--metagraph-interval", "1", "--log-level", "warn"],
      { TENSORNODE_HOME: home, BT_WALLET_PATH: join(home, "none") },
    );
    try {
      for (const address of addresses) await waitForOutput(multi, new RegExp(`miner ${address} \\(uid \\d+\\) serving tiny on subnet 1 at /ip4/127\\.0\\.0\\.4/tcp/\\d+`), 30_000);
      const deadline = Date.now() + 20_000;
      const axons = async () => Promise.all(addresses.map((a) => ops.read.axonOf(netuid, a)));
      let served = await axons();
      while (served.some((a) => !a) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        served = await axons();
      }
      assert.deepEqual(served.map((a) => a?.ip), ["127.0.0.4", "127.0.0.4"]);
      assert.notEqual(served[0]!.port, served[1]!.port);
    } finally {
      assert.equal(await multi.stop(10_000), 0);
    }
  });

  it("refuses to start with a broken plugin, naming the file and the problem", async () => {
    const broken = join(home, "broken-plugin");
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, "manifest.json"), JSON.stringify({ name: "broken", version: "1.0.0", description: "x", synapses: { s: { description: "x", timeoutMs: 100 } }, models: { m: { file: "models/none.onnx", description: "x", licence: "x" } }, miner: "./miner", validator: "./validator" }));
    const run = startProcess(["miner", "--netuid", "1", "--subnet", broken, "--wallet", "ops", "--hotkey", "m1", "--chain", devnet.endpoint.wsUrl], { TENSORNODE_HOME: home, BT_WALLET_PATH: join(home, "none") });
    assert.equal(await run.exited, 2);
    assert.match(run.stderr(), /^error: \S+broken-plugin\/manifest\.json: models\.m: the model file \S+none\.onnx is missing$/m);
  });

  it("stops cleanly on SIGTERM", async () => {
    assert.equal(await miner.stop(10_000), 0);
    assert.doesNotMatch(miner.stderr(), /"level":(50|60)/);
  });
});
