import "./util/polyfill.js";
import { processContext } from "./cli/context.js";
import { debugRequested, quietPolkadotConsole } from "./cli/library-console.js";
import { runCli } from "./cli/program.js";

quietPolkadotConsole(console, debugRequested(process.argv.slice(2), process.env));
const code = await runCli(process.argv.slice(2), processContext());
// Interrupted: exit at once, whatever the abandoned work (a wait for inclusion, a key derivation) still holds open.
if (code === 130) process.exit(code);
process.exitCode = code;
// The command is done, all it had to do awaited: whatever it left behind (a daemon's part given up
// by its stop, a library's timer) must not keep the process alive past this.
setTimeout(() => process.exit(code), 250).unref();
