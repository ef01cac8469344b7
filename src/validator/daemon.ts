/**
 * The validator daemon for one hotkey. Two loops:
 * - scoring: every step, the serving miners (all, or a rotating sample) are sent a fresh challenge
 *   each, concurrently, with the synapse's deadline; answers are scored by the subnet plugin and
 *   folded into the score book; the round (scores and signed receipts) is saved in one atomic
 *   write. The metagraph is reloaded every few blocks, not every step.
 * - weights: `WeightSetter.tick()` at a new head, at most every few seconds, puts the scores on
 *   chain (commit-reveal, scheduled by block and epoch).
 * The chain is followed by one new-heads subscription (ChainHeads): the step and the weight setter
 * take the block number from it, the weight setter reads the rest in one round trip per tick, and
 * the metagraph (one runtime API call) is reloaded every few blocks.
 * Unregistered, it says so and waits (scores kept); the chain connection reconnects by itself and
 * a failed step is logged and retried at the next.
 */
import { randomInt } from "node:crypto";
import { setMaxListeners } from "node:events";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { ChainConnection } from "../chain/connection.js";
import type { RpcCounts } from "../chain/rpc-counter.js";
import { ChainHeads } from "../chain/heads.js";
import { loadMetagraph, type Metagraph } from "../chain/metagraph.js";
import { SubtensorOperations } from "../chain/operations.js";
import { axonMultiaddr } from "../p2p/discovery.js";
import { createP2PNode, type P2PNode } from "../p2p/node.js";
import { loadOrCreatePeerKey } from "../p2p/peer-key.js";
import { QueryClient, QueryError, type QueryAnswer } from "../p2p/query-client.js";
import type { LoadedPlugin } from "../subnet/loader.js";
import type { Challenge, ValidatorSide } from "../subnet/plugin.js";
import { UserError } from "../util/errors.js";
import { sleep, startOrStop } from "../util/lifecycle.js";
import type { Logger } from "../util/logger.js";
import { prng } from "../util/prng.js";
import type { Sr25519Signer } from "../util/sr25519.js";
import { decodeAddress } from "@polkadot/util-crypto";
import type { StoredReceipt, ValidatorState } from "./state.js";
import type { PublicInterface } from "../subnet/public-api.js";
import { OrganicService, type ServingMiner } from "./gateway/organic-service.js";
import type { OrganicLedger } from "./organic-ledger.js";
import { WeightSetter, type WeightSetterStatus } from "./weight-setter.js";

export interface ValidatorDaemonOptions {
  readonly chain: ChainConnection;
  readonly netuid: number;
  readonly plugin: LoadedPlugin;
  readonly validatorSide: ValidatorSide;
  readonly hotkey: { readonly pair: KeyringPair; readonly signer: Sr25519Signer; readonly name: string };
  readonly state: ValidatorState;
  /** Where the libp2p node keeps its key. */
  readonly p2pDir: string;
  /** The IP and TCP port the libp2p node listens on (0: a free port). */
  readonly host: string;
  readonly port: number;
  /** Miners queried per step (default: every serving miner). */
  readonly sampleSize?: number;
  /** Queries in flight at once (default 256). */
  readonly concurrency?: number;
  /** Least time between the starts of two steps, ms (default 5 s). */
  readonly stepIntervalMs?: number;
  /** The metagraph is reloaded when it is this many blocks old (default 5). */
  readonly resyncBlocks?: number;
  /** The least time between two looks of the weight setter at the chain, ms (default 3 s); it looks at a new head. */
  readonly weightsIntervalMs?: number;
  readonly versionKey?: bigint;
  /** Users' requests: the plugin's public interface and where they are recorded (no gateway without it). */
  readonly organic?: { readonly api: PublicInterface; readonly ledger: OrganicLedger; readonly restMs?: number };
  /** Run the scoring and weights loops (default true; false: the caller calls `step()`, as benchmarks do). */
  readonly autorun?: boolean;
  readonly log: Logger;
}

export interface StepReport {
  readonly block: number;
  readonly queried: number;
  readonly answered: number;
  readonly ms: number;
}

export interface ValidatorStatus {
  readonly hotkey: string;
  readonly uid: number | undefined;
  readonly permit: boolean;
  readonly metagraphBlock: number;
  readonly steps: number;
  readonly lastStep: StepReport | undefined;
  /** Queries by outcome: answered, or the error's code (TIMEOUT, REFUSED, …). */
  readonly queries: Readonly<Record<string, number>>;
  readonly scored: number;
  readonly weights: WeightSetterStatus;
  /** The chain connection's requests by method and the blocks followed. */
  readonly chainRpc?: RpcCounts;
}

/** One query of a step, its challenge made ahead. */
interface Planned {
  readonly miner: ServingMiner;
  readonly challenge: Challenge;
  readonly timeoutMs: number;
}

interface Outcome {
  readonly planned: Planned;
  readonly answer?: QueryAnswer;
}

export class ValidatorDaemon {
  readonly #o: ValidatorDaemonOptions;
  readonly #ops: SubtensorOperations;
  readonly #weights: WeightSetter;
  readonly #stop = new AbortController();
  readonly #queries = new Map<string, number>();
  #node: P2PNode | undefined;
  #client: QueryClient | undefined;
  #metagraph: Metagraph | undefined;
  /** The serving miners of the metagraph in use (self excepted), with where to reach them. */
  #serving: ServingMiner[] = [];
  #organic: OrganicService | undefined;
  #uid: number | undefined;
  #registeredSaid: boolean | undefined;
  #steps = 0;
  #lastStep: StepReport | undefined;
  #cursor = 0;
  /** The next step's challenges, made after the previous step. */
  #plan: Promise<Planned[]> | undefined;
  #loop: Promise<void> | undefined;
  #weightsTimer: NodeJS.Timeout | undefined;
  #heads: ChainHeads | undefined;
  /** When the weight setter last looked (performance.now()). */
  #weightsAt = Number.NEGATIVE_INFINITY;

  private constructor(options: ValidatorDaemonOptions) {
    this.#o = options;
    // Every query of a step listens to the stop signal: hundreds at once by design.
    setMaxListeners(0, this.#stop.signal);
    this.#ops = new SubtensorOperations(options.chain);
    this.#weights = new WeightSetter({ ops: this.#ops, netuid: options.netuid, hotkey: options.hotkey.pair, state: options.state, ...(options.versionKey === undefined ? {} : { versionKey: options.versionKey }), head: () => this.#heads?.head, log: options.log });
  }

  static start(options: ValidatorDaemonOptions): Promise<ValidatorDaemon> {
    const daemon = new ValidatorDaemon(options);
    return startOrStop(daemon, () => daemon.#start());
  }

  get hotkeyAddress(): string {
    return this.#o.hotkey.pair.address;
  }

  status(): ValidatorStatus {
    const self = this.#uid === undefined ? undefined : this.#metagraph?.neurons[this.#uid];
    return {
      hotkey: this.hotkeyAddress,
      uid: this.#uid,
      permit: self?.validatorPermit ?? false,
      metagraphBlock: this.#metagraph?.block ?? 0,
      steps: this.#steps,
      lastStep: this.#lastStep,
      queries: Object.fromEntries(this.#queries),
      scored: this.#o.state.book.entries().length,
      weights: this.#weights.status(),
      chainRpc: this.#o.chain.rpc.snapshot(),
    };
  }

  async #start(): Promise<void> {
    const o = this.#o;
    const metagraph = await loadMetagraph(o.chain.api, o.netuid, { withoutTrust: true });
    if (!metagraph) throw new UserError("NO_SUBNET", `subnet ${o.netuid} does not exist on ${o.chain.endpoint}`);
    this.#adopt(metagraph);
    this.#node = await createP2PNode({ privateKey: await loadOrCreatePeerKey(o.p2pDir), listen: [`/ip4/${o.host}/tcp/${o.port}`], gossip: false, log: o.log });
    // Answers' signatures are checked on a worker thread once the step has its last answer (the
    // step's time is the queries' alone). The gateway has its answers checked before they return.
    this.#client = new QueryClient({ libp2p: this.#node.libp2p, hotkey: o.hotkey.signer, netuid: o.netuid, genesisHash: o.chain.api.genesisHash.toU8a(), checkAnswers: "after-flush", log: o.log });
    if (o.organic) {
      const client = this.#client;
      this.#organic = new OrganicService({
        api: o.organic.api,
        ledger: o.organic.ledger,
        serving: () => (this.#uid === undefined ? [] : this.#serving),
        score: (uid) => o.state.book.get(uid),
        query: (target, synapse, body, options) => client.query(target, synapse, body, { ...options, signal: options.signal ? AbortSignal.any([options.signal, this.#stop.signal]) : this.#stop.signal }),
        penalize: (uid, hotkey) => void o.state.book.record(uid, hotkey, 0, Date.now()),
        ...(o.organic.restMs === undefined ? {} : { restMs: o.organic.restMs }),
        log: o.log.child({ module: "gateway" }),
      });
    }
    if (o.autorun !== false) {
      const heads = new ChainHeads(o.chain);
      this.#heads = heads;
      // The weight setter looks at a new head, at most every weightsIntervalMs (so at most once per
      // block); the timer only covers heads that stop coming (a subscription lost with its connection).
      const stopWeights = heads.every(o.weightsIntervalMs ?? 3_000, () => this.#weightsTick());
      this.#stop.signal.addEventListener(
        "abort",
        () => {
          stopWeights();
          heads.stop();
        },
        { once: true },
      );
      await heads.start();
      this.#loop = this.#run();
      const watchdogMs = Math.max(30_000, 4 * (o.weightsIntervalMs ?? 3_000));
      this.#weightsTimer = setInterval(() => void (performance.now() - this.#weightsAt >= watchdogMs && this.#weightsTick()), watchdogMs);
      void this.#weightsTick();
    }
    o.log.info({ hotkey: this.hotkeyAddress, uid: this.#uid, netuid: o.netuid, subnet: o.plugin.manifest.name, peerId: this.#node.peerId }, "validator running");
  }

  #weightsTick(): Promise<void> {
    this.#weightsAt = performance.now();
    return this.#weights.tick();
  }

  /** The organic service behind the gateway (undefined without the `organic` option). */
  get organic(): OrganicService | undefined {
    return this.#organic;
  }

  /** Takes a freshly loaded metagraph: own uid, and scores of uids now held by other hotkeys dropped. */
  #adopt(metagraph: Metagraph): boolean {
    const o = this.#o;
    this.#metagraph = metagraph;
    this.#serving = this.#servingOf(metagraph);
    const uid = metagraph.neurons.find((n) => n.hotkey === this.hotkeyAddress)?.uid;
    if (uid !== this.#uid || this.#registeredSaid === undefined) {
      if (uid === undefined) o.log.warn({ hotkey: this.hotkeyAddress, netuid: o.netuid }, `hotkey "${o.hotkey.name}" is not registered on subnet ${o.netuid}; scores are kept and queries wait for its registration (tensornode register --netuid ${o.netuid} --hotkey ${o.hotkey.name})`);
      else if (this.#registeredSaid !== undefined) o.log.info({ uid }, "the hotkey is registered again; resuming");
      this.#registeredSaid = uid !== undefined;
    }
    this.#uid = uid;
    return o.state.book.reconcile(metagraph.neurons.map((n) => n.hotkey)) > 0;
  }

  async #run(): Promise<void> {
    const o = this.#o;
    while (!this.#stop.signal.aborted) {
      const started = performance.now();
      try {
        await this.step();
      } catch (error) {
        o.log.warn({ error: (error as Error).message }, "a validator step failed; retrying at the next");
      }
      await sleep(Math.max(0, (o.stepIntervalMs ?? 5_000) - (performance.now() - started)), this.#stop.signal);
    }
  }

  #servingOf(metagraph: Metagraph): ServingMiner[] {
    return metagraph.neurons.flatMap((n) => {
      const peer = n.hotkey !== this.hotkeyAddress && n.axon ? axonMultiaddr(n.axon) : undefined;
      return peer ? [{ uid: n.uid, hotkey: n.hotkey, target: { peer, hotkey: decodeAddress(n.hotkey) } }] : [];
    });
  }

  /** The miners to query next: every serving one, or the next `sampleSize` of them in turn. */
  #targets(): ServingMiner[] {
    const serving = this.#serving;
    const size = this.#o.sampleSize;
    if (size === undefined || size >= serving.length) return serving;
    const picked: ServingMiner[] = [];
    for (let i = 0; i < size; i++) picked.push(serving[(this.#cursor + i) % serving.length]!);
    this.#cursor = (this.#cursor + size) % serving.length;
    return picked;
  }

  /** The next step's queries, challenges made (off the step's critical path). */
  async #makePlan(): Promise<Planned[]> {
    const o = this.#o;
    const targets = this.#targets();
    const plan: Planned[] = [];
    for (const miner of targets) {
      const challenge = await o.validatorSide.challenge(prng(randomInt(2 ** 31)));
      plan.push({ miner, challenge, timeoutMs: o.plugin.manifest.synapses[challenge.synapse]?.timeoutMs ?? 12_000 });
    }
    return plan;
  }

  /**
   * One scoring round (public for tests and the step benchmark). Its critical path is the queries
   * alone: the challenges were made after the previous step, the block is read alongside, and the
   * scores, the receipts, the metagraph's refresh and the next challenges come after the last answer
   * (`ms` is the time to that answer).
   */
  async step(): Promise<StepReport> {
    const o = this.#o;
    const started = performance.now();
    const head = this.#heads?.head;
    const blockRead = head === undefined ? this.#ops.read.blockNumber().then(Number) : Promise.resolve(Number(head));
    blockRead.catch(() => undefined);
    const pending = this.#plan;
    this.#plan = undefined;
    const registered = this.#uid !== undefined;
    const plan = registered ? await (pending ?? this.#makePlan()) : [];
    const outcomes: Outcome[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < plan.length && !this.#stop.signal.aborted) outcomes.push(await this.#queryOne(plan[next++]!));
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 256, plan.length) }, worker));
    const ms = performance.now() - started;
    // A step cut short by stop() is dropped whole: its cancelled queries say nothing of the miners.
    if (this.#stop.signal.aborted) return { block: 0, queried: 0, answered: 0, ms };
    const receipts = this.#score(await this.#checked(outcomes));
    if (registered) await o.state.saveRound(receipts);
    const block = await blockRead;
    if (!this.#metagraph || block - this.#metagraph.block >= (o.resyncBlocks ?? 5)) {
      const metagraph = await loadMetagraph(o.chain.api, o.netuid, { withoutTrust: true });
      if (!metagraph) throw new UserError("NO_SUBNET", `subnet ${o.netuid} no longer exists`);
      if (this.#adopt(metagraph)) await o.state.saveScores();
    }
    if (this.#uid !== undefined) {
      this.#plan = this.#makePlan();
      this.#plan.catch(() => undefined);
    }
    if (registered) this.#steps += 1;
    this.#lastStep = { block, queried: plan.length, answered: receipts.length, ms };
    o.log.debug(this.#lastStep, "validator step");
    return this.#lastStep;
  }

  async #queryOne(planned: Planned): Promise<Outcome> {
    const { miner, challenge, timeoutMs } = planned;
    try {
      const answer = await this.#client!.query(miner.target, challenge.synapse, challenge.body, { timeoutMs, signal: this.#stop.signal });
      return { planned, answer };
    } catch (error) {
      this.#bump(error instanceof QueryError ? error.code : "ERROR");
      this.#o.log.debug({ uid: miner.uid, error: (error as Error).message }, "no answer");
      return { planned };
    }
  }

  /** The outcomes with each answer's signature checked: an answer that fails its check counts as none (BAD_RESPONSE). */
  async #checked(outcomes: readonly Outcome[]): Promise<Outcome[]> {
    this.#client!.flushChecks();
    return Promise.all(
      outcomes.map(async (outcome) => {
        if (!outcome.answer) return outcome;
        try {
          await outcome.answer.checked;
          this.#bump("answered");
          return outcome;
        } catch (error) {
          this.#bump("BAD_RESPONSE");
          this.#o.log.debug({ uid: outcome.planned.miner.uid, error: (error as Error).message }, "an answer whose signature does not verify");
          return { planned: outcome.planned };
        }
      }),
    );
  }

  /** Scores a step's outcomes into the book; the receipts of the answers, to save. */
  #score(outcomes: readonly Outcome[]): Omit<StoredReceipt, "bodyOmitted">[] {
    const o = this.#o;
    const side = o.validatorSide;
    const now = Date.now();
    const receipts: Omit<StoredReceipt, "bodyOmitted">[] = [];
    for (const { planned, answer } of outcomes) {
      const { miner, challenge, timeoutMs } = planned;
      let score = answer ? side.score(challenge, answer.body, answer.latencyMs) : side.score(challenge, undefined, timeoutMs);
      if (!(score >= 0 && score <= 1)) {
        o.log.warn({ uid: miner.uid, score }, `the ${o.plugin.manifest.name} plugin scored outside [0, 1]; counted as 0`);
        score = 0;
      }
      o.state.book.record(miner.uid, miner.hotkey, score, now);
      if (answer) receipts.push({ uid: miner.uid, hotkey: miner.hotkey, synapse: challenge.synapse, score, latencyMs: answer.latencyMs, atMs: now, receipt: answer.receipt });
    }
    return receipts;
  }

  #bump(outcome: string): void {
    this.#queries.set(outcome, (this.#queries.get(outcome) ?? 0) + 1);
  }

  /**
   * Stops both loops: the step in flight is abandoned (its queries are cancelled, nothing
   * half-saved) and a weights transaction in flight is no longer waited for (see WeightSetter.stop);
   * then the query client and the p2p node. The caller bounds the whole (stopInOrder).
   */
  async stop(): Promise<void> {
    this.#stop.abort();
    clearInterval(this.#weightsTimer);
    await Promise.all([this.#loop?.catch(() => undefined), this.#weights.stop(1_000)]);
    await this.#client?.close();
    await this.#node?.stop();
  }
}
