/**
 * The client libraries people bring to a Substrate chain, each behind one small interface so that
 * one scenario runs through all of them: polkadot-api 2 (new spec only, and over its legacy
 * bridge), dedot (DedotClient on the new spec, LegacyClient), @polkadot/api 16. Each is set up with
 * subtensor HEAD's transaction extensions the way its users would do it.
 */
import "../../src/util/polyfill.js";
import { ApiPromise, WsProvider as PolkadotJsWsProvider } from "@polkadot/api";
import type { KeyringPair } from "@polkadot/keyring/types";
import { DedotClient, LegacyClient, SignedExtension, WsProvider as DedotWsProvider } from "dedot";
import { createClient, type PolkadotClient } from "polkadot-api";
import { getPolkadotSigner } from "polkadot-api/signer";
import { getWsRawProvider } from "polkadot-api/ws";
import { getWsProvider } from "@polkadot-api/ws-provider";
import { withLegacy } from "@polkadot-api/ws-middleware";
import { WebSocket } from "ws";
import { SUBTENSOR_API_OPTIONS } from "../../src/params/chain-options.js";

/** What a transaction went through, as the client reported it. */
export interface TrackedTransaction {
  /** "inBlock" and "finalized" in the order the client reported them, each once, with when (ms since submission). */
  readonly statuses: readonly { readonly status: "inBlock" | "finalized"; readonly atMs: number }[];
  readonly blockHash: string;
  /** The transaction's events, "Pallet.Event". */
  readonly events: readonly string[];
}

export interface ClientSession {
  freeBalance(address: string): Promise<bigint>;
  /** NeuronInfoRuntimeApi.get_neurons_lite: the hotkeys (SS58). */
  neuronsLiteHotkeys(netuid: number): Promise<string[]>;
  /** SubnetInfoRuntimeApi.get_metagraph: the hotkeys (SS58), or undefined for no subnet. */
  metagraphHotkeys(netuid: number): Promise<string[] | undefined>;
  transfer(signer: KeyringPair, destination: string, amount: bigint): Promise<TrackedTransaction>;
  registerNetwork(signer: KeyringPair, hotkey: string): Promise<TrackedTransaction>;
  /** Calls `onNumber` with the number of each finalized block the client hears of; returns the unsubscribe. */
  followFinalized(onNumber: (number: number) => void): Promise<() => void>;
  close(): Promise<void>;
}

export interface ClientUnderTest {
  readonly name: string;
  connect(url: string): Promise<ClientSession>;
}

/** Records statuses and settles when the transaction is final (or the client gives up on it). */
class Tracker {
  readonly statuses: { status: "inBlock" | "finalized"; atMs: number }[] = [];
  readonly #start = Date.now();
  readonly done: Promise<TrackedTransaction>;
  #resolve!: (tx: TrackedTransaction) => void;
  #reject!: (error: Error) => void;

  constructor() {
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  saw(status: "inBlock" | "finalized"): void {
    if (!this.statuses.some((s) => s.status === status)) this.statuses.push({ status, atMs: Date.now() - this.#start });
  }

  finalized(blockHash: string, events: readonly string[]): void {
    this.saw("finalized");
    this.#resolve({ statuses: this.statuses, blockHash, events });
  }

  failed(error: unknown): void {
    this.#reject(error instanceof Error ? error : new Error(String(error)));
  }
}

// --- polkadot-api ------------------------------------------------------------------------------

/** polkadot-api reads extensions it does not know from `customSignedExtensions`: subtensor's tip wrapper. */
const PAPI_TX_OPTIONS = { customSignedExtensions: { ChargeTransactionPaymentWrapper: { value: 0n } } };

/** The libraries' dynamic APIs are typed from the chain's metadata at run time (or by codegen, which these tests do not use). */
type Dynamic = any;

function papiSession(client: PolkadotClient): ClientSession {
  const api: Dynamic = client.getUnsafeApi();
  const signerOf = (pair: KeyringPair) => getPolkadotSigner(pair.publicKey, "Sr25519", (message) => pair.sign(message));
  const track = (tx: { signSubmitAndWatch: Function }, pair: KeyringPair): Promise<TrackedTransaction> => {
    const tracker = new Tracker();
    const subscription = tx.signSubmitAndWatch(signerOf(pair), PAPI_TX_OPTIONS).subscribe({
      next: (event: { type: string; found?: boolean; block?: { hash: string }; events?: { type: string; value: { type: string } }[] }) => {
        if (event.type === "txBestBlocksState" && event.found) tracker.saw("inBlock");
        if (event.type === "finalized") {
          tracker.finalized(event.block!.hash, (event.events ?? []).map((e) => `${e.type}.${e.value.type}`));
          subscription.unsubscribe();
        }
      },
      error: (error: unknown) => tracker.failed(error),
    });
    return tracker.done;
  };
  return {
    freeBalance: async (address) => (await api.query.System.Account.getValue(address, { at: "best" })).data.free,
    neuronsLiteHotkeys: async (netuid) => ((await api.apis.NeuronInfoRuntimeApi.get_neurons_lite(netuid, { at: "best" })) as { hotkey: string }[]).map((n) => n.hotkey),
    metagraphHotkeys: async (netuid) => ((await api.apis.SubnetInfoRuntimeApi.get_metagraph(netuid, { at: "best" })) as { hotkeys: string[] } | undefined)?.hotkeys,
    transfer: (signer, destination, amount) => track(api.tx.Balances.transfer_keep_alive({ dest: { type: "Id", value: destination }, value: amount }), signer),
    registerNetwork: (signer, hotkey) => track(api.tx.SubtensorModule.register_network({ hotkey }), signer),
    followFinalized: async (onNumber) => {
      const subscription = client.finalizedBlock$.subscribe((block) => onNumber(block.number));
      return () => subscription.unsubscribe();
    },
    close: async () => client.destroy(),
  };
}

export const POLKADOT_API_NEW_SPEC: ClientUnderTest = {
  name: "polkadot-api (new JSON-RPC spec only)",
  connect: async (url) => {
    const client = createClient(getWsRawProvider(url, { websocketClass: WebSocket as never }));
    await client.getFinalizedBlock();
    return papiSession(client);
  },
};

export const POLKADOT_API_LEGACY_BRIDGE: ClientUnderTest = {
  name: "polkadot-api (legacy bridge)",
  connect: async (url) => {
    const client = createClient(getWsProvider(url, { websocketClass: WebSocket as never, middleware: withLegacy }));
    await client.getFinalizedBlock();
    return papiSession(client);
  },
};

// --- dedot -------------------------------------------------------------------------------------

/** subtensor HEAD's ChargeTransactionPaymentWrapper { inner: ChargeTransactionPayment(tip) }, which dedot does not know. */
class ChargeTransactionPaymentWrapper extends SignedExtension<{ inner: bigint }> {
  override async init(): Promise<void> {
    this.data = { inner: BigInt(this.payloadOptions.tip ?? 0) };
  }

  override async fromPayload(payload: { tip?: string }): Promise<void> {
    this.data = { inner: BigInt(payload.tip ?? 0) };
  }

  override toPayload(): { tip: `0x${string}` } {
    return { tip: `0x${this.data.inner.toString(16)}` };
  }
}

function dedotSession(client: Dynamic): ClientSession {
  const track = (tx: Dynamic, pair: KeyringPair): Promise<TrackedTransaction> => {
    const tracker = new Tracker();
    tx.signAndSend(pair, (result: Dynamic) => {
      const type: string = result.status.type;
      if (type === "BestChainBlockIncluded") tracker.saw("inBlock");
      if (type === "Finalized") tracker.finalized(result.status.value.blockHash, result.events.map((e: Dynamic) => `${e.event.pallet}.${e.event.palletEvent.name ?? e.event.palletEvent}`));
      if (type === "Invalid" || type === "Drop") tracker.failed(new Error(`dedot: transaction ${type}: ${JSON.stringify(result.status.value)}`));
    }).catch((error: unknown) => tracker.failed(error));
    return tracker.done;
  };
  const ss58 = (account: Dynamic): string => account.address(42);
  return {
    freeBalance: async (address) => (await client.query.system.account(address)).data.free,
    neuronsLiteHotkeys: async (netuid) => (await client.call.neuronInfoRuntimeApi.getNeuronsLite(netuid)).map((n: Dynamic) => ss58(n.hotkey)),
    metagraphHotkeys: async (netuid) => (await client.call.subnetInfoRuntimeApi.getMetagraph(netuid))?.hotkeys.map(ss58),
    transfer: (signer, destination, amount) => track(client.tx.balances.transferKeepAlive(destination, amount), signer),
    registerNetwork: (signer, hotkey) => track(client.tx.subtensorModule.registerNetwork(hotkey), signer),
    followFinalized: async (onNumber) => client.block.finalized((block: { number: number }) => onNumber(block.number)),
    close: () => client.disconnect(),
  };
}

const DEDOT_OPTIONS = { signedExtensions: { ChargeTransactionPaymentWrapper } };

export const DEDOT_NEW_SPEC: ClientUnderTest = {
  name: "dedot DedotClient (rpcVersion v2)",
  connect: async (url) => dedotSession(await DedotClient.new({ provider: new DedotWsProvider(url), rpcVersion: "v2", ...DEDOT_OPTIONS } as never)),
};

export const DEDOT_LEGACY: ClientUnderTest = {
  name: "dedot LegacyClient",
  connect: async (url) => dedotSession(await LegacyClient.new({ provider: new DedotWsProvider(url), ...DEDOT_OPTIONS } as never)),
};

// --- @polkadot/api -----------------------------------------------------------------------------

type Untyped = (...args: unknown[]) => any;

export const POLKADOT_JS: ClientUnderTest = {
  name: "@polkadot/api 16",
  connect: async (url) => {
    const api = await ApiPromise.create({ provider: new PolkadotJsWsProvider(url), ...SUBTENSOR_API_OPTIONS, throwOnConnect: true, noInitWarn: true });
    const call = (section: string, method: string): Untyped => (api.call as unknown as Record<string, Record<string, Untyped>>)[section]![method]!;
    const track = (tx: { signAndSend: Untyped }, pair: KeyringPair): Promise<TrackedTransaction> => {
      const tracker = new Tracker();
      tx.signAndSend(pair, (result: { status: { isInBlock: boolean; isFinalized: boolean; isInvalid: boolean; isDropped: boolean; type: string; asFinalized: { toHex(): string } }; events: { event: { section: string; method: string } }[] }) => {
        if (result.status.isInBlock) tracker.saw("inBlock");
        if (result.status.isFinalized) tracker.finalized(result.status.asFinalized.toHex(), result.events.map(({ event }) => `${upperFirst(event.section)}.${event.method}`));
        if (result.status.isInvalid || result.status.isDropped) tracker.failed(new Error(`@polkadot/api: transaction ${result.status.type}`));
      }).catch((error: unknown) => tracker.failed(error));
      return tracker.done;
    };
    return {
      freeBalance: async (address) => (await api.query.system.account(address)).data.free.toBigInt(),
      neuronsLiteHotkeys: async (netuid) => ((await call("neuronInfoRuntimeApi", "getNeuronsLite")(netuid)) as { map(f: (n: { hotkey: { toString(): string } }) => string): string[] }).map((n) => n.hotkey.toString()),
      metagraphHotkeys: async (netuid) => {
        const metagraph = await call("subnetInfoRuntimeApi", "getMetagraph")(netuid);
        return metagraph.isSome ? (metagraph.unwrap().hotkeys as { map(f: (h: { toString(): string }) => string): string[] }).map((h) => h.toString()) : undefined;
      },
      transfer: (signer, destination, amount) => track(api.tx.balances.transferKeepAlive(destination, amount) as never, signer),
      registerNetwork: (signer, hotkey) => track((api.tx["subtensorModule"]!["registerNetwork"] as Untyped)(hotkey), signer),
      followFinalized: async (onNumber) => api.rpc.chain.subscribeFinalizedHeads((header) => onNumber(header.number.toNumber())),
      close: () => api.disconnect(),
    };
  },
};

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const ALL_CLIENTS: readonly ClientUnderTest[] = [POLKADOT_API_NEW_SPEC, POLKADOT_API_LEGACY_BRIDGE, DEDOT_NEW_SPEC, DEDOT_LEGACY, POLKADOT_JS];
