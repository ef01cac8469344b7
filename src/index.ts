import "./util/polyfill.js";
import { processContext } from "./cli/context.js";
import { runCli } from "./cli/program.js";

const code = await runCli(process.argv.slice(2), processContext());
// Interrupted: exit at once, whatever the abandoned work (a wait for inclusion, a key derivation) still holds open.
if (code === 130) process.exit(code);
process.exitCode = code;
