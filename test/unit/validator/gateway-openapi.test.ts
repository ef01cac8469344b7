import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { SynapseInfo } from "../../../src/validator/gateway/contract.js";
import { gatewayOpenApi } from "../../../src/validator/gateway/openapi.js";
import { MAX_REDUNDANCY } from "../../../src/subnet/public-api.js";

const RECOGNIZE: SynapseInfo = {
  name: "recognize",
  description: "reads one line of printed text",
  timeoutMs: 2_000,
  input: { type: "object", required: ["image"], properties: { image: { type: "string", contentEncoding: "base64" } }, additionalProperties: false },
  output: { type: "object", required: ["text"], properties: { text: { type: "string" } } },
  example: { image: "iVBORw0KGgo=" },
  maxBodyBytes: 1_000_000,
};
const INFER: SynapseInfo = {
  name: "infer",
  description: "",
  timeoutMs: 500,
  input: { type: "object", required: ["input"], properties: { input: { type: "array", items: { type: "number" }, minItems: 16, maxItems: 16 } } },
  output: { type: "object", properties: { output: { type: "array", items: { type: "number" } } } },
  example: { input: Array.from({ length: 16 }, (_, i) => i / 16) },
  maxBodyBytes: 4_096,
};

type Json = Record<string, unknown>;
const METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

/** Every `$ref` in `value`, with where it was found. */
function refs(value: unknown, at = "#"): [string, string][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => refs(item, `${at}/${i}`));
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, child]): [string, string][] => (key === "$ref" ? [[String(child), at]] : refs(child, `${at}/${key}`)));
}

function resolvePointer(document: unknown, ref: string): unknown {
  assert.ok(ref.startsWith("#/"), `${ref} is local to the document`);
  return ref
    .slice(2)
    .split("/")
    .map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<unknown>((node, token) => (node as Json | undefined)?.[token], document);
}

/** What OpenAPI 3.1 asks of a document's shape, as far as this document uses it. */
function assertOpenApi31(document: Json): void {
  assert.equal(document.openapi, "3.1.0");
  const info = document.info as Json;
  assert.equal(typeof info.title, "string");
  assert.equal(typeof info.version, "string");
  const components = document.components as Json;
  for (const section of Object.values(components)) {
    for (const name of Object.keys(section as Json)) assert.match(name, /^[a-zA-Z0-9._-]+$/, `component name ${name}`);
  }
  const schemes = (components.securitySchemes ?? {}) as Json;
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(document.paths as Json)) {
    assert.match(path, /^\//, `path ${path}`);
    for (const [method, operation] of Object.entries(item as Json)) {
      assert.ok(METHODS.has(method), `${path}: ${method} is an HTTP method`);
      const op = operation as Json;
      assert.equal(typeof op.operationId, "string", `${method} ${path} has an operationId`);
      assert.ok(!operationIds.has(op.operationId as string), `operationId ${String(op.operationId)} is unique`);
      operationIds.add(op.operationId as string);
      const responses = op.responses as Json;
      assert.ok(Object.keys(responses).length > 0, `${method} ${path} has responses`);
      for (const [status, response] of Object.entries(responses)) {
        assert.match(status, /^[1-5]\d\d$|^default$/, `${method} ${path}: status ${status}`);
        const r = response as Json;
        assert.ok(typeof r.$ref === "string" || typeof r.description === "string", `${method} ${path} ${status} has a description`);
      }
      for (const requirement of (op.security ?? []) as Json[]) {
        for (const scheme of Object.keys(requirement)) assert.ok(schemes[scheme], `${method} ${path}: security scheme ${scheme} is defined`);
      }
      for (const parameter of (op.parameters ?? []) as Json[]) {
        assert.ok(typeof parameter.name === "string" && ["query", "header", "path", "cookie"].includes(parameter.in as string), `${method} ${path}: parameter ${JSON.stringify(parameter)}`);
      }
      for (const template of path.match(/\{[^}]+\}/g) ?? []) {
        assert.ok(((op.parameters ?? []) as Json[]).some((p) => p.in === "path" && `{${String(p.name)}}` === template && p.required === true), `${path}: ${template} is a required path parameter`);
      }
    }
  }
  for (const [ref, at] of refs(document)) assert.notEqual(resolvePointer(document, ref), undefined, `${ref} (at ${at}) resolves`);
}

/** A validator of the document's component schema `name` (its $refs resolved within the document). */
function schemaValidator(document: Json, name: string): (value: unknown) => boolean {
  const ajv = new Ajv2020({ strict: false });
  ajv.addSchema(document, "openapi.json");
  return ajv.compile({ $ref: `openapi.json#/components/schemas/${name}` });
}

describe("the gateway's OpenAPI document", () => {
  it("is OpenAPI 3.1 in shape: info, paths with responses, unique operation ids, every $ref resolves", () => {
    assertOpenApi31(gatewayOpenApi([RECOGNIZE, INFER], { keyed: false }) as Json);
    assertOpenApi31(gatewayOpenApi([RECOGNIZE, INFER], { keyed: true, serverUrl: "https://gw.example" }) as Json);
    assertOpenApi31(gatewayOpenApi([], { keyed: true }) as Json);
  });

  it("has a path for every route, and one POST per synapse", () => {
    const document = gatewayOpenApi([RECOGNIZE, INFER], { keyed: false }) as Json;
    assert.deepEqual(Object.keys(document.paths as Json).sort(), ["/metrics", "/v1/attribution", "/v1/miners", "/v1/openapi.json", "/v1/synapses", "/v1/synapses/infer", "/v1/synapses/recognize"]);
    const call = ((document.paths as Json)["/v1/synapses/recognize"] as Json).post as Json;
    assert.deepEqual(Object.keys(call.responses as Json).sort(), ["200", "400", "408", "413", "415", "500", "503"]);
    const attribution = ((document.paths as Json)["/v1/attribution"] as Json).get as Json;
    assert.equal(((attribution.parameters as Json[])[0] as Json).name, "since");
  });

  it("takes each synapse's input schema, plus an optional redundancy of 1 to 3, as its request body, with its example", () => {
    const document = gatewayOpenApi([RECOGNIZE, INFER], { keyed: false }) as Json;
    const schemas = (document.components as Json).schemas as Json;
    const request = schemas["recognize.request"] as Json;
    assert.deepEqual(request.required, ["image"]);
    assert.equal(request.additionalProperties, false);
    assert.deepEqual((request.properties as Json).image, { type: "string", contentEncoding: "base64" });
    assert.deepEqual(((request.properties as Json).redundancy as Json).maximum, MAX_REDUNDANCY);
    const body = ((((document.paths as Json)["/v1/synapses/recognize"] as Json).post as Json).requestBody as Json).content as Json;
    assert.deepEqual((body["application/json"] as Json).example, RECOGNIZE.example);

    const validRequest = schemaValidator(document, "recognize.request");
    assert.equal(validRequest(RECOGNIZE.example), true, "the example is a valid request");
    assert.equal(validRequest({ ...(RECOGNIZE.example as Json), redundancy: 3 }), true);
    assert.equal(validRequest({ ...(RECOGNIZE.example as Json), redundancy: 4 }), false);
    assert.equal(validRequest({ ...(RECOGNIZE.example as Json), redundancy: 1.5 }), false);
    assert.equal(validRequest({ image: "x", other: 1 }), false, "the input's own additionalProperties: false still holds");
    assert.equal(schemaValidator(document, "infer.request")(INFER.example), true);
  });

  it("describes each answer with the synapse's output schema, the miner, the latency and the base64 receipts", () => {
    const document = gatewayOpenApi([RECOGNIZE], { keyed: false }) as Json;
    const answer = ((document.components as Json).schemas as Json)["recognize.answer"] as Json;
    assert.deepEqual((answer.properties as Json).output, RECOGNIZE.output);
    assert.deepEqual(answer.required, ["output", "miner", "latencyMs", "receipt"]);
    const validAnswer = schemaValidator(document, "recognize.answer");
    const one = { miner: { uid: 3, hotkey: "5F" }, latencyMs: 12.5, receipt: "AAEC" };
    assert.equal(validAnswer({ output: { text: "hello" }, ...one }), true);
    assert.equal(validAnswer({ output: { text: "hello" }, ...one, receipts: [one, one] }), true);
    assert.equal(validAnswer({ output: { text: 5 }, ...one }), false, "the output schema applies");
    assert.equal(validAnswer({ output: { text: "hello" }, ...one, miner: { uid: -1, hotkey: "5F" } }), false);
  });

  it("describes the error body every error answer has", () => {
    const document = gatewayOpenApi([RECOGNIZE], { keyed: true }) as Json;
    const validError = schemaValidator(document, "Error");
    assert.equal(validError({ error: { code: "RATE_LIMITED", message: "slow down" } }), true);
    assert.equal(validError({ error: "slow down" }), false);
    const responses = (document.components as Json).responses as Json;
    assert.ok(((responses.RateLimited as Json).headers as Json)["Retry-After"]);
    assert.ok(((responses.Unavailable as Json).headers as Json)["Retry-After"]);
  });

  it("with keys, defines the bearer scheme and asks for it on the POST, /v1/miners, /v1/attribution and /metrics only", () => {
    const keyed = gatewayOpenApi([RECOGNIZE], { keyed: true }) as Json;
    assert.deepEqual(((keyed.components as Json).securitySchemes as Json).bearer, { type: "http", scheme: "bearer", description: "an API key from this gateway's operator" });
    const securityOf = (path: string, method: string): unknown => (((keyed.paths as Json)[path] as Json)[method] as Json).security;
    for (const [path, method] of [["/v1/synapses/recognize", "post"], ["/v1/miners", "get"], ["/v1/attribution", "get"], ["/metrics", "get"]] as const) {
      assert.deepEqual(securityOf(path, method), [{ bearer: [] }], path);
      assert.ok(((((keyed.paths as Json)[path] as Json)[method] as Json).responses as Json)["401"], `${path} may answer 401`);
    }
    for (const path of ["/v1/synapses", "/v1/openapi.json"]) assert.deepEqual(securityOf(path, "get"), [], `${path} is public`);

    const open = gatewayOpenApi([RECOGNIZE], { keyed: false }) as Json;
    assert.equal((open.components as Json).securitySchemes, undefined);
    assert.equal((((open.paths as Json)["/v1/synapses/recognize"] as Json).post as Json).security, undefined);
  });

  it("gives synapses whose names clean up alike distinct component names, and is the same for the same synapses", () => {
    const a = { ...INFER, name: "a.b" };
    const b = { ...INFER, name: "a_b" };
    const document = gatewayOpenApi([a, b], { keyed: false }) as Json;
    assertOpenApi31(document);
    assert.deepEqual(Object.keys((document.components as Json).schemas as Json).filter((n) => n.startsWith("a_b")).sort(), ["a_b.answer", "a_b.request", "a_b_2.answer", "a_b_2.request"]);
    assert.deepEqual(gatewayOpenApi([a, b], { keyed: false }), document);
  });
});
