/**
 * The gateway's OpenAPI 3.1 document, generated from the synapses it offers: one path per synapse
 * whose request body is the synapse's input schema (plus the optional `redundancy`) and whose answer
 * carries its output schema, the discovery and accounting routes, the error body, and the bearer
 * scheme when keys are on. Pure: the same synapses give the same document.
 */
import type { JsonSchema } from "../../subnet/plugin.js";
import { MAX_REDUNDANCY } from "../../subnet/public-api.js";
import type { SynapseInfo } from "./contract.js";

export interface OpenApiOptions {
  /** Whether the gateway asks for API keys: adds the bearer scheme and marks the routes that need one. */
  readonly keyed: boolean;
  readonly title?: string;
  readonly version?: string;
  /** Where the gateway is reached, when known (the `servers` entry). */
  readonly serverUrl?: string;
}

export type OpenApiDocument = Readonly<Record<string, unknown>>;

const REF = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const RESPONSE = (name: string): JsonSchema => ({ $ref: `#/components/responses/${name}` });

const RETRY_AFTER = { description: "seconds to wait before trying again", schema: { type: "integer", minimum: 1 } };

const ERROR_RESPONSES: Readonly<Record<string, { readonly status: string; readonly description: string; readonly headers?: Record<string, unknown> }>> = {
  BadRequest: { status: "400", description: "the body is not JSON (BAD_JSON) or not this synapse's input (BAD_INPUT, BAD_REDUNDANCY), or a query parameter is wrong" },
  Unauthorized: { status: "401", description: "no API key, or one this gateway does not know (UNAUTHORIZED)", headers: { "WWW-Authenticate": { schema: { type: "string" } } } },
  Forbidden: { status: "403", description: "the API key may not call this synapse (FORBIDDEN), or the Host header is not a loopback name on a loopback gateway (BAD_HOST)" },
  NotFound: { status: "404", description: "no such route or synapse (NOT_FOUND)" },
  RequestTimeout: { status: "408", description: "the body did not arrive in time (REQUEST_TIMEOUT)" },
  TooLarge: { status: "413", description: "the body (or an image in it) is over the synapse's limit (TOO_LARGE)" },
  UnsupportedMediaType: { status: "415", description: "the body is not application/json (UNSUPPORTED_MEDIA_TYPE)" },
  RateLimited: { status: "429", description: "the API key is over its rate (RATE_LIMITED)", headers: { "Retry-After": RETRY_AFTER } },
  Internal: { status: "500", description: "the gateway failed (INTERNAL); nothing about the failure is disclosed" },
  Unavailable: {
    status: "503",
    description: "too many requests in flight (BUSY), no miner can answer now (NO_MINER), every miner asked failed (MINERS_FAILED), or the gateway is stopping (SHUTTING_DOWN)",
    headers: { "Retry-After": RETRY_AFTER },
  },
};

export function gatewayOpenApi(synapses: readonly SynapseInfo[], options: OpenApiOptions): OpenApiDocument {
  const keyed = options.keyed;
  const schemaNames = componentNames(synapses);
  const schemas: Record<string, unknown> = { ...commonSchemas() };
  const paths: Record<string, unknown> = {};

  const operation = (spec: { id: string; summary: string; needsKey: boolean; ok: Record<string, unknown>; errors: readonly string[]; extra?: Record<string, unknown> }) => {
    const errors = spec.needsKey && keyed ? [...spec.errors, "Unauthorized", "RateLimited"] : spec.errors;
    return {
      operationId: spec.id,
      summary: spec.summary,
      ...(keyed ? { security: spec.needsKey ? [{ bearer: [] }] : [] } : {}),
      ...spec.extra,
      responses: {
        "200": spec.ok,
        ...Object.fromEntries([...new Set([...errors, "Internal"])].map((name) => [ERROR_RESPONSES[name]!.status, RESPONSE(name)])),
      },
    };
  };
  const jsonOk = (description: string, schema: JsonSchema) => ({ description, content: { "application/json": { schema } } });

  paths["/v1/synapses"] = {
    get: operation({ id: "listSynapses", summary: "the synapses this gateway offers, with their schemas", needsKey: false, ok: jsonOk("the synapses", REF("SynapseList")), errors: [] }),
  };
  paths["/v1/openapi.json"] = {
    get: operation({ id: "openApi", summary: "this document", needsKey: false, ok: jsonOk("an OpenAPI 3.1 document", { type: "object" }), errors: [] }),
  };
  for (const synapse of synapses) {
    const names = schemaNames.get(synapse.name)!;
    schemas[names.request] = requestSchema(synapse.input);
    schemas[names.answer] = answerSchema(synapse.output);
    paths[`/v1/synapses/${encodeURIComponent(synapse.name)}`] = {
      post: operation({
        id: `call_${names.base}`,
        summary: synapse.description || `call the synapse ${synapse.name}`,
        needsKey: true,
        ok: jsonOk("the answer of one miner, with its signed receipt", REF(names.answer)),
        errors: ["BadRequest", ...(keyed ? ["Forbidden"] : []), "RequestTimeout", "TooLarge", "UnsupportedMediaType", "Unavailable"],
        extra: {
          description: `${synapse.description ? `${synapse.description}. ` : ""}Miners answer within ${synapse.timeoutMs} ms; the body may hold at most ${synapse.maxBodyBytes} bytes.`,
          requestBody: {
            required: true,
            content: { "application/json": { schema: REF(names.request), ...(synapse.example === undefined ? {} : { example: synapse.example }) } },
          },
        },
      }),
    };
  }
  paths["/v1/miners"] = {
    get: operation({ id: "listMiners", summary: "the miners serving, with this validator's current scores", needsKey: true, ok: jsonOk("the miners", { type: "object" }), errors: [] }),
  };
  paths["/v1/attribution"] = {
    get: operation({
      id: "attribution",
      summary: "per miner: organic requests served and failed, latency percentiles",
      needsKey: true,
      ok: jsonOk("the attribution table", { type: "object" }),
      errors: ["BadRequest"],
      extra: {
        parameters: [
          {
            name: "since",
            in: "query",
            required: false,
            description: "the window's start: Unix milliseconds or an ISO 8601 time (UTC when no zone is given); 24 hours ago by default",
            schema: { type: "string", examples: ["1735689600000", "2025-01-01T00:00:00Z"] },
          },
        ],
      },
    }),
  };
  paths["/metrics"] = {
    get: operation({
      id: "metrics",
      summary: "Prometheus metrics of the gateway",
      needsKey: true,
      ok: { description: "Prometheus text exposition", content: { "text/plain": { schema: { type: "string" } } } },
      errors: [],
    }),
  };

  return {
    openapi: "3.1.0",
    info: {
      title: options.title ?? "tensornode validator gateway",
      version: options.version ?? "1",
      description: "Query the subnet's miners through this validator. Every answer carries the miner's signed receipt, bound to the hash of the exact body sent.",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    paths,
    components: {
      schemas,
      responses: Object.fromEntries(
        Object.entries(ERROR_RESPONSES).map(([name, r]) => [name, { description: r.description, ...(r.headers ? { headers: r.headers } : {}), content: { "application/json": { schema: REF("Error") } } }]),
      ),
      ...(keyed ? { securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "an API key from this gateway's operator" } } } : {}),
    },
  };
}

/** The input schema with the optional `redundancy` added beside its own properties. */
function requestSchema(input: JsonSchema): JsonSchema {
  const redundancy = { type: "integer", minimum: 1, maximum: MAX_REDUNDANCY, default: 1, description: "how many miners to ask; the first valid answer is returned with every receipt that came back" };
  if (input.type === "object" || (typeof input.properties === "object" && input.properties !== null)) {
    return { ...input, type: "object", properties: { ...(input.properties as Record<string, unknown> | undefined), redundancy } };
  }
  return { allOf: [input, { type: "object", properties: { redundancy } }] };
}

function answerSchema(output: JsonSchema): JsonSchema {
  return {
    type: "object",
    required: ["output", "miner", "latencyMs", "receipt"],
    properties: {
      output,
      miner: REF("Miner"),
      latencyMs: { type: "number", minimum: 0 },
      receipt: REF("Receipt"),
      receipts: { type: "array", items: REF("AnswerReceipt"), description: "with redundancy > 1: every valid answer that came back, the chosen one first" },
    },
  };
}

function commonSchemas(): Record<string, JsonSchema> {
  return {
    Error: {
      type: "object",
      required: ["error"],
      properties: {
        error: {
          type: "object",
          required: ["code", "message"],
          properties: { code: { type: "string", examples: ["BAD_INPUT", "RATE_LIMITED"] }, message: { type: "string", description: "one sentence" } },
        },
      },
    },
    Miner: { type: "object", required: ["uid", "hotkey"], properties: { uid: { type: "integer", minimum: 0 }, hotkey: { type: "string", description: "SS58 address" } } },
    Receipt: { type: "string", contentEncoding: "base64", description: "what the miner signed: the receipt bytes, base64 (checked by `tensornode receipt verify`)" },
    AnswerReceipt: {
      type: "object",
      required: ["miner", "latencyMs", "receipt"],
      properties: { miner: REF("Miner"), latencyMs: { type: "number", minimum: 0 }, receipt: REF("Receipt") },
    },
    SynapseInfo: {
      type: "object",
      required: ["name", "description", "timeoutMs", "input", "output", "maxBodyBytes"],
      properties: {
        name: { type: "string" },
        description: { type: "string" },
        timeoutMs: { type: "integer" },
        input: { type: "object", description: "JSON Schema of the request body" },
        output: { type: "object", description: "JSON Schema of the answer's output" },
        example: { description: "an example request body" },
        maxBodyBytes: { type: "integer" },
      },
    },
    SynapseList: { type: "object", required: ["synapses"], properties: { synapses: { type: "array", items: REF("SynapseInfo") } } },
  };
}

/** Component names per synapse (`[A-Za-z0-9._-]` only, as OpenAPI requires), unique even when two names clean up alike. */
function componentNames(synapses: readonly SynapseInfo[]): Map<string, { base: string; request: string; answer: string }> {
  const used = new Set<string>();
  const names = new Map<string, { base: string; request: string; answer: string }>();
  for (const { name } of synapses) {
    const clean = name.replace(/[^A-Za-z0-9_-]/g, "_") || "synapse";
    let base = clean;
    for (let n = 2; used.has(base); n++) base = `${clean}_${n}`;
    used.add(base);
    names.set(name, { base, request: `${base}.request`, answer: `${base}.answer` });
  }
  return names;
}
