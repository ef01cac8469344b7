/**
 * `metagraph`: a full metagraph load from the chain at n = 256 and n = 4096 uids, as the real
 * client does it — `loadMetagraph` (src/chain/metagraph.ts: SubnetInfoRuntimeApi.get_metagraph in
 * one round trip plus one ValidatorTrust read) — against the naive baseline of
 * ../shared/design/PERFORMANCE.md, measured in the same run on the same subnet: per-uid storage
 * queries, each awaited before the next (as bittensor's old per-neuron loaders did): Keys(netuid,
 * uid) → Owner(hotkey), Axons(netuid, hotkey), TotalHotkeyAlpha(hotkey, netuid),
 * BlockAtRegistration(netuid, uid); the per-subnet vectors (Active, Consensus, Incentive,
 * Dividends, Emission, LastUpdate, ValidatorTrust, ValidatorPermit) once each; 5n + 9 round trips.
 * Both read the head, which does not move while they are measured; the bench checks that both
 * answers agree uid by uid (hotkey, coldkey, stake, registration block, axon, the vectors) so that
 * neither side is timed on a wrong answer.
 *
 * The devnet runs as its own process (the built binary, `npm run build` first), so the chain does
 * not share the client's event loop. Both subnets are built with real signed extrinsics from
 * //Alice: register_network, start_call, burned_register in Utility.batch_all chunks (hotkeys are
 * bare public keys; 8 per subnet are key pairs, funded, that serve_axon), add_stake to 64 hotkeys,
 * then blocks until an epoch has written the vectors. HEAD caps MaxAllowedUids at 256
 * (sudo_set_max_allowed_uids refuses more), so for n = 4096 the cap alone is lifted with a root
 * `Sudo.sudo(System.set_storage)` of that one item (key and value built by @polkadot/api); every
 * uid is still registered by burned_register.
 *
 * Figures per size: loadMetagraph_ms (median of 20 runs at n = 256, 10 at n = 4096, after a
 * warm-up); state_call_only_ms, the same runtime call sent raw through the provider (chain and
 * transport, no decoding: the rest of loadMetagraph_ms is the client's decoding) and the size of its
 * answer; naive_ms, the median of 5 naive loads at n = 256 and a single one at n = 4096 (~20 000
 * round trips, over 30 s here; it is not extrapolated), after a warm-up at n = 256; their ratio; and
 * the seconds it took to build the subnet. The whole bench takes about 80 s here.
 */
import "../src/util/polyfill.js";
import "@polkadot/api-augment";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { ApiPromise, Keyring, WsProvider } from "@polkadot/api";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { Codec } from "@polkadot/types/types";
import { u8aToHex } from "@polkadot/util";
import { blake2AsU8a, cryptoWaitReady } from "@polkadot/util-crypto";
import { loadMetagraph, type Metagraph } from "../src/chain/metagraph.js";
import { SUBTENSOR_API_OPTIONS } from "../src/params/chain-options.js";
import type { BenchLine } from "./harness.js";
import { startDevnetProcess } from "./devnet-process.js";

const SIZES = [256, 4096] as const;
/** Hotkeys per subnet that are key pairs and serve an axon. */
const SERVING = 8;
/** Hotkeys per subnet that get stake (so validator permits and dividends are not all zero). */
const STAKED = 64;
const BATCH = 256;
/** Naive loads timed per size: one at n = 4096 (~20 000 round trips, over 30 s here). */
const NAIVE_RUNS: Readonly<Record<number, number>> = { 256: 5, 4096: 1 };

export type Untyped = (...args: unknown[]) => any;


export interface Chain {
  readonly api: ApiPromise;
  readonly provider: WsProvider;
  readonly alice: KeyringPair;
  readonly query: (name: string) => Untyped;
  readonly tx: (pallet: string, name: string) => Untyped;
}

/** Signs, submits and waits for the block; rejects on a failed dispatch, a failed batch item or a failed sudo call. */
export async function send(chain: Chain, call: unknown, signer: KeyringPair = chain.alice): Promise<Codec[]> {
  return new Promise((resolve, reject) => {
    (call as { signAndSend: Untyped })
      .signAndSend(signer, { era: 0 }, ({ status, dispatchError, events }: { status: { isInBlock: boolean; isFinalized: boolean; isInvalid: boolean; isDropped: boolean }; dispatchError?: Codec; events: { event: Codec & { section: string; method: string; data: Codec[] } }[] }) => {
        if (status.isInvalid || status.isDropped) return reject(new Error("transaction invalid or dropped"));
        if (!status.isInBlock && !status.isFinalized) return;
        if (dispatchError) return reject(new Error(`dispatch failed: ${dispatchError.toString()}`));
        const failed = events.find(({ event }) => (event.section === "utility" && (event.method === "BatchInterrupted" || event.method === "ItemFailed")) || (event.section === "sudo" && event.method === "Sudid" && (event.data[0] as Codec & { isErr: boolean }).isErr));
        if (failed) return reject(new Error(`${failed.event.section}.${failed.event.method}: ${failed.event.data.toString()}`));
        resolve(events.map(({ event }) => event));
      })
      .catch(reject);
  });
}

async function headNumber(chain: Chain): Promise<number> {
  return (await chain.api.rpc.chain.getHeader()).number.toNumber();
}

/**
 * A subnet of `n` uids built with signed extrinsics (the file comment says how). Returns its netuid.
 */
export async function seedSubnet(chain: Chain, n: number, tag: string): Promise<number> {
  const { api, alice, tx } = chain;
  const keyring = new Keyring({ type: "sr25519" });
  const servers = Array.from({ length: SERVING }, (_, i) => keyring.addFromUri(`//Alice//metagraph-${tag}-${i}`));
  const owner = servers[0]!;
  const bare = Array.from({ length: n - SERVING }, (_, i) => blake2AsU8a(`metagraph-bench-${tag}-${i}`));
  const events = await send(chain, tx("subtensorModule", "registerNetwork")(owner.address));
  const added = events.find((e) => (e as Codec & { method: string }).method === "NetworkAdded") as (Codec & { data: Codec[] }) | undefined;
  if (!added) throw new Error("register_network: no NetworkAdded event");
  const netuid = Number(added.data[0]!.toString());
  if (n > 256) {
    const key = (api.query["subtensorModule"]!["maxAllowedUids"] as unknown as { key(netuid: number): string }).key(netuid);
    await send(chain, api.tx.sudo.sudo(api.tx.system.setStorage([[key, u8aToHex(api.createType("u16", n).toU8a())]])));
    if (Number((await chain.query("maxAllowedUids")(netuid)).toString()) !== n) throw new Error("set_storage of MaxAllowedUids did not take");
  }
  await send(chain, tx("subtensorModule", "startCall")(netuid));
  // Fund the serving hotkeys (they sign serve_axon), register everyone, stake, serve.
  await send(chain, api.tx.utility.batchAll(servers.map((s) => api.tx.balances.transferKeepAlive(s.address, 10_000_000_000n))));
  const hotkeys: (string | Uint8Array)[] = [...servers.slice(1).map((s) => s.address), ...bare];
  let nonce = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
  const signed: string[] = [];
  for (let i = 0; i < hotkeys.length; i += BATCH) {
    const calls = hotkeys.slice(i, i + BATCH).map((hk) => tx("subtensorModule", "burnedRegister")(netuid, hk));
    signed.push((await api.tx.utility.batchAll(calls).signAsync(alice, { nonce: nonce++, era: 0 })).toHex());
  }
  for (const hex of signed) await chain.provider.send("author_submitExtrinsic", [hex]);
  for (;;) {
    if ((await api.query.system.account(alice.address)).nonce.toNumber() >= nonce) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const registered = Number((await chain.query("subnetworkN")(netuid)).toString());
  if (registered !== n) throw new Error(`subnet ${netuid}: ${registered} uids registered, expected ${n} (a registration batch failed)`);
  const stakeTo = [owner.address, ...hotkeys.slice(0, STAKED - 1)];
  await send(chain, api.tx.utility.batchAll(stakeTo.map((hk, i) => tx("subtensorModule", "addStake")(hk, netuid, 1_000_000_000n * BigInt(1 + i)))));
  for (const [i, server] of servers.entries()) {
    // 10.0.<n / 256>.<1 + i>, port 8000 + i, IPv4, protocol 4.
    const ip = (10n << 24n) | (BigInt(n >> 8) << 8n) | BigInt(1 + i);
    await send(chain, tx("subtensorModule", "serveAxon")(netuid, 1, ip, 8000 + i, 4, 4, 0, 0), server);
  }
  // Blocks until an epoch has run on the subnet: permits, consensus, incentive, dividends, emission.
  const tempo = Number((await chain.query("tempo")(netuid)).toString());
  await chain.provider.send("dev_newBlock", [{ count: tempo + 2 }]);
  return netuid;
}

interface NaiveNeuron {
  readonly hotkey: string;
  readonly coldkey: string;
  readonly stake: bigint;
  readonly registrationBlock: number;
  readonly axon: { ip: bigint; port: number } | null;
}

interface NaiveMetagraph {
  readonly neurons: NaiveNeuron[];
  readonly vectors: Record<string, string[]>;
}

const VECTORS = ["active", "consensus", "incentive", "dividends", "emission", "lastUpdate", "validatorTrust", "validatorPermit"] as const;

/** The naive loader: per-uid storage queries, one awaited round trip after another. */
async function naiveLoad(chain: Chain, netuid: number): Promise<NaiveMetagraph> {
  const q = chain.query;
  const n = Number((await q("subnetworkN")(netuid)).toString());
  const neurons: NaiveNeuron[] = [];
  for (let uid = 0; uid < n; uid++) {
    const hotkey = String(await q("keys")(netuid, uid));
    const coldkey = String(await q("owner")(hotkey));
    const axon = (await q("axons")(netuid, hotkey)) as Codec & { isSome?: boolean; unwrap?: () => Codec };
    const stake = BigInt((await q("totalHotkeyAlpha")(hotkey, netuid)).toString());
    const registrationBlock = Number((await q("blockAtRegistration")(netuid, uid)).toString());
    const info = (axon.isSome === undefined ? axon : axon.isSome ? axon.unwrap!() : undefined) as (Codec & { ip: Codec; port: Codec }) | undefined;
    const ip = info ? BigInt(info.ip.toString()) : 0n;
    const port = info ? Number(info.port.toString()) : 0;
    neurons.push({ hotkey, coldkey, stake, registrationBlock, axon: ip === 0n && port === 0 ? null : { ip, port } });
  }
  const vectors: Record<string, string[]> = {};
  for (const name of VECTORS) vectors[name] = ((await q(name)(netuid)) as Codec & { toArray(): Codec[] }).toArray().map(String);
  return { neurons, vectors };
}

/** Throws unless the two loads describe the same n neurons. */
function checkAgree(n: number, fast: Metagraph | undefined, naive: NaiveMetagraph): void {
  if (!fast) throw new Error("loadMetagraph: no such subnet");
  if (fast.neurons.length !== n || naive.neurons.length !== n) throw new Error(`loadMetagraph found ${fast.neurons.length} neurons, naive ${naive.neurons.length}, expected ${n}`);
  const ipv4 = (ip: bigint): string => [24, 16, 8, 0].map((shift) => Number((ip >> BigInt(shift)) & 0xffn)).join(".");
  const fromFast: Record<(typeof VECTORS)[number], (uid: number) => string> = {
    active: (u) => String(fast.neurons[u]!.active),
    consensus: (u) => String(fast.neurons[u]!.consensus),
    incentive: (u) => String(fast.neurons[u]!.incentive),
    dividends: (u) => String(fast.neurons[u]!.dividends),
    emission: (u) => String(fast.neurons[u]!.emission),
    lastUpdate: (u) => String(fast.neurons[u]!.lastUpdate),
    validatorTrust: (u) => String(fast.neurons[u]!.validatorTrust),
    validatorPermit: (u) => String(fast.neurons[u]!.validatorPermit),
  };
  let served = 0;
  for (let uid = 0; uid < n; uid++) {
    const a = fast.neurons[uid]!;
    const b = naive.neurons[uid]!;
    const same =
      a.uid === uid &&
      a.hotkey === b.hotkey &&
      a.coldkey === b.coldkey &&
      a.stake === b.stake &&
      a.registrationBlock === b.registrationBlock &&
      (a.axon === null ? b.axon === null : b.axon !== null && a.axon.ip === ipv4(b.axon.ip) && a.axon.port === b.axon.port);
    if (!same) throw new Error(`uid ${uid}: loadMetagraph and the naive loader disagree (${JSON.stringify(a, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))} vs ${JSON.stringify(b, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))})`);
    for (const name of VECTORS) if (fromFast[name](uid) !== (naive.vectors[name]![uid] ?? "")) throw new Error(`uid ${uid}: ${name} differs (${fromFast[name](uid)} vs ${naive.vectors[name]![uid]})`);
    if (a.axon) served++;
  }
  if (served !== SERVING) throw new Error(`${served} axons served, expected ${SERVING}`);
  if (!fast.neurons.some((x) => x.validatorPermit) || !fast.neurons.some((x) => x.stake > 0n)) throw new Error("no validator permits or stake: the epoch did not run");
}

async function timed<T>(fn: () => Promise<T>, runs: number): Promise<{ runs: number; medianMs: number; last: T }> {
  const samples: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { runs, medianMs: samples[samples.length >> 1]!, last: last as T };
}

export async function benchMetagraph(): Promise<BenchLine[]> {
  await cryptoWaitReady();
  const dataDir = mkdtempSync(join(tmpdir(), "tensornode-bench-"));
  const devnet = await startDevnetProcess(dataDir);
  const lines: BenchLine[] = [];
  try {
    const provider = new WsProvider(devnet.url);
    const api = await ApiPromise.create({ provider, ...SUBTENSOR_API_OPTIONS, throwOnConnect: true });
    const chain: Chain = {
      api,
      provider,
      alice: new Keyring({ type: "sr25519" }).addFromUri("//Alice"),
      query: (name) => api.query["subtensorModule"]![name] as unknown as Untyped,
      tx: (pallet, name) => api.tx[pallet]![name] as unknown as Untyped,
    };
    const seeded: [number, number, number][] = [];
    for (const n of SIZES) {
      const t0 = performance.now();
      seeded.push([n, await seedSubnet(chain, n, String(n)), performance.now() - t0]);
    }
    for (const [n, netuid, seedMs] of seeded) {
      const head = await headNumber(chain);
      const checked = await loadMetagraph(api, netuid); // also the warm-up
      const fast = await timed(() => loadMetagraph(api, netuid), n > 256 ? 10 : 20);
      // The same runtime call as raw bytes (chain and transport, no decoding), for information.
      const callArgs = ["SubnetInfoRuntimeApi_get_metagraph", u8aToHex(api.createType("u16", netuid).toU8a())];
      const raw = await timed(() => provider.send<string>("state_call", callArgs), n > 256 ? 10 : 20);
      if (n === SIZES[0]) await naiveLoad(chain, netuid); // warm-up
      const naive = await timed(() => naiveLoad(chain, netuid), NAIVE_RUNS[n] ?? 1);
      checkAgree(n, checked, naive.last);
      checkAgree(n, fast.last, naive.last);
      if ((await headNumber(chain)) !== head || fast.last!.block !== head) throw new Error("the head moved while measuring");
      lines.push({
        name: `metagraph n=${n}`,
        figures: {
          loadMetagraph_ms: fast.medianMs,
          state_call_only_ms: raw.medianMs,
          response_kib: (raw.last.length - 2) / 2 / 1024,
          naive_ms: naive.medianMs,
          naive_runs: naive.runs,
          naive_round_trips: 5 * n + 1 + VECTORS.length,
          ratio_naive_to_load: naive.medianMs / fast.medianMs,
          seed_s: seedMs / 1000,
        },
        goal: n === 256 ? "≥ 10× faster than naive; ≤ 200 ms at n=256" : "≥ 10× faster than naive",
      });
    }
    await api.disconnect();
  } finally {
    await devnet.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return lines;
}
