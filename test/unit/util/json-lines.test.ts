import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { after, describe, it } from "node:test";
import { asJsonLine, jsonLines } from "../../../src/util/json-lines.js";

describe("log files hold JSON lines only", () => {
  const dir = mkdtempSync(join(tmpdir(), "tensornode-json-lines-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps a JSON object line as it is and wraps any other line as a pino-style record", () => {
    const options = { module: "miner-1", stream: "stderr" as const, now: () => 1_700_000_000_000 };
    assert.equal(asJsonLine('{"level":30,"msg":"hi"}', options), '{"level":30,"msg":"hi"}\n');
    assert.deepEqual(JSON.parse(asJsonLine("    at Object.<anonymous> (x.js:1:1)", options)), { level: 50, time: 1_700_000_000_000, module: "miner-1", stream: "stderr", msg: "    at Object.<anonymous> (x.js:1:1)" });
    assert.equal(JSON.parse(asJsonLine("[1,2]", { ...options, stream: "stdout" })).level, 30, "a JSON array is not a record: wrapped");
    assert.equal(JSON.parse(asJsonLine("{not json", options)).msg, "{not json");
  });

  it("turns a real child's banner, records, warning and crash into a file where every line parses", async () => {
    const script = [
      'process.stdout.write("miner serving on 127.0.0.1:9000\\n");',
      'process.stdout.write(JSON.stringify({ level: 30, time: 1, msg: "record" }) + "\\n");',
      'process.stdout.write("a line split ");',
      'setTimeout(() => { process.stdout.write("across writes\\nno newline at the end"); process.emitWarning("something deprecated"); throw new Error("boom"); }, 20);',
    ].join("\n");
    const file = join(dir, "child.log");
    const log = createWriteStream(file, { flags: "a" });
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "pipe"] });
    const out = child.stdout.pipe(jsonLines({ module: "child", stream: "stdout" }));
    const err = child.stderr.pipe(jsonLines({ module: "child", stream: "stderr" }));
    out.pipe(log, { end: false });
    err.pipe(log, { end: false });
    await Promise.all([once(child, "close"), once(out, "end"), once(err, "end")]);
    log.end();
    await once(log, "close");
    const lines = readFileSync(file, "utf8").split("\n");
    assert.equal(lines.pop(), "", "ends with a newline");
    const records = lines.map((line) => JSON.parse(line) as { msg: string; stream?: string; level: number });
    const msgs = records.map((r) => r.msg);
    assert.ok(msgs.includes("miner serving on 127.0.0.1:9000"));
    assert.ok(msgs.includes("record"));
    assert.ok(msgs.includes("a line split across writes"));
    assert.ok(msgs.includes("no newline at the end"));
    assert.ok(records.some((r) => r.stream === "stderr" && r.level === 50 && /Error: boom/.test(r.msg)), "the crash");
    assert.ok(records.some((r) => r.stream === "stderr" && /something deprecated/.test(r.msg)), "the warning");
  });
});
