/**
 * tensornode's client against runtimes older than HEAD: the devnet behind a proxy that serves the
 * real spec-343 (and spec-233) metadata and spec version. What the runtime has is read from its
 * metadata; HEAD-only storage is replaced by that runtime's own rule (the epoch schedule) and
 * said in the debug log; a setter it lacks is refused in one line that names it, before anything
 * is signed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectChain, type ChainConnection } from "../../../src/chain/connection.js";
import { fixedEpochSchedule } from "../../../src/chain/epoch-schedule.js";
import { ChainError } from "../../../src/chain/errors.js";
import { hyperparameterCall } from "../../../src/chain/hyperparameters.js";
import { loadMetagraph } from "../../../src/chain/metagraph.js";
import { ChainReader } from "../../../src/chain/reads.js";
import { runtimeCapabilities } from "../../../src/chain/runtime-capabilities.js";
import { DevnetNode } from "../../../src/devnet/node.js";
import { runCliCaptured } from "../../helpers/cli.js";
import { silentLog, startedSubnet } from "../../helpers/devnet.js";
import { runtimeAs, startRpcProxy, type RpcProxy } from "../../helpers/rpc-proxy.js";

/** The owner setters tensornode offers that spec 343 does not have. */
const ABSENT_AT_343: readonly [string, string, string][] = [
  ["tempo", "20", "SubtensorModule.set_tempo"],
  ["activity_cutoff_factor", "500", "SubtensorModule.set_activity_cutoff_factor"],
  ["burn_half_life", "100", "AdminUtils.sudo_set_burn_half_life"],
  ["burn_increase_mult", "1.5", "AdminUtils.sudo_set_burn_increase_mult"],
  ["min_childkey_take", "100", "AdminUtils.sudo_set_min_childkey_take_per_subnet"],
  ["owner_cut_enabled", "false", "AdminUtils.sudo_set_owner_cut_enabled"],
  ["owner_cut_auto_lock_enabled", "true", "AdminUtils.sudo_set_owner_cut_auto_lock_enabled"],
];

const refusal = (run: () => unknown): ChainError => {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ChainError, `expected a ChainError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected a refusal");
};

for (const spec of [343, 233] as const) {
  describe(`the client against subtensor spec ${spec} (its real metadata over the devnet's storage)`, { timeout: 60_000 }, () => {
    let node: DevnetNode;
    let proxy: RpcProxy;
    let direct: ChainConnection;
    let old: ChainConnection;
    let netuid: number;
    const debug: string[] = [];

    before(async () => {
      node = await DevnetNode.start({ port: 0, blockTime: { mode: "instant" }, log: silentLog });
      ({ chain: direct, netuid } = await startedSubnet(node.endpoint.wsUrl));
      proxy = await startRpcProxy(node.endpoint.wsUrl, runtimeAs(spec));
      old = await connectChain(proxy.url, { log: { debug: (_obj, message) => void debug.push(message) } });
    });
    after(async () => {
      await old?.close();
      await direct?.close();
      await proxy?.close();
      await node?.stop();
    });

    it(`knows the runtime from its metadata: spec ${spec}, without HEAD's epoch scheduler storage`, () => {
      const capabilities = runtimeCapabilities(old.api);
      assert.equal(capabilities.specVersion, spec);
      assert.equal(capabilities.hasStorage("SubtensorModule", "Tempo"), true);
      for (const item of ["SubnetEpochIndex", "LastEpochBlock", "PendingEpochAt"]) assert.equal(capabilities.hasStorage("SubtensorModule", item), false, item);
    });

    it("computes the epoch schedule by that runtime's fixed rule, and says so in the debug log", async () => {
      const reader = new ChainReader(old.api, { log: old.log! });
      const [schedule, head, tempo] = await Promise.all([reader.epochSchedule(netuid), reader.blockNumber(), new ChainReader(direct.api).epochSchedule(netuid).then((s) => s.tempo)]);
      assert.deepEqual(schedule, fixedEpochSchedule(netuid, tempo, head, 1n));
      assert.ok(
        debug.some((line) => line === `the chain (spec ${spec}) has no SubtensorModule.SubnetEpochIndex: the epoch schedule is computed by its fixed rule, (block + netuid + 1) / (tempo + 1)`),
        debug.join("\n"),
      );
    });

    it("builds the setters the runtime has", () => {
      assert.equal(hyperparameterCall(old.api, netuid, "rho", "20").tx.method.method, "sudoSetRho");
    });

    if (spec === 343) {
      it("refuses each of the seven owner setters spec 343 lacks in one line naming the runtime", () => {
        for (const [name, value, call] of ABSENT_AT_343) {
          const error = refusal(() => hyperparameterCall(old.api, netuid, name, value));
          assert.equal(error.code, "CALL_UNSUPPORTED");
          assert.equal(error.message, `this chain (spec 343) has no ${call}: ${name} cannot be set on it`);
          assert.doesNotThrow(() => hyperparameterCall(direct.api, netuid, name, value), `HEAD has ${call}`);
        }
      });

      it("decodes the metagraph with spec 343's types", async () => {
        const [then, now] = await Promise.all([loadMetagraph(old.api, netuid), loadMetagraph(direct.api, netuid)]);
        assert.ok(then && now);
        assert.deepEqual(then.neurons.map((n) => n.hotkey), now.neurons.map((n) => n.hotkey));
      });

      it("`subnet hyperparams --set tempo=…` says so in one line, exit 2, nothing signed", async () => {
        const run = await runCliCaptured(["subnet", "hyperparams", "--netuid", String(netuid), "--set", "tempo=20", "--uri", "//Alice", "--yes", "--chain", proxy.url]);
        assert.equal(run.code, 2);
        const lines = run.stderr.trimEnd().split("\n");
        assert.match(lines[0]!, /^signing with the dev key \/\/Alice: /);
        assert.deepEqual(lines.slice(1), ["error: this chain (spec 343) has no SubtensorModule.set_tempo: tempo cannot be set on it"]);
        assert.equal((await new ChainReader(direct.api).epochSchedule(netuid)).tempo, 10, "the tempo is unchanged");
      });
    } else {
      it("has no owner rate limit or freeze window to check there, and says so", async () => {
        const reader = new ChainReader(old.api, { log: old.log! });
        assert.equal(await reader.freezeWindowBlocksLeft(netuid, 1n), 0n);
        assert.equal(await reader.ownerHyperparamBlocksLeft(netuid, "Rho", 1n), 0n);
        assert.ok(debug.some((line) => line.startsWith("the chain (spec 233) has no SubtensorModule.AdminFreezeWindow")), debug.join("\n"));
      });

      it("refuses what spec 233 lacks in one line (recycle_or_burn: no sudo_set_recycle_or_burn yet)", () => {
        assert.equal(refusal(() => hyperparameterCall(old.api, netuid, "recycle_or_burn", "burn")).message, "this chain (spec 233) has no AdminUtils.sudo_set_recycle_or_burn: recycle_or_burn cannot be set on it");
      });
    }
  });
}
