/**
 * JSON with exact integers: `parseLosslessJson` returns integer literals as bigint (u64 values
 * exceed 2^53) and other numbers as number; `stringifyLosslessJson` prints bigints as plain JSON
 * integers. Errors name the line and column.
 */
export type LosslessJson = null | boolean | number | bigint | string | LosslessJson[] | { [key: string]: LosslessJson };

export class JsonSyntaxError extends Error {
  readonly code = "JSON_SYNTAX";
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${message} at line ${line}, column ${column}`);
    this.name = "JsonSyntaxError";
  }
}

const MAX_DEPTH = 512;

export function parseLosslessJson(text: string): LosslessJson {
  let pos = 0;

  const fail = (message: string, at = pos): never => {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at && i < text.length; i++) {
      if (text.charCodeAt(i) === 10) {
        line += 1;
        lineStart = i + 1;
      }
    }
    throw new JsonSyntaxError(message, line, at - lineStart + 1);
  };

  const skipWhitespace = (): void => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) pos += 1;
      else break;
    }
  };

  const expectLiteral = (word: string, value: LosslessJson): LosslessJson => {
    if (text.startsWith(word, pos)) {
      pos += word.length;
      return value;
    }
    return fail("unexpected token");
  };

  const parseString = (): string => {
    const start = pos;
    pos += 1; // opening quote
    let out = "";
    let chunkStart = pos;
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 34) {
        out += text.slice(chunkStart, pos);
        pos += 1;
        return out;
      }
      if (c < 32) fail("control character in string");
      if (c === 92) {
        out += text.slice(chunkStart, pos);
        const escape = text[pos + 1];
        const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (escape !== undefined && escape in simple) {
          out += simple[escape];
          pos += 2;
        } else if (escape === "u") {
          const hex = text.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("bad \\u escape");
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 6;
        } else {
          fail("bad escape in string");
        }
        chunkStart = pos;
      } else {
        pos += 1;
      }
    }
    return fail("unterminated string", start);
  };

  const parseNumber = (): number | bigint => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(pos, pos + 400));
    if (!match) return fail("bad number");
    const token = match[0];
    pos += token.length;
    if (match[2] === undefined && match[3] === undefined) return BigInt(token);
    return Number(token);
  };

  const parseValue = (depth: number): LosslessJson => {
    if (depth > MAX_DEPTH) fail("nesting too deep");
    skipWhitespace();
    const c = text[pos];
    if (c === "{") {
      pos += 1;
      const obj: { [key: string]: LosslessJson } = {};
      skipWhitespace();
      if (text[pos] === "}") {
        pos += 1;
        return obj;
      }
      for (;;) {
        skipWhitespace();
        if (text[pos] !== '"') fail("expected a string key");
        const keyAt = pos;
        const key = parseString();
        if (Object.hasOwn(obj, key)) fail(`duplicate key "${key}"`, keyAt);
        skipWhitespace();
        if (text[pos] !== ":") fail("expected ':'");
        pos += 1;
        Object.defineProperty(obj, key, { value: parseValue(depth + 1), enumerable: true, writable: true, configurable: true });
        skipWhitespace();
        if (text[pos] === ",") pos += 1;
        else if (text[pos] === "}") {
          pos += 1;
          return obj;
        } else fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      pos += 1;
      const arr: LosslessJson[] = [];
      skipWhitespace();
      if (text[pos] === "]") {
        pos += 1;
        return arr;
      }
      for (;;) {
        arr.push(parseValue(depth + 1));
        skipWhitespace();
        if (text[pos] === ",") pos += 1;
        else if (text[pos] === "]") {
          pos += 1;
          return arr;
        } else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return parseString();
    if (c === "t") return expectLiteral("true", true);
    if (c === "f") return expectLiteral("false", false);
    if (c === "n") return expectLiteral("null", null);
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return parseNumber();
    return fail(c === undefined ? "unexpected end of input" : "unexpected token");
  };

  const value = parseValue(0);
  skipWhitespace();
  if (pos < text.length) fail("unexpected data after the JSON value");
  return value;
}

/** JSON text with bigints as exact integers. `indent` as in JSON.stringify; arrays of scalars stay on one line. */
export function stringifyLosslessJson(value: unknown, indent = 0): string {
  const pad = (level: number): string => (indent > 0 ? `\n${" ".repeat(indent * level)}` : "");
  const isScalar = (v: unknown): boolean => v === null || typeof v !== "object";
  const write = (v: unknown, level: number): string => {
    if (typeof v === "bigint") return v.toString();
    if (typeof v === "number") return Number.isFinite(v) ? JSON.stringify(v) : "null";
    if (v === null || typeof v === "boolean" || typeof v === "string") return JSON.stringify(v);
    if (Array.isArray(v)) {
      if (v.length === 0) return "[]";
      const items = v.map((item) => write(item, level + 1));
      if (indent === 0 || v.every(isScalar) || v.every((item) => Array.isArray(item) && item.every(isScalar))) {
        return `[${items.join(",")}]`;
      }
      return `[${items.map((item) => pad(level + 1) + item).join(",")}${pad(level)}]`;
    }
    if (typeof v === "object") {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, item]) => item !== undefined);
      if (entries.length === 0) return "{}";
      const sep = indent > 0 ? ": " : ":";
      return `{${entries.map(([k, item]) => pad(level + 1) + JSON.stringify(k) + sep + write(item, level + 1)).join(",")}${pad(level)}}`;
    }
    return "null";
  };
  return write(value, 0);
}
