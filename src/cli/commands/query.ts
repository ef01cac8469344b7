/**
 * `tensornode query --url URL SYNAPSE [--json '{…}' | --image FILE | --input FILE]`: asks a
 * validator's gateway, prints the output and the miner, and checks the miner's receipt against the
 * exact bytes sent — offline from the hotkey alone, or also on chain (--chain/--network with
 * --netuid: the hotkey holds that uid on that subnet). `tensornode receipt verify FILE` checks an
 * answer saved with --save.
 */
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { encodeAddress } from "@polkadot/util-crypto";
import { connectChain } from "../../chain/connection.js";
import { loadMetagraph } from "../../chain/metagraph.js";
import { checkAnswer, type AnswerCheck } from "../../p2p/protocol/answer-check.js";
import { UserError } from "../../util/errors.js";
import type { OptionSchema } from "../config.js";
import type { CliContext } from "../context.js";
import { toJsonText } from "../json-output.js";
import { addSchemaOptions, addSubcommand, commandConfig } from "../options.js";
import { chainEndpoint, type Values } from "../chain-session.js";

const ON_CHAIN_OPTIONS: OptionSchema = {
  network: { type: "enum", values: ["local", "test", "finney"], help: "also check on this chain that each miner's hotkey holds its uid on --netuid" },
  chain: { type: "string", help: "as --network, a node's WebSocket endpoint (ws://… or wss://…)", conflicts: { keys: ["network"], code: "BAD_CHAIN" } },
  netuid: { type: "integer", min: 0, max: 65535, help: "the subnet the gateway serves (with --chain or --network)" },
  format: { type: "enum", values: ["text", "json"], default: "text", help: "text, or the answer and its checks as JSON" },
};

const QUERY_OPTIONS: OptionSchema = {
  url: { type: "string", help: "the validator's gateway, e.g. http://127.0.0.1:8080" },
  image: { type: "string", help: "send this PNG or JPEG file as the input's image (base64)" },
  input: { type: "string", help: "send this file's bytes as the request body (a JSON object)" },
  redundancy: { type: "integer", min: 1, max: 3, help: "ask this many miners at once (each answer's receipt is checked)" },
  apiKeyFile: { type: "string", help: "a file holding the gateway's API key (or env TENSORNODE_API_KEY)" },
  save: { type: "string", help: "save the body sent and the answer to this file (tensornode receipt verify FILE checks it later)" },
  timeout: { type: "integer", min: 1, max: 600, default: 60, help: "seconds to wait for the answer" },
  ...ON_CHAIN_OPTIONS,
};

/** What --save writes: enough to check the answer again, offline. */
interface SavedAnswer {
  readonly synapse: string;
  readonly url: string;
  /** The exact request body, base64. */
  readonly body: string;
  readonly answer: unknown;
}

const encoder = new TextEncoder();

async function requestBody(ctx: CliContext, v: Values, jsonText: string | undefined): Promise<Uint8Array> {
  const given = [jsonText !== undefined && "--json", v.image !== undefined && "--image", v.input !== undefined && "--input"].filter(Boolean);
  if (given.length !== 1) throw new UserError("BAD_INPUT", given.length === 0 ? "give the input: --json '{…}', --image FILE or --input FILE" : `give one input, not ${given.join(" and ")}`);
  let body: Uint8Array;
  if (v.image !== undefined) {
    const path = resolve(ctx.cwd, String(v.image));
    const image = await readFile(path).catch((error: Error) => {
      throw new UserError("BAD_INPUT", `--image: cannot read ${path} (${error.message})`);
    });
    body = encoder.encode(JSON.stringify({ image: image.toString("base64") }));
  } else if (v.input !== undefined) {
    const path = resolve(ctx.cwd, String(v.input));
    body = await readFile(path).catch((error: Error) => {
      throw new UserError("BAD_INPUT", `--input: cannot read ${path} (${error.message})`);
    });
  } else {
    body = encoder.encode(jsonText!);
  }
  if (v.redundancy === undefined) return body;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(body));
  } catch (error) {
    throw new UserError("BAD_INPUT", `the input is not JSON (${(error as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new UserError("BAD_INPUT", "the input must be a JSON object");
  return encoder.encode(JSON.stringify({ ...value, redundancy: Number(v.redundancy) }));
}

async function apiKey(ctx: CliContext, v: Values): Promise<string | undefined> {
  if (typeof v.apiKeyFile === "string") {
    const path = resolve(ctx.cwd, v.apiKeyFile);
    const text = await readFile(path, "utf8").catch((error: Error) => {
      throw new UserError("BAD_API_KEY", `--api-key-file: cannot read ${path} (${error.message})`);
    });
    const key = text.trim();
    if (!key || /\s/.test(key)) throw new UserError("BAD_API_KEY", `--api-key-file: ${path} must hold one key on one line`);
    return key;
  }
  return ctx.env.TENSORNODE_API_KEY?.trim() || undefined;
}

function gatewayUrl(v: Values, synapse: string): URL {
  if (typeof v.url !== "string") throw new UserError("MISSING_OPTION", "--url is required: the validator's gateway, e.g. http://127.0.0.1:8080");
  let base: URL;
  try {
    base = new URL(v.url);
  } catch {
    throw new UserError("BAD_URL", `--url: "${v.url}" is not a URL`);
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") throw new UserError("BAD_URL", `--url: "${v.url}" is not an http:// or https:// URL`);
  if (!/^[a-z][a-z0-9_-]{0,63}$/.test(synapse)) throw new UserError("BAD_SYNAPSE", `"${synapse}" is not a synapse name (GET ${base.origin}/v1/synapses lists them)`);
  return new URL(`/v1/synapses/${synapse}`, base);
}

/** With --chain/--network: each valid receipt's miner holds its uid on the subnet, and the request was for that chain and subnet. */
async function checkOnChain(v: Values, check: AnswerCheck): Promise<string[]> {
  if (v.chain === undefined && v.network === undefined) return [];
  if (v.netuid === undefined) throw new UserError("NO_NETUID", "--netuid is required with --chain or --network (the subnet the gateway serves)");
  const netuid = Number(v.netuid);
  const chain = await connectChain(chainEndpoint(v), { timeoutMs: 10_000 });
  try {
    const metagraph = await loadMetagraph(chain.api, netuid);
    if (!metagraph) throw new UserError("NO_SUBNET", `subnet ${netuid} does not exist on ${chain.endpoint}`);
    const genesis = chain.api.genesisHash.toHex();
    return check.receipts.map((r) => {
      if (!r.receipt || r.verdict !== "valid") return "not checked on chain (the receipt is invalid)";
      const request = r.receipt.request;
      if (`0x${Buffer.from(request.genesisHash).toString("hex")}` !== genesis) return `INVALID on chain: the request was for another chain than ${chain.endpoint}`;
      if (request.netuid !== netuid) return `INVALID on chain: the request was for subnet ${request.netuid}, not ${netuid}`;
      const miner = metagraph.neurons.find((n) => n.hotkey === r.hotkey);
      if (!miner) return `INVALID on chain: ${r.hotkey} is not registered on subnet ${netuid}`;
      if (r.uid !== undefined && miner.uid !== r.uid) return `INVALID on chain: ${r.hotkey} holds uid ${miner.uid}, not ${r.uid}`;
      const validator = encodeAddress(request.validator, 42);
      const v2 = metagraph.neurons.find((n) => n.hotkey === validator);
      return `on chain: uid ${miner.uid} of subnet ${netuid} at block ${metagraph.block}; asked by validator ${v2 ? `uid ${v2.uid}` : `${validator} (not registered)`}`;
    });
  } finally {
    await chain.close();
  }
}

function printCheck(ctx: CliContext, v: Values, check: AnswerCheck, onChain: readonly string[]): void {
  if (v.format === "json") {
    ctx.stdout(
      `${toJsonText({
        output: check.output,
        valid: check.valid && onChain.every((line) => !line.startsWith("INVALID")),
        receipts: check.receipts.map((r, i) => ({ uid: r.uid ?? null, hotkey: r.hotkey, latencyMs: r.latencyMs ?? null, verdict: r.verdict, onChain: onChain[i] ?? null, output: r.output ?? null })),
      })}\n`,
    );
    return;
  }
  const output = check.output as { text?: unknown } | undefined;
  const shown = output && typeof output === "object" && Object.keys(output).length === 1 && typeof output.text === "string" ? output.text : JSON.stringify(check.output);
  ctx.stdout(`output: ${shown}\n`);
  for (const [i, r] of check.receipts.entries()) {
    const who = `${i === 0 ? "miner" : "also  "}: uid ${r.uid ?? "?"} ${r.hotkey}${r.latencyMs === undefined ? "" : `, ${r.latencyMs} ms`}`;
    const verdict = r.verdict === "valid" ? "receipt valid: this hotkey signed this output for the exact bytes you sent" : `receipt ${r.verdict}`;
    ctx.stdout(`${who}\n  ${verdict}\n  ${onChain[i] ?? "not checked on chain (pass --chain or --network, and --netuid)"}\n`);
    if (i > 0 && r.output !== undefined) ctx.stdout(`  its output: ${JSON.stringify(r.output)}\n`);
  }
}

function failIfInvalid(check: AnswerCheck, onChain: readonly string[]): void {
  const bad = check.receipts.filter((r, i) => r.verdict !== "valid" || onChain[i]?.startsWith("INVALID")).length;
  if (bad > 0) throw new UserError("RECEIPT_INVALID", `${bad} of ${check.receipts.length} receipts do not verify; do not trust this answer`);
}

async function ask(url: URL, body: Uint8Array, key: string | undefined, timeoutMs: number): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new UserError("GATEWAY_UNREACHABLE", `cannot reach the gateway at ${url.origin} (${cause}); is the validator running with --api-port?`);
  }
  const text = await response.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UserError("GATEWAY_ERROR", `${url.href}: HTTP ${response.status}, not JSON: ${text.slice(0, 120)}`);
  }
  if (!response.ok) {
    const error = (value as { error?: { code?: unknown; message?: unknown } }).error;
    const retry = response.headers.get("retry-after");
    throw new UserError(`GATEWAY_${typeof error?.code === "string" ? error.code : "ERROR"}`, `the gateway answered ${response.status}: ${typeof error?.message === "string" ? error.message : text.slice(0, 200)}${retry ? ` (retry after ${retry} s)` : ""}`);
  }
  return value;
}

export function registerQueryCommand(program: Command, ctx: CliContext): void {
  const query = program.command("query").description("ask a validator's gateway (a synapse, with JSON or an image) and check the miner's signed receipt");
  // --json is this command's input (a JSON text), not the output switch other commands have.
  query.option("--json <body>", "the request body: a JSON object, sent byte for byte").argument("<synapse>", "the synapse, as GET /v1/synapses lists them (e.g. recognize, infer)");
  addSchemaOptions(query, QUERY_OPTIONS).action(async (synapse: string) => {
    const v = commandConfig(query).values;
    const url = gatewayUrl(v, synapse);
    const body = await requestBody(ctx, v, query.opts<{ json?: string }>().json);
    const answer = await ask(url, body, await apiKey(ctx, v), Number(v.timeout) * 1000);
    if (typeof v.save === "string") {
      const saved: SavedAnswer = { synapse, url: url.href, body: Buffer.from(body).toString("base64"), answer };
      await writeFile(resolve(ctx.cwd, v.save), `${JSON.stringify(saved, null, 2)}\n`);
    }
    const check = checkAnswer(answer, body);
    const onChain = await checkOnChain(v, check);
    printCheck(ctx, v, check, onChain);
    failIfInvalid(check, onChain);
  });

  const receipt = program.command("receipt").description("miners' signed receipts: check one offline");
  addSubcommand(receipt, "verify", "check an answer saved by `tensornode query --save FILE`: the miner signed that output for that body", ON_CHAIN_OPTIONS, async (v, command) => {
    const path = resolve(ctx.cwd, String(command.args[0] ?? ""));
    let saved: Partial<SavedAnswer>;
    try {
      saved = JSON.parse(await readFile(path, "utf8")) as Partial<SavedAnswer>;
    } catch (error) {
      throw new UserError("BAD_RECEIPT_FILE", `${path}: cannot be read as a saved answer (${(error as Error).message})`);
    }
    if (typeof saved.body !== "string" || saved.answer === undefined) throw new UserError("BAD_RECEIPT_FILE", `${path}: not a saved answer (it needs "body", base64, and "answer", as tensornode query --save writes)`);
    const check = checkAnswer(saved.answer, Buffer.from(saved.body, "base64"));
    const onChain = await checkOnChain(v, check);
    printCheck(ctx, v, check, onChain);
    failIfInvalid(check, onChain);
  }).argument("<file>", "the file tensornode query --save wrote");
}
