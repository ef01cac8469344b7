/**
 * `tensornode dashboard`'s options: status URLs checked and reduced to their origins (the only
 * places the dashboard ever reads), a bad one or an unreadable key file refused in one line with
 * exit 2 before anything starts, and --help listing every option.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStatusUrls } from "../../../src/cli/commands/dashboard.js";
import { UserError } from "../../../src/util/errors.js";
import { runCliCaptured } from "../../helpers/cli.js";

describe("tensornode dashboard", () => {
  it("takes status URLs comma- or space-separated, keeps their origins once each", () => {
    assert.deepEqual(parseStatusUrls(undefined), []);
    assert.deepEqual(parseStatusUrls("http://127.0.0.1:9101/metrics, http://127.0.0.1:9102 http://127.0.0.1:9101"), ["http://127.0.0.1:9101", "http://127.0.0.1:9102"]);
    assert.deepEqual(parseStatusUrls("https://gw.example:8443/v1"), ["https://gw.example:8443"]);
  });

  it("refuses a status URL that is not http(s)", () => {
    assert.throws(() => parseStatusUrls("ftp://x"), (e: unknown) => e instanceof UserError && e.code === "BAD_STATUS_URL" && /not an http:\/\/ or https:\/\/ URL/.test(e.message));
    assert.throws(() => parseStatusUrls("localhost:9101"), (e: unknown) => e instanceof UserError && /--status-url/.test(e.message));
  });

  it("says in one line (exit 2) what is wrong before starting anything", async () => {
    const badUrl = await runCliCaptured(["dashboard", "--status-url", "nope"]);
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /^error: --status-url: "nope" is not a URL/);
    const badKey = await runCliCaptured(["dashboard", "--api-key-file", "/nonexistent/key"]);
    assert.equal(badKey.code, 2);
    assert.match(badKey.stderr, /^error: --api-key-file: cannot read \/nonexistent\/key/);
    const badChain = await runCliCaptured(["dashboard", "--chain", "http://x"]);
    assert.equal(badChain.code, 2);
    assert.match(badChain.stderr, /--chain: "http:\/\/x" is not a ws:\/\/ or wss:\/\/ endpoint/);
  });

  it("lists its options in --help", async () => {
    const help = await runCliCaptured(["dashboard", "--help"]);
    assert.equal(help.code, 0);
    for (const flag of ["--network", "--chain", "--netuid", "--host", "--port", "--data-dir", "--status-url", "--api-key-file", "--history-epochs"]) assert.match(help.stdout, new RegExp(`${flag} `), flag);
  });
});
