/**
 * When blocks are made: on an interval (like a real chain), for every transaction (`instant`:
 * transactions arriving together share a block), or only on demand (`manual`, dev_newBlock).
 * The author also feeds the pool's ready transactions into blocks and reports their fate.
 */
import type { Logger } from "../../util/logger.js";
import type { TxPool } from "../pool/tx-pool.js";
import type { Chain } from "./chain.js";
import type { BuiltBlock } from "./block-builder.js";

export type BlockTime = { readonly mode: "interval"; readonly ms: number } | { readonly mode: "instant" } | { readonly mode: "manual" };

export class BlockAuthor {
  readonly #chain: Chain;
  readonly #pool: TxPool;
  readonly #log: Logger;
  readonly blockTime: BlockTime;
  #timer: NodeJS.Timeout | undefined;
  #scheduled = false;
  #inFlight: Promise<unknown> = Promise.resolve();
  #stopped = false;

  constructor(chain: Chain, pool: TxPool, blockTime: BlockTime, log: Logger) {
    this.#chain = chain;
    this.#pool = pool;
    this.blockTime = blockTime;
    this.#log = log;
  }

  start(): void {
    if (this.blockTime.mode === "interval") {
      this.#timer = setInterval(() => {
        if (!this.#scheduled) void this.#produceLogged();
      }, this.blockTime.ms);
    }
  }

  /** Tells the author a transaction arrived (instant mode makes a block for it soon). */
  transactionAdded(): void {
    if (this.blockTime.mode !== "instant" || this.#scheduled || this.#stopped) return;
    this.#scheduled = true;
    setImmediate(() => void this.#produceLogged());
  }

  #nonceOf = (sender: Uint8Array): number => this.#chain.runtime.system.readAccount(this.#chain.state, sender).nonce;

  /** Makes one block now (after any block in progress). */
  produce(): Promise<BuiltBlock> {
    this.#scheduled = false;
    const built = this.#chain.produceBlock(() => this.#pool.ready(this.#nonceOf)).then((result) => {
      const hash = `0x${Buffer.from(result.block.hash).toString("hex")}`;
      this.#pool.included(result.included, hash);
      for (const { hash: txHash, reason } of result.rejected) {
        this.#log.debug({ tx: txHash, reason: reason.message }, "transaction dropped from the pool");
        this.#pool.reject(txHash, "invalid", reason.detail ? `${reason.message}: ${reason.detail}` : reason.message);
      }
      this.#pool.revalidate(this.#nonceOf);
      if (this.blockTime.mode === "instant" && this.#pool.ready(this.#nonceOf).length > 0) this.transactionAdded();
      return result;
    });
    this.#inFlight = built.catch(() => undefined);
    return built;
  }

  async #produceLogged(): Promise<void> {
    if (this.#stopped) return;
    try {
      const built = await this.produce();
      this.#log.debug({ number: built.block.header.number, extrinsics: built.block.extrinsics.length }, "block imported");
    } catch (error) {
      this.#log.error({ err: error }, "block production failed");
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#inFlight;
  }
}

/** "1s", "250ms", "instant", "manual" → a BlockTime; undefined when the text is none of those. */
export function parseBlockTime(text: string): BlockTime | undefined {
  if (text === "instant" || text === "manual") return { mode: text };
  const match = /^(\d+)(ms|s)$/.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * (match[2] === "s" ? 1000 : 1);
  return ms >= 10 && ms <= 3_600_000 ? { mode: "interval", ms } : undefined;
}
