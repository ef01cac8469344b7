/**
 * The devnet's chain: genesis or the stored chain at start, the best block (the head) and its
 * state, blocks by hash and number, the import of each new block (persisted first, then made
 * visible), and the finalized block, which trails the head (finality.ts decides when a block is
 * final). There are no forks: every block is final eventually, and a restart finds its whole
 * stored chain final.
 */
import { toHex } from "../codec/hex.js";
import { ChainState, type ChangeSet } from "../state/chain-state.js";
import { StateWithEntries, type SortedStateReader } from "../state/with-entries.js";
import { CODE_KEY, runtimeCode } from "../runtime/code.js";
import type { DevRuntime, ChainView } from "../runtime/runtime.js";
import type { GenesisConfig } from "../genesis.js";
import { genesisDigest } from "../genesis.js";
import { extrinsicsRoot, hashHeader, type Block, type Header } from "./block.js";
import { buildBlock, type BuiltBlock } from "./block-builder.js";
import type { BlockStore } from "./block-store.js";
import type { CheckedTransaction } from "../runtime/runtime.js";
import { CodedError, UserError } from "../../util/errors.js";

export interface ChainOptions {
  readonly runtime: DevRuntime;
  readonly store: BlockStore;
  readonly genesis: GenesisConfig;
  /** How many recent blocks' state stays readable. */
  readonly stateHistory: number;
  readonly clock: () => number;
}

export type NewBlockListener = (block: Block, changes: ChangeSet) => void;
/** Hears the blocks that became final, oldest first. */
export type FinalizedListener = (hashes: readonly Uint8Array[]) => void;

const RECENT_BLOCKS = 512;
const SLOT_DURATION_MS = 12_000n;

export class ChainCorruptError extends CodedError<"CHAIN_CORRUPT"> {
  constructor(message: string) {
    super("CHAIN_CORRUPT", message);
  }
}

export class Chain {
  readonly runtime: DevRuntime;
  readonly state: ChainState;
  readonly genesisHash: Uint8Array;
  readonly #store: BlockStore;
  readonly #clock: () => number;
  readonly #hashes: Uint8Array[];
  readonly #numberByHash = new Map<string, number>();
  readonly #recent = new Map<string, Block>();
  readonly #listeners = new Set<NewBlockListener>();
  readonly #finalizedListeners = new Set<FinalizedListener>();
  /** Entries served beside every block's storage: the runtime's `:code` (see runtime/code.ts). */
  readonly #runtimeEntries: ReadonlyMap<string, Uint8Array>;
  #head: Block;
  #finalizedNumber: number;
  #importing: Promise<unknown> = Promise.resolve();

  private constructor(options: ChainOptions, state: ChainState, hashes: Uint8Array[], head: Block) {
    this.runtime = options.runtime;
    this.#runtimeEntries = new Map([[CODE_KEY, runtimeCode(options.runtime.constants.version, options.runtime.metadata)]]);
    this.#store = options.store;
    this.#clock = options.clock;
    this.state = state;
    this.#hashes = hashes;
    hashes.forEach((hash, number) => this.#numberByHash.set(toHex(hash), number));
    this.genesisHash = hashes[0]!;
    this.#head = head;
    this.#finalizedNumber = head.header.number;
    this.#recent.set(toHex(head.hash), head);
  }

  /** Opens the stored chain, or writes genesis into an empty store. */
  static async open(options: ChainOptions): Promise<Chain> {
    const { runtime, store, genesis } = options;
    const digest = genesisDigest(genesis);
    const stored = await store.genesis();
    const state = new ChainState(options.stateHistory);
    if (!stored) {
      const entries = new Map<string, Uint8Array | null>([
        ...runtime.system.genesisStorage(),
        ...runtime.balances.genesisStorage(genesis.balances),
        ...runtime.sudo.genesisStorage(genesis.sudo),
        ...runtime.subtensor.genesisStorage(),
      ]);
      state.load([], 0, []);
      const header: Header = { parentHash: new Uint8Array(32), number: 0, stateRoot: state.rootAfter(entries), extrinsicsRoot: extrinsicsRoot([]), digest: [] };
      const block: Block = { header, hash: hashHeader(header), extrinsics: [] };
      await store.writeGenesis({ configDigest: digest, hash: toHex(block.hash) }, block, entries);
      state.apply(0, entries, new Map());
      return new Chain(options, state, [block.hash], block);
    }
    if (stored.configDigest !== digest)
      throw new UserError("GENESIS_MISMATCH", "the data dir holds a chain made from another genesis; start with --fresh to discard it, or use another --data-dir");
    const head = await store.head();
    if (!head) throw new ChainCorruptError("the data dir has a genesis but no head block");
    const hashes = await store.hashes();
    if (hashes.length !== head.number + 1 || toHex(hashes[head.number]!) !== toHex(head.hash)) throw new ChainCorruptError("the block index does not match the head");
    const headBlock = await store.block(head.hash);
    if (!headBlock) throw new ChainCorruptError(`head block ${toHex(head.hash)} is missing`);
    const entries: [string, Uint8Array][] = [];
    for await (const entry of store.state()) entries.push(entry);
    state.load(entries, head.number, await store.undoLogs());
    if (toHex(state.root()) !== toHex(headBlock.header.stateRoot))
      throw new ChainCorruptError(`stored state does not match block #${head.number}'s state root: the data dir is damaged`);
    return new Chain(options, state, hashes, headBlock);
  }

  get head(): Block {
    return this.#head;
  }

  get headNumber(): number {
    return this.#head.header.number;
  }

  /** The number of the last final block (never above the head). */
  get finalizedNumber(): number {
    return this.#finalizedNumber;
  }

  get finalizedHash(): Uint8Array {
    return this.#hashes[this.#finalizedNumber]!;
  }

  /** Whether the block with this hash is final. */
  isFinal(hash: Uint8Array | string): boolean {
    const number = this.numberOf(hash);
    return number !== undefined && number <= this.#finalizedNumber;
  }

  /** Makes the blocks up to `number` final (never past the head, never backwards) and tells the listeners. */
  finalizeUpTo(number: number): void {
    const target = Math.min(number, this.headNumber);
    if (target <= this.#finalizedNumber) return;
    const hashes = this.#hashes.slice(this.#finalizedNumber + 1, target + 1);
    this.#finalizedNumber = target;
    for (const listener of this.#finalizedListeners) listener(hashes);
  }

  onFinalized(listener: FinalizedListener): () => void {
    this.#finalizedListeners.add(listener);
    return () => this.#finalizedListeners.delete(listener);
  }

  view(): ChainView {
    return { state: this.state, headNumber: this.headNumber, headHash: this.#head.hash, genesisHash: this.genesisHash };
  }

  hashAt(number: number): Uint8Array | undefined {
    return this.#hashes[number];
  }

  numberOf(hash: Uint8Array | string): number | undefined {
    return this.#numberByHash.get(typeof hash === "string" ? hash.toLowerCase() : toHex(hash));
  }

  async block(hash: Uint8Array): Promise<Block | undefined> {
    return this.#recent.get(toHex(hash)) ?? (this.numberOf(hash) === undefined ? undefined : this.#store.block(hash));
  }

  /**
   * The state after the block with this hash (the head when omitted), as clients read it: with
   * the runtime's `:code`. Throws UnknownBlockError, or StatePrunedError for a block too old.
   */
  stateAt(hash?: Uint8Array): SortedStateReader {
    if (!hash) return new StateWithEntries(this.state, this.#runtimeEntries);
    const number = this.numberOf(hash);
    if (number === undefined) throw new UnknownBlockError(toHex(hash));
    return new StateWithEntries(this.state.at(number), this.#runtimeEntries);
  }

  onNewBlock(listener: NewBlockListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Builds, persists and imports the next block. Calls are serialised. */
  produceBlock(candidates: () => readonly CheckedTransaction[]): Promise<BuiltBlock> {
    const next = this.#importing.then(() => this.#produce(candidates()));
    this.#importing = next.catch(() => undefined);
    return next;
  }

  async #produce(candidates: readonly CheckedTransaction[]): Promise<BuiltBlock> {
    const parent = this.#head;
    const built = buildBlock({
      runtime: this.runtime,
      state: this.state,
      parent: { hash: parent.hash, number: parent.header.number },
      candidates,
      nowMs: BigInt(this.#clock()),
      slotDurationMs: SLOT_DURATION_MS,
    });
    const { block, changes } = built;
    const undo = this.state.undoFor(changes);
    const prunable = block.header.number - this.state.historyLength;
    await this.#store.writeBlock(block, changes, undo, prunable >= 1 ? [prunable] : []);
    this.state.apply(block.header.number, changes, undo);
    this.#hashes.push(block.hash);
    this.#numberByHash.set(toHex(block.hash), block.header.number);
    this.#recent.set(toHex(block.hash), block);
    this.#forgetOldBlocks();
    this.#head = block;
    for (const listener of this.#listeners) listener(block, changes);
    return built;
  }

  /** Keeps the last RECENT_BLOCKS blocks in memory, and every block not yet final. */
  #forgetOldBlocks(): void {
    for (const [hash, block] of this.#recent) {
      if (this.#recent.size <= RECENT_BLOCKS || block.header.number > this.#finalizedNumber) return;
      this.#recent.delete(hash);
    }
  }

  /** A block kept in memory (the recent ones and every one not yet final), without a disk read. */
  recentBlock(hash: Uint8Array | string): Block | undefined {
    return this.#recent.get(typeof hash === "string" ? hash.toLowerCase() : toHex(hash));
  }

  /** Waits for a block being imported to finish. */
  async idle(): Promise<void> {
    await this.#importing;
  }
}

export class UnknownBlockError extends CodedError<"UNKNOWN_BLOCK"> {
  constructor(hash: string) {
    super("UNKNOWN_BLOCK", `Unknown block: ${hash}`);
  }
}
