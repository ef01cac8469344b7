import "./util/polyfill.js";
import { processContext } from "./cli/context.js";
import { debugRequested, quietPolkadotConsole } from "./cli/library-console.js";
import { runCli } from "./cli/program.js";

quietPolkadotConsole(console, debugRequested(process.argv.slice(2), process.env));
const code = await runCli(process.argv.slice(2), processContext());
// Interrupted: exit at once, whatever the abandoned work (a wait for inclusion, a key derivation) still holds open.
if (code === 130) process.exit(code);
process.exitCode = code;
