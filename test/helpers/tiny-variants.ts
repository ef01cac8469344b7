/**
 * Miners that misbehave, as real plugin folders the built `tensornode miner` loads with `--subnet
 * <folder>`: the tiny subnet's own miner, its answers made wrong (one element off) or slow (held
 * back a fixed time). The manifest is tiny's, so validators of the tiny subnet query them as any other.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { projectRoot } from "../../src/subnet/loader.js";

export type TinyBehaviour = { readonly kind: "wrong" } | { readonly kind: "slow"; readonly delayMs: number };

/** Writes the plugin folder `dir` (built code: run `npm run build` first) and returns it. */
export function writeTinyVariant(dir: string, behaviour: TinyBehaviour): string {
  const root = projectRoot();
  const built = (path: string): string => pathToFileURL(join(root, "dist", path)).href;
  mkdirSync(join(dir, "models"), { recursive: true });
  copyFileSync(join(root, "subnets/tiny/models/tiny-mlp.onnx"), join(dir, "models/tiny-mlp.onnx"));
  writeFileSync(join(dir, "manifest.json"), readFileSync(join(root, "subnets/tiny/manifest.json")));
  writeFileSync(join(dir, "validator.js"), `export { createValidator } from ${JSON.stringify(built("subnets/tiny/validator.js"))};\n`);
  writeFileSync(
    join(dir, "miner.js"),
    `import { createMiner as honest } from ${JSON.stringify(built("subnets/tiny/miner.js"))};
import { TINY_OUTPUT_NAME } from ${JSON.stringify(built("subnets/tiny/model.js"))};
const behaviour = ${JSON.stringify(behaviour)};
export async function createMiner(ctx) {
  const inner = await honest(ctx);
  return {
    async answer(request) {
      const answer = await inner.answer(request);
      if (behaviour.kind === "slow") {
        await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
        return answer;
      }
      const y = answer.get(TINY_OUTPUT_NAME);
      const values = new Float32Array(new Uint8Array(y.data).buffer);
      values[0] += 1;
      return new Map([[TINY_OUTPUT_NAME, { ...y, data: new Uint8Array(values.buffer) }]]);
    },
  };
}
`,
  );
  return dir;
}
