import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { resolveConfig } from "../../../src/cli/config.js";
import { CHAIN_OPTIONS } from "../../../src/cli/chain-session.js";
import { normalizeArgv } from "../../../src/cli/options.js";
import { runCliCaptured } from "../../helpers/cli.js";

describe("btcli's spellings", () => {
  it("rewrites btcli's flags to ours, in every form, and leaves what follows -- alone", () => {
    assert.deepEqual(normalizeArgv(["stake", "list", "--wallet.name", "a", "--wallet.hotkey=h", "--wallet-name=a"]), ["stake", "list", "--wallet", "a", "--hotkey", "h", "--wallet", "a"]);
    assert.deepEqual(normalizeArgv(["x", "--wallet_name", "a", "--wallet-hotkey", "h", "--subtensor.network", "test", "--no-prompt", "--json-output"]), ["x", "--wallet", "a", "--hotkey", "h", "--network", "test", "--yes", "--json"]);
    assert.deepEqual(normalizeArgv(["x", "--subtensor.chain_endpoint", "ws://h:1", "-y"]), ["x", "--chain", "ws://h:1", "--yes"]);
    assert.deepEqual(normalizeArgv(["x", "--", "--wallet.name", "a"]), ["x", "--", "--wallet.name", "a"]);
  });

  it("refuses an alias and its flag given with different values, and takes them when they agree", () => {
    assert.throws(() => normalizeArgv(["x", "--wallet", "a", "--wallet.name", "b"]), { code: "ALIAS_CONFLICT", message: "--wallet and --wallet.name are the same setting, given different values (a and b); give it once" });
    assert.throws(() => normalizeArgv(["x", "--wallet.hotkey=h1", "--hotkey", "h2"]), { code: "ALIAS_CONFLICT" });
    assert.deepEqual(normalizeArgv(["x", "--wallet", "a", "--wallet-name", "a"]), ["x", "--wallet", "a", "--wallet", "a"]);
  });

  describe("through the CLI", { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "tensornode-btcli-"));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const env = { TENSORNODE_HOME: join(dir, "home"), BT_WALLET_PATH: join(dir, "bittensor"), TENSORNODE_WALLET_PASSWORD: "a good password" };

    it("runs btcli's command names and flags", async () => {
      assert.equal((await runCliCaptured(["wallet", "create", "--wallet.name", "owner", "--wallet.hotkey", "validator"], { env })).code, 0);
      const shown = await runCliCaptured(["w", "show", "--wallet-name", "owner", "--json-output"], { env });
      assert.equal(shown.code, 0, shown.stderr);
      assert.equal((JSON.parse(shown.stdout) as { wallet: string }).wallet, "owner");
      const help = await runCliCaptured(["subnets", "list", "--help"], { env });
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /^Usage: tensornode subnet list/);
      const conflict = await runCliCaptured(["wallet", "show", "--wallet", "owner", "--wallet.name", "other"], { env });
      assert.equal(conflict.code, 2);
      assert.equal(conflict.stderr, "error: --wallet and --wallet.name are the same setting, given different values (owner and other); give it once\n");
    });
  });
});

describe("--network and --chain", () => {
  const resolve = (flags: Record<string, unknown>, env: Record<string, string> = {}, file?: unknown) => resolveConfig(CHAIN_OPTIONS, { flags, env, file, fileName: "my.json" });

  it("refuses both given at the same level, in one line", () => {
    assert.throws(() => resolve({ network: "test", chain: "ws://127.0.0.1:9944" }), { code: "BAD_CHAIN", message: "--network and --chain together: they say the same thing two ways; give one" });
    assert.throws(() => resolve({}, { TENSORNODE_NETWORK: "test", TENSORNODE_CHAIN: "ws://h:1" }), { code: "BAD_CHAIN", message: /^TENSORNODE_NETWORK and TENSORNODE_CHAIN together/ });
    assert.throws(() => resolve({}, {}, { network: "test", chain: "ws://h:1" }), { code: "BAD_CHAIN", message: /^"network" in my\.json and "chain" in my\.json together/ });
  });

  it("lets the higher level win otherwise, as for one setting: a flag over the environment over the file", () => {
    assert.deepEqual(resolve({ chain: "ws://h:1" }, { TENSORNODE_NETWORK: "test" }).values, { network: undefined, chain: "ws://h:1" });
    assert.deepEqual(resolve({ network: "test" }, {}, { chain: "ws://h:1" }).values, { network: "test", chain: undefined });
    assert.deepEqual(resolve({ chain: "ws://h:1" }).values, { network: "local", chain: "ws://h:1" });
  });

  it("is refused by a chain command before it connects", async () => {
    const run = await runCliCaptured(["metagraph", "--netuid", "1", "--network", "test", "--chain", "ws://127.0.0.1:1"]);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, "error: --network and --chain together: they say the same thing two ways; give one\n");
  });
});

describe("errors under --json", () => {
  it("are one JSON line on stderr with the code and the message; the exit code is the same", async () => {
    const cases: [string[], Record<string, string>, string, number][] = [
      [["metagraph", "--json"], {}, "NO_NETUID", 2],
      [["metagraph", "--netuid", "1", "--network", "test", "--chain", "ws://h:1", "--json"], {}, "BAD_CHAIN", 2],
      [["wallet", "list", "--json", "--bogus"], {}, "UNKNOWN_OPTION", 2],
      [["metagraph", "--netuid", "1", "--chain", "http://x"], { TENSORNODE_JSON: "true" }, "BAD_CHAIN", 2],
      [["wallet", "show", "--wallet", "a", "--wallet.name", "b", "--json-output"], {}, "ALIAS_CONFLICT", 2],
    ];
    for (const [argv, env, code, exit] of cases) {
      const run = await runCliCaptured(argv, { env });
      assert.equal(run.code, exit, argv.join(" "));
      assert.equal(run.stdout, "");
      assert.ok(run.stderr.endsWith("\n") && run.stderr.split("\n").length === 2, `one line: ${run.stderr}`);
      const parsed = JSON.parse(run.stderr) as { error: { code: string; message: string } };
      assert.deepEqual(Object.keys(parsed.error), ["code", "message"]);
      assert.equal(parsed.error.code, code, run.stderr);
      assert.ok(parsed.error.message.length > 0 && !parsed.error.message.startsWith("error:"));
    }
  });

  it("stay plain text without --json", async () => {
    const run = await runCliCaptured(["metagraph"]);
    assert.equal(run.stderr, "error: --netuid is required (the subnet to show)\n");
  });
});

describe("--yes on every command that signs", () => {
  it("is taken by each of them", async () => {
    const signing = [
      ["wallet", "transfer"],
      ["subnet", "create"],
      ["subnet", "start"],
      ["subnet", "hyperparams"],
      ["register"],
      ["stake", "add"],
      ["stake", "remove"],
      ["stake", "move"],
      ["weights", "set"],
      ["weights", "commit"],
      ["weights", "reveal"],
    ];
    for (const argv of signing) {
      const help = await runCliCaptured([...argv, "--help"]);
      assert.equal(help.code, 0, argv.join(" "));
      assert.match(help.stdout, /^\s+--yes\s/m, `${argv.join(" ")} takes --yes`);
    }
  });
});

describe("localnet --block-time", () => {
  it("takes the devnet's spelling (1s, 250ms) and a bare number of ms, and refuses the rest in one line", async () => {
    const { localnetBlockTimeMs } = await import("../../../src/cli/block-time-option.js");
    assert.equal(localnetBlockTimeMs("1s"), 1000);
    assert.equal(localnetBlockTimeMs("250ms"), 250);
    assert.equal(localnetBlockTimeMs("300"), 300);
    for (const bad of ["instant", "manual", "10ms", "13s", "fast"]) assert.throws(() => localnetBlockTimeMs(bad), { code: "BAD_BLOCK_TIME" }, bad);
    const run = await runCliCaptured(["localnet", "--block-time", "instant", "--data-dir", join(tmpdir(), "tensornode-never-made")]);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'error: --block-time: "instant" is not an interval from 50ms to 12s, e.g. 1s or 250ms (a bare number is milliseconds)\n');
  });
});

describe("options that would do nothing are refused, in one line, before anything is read", () => {
  it("refuses two spellings of one choice given together, and --uids/--weights on a reveal of the saved commit", async () => {
    const address = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    const cases: [string[], string][] = [
      [["wallet", "balance", "--wallet", "owner", "--address", address, "--chain", "ws://127.0.0.1:1"], "error: --wallet and --address together: they say the same thing two ways; give one\n"],
      [["stake", "list", "--wallet", "owner", "--address", address, "--chain", "ws://127.0.0.1:1"], "error: --wallet and --address together: they say the same thing two ways; give one\n"],
      [["stake", "add", "--netuid", "1", "--hotkey", "h", "--hotkey-address", address, "--amount", "1", "--chain", "ws://127.0.0.1:1"], "error: --hotkey and --hotkey-address together: they say the same thing two ways; give one\n"],
      [["stake", "remove", "--netuid", "1", "--all", "--amount", "1", "--chain", "ws://127.0.0.1:1"], "error: --amount and --all together: they say the same thing two ways; give one\n"],
      [["stake", "move", "--netuid", "1", "--amount", "1", "--dest-hotkey", "h", "--dest-hotkey-address", address, "--chain", "ws://127.0.0.1:1"], "error: --dest-hotkey and --dest-hotkey-address together: they say the same thing two ways; give one\n"],
      [["validator", "receipts", "--uid", "1", "--status-url", "http://127.0.0.1:1", "--netuid", "1", "--hotkey", "v"], "error: --netuid, --hotkey do nothing here: --status-url asks the running validator, which answers from its own state\n"],
      [["subnet", "hyperparams", "--netuid", "1", "--wallet", "owner", "--yes", "--chain", "ws://127.0.0.1:1"], "error: --wallet, --yes do nothing here: they are for changing hyperparameters with --set; reading signs nothing\n"],
      [["weights", "reveal", "--netuid", "1", "--uids", "1", "--weights", "1", "--chain", "ws://127.0.0.1:1"], "error: --uids, --weights are for revealing by hand, with --salt; without --salt the saved commit is revealed as it was committed\n"],
    ];
    for (const [argv, stderr] of cases) {
      const run = await runCliCaptured(argv);
      assert.equal(run.code, 2, argv.join(" "));
      assert.equal(run.stderr, stderr, argv.join(" "));
    }
  });
});

describe("--log-level and --log-format on a command that writes no log", () => {
  it("are refused when typed, and stay quiet from the environment", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tensornode-log-options-"));
    try {
      const env = { TENSORNODE_HOME: join(dir, "home"), BT_WALLET_PATH: join(dir, "none") };
      const typed = await runCliCaptured(["wallet", "list", "--log-level", "debug"], { env });
      assert.equal(typed.code, 2);
      assert.equal(typed.stderr, "error: --log-level is for the commands that write a log (devnet, miner, validator run, dashboard); `tensornode wallet list` writes none\n");
      const format = await runCliCaptured(["localnet", "--log-format", "json", "--epochs", "1"], { env });
      assert.equal(format.code, 2);
      assert.match(format.stderr, /^error: --log-format is for the commands that write a log .*`tensornode localnet` writes none\n$/);
      const fromEnv = await runCliCaptured(["wallet", "list"], { env: { ...env, TENSORNODE_LOG_LEVEL: "debug" } });
      assert.equal(fromEnv.code, 0, fromEnv.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
