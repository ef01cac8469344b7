/**
 * `tensornode wallet overview --wallet W`: every hotkey of a coldkey — the wallet's own and any the
 * chain knows as owned by it (OwnedHotkeys) — and each subnet it is registered on: uid, stake in α
 * and its τ value at the subnet's pool price, emission; with totals. As btcli's `wallet overview`.
 */
import type { Command } from "commander";
import type { Codec } from "@polkadot/types/types";
import type { SubtensorOperations } from "../../chain/operations.js";
import { loadMetagraph } from "../../chain/metagraph.js";
import { formatTao } from "../../chain/units.js";
import { CHAIN_OPTIONS, JSON_OPTION, WALLET_OPTION, walletStore, withChain } from "../chain-session.js";
import type { CliContext } from "../context.js";
import { localHotkeys } from "../hotkey-names.js";
import { toJsonText } from "../json-output.js";
import { addSubcommand } from "../options.js";
import { taoValue } from "../pool-price.js";
import { renderTable } from "../table.js";

export interface OverviewHotkey {
  readonly hotkey: string;
  /** Its name in the wallet; null for a hotkey only the chain knows. */
  readonly hotkeyName: string | null;
}

export interface OverviewNeuron extends OverviewHotkey {
  readonly netuid: number;
  readonly uid: number;
  /** The neuron's alpha stake (everyone's on this hotkey), rao. */
  readonly stake: bigint;
  /** That stake's worth in TAO at the subnet's pool price now, rao. */
  readonly taoValue: bigint;
  /** Alpha emitted to the uid in the last epoch, rao, and its worth in TAO. */
  readonly emission: bigint;
  readonly emissionTaoValue: bigint;
  readonly active: boolean;
  readonly validatorPermit: boolean;
}

export interface Overview {
  readonly wallet: string;
  readonly coldkey: string;
  /** The coldkey's free TAO, rao. */
  readonly free: bigint;
  readonly hotkeys: readonly OverviewHotkey[];
  readonly neurons: readonly OverviewNeuron[];
  readonly totals: { readonly taoValue: bigint; readonly emissionTaoValue: bigint };
}

/** The hotkeys the chain records as owned by the coldkey (OwnedHotkeys), empty on a chain without the item. */
async function ownedHotkeys(ops: SubtensorOperations, coldkey: string): Promise<string[]> {
  const query = ops.chain.api.query["subtensorModule"]?.["ownedHotkeys"] as unknown as ((c: string) => Promise<Codec & { toArray(): Codec[] }>) | undefined;
  return query ? (await query(coldkey)).toArray().map(String) : [];
}

type OptionCodec = Codec & { isSome: boolean; unwrap(): Codec };

/** Uids(netuid, hotkey) for many pairs in one storage read (state_queryStorageAt); undefined where not registered. */
async function uidsOf(ops: SubtensorOperations, keys: readonly (readonly [number, string])[]): Promise<(number | undefined)[]> {
  if (keys.length === 0) return [];
  const query = ops.chain.api.query["subtensorModule"]!["uids"] as unknown as { multi(keys: readonly (readonly [number, string])[]): Promise<OptionCodec[]> };
  return (await query.multi(keys)).map((answer) => (answer.isSome ? Number(answer.unwrap().toString()) : undefined));
}

export async function readOverview(ops: SubtensorOperations, wallet: string, coldkey: string, named: ReadonlyMap<string, string>): Promise<Overview> {
  const [free, owned, netuids] = await Promise.all([ops.read.freeBalance(coldkey), ownedHotkeys(ops, coldkey), ops.read.netuids()]);
  const hotkeys: OverviewHotkey[] = [...named].map(([hotkey, hotkeyName]) => ({ hotkey, hotkeyName }));
  for (const hotkey of owned) if (!named.has(hotkey)) hotkeys.push({ hotkey, hotkeyName: null });
  // Which subnets each hotkey is on (Uids, every (netuid, hotkey) in one read), then one metagraph per subnet that has one of them.
  const pairs = netuids.flatMap((netuid) => hotkeys.map((h) => ({ netuid, h })));
  const uids = await uidsOf(ops, pairs.map((p) => [p.netuid, p.h.hotkey] as const));
  const registered = pairs.map((p, i) => ({ ...p, uid: uids[i] })).filter((p) => p.uid !== undefined);
  const neurons: OverviewNeuron[] = [];
  for (const netuid of [...new Set(registered.map((p) => p.netuid))]) {
    const [metagraph, summary] = await Promise.all([loadMetagraph(ops.chain.api, netuid), ops.read.subnetSummary(netuid)]);
    const pool = summary ?? { netuid, taoIn: 0n, alphaIn: 0n };
    for (const { h, uid } of registered.filter((p) => p.netuid === netuid)) {
      const n = metagraph?.neurons[uid!];
      if (!n || n.hotkey !== h.hotkey) continue;
      neurons.push({ ...h, netuid, uid: n.uid, stake: n.stake, taoValue: taoValue(n.stake, pool), emission: n.emission, emissionTaoValue: taoValue(n.emission, pool), active: n.active, validatorPermit: n.validatorPermit });
    }
  }
  neurons.sort((a, b) => a.netuid - b.netuid || a.uid - b.uid);
  const sum = (pick: (n: OverviewNeuron) => bigint): bigint => neurons.reduce((total, n) => total + pick(n), 0n);
  return { wallet, coldkey, free, hotkeys, neurons, totals: { taoValue: sum((n) => n.taoValue), emissionTaoValue: sum((n) => n.emissionTaoValue) } };
}

export function renderOverview(o: Overview): string {
  const label = (h: OverviewHotkey): string => h.hotkeyName ?? `${h.hotkey.slice(0, 8)}… (chain)`;
  const unregistered = o.hotkeys.filter((h) => !o.neurons.some((n) => n.hotkey === h.hotkey));
  const table =
    o.neurons.length === 0
      ? "no hotkey of this coldkey is registered on a subnet\n"
      : `${renderTable<OverviewNeuron>(
          [
            { header: "hotkey", value: label, align: "left" },
            { header: "netuid", value: (n) => String(n.netuid) },
            { header: "uid", value: (n) => String(n.uid) },
            { header: "stake α", value: (n) => formatTao(n.stake, 4) },
            { header: "value τ", value: (n) => formatTao(n.taoValue, 4) },
            { header: "emission α", value: (n) => formatTao(n.emission, 4) },
            { header: "emission τ", value: (n) => formatTao(n.emissionTaoValue, 4) },
            { header: "permit", value: (n) => (n.validatorPermit ? "yes" : "no"), align: "left" },
            { header: "active", value: (n) => (n.active ? "yes" : "no"), align: "left" },
            { header: "address", value: (n) => n.hotkey, align: "left" },
          ],
          o.neurons,
        )}\n`;
  return (
    `wallet "${o.wallet}", coldkey ${o.coldkey}: ${formatTao(o.free, 4)} τ free, ${o.hotkeys.length} hotkey${o.hotkeys.length === 1 ? "" : "s"}\n` +
    table +
    (unregistered.length === 0 ? "" : `not registered: ${unregistered.map(label).join(", ")}\n`) +
    `total: stake worth ${formatTao(o.totals.taoValue, 4)} τ, last epoch's emission worth ${formatTao(o.totals.emissionTaoValue, 4)} τ (at the pools' prices now)\n`
  );
}

export function registerWalletOverviewCommand(wallet: Command, ctx: CliContext): void {
  addSubcommand(wallet, "overview", "every hotkey of the wallet's coldkey: subnets, uid, stake in α and τ, emission; totals", { ...WALLET_OPTION, ...CHAIN_OPTIONS, ...JSON_OPTION }, async (v) => {
    const name = String(v.wallet);
    const store = walletStore(ctx);
    const coldkey = await store.coldkeyAddress(name);
    const named = new Map([...(await localHotkeys(store, name)).values()].map((h) => [h.hotkey, h.hotkeyName] as const));
    const overview = await withChain(v, (ops) => readOverview(ops, name, coldkey, named));
    ctx.stdout(v.json ? `${toJsonText(overview)}\n` : renderOverview(overview));
  });
}
