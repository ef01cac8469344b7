/**
 * Everything the CLI and the daemons do on chain, as typed operations. Each one checks first what
 * the chain would refuse (balance, registration, ownership, permit, rate limits with the blocks
 * left, version key, the reveal window) and says so in one line before anything is signed; then it
 * submits with the signer's next nonce, waits for inclusion with a time-out, and turns any refusal
 * or failed dispatch into a typed ChainError. The chain stays the judge: a pre-check that passes
 * proves nothing, it only spares the user a fee and a cryptic error.
 */
import type { SubmittableExtrinsic } from "@polkadot/api/types";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { Codec } from "@polkadot/types/types";
import { stringCamelCase } from "@polkadot/util";
import type { ChainConnection } from "./connection.js";
import { ChainError, refused } from "./errors.js";
import { blocksLeft, ChainReader, type WeightCommit } from "./reads.js";
import type { Signer } from "./signer.js";
import { submitAndWait, type Included, type SubmitOptions } from "./submit.js";
import { formatTao } from "./units.js";
import { OWNER_RATE_LIMIT_KEYS } from "./owner-limits.js";
import { commitHash, toU16Weights, type U16Weights } from "./weights.js";
import { CALL_SHAPES, type KnownCall } from "./call-shapes.js";
import { blocksPerEpoch, epochIndexAt } from "./epoch-schedule.js";
import { runtimeCapabilities } from "./runtime-capabilities.js";

/** Alpha or TAO below this cannot be staked (HEAD's DefaultMinStake, 0.002 TAO). */
export const MIN_STAKE_RAO = 2_000_000n;

/** How an operation submits (time-out, progress, the CLI's guard and journal): submitAndWait's options; each operation says `what` itself. */
export type OperationOptions = Omit<SubmitOptions, "what">;

export interface AxonSpec {
  readonly ip: string;
  readonly port: number;
  /** 4 (as Bittensor's SDK sends) unless told otherwise. */
  readonly protocol?: number;
  readonly version?: number;
}

export interface CommittedWeights {
  readonly included: Included;
  readonly hash: string;
  readonly weights: U16Weights;
  readonly salt: readonly number[];
  readonly versionKey: bigint;
  /** The epoch index in which the reveal is accepted. */
  readonly revealEpoch: bigint;
  /** The commit as the chain keeps it (its epoch and block), read back after inclusion. */
  readonly onChain: WeightCommit | undefined;
}

type Tx = SubmittableExtrinsic<"promise">;
type TxBuilder = (...args: unknown[]) => Tx;

const tao = (rao: bigint): string => `${formatTao(rao, 4)} TAO`;

/** The data of the first `section.method` event of an inclusion, or undefined. */
export function eventData(included: Included, section: string, method: string): Codec[] | undefined {
  const found = included.events.find(({ event }) => event.section === section && event.method === method);
  return found ? [...found.event.data] : undefined;
}

export class SubtensorOperations {
  readonly chain: ChainConnection;
  readonly read: ChainReader;

  constructor(chain: ChainConnection) {
    this.chain = chain;
    this.read = new ChainReader(chain.api, chain.log ? { log: chain.log } : {});
  }

  /** A call's builder, once the runtime is known to have it with the arguments tensornode encodes. */
  #tx(name: KnownCall, what: string): TxBuilder {
    const [pallet, call] = name.split(".") as [string, string];
    runtimeCapabilities(this.chain.api).requireCall(pallet, call, CALL_SHAPES[name], what);
    return this.chain.api.tx[stringCamelCase(pallet)]![stringCamelCase(call)] as unknown as TxBuilder;
  }

  async #submit(tx: Tx, signer: Signer, what: string, options: OperationOptions): Promise<Included> {
    return submitAndWait(this.chain.api, this.chain.nonces, tx, signer, { what, ...options });
  }

  async #nextBlock(): Promise<bigint> {
    return (await this.read.blockNumber()) + 1n;
  }

  async #requireSubnet(netuid: number): Promise<void> {
    if (!(await this.read.subnetExists(netuid))) throw refused("NO_SUBNET", `subnet ${netuid} does not exist; list the subnets with \`tensornode subnet list\``);
  }

  /** Refuses unless the free balance pays `amount` plus the transaction's fee (and keeps the account alive). */
  async #requireFunds(signer: Signer, tx: Tx, amount: bigint, what: string): Promise<void> {
    const [free, info] = await Promise.all([this.read.freeBalance(signer.address), tx.paymentInfo(signer.address)]);
    const fee = info.partialFee.toBigInt();
    const needed = amount + fee + this.read.existentialDeposit();
    if (free < needed)
      throw refused(
        "INSUFFICIENT_BALANCE",
        `${what} needs ${tao(amount)} plus a ${formatTao(fee)} TAO fee, but ${signer.address} has ${tao(free)} free; fund it (\`tensornode wallet transfer\`) and retry`,
      );
  }

  async #requireOwner(signer: Signer, netuid: number, what: string): Promise<void> {
    const owner = await this.read.subnetOwner(netuid);
    if (owner !== signer.address) throw refused("NOT_OWNER", `${what}: only subnet ${netuid}'s owner ${owner} may do this, not ${signer.address}; use the owner's wallet`);
  }

  async #requireRegistered(netuid: number, hotkey: string): Promise<number> {
    const uid = await this.read.uidOf(netuid, hotkey);
    if (uid === undefined) throw refused("NOT_REGISTERED", `hotkey ${hotkey} is not registered on subnet ${netuid}; register it with \`tensornode register --netuid ${netuid}\``);
    return uid;
  }

  // --- subnets -------------------------------------------------------------------------------

  /** register_network: the coldkey locks the registration cost and owns the new subnet; `hotkey` becomes uid 0. */
  async registerNetwork(coldkey: Signer, hotkey: string, options: OperationOptions = {}): Promise<{ netuid: number; lockCost: bigint; included: Included }> {
    const [cost, left] = [await this.read.networkRegistrationCost(), await this.read.networkRateLimitBlocksLeft(await this.#nextBlock())];
    if (left > 0n) throw refused("RATE_LIMITED", `no subnet may be registered for ${left} more blocks (the network registration rate limit); retry then`);
    const tx = this.#tx("SubtensorModule.register_network", "no subnet can be registered")(hotkey);
    await this.#requireFunds(coldkey, tx, cost, "creating a subnet");
    const included = await this.#submit(tx, coldkey, "register a subnet", options);
    const added = eventData(included, "subtensorModule", "NetworkAdded");
    if (!added) throw new ChainError("TX_FAILED", "NetworkAdded", "register a subnet: included, but the chain emitted no NetworkAdded event");
    return { netuid: Number(added[0]!.toString()), lockCost: cost, included };
  }

  /** start_call: starts emission and staking on the owner's subnet. */
  async startSubnet(coldkey: Signer, netuid: number, options: OperationOptions = {}): Promise<Included> {
    await this.#requireSubnet(netuid);
    await this.#requireOwner(coldkey, netuid, `start subnet ${netuid}`);
    if (await this.read.subnetStarted(netuid)) throw refused("SUBNET_ALREADY_STARTED", `subnet ${netuid} is already started`);
    return this.#submit(this.#tx("SubtensorModule.start_call", `subnet ${netuid} cannot be started`)(netuid), coldkey, `start subnet ${netuid}`, options);
  }

  /** An AdminUtils call as the subnet owner, or wrapped in Sudo when root must make it. */
  async adminCall(signer: Signer, netuid: number, call: Tx, setter: "owner" | "root", what: string, options: OperationOptions = {}): Promise<Included> {
    await this.#requireSubnet(netuid);
    if (setter === "owner") {
      await this.#requireOwner(signer, netuid, what);
      await this.#requireOwnerWindow(netuid, call, what);
      return this.#submit(call, signer, what, options);
    }
    const sudo = await this.read.sudoKey();
    if (sudo !== signer.address)
      throw refused("NOT_SUDO", `${what}: only the chain's root (sudo ${sudo ?? "none"}) may change this, not ${signer.address}; subnet owners cannot`);
    const included = await this.#submit(this.#tx("Sudo.sudo", `${what} cannot go through sudo`)(call), signer, what, options);
    // Sudo's own extrinsic succeeds even when the wrapped call fails: the outcome is in Sudid.
    const sudid = eventData(included, "sudo", "Sudid")?.[0] as (Codec & { isErr: boolean; asErr: Codec }) | undefined;
    if (sudid?.isErr) throw new ChainError("TX_FAILED", "Sudid", `${what} failed under sudo: ${sudid.asErr.toString()}`);
    return included;
  }

  /** HEAD's owner limits: once per OwnerHyperparamRateLimit × tempo per hyperparameter, and not in the freeze window. */
  async #requireOwnerWindow(netuid: number, call: Tx, what: string): Promise<void> {
    const next = await this.#nextBlock();
    const key = call.method.section === "adminUtils" ? OWNER_RATE_LIMIT_KEYS[snakeCase(call.method.method)] : undefined;
    if (key !== undefined) {
      const left = await this.read.ownerHyperparamBlocksLeft(netuid, key, next);
      if (left > 0n) throw refused("RATE_LIMITED", `${what}: changed too recently; the owner may change it again in ${left} blocks (OwnerHyperparamRateLimit × tempo)`);
    }
    const frozen = await this.read.freezeWindowBlocksLeft(netuid, next);
    if (frozen > 0n) throw refused("RATE_LIMITED", `${what}: subnet ${netuid} is in its admin freeze window before the next epoch; retry in ${frozen} blocks`);
  }

  // --- neurons -------------------------------------------------------------------------------

  /** burned_register: the coldkey pays the subnet's burn to register `hotkey`; `burn` is the price quoted just before (it decays block by block). */
  async registerNeuron(coldkey: Signer, netuid: number, hotkey: string, options: OperationOptions = {}): Promise<{ uid: number; burn: bigint; included: Included }> {
    await this.#requireSubnet(netuid);
    const existing = await this.read.uidOf(netuid, hotkey);
    if (existing !== undefined) throw refused("ALREADY_REGISTERED", `hotkey ${hotkey} is already registered on subnet ${netuid} as uid ${existing}`);
    const owner = await this.read.hotkeyOwner(hotkey);
    if (owner !== undefined && owner !== coldkey.address)
      throw refused("NOT_OWNER", `hotkey ${hotkey} belongs to coldkey ${owner}, not ${coldkey.address}; register it with its own coldkey`);
    const burn = await this.read.burn(netuid);
    const tx = this.#tx("SubtensorModule.burned_register", "nothing can be registered")(netuid, hotkey);
    await this.#requireFunds(coldkey, tx, burn, `registering on subnet ${netuid}`);
    const included = await this.#submit(tx, coldkey, `register ${hotkey} on subnet ${netuid}`, options);
    const registered = eventData(included, "subtensorModule", "NeuronRegistered");
    if (!registered) throw new ChainError("TX_FAILED", "NeuronRegistered", `register on subnet ${netuid}: included, but no NeuronRegistered event`);
    return { uid: Number(registered[1]!.toString()), burn, included };
  }

  /** serve_axon: publishes where the hotkey's miner listens (signed by the hotkey). */
  async serveAxon(hotkey: Signer, netuid: number, axon: AxonSpec, options: OperationOptions = {}): Promise<Included> {
    const { ip, ipType } = encodeIp(axon.ip);
    if (!Number.isInteger(axon.port) || axon.port < 1 || axon.port > 65535) throw refused("BAD_AXON", `port ${axon.port} is not in 1..65535`);
    await this.#requireSubnet(netuid);
    await this.#requireRegistered(netuid, hotkey.address);
    const left = await this.read.servingBlocksLeft(netuid, hotkey.address, await this.#nextBlock());
    if (left > 0n) throw refused("RATE_LIMITED", `the axon of ${hotkey.address} was served too recently on subnet ${netuid}: ${left} more blocks (the serving rate limit)`);
    const tx = this.#tx("SubtensorModule.serve_axon", "no axon can be served")(netuid, axon.version ?? 0, ip, axon.port, ipType, axon.protocol ?? 4, 0, 0);
    return this.#submit(tx, hotkey, `serve the axon ${axon.ip}:${axon.port} on subnet ${netuid}`, options);
  }

  // --- weights -------------------------------------------------------------------------------

  async #checkWeights(hotkey: Signer, netuid: number, weights: U16Weights, versionKey: bigint, kind: "set" | "commit" | "reveal"): Promise<void> {
    await this.#requireSubnet(netuid);
    const uid = await this.#requireRegistered(netuid, hotkey.address);
    const rules = await this.read.weightsRules(netuid);
    if (kind === "set" && rules.commitReveal)
      throw refused("COMMIT_REVEAL_ON", `subnet ${netuid} has commit-reveal on: commit the weights (\`tensornode weights commit\`), then reveal them an epoch later`);
    if (kind !== "set" && !rules.commitReveal) throw refused("COMMIT_REVEAL_OFF", `subnet ${netuid} has commit-reveal off: set the weights directly (\`tensornode weights set\`)`);
    if (rules.versionKey !== 0n && versionKey < rules.versionKey)
      throw refused("BAD_VERSION_KEY", `subnet ${netuid} requires weights version key ≥ ${rules.versionKey}, got ${versionKey}; pass --version-key ${rules.versionKey} (or update your subnet code)`);
    if (kind === "reveal") return;
    const bad = weights.uids.find((u) => u >= rules.n);
    if (bad !== undefined) throw refused("BAD_WEIGHTS", `uid ${bad} does not exist on subnet ${netuid} (it has ${rules.n} uids)`);
    const selfOnly = weights.uids.length === 1 && weights.uids[0] === uid;
    if (!selfOnly && !rules.permits[uid] && (await this.read.subnetOwnerHotkey(netuid)) !== hotkey.address)
      throw refused("NO_PERMIT", `uid ${uid} has no validator permit on subnet ${netuid}, so it may only weight itself; permits go to the most staked uids at each epoch`);
    const minimum = Math.min(rules.minAllowedWeights, rules.n);
    if (!selfOnly && weights.uids.length < minimum) throw refused("BAD_WEIGHTS", `subnet ${netuid} requires at least ${minimum} non-zero weights, got ${weights.uids.length}`);
    const left = blocksLeft(rules.lastUpdate[uid] ?? 0n, rules.rateLimit, await this.#nextBlock());
    if (left > 0n) throw refused("RATE_LIMITED", `uid ${uid} set weights too recently on subnet ${netuid}: ${left} more blocks (the weights rate limit of ${rules.rateLimit})`);
  }

  /** set_weights (commit-reveal off). `weights` are any non-negative numbers; they are max-upscaled to u16. */
  async setWeights(hotkey: Signer, netuid: number, uids: readonly number[], weights: readonly number[], versionKey: bigint, options: OperationOptions = {}): Promise<{ weights: U16Weights; included: Included }> {
    const scaled = toU16Weights(uids, weights);
    await this.#checkWeights(hotkey, netuid, scaled, versionKey, "set");
    const tx = this.#tx("SubtensorModule.set_weights", "weights cannot be set")(netuid, scaled.uids, scaled.values, versionKey);
    return { weights: scaled, included: await this.#submit(tx, hotkey, `set weights on subnet ${netuid}`, options) };
  }

  /** commit_weights: the hash of the weights, salt and version key; keep them to reveal an epoch later. */
  async commitWeights(hotkey: KeyringPair, netuid: number, weights: U16Weights, salt: readonly number[], versionKey: bigint, options: OperationOptions = {}): Promise<CommittedWeights> {
    await this.#checkWeights(hotkey, netuid, weights, versionKey, "commit");
    const hash = commitHash(hotkey.publicKey, netuid, weights, salt, versionKey);
    const included = await this.#submit(this.#tx("SubtensorModule.commit_weights", "weights cannot be committed")(netuid, hash), hotkey, `commit weights on subnet ${netuid}`, options);
    const commits = await this.read.weightCommits(netuid, hotkey.address);
    const mine = commits.find((c) => c.hash === hash);
    const schedule = await this.read.epochSchedule(netuid);
    const revealEpoch = (mine?.epoch ?? schedule.index) + schedule.revealPeriodEpochs;
    return { included, hash, weights, salt, versionKey, revealEpoch, onChain: mine };
  }

  /** reveal_weights: accepted only in the commit's epoch + RevealPeriodEpochs; says how long to wait otherwise. */
  async revealWeights(hotkey: KeyringPair, netuid: number, weights: U16Weights, salt: readonly number[], versionKey: bigint, options: OperationOptions = {}): Promise<Included> {
    await this.#checkWeights(hotkey, netuid, weights, versionKey, "reveal");
    const hash = commitHash(hotkey.publicKey, netuid, weights, salt, versionKey);
    const commit = (await this.read.weightCommits(netuid, hotkey.address)).find((c) => c.hash === hash);
    if (!commit) throw refused("NO_COMMIT", `no commit of these weights by ${hotkey.address} on subnet ${netuid} (wrong uids, values, salt or version key, or it expired)`);
    const schedule = await this.read.epochSchedule(netuid);
    const next = await this.#nextBlock();
    const epochAtNext = epochIndexAt(schedule, next);
    const revealEpoch = commit.epoch + schedule.revealPeriodEpochs;
    if (epochAtNext < revealEpoch) {
      const blocks = schedule.nextIndexBlock - next + blocksPerEpoch(schedule) * (revealEpoch - schedule.index - 1n);
      throw refused("REVEAL_WINDOW", `too early to reveal on subnet ${netuid}: the commit of epoch ${commit.epoch} reveals in epoch ${revealEpoch}, about ${blocks} blocks from now`);
    }
    if (epochAtNext > revealEpoch) throw refused("REVEAL_WINDOW", `too late to reveal on subnet ${netuid}: the commit of epoch ${commit.epoch} had to be revealed in epoch ${revealEpoch}; commit again`);
    const tx = this.#tx("SubtensorModule.reveal_weights", "weights cannot be revealed")(netuid, weights.uids, weights.values, salt, versionKey);
    return this.#submit(tx, hotkey, `reveal weights on subnet ${netuid}`, options);
  }

  // --- stake and balances --------------------------------------------------------------------

  async #requireStakeable(netuid: number, hotkey: string): Promise<void> {
    await this.#requireSubnet(netuid);
    if (!(await this.read.subtokenEnabled(netuid))) throw refused("SUBNET_NOT_STARTED", `subnet ${netuid} is not started yet, so it takes no stake; its owner starts it with \`tensornode subnet start --netuid ${netuid}\``);
    if ((await this.read.hotkeyOwner(hotkey)) === undefined) throw refused("UNKNOWN_HOTKEY", `hotkey ${hotkey} is unknown to the chain; register it on a subnet first`);
  }

  /** add_stake: `amount` TAO (rao) from the coldkey's balance, bought as alpha on the subnet. */
  async addStake(coldkey: Signer, hotkey: string, netuid: number, amount: bigint, options: OperationOptions = {}): Promise<{ alpha: bigint; included: Included }> {
    if (amount < MIN_STAKE_RAO) throw refused("BAD_AMOUNT", `the least stake is ${tao(MIN_STAKE_RAO)}; got ${tao(amount)}`);
    await this.#requireStakeable(netuid, hotkey);
    const tx = this.#tx("SubtensorModule.add_stake", "nothing can be staked")(hotkey, netuid, amount);
    await this.#requireFunds(coldkey, tx, amount, `staking ${tao(amount)}`);
    const included = await this.#submit(tx, coldkey, `stake ${tao(amount)} to ${hotkey} on subnet ${netuid}`, options);
    const added = eventData(included, "subtensorModule", "StakeAdded");
    return { alpha: added ? BigInt(added[3]!.toString()) : 0n, included };
  }

  async #requireAlpha(coldkey: string, hotkey: string, netuid: number, alpha: bigint): Promise<void> {
    if (alpha <= 0n) throw refused("BAD_AMOUNT", "the amount must be more than 0");
    const have = await this.read.stakeOf(hotkey, coldkey, netuid);
    if (have < alpha) throw refused("INSUFFICIENT_STAKE", `${coldkey} has ${formatTao(have, 4)} α staked to ${hotkey} on subnet ${netuid}, less than ${formatTao(alpha, 4)} α`);
  }

  /** remove_stake: `alpha` (rao of the subnet's alpha) sold back for TAO to the coldkey. */
  async removeStake(coldkey: Signer, hotkey: string, netuid: number, alpha: bigint, options: OperationOptions = {}): Promise<{ tao: bigint; included: Included }> {
    await this.#requireStakeable(netuid, hotkey);
    await this.#requireAlpha(coldkey.address, hotkey, netuid, alpha);
    const included = await this.#submit(this.#tx("SubtensorModule.remove_stake", "nothing can be unstaked")(hotkey, netuid, alpha), coldkey, `unstake ${formatTao(alpha, 4)} α from ${hotkey} on subnet ${netuid}`, options);
    const removed = eventData(included, "subtensorModule", "StakeRemoved");
    return { tao: removed ? BigInt(removed[2]!.toString()) : 0n, included };
  }

  /** Refuses a limit the price has already reached (HEAD's swap would fail with Swap.PriceLimitExceeded). */
  async #requirePriceBefore(netuid: number, limitPrice: bigint, side: "stake" | "unstake"): Promise<void> {
    if (limitPrice <= 0n) throw refused("BAD_AMOUNT", "the limit price must be more than 0");
    const { price } = await this.read.stakePool(netuid);
    const reached = side === "stake" ? price >= limitPrice : price <= limitPrice;
    if (reached)
      throw refused("PRICE_LIMIT", `subnet ${netuid}'s price is already ${formatTao(price)} τ/α, ${side === "stake" ? "at or above" : "at or below"} the limit of ${formatTao(limitPrice)} τ/α; nothing would ${side}: retry with a larger tolerance`);
  }

  /** A limit-price call the chain refused as SlippageTooHigh, said with what to do about it. */
  async #explainSlippage(included: Promise<Included>, limitPrice: bigint): Promise<Included> {
    try {
      return await included;
    } catch (error) {
      if (error instanceof ChainError && /\.SlippageTooHigh$/.test(error.reason))
        throw new ChainError(error.code, error.reason, `${error.message}: all of it would move the price past the limit of ${formatTao(limitPrice)} τ/α; ask for less, allow more slippage (--tolerance) or let it fill in part (--partial)`);
      throw error;
    }
  }

  /**
   * add_stake_limit: add_stake whose swap may not lift the price above `limitPrice` (rao of TAO per
   * whole α); all or nothing (the chain fails it with SlippageTooHigh), or with `allowPartial` the
   * most that keeps the price within the limit. Says what was spent and whether that was all.
   */
  async addStakeLimit(
    coldkey: Signer,
    hotkey: string,
    netuid: number,
    amount: bigint,
    limit: { limitPrice: bigint; allowPartial: boolean },
    options: OperationOptions = {},
  ): Promise<{ tao: bigint; alpha: bigint; partial: boolean; included: Included }> {
    if (amount < MIN_STAKE_RAO) throw refused("BAD_AMOUNT", `the least stake is ${tao(MIN_STAKE_RAO)}; got ${tao(amount)}`);
    await this.#requireStakeable(netuid, hotkey);
    await this.#requirePriceBefore(netuid, limit.limitPrice, "stake");
    const tx = this.#tx("SubtensorModule.add_stake_limit", "nothing can be staked with a price limit")(hotkey, netuid, amount, limit.limitPrice, limit.allowPartial);
    await this.#requireFunds(coldkey, tx, amount, `staking ${tao(amount)}`);
    const included = await this.#explainSlippage(this.#submit(tx, coldkey, `stake ${tao(amount)} to ${hotkey} on subnet ${netuid} at a price of at most ${formatTao(limit.limitPrice)} τ/α`, options), limit.limitPrice);
    const added = eventData(included, "subtensorModule", "StakeAdded");
    const spent = added ? BigInt(added[2]!.toString()) : 0n;
    return { tao: spent, alpha: added ? BigInt(added[3]!.toString()) : 0n, partial: spent < amount, included };
  }

  /**
   * remove_stake_limit: remove_stake whose swap may not lower the price below `limitPrice`; all or
   * nothing, or with `allowPartial` the most that fits. Says how much α was sold and the TAO received.
   */
  async removeStakeLimit(
    coldkey: Signer,
    hotkey: string,
    netuid: number,
    alpha: bigint,
    limit: { limitPrice: bigint; allowPartial: boolean },
    options: OperationOptions = {},
  ): Promise<{ alpha: bigint; tao: bigint; partial: boolean; included: Included }> {
    await this.#requireStakeable(netuid, hotkey);
    await this.#requireAlpha(coldkey.address, hotkey, netuid, alpha);
    await this.#requirePriceBefore(netuid, limit.limitPrice, "unstake");
    const tx = this.#tx("SubtensorModule.remove_stake_limit", "nothing can be unstaked with a price limit")(hotkey, netuid, alpha, limit.limitPrice, limit.allowPartial);
    const included = await this.#explainSlippage(this.#submit(tx, coldkey, `unstake ${formatTao(alpha, 4)} α from ${hotkey} on subnet ${netuid} at a price of at least ${formatTao(limit.limitPrice)} τ/α`, options), limit.limitPrice);
    const removed = eventData(included, "subtensorModule", "StakeRemoved");
    // StakeRemoved's alpha is what reached the pool; the swap fee (last field, in α) came off it first.
    const sold = removed ? BigInt(removed[3]!.toString()) + BigInt(removed[5]!.toString()) : 0n;
    return { alpha: sold, tao: removed ? BigInt(removed[2]!.toString()) : 0n, partial: sold < alpha, included };
  }

  /** move_stake: alpha from one (hotkey, subnet) to another, same coldkey. */
  async moveStake(
    coldkey: Signer,
    from: { hotkey: string; netuid: number },
    to: { hotkey: string; netuid: number },
    alpha: bigint,
    options: OperationOptions = {},
  ): Promise<Included> {
    await this.#requireStakeable(from.netuid, from.hotkey);
    await this.#requireStakeable(to.netuid, to.hotkey);
    await this.#requireAlpha(coldkey.address, from.hotkey, from.netuid, alpha);
    const tx = this.#tx("SubtensorModule.move_stake", "stake cannot be moved")(from.hotkey, to.hotkey, from.netuid, to.netuid, alpha);
    return this.#submit(tx, coldkey, `move ${formatTao(alpha, 4)} α from ${from.hotkey}/${from.netuid} to ${to.hotkey}/${to.netuid}`, options);
  }

  /** A balance transfer; keeps the sender alive unless `allowDeath`. */
  async transfer(coldkey: Signer, destination: string, amount: bigint, options: OperationOptions & { allowDeath?: boolean } = {}): Promise<Included> {
    if (amount <= 0n) throw refused("BAD_AMOUNT", "the amount must be more than 0");
    if (destination === coldkey.address) throw refused("BAD_AMOUNT", "the destination is the sender itself");
    const tx = this.#tx(options.allowDeath ? "Balances.transfer_allow_death" : "Balances.transfer_keep_alive", "nothing can be transferred")(destination, amount);
    await this.#requireFunds(coldkey, tx, options.allowDeath ? amount - this.read.existentialDeposit() : amount, `transferring ${tao(amount)}`);
    return this.#submit(tx, coldkey, `transfer ${tao(amount)} to ${destination}`, options);
  }
}

/** `sudoSetRho` → `sudo_set_rho` (polkadot.js names calls in camelCase). */
const snakeCase = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** An IPv4 or IPv6 address as serve_axon takes it (u128 and 4/6), refusing what HEAD refuses. */
export function encodeIp(text: string): { ip: bigint; ipType: 4 | 6 } {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) throw refused("BAD_AXON", `"${text}" is not an IPv4 address`);
    const ip = parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
    if (ip === 0x7f000001n) throw refused("BAD_AXON", "the chain refuses 127.0.0.1 as an axon address; on one machine use 127.0.0.2 and up");
    if (ip === 0xffffffffn) throw refused("BAD_AXON", "the chain refuses the broadcast address 255.255.255.255");
    return { ip, ipType: 4 };
  }
  if (text.includes(":")) {
    const [head, tail] = text.split("::") as [string, string | undefined];
    const groups = (s: string | undefined): string[] => (s ? s.split(":") : []);
    const left = groups(head);
    const right = groups(tail);
    const missing = 8 - left.length - right.length;
    if ((tail === undefined && missing !== 0) || missing < 0 || ![...left, ...right].every((g) => /^[0-9a-fA-F]{1,4}$/.test(g)))
      throw refused("BAD_AXON", `"${text}" is not an IPv6 address`);
    const all = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...right];
    const ip = all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
    if (ip === 1n) throw refused("BAD_AXON", "the chain refuses ::1 as an axon address");
    if (ip === (1n << 128n) - 1n) throw refused("BAD_AXON", "the chain refuses the all-ones IPv6 address");
    return { ip, ipType: 6 };
  }
  throw refused("BAD_AXON", `"${text}" is not an IPv4 or IPv6 address`);
}
