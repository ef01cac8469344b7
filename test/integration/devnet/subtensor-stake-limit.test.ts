/**
 * add_stake_limit and remove_stake_limit on the devnet: the price after the swap never crosses
 * limit_price; all-or-nothing refuses with SlippageTooHigh, allow_partial fills what fits; the
 * events are add_stake's and remove_stake's.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Keyring } from "@polkadot/api";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { ISubmittableResult } from "@polkadot/types/types";
import { includeManually, startDevnet, subtensorCalls, type TestDevnet } from "../../helpers/devnet.js";

const TAO = 1_000_000_000n;
const keyring = new Keyring({ type: "sr25519" });

describe("limit-price staking on the devnet", { timeout: 120_000 }, () => {
  let net: TestDevnet;
  let netuid: number;
  const hotkey = keyring.addFromUri("//Bob//hk");
  const { tx, query, ok } = subtensorCalls(() => net);

  const pool = async (): Promise<{ taoIn: bigint; alphaIn: bigint; price: bigint }> => {
    const taoIn = BigInt((await query("subnetTAO")(netuid)).toString());
    const alphaIn = BigInt((await query("subnetAlphaIn")(netuid)).toString());
    return { taoIn, alphaIn, price: (taoIn * TAO) / alphaIn };
  };
  const stake = async (): Promise<bigint> => BigInt((await query("totalHotkeyAlpha")(hotkey.address, netuid)).toString());
  const include = (call: unknown, signer: KeyringPair): Promise<ISubmittableResult> => includeManually(net, call as never, signer);
  const failure = (result: ISubmittableResult): string => {
    const error = result.dispatchError;
    if (!error) return "none";
    return error.isModule ? net.api.registry.findMetaError(error.asModule).name : error.type;
  };
  /** StakeAdded / StakeRemoved after the two accounts: [tao, alpha, netuid, fee]. */
  const event = (result: ISubmittableResult, method: string): [bigint, bigint, bigint, bigint] => {
    const found = result.events.find(({ event: e }) => e.section === "subtensorModule" && e.method === method);
    assert.ok(found, `a ${method} event`);
    const [tao, alpha, netuid, fee] = [...found.event.data].slice(2).map((c) => BigInt(c.toString()));
    return [tao!, alpha!, netuid!, fee!];
  };
  /** Price after ≤ limit (buy) or ≥ limit (sell), exactly as the chain compares them. */
  const within = (p: { taoIn: bigint; alphaIn: bigint }, limit: bigint, side: "buy" | "sell"): boolean =>
    side === "buy" ? p.taoIn * TAO <= limit * p.alphaIn : p.taoIn * TAO >= limit * p.alphaIn;

  before(async () => {
    net = await startDevnet({ blockTime: { mode: "manual" }, devRpc: true });
    const created = await include(tx("registerNetwork")(keyring.addFromUri("//Alice//hk").address), net.alice);
    netuid = Number(created.events.find(({ event: e }) => e.method === "NetworkAdded")!.event.data[0]!.toString());
    await ok(tx("setTempo")(netuid, 200), net.alice); // no epoch (and so no dividends) while the test runs
    await ok(tx("startCall")(netuid), net.alice);
    await ok(tx("burnedRegister")(netuid, hotkey.address), net.bob);
  });
  after(async () => net?.close());

  it("stakes in full when the price stays within the limit, with add_stake's event", async () => {
    const before = await pool();
    const limit = (before.price * 101n) / 100n; // +1 %: about +0.5 % of the pool's TAO fits
    const amount = before.taoIn / 1000n;
    const result = await include(tx("addStakeLimit")(hotkey.address, netuid, amount, limit, false), net.bob);
    assert.equal(failure(result), "none");
    const [tao, alpha, , fee] = event(result, "StakeAdded");
    assert.equal(tao, amount, "the whole amount was staked");
    assert.equal(fee, (amount * 33n) / 65535n);
    assert.equal(await stake(), alpha);
    assert.ok(within(await pool(), limit, "buy"));
  });

  it("refuses all-or-nothing beyond the limit (SlippageTooHigh), moving nothing", async () => {
    const before = await pool();
    const staked = await stake();
    const limit = (before.price * 101n) / 100n;
    const result = await include(tx("addStakeLimit")(hotkey.address, netuid, before.taoIn / 10n, limit, false), net.bob);
    assert.equal(failure(result), "SlippageTooHigh");
    assert.deepEqual(await pool(), before);
    assert.equal(await stake(), staked);
    const reached = await include(tx("addStakeLimit")(hotkey.address, netuid, before.taoIn / 1000n, before.price, true), net.bob);
    assert.equal(failure(reached), "SlippageTooHigh", "a limit the price already reached: nothing fits (HEAD: Swap.PriceLimitExceeded)");
  });

  it("with allow_partial stakes only what keeps the price within the limit", async () => {
    const before = await pool();
    const staked = await stake();
    const limit = (before.price * 101n) / 100n;
    const amount = before.taoIn / 10n;
    const result = await include(tx("addStakeLimit")(hotkey.address, netuid, amount, limit, true), net.bob);
    assert.equal(failure(result), "none");
    const [tao, alpha] = event(result, "StakeAdded");
    assert.ok(tao < amount, `partially filled: ${tao} of ${amount}`);
    assert.ok(tao > before.taoIn / 300n, `about 0.5 % of the pool's TAO (${tao})`);
    assert.equal(await stake(), staked + alpha);
    const afterPool = await pool();
    assert.ok(within(afterPool, limit, "buy"), "the price is within the limit");
    assert.ok(afterPool.price * 10_000n >= limit * 9_999n, "and right at it");
  });

  it("unstakes in full, refuses beyond the limit, and with allow_partial sells what fits", async () => {
    const held = await stake();
    const before = await pool();
    const floor = (before.price * 99n) / 100n;
    const small = held / 100n;
    const full = await include(tx("removeStakeLimit")(hotkey.address, netuid, small, floor, false), net.bob);
    assert.equal(failure(full), "none");
    const [, net1, , fee1] = event(full, "StakeRemoved");
    assert.equal(net1 + fee1, small, "the whole amount was sold");
    assert.ok(within(await pool(), floor, "sell"));

    const rest = await stake();
    const mid = await pool();
    const tight = (mid.price * 999n) / 1000n; // -0.1 %: less than the stake fits
    assert.equal(failure(await include(tx("removeStakeLimit")(hotkey.address, netuid, rest, tight, false), net.bob)), "SlippageTooHigh");
    assert.equal(await stake(), rest);
    assert.equal(failure(await include(tx("removeStakeLimit")(hotkey.address, netuid, rest * 2n, tight, true), net.bob)), "NotEnoughStakeToWithdraw");

    const partial = await include(tx("removeStakeLimit")(hotkey.address, netuid, rest, tight, true), net.bob);
    assert.equal(failure(partial), "none");
    const [taoOut, sold, , fee] = event(partial, "StakeRemoved");
    assert.ok(sold + fee < rest && sold > 0n && taoOut > 0n, `partially filled: ${sold + fee} of ${rest}`);
    assert.equal(await stake(), rest - sold - fee);
    const afterPool = await pool();
    assert.ok(within(afterPool, tight, "sell"), "the price is within the limit");
    assert.ok(afterPool.price * 10_000n <= tight * 10_001n, "and right at it");
  });
});
