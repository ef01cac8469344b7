import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { GatewayAccess } from "../../../src/validator/gateway/access.js";
import {
  addApiKey,
  ApiKeyring,
  formatApiKeysFile,
  generateApiKey,
  hashApiKey,
  parseApiKeysFile,
  readApiKeysFile,
  type ApiKeyEntry,
} from "../../../src/validator/gateway/api-keys.js";
import { GatewayError } from "../../../src/validator/gateway/contract.js";

const dir = mkdtempSync(join(tmpdir(), "tn-api-keys-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A deterministic random source: byte i of every draw is `seed + i`. */
const counting =
  (seed: number) =>
  (size: number): Uint8Array =>
    Uint8Array.from({ length: size }, (_, i) => (seed + i) & 0xff);

const entry = (name: string, overrides: Partial<ApiKeyEntry> = {}): ApiKeyEntry => ({ ...generateApiKey({ name }).entry, ...overrides });

function writeKeys(name: string, text: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

function refusal(error: unknown): { code: string; message: string } {
  assert.ok(error instanceof Error);
  assert.equal(error.name, "UserError", "printed in one line by the CLI");
  return error as Error & { code: string };
}

describe("API keys", () => {
  describe("generateApiKey", () => {
    it("makes a random 32-byte key and an entry holding its sha256, all synapses and the default rate", () => {
      const { key, entry: made } = generateApiKey({ name: "alice" }, counting(1));
      assert.equal(key, `tnk_${Buffer.from(counting(1)(32)).toString("base64url")}`);
      assert.equal(key.length, 4 + 43);
      assert.deepEqual(made, { name: "alice", sha256: createHash("sha256").update(key, "utf8").digest("hex"), synapses: "*", rate: { perSecond: 5, burst: 10 } });
      assert.equal(hashApiKey(key), made.sha256);
    });

    it("takes the synapses and rate it is given, and two calls never give the same key", () => {
      const a = generateApiKey({ name: "bob", synapses: ["recognize"], rate: { perSecond: 0.5, burst: 1 } });
      const b = generateApiKey({ name: "bob" });
      assert.deepEqual(a.entry.synapses, ["recognize"]);
      assert.deepEqual(a.entry.rate, { perSecond: 0.5, burst: 1 });
      assert.notEqual(a.key, b.key);
    });

    it("refuses a bad name, synapse list or rate", () => {
      assert.throws(() => generateApiKey({ name: "has space" }), /"name" must be/);
      assert.throws(() => generateApiKey({ name: "a", synapses: [] }), /"synapses" must be/);
      assert.throws(() => generateApiKey({ name: "a", rate: { perSecond: 0, burst: 1 } }), /perSecond/);
      assert.throws(() => generateApiKey({ name: "a", rate: { perSecond: 1, burst: 1.5 } }), /burst/);
    });
  });

  describe("the keys file", () => {
    it("round-trips through formatApiKeysFile and parseApiKeysFile, and never holds a key in clear", () => {
      const made = [generateApiKey({ name: "alice" }), generateApiKey({ name: "bob", synapses: ["echo", "recognize"], rate: { perSecond: 2, burst: 4 } })];
      const text = formatApiKeysFile(made.map((m) => m.entry));
      assert.deepEqual(parseApiKeysFile(text, "keys.json"), made.map((m) => m.entry));
      assert.deepEqual(Object.keys(JSON.parse(text) as object), ["version", "keys"]);
      for (const { key } of made) {
        assert.ok(!text.includes(key), "the key itself");
        assert.ok(!text.includes(key.slice(4)), "the key without its prefix");
        assert.ok(!text.includes(Buffer.from(key.slice(4), "base64url").toString("hex")), "the key's bytes in hex");
      }
    });

    it("refuses a malformed file in one line naming the file and the problem", () => {
      const a = entry("alice");
      const cases: [string, string, RegExp][] = [
        ["not JSON", "{", /not valid JSON/],
        ["not an object", "[]", /expected an object/],
        ["a wrong version", JSON.stringify({ version: 2, keys: [] }), /"version" must be 1/],
        ["an unknown top-level field", JSON.stringify({ version: 1, keys: [], extra: 1 }), /unknown field "extra"/],
        ["keys not an array", JSON.stringify({ version: 1, keys: {} }), /"keys" must be an array/],
        ["an unknown entry field", JSON.stringify({ version: 1, keys: [{ ...a, key: "tnk_clear" }] }), /key 1 has an unknown field "key"/],
        ["a key in place of its hash", JSON.stringify({ version: 1, keys: [{ ...a, sha256: "tnk_abc" }] }), /"sha256" must be 64 lowercase hex digits/],
        ["a missing rate", JSON.stringify({ version: 1, keys: [{ name: "a", sha256: a.sha256, synapses: "*" }] }), /"rate" must be an object/],
        ["a negative rate", JSON.stringify({ version: 1, keys: [{ ...a, rate: { perSecond: -1, burst: 1 } }] }), /"rate.perSecond" must be a number > 0/],
        ["a synapse named twice", JSON.stringify({ version: 1, keys: [{ ...a, synapses: ["x", "x"] }] }), /names a synapse twice/],
        ["synapses neither * nor a list", JSON.stringify({ version: 1, keys: [{ ...a, synapses: "echo" }] }), /"synapses" must be "\*" or a non-empty array/],
        ["a duplicate name", JSON.stringify({ version: 1, keys: [a, { ...entry("x"), name: "alice" }] }), /the name "alice" is used by two keys/],
        ["a duplicate hash", JSON.stringify({ version: 1, keys: [a, { ...a, name: "alice2" }] }), /key 2 \("alice2"\) has the same sha256 as another key/],
      ];
      for (const [what, text, problem] of cases) {
        assert.throws(
          () => parseApiKeysFile(text, "/etc/tn/keys.json"),
          (error: unknown) => {
            const { code, message } = refusal(error);
            assert.equal(code, "BAD_API_KEYS", what);
            assert.match(message, /^API keys file \/etc\/tn\/keys\.json: /, what);
            assert.match(message, problem, what);
            assert.doesNotMatch(message, /\n/, what);
            return true;
          },
          what,
        );
      }
    });

    it("is read only when its owner alone may read it (0600)", async () => {
      const text = formatApiKeysFile([entry("alice")]);
      assert.equal((await readApiKeysFile(writeKeys("private.json", text))).length, 1);
      for (const mode of [0o640, 0o604, 0o660, 0o666]) {
        const path = writeKeys(`open-${mode.toString(8)}.json`, text, mode);
        await assert.rejects(readApiKeysFile(path), (error: unknown) => {
          const { code, message } = refusal(error);
          assert.equal(code, "API_KEYS_TOO_OPEN");
          assert.match(message, new RegExp(`API keys file ${path} is readable or writable by others \\(mode ${mode.toString(8)}\\); chmod 600 it`));
          return true;
        });
      }
    });

    it("says a missing file or a directory cannot be read", async () => {
      await assert.rejects(readApiKeysFile(join(dir, "absent.json")), { code: "API_KEYS_UNREADABLE", message: /absent\.json cannot be read \(ENOENT\)/ });
      await assert.rejects(readApiKeysFile(dir), { code: "API_KEYS_UNREADABLE", message: /is not a regular file/ });
    });
  });

  describe("addApiKey", () => {
    it("creates the file 0600 with the new key's entry, adds to it after, and refuses a name it already has", async () => {
      const path = join(dir, "added.json");
      const alice = await addApiKey(path, { name: "alice" });
      assert.equal(statSync(path).mode & 0o777, 0o600);
      const bob = await addApiKey(path, { name: "bob", synapses: ["echo"], rate: { perSecond: 1, burst: 2 } });
      const entries = await readApiKeysFile(path);
      assert.deepEqual(entries, [alice.entry, bob.entry]);
      const text = readFileSync(path, "utf8");
      assert.ok(!text.includes(alice.key) && !text.includes(bob.key));
      await assert.rejects(addApiKey(path, { name: "alice" }), { code: "API_KEY_EXISTS", message: /already has a key named "alice"/ });
      assert.deepEqual(await readApiKeysFile(path), entries, "the file is unchanged");
    });

    it("refuses to add to a file others may read", async () => {
      const path = writeKeys("added-open.json", formatApiKeysFile([]), 0o644);
      await assert.rejects(addApiKey(path, { name: "alice" }), { code: "API_KEYS_TOO_OPEN" });
    });
  });

  describe("ApiKeyring", () => {
    it("finds a key's entry by its hash and nothing for another key", () => {
      const alice = generateApiKey({ name: "alice" });
      const bob = generateApiKey({ name: "bob" });
      const keyring = new ApiKeyring([alice.entry, bob.entry]);
      assert.equal(keyring.find(alice.key)?.name, "alice");
      assert.equal(keyring.find(bob.key)?.name, "bob");
      assert.equal(keyring.find(generateApiKey({ name: "x" }).key), undefined);
      assert.equal(keyring.find(alice.entry.sha256), undefined, "the hash is not a key");
      assert.equal(keyring.find(""), undefined);
    });
  });

  describe("GatewayAccess", () => {
    const refused = (fn: () => unknown, status: number, code: string, retryAfterMs?: number): void => {
      assert.throws(fn, (error: unknown) => {
        assert.ok(error instanceof GatewayError);
        assert.equal(error.status, status);
        assert.equal(error.code, code);
        assert.equal(error.retryAfterMs, retryAfterMs);
        return true;
      });
    };

    it("without keys takes every caller as local", () => {
      const access = new GatewayAccess(undefined, () => 0);
      assert.equal(access.keyed, false);
      assert.deepEqual(access.admit(undefined, "echo"), { keyName: "local" });
    });

    it("with keys: 401 for no, malformed or unknown keys, 403 for a synapse not allowed, the key's name otherwise", () => {
      const bob = generateApiKey({ name: "bob", synapses: ["echo"] });
      const access = new GatewayAccess([bob.entry], () => 0);
      refused(() => access.admit(undefined, "echo"), 401, "UNAUTHORIZED");
      refused(() => access.admit("", "echo"), 401, "UNAUTHORIZED");
      refused(() => access.admit(bob.key, "echo"), 401, "UNAUTHORIZED");
      refused(() => access.admit(`Bearer ${bob.key} extra`, "echo"), 401, "UNAUTHORIZED");
      refused(() => access.admit(`Bearer ${generateApiKey({ name: "x" }).key}`, "echo"), 401, "UNAUTHORIZED");
      refused(() => access.admit(`Bearer ${bob.key}`, "secret"), 403, "FORBIDDEN");
      assert.deepEqual(access.admit(`Bearer ${bob.key}`, "echo"), { keyName: "bob" });
      assert.deepEqual(access.admit(`bearer  ${bob.key}`), { keyName: "bob" }, "no synapse: any valid key");
    });

    it("rates each key with its own bucket and says when to retry", () => {
      let clock = 0;
      const slow = generateApiKey({ name: "slow", rate: { perSecond: 4, burst: 2 } });
      const access = new GatewayAccess([slow.entry], () => clock);
      const auth = `Bearer ${slow.key}`;
      access.admit(auth, "echo");
      access.admit(auth, "echo");
      refused(() => access.admit(auth, "echo"), 429, "RATE_LIMITED", 250);
      clock += 250;
      assert.deepEqual(access.admit(auth, "echo"), { keyName: "slow" });
    });

    it("keeps a key's spent bucket across a reload when its rate is unchanged, and starts a fresh one when it changed", () => {
      const clock = 0;
      const a = generateApiKey({ name: "a", rate: { perSecond: 1, burst: 1 } });
      const access = new GatewayAccess([a.entry], () => clock);
      access.admit(`Bearer ${a.key}`);
      access.replaceKeys([a.entry, entry("other")]);
      refused(() => access.admit(`Bearer ${a.key}`), 429, "RATE_LIMITED", 1_000);
      access.replaceKeys([{ ...a.entry, rate: { perSecond: 1, burst: 2 } }]);
      assert.deepEqual(access.admit(`Bearer ${a.key}`), { keyName: "a" });
      access.replaceKeys([]);
      refused(() => access.admit(`Bearer ${a.key}`), 401, "UNAUTHORIZED");
    });
  });
});
