import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Keyring } from "@polkadot/api";
import type { DispatchError } from "@polkadot/types/interfaces";
import type { Codec } from "@polkadot/types/types";
import { stringCamelCase } from "@polkadot/util";
import { HYPERPARAMETERS, hyperparameterCall, readHyperparameters, type HyperparameterSpec } from "../../../src/chain/hyperparameters.js";
import { isUserError } from "../../../src/util/errors.js";
import { includeManually, startDevnet, subtensorCalls, type TestDevnet } from "../../helpers/devnet.js";

describe("subnet hyperparameters on the devnet (dev preset)", { timeout: 90_000 }, () => {
  let net: TestDevnet;
  let netuid = 0;
  const ownerHotkey = new Keyring({ type: "sr25519" }).addFromUri("//Alice//hyperparameters-owner");
  const { tx, query } = subtensorCalls(() => net);

  /** Includes `extrinsic` signed by `signer`; the dispatch error, if any. */
  const dispatch = async (extrinsic: unknown, signer = net.alice): Promise<DispatchError | undefined> => (await includeManually(net, extrinsic as never, signer)).dispatchError;
  /** The error inside Sudo's Sudid event, if any. */
  const sudo = async (extrinsic: unknown): Promise<DispatchError | undefined> => {
    const result = await includeManually(net, net.api.tx.sudo.sudo(extrinsic as never), net.alice);
    const sudid = result.events.find(({ event }) => event.method === "Sudid")!.event.data[0] as unknown as { isErr: boolean; asErr: DispatchError };
    return result.dispatchError ?? (sudid.isErr ? sudid.asErr : undefined);
  };

  before(async () => {
    net = await startDevnet({ blockTime: { mode: "manual" }, devRpc: true });
    const added = await includeManually(net, tx("registerNetwork")(ownerHotkey.address), net.alice);
    netuid = Number(added.events.find(({ event }) => event.method === "NetworkAdded")!.event.data[0]!.toString());
  });
  after(async () => {
    await net?.close();
  });

  it("reads every hyperparameter of a new subnet in one runtime-API call, typed, with the devnet's defaults", async () => {
    const values = await readHyperparameters(net.api, netuid);
    assert.ok(values);
    const readable = (HYPERPARAMETERS as readonly HyperparameterSpec[]).filter((h) => h.field !== undefined).map((h) => h.name);
    assert.deepEqual(Object.keys(values), readable);
    // What register_network sets under the dev preset, and HEAD's storage defaults for the rest.
    assert.equal(values.tempo, 10);
    assert.equal(values.immunity_period, 50);
    assert.equal(values.min_allowed_weights, 1);
    assert.equal(values.max_validators, 64);
    assert.equal(values.weights_rate_limit, 1n);
    assert.equal(values.yuma_version, 3);
    assert.equal(values.registration_allowed, true);
    assert.equal(values.rho, 10);
    assert.equal(values.kappa, 32767);
    assert.equal(values.max_weights_limit, 65535);
    assert.equal(values.min_burn, 500_000n);
    assert.equal(values.max_burn, 100_000_000_000n);
    assert.equal(values.bonds_moving_avg, 900_000n);
    assert.equal(values.commit_reveal_weights_enabled, true);
    assert.equal(values.commit_reveal_period, 1n);
    assert.deepEqual([values.alpha_low, values.alpha_high], [45875, 58982]);
    assert.equal(values.alpha_sigmoid_steepness, 1000);
    assert.equal(values.activity_cutoff, (13_889n * 10n) / 1000n, "activity_cutoff_factor × tempo / 1000");
    assert.equal(values.subnet_is_active, false);
    assert.equal(values.liquid_alpha_enabled, false);
    assert.equal(values.transfers_enabled, true);
    assert.equal(values.user_liquidity_enabled, false);
    // Every value matches the raw runtime-API answer.
    const raw = ((await net.api.call["subnetInfoRuntimeApi"]!["getSubnetHyperparamsV2"]!(netuid)) as Codec).toJSON() as Record<string, unknown>;
    for (const h of HYPERPARAMETERS as readonly HyperparameterSpec[]) {
      if (!h.field) continue;
      const expected = raw[stringCamelCase(h.field)];
      const got: unknown = (values as Record<string, unknown>)[h.name];
      if (h.encoding === "I32F32") assert.equal(got, Number(BigInt((expected as { bits: number | string }).bits)) / 2 ** 32, h.name);
      else if (h.kind === "bool") assert.equal(got, expected, h.name);
      else assert.equal(BigInt(got as number | bigint), BigInt(expected as number | string), h.name);
    }
  });

  it("answers undefined for a subnet that does not exist", async () => {
    assert.equal(await readHyperparameters(net.api, 99), undefined);
  });

  it("builds calls the HEAD metadata of the chain knows, with the argument names of the registry", () => {
    for (const h of HYPERPARAMETERS as readonly HyperparameterSpec[]) {
      if (!h.setter) continue;
      const fn = net.api.tx[stringCamelCase(h.setter.pallet)]?.[stringCamelCase(h.setter.call)];
      assert.ok(fn, `${h.setter.pallet}.${h.setter.call}`);
      // polkadot.js camelCases the metadata's argument names.
      assert.deepEqual(fn.meta.args.map((a) => a.name.toString()), ["netuid", ...h.setter.args].map((arg) => stringCamelCase(arg)), h.name);
    }
  });

  it("lets the owner set an owner hyperparameter and reads it back", async () => {
    const rho = hyperparameterCall(net.api, netuid, "rho", "20");
    assert.equal(rho.setter, "owner");
    assert.equal(rho.call, "AdminUtils.sudo_set_rho");
    assert.equal(rho.tx.method.section, "adminUtils");
    assert.equal(rho.tx.method.method, "sudoSetRho");
    assert.equal(await dispatch(rho.tx), undefined);
    assert.equal((await readHyperparameters(net.api, netuid))!.rho, 20);

    assert.equal(await dispatch(hyperparameterCall(net.api, netuid, "liquid_alpha_enabled", "on").tx), undefined);
    assert.equal(await dispatch(hyperparameterCall(net.api, netuid, "alpha_values", "2000,60000").tx), undefined);
    assert.equal(await dispatch(hyperparameterCall(net.api, netuid, "bonds_moving_average", "800_000").tx), undefined);
    const after = (await readHyperparameters(net.api, netuid))!;
    assert.deepEqual([after.liquid_alpha_enabled, after.alpha_low, after.alpha_high, after.bonds_moving_avg], [true, 2000, 60000, 800_000n]);

    // A set-only one the runtime API does not report: read from storage.
    assert.equal(await dispatch(hyperparameterCall(net.api, netuid, "bonds_penalty", "1234").tx), undefined);
    assert.equal((await query("bondsPenalty")(netuid)).toString(), "1234");
  });

  it("sets a root-only hyperparameter through sudo, which the owner alone may not", async () => {
    const kappa = hyperparameterCall(net.api, netuid, "kappa", "100");
    assert.equal(kappa.setter, "root");
    assert.equal(kappa.call, "AdminUtils.sudo_set_kappa");
    assert.ok((await dispatch(kappa.tx))?.isBadOrigin, "the owner signing directly");
    assert.equal(await sudo(kappa.tx), undefined);
    assert.equal((await readHyperparameters(net.api, netuid))!.kappa, 100);
  });

  it("refuses a change signed by someone other than the owner (BadOrigin)", async () => {
    const { tx: immunity } = hyperparameterCall(net.api, netuid, "immunity_period", "77");
    assert.ok((await dispatch(immunity, net.bob))?.isBadOrigin);
    assert.equal((await readHyperparameters(net.api, netuid))!.immunity_period, 50);
  });

  it("reports bad input as UserErrors before anything reaches the chain", () => {
    const codeOf = (f: () => unknown): string => {
      try {
        f();
      } catch (error) {
        assert.ok(isUserError(error));
        return error.code;
      }
      return "none";
    };
    assert.equal(codeOf(() => hyperparameterCall(net.api, netuid, "rhoo", "1")), "UNKNOWN_HYPERPARAMETER");
    assert.equal(codeOf(() => hyperparameterCall(net.api, netuid, "rho", "abc")), "BAD_HYPERPARAMETER_VALUE");
    assert.equal(codeOf(() => hyperparameterCall(net.api, netuid, "yuma_version", "3")), "HYPERPARAMETER_READ_ONLY");
    assert.equal(codeOf(() => hyperparameterCall(net.api, 70_000, "rho", "1")), "BAD_NETUID");
  });
});
