/**
 * The new JSON-RPC spec (paritytech/json-rpc-interface-spec) on the wire: chainHead_v1 follow
 * events, pinning and operations with the spec's limits and error codes, chainSpec_v1,
 * transaction_v1 and transactionWatch_v1, plus `:code` and TaggedTransactionQueue.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Keyring } from "@polkadot/keyring";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { TransactionValidity } from "@polkadot/types/interfaces";
import { blake2AsHex } from "@polkadot/util-crypto";
import { u8aToHex } from "@polkadot/util";
import { DEFAULT_GENESIS_JSON, parseGenesis } from "../../../src/devnet/genesis.js";
import { JsonRpcCallError, JsonRpcWs } from "../../helpers/json-rpc-ws.js";
import { includeManually, startDevnet, type TestDevnet } from "../../helpers/devnet.js";

const TAO = 1_000_000_000n;
/** More accounts than one page of chainHead_v1_storage answers (100), so that listing them takes continue calls. */
const EXTRA_ACCOUNTS = 250;
const SYSTEM_ACCOUNT_PREFIX = "0x26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9";
const CORE_API = "0xdf6acb689907609b";
const TAGGED_TRANSACTION_QUEUE_API = "0xd2bc9897eed08f15";

const NEW_SPEC_METHODS = [
  "chainHead_v1_body", "chainHead_v1_call", "chainHead_v1_continue", "chainHead_v1_follow", "chainHead_v1_header", "chainHead_v1_stopOperation",
  "chainHead_v1_storage", "chainHead_v1_unfollow", "chainHead_v1_unpin", "chainSpec_v1_chainName", "chainSpec_v1_genesisHash", "chainSpec_v1_properties",
  "transactionWatch_v1_submitAndWatch", "transactionWatch_v1_unwatch", "transaction_v1_broadcast", "transaction_v1_stop",
];

function manyAccountsGenesis() {
  const balances: [string, string][] = [...DEFAULT_GENESIS_JSON.balances] as [string, string][];
  for (let i = 0; i < EXTRA_ACCOUNTS; i++) balances.push([u8aToHex(Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j * 7 + 1) & 0xff)), "1000000000"]);
  return parseGenesis({ ...DEFAULT_GENESIS_JSON, balances }, "test genesis with many accounts");
}

describe("the devnet serves the new JSON-RPC spec", { timeout: 120_000 }, () => {
  let net: TestDevnet;
  let rpc: JsonRpcWs;
  before(async () => {
    net = await startDevnet({ blockTime: { mode: "manual" }, devRpc: true, genesis: manyAccountsGenesis() });
    rpc = await JsonRpcWs.connect(net.node.endpoint.wsUrl);
  });
  after(async () => {
    await rpc?.close();
    await net?.close();
  });

  const follow = async (withRuntime = true): Promise<string> => {
    const id = await rpc.request<string>("chainHead_v1_follow", [withRuntime]);
    await rpc.waitForEvent(id, "initialized", (e) => e.event === "initialized");
    return id;
  };
  const newBlock = async (): Promise<string> => rpc.request<string>("dev_newBlock", [{ count: 1 }]);
  const operationEvents = (sub: string, operationId: string) => rpc.eventsOf(sub).filter((e) => e.operationId === operationId);
  const operationEnd = (sub: string, operationId: string, what: string) =>
    rpc.waitForEvent(sub, what, (e) => e.operationId === operationId && ["operationBodyDone", "operationCallDone", "operationStorageDone", "operationError", "operationInaccessible", "operationWaitingForContinue"].includes(e.event as string));

  it("lists every method of the new spec's groups in rpc_methods", async () => {
    const { methods } = await rpc.request<{ methods: string[] }>("rpc_methods");
    for (const name of NEW_SPEC_METHODS) assert.ok(methods.includes(name), `rpc_methods lacks ${name}`);
  });

  it("answers chainSpec_v1_* as the legacy system_chain, genesis hash and properties", async () => {
    assert.equal(await rpc.request("chainSpec_v1_chainName"), await rpc.request("system_chain"));
    assert.equal(await rpc.request("chainSpec_v1_genesisHash"), await rpc.request("chain_getBlockHash", [0]));
    assert.deepEqual(await rpc.request("chainSpec_v1_properties"), await rpc.request("system_properties"));
  });

  it("follows: initialized with the finalized block and the runtime, then newBlock, bestBlockChanged and — by itself — finalized", async () => {
    const sub = await rpc.request<string>("chainHead_v1_follow", [true]);
    const initialized = await rpc.waitForEvent(sub, "initialized", (e) => e.event === "initialized");
    const finalizedHashes = initialized.finalizedBlockHashes as string[];
    assert.equal(finalizedHashes.at(-1), await rpc.request("chain_getFinalizedHead"));
    const runtime = initialized.finalizedBlockRuntime as { type: string; spec: { specName: string; specVersion: number; apis: Record<string, number> } };
    assert.equal(runtime.type, "valid");
    assert.equal(runtime.spec.specName, "node-subtensor");
    assert.equal(runtime.spec.apis[CORE_API], 5);
    assert.equal(runtime.spec.apis[TAGGED_TRANSACTION_QUEUE_API], 3);
    assert.equal(rpc.eventsOf(sub)[1]?.event, "bestBlockChanged");

    const parent = await rpc.request<string>("chain_getBlockHash");
    const hash = await newBlock();
    const announced = await rpc.waitForEvent(sub, "newBlock", (e) => e.event === "newBlock" && e.blockHash === hash);
    assert.equal(announced.parentBlockHash, parent);
    assert.equal(announced.newRuntime, null);
    await rpc.waitForEvent(sub, "bestBlockChanged to the new block", (e) => e.event === "bestBlockChanged" && e.bestBlockHash === hash);
    // No further block is made: finality must come by itself.
    const finalized = await rpc.waitForEvent(sub, "finalized", (e) => e.event === "finalized" && (e.finalizedBlockHashes as string[]).includes(hash));
    assert.deepEqual(finalized.prunedBlockHashes, []);
    assert.equal(await rpc.request("chain_getFinalizedHead"), hash);
    const order = rpc.eventsOf(sub).map((e) => e.event);
    assert.ok(order.indexOf("newBlock") < order.lastIndexOf("finalized"), `finalized came before newBlock: ${order.join(", ")}`);
    assert.equal(await rpc.request("chainHead_v1_unfollow", [sub]), null);
  });

  it("without runtime updates: no runtime in the events, and chainHead_v1_call is refused (-32802)", async () => {
    const sub = await follow(false);
    const initialized = rpc.eventsOf(sub)[0]!;
    assert.equal("finalizedBlockRuntime" in initialized, false);
    const head = await rpc.request<string>("chain_getFinalizedHead");
    assert.equal((await rpc.requestError("chainHead_v1_call", [sub, head, "Core_version", "0x"])).code, -32802);
    const hash = await newBlock();
    const announced = await rpc.waitForEvent(sub, "newBlock", (e) => e.event === "newBlock" && e.blockHash === hash);
    assert.equal("newRuntime" in announced, false);
    await rpc.request("chainHead_v1_unfollow", [sub]);
  });

  it("serves header, body and call of a pinned block, each answer on the subscription after the method's reply", async () => {
    const sub = await follow();
    await net.api.tx.balances.transferKeepAlive(net.bob.address, TAO).signAndSend(net.alice);
    await rpc.waitFor("the transfer in the pool", () => (net.node.pool.size > 0 ? true : undefined));
    const hash = await newBlock();
    await rpc.waitForEvent(sub, "newBlock", (e) => e.event === "newBlock" && e.blockHash === hash);

    const header = net.api.registry.createType("Header", await rpc.request<string>("chainHead_v1_header", [sub, hash]));
    assert.equal(header.hash.toHex(), hash);

    const body = await rpc.request<{ result: string; operationId: string }>("chainHead_v1_body", [sub, hash]);
    assert.equal(body.result, "started");
    const done = await operationEnd(sub, body.operationId, "operationBodyDone");
    const legacy = (await rpc.request<{ block: { extrinsics: string[] } }>("chain_getBlock", [hash])).block.extrinsics;
    assert.deepEqual(done, { event: "operationBodyDone", operationId: body.operationId, value: legacy });
    assert.equal(legacy.length, 2, "the timestamp inherent and the transfer");

    const call = await rpc.request<{ operationId: string }>("chainHead_v1_call", [sub, hash, "Core_version", "0x"]);
    const output = await operationEnd(sub, call.operationId, "operationCallDone");
    assert.equal(output.output, await rpc.request("state_call", ["Core_version", "0x", hash]));

    const missing = await rpc.request<{ operationId: string }>("chainHead_v1_call", [sub, hash, "NoSuchApi_nothing", "0x"]);
    const failed = await operationEnd(sub, missing.operationId, "operationError");
    assert.equal(failed.event, "operationError");
    assert.match(failed.error as string, /NoSuchApi_nothing/);
    await rpc.request("chainHead_v1_unfollow", [sub]);
  });

  it("answers storage items of every type, and pages descendants: waitingForContinue after each 100, continue for the next", async () => {
    const sub = await follow();
    const hash = (rpc.eventsOf(sub)[0]!.finalizedBlockHashes as string[]).at(-1)!;
    const aliceKey = net.api.query.system.account.key(net.alice.address);
    const codeKey = "0x3a636f6465";
    const started = await rpc.request<{ operationId: string; discardedItems: number }>("chainHead_v1_storage", [
      sub,
      hash,
      [
        { key: aliceKey, type: "value" },
        { key: aliceKey, type: "hash" },
        { key: codeKey, type: "value" },
        { key: "0x00ff00ff", type: "value" },
        { key: SYSTEM_ACCOUNT_PREFIX, type: "closestDescendantMerkleValue" },
      ],
      null,
    ]);
    assert.equal(started.discardedItems, 0);
    await operationEnd(sub, started.operationId, "operationStorageDone");
    const items = operationEvents(sub, started.operationId).flatMap((e) => (e.items as Record<string, string>[] | undefined) ?? []);
    const aliceValue = await rpc.request<string>("state_getStorage", [aliceKey, hash]);
    assert.deepEqual(items.slice(0, 3), [
      { key: aliceKey, value: aliceValue },
      { key: aliceKey, hash: blake2AsHex(aliceValue, 256) },
      { key: codeKey, value: await rpc.request("state_getStorage", [codeKey, hash]) },
    ]);
    assert.equal(items[3]?.key, SYSTEM_ACCOUNT_PREFIX, "an absent key yields nothing; the Merkle-value item comes next");
    assert.match(items[3]!.closestDescendantMerkleValue!, /^0x[0-9a-f]{64}$/);

    const listing = await rpc.request<{ operationId: string }>("chainHead_v1_storage", [sub, hash, [{ key: SYSTEM_ACCOUNT_PREFIX, type: "descendantsValues" }], null]);
    const pauses = () => operationEvents(sub, listing.operationId).filter((e) => e.event !== "operationStorageItems");
    for (let page = 1; ; page++) {
      const end = await rpc.waitFor(`the end of page ${page}`, () => pauses()[page - 1]);
      if (end.event === "operationStorageDone") break;
      assert.equal(end.event, "operationWaitingForContinue");
      assert.equal(await rpc.request("chainHead_v1_continue", [sub, listing.operationId]), null);
    }
    const pages = operationEvents(sub, listing.operationId).filter((e) => e.event === "operationStorageItems").map((e) => (e.items as { key: string }[]).map((item) => item.key));
    const legacyKeys = await rpc.request<string[]>("state_getKeysPaged", [SYSTEM_ACCOUNT_PREFIX, 1000, null, hash]);
    assert.deepEqual(pages.flat(), legacyKeys);
    assert.ok(legacyKeys.length > EXTRA_ACCOUNTS, `${legacyKeys.length} accounts`);
    assert.deepEqual(pages.map((page) => page.length), [100, 100, legacyKeys.length - 200]);
    assert.equal(await rpc.request("chainHead_v1_continue", [sub, "no-such-operation"]), null, "an unknown operation is ignored");
    await rpc.request("chainHead_v1_unfollow", [sub]);
  });

  it("keeps to 16 operation slots per subscription: extra storage items are discarded, then limitReached", async () => {
    const sub = await follow();
    const hash = (rpc.eventsOf(sub)[0]!.finalizedBlockHashes as string[]).at(-1)!;
    const paused = await rpc.request<{ operationId: string; discardedItems: number }>("chainHead_v1_storage", [
      sub,
      hash,
      Array.from({ length: 20 }, () => ({ key: SYSTEM_ACCOUNT_PREFIX, type: "descendantsHashes" })),
      null,
    ]);
    assert.equal(paused.discardedItems, 4);
    await rpc.waitForEvent(sub, "waiting for continue", (e) => e.operationId === paused.operationId && e.event === "operationWaitingForContinue");
    assert.deepEqual(await rpc.request("chainHead_v1_body", [sub, hash]), { result: "limitReached" });
    assert.equal(await rpc.request("chainHead_v1_stopOperation", [sub, paused.operationId]), null);
    const body = await rpc.request<{ result: string; operationId: string }>("chainHead_v1_body", [sub, hash]);
    assert.equal(body.result, "started", "stopping the operation freed its slots");
    const count = operationEvents(sub, paused.operationId).length;
    assert.equal(await rpc.request("chainHead_v1_continue", [sub, paused.operationId]), null, "continuing a stopped operation does nothing");
    await operationEnd(sub, body.operationId, "the body");
    assert.equal(operationEvents(sub, paused.operationId).length, count, "a stopped operation sends nothing more");
    assert.deepEqual(await rpc.request("chainHead_v1_storage", ["not-a-subscription", hash, [], null]), { result: "limitReached" });
    await rpc.request("chainHead_v1_unfollow", [sub]);
  });

  it("answers continue on an operation that is not waiting with -32803", async () => {
    const sub = await follow();
    const hash = (rpc.eventsOf(sub)[0]!.finalizedBlockHashes as string[]).at(-1)!;
    const first = await rpc.request<{ operationId: string }>("chainHead_v1_body", [sub, hash]);
    await operationEnd(sub, first.operationId, "the first body");
    // In one batch the body operation exists, not yet done and never waiting, when continue names it
    // (operation ids count up per subscription, so the test knows the next one).
    const next = String(Number(first.operationId) + 1);
    const [body, resumed] = await rpc.batch([
      { method: "chainHead_v1_body", params: [sub, hash] },
      { method: "chainHead_v1_continue", params: [sub, next] },
    ]);
    assert.deepEqual(body, { status: "fulfilled", value: { result: "started", operationId: next } });
    assert.equal(resumed!.status, "rejected");
    assert.equal(((resumed as PromiseRejectedResult).reason as JsonRpcCallError).error.code, -32803);
    await rpc.request("chainHead_v1_unfollow", [sub]);
  });

  it("pins what it reports until unpinned: -32801 for an unpinned block, -32804 for duplicates, unknown subscriptions ignored", async () => {
    const sub = await follow();
    const hash = await newBlock();
    await rpc.waitForEvent(sub, "newBlock", (e) => e.event === "newBlock" && e.blockHash === hash);
    assert.equal((await rpc.requestError("chainHead_v1_unpin", [sub, [hash, hash]])).code, -32804);
    assert.equal(await rpc.request("chainHead_v1_unpin", [sub, hash]), null);
    assert.equal((await rpc.requestError("chainHead_v1_header", [sub, hash])).code, -32801);
    assert.equal((await rpc.requestError("chainHead_v1_unpin", [sub, hash])).code, -32801);
    assert.equal(await rpc.request("chainHead_v1_unpin", ["not-a-subscription", hash]), null);
    assert.equal((await rpc.requestError("chainHead_v1_header", [sub, "0x1234"])).code, -32602);
    await rpc.request("chainHead_v1_unfollow", [sub]);
    assert.equal(await rpc.request("chainHead_v1_header", [sub, hash]), null, "an unfollowed subscription is stale");
  });

  it("allows 4 follow subscriptions per connection, the 5th is refused (-32800)", async () => {
    const other = await JsonRpcWs.connect(net.node.endpoint.wsUrl);
    try {
      const subs = await Promise.all([1, 2, 3, 4].map(() => other.request<string>("chainHead_v1_follow", [false])));
      assert.equal((await other.requestError("chainHead_v1_follow", [false])).code, -32800);
      await other.request("chainHead_v1_unfollow", [subs[0]]);
      assert.equal(typeof (await other.request("chainHead_v1_follow", [false])), "string", "room again after an unfollow");
    } finally {
      await other.close();
    }
  });

  it("watches a transaction: validated, bestChainBlockIncluded, then finalized, with its index in the block", async () => {
    const signed = await net.api.tx.balances.transferKeepAlive(net.charlie.address, TAO).signAsync(net.alice);
    const sub = await rpc.request<string>("transactionWatch_v1_submitAndWatch", [signed.toHex()]);
    await rpc.waitForEvent(sub, "validated", (e) => e.event === "validated");
    const hash = await newBlock();
    const included = await rpc.waitForEvent(sub, "bestChainBlockIncluded", (e) => e.event === "bestChainBlockIncluded");
    assert.deepEqual(included.block, { hash, index: 1 });
    const finalized = await rpc.waitForEvent(sub, "finalized", (e) => e.event === "finalized");
    assert.deepEqual(finalized.block, { hash, index: 1 });
    assert.deepEqual(rpc.eventsOf(sub).map((e) => e.event), ["validated", "bestChainBlockIncluded", "finalized"]);
    assert.ok((await rpc.requestError("transactionWatch_v1_unwatch", [sub])).code < 0, "a finished watch is gone");
  });

  it("reports refused bytes as an invalid event, not a JSON-RPC error; bad hex is -32602", async () => {
    const sub = await rpc.request<string>("transactionWatch_v1_submitAndWatch", ["0x00"]);
    const invalid = await rpc.waitForEvent(sub, "invalid", (e) => e.event === "invalid");
    assert.match(invalid.error as string, /invalid format/i);
    assert.equal((await rpc.requestError("transactionWatch_v1_submitAndWatch", ["not hex"])).code, -32602);
  });

  it("broadcasts: the transaction lands; stop ends the operation; an invalid one is silent but holds a slot (16 per connection)", async () => {
    const other = await JsonRpcWs.connect(net.node.endpoint.wsUrl);
    try {
      const signed = await net.api.tx.balances.transferKeepAlive(net.charlie.address, TAO).signAsync(net.bob);
      const operation = await other.request<string>("transaction_v1_broadcast", [signed.toHex()]);
      assert.equal(typeof operation, "string");
      await other.waitFor("the broadcast transaction in the pool", () => (net.node.pool.has(signed.hash.toHex()) ? true : undefined));
      assert.equal(await other.request("transaction_v1_stop", [operation]), null);
      assert.ok((await other.requestError("transaction_v1_stop", [operation])).code < 0, "a stopped broadcast is unknown");
      const invalid = await Promise.all(Array.from({ length: 16 }, () => other.request<string | null>("transaction_v1_broadcast", ["0x00"])));
      assert.ok(invalid.every((id) => typeof id === "string"));
      assert.equal(await other.request("transaction_v1_broadcast", ["0x00"]), null, "the 17th is refused with null");
      await other.request("transaction_v1_stop", [invalid[0]]);
      assert.equal(typeof (await other.request("transaction_v1_broadcast", ["0x00"])), "string");
      await newBlock();
    } finally {
      await other.close();
    }
  });

  it("serves :code: the same bytes at every block, hashed as state_getStorageHash says", async () => {
    const code = await rpc.request<string>("state_getStorage", ["0x3a636f6465"]);
    assert.match(code, /^0x[0-9a-f]{100,}$/);
    const genesis = await rpc.request<string>("chain_getBlockHash", [0]);
    assert.equal(await rpc.request("state_getStorage", ["0x3a636f6465", genesis]), code);
    assert.equal(await rpc.request("state_getStorageHash", ["0x3a636f6465"]), blake2AsHex(code, 256));
    assert.ok((await rpc.request<string[]>("state_getKeysPaged", ["0x3a", 10, null])).includes("0x3a636f6465"));
  });

  it("validates transactions through TaggedTransactionQueue_validate_transaction: priority, tags, longevity, and the pool's refusals", async () => {
    const dave = new Keyring({ type: "sr25519" }).addFromUri("//Dave");
    await includeManually(net, net.api.tx.balances.transferKeepAlive(net.bob.address, TAO), dave);
    const head = await net.api.rpc.chain.getBlockHash();
    // The extrinsic goes as its own SCALE bytes (length-prefixed), which polkadot.js takes from a Uint8Array.
    const validate = async (bytes: Uint8Array) => net.api.call.taggedTransactionQueue!.validateTransaction!("External", bytes, head) as Promise<TransactionValidity>;
    const transfer = (signer: KeyringPair, options: Record<string, unknown>) => net.api.tx.balances.transferKeepAlive(net.bob.address, TAO).signAsync(signer, options).then((tx) => tx.toU8a());
    const nonce = (await net.api.query.system.account.at(head, dave.address)).nonce.toNumber();
    assert.equal(nonce, 1);

    const ok = await validate(await transfer(dave, { nonce, era: 64 }));
    assert.ok(ok.isOk, ok.toString());
    assert.equal(ok.asOk.priority.toNumber(), 1, "HEAD's priority for a Normal call");
    assert.deepEqual(ok.asOk.requires.map((t) => t.toHex()), []);
    assert.deepEqual(ok.asOk.provides.map((t) => t.toHex()), [u8aToHex(new Uint8Array([...dave.publicKey, 1, 0, 0, 0]))]);
    const longevity = ok.asOk.longevity.toNumber();
    assert.ok(longevity > 0 && longevity <= 64, `longevity ${longevity} within the 64-block era`);

    const ahead = await validate(await transfer(dave, { nonce: nonce + 2 }));
    assert.deepEqual(ahead.asOk.requires.map((t) => t.toHex()), [u8aToHex(new Uint8Array([...dave.publicKey, 2, 0, 0, 0]))], "a nonce ahead requires its predecessor");
    assert.equal((await validate(await transfer(dave, { nonce: 0 }))).asErr.asInvalid.type, "Stale");
    const nobody = new Keyring({ type: "sr25519" }).addFromUri("//Nobody");
    assert.equal((await validate(await transfer(nobody, { nonce: 0 }))).asErr.asInvalid.type, "Payment");
  });
});

describe("a follow subscription that keeps blocks pinned past the state the devnet keeps", { timeout: 60_000 }, () => {
  let net: TestDevnet;
  let rpc: JsonRpcWs;
  before(async () => {
    net = await startDevnet({ blockTime: { mode: "manual" }, devRpc: true, stateHistory: 4 });
    rpc = await JsonRpcWs.connect(net.node.endpoint.wsUrl);
  });
  after(async () => {
    await rpc?.close();
    await net?.close();
  });

  it("is stopped (the `stop` event), and its id is stale afterwards", async () => {
    const sub = await rpc.request<string>("chainHead_v1_follow", [true]);
    const initialized = await rpc.waitForEvent(sub, "initialized", (e) => e.event === "initialized");
    const pinned = (initialized.finalizedBlockHashes as string[]).at(-1)!;
    await rpc.request("dev_newBlock", [{ count: 6 }]);
    await rpc.waitForEvent(sub, "stop", (e) => e.event === "stop");
    assert.equal(rpc.eventsOf(sub).at(-1)?.event, "stop", "nothing after stop");
    assert.equal(await rpc.request("chainHead_v1_header", [sub, pinned]), null);
  });

  it("is not stopped while the client unpins what it no longer needs", async () => {
    const sub = await rpc.request<string>("chainHead_v1_follow", [false]);
    await rpc.waitForEvent(sub, "the best block", (e) => e.event === "bestBlockChanged");
    // Everything reported so far: the finalized blocks, and the blocks not final yet (newBlock).
    const reported = rpc.eventsOf(sub).flatMap((e) => (e.event === "initialized" ? (e.finalizedBlockHashes as string[]) : e.event === "newBlock" ? [e.blockHash as string] : []));
    await rpc.request("chainHead_v1_unpin", [sub, reported]);
    for (let i = 0; i < 6; i++) {
      const hash = await rpc.request<string>("dev_newBlock", [{ count: 1 }]);
      await rpc.waitForEvent(sub, `newBlock ${i}`, (e) => e.event === "newBlock" && e.blockHash === hash);
      await rpc.request("chainHead_v1_unpin", [sub, hash]);
    }
    assert.ok(!rpc.eventsOf(sub).some((e) => e.event === "stop"));
    await rpc.request("chainHead_v1_unfollow", [sub]);
  });
});
