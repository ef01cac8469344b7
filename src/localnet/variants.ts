/**
 * Miners that misbehave on purpose, for the local network's demonstration (and tests): a plugin
 * folder that wraps a real plugin's miner side — its answers held back (slow) or, every n-th one,
 * corrupted (noisy; every one: wrong). The manifest is the real plugin's, so validators of that
 * subnet query and score them like any other miner. Nothing here runs in a real miner.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import type { LoadedPlugin } from "../subnet/loader.js";
import { projectRoot } from "../subnet/loader.js";

export type MinerBehaviour =
  | { readonly kind: "honest" }
  /** Every answer held back `delayMs`. */
  | { readonly kind: "slow"; readonly delayMs: number }
  /**
   * Every `every`-th answer corrupted (its first output's first byte changed), counting from the
   * `first`-th (default `every`); every 1: every answer.
   */
  | { readonly kind: "noisy"; readonly every: number; readonly first?: number };

/** The module file a child `tensornode` process loads for `module` of the plugin in `dir`: compiled when there is a build. */
function childModuleFile(dir: string, module: string): string {
  const base = join(dir, module);
  const root = projectRoot();
  const inside = !relative(root, base).startsWith("..");
  const candidates = [`${base}.js`, ...(inside ? [`${join(root, "dist", relative(root, base))}.js`] : []), `${base}.ts`];
  const found = candidates.find((file) => existsSync(file));
  if (!found) throw new Error(`no module ${module} in ${dir}`);
  return found;
}

/** Writes a plugin folder at `dir` that serves `plugin` with `behaviour`, and returns it. */
export function writeMinerVariant(dir: string, plugin: LoadedPlugin, behaviour: Exclude<MinerBehaviour, { kind: "honest" }>): string {
  const manifestFile = join(plugin.dir, "manifest.json");
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as { models?: Record<string, { file?: string }> };
  mkdirSync(dir, { recursive: true });
  // Models kept in the plugin folder come along (a manifest path never leaves its folder); packaged ones are found as before.
  for (const spec of Object.values(manifest.models ?? {})) {
    if (spec.file === undefined) continue;
    mkdirSync(dirname(join(dir, spec.file)), { recursive: true });
    copyFileSync(join(plugin.dir, spec.file), join(dir, spec.file));
  }
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
  const minerUrl = pathToFileURL(childModuleFile(plugin.dir, plugin.manifest.miner)).href;
  const validatorUrl = pathToFileURL(childModuleFile(plugin.dir, plugin.manifest.validator)).href;
  writeFileSync(join(dir, "validator.js"), `export { createValidator } from ${JSON.stringify(validatorUrl)};\n`);
  // The public interface is the real plugin's: users' requests reach the variant's miner side like any other.
  if (plugin.manifest.api !== undefined) writeFileSync(join(dir, "api.js"), `export { createPublicApi } from ${JSON.stringify(pathToFileURL(childModuleFile(plugin.dir, plugin.manifest.api)).href)};\n`);
  writeFileSync(
    join(dir, "miner.js"),
    `// A ${behaviour.kind} variant of the ${plugin.manifest.name} miner, written by tensornode localnet.
import { createMiner as createInner } from ${JSON.stringify(minerUrl)};
const behaviour = ${JSON.stringify(behaviour)};
let answered = 0;
function corrupt(answer) {
  const [name, tensor] = [...answer][0];
  const data = new Uint8Array(tensor.data);
  data[0] ^= 1;
  return new Map([...answer, [name, { ...tensor, data }]]);
}
export async function createMiner(ctx) {
  const inner = await createInner(ctx);
  return {
    async answer(request) {
      const answer = await inner.answer(request);
      if (behaviour.kind === "slow") {
        await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
        return answer;
      }
      answered += 1;
      const first = behaviour.first ?? behaviour.every;
      return answer && answered >= first && (answered - first) % behaviour.every === 0 ? corrupt(answer) : answer;
    },
    close: () => inner.close?.(),
  };
}
`,
  );
  return dir;
}
