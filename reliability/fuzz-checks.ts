/**
 * The fuzzing checks of `npm run reliability` (../shared/design/RELIABILITY.md): the p2p frame
 * and tensor decoders, the devnet's extrinsic decoder, its JSON-RPC input handling (over HTTP, as
 * a client would send it: random methods and params, mutated real extrinsics, broken JSON,
 * batches), and the file parsers (genesis, `sim epoch` snapshots, --config files, plugin manifests).
 */
import "../src/util/polyfill.js";
import "@polkadot/api-augment";
import { readFileSync } from "node:fs";
import { ApiPromise, Keyring, WsProvider } from "@polkadot/api";
import { resolveConfig } from "../src/cli/config.js";
import { MINER_OPTIONS } from "../src/cli/commands/miner.js";
import { GLOBAL_OPTIONS } from "../src/cli/program.js";
import { parseGenesis } from "../src/devnet/genesis.js";
import { DevnetNode } from "../src/devnet/node.js";
import { decodeExtrinsic } from "../src/devnet/runtime/extrinsic.js";
import { FrameError } from "../src/p2p/protocol/bytes.js";
import { decodeFrame, encodeFrame, FrameKind, PROTOCOL_VERSION, RefusalCode, requestNonce, type RequestHeader } from "../src/p2p/protocol/frames.js";
import { decodeBinding, encodeBinding, signBinding } from "../src/p2p/identity.js";
import { hash256, requestHash, signResponse, StreamDigest } from "../src/p2p/protocol/signing.js";
import { decodeTensors, encodeTensors } from "../src/p2p/protocol/tensors.js";
import { parseManifest } from "../src/subnet/manifest.js";
import { SUBTENSOR_API_OPTIONS } from "../src/params/chain-options.js";
import { parseLosslessJson } from "../src/util/lossless-json.js";
import { createLogger } from "../src/util/logger.js";
import { sr25519Ready, sr25519SignerFromSeed } from "../src/util/sr25519.js";
import { readSnapshot } from "../src/yuma/snapshot.js";
import { fuzz, hex, mutateBytes, mutateJson, randomJson, type FuzzResult, type Random } from "./fuzz.js";
import { sessionSignerOf } from "../src/p2p/session-key.js";

export interface CheckLine {
  readonly name: string;
  readonly figures: Record<string, number>;
  /** What must hold, and whether it did. */
  readonly holds: boolean;
  readonly rule: string;
  readonly notes?: readonly string[];
}

const int = (random: Random, n: number): number => Math.floor(random() * n);
const line = (name: string, r: FuzzResult, extra: Record<string, number> = {}): CheckLine => ({
  name,
  figures: { inputs: r.inputs, accepted: r.accepted, refused: r.refused, crashes: r.crashes, heap_growth_mb: r.heap_growth_mb, inputs_per_s: r.inputs_per_s, ...extra },
  holds: r.crashes === 0 && r.heap_growth_mb < 64,
  rule: "crashes = 0, heap growth < 64 MB",
  notes: r.examples,
});

export async function fuzzFrames(count: number): Promise<CheckLine[]> {
  await sr25519Ready();
  const validator = sr25519SignerFromSeed(new Uint8Array(32).fill(1));
  const miner = sr25519SignerFromSeed(new Uint8Array(32).fill(2));
  const body = encodeTensors(new Map([["x", { dtype: "float32", dims: [2, 3], data: new Uint8Array(24).fill(7) }], ["s", { dtype: "string", dims: [], data: new TextEncoder().encode("hello") }]]));
  const genesisHash = new Uint8Array(32).fill(9);
  const salt = new Uint8Array(12).fill(3);
  const session = sessionSignerOf(miner);
  // A stream as a validator and a miner speak it: HELLO (the validator's hotkey binding of its peer),
  // WELCOME (the miner's salt, session binding and hotkey binding of its peer), then requests and signed answers.
  const peerBinding = (hotkey: typeof validator, peerId: string): Uint8Array =>
    encodeBinding(signBinding({ peerId, hotkey: hotkey.publicKey, netuid: 1, genesisHash, addresses: ["/ip4/127.0.0.1/tcp/30333"], expiresAtMs: 1_800_000_000_000n }, hotkey));
  const request: RequestHeader = { version: PROTOCOL_VERSION, netuid: 1, genesisHash, validator: validator.publicKey, miner: miner.publicKey, nonce: requestNonce(salt, 1), timestampMs: 1_000n, deadlineMs: 5_000n, synapse: "infer", bodyHash: hash256(body) };
  const response = signResponse({ version: PROTOCOL_VERSION, status: 0, streamed: false, miner: miner.publicKey, requestHash: requestHash(request), timestampMs: 2_000n, bodyHash: hash256(body) }, session);
  const digest = new StreamDigest();
  digest.add(body);
  const end = signResponse({ ...response, streamed: true, bodyHash: digest.digest() }, session);
  const frames = [
    encodeFrame({ kind: FrameKind.Hello, requestId: 0, hello: { version: PROTOCOL_VERSION, netuid: 1, genesisHash, miner: miner.publicKey, binding: peerBinding(validator, "12D3KooWFuzzValidator") } }),
    encodeFrame({ kind: FrameKind.Welcome, requestId: 0, welcome: { version: PROTOCOL_VERSION, salt, binding: session.binding, peerBinding: peerBinding(miner, "12D3KooWFuzzMiner") } }),
    encodeFrame({ kind: FrameKind.Request, requestId: 1, timestampMs: request.timestampMs, deadlineMs: request.deadlineMs, synapse: request.synapse, body }),
    encodeFrame({ kind: FrameKind.Response, requestId: 1, status: 0, timestampMs: response.timestampMs, signature: response.signature, body }),
    encodeFrame({ kind: FrameKind.Chunk, requestId: 1, seq: 0, body }),
    encodeFrame({ kind: FrameKind.End, requestId: 1, status: 0, timestampMs: end.timestampMs, signature: end.signature }),
    encodeFrame({ kind: FrameKind.Refused, requestId: 1, code: RefusalCode.Busy, retryAfterMs: 250, message: "busy" }),
    encodeFrame({ kind: FrameKind.Cancel, requestId: 1 }),
  ];
  const make = (seeds: readonly Uint8Array[]) => (random: Random): Uint8Array =>
    random() < 0.1 ? Uint8Array.from({ length: int(random, 300) }, () => int(random, 256)) : mutateBytes(seeds[int(random, seeds.length)]!, random, seeds);
  const refusal = (error: unknown): boolean => error instanceof FrameError;
  // As the two sides read a stream's frames: the hotkey binding in a HELLO or WELCOME (opaque to decodeFrame) is decoded next.
  const readFrame = (bytes: Uint8Array): unknown => {
    const frame = decodeFrame(bytes);
    if (frame.kind === FrameKind.Hello) return decodeBinding(frame.hello.binding);
    if (frame.kind === FrameKind.Welcome) return decodeBinding(frame.welcome.peerBinding);
    return frame;
  };
  return [
    line("fuzz p2p frame decoder (decodeFrame, and decodeBinding on a HELLO or WELCOME; mutations of the 8 frame kinds of protocol 3, HELLO and WELCOME with real bindings, answers signed, and random bytes)", await fuzz({ seed: 11, count, make: make(frames), feed: readFrame, refusal, show: hex })),
    line("fuzz p2p tensor decoder (decodeTensors; mutations of a float32 and a string tensor, and random bytes)", await fuzz({ seed: 12, count, make: make([body]), feed: decodeTensors, refusal, show: hex })),
  ];
}

export async function fuzzParsers(count: number): Promise<CheckLine[]> {
  const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), "utf8");
  const epochText = read("config/examples/epoch-example.json");
  const epoch = parseLosslessJson(epochText);
  const genesis = JSON.parse(read("config/devnet-genesis.json")) as unknown;
  const miner = JSON.parse(read("config/miner.json")) as unknown;
  const manifest = JSON.parse(read("subnets/tiny/manifest.json")) as unknown;
  const typed = (...names: string[]) => (error: unknown): boolean => error instanceof Error && names.includes(error.name);
  const json = (doc: unknown) => (random: Random): unknown => (random() < 0.1 ? randomJson(random, 4) : mutateJson(doc, random));
  const bytes = new TextEncoder().encode(epochText);
  return [
    line("fuzz lossless JSON parser (sim epoch and genesis files; mutated bytes of the example snapshot)", await fuzz({ seed: 21, count, make: (random) => new TextDecoder().decode(mutateBytes(bytes, random)), feed: parseLosslessJson, refusal: typed("JsonSyntaxError") })),
    line("fuzz sim epoch snapshot reader (readSnapshot; structural mutations of config/examples/epoch-example.json)", await fuzz({ seed: 22, count, make: json(epoch), feed: readSnapshot, refusal: typed("SnapshotError") })),
    // A genesis derives its //Alice … accounts (sr25519 key derivation, ~10 ms each): a tenth as many.
    line("fuzz devnet genesis parser (parseGenesis; mutations of config/devnet-genesis.json)", await fuzz({ seed: 23, count: Math.ceil(count / 10), make: json(genesis), feed: (doc) => parseGenesis(doc, "genesis.json"), refusal: typed("UserError") })),
    line("fuzz --config resolution (the miner's schema; mutations of config/miner.json)", await fuzz({ seed: 24, count, make: json(miner), feed: (doc) => resolveConfig({ ...GLOBAL_OPTIONS, ...MINER_OPTIONS }, { flags: {}, env: {}, file: doc, fileName: "miner.json" }), refusal: typed("UserError") })),
    line("fuzz plugin manifest parser (parseManifest; mutations of subnets/tiny/manifest.json)", await fuzz({ seed: 25, count, make: json(manifest), feed: (doc) => parseManifest(doc, "manifest.json"), refusal: typed("UserError") })),
  ];
}

/** The devnet's extrinsic decoder, and its JSON-RPC over HTTP, with a real signed-extrinsic corpus. */
export async function fuzzDevnet(decodeCount: number, rpcCount: number): Promise<CheckLine[]> {
  const node = await DevnetNode.start({ port: 0, blockTime: { mode: "instant" }, log: createLogger({ level: "silent", format: "json" }) });
  const api = await ApiPromise.create({ provider: new WsProvider(node.endpoint.wsUrl), ...SUBTENSOR_API_OPTIONS, noInitWarn: true });
  try {
    const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
    const alice = keyring.addFromUri("//Alice");
    const bob = keyring.addFromUri("//Bob");
    const tx = api.tx as unknown as Record<string, Record<string, (...args: unknown[]) => { signAsync(pair: unknown, options?: unknown): Promise<{ toU8a(): Uint8Array }> }>>;
    const corpus: Uint8Array[] = [];
    for (const [i, make] of [
      () => tx.balances!.transferKeepAlive!(bob.address, 10n ** 9n),
      () => tx.subtensorModule!.registerNetwork!(bob.address),
      () => tx.subtensorModule!.setWeights!(1, [0, 1, 2], [65535, 100, 7], 0),
      () => tx.subtensorModule!.commitWeights!(1, `0x${"ab".repeat(32)}`),
      () => tx.subtensorModule!.addStake!(bob.address, 1, 10n ** 9n),
      () => tx.utility!.batchAll!([api.tx.system.remark("0x00")]),
      () => tx.sudo!.sudo!(api.tx.system.remark("0x01")),
    ].entries())
      corpus.push((await make().signAsync(alice, { nonce: i })).toU8a());
    const decodeRefusal = (error: unknown): boolean => error instanceof Error && ["ExtrinsicFormatError", "CodedError"].includes(error.name);
    const decodeLine = line(
      "fuzz devnet extrinsic decoder (decodeExtrinsic; mutations of 7 real signed extrinsics: transfer, register_network, set_weights, commit_weights, add_stake, batch_all, sudo)",
      await fuzz({ seed: 31, count: decodeCount, make: (random) => mutateBytes(corpus[int(random, corpus.length)]!, random, corpus), feed: (b) => decodeExtrinsic(b), refusal: decodeRefusal, show: hex }),
    );

    const methods = ((await (await fetch(node.endpoint.httpUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "rpc_methods", params: [] }) })).json()) as { result: { methods: string[] } }).result.methods.filter((m) => !/subscribe/i.test(m) && !m.startsWith("dev_"));
    let internalErrors = 0;
    const post = async (body: string): Promise<void> => {
      const response = await fetch(node.endpoint.httpUrl, { method: "POST", headers: { "content-type": "application/json" }, body });
      const text = await response.text();
      // A notification (a request without an id) is answered with nothing, as JSON-RPC 2.0 says.
      if (text === "" && response.status === 200) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Error(`HTTP ${response.status}: not JSON: ${text.slice(0, 100)}`);
      }
      const replies = Array.isArray(parsed) ? parsed : [parsed];
      for (const reply of replies as { error?: { code: number; message: string } }[]) {
        if (reply.error?.code === -32603) {
          internalErrors += 1;
          throw new Error(`internal error: ${reply.error.message}`);
        }
      }
    };
    const request = (random: Random): string => {
      const kind = int(random, 10);
      const call = (method: string, params: unknown): Record<string, unknown> => ({ jsonrpc: "2.0", id: int(random, 1000), method, params });
      if (kind < 3) return JSON.stringify(call(methods[int(random, methods.length)]!, Array.from({ length: int(random, 4) }, () => randomJson(random, 2))));
      if (kind < 6) return JSON.stringify(call("author_submitExtrinsic", [`0x${Buffer.from(mutateBytes(corpus[int(random, corpus.length)]!, random, corpus)).toString("hex")}`]));
      if (kind < 7) return JSON.stringify(call("state_call", [["SubnetInfoRuntimeApi_get_metagraph", "NeuronInfoRuntimeApi_get_neurons_lite", "Metadata_metadata_at_version", "TransactionPaymentApi_query_info", "Nope_nope"][int(random, 5)], randomJson(random, 1)]));
      if (kind < 8) return new TextDecoder().decode(mutateBytes(new TextEncoder().encode(JSON.stringify(call("chain_getBlock", []))), random));
      if (kind < 9) return JSON.stringify(Array.from({ length: int(random, 6) }, () => call(methods[int(random, methods.length)]!, [randomJson(random, 1)])));
      return JSON.stringify(call(methods[int(random, methods.length)]!, randomJson(random, 2)));
    };
    const rpc = await fuzz({ seed: 32, count: rpcCount, make: request, feed: post, refusal: () => false, show: (s) => s.slice(0, 200) });
    // The refusals here are JSON-RPC errors in a well-formed reply; only internal errors and broken replies count.
    const before = (await api.rpc.chain.getHeader()).number.toNumber();
    await api.tx.balances.transferKeepAlive(bob.address, 10n ** 9n).signAndSend(alice, { nonce: -1 });
    let after = before;
    for (let i = 0; i < 50 && after === before; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = (await api.rpc.chain.getHeader()).number.toNumber();
    }
    const rpcLine = line(`fuzz devnet JSON-RPC over HTTP (${methods.length} methods with random params, mutated real extrinsics to author_submitExtrinsic, state_call, broken JSON, batches); then a valid transfer must still be included`, { ...rpc, accepted: rpc.accepted, refused: 0 }, { internal_errors: internalErrors, still_producing: after > before ? 1 : 0 });
    return [decodeLine, { ...rpcLine, holds: rpcLine.holds && after > before, rule: `${rpcLine.rule}, still producing blocks` }];
  } finally {
    await api.disconnect();
    await node.stop();
  }
}
