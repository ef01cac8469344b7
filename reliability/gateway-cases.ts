/**
 * The abuse the gateway's HTTP API is fuzzed with (docs/gateway.md), as raw requests with the
 * answers each may get, seeded: malformed JSON, wrong types, extra fields, bad redundancy, enormous
 * strings, bodies over the limit (declared or chunked), bodies that never end, wrong content types,
 * garbage methods, paths, headers, Authorization and Host headers, pipelining. An expected answer
 * is written `200` or `STATUS CODE` (`400 BAD_JSON`); a HEAD answer, which has no body, `STATUS`.
 */
import { mutateBytes, randomJson, type Random } from "./fuzz.js";
import { rawRequest, type ScriptStep } from "./raw-http.js";

export type GatewayTarget = "keyless" | "keyed";

export interface GatewayCase {
  readonly category: string;
  readonly target: GatewayTarget;
  readonly script: readonly ScriptStep[];
  /** Answers to read (pipelined requests), default 1; each must be one of `expect`. */
  readonly answers?: number;
  readonly head?: boolean;
  readonly expect: readonly string[];
  /** The body sent, when a 200 must carry receipts that verify against it. */
  readonly body?: Uint8Array;
  /** Waits on the gateway's body timeout (run apart, all at once). */
  readonly slow?: boolean;
  /** What it is, for the report when it goes wrong. */
  readonly label: string;
}

export interface CaseContext {
  readonly synapse: string;
  readonly maxBodyBytes: number;
  /** The keyed gateway's keys: one that may call everything, one not allowed the synapse, one with a low rate. */
  readonly keys: { readonly open: string; readonly elsewhere: string; readonly slow: string };
}

type Headers = readonly (readonly [string, string])[];

const int = (random: Random, n: number): number => Math.floor(random() * n);
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)]!;
const utf8 = (text: string): Buffer => Buffer.from(text, "utf8");

/** Answers any synapse call may get whatever its body: the body's own refusals, or a receipt. */
const BODY_OUTCOMES = ["200", "400 BAD_JSON", "400 BAD_INPUT", "400 BAD_REDUNDANCY", "413 TOO_LARGE"];

export function validInput(random: Random): number[] {
  return Array.from({ length: 16 }, () => int(random, 17) - 8);
}

export function validBody(random: Random, extra: Record<string, unknown> = {}): Buffer {
  return utf8(JSON.stringify({ input: validInput(random), ...extra }));
}

/** Builds the cases; `random` decides every seeded choice. */
export function gatewayCases(random: Random, ctx: CaseContext): GatewayCase[] {
  const path = `/v1/synapses/${ctx.synapse}`;
  const max = ctx.maxBodyBytes;
  const cases: GatewayCase[] = [];
  const auth = (target: GatewayTarget): Headers => (target === "keyed" ? [["Authorization", `Bearer ${ctx.keys.open}`]] : []);
  const anyTarget = (): GatewayTarget => (random() < 0.5 ? "keyed" : "keyless");

  /** A POST of `body` with Content-Length (the usual headers unless `headers` replaces them). */
  const post = (category: string, label: string, body: Uint8Array, expect: readonly string[], options: { target?: GatewayTarget; headers?: Headers; requestLine?: string; receipt?: boolean } = {}): void => {
    const target = options.target ?? anyTarget();
    const headers = options.headers ?? [["Host", "localhost"], ["Content-Type", "application/json"], ["Content-Length", String(body.length)], ...auth(target)];
    cases.push({ category, target, label, expect, script: [rawRequest(options.requestLine ?? `POST ${path} HTTP/1.1`, headers, body)], ...(options.receipt === false ? {} : { body }) });
  };
  const json = (category: string, label: string, text: string, expect: readonly string[]): void => post(category, label, utf8(text), expect);

  // --- Malformed JSON -------------------------------------------------------------------------
  {
    const c = "malformed JSON";
    const valid = validBody(random);
    for (let cut = 0; cut < valid.length; cut++) post(c, `the valid body cut to ${cut} bytes`, valid.subarray(0, cut), ["400 BAD_JSON"]);
    for (let i = 0; i < 300; i++) {
      const length = 1 + Math.floor(Math.exp(random() * Math.log(max)));
      // Two random bytes can be "{}", a JSON object without the input.
      post(c, `${length} random bytes`, Uint8Array.from({ length: Math.min(length, max) }, () => int(random, 256)), ["400 BAD_JSON", "400 BAD_INPUT"]);
    }
    for (let i = 0; i < 1_000; i++) post(c, "a byte mutation of a valid body", mutateBytes(validBody(random), random), BODY_OUTCOMES);
    const depth = max - 32;
    json(c, `${depth} unclosed [`, "[".repeat(depth), ["400 BAD_JSON"]);
    json(c, `${depth / 2} nested arrays`, "[".repeat(depth / 2) + "]".repeat(depth / 2), ["400 BAD_JSON"]);
    json(c, `input: ${(depth - 16) / 2} nested arrays`, `{"input":${"[".repeat((depth - 16) / 2)}${"]".repeat((depth - 16) / 2)}}`, ["400 BAD_INPUT"]);
    json(c, `redundancy: ${(depth - 16) / 2} nested arrays`, `{"redundancy":${"[".repeat((depth - 16) / 2)}${"]".repeat((depth - 16) / 2)},"input":[]}`, ["400 BAD_REDUNDANCY"]);
    json(c, "objects nested 600 deep", `${'{"x":'.repeat(600)}1${"}".repeat(600)}`, ["400 BAD_INPUT"]);
    json(c, "input: objects nested 600 deep", `{"input":${'{"x":'.repeat(600)}1${"}".repeat(600)}}`, ["400 BAD_INPUT"]);
    const ok = validInput(random);
    const withItem = (item: string, at = int(random, 16)): string => `{"input":[${ok.map((v, i) => (i === at ? item : String(v))).join(",")}]}`;
    for (const n of ["1e400", "-1e400", "123456789012345678901234567890", "8.000000000000001", "-8.5", "9", "1E1", "0.1", "NaN", "Infinity", "-", "01", "+1", ".5", "0x1", "1_0"])
      json(c, `an input item of ${n}`, withItem(n), ["400 BAD_JSON", "400 BAD_INPUT"]);
    // Numbers JSON reads as valid integers in range: a receipt is due.
    for (const n of ["1e-400", "-0", "0e5", "7.9999999999999999", "8.0", "2E0"]) json(c, `an input item of ${n}`, withItem(n), ["200"]);
    for (const n of ["1e400", "3.0000000000000001e0", "0.99999999999999999", "-1e-400", "1e2", "99999999999999999999"])
      json(c, `redundancy ${n}`, `{"redundancy":${n},"input":${JSON.stringify(ok)}}`, ["200", "400 BAD_REDUNDANCY"]);
    json(c, "input twice, the valid one last", `{"input":"x","input":${JSON.stringify(ok)}}`, ["200"]);
    json(c, "input twice, the valid one first", `{"input":${JSON.stringify(ok)},"input":"x"}`, ["400 BAD_INPUT"]);
    json(c, "redundancy twice", `{"redundancy":99,"redundancy":1,"input":${JSON.stringify(ok)}}`, ["200"]);
    const body = JSON.stringify({ input: ok });
    post(c, "a UTF-8 BOM before a valid body", Buffer.concat([Buffer.of(0xef, 0xbb, 0xbf), utf8(body)]), ["200"]);
    post(c, "two UTF-8 BOMs", Buffer.concat([Buffer.of(0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf), utf8(body)]), ["400 BAD_JSON"]);
    post(c, "a UTF-16LE BOM and UTF-16LE text", Buffer.concat([Buffer.of(0xff, 0xfe), Buffer.from(body, "utf16le")]), ["400 BAD_JSON"]);
    post(c, "UTF-16BE text", Buffer.from(body, "utf16le").swap16(), ["400 BAD_JSON"]);
    post(c, "a BOM in the middle", utf8(body.replace(":", ":\uFEFF")), ["400 BAD_JSON"]);
    for (const [name, bytes] of [
      ["0xff", [0xff]],
      ["an overlong /", [0xc0, 0xaf]],
      ["an encoded surrogate", [0xed, 0xa0, 0x80]],
      ["a cut 3-byte sequence", [0xe2, 0x82]],
      ["a code point over U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
      ["a lone continuation byte", [0x80]],
    ] as const) {
      post(c, `invalid UTF-8 (${name}) in a string`, Buffer.concat([utf8(`{"input":${JSON.stringify(ok)},"note":"`), Buffer.from(bytes), utf8('"}')]), ["400 BAD_JSON"]);
      post(c, `invalid UTF-8 (${name}) at the end`, Buffer.concat([utf8(body), Buffer.from(bytes)]), ["400 BAD_JSON"]);
    }
    post(c, "a NUL byte inside a string", utf8(`{"input":${JSON.stringify(ok)},"note":"a\u0000b"}`), ["400 BAD_JSON"]);
    post(c, "a NUL byte between tokens", utf8(`{"input":\u0000${JSON.stringify(ok)}}`), ["400 BAD_JSON"]);
    post(c, "a NUL byte after the body", Buffer.concat([utf8(body), Buffer.of(0)]), ["400 BAD_JSON"]);
    post(c, "only NUL bytes", Buffer.alloc(64), ["400 BAD_JSON"]);
    json(c, "an escaped NUL in a key", `{"input":${JSON.stringify(ok)},"\\u0000":1}`, ["400 BAD_INPUT"]);
    json(c, "an escaped lone surrogate in a key", `{"input":${JSON.stringify(ok)},"\\ud800":1}`, ["400 BAD_INPUT"]);
    json(c, "trailing comma", `{"input":${JSON.stringify(ok)},}`, ["400 BAD_JSON"]);
    json(c, "comments", `{/* c */"input":${JSON.stringify(ok)}}`, ["400 BAD_JSON"]);
    json(c, "single quotes", `{'input':${JSON.stringify(ok)}}`, ["400 BAD_JSON"]);
    json(c, "two documents", `${body}${body}`, ["400 BAD_JSON"]);
    json(c, "whitespace only", " \t\r\n ", ["400 BAD_JSON"]);
  }

  // --- Wrong types for every field, extra fields, redundancy garbage ---------------------------
  {
    const c = "wrong types";
    const wrong = ["null", "true", "false", "0", "1.5", '"text"', '""', "{}", "[]", '{"input":[]}', "[[1]]", `[${'"1",'.repeat(15)}"1"]`, `[${"null,".repeat(15)}null]`, `[${"0.5,".repeat(15)}0.5]`, `[${"1,".repeat(14)}1]`, `[${"1,".repeat(16)}1]`, `[${"[1],".repeat(15)}[1]]`, `[${"true,".repeat(15)}true]`];
    for (const top of ["null", "true", "0", '"input"', "[]", `[{"input":${JSON.stringify(validInput(random))}}]`]) json(c, `a body of ${top.slice(0, 30)}`, top, ["400 BAD_JSON"]);
    for (const value of wrong) json(c, `input: ${value.slice(0, 30)}`, `{"input":${value}}`, ["400 BAD_INPUT"]);
    for (const value of wrong) if (value !== "1.5") json(c, `redundancy: ${value.slice(0, 30)}`, `{"redundancy":${value},"input":${JSON.stringify(validInput(random))}}`, ["400 BAD_REDUNDANCY"]);
    for (const value of ["0", "4", "-1", "1.5", "1e308", "-0.5", "3.5"]) json(c, `redundancy ${value}`, `{"redundancy":${value},"input":${JSON.stringify(validInput(random))}}`, ["400 BAD_REDUNDANCY"]);
    for (let i = 0; i < 200; i++) {
      const value = JSON.stringify(randomJson(random, 3)) ?? "null";
      const where = int(random, 3);
      const text = where === 0 ? `{"input":${value}}` : where === 1 ? `{"redundancy":${value},"input":${JSON.stringify(validInput(random))}}` : value;
      json(c, `a random value ${["as input", "as redundancy", "as the body"][where]!}`, text, BODY_OUTCOMES);
    }
  }
  {
    const c = "extra fields";
    const names = ["extra", "__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "", " input", "INPUT", "input ", "Input", "x".repeat(1_000), "\u0000", "é", "redundancy2"];
    for (const name of names) json(c, `an extra key ${JSON.stringify(name.slice(0, 20))}`, `{"input":${JSON.stringify(validInput(random))},${JSON.stringify(name)}:${JSON.stringify(randomJson(random, 2)) ?? "null"}}`, ["400 BAD_INPUT"]);
    json(c, "__proto__ holding redundancy", `{"__proto__":{"redundancy":3},"input":${JSON.stringify(validInput(random))}}`, ["400 BAD_INPUT"]);
    for (let i = 0; i < 100; i++) {
      // Written out by hand: an object literal would take "__proto__" as its prototype, not a key.
      const extra = Array.from({ length: 1 + int(random, 4) }, () => `,${JSON.stringify(pick(random, names))}:${JSON.stringify(randomJson(random, 2)) ?? "null"}`).join("");
      json(c, "random extra keys", `{"input":${JSON.stringify(validInput(random))}${extra}}`, ["400 BAD_INPUT", "413 TOO_LARGE"]);
    }
    for (const redundancy of [1, 2, 3]) for (let i = 0; i < 5; i++) post(c, `redundancy ${redundancy}`, validBody(random, { redundancy }), ["200"]);
  }

  // --- Enormous strings and sizes around the limit ---------------------------------------------
  {
    const c = "enormous strings";
    const room = max - 64;
    json(c, `input: a string of ${room} characters`, `{"input":"${"a".repeat(room)}"}`, ["400 BAD_INPUT"]);
    json(c, `a key of ${room} characters`, `{"input":[],"${"k".repeat(room)}":1}`, ["400 BAD_INPUT"]);
    json(c, `redundancy: a string of ${room} characters`, `{"redundancy":"${"r".repeat(room)}","input":[]}`, ["400 BAD_REDUNDANCY"]);
    json(c, `${room / 6} escaped characters`, `{"input":"${"\\u00e9".repeat(Math.floor(room / 6))}"}`, ["400 BAD_INPUT"]);
    json(c, `${room / 4} 4-byte characters`, `{"input":"${"😀".repeat(Math.floor(room / 4))}"}`, ["400 BAD_INPUT"]);
    json(c, `an array of ${room / 2} items`, `{"input":[${"1,".repeat(Math.floor(room / 2) - 1)}1]}`, ["400 BAD_INPUT"]);
    const valid = validBody(random);
    const padded = (size: number): Buffer => Buffer.concat([valid.subarray(0, valid.length - 1), Buffer.alloc(size - valid.length, " "), valid.subarray(valid.length - 1)]);
    post(c, `a valid body padded to exactly ${max} bytes`, padded(max), ["200"]);
    post(c, `a valid body padded to ${max + 1} bytes`, padded(max + 1), ["413 TOO_LARGE"]);
  }

  // --- Bodies over the limit, with and without Content-Length; bodies that never end -----------
  {
    const c = "over the limit";
    const bodies: [string, Buffer][] = [
      [`${max + 1} bytes`, Buffer.alloc(max + 1, "[")],
      ["64 KiB", Buffer.alloc(65_536, " ")],
      ["1 MiB", Buffer.alloc(1 << 20, "a")],
      ["100 000 [", Buffer.alloc(100_000, "[")],
    ];
    for (const [name, body] of bodies) {
      for (const target of ["keyless", "keyed"] as const) {
        const head = (extra: Headers): Headers => [["Host", "localhost"], ["Content-Type", "application/json"], ...extra, ...auth(target)];
        post(c, `${name} with Content-Length`, body, ["413 TOO_LARGE"], { target, receipt: false });
        const chunks = Array.from({ length: Math.ceil(body.length / 1000) }, (_, i) => `${Math.min(1000, body.length - i * 1000).toString(16)}\r\n${body.subarray(i * 1000, (i + 1) * 1000).toString("latin1")}\r\n`).join("");
        cases.push({ category: c, target, label: `${name} chunked, no Content-Length`, expect: ["413 TOO_LARGE"], script: [rawRequest(`POST ${path} HTTP/1.1`, head([["Transfer-Encoding", "chunked"]])), Buffer.from(`${chunks}0\r\n\r\n`, "latin1")] });
        cases.push({ category: c, target, label: `Content-Length: 999999999999 and ${name}`, expect: ["413 TOO_LARGE"], script: [rawRequest(`POST ${path} HTTP/1.1`, head([["Content-Length", "999999999999"]]), body)] });
      }
    }
    post(c, "Content-Length 99999999999999999999999 (over 2^64)", Buffer.alloc(0), ["400 BAD_REQUEST", "413 TOO_LARGE"], { headers: [["Host", "localhost"], ["Content-Type", "application/json"], ["Content-Length", "99999999999999999999999"]], target: "keyless" });
    for (const value of ["abc", "-1", "1, 2", "0x10", " ", "1e3", "+5"])
      post(c, `Content-Length: ${JSON.stringify(value)}`, validBody(random), ["400 BAD_REQUEST"], { headers: [["Host", "localhost"], ["Content-Type", "application/json"], ["Content-Length", value]], target: "keyless", receipt: false });
    post(c, "two different Content-Lengths", validBody(random), ["400 BAD_REQUEST"], { headers: [["Host", "localhost"], ["Content-Type", "application/json"], ["Content-Length", "5"], ["Content-Length", "6"]], target: "keyless", receipt: false });
    post(c, "Content-Length and chunked", validBody(random), ["400 BAD_REQUEST"], { headers: [["Host", "localhost"], ["Content-Type", "application/json"], ["Content-Length", "10"], ["Transfer-Encoding", "chunked"]], target: "keyless", receipt: false });
    for (const [name, encoding] of [["gzip", "gzip"], ["gzip, chunked", "gzip, chunked"], ["identity", "identity"], ["chunked, chunked", "chunked, chunked"], ["garbage", "zzz"]] as const)
      post(c, `Transfer-Encoding: ${name}`, validBody(random), ["400 BAD_REQUEST", "400 BAD_JSON"], { headers: [["Host", "localhost"], ["Content-Type", "application/json"], ["Transfer-Encoding", encoding]], target: "keyless", receipt: false });
    for (const size of ["zz", "-1", "ffffffffffffffffff", "1;" + "x".repeat(5_000), "4 4"])
      cases.push({ category: c, target: "keyless", label: `a chunk size of ${JSON.stringify(size.slice(0, 20))}`, expect: ["400 BAD_REQUEST", "413 TOO_LARGE"], script: [rawRequest(`POST ${path} HTTP/1.1`, [["Host", "localhost"], ["Content-Type", "application/json"], ["Transfer-Encoding", "chunked"]]), `${size}\r\n{}\r\n0\r\n\r\n`] });

    const never = "never-ending bodies";
    for (let i = 0; i < 10; i++) {
      const target = anyTarget();
      const head = (extra: Headers): Headers => [["Host", "localhost"], ["Content-Type", "application/json"], ...extra, ...auth(target)];
      cases.push({ category: never, target, slow: true, label: "a chunked body that stops after its first chunk", expect: ["408 REQUEST_TIMEOUT"], script: [rawRequest(`POST ${path} HTTP/1.1`, head([["Transfer-Encoding", "chunked"]])), 'a\r\n{"input":[\r\n'] });
      cases.push({ category: never, target, slow: true, label: "a chunked body that stops in a chunk size", expect: ["408 REQUEST_TIMEOUT"], script: [rawRequest(`POST ${path} HTTP/1.1`, head([["Transfer-Encoding", "chunked"]])), "1"] });
      cases.push({ category: never, target, slow: true, label: "a Content-Length body sent in part", expect: ["408 REQUEST_TIMEOUT"], script: [rawRequest(`POST ${path} HTTP/1.1`, head([["Content-Length", "60"]]), '{"input":[1,2')] });
      cases.push({ category: never, target, slow: true, label: "a request head that never ends", expect: ["408 REQUEST_TIMEOUT"], script: [`POST ${path} HTTP/1.1\r\nHost: localhost\r\nX-Slow: `] });
    }
  }

  // --- Content types ----------------------------------------------------------------------------
  {
    const c = "content types";
    const refused = ["text/plain", "application/json5", "application/jsonl", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json, text/plain", "json", "*/*", "", "application/problem+json", "text/json", "application/jsonx", "\u00ff\u00fe"];
    const accepted = ["application/json", "APPLICATION/JSON", "application/json; charset=utf-8", "application/json;charset=latin1", " application/json ", "application/json;", "Application/Json ; x=y"];
    for (const type of refused) {
      const target = anyTarget();
      const body = validBody(random);
      post(c, `Content-Type ${JSON.stringify(type)}`, body, ["415 UNSUPPORTED_MEDIA_TYPE"], { target, headers: [["Host", "localhost"], ["Content-Type", type], ["Content-Length", String(body.length)], ...auth(target)] });
    }
    for (const type of accepted) {
      const target = anyTarget();
      const body = validBody(random);
      post(c, `Content-Type ${JSON.stringify(type)}`, body, ["200"], { target, headers: [["Host", "localhost"], ["Content-Type", type], ["Content-Length", String(body.length)], ...auth(target)] });
    }
    for (const target of ["keyless", "keyed"] as const) {
      const body = validBody(random);
      post(c, "no Content-Type", body, ["415 UNSUPPORTED_MEDIA_TYPE"], { target, headers: [["Host", "localhost"], ["Content-Length", String(body.length)], ...auth(target)] });
      post(c, "two Content-Types", body, ["415 UNSUPPORTED_MEDIA_TYPE", "200"], { target, headers: [["Host", "localhost"], ["Content-Type", "text/plain"], ["Content-Type", "application/json"], ["Content-Length", String(body.length)], ...auth(target)] });
    }
  }

  // --- Methods, paths, request lines ------------------------------------------------------------
  {
    const c = "methods and paths";
    const line = (target: GatewayTarget, requestLine: string, expect: readonly string[], label = requestLine.slice(0, 60), options: { head?: boolean; body?: string } = {}): void => {
      const headers: Headers = [["Host", "localhost"], ...auth(target), ...(options.body === undefined ? [] : ([["Content-Type", "application/json"], ["Content-Length", String(Buffer.byteLength(options.body))]] as const))];
      cases.push({ category: c, target, label, expect, ...(options.head ? { head: true } : {}), script: [rawRequest(requestLine, headers, options.body ?? "")] });
    };
    for (const target of ["keyless", "keyed"] as const) {
      for (const method of ["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"]) line(target, `${method} ${path} HTTP/1.1`, ["405 METHOD_NOT_ALLOWED"]);
      line(target, `HEAD ${path} HTTP/1.1`, ["405"], undefined, { head: true });
      for (const route of ["/v1/synapses", "/v1/openapi.json"]) {
        line(target, `GET ${route} HTTP/1.1`, ["200"]);
        line(target, `HEAD ${route} HTTP/1.1`, ["200"], undefined, { head: true });
        line(target, `POST ${route} HTTP/1.1`, ["405 METHOD_NOT_ALLOWED"], undefined, { body: "{}" });
      }
      for (const route of ["/v1/miners", "/metrics", "/v1/attribution", "/v1/attribution?since=2025-01-01"]) line(target, `GET ${route} HTTP/1.1`, ["200"]);
      for (const since of ["garbage", "2025-02-30", "-1", "1e3", "99999999999999999", "2025-01-01T25:00Z", "%00", "2025-01-01T00:00:00.1234567891Z", "9999999999999999", "0", "2025-01-01T00:00:00.123456789Z"])
        line(target, `GET /v1/attribution?since=${since} HTTP/1.1`, since === "0" || since === "2025-01-01T00:00:00.123456789Z" ? ["200"] : ["400 BAD_INPUT"]);
      for (const p of ["/", "/v1", "/v1/", "/v1/synapses/", "/v1/synapses/nope", "/v1/synapses/infer/x", "/v1/synapses/%", "/v1/synapses/%ZZ", "/v1/synapses/%E0%A4%A", "/v1/synapses/%00", "/../../etc/passwd", "/v1/synapses/infer%2F..", "/index.html", "/v2/synapses/infer", `/v1/synapses/${"n".repeat(4_000)}`])
        line(target, `POST ${p} HTTP/1.1`, ["404 NOT_FOUND"], undefined, { body: JSON.stringify({ input: validInput(random) }) });
      const body = JSON.stringify({ input: validInput(random) });
      for (const p of [`/v1/synapses/${ctx.synapse}?redundancy=3&x=%ZZ`, `/v1/synapses/${encodeURIComponent(ctx.synapse).replace(/^./, (ch) => `%${ch.charCodeAt(0).toString(16)}`)}`, `/v1/x/../synapses/${ctx.synapse}`, `http://example.com/v1/synapses/${ctx.synapse}`])
        cases.push({ category: c, target, label: `POST ${p}`, expect: ["200"], body: utf8(body), script: [rawRequest(`POST ${p} HTTP/1.1`, [["Host", "localhost"], ["Content-Type", "application/json"], ["Content-Length", String(body.length)], ...auth(target)], body)] });
      for (const requestLine of ["FOO / HTTP/1.1", "post /v1/synapses/infer HTTP/1.1", "P\u00d6ST / HTTP/1.1", "POST  /v1/synapses/infer HTTP/1.1", "POST /v1/synapses/infer HTTP/9.9", "POST /v1/synapses/infer", "POST /v1/synapses/infer HTTP/1.1 extra", `${"A".repeat(5_000)} / HTTP/1.1`, "POST /v1/\u0000 HTTP/1.1", "POST /v1/synapses/infer\tHTTP/1.1", "\r\n\r\n", "GET", "PRI * HTTP/2.0", "POST /v1/synapses/\u00e9 HTTP/1.1"])
        // Sent without a body or a Content-Type: a line Node reads anyway is refused for those.
        line(target, requestLine, ["400 BAD_REQUEST", "404 NOT_FOUND", "415 UNSUPPORTED_MEDIA_TYPE"], `the request line ${JSON.stringify(requestLine.slice(0, 40))}`);
      line(target, `GET /${"p".repeat(20_000)} HTTP/1.1`, ["431 TOO_LARGE"], "a 20 KB path");
      line(target, "OPTIONS * HTTP/1.1", ["404 NOT_FOUND", "400 BAD_REQUEST"]);
      line(target, "GET /v1/synapses HTTP/1.0", ["200"]);
    }
  }

  // --- Headers ------------------------------------------------------------------------------------
  {
    const c = "headers";
    const body = (): Buffer => validBody(random);
    const withHeaders = (target: GatewayTarget, label: string, extra: Headers, expect: readonly string[], b = body()): void =>
      post(c, label, b, expect, { target, headers: [["Host", "localhost"], ["Content-Type", "application/json"], ["Content-Length", String(b.length)], ...auth(target), ...extra] });
    const raw = (target: GatewayTarget, label: string, headerBlock: string, expect: readonly string[]): void => {
      const b = body();
      cases.push({ category: c, target, label, expect, script: [Buffer.concat([Buffer.from(`POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${b.length}\r\n${auth(target).map(([n, v]) => `${n}: ${v}\r\n`).join("")}${headerBlock}\r\n`, "latin1"), b])] });
    };
    for (const target of ["keyless", "keyed"] as const) {
      raw(target, "a header line without a colon", "garbage\r\n", ["400 BAD_REQUEST"]);
      raw(target, "a space before the colon", "X-A : b\r\n", ["400 BAD_REQUEST"]);
      raw(target, "a folded header line", "X-A: b\r\n c\r\n", ["400 BAD_REQUEST", "200"]);
      raw(target, "a NUL in a header value", "X-A: a\u0000b\r\n", ["400 BAD_REQUEST"]);
      raw(target, "a bare CR in a header value", "X-A: a\rb\r\n", ["400 BAD_REQUEST"]);
      raw(target, "a header name of control bytes", "\u0001\u0002: x\r\n", ["400 BAD_REQUEST"]);
      raw(target, "bytes over 0x7f in a header value", "X-A: \u00ff\u00fe\u0080\r\n", ["200"]);
      raw(target, "an empty header name", ": x\r\n", ["400 BAD_REQUEST"]);
      raw(target, "LF line ends", "X-A: b\n", ["200", "400 BAD_REQUEST"]);
      withHeaders(target, "a 12 KB header value", [["X-Big", "v".repeat(12_000)]], ["200"]);
      withHeaders(target, "a 17 KB header value", [["X-Big", "v".repeat(17_000)]], ["431 TOO_LARGE"]);
      withHeaders(target, "3000 small headers", Array.from({ length: 3_000 }, (_, i) => [`x${i}`, "1"] as const), ["200", "431 TOO_LARGE"]);
      withHeaders(target, "Expect: 100-continue", [["Expect", "100-continue"]], ["200"]);
      withHeaders(target, "an unknown Expect", [["Expect", "the-unexpected"]], ["200"]);
      withHeaders(target, "Connection: garbage", [["Connection", "\u00ffgarbage, close"]], ["200"]);
      withHeaders(target, "Upgrade to h2c", [["Connection", "Upgrade, HTTP2-Settings"], ["Upgrade", "h2c"], ["HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA"]], ["200"]);
      withHeaders(target, "Upgrade to websocket", [["Connection", "Upgrade"], ["Upgrade", "websocket"], ["Sec-WebSocket-Version", "13"], ["Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="]], ["200"]);
      withHeaders(target, "an Origin from elsewhere (CORS off)", [["Origin", "https://evil.example"]], ["200"]);
      cases.push({ category: c, target, label: "CONNECT", expect: ["400 BAD_REQUEST", "405 METHOD_NOT_ALLOWED", "404 NOT_FOUND"], script: [rawRequest("CONNECT example.com:443 HTTP/1.1", [["Host", "example.com:443"], ...auth(target)])] });
    }
  }

  // --- Authorization (the keyed gateway) --------------------------------------------------------
  {
    const c = "authorization";
    const open = ctx.keys.open;
    const withAuth = (label: string, values: readonly string[], expect: readonly string[], route: "synapse" | "miners" | "metrics" | "attribution" = "synapse"): void => {
      const b = validBody(random);
      const authHeaders = values.map((v) => ["Authorization", v] as const);
      if (route === "synapse") post(c, label, b, expect, { target: "keyed", headers: [["Host", "localhost"], ["Content-Type", "application/json"], ["Content-Length", String(b.length)], ...authHeaders] });
      else {
        const p = route === "miners" ? "/v1/miners" : route === "metrics" ? "/metrics" : "/v1/attribution";
        cases.push({ category: c, target: "keyed", label: `${label} (GET ${p})`, expect, script: [rawRequest(`GET ${p} HTTP/1.1`, [["Host", "localhost"], ...authHeaders])] });
      }
    };
    const refused = ["", "Bearer", "Bearer ", "Bearer  ", "Basic dXNlcjpwYXNz", `Basic ${open}`, open, `Bearer ${open}x`, `Bearer ${open.slice(0, -1)}`, `Bearer ${open} extra`, `Bearer ${open.toUpperCase()}`, `Bearer\u00a0${open}`, `Token ${open}`, `Bearer ${"A".repeat(12_000)}`, `Bearer ${open}\u00ff`, "Bearer tnk_", `Bearer "${open}"`, "\u00ff\u00fe"];
    for (const route of ["synapse", "miners", "metrics", "attribution"] as const) {
      withAuth("no Authorization", [], ["401 UNAUTHORIZED"], route);
      for (const value of refused) withAuth(`Authorization ${JSON.stringify(value.slice(0, 30))}`, [value], ["401 UNAUTHORIZED"], route);
      for (const value of [`bearer ${open}`, `BEARER\t${open}`, `Bearer   ${open}  `]) withAuth(`Authorization ${JSON.stringify(value.slice(0, 14))}…`, [value], ["200"], route);
    }
    for (let i = 0; i < 100; i++) {
      const value = Buffer.from(Array.from({ length: int(random, 200) }, () => 0x20 + int(random, 0x5f))).toString("latin1");
      withAuth("a random printable Authorization", [value], ["401 UNAUTHORIZED"]);
    }
    for (let i = 0; i < 50; i++) withAuth("a byte mutation of the key", [`Bearer ${Buffer.from(mutateBytes(Buffer.from(open), random)).toString("latin1").replace(/[\r\n\u0000]/g, "x")}`], ["401 UNAUTHORIZED", "400 BAD_REQUEST", "200"]);
    withAuth("two Authorization headers, a bad one first", ["Bearer nope", `Bearer ${open}`], ["401 UNAUTHORIZED"]);
    withAuth("two Authorization headers, the good one first", [`Bearer ${open}`, "Bearer nope"], ["200"]);
    withAuth("a key not allowed the synapse", [`Bearer ${ctx.keys.elsewhere}`], ["403 FORBIDDEN"]);
    withAuth("a key not allowed the synapse (GET /v1/miners)", [`Bearer ${ctx.keys.elsewhere}`], ["200"], "miners");
  }

  // --- Host headers -------------------------------------------------------------------------------
  {
    const c = "host headers";
    for (const target of ["keyless", "keyed"] as const) {
      const withHost = (label: string, hosts: readonly string[], expect: readonly string[]): void => {
        const b = validBody(random);
        post(c, label, b, expect, { target, headers: [...hosts.map((h) => ["Host", h] as const), ["Content-Type", "application/json"], ["Content-Length", String(b.length)], ...auth(target)] });
      };
      withHost("no Host", [], ["403 BAD_HOST"]);
      for (const host of ["", "evil.example", "localhost.evil.example", "127.0.0.1.nip.io", "127.1", "0.0.0.0", "[::1", "::1", "localhost:abc", "localhost:123456", "localhost:80:80", "local host", "localhost, evil.example", "10.0.0.1", "[::ffff:10.0.0.1]", "h".repeat(8_000), "\u00ff", "localhost/x", "user@localhost"])
        withHost(`Host ${JSON.stringify(host.slice(0, 30))}`, [host], ["403 BAD_HOST", "400 BAD_REQUEST"]);
      for (const host of ["localhost", "LOCALHOST", "localhost.", "127.0.0.1", "127.255.255.254:99999", "[::1]", "[::1]:8080", "[::ffff:127.0.0.1]:1", " localhost "]) withHost(`Host ${JSON.stringify(host)}`, [host], ["200"]);
      withHost("two Host headers", ["localhost", "evil.example"], ["400 BAD_REQUEST", "200", "403 BAD_HOST"]);
    }
  }

  // --- Pipelining ---------------------------------------------------------------------------------
  {
    const c = "pipelining";
    for (const target of ["keyless", "keyed"] as const) {
      const request = (b: Buffer): Buffer => rawRequest(`POST ${path} HTTP/1.1`, [["Host", "localhost"], ["Content-Type", "application/json"], ["Content-Length", String(b.length)], ...auth(target)], b);
      for (let i = 0; i < 5; i++) {
        const body = validBody(random);
        cases.push({ category: c, target, label: "the same valid request three times in one write", answers: 3, expect: ["200"], body, script: [Buffer.concat([request(body), request(body), request(body)])] });
      }
      const body = validBody(random);
      cases.push({ category: c, target, label: "a valid request, then garbage", answers: 2, expect: ["200", "400 BAD_REQUEST"], body, script: [Buffer.concat([request(body), Buffer.from("GARBAGE\r\n\r\n")])] });
      cases.push({ category: c, target, label: "a body longer than its Content-Length", answers: 2, expect: ["400 BAD_JSON", "400 BAD_REQUEST", "404 NOT_FOUND"], script: [rawRequest(`POST ${path} HTTP/1.1`, [["Host", "localhost"], ["Content-Type", "application/json"], ["Content-Length", "5"], ...auth(target)], body)] });
    }
  }
  return cases;
}
