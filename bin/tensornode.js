#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm ci` through the prepare script); without a build
// it runs the TypeScript sources through tsx, so a checkout works either way.
import { existsSync } from "node:fs";

// libp2p's debug logger asks isatty(stderr) for every logger it makes (one per connection and
// stream): a syscall per stream on a miner's hot path, for colours of logs that are off anyway.
process.env.DEBUG_COLORS ??= "false";

const compiled = new URL("../dist/src/index.js", import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(new URL("../src/index.ts", import.meta.url).href);
}
