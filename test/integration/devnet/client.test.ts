import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HttpProvider } from "@polkadot/api";
import type { DispatchError } from "@polkadot/types/interfaces";
import { sendAndFinalize, startDevnet, type TestDevnet } from "../../helpers/devnet.js";

const TAO = 1_000_000_000n;

function moduleErrorName(net: TestDevnet, error: DispatchError): string {
  assert.ok(error.isModule, `expected a module error, got ${error.type}`);
  const meta = net.api.registry.findMetaError(error.asModule);
  return `${meta.section}.${meta.name}`;
}

describe("the devnet seen through @polkadot/api with subtensor's client options", { timeout: 60_000 }, () => {
  let net: TestDevnet;
  before(async () => {
    net = await startDevnet();
  });
  after(async () => {
    await net?.close();
  });

  it("identifies itself as subtensor HEAD with TAO properties", async () => {
    const { api } = net;
    assert.equal(api.runtimeVersion.specName.toString(), "node-subtensor");
    assert.equal(api.runtimeVersion.specVersion.toNumber(), 425);
    const props = await api.rpc.system.properties();
    assert.equal(props.ss58Format.unwrap().toNumber(), 42);
    assert.equal(props.tokenDecimals.unwrap()[0]!.toNumber(), 9);
    assert.equal(props.tokenSymbol.unwrap()[0]!.toString(), "TAO");
    assert.equal((await api.rpc.system.chain()).toString(), "tensornode devnet");
    assert.equal(api.registry.chainSS58, 42);
  });

  it("serves V15 metadata with runtime APIs the client calls", async () => {
    const { api, alice } = net;
    assert.equal(api.runtimeMetadata.version, 15);
    const nonce = await api.call.accountNonceApi.accountNonce(alice.address);
    assert.equal(nonce.toNumber(), (await api.query.system.account(alice.address)).nonce.toNumber());
    assert.deepEqual(
      api.runtimeMetadata.asLatest.pallets.map((p) => [p.name.toString(), p.index.toNumber()]),
      [["System", 0], ["Timestamp", 2], ["Balances", 5], ["TransactionPayment", 6], ["SubtensorModule", 7], ["Utility", 11], ["Sudo", 12], ["AdminUtils", 19]],
    );
  });

  it("includes a signed transfer, moves the balance and charges the fee it reported", async () => {
    const { api, alice, bob } = net;
    const amount = 12n * TAO;
    const aliceBefore = (await api.query.system.account(alice.address)).data.free.toBigInt();
    const bobBefore = (await api.query.system.account(bob.address)).data.free.toBigInt();
    const tx = api.tx.balances.transferKeepAlive(bob.address, amount);
    const result = await sendAndFinalize(tx, alice);
    const names = result.events.map(({ event }) => `${event.section}.${event.method}`);
    assert.deepEqual(names, ["balances.Withdraw", "balances.Transfer", "transactionPayment.TransactionFeePaid", "system.ExtrinsicSuccess"]);
    const transfer = result.events.find(({ event }) => api.events.balances.Transfer.is(event))!.event;
    assert.ok(api.events.balances.Transfer.is(transfer));
    assert.equal(transfer.data.from.toString(), alice.address);
    assert.equal(transfer.data.to.toString(), bob.address);
    assert.equal(transfer.data.amount.toBigInt(), amount);
    const feeEvent = result.events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event))!.event;
    assert.ok(api.events.transactionPayment.TransactionFeePaid.is(feeEvent));
    const fee = feeEvent.data.actualFee.toBigInt();
    assert.ok(fee > 0n);
    const info = await api.tx.balances.transferKeepAlive(bob.address, amount).paymentInfo(alice);
    assert.ok(info.partialFee.toBigInt() > 0n && info.partialFee.toBigInt() <= fee + 8n, "paymentInfo quotes the fee up to the signature's length");
    assert.equal((await api.query.system.account(bob.address)).data.free.toBigInt(), bobBefore + amount);
    assert.equal((await api.query.system.account(alice.address)).data.free.toBigInt(), aliceBefore - amount - fee);
    const block = await api.rpc.chain.getBlock(result.status.asFinalized);
    assert.deepEqual(block.block.extrinsics.map((x) => `${x.method.section}.${x.method.method}`), ["timestamp.set", "balances.transferKeepAlive"]);
  });

  it("holds transactions that arrive ahead of their nonce until the gap is filled", async () => {
    const { api, alice, charlie } = net;
    const start = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
    // Submitted concurrently in reverse nonce order: the later ones wait in the pool as "future".
    const results = await Promise.all(
      [4, 3, 2, 1, 0].map((i) => sendAndFinalize(api.tx.balances.transferKeepAlive(charlie.address, BigInt(i + 1) * TAO), alice, { nonce: start + i })),
    );
    assert.ok(results.every((r) => r.dispatchError === undefined));
    assert.equal((await api.query.system.account(alice.address)).nonce.toNumber(), start + 5);
  });

  it("refuses a second transaction with a nonce already waiting, unless it tips more", async () => {
    const { api, alice, bob } = net;
    const nonce = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
    const first = await api.tx.balances.transferKeepAlive(bob.address, 1n).signAsync(alice, { nonce: nonce + 1 });
    await api.rpc.author.submitExtrinsic(first);
    const same = await api.tx.balances.transferKeepAlive(bob.address, 2n).signAsync(alice, { nonce: nonce + 1 });
    await assert.rejects(api.rpc.author.submitExtrinsic(same), /1014: Priority is too low/);
    const pending = await api.rpc.author.pendingExtrinsics();
    assert.ok(pending.some((x) => x.hash.eq(first.hash)));
    await sendAndFinalize(api.tx.balances.transferKeepAlive(bob.address, 3n), alice, { nonce });
    assert.equal((await api.query.system.account(alice.address)).nonce.toNumber(), nonce + 2);
  });

  it("reads storage at an earlier block", async () => {
    const { api, alice, bob } = net;
    const before = await api.rpc.chain.getFinalizedHead();
    const balanceThen = (await api.query.system.account(bob.address)).data.free.toBigInt();
    await sendAndFinalize(api.tx.balances.transferKeepAlive(bob.address, TAO), alice);
    const atThen = await api.query.system.account.at(before, bob.address);
    assert.equal(atThen.data.free.toBigInt(), balanceThen);
    assert.equal((await api.query.system.account(bob.address)).data.free.toBigInt(), balanceThen + TAO);
    const apiAt = await api.at(before);
    assert.equal((await apiAt.query.system.number()).toNumber(), (await api.rpc.chain.getHeader(before)).number.toNumber());
  });

  it("pushes storage changes to a subscriber", async () => {
    const { api, alice, bob } = net;
    const seen: bigint[] = [];
    let notify: () => void = () => undefined;
    const twoUpdates = new Promise<void>((resolve) => (notify = resolve));
    const unsubscribe = await api.query.system.account(bob.address, (account: { data: { free: { toBigInt(): bigint } } }) => {
      seen.push(account.data.free.toBigInt());
      if (seen.length === 2) notify();
    });
    await sendAndFinalize(api.tx.balances.transferKeepAlive(bob.address, 3n * TAO), alice);
    await twoUpdates;
    unsubscribe();
    assert.equal(seen[1]! - seen[0]!, 3n * TAO);
  });

  it("lists map entries through paged keys", async () => {
    const entries = await net.api.query.system.account.entries();
    const addresses = entries.map(([key]) => key.args[0]!.toString());
    for (const pair of [net.alice, net.bob, net.charlie]) assert.ok(addresses.includes(pair.address));
    assert.equal(entries.length, new Set(addresses).size);
  });

  it("runs Utility batches: batch stops at the first failure, batch_all fails whole", async () => {
    const { api, alice, bob, charlie } = net;
    const tooMuch = api.tx.balances.transferKeepAlive(charlie.address, 10n ** 18n);
    const ok = api.tx.balances.transferKeepAlive(bob.address, TAO);
    const batch = await sendAndFinalize(api.tx.utility.batch([ok, tooMuch, ok]), alice);
    const interrupted = batch.events.find(({ event }) => api.events.utility.BatchInterrupted.is(event))?.event;
    assert.ok(interrupted && api.events.utility.BatchInterrupted.is(interrupted));
    assert.equal(interrupted.data.index.toNumber(), 1);
    assert.equal(interrupted.data.error.isToken && interrupted.data.error.asToken.type, "FundsUnavailable");
    assert.equal(batch.events.filter(({ event }) => api.events.utility.ItemCompleted.is(event)).length, 1);

    const bobBefore = (await api.query.system.account(bob.address)).data.free.toBigInt();
    const all = await sendAndFinalize(api.tx.utility.batchAll([ok, tooMuch]), alice);
    assert.ok(all.dispatchError?.isToken);
    assert.equal((await api.query.system.account(bob.address)).data.free.toBigInt(), bobBefore, "batch_all rolled back its first transfer");
  });

  it("lets the sudo key dispatch as Root and refuses anyone else by error name", async () => {
    const { api, alice, bob, charlie } = net;
    const set = api.tx.balances.forceSetBalance(charlie.address, 777n * TAO);
    const ok = await sendAndFinalize(api.tx.sudo.sudo(set), alice);
    const sudid = ok.events.find(({ event }) => api.events.sudo.Sudid.is(event))?.event;
    assert.ok(sudid && api.events.sudo.Sudid.is(sudid) && sudid.data.sudoResult.isOk);
    assert.equal((await api.query.system.account(charlie.address)).data.free.toBigInt(), 777n * TAO);
    const fee = ok.events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event))?.event;
    assert.ok(fee && api.events.transactionPayment.TransactionFeePaid.is(fee) && fee.data.actualFee.toBigInt() === 0n, "a successful sudo call pays no fee");

    const refused = await sendAndFinalize(api.tx.sudo.sudo(set), bob);
    assert.equal(moduleErrorName(net, refused.dispatchError!), "sudo.RequireSudo");
    const rootOnly = await sendAndFinalize(set, bob);
    assert.ok(rootOnly.dispatchError?.isBadOrigin);
  });

  it("answers plain HTTP JSON-RPC on the same port", async () => {
    const provider = new HttpProvider(net.node.endpoint.httpUrl);
    const header = (await provider.send("chain_getHeader", [])) as { number: string };
    assert.equal(Number(header.number), net.node.chain.headNumber);
    await provider.disconnect();
  });

  it("answers storage hashes and sizes, and fee queries over the payment RPC", async () => {
    const { api, alice, bob } = net;
    const key = api.query.system.account.key(alice.address);
    const value = (await api.query.system.account(alice.address)).toU8a();
    assert.equal((await api.rpc.state.getStorageSize(key)).toNumber(), 56, "AccountInfo: 4 × u32, 3 × u64, u128");
    const { blake2AsHex } = await import("@polkadot/util-crypto");
    assert.equal((await api.rpc.state.getStorageHash(key)).toHex(), blake2AsHex(value, 256));
    const signed = await api.tx.balances.transferKeepAlive(bob.address, 1n).signAsync(alice);
    const viaRpc = await api.rpc.payment.queryInfo(signed.toHex());
    const viaApi = await api.call.transactionPaymentApi.queryInfo(signed.toU8a(), signed.encodedLength);
    assert.equal(viaRpc.partialFee.toBigInt(), viaApi.partialFee.toBigInt());
    assert.ok(viaRpc.partialFee.toBigInt() > 0n);
  });

  it("tells a watcher its transaction became invalid when an earlier one spent the fee", async () => {
    const { api, alice } = net;
    const { Keyring } = await import("@polkadot/api");
    const spender = new Keyring({ type: "sr25519" }).addFromUri("//Spender");
    await sendAndFinalize(api.tx.balances.transferKeepAlive(spender.address, 2n * TAO), alice);
    const free = (await api.query.system.account(spender.address)).data.free.toBigInt();
    // The first transfer leaves too little for the second one's fee: both pass the pool's check, only one can be included.
    const fee = (await api.tx.balances.transferAllowDeath(alice.address, free).paymentInfo(spender)).partialFee.toBigInt();
    const drain = await api.tx.balances.transferAllowDeath(alice.address, free - fee - 2_000n).signAsync(spender, { nonce: 0 });
    const starved = await api.tx.balances.transferAllowDeath(alice.address, 1n).signAsync(spender, { nonce: 1 });
    const statuses: string[] = [];
    const invalid = new Promise<void>((resolve) => {
      void api.rpc.author.submitAndWatchExtrinsic(starved, (status) => {
        statuses.push(status.type);
        if (status.isInvalid) resolve();
      });
    });
    await api.rpc.author.submitExtrinsic(drain);
    await invalid;
    assert.deepEqual(statuses, ["Future", "Ready", "Invalid"]);
  });
});
