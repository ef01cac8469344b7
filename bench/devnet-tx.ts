/**
 * `devnet-tx`: signed balance transfers per second through @polkadot/api into devnet blocks (the
 * baseline of ../shared/design/PERFORMANCE.md's devnet-tx figure; signed set_weights arrive with the
 * subtensor pallets). The devnet runs as its own process (the built binary), as users run it.
 * Also: the signature check the devnet does per transaction, Wasm sr25519 against the pure-JS one
 * of @polkadot/util-crypto 14 (the trap the devnet avoids), in the same run.
 */
import "../src/util/polyfill.js";
import "@polkadot/api-augment";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { ApiPromise, Keyring, WsProvider } from "@polkadot/api";
import { cryptoWaitReady, sr25519PairFromSeed, sr25519Sign, sr25519Verify as jsVerify } from "@polkadot/util-crypto";
import { sr25519Verify as wasmVerify } from "@polkadot/wasm-crypto";
import { SUBTENSOR_API_OPTIONS } from "../src/params/chain-options.js";
import { signaturesReady } from "../src/devnet/runtime/signature.js";
import type { BenchLine } from "./harness.js";
import { benchDevnetEpoch } from "./devnet-epoch.js";
import { startDevnetProcess } from "./devnet-process.js";


/** Sends a signed extrinsic (hex) to the devnet; set once the api is connected. */
let submit: (hex: string) => Promise<unknown> = () => Promise.reject(new Error("not connected"));


/** Pre-signs `count` transfers (immortal: instant blocks outrun a mortal era while thousands are signed) spread over `senders` accounts, submits them pipelined, waits for all to be in blocks. */
async function transfersPerSecond(api: ApiPromise, count: number, senders: number): Promise<{ perSecond: number; signPerSecond: number; blocks: number }> {
  const keyring = new Keyring({ type: "sr25519" });
  const accounts = ["//Alice", "//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie"].slice(0, senders).map((uri) => keyring.addFromUri(uri));
  const nonces = await Promise.all(accounts.map(async (a) => (await api.rpc.system.accountNextIndex(a.address)).toNumber()));
  const dest = keyring.addFromUri("//Recipient").address;
  const signStart = performance.now();
  const signed: string[] = [];
  for (let i = 0; i < count; i++) {
    const k = i % senders;
    const tx = await api.tx.balances.transferKeepAlive(dest, 1_000_000n + BigInt(i)).signAsync(accounts[k]!, { nonce: nonces[k]!++, era: 0 });
    signed.push(tx.toHex());
  }
  const signPerSecond = count / ((performance.now() - signStart) / 1000);
  const startHead = (await api.rpc.chain.getHeader()).number.toNumber();
  const expectedNonces = accounts.map((a, k) => [a.address, nonces[k]!] as const);
  const t0 = performance.now();
  const inFlight = 128;
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < signed.length) await submit(signed[next++]!);
    }),
  );
  for (;;) {
    const done = await Promise.all(expectedNonces.map(async ([address, nonce]) => (await api.query.system.account(address)).nonce.toNumber() >= nonce));
    if (done.every(Boolean)) break;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const seconds = (performance.now() - t0) / 1000;
  const blocks = (await api.rpc.chain.getHeader()).number.toNumber() - startHead;
  return { perSecond: count / seconds, signPerSecond, blocks };
}

type Untyped = (...args: unknown[]) => any;

/** Waits until every account has used the nonces given (its transactions are in blocks). */
async function untilNonces(api: ApiPromise, expected: readonly (readonly [string, number])[]): Promise<void> {
  for (;;) {
    const done = await Promise.all(expected.map(async ([address, nonce]) => (await api.query.system.account(address)).nonce.toNumber() >= nonce));
    if (done.every(Boolean)) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * A dev-preset subnet of 256 uids whose first 64 hold stake and validator permits, commit-reveal
 * off and no weights rate limit; then `count` signed set_weights (256 uids each) from those 64
 * validators, pre-signed and submitted pipelined, until all are in blocks.
 */
async function setWeightsPerSecond(api: ApiPromise, url: string, count: number): Promise<{ perSecond: number; blocks: number; failed: number }> {
  const keyring = new Keyring({ type: "sr25519" });
  const alice = keyring.addFromUri("//Alice");
  const st = (name: string): Untyped => api.tx["subtensorModule"]![name] as Untyped;
  const admin = (name: string): Untyped => api.tx["adminUtils"]![name] as Untyped;
  const hotkeys = Array.from({ length: 256 }, (_, i) => keyring.addFromUri(`//Alice//bench-${i}`));
  const send = async (call: unknown): Promise<void> => {
    await new Promise<void>((resolve, reject) => {
      (call as { signAndSend: Untyped }).signAndSend(alice, ({ status, dispatchError }: { status: { isFinalized: boolean }; dispatchError?: unknown }) => {
        if (!status.isFinalized) return;
        if (dispatchError) reject(new Error(String(dispatchError)));
        else resolve();
      }).catch(reject);
    });
  };
  const registered = await send(st("registerNetwork")(hotkeys[0]!.address)).then(async () => Number((await api.query["subtensorModule"]!["totalNetworks"]!()).toString()));
  const netuid = registered;
  await send(admin("sudoSetCommitRevealWeightsEnabled")(netuid, false));
  await send(api.tx.sudo.sudo(admin("sudoSetWeightsSetRateLimit")(netuid, 0)));
  await send(st("startCall")(netuid));
  await send(api.tx.utility.batchAll(hotkeys.slice(1).map((hk) => st("burnedRegister")(netuid, hk.address))));
  await send(api.tx.utility.batchAll(hotkeys.slice(0, 64).map((hk) => st("addStake")(hk.address, netuid, 10_000_000_000n))));
  const http = new (await import("@polkadot/api")).HttpProvider(url.replace("ws://", "http://"));
  await http.send("dev_newBlock", [{ count: 12 }]); // an epoch: permits by stake
  const validators = hotkeys.slice(0, 64);
  const uids = Array.from({ length: 256 }, (_, i) => i);
  const nonces = await Promise.all(validators.map(async (v) => (await api.rpc.system.accountNextIndex(v.address)).toNumber()));
  const signed: string[] = [];
  for (let i = 0; i < count; i++) {
    const k = i % validators.length;
    const weights = uids.map((u) => 1 + ((u * 7919 + i) % 65534));
    signed.push((await st("setWeights")(netuid, uids, weights, 0).signAsync(validators[k]!, { nonce: nonces[k]!++, era: 0 })).toHex());
  }
  const startHead = (await api.rpc.chain.getHeader()).number.toNumber();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 128 }, async () => {
    while (next < signed.length) await submit(signed[next++]!);
  }));
  await untilNonces(api, validators.map((v, k) => [v.address, nonces[k]!] as const));
  const seconds = (performance.now() - t0) / 1000;
  const head = (await api.rpc.chain.getHeader()).number.toNumber();
  let failed = 0;
  for (let n = startHead + 1; n <= head; n++) {
    const events = await (await api.at(await api.rpc.chain.getBlockHash(n))).query.system.events();
    failed += events.filter(({ event }) => event.section === "system" && event.method === "ExtrinsicFailed").length;
  }
  await http.disconnect();
  return { perSecond: count / seconds, blocks: head - startHead, failed };
}

function verifyRates(): { wasm: number; js: number } {
  const pair = sr25519PairFromSeed(new Uint8Array(32).fill(7));
  const message = new Uint8Array(120).fill(3);
  const signature = sr25519Sign(message, pair);
  const rate = (verify: () => boolean, ms: number): number => {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < ms) {
      if (!verify()) throw new Error("verification failed");
      n++;
    }
    return n / ((performance.now() - t0) / 1000);
  };
  return {
    wasm: rate(() => wasmVerify(signature, message, pair.publicKey), 600),
    js: rate(() => jsVerify(message, signature, pair.publicKey), 600),
  };
}

export async function benchDevnetTx(): Promise<BenchLine[]> {
  await cryptoWaitReady();
  await signaturesReady();
  const dataDir = mkdtempSync(join(tmpdir(), "tensornode-bench-"));
  const devnet = await startDevnetProcess(dataDir);
  const lines: BenchLine[] = [];
  try {
    const provider = new WsProvider(devnet.url);
    const api = await ApiPromise.create({ provider, ...SUBTENSOR_API_OPTIONS, throwOnConnect: true });
    // Pre-signed extrinsics go out through the api's WsProvider as they are: api.rpc would decode
    // each one again into codec objects first, which measures the client, not the chain.
    submit = (hex) => provider.send("author_submitExtrinsic", [hex]);
    await transfersPerSecond(api, 200, 4); // warm-up
    let baseline = 0;
    for (const count of [1000, 3000]) {
      const r = await transfersPerSecond(api, count, 4);
      baseline = r.perSecond;
      lines.push({ name: `devnet-tx transfers n=${count}`, figures: { "tx/s": r.perSecond, blocks: r.blocks, "tx/block": count / Math.max(r.blocks, 1), "client_sign/s": r.signPerSecond } });
    }
    const w = await setWeightsPerSecond(api, devnet.url, 2000);
    lines.push({ name: "devnet-tx set_weights 256 uids n=2000", figures: { "tx/s": w.perSecond, blocks: w.blocks, failed: w.failed, ratio_to_transfers: w.perSecond / baseline }, goal: "≥ 200 set_weights/s" });
    await api.disconnect();
  } finally {
    await devnet.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const v = verifyRates();
  lines.push({ name: "devnet-tx sr25519 verify", figures: { "wasm/s": v.wasm, "pure_js/s": v.js, ratio: v.wasm / v.js } });
  lines.push(...(await benchDevnetEpoch()));
  return lines;
}
