import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiPromise, WsProvider } from "@polkadot/api";
import { u8aToHex } from "@polkadot/util";
import WebSocket from "ws";
import { includeManually, rpcError, startDevnet, type TestDevnet } from "../../helpers/devnet.js";
import { encodeBareExtrinsic } from "../../../src/devnet/runtime/extrinsic.js";

const TAO = 1_000_000_000n;

/** One raw JSON-RPC exchange over a fresh WebSocket. */
function rawWs(url: string, frame: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once("open", () => ws.send(frame));
    ws.once("message", (data) => {
      ws.close();
      resolve(JSON.parse(data.toString()) as Record<string, unknown>);
    });
    ws.once("error", reject);
  });
}

describe("the devnet refuses bad input with Substrate's errors and keeps serving", { timeout: 60_000 }, () => {
  let net: TestDevnet;
  before(async () => {
    net = await startDevnet({ blockTime: { mode: "manual" }, devRpc: true });
  });
  after(async () => {
    await net?.close();
  });

  /** Submits raw extrinsic bytes; returns the RPC error's message. */
  const submitError = async (hex: string): Promise<string> => (await rpcError(net.api.rpc.author.submitExtrinsic(hex))).message;

  it("refuses a transaction whose signature was tampered with (1010 bad signature)", async () => {
    const signed = await net.api.tx.balances.transferKeepAlive(net.bob.address, TAO).signAsync(net.alice);
    const bytes = signed.toU8a();
    bytes[40] = bytes[40]! ^ 0xff; // inside the 64-byte sr25519 signature
    assert.equal(await submitError(u8aToHex(bytes)), "1010: Invalid Transaction: Transaction has a bad signature");
  });

  it("refuses a transaction signed for another chain (wrong genesis hash)", async () => {
    const other = "0x" + "11".repeat(32);
    const { api, alice, bob } = net;
    const nonce = await api.rpc.system.accountNextIndex(alice.address);
    const signed = api.tx.balances.transferKeepAlive(bob.address, TAO).sign(alice, {
      genesisHash: other,
      blockHash: other,
      nonce,
      runtimeVersion: api.runtimeVersion,
      signedExtensions: api.registry.signedExtensions,
    });
    assert.equal(await submitError(signed.toHex()), "1010: Invalid Transaction: Transaction has a bad signature");
  });

  it("refuses a transaction whose nonce was already used (stale) and one far ahead (future)", async () => {
    const { api, alice, bob } = net;
    const nonce = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
    await includeManually(net, api.tx.balances.transferKeepAlive(bob.address, TAO), alice, { nonce });
    const stale = await api.tx.balances.transferKeepAlive(bob.address, TAO).signAsync(alice, { nonce });
    assert.equal(await submitError(stale.toHex()), "1010: Invalid Transaction: Transaction is outdated");
    const farAhead = await api.tx.balances.transferKeepAlive(bob.address, TAO).signAsync(alice, { nonce: nonce + 1000 });
    assert.match(await submitError(farAhead.toHex()), /^1010: Invalid Transaction: Transaction will be valid in the future: nonce \d+ is more than 64 ahead of the next expected/);
  });

  it("refuses a mortal transaction whose era has expired", async () => {
    const { api, alice, bob, node } = net;
    const signed = await api.tx.balances.transferKeepAlive(bob.address, TAO).signAsync(alice, { era: 4 });
    await node.newBlocks(8);
    assert.equal(await submitError(signed.toHex()), "1010: Invalid Transaction: Transaction is outdated: its mortal era has expired");
  });

  it("refuses a transaction its sender cannot pay for (1010 payment)", async () => {
    const { api } = net;
    const { Keyring } = await import("@polkadot/api");
    const pauper = new Keyring({ type: "sr25519" }).addFromUri("//Pauper");
    const signed = await api.tx.balances.transferKeepAlive(net.bob.address, 1n).signAsync(pauper, { nonce: 0 });
    assert.match(await submitError(signed.toHex()), /^1010: Invalid Transaction: Inability to pay some fees/);
  });

  it("refuses an unsigned call (1011) and bytes that are no extrinsic (1001)", async () => {
    const { api } = net;
    const bare = encodeBareExtrinsic(api.tx.timestamp.set(1).method.toU8a());
    assert.equal(await submitError(u8aToHex(bare)), "1011: Unknown Transaction Validity: Could not find an unsigned validator for the unsigned transaction");
    for (const garbage of ["0x0c0102", "0x00", "0x1084ff0000"]) {
      const answer = await rawWs(net.node.endpoint.wsUrl, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "author_submitExtrinsic", params: [garbage] }));
      const error = answer.error as { code: number; message: string };
      assert.equal(error.code, 1001, garbage);
      assert.match(error.message, /^Extrinsic has invalid format: /);
    }
  });

  it("refuses the same transaction twice (1013)", async () => {
    const { api, alice, bob } = net;
    const signed = await api.tx.balances.transferKeepAlive(bob.address, TAO).signAsync(alice);
    await api.rpc.author.submitExtrinsic(signed.toHex());
    assert.equal(await submitError(signed.toHex()), "1013: Transaction Already Imported");
    await net.node.newBlocks(1);
  });

  it("tells a client that lacks subtensor's signed extensions what is wrong (1010, not a misdecode)", async () => {
    const plain = await ApiPromise.create({ provider: new WsProvider(net.node.endpoint.wsUrl), noInitWarn: true, throwOnConnect: true });
    try {
      const signed = await plain.tx.balances.transferKeepAlive(net.bob.address, TAO).signAsync(net.alice);
      const message = (await rpcError(plain.rpc.author.submitExtrinsic(signed.toHex()))).message;
      assert.match(message, /^1010: Invalid Transaction: Transaction has a bad signature: it was signed without subtensor's ChargeTransactionPaymentWrapper extension/);
    } finally {
      await plain.disconnect();
    }
  });

  it("answers unknown methods, malformed JSON, bad params and oversized requests with JSON-RPC errors", async () => {
    const url = net.node.endpoint.wsUrl;
    assert.deepEqual((await rawWs(url, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "chain_noSuchThing", params: [] }))).error, { code: -32601, message: "Method not found" });
    assert.equal(((await rawWs(url, "{not json")).error as { code: number }).code, -32700);
    const badParams = (await rawWs(url, JSON.stringify({ jsonrpc: "2.0", id: 2, method: "state_getStorage", params: ["xyz"] }))).error as { code: number; data: string };
    assert.equal(badParams.code, -32602);
    assert.match(badParams.data, /key: expected a 0x-prefixed hex string/);
    const unknownBlock = (await rawWs(url, JSON.stringify({ jsonrpc: "2.0", id: 3, method: "state_getStorage", params: ["0x00", "0x" + "ab".repeat(32)] }))).error as { code: number };
    assert.equal(unknownBlock.code, 4003);
    const huge = JSON.stringify({ jsonrpc: "2.0", id: 4, method: "author_submitExtrinsic", params: ["0x" + "00".repeat(16 * 1024 * 1024)] });
    assert.equal(((await rawWs(url, huge)).error as { code: number }).code, -32007);
  });

  it("still serves after all of it, and the chain is intact", async () => {
    const { api, alice, bob } = net;
    const before = (await api.query.system.account(bob.address)).data.free.toBigInt();
    await includeManually(net, api.tx.balances.transferKeepAlive(bob.address, TAO), alice);
    assert.equal((await api.query.system.account(bob.address)).data.free.toBigInt(), before + TAO);
  });
});
