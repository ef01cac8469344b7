/** An in-process devnet with a connected ApiPromise, for integration tests. */
import "../../src/util/polyfill.js";
import "@polkadot/api-augment";
import { ApiPromise, Keyring, WsProvider } from "@polkadot/api";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { SubmittableExtrinsic } from "@polkadot/api/types";
import type { ISubmittableResult } from "@polkadot/types/types";
import { DevnetNode, type DevnetOptions } from "../../src/devnet/node.js";
import { DEFAULT_GENESIS_JSON, parseGenesis, type GenesisConfig } from "../../src/devnet/genesis.js";
import { SUBTENSOR_API_OPTIONS } from "../../src/params/chain-options.js";
import { createLogger } from "../../src/util/logger.js";
import { connectChain, type ChainConnection } from "../../src/chain/connection.js";
import { SubtensorOperations } from "../../src/chain/operations.js";

export interface TestDevnet {
  readonly node: DevnetNode;
  readonly api: ApiPromise;
  readonly alice: KeyringPair;
  readonly bob: KeyringPair;
  readonly charlie: KeyringPair;
  close(): Promise<void>;
}

export const silentLog = createLogger({ level: "silent", format: "json" });

export async function startDevnet(options: Partial<DevnetOptions> = {}): Promise<TestDevnet> {
  const node = await DevnetNode.start({ port: 0, blockTime: { mode: "instant" }, log: silentLog, ...options });
  const api = await ApiPromise.create({ provider: new WsProvider(node.endpoint.wsUrl), ...SUBTENSOR_API_OPTIONS, throwOnConnect: true }).catch(async (error: unknown) => {
    await node.stop();
    throw error;
  });
  const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
  return {
    node,
    api,
    alice: keyring.addFromUri("//Alice"),
    bob: keyring.addFromUri("//Bob"),
    charlie: keyring.addFromUri("//Charlie"),
    close: async () => {
      await api.disconnect();
      await node.stop();
    },
  };
}

/** Signs, submits and waits for finality; resolves with the final result (events included). */
export function sendAndFinalize(tx: SubmittableExtrinsic<"promise">, signer: KeyringPair, options: Record<string, unknown> = {}): Promise<ISubmittableResult> {
  return new Promise((resolve, reject) => {
    let unsubscribe: (() => void) | undefined;
    tx.signAndSend(signer, options, (result) => {
      if (result.status.isFinalized) {
        unsubscribe?.();
        resolve(result);
      } else if (result.status.isInvalid || result.status.isDropped || result.status.isUsurped) {
        unsubscribe?.();
        reject(new Error(`transaction ${result.status.type}`));
      }
    })
      .then((u) => (unsubscribe = u))
      .catch(reject);
  });
}

/**
 * Signs, submits and waits for inclusion (finality trails it by a second); resolves with the
 * result at inBlock, or at finalized should @polkadot/api have skipped inBlock.
 */
export function sendAndInclude(tx: SubmittableExtrinsic<"promise">, signer: KeyringPair, options: Record<string, unknown> = {}): Promise<ISubmittableResult> {
  return new Promise((resolve, reject) => {
    let unsubscribe: (() => void) | undefined;
    let settled = false;
    tx.signAndSend(signer, options, (result) => {
      if (settled) return;
      if (result.status.isInBlock || result.status.isFinalized) {
        settled = true;
        unsubscribe?.();
        resolve(result);
      } else if (result.status.isInvalid || result.status.isDropped || result.status.isUsurped) {
        settled = true;
        unsubscribe?.();
        reject(new Error(`transaction ${result.status.type}`));
      }
    })
      .then((u) => {
        if (settled) u();
        else unsubscribe = u;
      })
      .catch(reject);
  });
}

/** The error of a JSON-RPC call, or a failure if it succeeded. */
export async function rpcError(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail");
}

/** With manual block production: submits, waits until the pool holds it, makes a block, waits for inclusion. */
export async function includeManually(net: TestDevnet, tx: SubmittableExtrinsic<"promise">, signer: KeyringPair, options: Record<string, unknown> = {}): Promise<ISubmittableResult> {
  const poolBefore = net.node.pool.size;
  const result = sendAndInclude(tx, signer, options);
  const deadline = Date.now() + 5000;
  while (net.node.pool.size <= poolBefore) {
    if (Date.now() > deadline) throw new Error("the transaction never reached the pool");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await net.node.newBlocks(1);
  return result;
}

/** The default genesis with subtensor HEAD's waits (`mainnet-like` preset), for tests of HEAD's rules. */
export function mainnetLikeGenesis(): GenesisConfig {
  return parseGenesis({ ...DEFAULT_GENESIS_JSON, subtensor: { preset: "mainnet-like" } }, "mainnet-like test genesis");
}

/** A call or query polkadot.js builds from the devnet's metadata (SubtensorModule is not in api-augment's types). */
export type Untyped = (...args: unknown[]) => any;

/**
 * SubtensorModule / AdminUtils calls, queries and runtime APIs by name, and `ok` (include a call,
 * assert it succeeded). `getNet` is read at call time, so tests may start the devnet in `before`.
 */
export function subtensorCalls(getNet: () => TestDevnet) {
  return {
    tx: (name: string): Untyped => getNet().api.tx["subtensorModule"]![name] as Untyped,
    admin: (name: string): Untyped => getNet().api.tx["adminUtils"]![name] as Untyped,
    query: (name: string): Untyped => getNet().api.query["subtensorModule"]![name] as unknown as Untyped,
    call: (api: string, method: string): Untyped => getNet().api.call[api]![method] as unknown as Untyped,
    ok: async (extrinsic: unknown, signer: KeyringPair): Promise<void> => {
      const result = await includeManually(getNet(), extrinsic as never, signer);
      if (result.dispatchError) throw new Error(`expected success, got ${result.dispatchError.toString()}`);
    },
  };
}

/** A client of the devnet at `wsUrl` and a started subnet owned by Alice (owner hotkey //Owner). */
export async function startedSubnet(wsUrl: string): Promise<{ chain: ChainConnection; ops: SubtensorOperations; alice: KeyringPair; netuid: number }> {
  const chain = await connectChain(wsUrl);
  const ops = new SubtensorOperations(chain);
  const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
  const alice = keyring.addFromUri("//Alice");
  const { netuid } = await ops.registerNetwork(alice, keyring.addFromUri("//Owner").address);
  await ops.startSubnet(alice, netuid);
  return { chain, ops, alice, netuid };
}
