/**
 * Users query a tiny subnet, and an OCR subnet, through the first validator's gateway, as `tensornode localnet` starts
 * it (with API keys made by `tensornode validator api-key add`): every answer comes from a serving
 * miner with a receipt that verifies offline against the exact bytes sent (and on chain, through
 * `tensornode query`); a miner killed mid-traffic costs no request and shows in attribution; bad
 * input and abuse get their status and a JSON error while the validator keeps scoring.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { checkAnswer } from "../../src/p2p/protocol/answer-check.js";
import { tinyReference } from "../../subnets/tiny/reference.js";
import { encodeImageFile } from "../../subnets/ocr/image-file.js";
import { randomLine, renderLine } from "../../subnets/ocr/render.js";
import { textSimilarity } from "../../subnets/ocr/validator.js";
import { blackPng } from "../helpers/image-files.js";
import { prng } from "../../src/util/prng.js";
import { runCliCaptured as runCli } from "../helpers/cli.js";
import { http, pool, postSynapse, rawHttp, startGatewayNet, type GatewayNet, type HttpAnswer } from "../helpers/gateway.js";
import { processesMentioning } from "../helpers/processes.js";

const encoder = new TextEncoder();

/** A valid tiny input: 16 integers in [-8, 8]. */
function tinyInput(random: () => number): number[] {
  return Array.from({ length: 16 }, () => Math.floor(random() * 17) - 8);
}

interface MinerRow {
  uid: number;
  hotkey: string;
  lastScoredAt: string | null;
}

describe("the validator gateway on a tiny localnet", { timeout: 900_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), "tn-gateway-"));
  const env = { TMPDIR: join(root, "tmp"), TENSORNODE_HOME: join(root, "home") };
  mkdirSync(env.TMPDIR);
  const keysFile = join(root, "keys.json");
  const keys: Record<string, string> = {};
  let net: GatewayNet;
  const random = prng(11);

  const addKey = async (name: string, ...flags: string[]): Promise<string> => {
    const r = await runCli(["validator", "api-key", "add", "--keys-file", keysFile, "--name", name, ...flags], { env });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };

  before(async () => {
    keys.bulk = await addKey("bulk", "--rate", "1000", "--burst", "1000");
    keys.tight = await addKey("tight", "--rate", "0.2", "--burst", "2");
    keys.ocrOnly = await addKey("ocr-only", "--synapses", "recognize");
    net = await startGatewayNet(join(root, "net"), ["--seed", "3", "--api-keys", keysFile], env, { authorization: keys.bulk });
  });

  after(async () => {
    await net?.proc.stop(15_000);
    for (const pid of processesMentioning(root)) process.kill(pid, "SIGKILL");
    rmSync(root, { recursive: true, force: true });
  });

  it("lists its public synapses with their JSON Schemas, and an OpenAPI 3.1 document of them", async () => {
    const synapses = await http(`${net.url}/v1/synapses`, { headers: { authorization: `Bearer ${keys.bulk}` } });
    assert.equal(synapses.status, 200);
    const [infer] = (synapses.json as { synapses: { name: string; input: { properties: Record<string, unknown> } }[] }).synapses;
    assert.equal(infer!.name, "infer");
    assert.ok("input" in infer!.input.properties);
    const openapi = await http(`${net.url}/v1/openapi.json`, { headers: { authorization: `Bearer ${keys.bulk}` } });
    assert.equal(openapi.status, 200);
    const doc = openapi.json as { openapi: string; paths: Record<string, unknown> };
    assert.match(doc.openapi, /^3\.1\./);
    assert.ok(doc.paths["/v1/synapses/infer"], Object.keys(doc.paths).join(", "));
  });

  it("answers every request from a serving miner, each receipt verifying offline against the exact bytes sent", async () => {
    const honest = await net.address("miner1");
    const serving = new Set(await Promise.all(["miner1", "miner2", "miner3", "miner4"].map((m) => net.address(m))));
    const inputs = Array.from({ length: 24 }, () => tinyInput(random));
    const answers = await pool(inputs.length, 6, async (i) => {
      const body = encoder.encode(JSON.stringify({ input: inputs[i] }));
      return { body, answer: await postSynapse(net.url, "infer", body, keys.bulk) };
    });
    const minersSeen = new Set<string>();
    for (const [i, { body, answer }] of answers.entries()) {
      assert.equal(answer.status, 200, JSON.stringify(answer.json));
      const check = checkAnswer(answer.json, body);
      assert.ok(check.valid, JSON.stringify(check.receipts.map((r) => r.verdict)));
      const miner = (answer.json as { miner: { hotkey: string } }).miner.hotkey;
      assert.ok(serving.has(miner), `${miner} is one of the subnet's miners`);
      minersSeen.add(miner);
      // The content of an answer is the miner's; the honest one's is the model's, exactly.
      if (miner === honest) assert.deepEqual((answer.json as { output: { output: number[] } }).output.output, [...tinyReference(inputs[i]!, 1)]);
    }
    assert.ok(minersSeen.size >= 2, `requests spread over miners: ${[...minersSeen].join(", ")}`);
  });

  it("tensornode query prints the output and checks the receipt on chain; receipt verify checks the saved answer again", async () => {
    const keyFile = join(root, "bulk.key");
    (await import("node:fs")).writeFileSync(keyFile, `${keys.bulk}\n`, { mode: 0o600 });
    const saved = join(root, "answer.json");
    const input = JSON.stringify({ input: tinyInput(random) });
    const r = await runCli(["query", "--url", net.url, "infer", "--json", input, "--api-key-file", keyFile, "--chain", net.chain, "--netuid", "1", "--redundancy", "2", "--save", saved], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /receipt valid: this hotkey signed this output for the exact bytes you sent/);
    assert.match(r.stdout, /on chain: uid \d+ of subnet 1 at block \d+; asked by validator uid \d+/);
    assert.equal(r.stdout.match(/receipt valid/g)?.length, 2, "both miners' receipts are checked");
    const again = await runCli(["receipt", "verify", saved, "--format", "json"], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { valid: boolean }).valid, true);
  });

  it("loses no request when a miner is killed mid-traffic, and the failure shows in attribution", async () => {
    const startedMs = Date.now();
    const victim = "miner1";
    const victimHotkey = await net.address(victim);
    const failuresOf = async (): Promise<number> => {
      const attribution = await http(`${net.url}/v1/attribution?since=${startedMs}`, { headers: { authorization: `Bearer ${keys.bulk}` } });
      const row = (attribution.json as { miners: { hotkey: string; failed: number }[] }).miners.find((m) => m.hotkey === victimHotkey);
      return row?.failed ?? 0;
    };
    let killed = false;
    const statuses: number[] = [];
    // Traffic until the killed miner has been asked and failed (it rests afterwards; the draw comes back to it).
    for (let round = 0; round < 40 && (!killed || (await failuresOf()) === 0); round++) {
      const batch = await pool(12, 6, async (i) => {
        if (round === 1 && i === 3 && !killed) {
          process.kill(net.pidOf(victim), "SIGKILL");
          killed = true;
        }
        return postSynapse(net.url, "infer", JSON.stringify({ input: tinyInput(random) }), keys.bulk);
      });
      for (const answer of batch) {
        statuses.push(answer.status);
        assert.equal(answer.status, 200, `no user request is lost: ${JSON.stringify(answer.json)}`);
      }
    }
    assert.ok(killed);
    assert.ok((await failuresOf()) > 0, "the killed miner's failures are attributed to it");
    const table = await runCli(["validator", "attribution", "--url", net.url, "--since", new Date(startedMs).toISOString()], { env: { ...env, TENSORNODE_API_KEY: keys.bulk! } });
    assert.equal(table.code, 0, table.stderr);
    assert.ok(table.stdout.includes(victimHotkey), table.stdout);
    assert.match(table.stdout, /UNREACHABLE|TIMEOUT|REFUSED/);
  });

  it("answers bad input and abuse with its status and a JSON error, and keeps scoring", async () => {
    const abuseStarted = Date.now();
    const valid = JSON.stringify({ input: tinyInput(random) });
    const cases: [string, Promise<HttpAnswer>, number, string][] = [
      ["no key", postSynapse(net.url, "infer", valid), 401, "UNAUTHORIZED"],
      ["an unknown key", postSynapse(net.url, "infer", valid, "tnk_not-a-key"), 401, "UNAUTHORIZED"],
      ["a key not allowed this synapse", postSynapse(net.url, "infer", valid, keys.ocrOnly), 403, "FORBIDDEN"],
      ["malformed JSON", postSynapse(net.url, "infer", '{"input": [1, 2', keys.bulk), 400, "BAD_JSON"],
      ["a wrong type", postSynapse(net.url, "infer", JSON.stringify({ input: "sixteen numbers" }), keys.bulk), 400, "BAD_INPUT"],
      ["an unknown key in the input", postSynapse(net.url, "infer", JSON.stringify({ input: tinyInput(random), extra: 1 }), keys.bulk), 400, "BAD_INPUT"],
      ["a value the model refuses", postSynapse(net.url, "infer", JSON.stringify({ input: Array(16).fill(99) }), keys.bulk), 400, "BAD_INPUT"],
      ["too much redundancy", postSynapse(net.url, "infer", JSON.stringify({ input: tinyInput(random), redundancy: 7 }), keys.bulk), 400, "BAD_REDUNDANCY"],
      ["a huge body", postSynapse(net.url, "infer", `{"input": [${"1,".repeat(200_000)}1]}`, keys.bulk), 413, "TOO_LARGE"],
      ["not JSON's content type", postSynapse(net.url, "infer", valid, keys.bulk, { "content-type": "text/plain" }), 415, "UNSUPPORTED_MEDIA_TYPE"],
      ["an unknown synapse", postSynapse(net.url, "nope", valid, keys.bulk), 404, "NOT_FOUND"],
      ["a GET on the synapse", http(`${net.url}/v1/synapses/infer`, { headers: { authorization: `Bearer ${keys.bulk}` } }), 405, "METHOD_NOT_ALLOWED"],
      ["a foreign Host header (DNS rebinding)", rawHttp(`${net.url}/v1/synapses/infer`, { method: "POST", body: valid, headers: { host: "attacker.example", "content-type": "application/json", authorization: `Bearer ${keys.bulk}` } }), 403, "BAD_HOST"],
    ];
    for (const [what, pending, status, code] of cases) {
      const answer = await pending;
      assert.equal(answer.status, status, `${what}: ${JSON.stringify(answer.json)}`);
      const error = (answer.json as { error?: { code?: string; message?: string } }).error;
      assert.equal(error?.code, code, what);
      assert.match(error?.message ?? "", /\S/, `${what}: a sentence says why`);
    }

    // A key's rate: its burst passes, the next is 429 with a Retry-After.
    const tight = await Promise.all(Array.from({ length: 4 }, () => postSynapse(net.url, "infer", valid, keys.tight)));
    const limited = tight.find((a) => a.status === 429);
    assert.ok(limited, `a burst over the key's rate is refused: ${tight.map((a) => a.status).join(", ")}`);
    assert.match(limited.headers.get("retry-after") ?? "", /^\d+$/);
    assert.equal((limited.json as { error: { code: string } }).error.code, "RATE_LIMITED");

    // A key added to the file works once the validator is told to reload it (SIGHUP).
    const late = await addKey("late");
    assert.equal((await postSynapse(net.url, "infer", valid, late)).status, 401, "not before the reload");
    process.kill(net.pidOf("validator1"), "SIGHUP");
    let status = 0;
    for (let i = 0; i < 200 && status !== 200; i++) status = (await postSynapse(net.url, "infer", valid, late)).status;
    assert.equal(status, 200, "the new key is taken after SIGHUP");

    // Scoring went on throughout: the validator scored miners after the abuse began.
    let scoredSince = false;
    for (let i = 0; i < 600 && !scoredSince; i++) {
      const miners = (await http(`${net.url}/v1/miners`, { headers: { authorization: `Bearer ${keys.bulk}` } })).json as { miners: MinerRow[] };
      scoredSince = miners.miners.some((m) => m.lastScoredAt !== null && Date.parse(m.lastScoredAt) > abuseStarted);
      if (!scoredSince) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(scoredSince, "the validator kept scoring miners");
  });
});

/**
 * Users read lines of text through an OCR localnet's gateway (the real PP-OCRv4 model): images
 * rendered by the test go in as PNG and JPEG, curl-style and through `tensornode query --image`;
 * each answer's receipt verifies; an image bomb is refused before it is decoded.
 */
describe("the validator gateway on an OCR localnet", { timeout: 900_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), "tn-gateway-ocr-"));
  const env = { TMPDIR: join(root, "tmp"), TENSORNODE_HOME: join(root, "home") };
  mkdirSync(env.TMPDIR);
  let net: GatewayNet;

  before(async () => {
    net = await startGatewayNet(join(root, "net"), ["--subnet", "ocr", "--miners", "2", "--validators", "1", "--seed", "5"], env, { servingMiners: 2 });
  });

  after(async () => {
    await net?.proc.stop(15_000);
    for (const pid of processesMentioning(root)) process.kill(pid, "SIGKILL");
    rmSync(root, { recursive: true, force: true });
  });

  it("reads back lines rendered by the test, sent as PNG and JPEG, each receipt verifying and naming a serving miner", async () => {
    const honest = await net.address("miner1");
    const serving = new Set([honest, await net.address("miner2")]);
    const random = prng(2026);
    const lines = Array.from({ length: 8 }, () => randomLine(random));
    const results = await pool(lines.length * 2, 2, async (i) => {
      const text = lines[i >> 1]!;
      const file = await encodeImageFile(renderLine(text, prng(i)), i % 2 === 0 ? "png" : "jpeg", 92);
      const body = encoder.encode(JSON.stringify({ image: Buffer.from(file).toString("base64") }));
      return { text, body, answer: await postSynapse(net.url, "recognize", body) };
    });
    let exact = 0;
    let fromHonest = 0;
    for (const { text, body, answer } of results) {
      assert.equal(answer.status, 200, JSON.stringify(answer.json));
      const check = checkAnswer(answer.json, body);
      assert.ok(check.valid, JSON.stringify(check.receipts.map((r) => r.verdict)));
      const { output, miner } = answer.json as { output: { text: string }; miner: { hotkey: string } };
      assert.ok(serving.has(miner.hotkey), `${miner.hotkey} serves the subnet`);
      if (miner.hotkey !== honest) continue; // the noisy demo miner garbles some answers, by design
      fromHonest += 1;
      if (output.text === text) exact += 1;
      else assert.ok(textSimilarity(text, output.text) >= 0.8, `${JSON.stringify(text)} read as ${JSON.stringify(output.text)}`);
    }
    assert.ok(fromHonest > 0, "the honest miner answered some");
    assert.ok(exact >= Math.ceil(0.75 * fromHonest), `${exact} of ${fromHonest} honest answers exactly right`);
  });

  it("tensornode query --image sends a PNG file and checks the receipt", async () => {
    const file = join(root, "line.png");
    (await import("node:fs")).writeFileSync(file, await encodeImageFile(renderLine("gateway 2026", prng(9)), "png"));
    const r = await runCli(["query", "--url", net.url, "recognize", "--image", file, "--format", "json"], { env });
    assert.equal(r.code, 0, r.stderr);
    const printed = JSON.parse(r.stdout) as { valid: boolean; output: { text: string }; receipts: { verdict: string }[] };
    assert.equal(printed.valid, true);
    assert.equal(typeof printed.output.text, "string");
  });

  it("refuses an image bomb before decoding it, and undecodable or foreign files, each with its reason", async () => {
    const started = Date.now();
    const bomb = await postSynapse(net.url, "recognize", JSON.stringify({ image: Buffer.from(blackPng(5000, 5000)).toString("base64") }));
    assert.equal(bomb.status, 413, JSON.stringify(bomb.json));
    assert.equal((bomb.json as { error: { code: string } }).error.code, "TOO_LARGE");
    assert.ok(Date.now() - started < 5_000, "refused from its header, not decoded");
    const truncated = (await encodeImageFile(renderLine("cut short", prng(1)), "png")).subarray(0, 200);
    for (const [what, image] of [
      ["a truncated PNG", Buffer.from(truncated).toString("base64")],
      ["a text file", Buffer.from("hello, not an image").toString("base64")],
      ["not base64", "this is not base64!"],
    ] as const) {
      const answer = await postSynapse(net.url, "recognize", JSON.stringify({ image }));
      assert.equal(answer.status, 400, `${what}: ${JSON.stringify(answer.json)}`);
      assert.equal((answer.json as { error: { code: string } }).error.code, "BAD_INPUT", what);
    }
  });
});
