/** The devnet as its own process (the built binary), as users run it, for benchmarks that talk to it over JSON-RPC. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../bin/tensornode.js", import.meta.url));

/** Starts `tensornode devnet` with instant blocks and dev RPC in `dataDir`; resolves once it prints its endpoint. */
export async function startDevnetProcess(dataDir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [BIN, "devnet", "--data-dir", dataDir, "--port", "0", "--block-time", "instant", "--dev-rpc", "--log-level", "warn"], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = / at (ws:\/\/\S+) /.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`devnet exited with ${code}`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
